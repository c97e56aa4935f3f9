-- The journal's index on (ticket_id, seq) gives way to one on ticket_id alone. A recomputation of
-- deadlines adds a record to every open ticket, each in a different leaf of that index: every leaf was
-- written, with a full-page image, on every pass, and as the journal grew the index outgrew the tickets
-- themselves (3.8 GB at 86 million records) and its writeback held up registrations' commits. PostgreSQL
-- stores equal keys once, with a list of their rows: the index on ticket_id is a seventh of the size
-- (577 MB), a pass took 24–25 s instead of 30–31, and no registration waited over 50 ms in four passes
-- (docs/PERFORMANCE.md). The database no longer refuses a second record with a ticket's sequence
-- number; Otklik never writes one (every record is appended in the transaction that moves its ticket's
-- journal head, guarded by the ticket's version, or in the one that creates the ticket), and `otklik
-- verify` reports a repeated or missing number. Building the index reads the whole journal (2 min for
-- 86 million records on two cores) and blocks writes to it meanwhile.
CREATE INDEX journal_ticket ON journal (ticket_id);
ALTER TABLE journal DROP CONSTRAINT IF EXISTS journal_ticket_id_seq_key;
