-- Citizen sign-in on the portal (PRODUCT.md F26), apart from the staff's: one-time codes by e-mail,
-- kept per address only as hashes, with the count of wrong codes that locks the address for a while;
-- and citizens' browser sessions, known by the SHA-256 of their secret.
CREATE TABLE citizen_codes (
    address      TEXT PRIMARY KEY,             -- e-mail, lower case
    code_hash    BLOB,                         -- SHA-256 of the waiting code bound to its purpose; NULL: none waits
    expires_at   INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,   -- wrong codes in a row
    locked_until INTEGER,
    sent_at      INTEGER NOT NULL
);

CREATE TABLE citizen_sessions (
    hash         BLOB PRIMARY KEY,
    email        TEXT NOT NULL,                -- the verified address, lower case
    via          TEXT NOT NULL,                -- code or oidc
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,             -- absolute end, however active
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    revoked_at   INTEGER
);
CREATE INDEX citizen_sessions_email ON citizen_sessions(email);
