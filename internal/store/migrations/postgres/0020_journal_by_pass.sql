-- A recomputation's journal records are indexed apart from the rest. The journal's index on ticket_id
-- (0018) took a record of a recomputation pass — one for every open ticket — in nearly every one of
-- its leaves, so a pass's writes grew with the journal. Now a record carries the pass that wrote it
-- (`pass`: the recomputation's number, 1, 2, 3…; 0 for a record written on its own) and the index is
-- on (pass, ticket_id): a pass appends to the end of it, whatever the journal's length. A ticket's
-- records are found in each pass's part of the index (the queries journal and walk-journal step from
-- one pass to the next through the index itself, a few seeks each). Adding the column with a constant
-- default rewrites nothing; building the index reads the whole journal (minutes for tens of millions
-- of records) and blocks writes to it meanwhile.
ALTER TABLE journal ADD COLUMN pass bigint NOT NULL DEFAULT 0;
CREATE INDEX journal_pass_ticket ON journal (pass, ticket_id);
DROP INDEX journal_ticket;
