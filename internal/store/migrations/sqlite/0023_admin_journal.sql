-- The administration journal (otklik.AdminRecord): every change to a calendar, an SLA policy, a staff
-- member, a group, a category or a response template, with its author and the object before and after,
-- as one hash chain. admin_journal_head holds the chain's last sequence and hash, so that records removed
-- from its end are found by otklik verify, as a ticket's head on the ticket does for its journal.
CREATE TABLE admin_journal (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    object      TEXT NOT NULL,
    key         TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT NOT NULL DEFAULT '',
    after       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    prev_hash   BLOB,
    hash        BLOB NOT NULL
);
CREATE INDEX admin_journal_object ON admin_journal (object, key, seq);

CREATE TABLE admin_journal_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB
);
INSERT INTO admin_journal_head (id, seq, hash) VALUES (1, 0, NULL);

CREATE TRIGGER admin_journal_no_update BEFORE UPDATE ON admin_journal
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
CREATE TRIGGER admin_journal_no_delete BEFORE DELETE ON admin_journal
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
