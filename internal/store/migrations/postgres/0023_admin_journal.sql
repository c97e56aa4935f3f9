-- The administration journal (otklik.AdminRecord): every change to a calendar, an SLA policy, a staff
-- member, a group, a category or a response template, with its author and the object before and after,
-- as one hash chain. admin_journal_head holds the chain's last sequence and hash, so that records removed
-- from its end are found by otklik verify, as a ticket's head on the ticket does for its journal; a
-- writer locks it (FOR UPDATE) to append, so that two administrators' records never share a place.
CREATE TABLE admin_journal (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_type  text NOT NULL,
    actor_id    bigint NOT NULL DEFAULT 0,
    actor_name  text NOT NULL,
    channel     text NOT NULL,
    object      text NOT NULL,
    key         text NOT NULL,
    action      text NOT NULL,
    before      text NOT NULL DEFAULT '',
    after       text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT '',
    prev_hash   bytea,
    hash        bytea NOT NULL
);
CREATE INDEX admin_journal_object ON admin_journal (object, key, seq);

CREATE TABLE admin_journal_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash bytea
);
INSERT INTO admin_journal_head (id, seq, hash) VALUES (1, 0, NULL);

CREATE TRIGGER admin_journal_no_update BEFORE UPDATE ON admin_journal FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER admin_journal_no_delete BEFORE DELETE ON admin_journal FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER admin_journal_no_truncate BEFORE TRUNCATE ON admin_journal FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
