-- Attachments: distinct contents (blobs, encrypted in the blob store, scanned once), the files
-- attached to tickets, and every download of one.

CREATE TABLE blobs (
    id           INTEGER PRIMARY KEY,
    sha256       BLOB NOT NULL,
    size         INTEGER NOT NULL,
    object       TEXT NOT NULL UNIQUE,
    key_id       TEXT NOT NULL,
    wrapped_key  BLOB NOT NULL,
    content_type TEXT NOT NULL,
    scan         TEXT NOT NULL CHECK (scan IN ('pending', 'clean', 'infected', 'error')),
    signature    TEXT NOT NULL DEFAULT '',
    scanned_at   INTEGER,
    deleted_at   INTEGER,
    created_at   INTEGER NOT NULL
);
-- One live record a content; a content deleted (retention) and sent again is stored afresh.
CREATE UNIQUE INDEX blobs_sha256 ON blobs(sha256) WHERE deleted_at IS NULL;
CREATE INDEX blobs_key ON blobs(key_id, id);
CREATE INDEX blobs_scan ON blobs(scan, id);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    message_id    INTEGER REFERENCES messages(id),
    blob_id       INTEGER NOT NULL REFERENCES blobs(id),
    name          TEXT NOT NULL,
    safe_name     TEXT NOT NULL,
    channel       TEXT NOT NULL,
    uploader_type TEXT NOT NULL,
    uploader_id   INTEGER NOT NULL,
    uploader_name TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    deleted_at    INTEGER,
    deleted_by    TEXT NOT NULL DEFAULT '',
    delete_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachments_ticket ON attachments(ticket_id, id);
CREATE INDEX attachments_blob ON attachments(blob_id);

CREATE TABLE attachment_downloads (
    id            INTEGER PRIMARY KEY,
    attachment_id INTEGER NOT NULL REFERENCES attachments(id),
    actor_type    TEXT NOT NULL,
    actor_id      INTEGER NOT NULL,
    actor_name    TEXT NOT NULL,
    preview       INTEGER NOT NULL DEFAULT 0,
    at            INTEGER NOT NULL
);
CREATE INDEX attachment_downloads_attachment ON attachment_downloads(attachment_id, id);
