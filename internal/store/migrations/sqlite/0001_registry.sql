-- The ticket registry: staff, groups, categories, requesters, tickets, messages, the journal and the
-- search index. Times are INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE groups (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    parent_id INTEGER REFERENCES categories(id),
    group_id  INTEGER REFERENCES groups(id),
    position  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'senior', 'supervisor', 'admin', 'auditor')),
    group_id      INTEGER REFERENCES groups(id),
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

CREATE TABLE requesters (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT UNIQUE,
    phone      TEXT,
    snils      TEXT,
    inn        TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX requesters_phone ON requesters(phone) WHERE phone IS NOT NULL;
CREATE INDEX requesters_snils ON requesters(snils) WHERE snils IS NOT NULL;

CREATE TABLE ticket_sequences (
    year INTEGER PRIMARY KEY,
    next INTEGER NOT NULL
);

CREATE TABLE tickets (
    id                    INTEGER PRIMARY KEY,
    number                TEXT NOT NULL UNIQUE,
    channel               TEXT NOT NULL,
    category_id           INTEGER NOT NULL REFERENCES categories(id),
    priority              TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status                TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting', 'forwarded', 'resolved', 'closed')),
    subject               TEXT NOT NULL,
    requester_id          INTEGER NOT NULL REFERENCES requesters(id),
    assignee_id           INTEGER REFERENCES users(id),
    group_id              INTEGER REFERENCES groups(id),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    first_response_due_at INTEGER,
    due_at                INTEGER,
    first_response_at     INTEGER,
    resolved_at           INTEGER,
    closed_at             INTEGER,
    version               INTEGER NOT NULL DEFAULT 1,
    journal_seq           INTEGER NOT NULL DEFAULT 0,
    journal_head          BLOB
);
-- SQLite appends the rowid to every index, so each of these is also ordered by id: the keyset pages
-- of a filtered list walk one index range and never sort.
CREATE INDEX tickets_status    ON tickets(status);
CREATE INDEX tickets_channel   ON tickets(channel);
CREATE INDEX tickets_category  ON tickets(category_id);
CREATE INDEX tickets_assignee  ON tickets(assignee_id);
CREATE INDEX tickets_group     ON tickets(group_id);
CREATE INDEX tickets_requester ON tickets(requester_id);
CREATE INDEX tickets_created   ON tickets(created_at);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    author_type TEXT NOT NULL,
    author_id   INTEGER NOT NULL DEFAULT 0,
    author_name TEXT NOT NULL,
    channel     TEXT NOT NULL,
    internal    INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX messages_ticket ON messages(ticket_id);

CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
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
    UNIQUE (ticket_id, seq)
);

-- The journal is append-only: the database itself refuses to change or remove a record.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal records are append-only');
END;

-- Search: the normalised stems of a ticket's subject and messages (internal/russian), one row a ticket,
-- rowid = tickets.id. FTS5 has no Russian stemmer, so stemming happens in Go; the stems are already
-- lower-case and separated by spaces, so the plain 'ascii' tokenizer (non-ASCII bytes are word
-- characters) splits them exactly and costs less than unicode61.
CREATE VIRTUAL TABLE ticket_search USING fts5(
    stems,
    tokenize = 'ascii',
    detail = none,
    columnsize = 0
);

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
