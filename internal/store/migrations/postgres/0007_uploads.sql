-- Resumable uploads, as in migrations/sqlite/0007_uploads.sql: a file sent in parts, each part sealed
-- in the blob store as it comes; when the last has come the parts become one attachment and these rows go.

CREATE TABLE uploads (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    size        bigint NOT NULL CHECK (size > 0),
    received    bigint NOT NULL DEFAULT 0 CHECK (received BETWEEN 0 AND size),
    channel     text NOT NULL,
    owner_type  text NOT NULL,
    owner_id    bigint NOT NULL,
    owner_name  text NOT NULL,
    key_id      text NOT NULL,
    wrapped_key bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX uploads_expires ON uploads(expires_at);

CREATE TABLE upload_parts (
    upload_id text NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    start     bigint NOT NULL,
    size      bigint NOT NULL CHECK (size > 0),
    object    text NOT NULL UNIQUE,
    PRIMARY KEY (upload_id, start)
);
