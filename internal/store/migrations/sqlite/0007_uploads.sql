-- Resumable uploads: a file sent in parts, each part sealed in the blob store as it comes; when the
-- last has come the parts become one attachment and these rows go.

CREATE TABLE uploads (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size > 0),
    received    INTEGER NOT NULL DEFAULT 0 CHECK (received BETWEEN 0 AND size),
    channel     TEXT NOT NULL,
    owner_type  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    owner_name  TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX uploads_expires ON uploads(expires_at);

CREATE TABLE upload_parts (
    upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    start     INTEGER NOT NULL,
    size      INTEGER NOT NULL CHECK (size > 0),
    object    TEXT NOT NULL UNIQUE,
    PRIMARY KEY (upload_id, start)
);
