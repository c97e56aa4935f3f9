-- What every journal record of a recomputation pass shares in text — its actor's name and its reason —
-- is stored once, here, instead of in each of the pass's records (a sixth of what a pass over a million
-- tickets writes on SQLite, and a tenth of its time; docs/PERFORMANCE.md). A record of a pass whose
-- actor_name and reason are both empty takes them from its pass's row; the queries journal and
-- walk-journal give them back, so a record reads, and hashes, as it was written. Records written
-- before this migration keep their own text. Like the journal, the table is append-only.
CREATE TABLE journal_passes (
    pass        INTEGER PRIMARY KEY,
    actor_name  TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE TRIGGER journal_passes_no_update BEFORE UPDATE ON journal_passes
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
CREATE TRIGGER journal_passes_no_delete BEFORE DELETE ON journal_passes
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
