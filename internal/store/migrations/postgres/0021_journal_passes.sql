-- What every journal record of a recomputation pass shares in text — its actor's name and its reason —
-- is stored once, here, instead of in each of the pass's records (as sqlite/0021). A record of a pass
-- whose actor_name and reason are both empty takes them from its pass's row; the queries journal and
-- walk-journal give them back, so a record reads, and hashes, as it was written. Records written before
-- this migration keep their own text. Like the journal, the table is append-only (0001's function).
CREATE TABLE journal_passes (
    pass        bigint PRIMARY KEY,
    actor_name  text NOT NULL,
    reason      text NOT NULL
);
CREATE TRIGGER journal_passes_no_update BEFORE UPDATE ON journal_passes FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_passes_no_delete BEFORE DELETE ON journal_passes FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_passes_no_truncate BEFORE TRUNCATE ON journal_passes FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
