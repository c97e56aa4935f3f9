-- Staff sign-in for the browser workspace: the second factor (TOTP) and lockout state of each member,
-- browser sessions, one-time recovery codes, and the log of personal data revealed to staff.

ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';      -- base32; '' until enrolment is confirmed
ALTER TABLE users ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;  -- 30-second step of the last accepted code (no replay)
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;   -- consecutive failures, reset by a success or a lock
ALTER TABLE users ADD COLUMN locked_until INTEGER;

-- A session is known by the SHA-256 of its secret; the secret itself lives only in the browser.
CREATE TABLE staff_sessions (
    hash         BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    pending      INTEGER NOT NULL DEFAULT 0,   -- password passed, second factor still to come
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,             -- absolute end, however active
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    revoked_at   INTEGER
);
CREATE INDEX staff_sessions_user ON staff_sessions(user_id);

CREATE TABLE recovery_codes (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    hash    BLOB NOT NULL UNIQUE,              -- SHA-256 of the code (80 random bits)
    used_at INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

CREATE TABLE pd_reveals (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    field     TEXT NOT NULL,                   -- such as "requester.snils"
    at        INTEGER NOT NULL
);
CREATE INDEX pd_reveals_user ON pd_reveals(user_id, id);
CREATE INDEX pd_reveals_ticket ON pd_reveals(ticket_id, id);
