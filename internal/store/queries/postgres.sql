-- Named queries only the PostgreSQL engine has (see common.sql).

-- name: index-insert
INSERT INTO ticket_search (ticket_id, doc) VALUES (?, to_tsvector('simple', ?))

-- name: index-append
UPDATE ticket_search SET doc = doc || to_tsvector('simple', ?) WHERE ticket_id = ?

-- name: claim-jobs
UPDATE jobs SET status = 'running', locked_by = ?, attempts = attempts + 1, run_at = ?, updated_at = ?
 WHERE id IN (SELECT id FROM jobs WHERE status IN ('queued', 'running') AND run_at <= ?
               ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED)
RETURNING id, kind, payload, status, attempts, max_attempts, run_at, locked_by, last_error, created_at, updated_at

-- name: register-ticket
WITH t AS (
    INSERT INTO tickets (number, channel, category_id, priority, status, subject, requester_id, assignee_id,
                         group_id, created_at, updated_at, first_response_due_at, due_at, first_response_at,
                         resolved_at, closed_at, version, journal_seq, journal_head, appeal, sla_policy,
                         sla_paused_at, sla_flags, legal_due_at, sla_extensions, sla_paused_secs)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    RETURNING id
), m AS (
    INSERT INTO messages (ticket_id, author_type, author_id, author_name, channel, internal, body, visible, created_at)
    SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM t
    RETURNING id
), j AS (
    INSERT INTO journal (ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before,
                         after, reason, prev_hash, hash)
    SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM t
    RETURNING id
), s AS (
    INSERT INTO ticket_search (ticket_id, doc) SELECT id, to_tsvector('simple', ?::text) FROM t
), k AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, ticket_id, created_at)
    SELECT * FROM (SELECT ?::text AS scope, ?::text AS key, ?::bytea AS h, t.id, ?::timestamptz AS at FROM t) x
     WHERE x.scope IS NOT NULL
), n AS (
    INSERT INTO sla_timers (ticket_id, next_at)
    SELECT * FROM (SELECT t.id, ?::timestamptz AS next_at FROM t) x WHERE x.next_at IS NOT NULL
)
SELECT (SELECT id FROM t), (SELECT id FROM m), (SELECT id FROM j)

-- name: requester-by-email-or-add
-- The requester with the e-mail (the first parameter), or else a new one with the other six values,
-- and whether it was added. When another transaction adds the same e-mail meanwhile, the insert waits
-- for it and adds nothing, and no row comes back: the caller then reads the requester it added.
WITH f AS (
    SELECT id, name, email, phone, snils, inn, created_at FROM requesters WHERE email = ?::text
), a AS (
    INSERT INTO requesters (name, email, phone, snils, inn, created_at)
    SELECT ?::text, ?::text, ?::text, ?::text, ?::text, ?::timestamptz WHERE NOT EXISTS (SELECT FROM f)
    ON CONFLICT (email) DO NOTHING
    RETURNING id, name, email, phone, snils, inn, created_at
)
SELECT *, false FROM f UNION ALL SELECT *, true FROM a

-- name: staff-auth
SELECT id, totp_secret, totp_enabled_at, totp_last_step, failed_logins, locked_until FROM users WHERE id = ? FOR UPDATE

-- name: citizen-code
SELECT address, code_hash, expires_at, failures, locked_until, sent_at FROM citizen_codes WHERE address = ? FOR UPDATE

-- name: store-recomputed
-- Recomputed tickets and their journal records, a batch in one statement: the first twelve parameters
-- are arrays, an element a ticket; then what every record shares (time, actor, kind, reason, pass), once;
-- then arrays again, an element a record. A ticket whose version is no longer the one it was read at is
-- left alone, and so are its records; the statement returns the IDs of the tickets it updated. Timers
-- move only earlier, as SQLite's (recomputedTimersSQL): one that would move later fires at its old time for
-- nothing and is set right then. A timer that exists is updated in place: an INSERT … ON CONFLICT would
-- first lock it, a WAL record a ticket. Each updated ticket's timer is looked up once (w), and only the
-- timers that move earlier, the missing and the ones to remove are touched after: when a holiday is added
-- none moves, and the update and the insert each probed every ticket's timer (a million look-ups a pass
-- fewer; docs/PERFORMANCE.md). The update checks the timer again as it finds it, as before. (The ON
-- CONFLICT left on the insert of missing timers is a guard: the ticket's row lock and version check keep
-- any other transaction from adding one meanwhile.) The arrays are unnested in the select list, in step:
-- `FROM unnest(a, b, …)` first materializes each array into a tuplestore of its own, and for a batch of
-- 1,000 tickets that took 1.1–2.8 ms of the backend's time for the tickets' twelve arrays and 1.2–2.1 ms
-- for the records' seven, against 0.21–0.28 and 0.14–0.23 ms in step (docs/PERFORMANCE.md, the
-- eighteenth machine). Both forms pad shorter arrays with NULLs.
WITH v AS (
    SELECT unnest(?::bigint[]) AS id, unnest(?::bigint[]) AS prev, unnest(?::timestamptz[]) AS fr,
           unnest(?::timestamptz[]) AS due, unnest(?::text[]) AS pol, unnest(?::timestamptz[]) AS nxt,
           unnest(?::integer[]) AS flags, unnest(?::timestamptz[]) AS legal, unnest(?::bigint[]) AS ver,
           unnest(?::timestamptz[]) AS upd, unnest(?::bigint[]) AS seq, unnest(?::bytea[]) AS head
), u AS (
    UPDATE tickets AS t SET first_response_due_at = v.fr, due_at = v.due, sla_policy = v.pol,
           sla_flags = v.flags, legal_due_at = v.legal, version = v.ver, updated_at = v.upd, journal_seq = v.seq,
           journal_head = v.head
      FROM v WHERE t.id = v.id AND t.version = v.prev
    RETURNING t.id, v.nxt
), w AS (
    SELECT u.id, u.nxt, s.next_at AS was FROM u LEFT JOIN sla_timers s ON s.ticket_id = u.id
), m AS (
    UPDATE sla_timers AS s SET next_at = w.nxt FROM w WHERE s.ticket_id = w.id AND w.nxt < w.was AND w.nxt < s.next_at
), n AS (
    INSERT INTO sla_timers (ticket_id, next_at)
    SELECT id, nxt FROM w WHERE nxt IS NOT NULL AND was IS NULL
    ON CONFLICT (ticket_id) DO UPDATE SET next_at = excluded.next_at
), d AS (
    DELETE FROM sla_timers WHERE ticket_id IN (SELECT id FROM w WHERE nxt IS NULL AND was IS NOT NULL)
), j AS (
    INSERT INTO journal (ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before,
                         after, reason, pass, prev_hash, hash)
    SELECT r.ticket_id, r.seq, ?::timestamptz, ?::text, ?::bigint, ?::text, ?::text, ?::text, r.field, r.before,
           r.after, ?::text, ?::bigint, r.prev_hash, r.hash
      FROM (SELECT unnest(?::bigint[]) AS ticket_id, unnest(?::bigint[]) AS seq, unnest(?::text[]) AS field,
                   unnest(?::text[]) AS before, unnest(?::text[]) AS after, unnest(?::bytea[]) AS prev_hash,
                   unnest(?::bytea[]) AS hash) AS r
     WHERE r.ticket_id IN (SELECT id FROM u)
)
SELECT id FROM u

-- name: admin-journal-head
SELECT seq, hash FROM admin_journal_head WHERE id = 1 FOR UPDATE
