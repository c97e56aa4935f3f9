-- A recomputation's journal records are indexed apart from the rest. The journal's index was on
-- (ticket_id, seq): a recomputation adds a record to every open ticket, so a pass inserted into nearly
-- every page of that index, and its writes — and the wait of a registration queued behind them — grew
-- with the journal (1.6 GB a pass at 13 records a ticket, 3.0 GB at 47; on a cold page cache the
-- writer read those pages from the disk one at a time, docs/PERFORMANCE.md). Now a record carries the
-- pass that wrote it (`pass`: the recomputation's number, 1, 2, 3…; 0 for a record written on its
-- own) and the index is on (pass, ticket_id): a pass appends to the end of it, whatever the journal's
-- length. A ticket's records are found in each pass's part of the index (the queries journal and
-- walk-journal step from one pass to the next through the index itself, a few seeks each).
--
-- SQLite cannot drop the unique index of a table's constraint, so the table is built anew: the
-- journal is copied (a few minutes for tens of millions of records; the database file needs room for
-- a second copy meanwhile). Like PostgreSQL's (postgres/0016, postgres/0018), the new table has no
-- foreign key to tickets and no unique (ticket_id, seq): every record is appended in the transaction
-- that moves its ticket's journal head, guarded by the ticket's version, or in the one that creates
-- the ticket, and `otklik verify` reports a repeated or missing number.
CREATE TABLE journal_by_pass (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    before      TEXT NOT NULL DEFAULT '',
    after       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    prev_hash   BLOB,
    hash        BLOB NOT NULL,
    pass        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO journal_by_pass (id, ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before,
                             after, reason, prev_hash, hash)
SELECT id, ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before, after, reason,
       prev_hash, hash
  FROM journal ORDER BY id;
DROP TABLE journal;
ALTER TABLE journal_by_pass RENAME TO journal;
CREATE INDEX journal_pass_ticket ON journal (pass, ticket_id);

-- The journal is append-only: the database itself refuses to change or remove a record (as 0001).
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
