-- The e-mail channel: every message in or out (for threading, de-duplication, the outbox and
-- delivery failures), links between tickets (a repeat request and its original), and the text an
-- agent sees first of a message whose quoted history is folded away.

CREATE TABLE mail (
    id             INTEGER PRIMARY KEY,
    direction      TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    message_id     TEXT NOT NULL,
    content_sha256 BLOB NOT NULL,
    ticket_id      INTEGER REFERENCES tickets(id),
    message_row_id INTEGER REFERENCES messages(id),
    mail_from      TEXT NOT NULL DEFAULT '',
    rcpt           TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    auth           TEXT NOT NULL DEFAULT '',
    phishing       INTEGER NOT NULL DEFAULT 0,
    raw            BLOB,
    error          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX mail_dedupe ON mail(direction, message_id, content_sha256);
CREATE INDEX mail_message_id ON mail(message_id);
CREATE INDEX mail_ticket ON mail(ticket_id);
CREATE INDEX mail_status ON mail(direction, status, id);
CREATE INDEX mail_rcpt ON mail(direction, rcpt, created_at);

CREATE TABLE ticket_links (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    linked_id INTEGER NOT NULL REFERENCES tickets(id),
    kind      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, linked_id, kind)
);
CREATE INDEX ticket_links_linked ON ticket_links(linked_id);

ALTER TABLE messages ADD COLUMN visible TEXT NOT NULL DEFAULT '';
