-- Citizen sign-in on the portal, as in migrations/sqlite/0013_citizen_auth.sql: one-time codes kept per
-- address only as hashes, with the lockout count, and citizens' browser sessions.
CREATE TABLE citizen_codes (
    address      text PRIMARY KEY,             -- e-mail, lower case
    code_hash    bytea,                        -- SHA-256 of the waiting code bound to its purpose; NULL: none waits
    expires_at   timestamptz NOT NULL,
    failures     integer NOT NULL DEFAULT 0,   -- wrong codes in a row
    locked_until timestamptz,
    sent_at      timestamptz NOT NULL
);

CREATE TABLE citizen_sessions (
    hash         bytea PRIMARY KEY,
    email        text NOT NULL,                -- the verified address, lower case
    via          text NOT NULL,                -- code or oidc
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,         -- absolute end, however active
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    revoked_at   timestamptz
);
CREATE INDEX citizen_sessions_email ON citizen_sessions(email);
