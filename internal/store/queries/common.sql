-- Named queries shared by every engine. Each starts with "-- name: NAME"; store/queries.go binds
-- them, with those of queries/<engine>.sql, to the fields of the queries struct by name, so a missing
-- or unused query fails at start-up. Placeholders are "?"; the store renumbers them for PostgreSQL.

-- name: ticket-columns
SELECT t.id, t.number, t.channel, t.category_id, c.code, c.name, t.priority, t.status, t.subject,
       t.requester_id, r.name, r.email, r.phone, r.snils, r.inn, r.created_at,
       t.assignee_id, u.name, t.group_id, g.code, g.name,
       t.created_at, t.updated_at, t.first_response_due_at, t.due_at, t.first_response_at,
       t.resolved_at, t.closed_at, t.version, t.journal_seq, t.journal_head,
       t.appeal, t.sla_policy, t.sla_paused_at, tm.next_at, t.sla_flags, t.legal_due_at, t.sla_extensions,
       t.sla_paused_secs

-- name: ticket-joins
  JOIN categories c ON c.id = t.category_id
  JOIN requesters r ON r.id = t.requester_id
  LEFT JOIN users u ON u.id = t.assignee_id
  LEFT JOIN groups g ON g.id = t.group_id
  LEFT JOIN sla_timers tm ON tm.ticket_id = t.id

-- name: insert-ticket
INSERT INTO tickets (number, channel, category_id, priority, status, subject, requester_id, assignee_id,
                     group_id, created_at, updated_at, first_response_due_at, due_at, first_response_at,
                     resolved_at, closed_at, version, journal_seq, journal_head, appeal, sla_policy,
                     sla_paused_at, sla_flags, legal_due_at, sla_extensions, sla_paused_secs)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: update-ticket
UPDATE tickets
   SET channel = ?, category_id = ?, priority = ?, status = ?, subject = ?, assignee_id = ?, group_id = ?,
       updated_at = ?, first_response_due_at = ?, due_at = ?, first_response_at = ?, resolved_at = ?,
       closed_at = ?, version = ?, journal_seq = ?, journal_head = ?, appeal = ?, sla_policy = ?,
       sla_paused_at = ?, sla_flags = ?, legal_due_at = ?, sla_extensions = ?, sla_paused_secs = ?
 WHERE id = ? AND version = ?

-- name: insert-message
INSERT INTO messages (ticket_id, author_type, author_id, author_name, channel, internal, body, visible, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: messages
SELECT id, ticket_id, author_type, author_id, author_name, channel, internal, body, visible, created_at
  FROM messages WHERE ticket_id = ? ORDER BY id

-- name: message-bodies
SELECT ticket_id, id, body FROM messages WHERE ticket_id > ? AND ticket_id <= ? ORDER BY ticket_id, id

-- name: insert-journal
INSERT INTO journal (ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before,
                     after, reason, prev_hash, hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: journal-passes
-- The journal is indexed by (pass, ticket_id) (migration 0020): passes steps through the index from one
-- pass to the next (0, records written on their own, first). journal and walk-journal follow it
-- (queries.journal, queries.walkJournal) and read the tickets' records from each pass.
WITH RECURSIVE passes(pass) AS (
    SELECT min(pass) FROM journal
     UNION ALL
    SELECT (SELECT min(pass) FROM journal WHERE pass > passes.pass) FROM passes WHERE passes.pass IS NOT NULL
)

-- name: journal
-- A record of a pass with neither actor name nor reason of its own has its pass's (migration 0021).
SELECT j.id, j.ticket_id, t.number, j.seq, j.at, j.actor_type, j.actor_id, COALESCE(jp.actor_name, j.actor_name),
       j.channel, j.kind, j.field, j.before, j.after, COALESCE(jp.reason, j.reason), j.prev_hash, j.hash
  FROM passes p JOIN journal j ON j.pass = p.pass AND j.ticket_id = ? JOIN tickets t ON t.id = j.ticket_id
  LEFT JOIN journal_passes jp ON jp.pass = j.pass AND j.actor_name = '' AND j.reason = ''
 ORDER BY j.seq

-- name: walk-journal
-- The tickets' records are read from each pass's part of the journal's index, as in journal. The
-- tickets' range is repeated in the join so that PostgreSQL reads only those tickets instead of hashing
-- the whole table for each round. A record's pass gives it its text as in journal.
SELECT j.id, j.ticket_id, COALESCE(t.number, ''), j.seq, j.at, j.actor_type, j.actor_id,
       COALESCE(jp.actor_name, j.actor_name), j.channel, j.kind, j.field, j.before, j.after,
       COALESCE(jp.reason, j.reason), j.prev_hash, j.hash
  FROM passes p JOIN journal j ON j.pass = p.pass AND j.ticket_id > ? AND j.ticket_id <= ?
  LEFT JOIN tickets t ON t.id = j.ticket_id AND t.id > ? AND t.id <= ?
  LEFT JOIN journal_passes jp ON jp.pass = j.pass AND j.actor_name = '' AND j.reason = ''
 ORDER BY j.ticket_id, j.seq

-- name: journal-heads
SELECT id, number, journal_seq, journal_head FROM tickets WHERE id > ? ORDER BY id LIMIT ?

-- name: idempotency-get
SELECT t.number, k.request_hash FROM idempotency_keys k JOIN tickets t ON t.id = k.ticket_id
 WHERE k.scope = ? AND k.key = ?

-- name: idempotency-save
INSERT INTO idempotency_keys (scope, key, request_hash, ticket_id, created_at) VALUES (?, ?, ?, ?, ?)

-- name: requester-by-email
SELECT id, name, email, phone, snils, inn, created_at FROM requesters WHERE email = ?

-- name: requester-by-phone
SELECT id, name, email, phone, snils, inn, created_at FROM requesters WHERE phone = ? ORDER BY id LIMIT 1

-- name: requester-by-snils
SELECT id, name, email, phone, snils, inn, created_at FROM requesters WHERE snils = ? ORDER BY id LIMIT 1

-- name: insert-requester
INSERT INTO requesters (name, email, phone, snils, inn, created_at) VALUES (?, ?, ?, ?, ?, ?)

-- name: update-requester
UPDATE requesters SET name = ?, email = ?, phone = ?, snils = ?, inn = ? WHERE id = ?

-- name: insert-user
INSERT INTO users (email, name, role, group_id, password_hash, disabled, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)

-- name: update-user
UPDATE users SET email = ?, name = ?, role = ?, group_id = ?, password_hash = ?, disabled = ? WHERE id = ?

-- name: user-select
SELECT id, email, name, role, group_id, password_hash, disabled, created_at FROM users

-- name: user-by-token
SELECT u.id, u.email, u.name, u.role, u.group_id, u.password_hash, u.disabled, u.created_at
  FROM api_tokens k JOIN users u ON u.id = k.user_id
 WHERE k.hash = ? AND u.disabled = 0

-- name: insert-token
INSERT INTO api_tokens (user_id, name, hash, created_at) VALUES (?, ?, ?, ?)

-- name: insert-group
INSERT INTO groups (code, name) VALUES (?, ?)

-- name: groups
SELECT id, code, name FROM groups ORDER BY id

-- name: group-by-code
SELECT id, code, name FROM groups WHERE code = ?

-- name: insert-category
INSERT INTO categories (code, name, parent_id, group_id, position) VALUES (?, ?, ?, ?, ?)

-- name: categories
SELECT id, code, name, parent_id, group_id, position FROM categories ORDER BY position, id

-- name: count-tickets
SELECT COUNT(*) FROM tickets

-- name: insert-job
INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, locked_by, last_error, created_at, updated_at)
VALUES (?, ?, 'queued', 0, ?, ?, '', '', ?, ?)

-- name: finish-job
UPDATE jobs SET status = ?, run_at = ?, locked_by = ?, last_error = ?, updated_at = ?
 WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?

-- name: retry-job
UPDATE jobs SET status = 'queued', run_at = ?, attempts = 0, updated_at = ? WHERE id = ? AND status = 'failed'

-- name: release-claims
UPDATE jobs SET status = 'queued', run_at = ?, locked_by = '', updated_at = ?
 WHERE status = 'running' AND (? = '' OR locked_by = ?)

-- name: purge-jobs
DELETE FROM jobs WHERE status = 'done' AND updated_at < ?

-- name: job-columns
SELECT id, kind, payload, status, attempts, max_attempts, run_at, locked_by, last_error, created_at, updated_at FROM jobs

-- name: job-counts
SELECT status, COUNT(*) FROM jobs GROUP BY status

-- name: mail-columns
SELECT id, direction, message_id, content_sha256, ticket_id, message_row_id, mail_from, rcpt, subject, kind,
       status, auth, phishing, raw, error, created_at, updated_at
  FROM mail

-- name: insert-mail
INSERT INTO mail (direction, message_id, content_sha256, ticket_id, message_row_id, mail_from, rcpt, subject, kind,
                  status, auth, phishing, raw, error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: set-mail-status
UPDATE mail SET status = ?, error = ?, updated_at = ? WHERE id = ?

-- name: insert-link
INSERT INTO ticket_links (ticket_id, linked_id, kind, created_at) VALUES (?, ?, ?, ?)

-- name: links
SELECT l.kind, t.number, t.subject, t.status, t.created_at FROM ticket_links l JOIN tickets t ON t.id = l.linked_id
 WHERE l.ticket_id = ?
UNION ALL
SELECT 'repeated_by', t.number, t.subject, t.status, t.created_at FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
 WHERE l.linked_id = ? AND l.kind = 'repeat_of'
 ORDER BY 5

-- name: blob-columns
SELECT id, sha256, size, object, key_id, wrapped_key, content_type, scan, signature, scanned_at, deleted_at, created_at
  FROM blobs

-- name: insert-blob
INSERT INTO blobs (sha256, size, object, key_id, wrapped_key, content_type, scan, signature, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: attachment-columns
SELECT a.id, a.ticket_id, a.message_id, a.name, a.safe_name, a.channel, a.uploader_type, a.uploader_id, a.uploader_name,
       a.created_at, a.deleted_at, a.deleted_by, a.delete_reason,
       b.id, b.sha256, b.size, b.object, b.key_id, b.wrapped_key, b.content_type, b.scan, b.signature, b.scanned_at,
       b.deleted_at, b.created_at
  FROM attachments a JOIN blobs b ON b.id = a.blob_id

-- name: insert-attachment
INSERT INTO attachments (ticket_id, message_id, blob_id, name, safe_name, channel, uploader_type, uploader_id,
                         uploader_name, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert-download
INSERT INTO attachment_downloads (attachment_id, actor_type, actor_id, actor_name, preview, at) VALUES (?, ?, ?, ?, ?, ?)

-- name: set-staff-auth
UPDATE users SET totp_secret = ?, totp_enabled_at = ?, totp_last_step = ?, failed_logins = ?, locked_until = ?
 WHERE id = ?

-- name: insert-session
INSERT INTO staff_sessions (hash, user_id, pending, created_at, last_seen_at, expires_at, ip, user_agent)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: session-by-hash
SELECT s.hash, s.user_id, s.pending, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent, s.revoked_at,
       u.id, u.email, u.name, u.role, u.group_id, u.password_hash, u.disabled, u.created_at
  FROM staff_sessions s JOIN users u ON u.id = s.user_id
 WHERE s.hash = ?

-- name: touch-session
UPDATE staff_sessions SET last_seen_at = ? WHERE hash = ? AND revoked_at IS NULL

-- name: revoke-session
UPDATE staff_sessions SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL

-- name: revoke-user-sessions
UPDATE staff_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?

-- name: delete-recovery-codes
DELETE FROM recovery_codes WHERE user_id = ?

-- name: insert-recovery-code
INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)

-- name: use-recovery-code
UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL

-- name: insert-reveal
INSERT INTO pd_reveals (user_id, ticket_id, field, at) VALUES (?, ?, ?, ?)

-- name: reveal-columns
SELECT id, user_id, ticket_id, field, at FROM pd_reveals

-- name: response-templates
SELECT id, code, title, body, position FROM response_templates ORDER BY position, id

-- name: insert-response-template
INSERT INTO response_templates (code, title, body, position) VALUES (?, ?, ?, ?)

-- name: update-response-template
UPDATE response_templates SET code = ?, title = ?, body = ?, position = ? WHERE id = ?

-- name: delete-response-template
DELETE FROM response_templates WHERE id = ?

-- name: staff-auths
SELECT id, totp_secret, totp_enabled_at, totp_last_step, failed_logins, locked_until FROM users ORDER BY id

-- name: set-citizen-code
INSERT INTO citizen_codes (address, code_hash, expires_at, failures, locked_until, sent_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (address) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
       failures = excluded.failures, locked_until = excluded.locked_until, sent_at = excluded.sent_at

-- name: insert-citizen-session
INSERT INTO citizen_sessions (hash, email, via, created_at, last_seen_at, expires_at, ip, user_agent)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: citizen-session-by-hash
SELECT hash, email, via, created_at, last_seen_at, expires_at, ip, user_agent, revoked_at
  FROM citizen_sessions WHERE hash = ?

-- name: touch-citizen-session
UPDATE citizen_sessions SET last_seen_at = ? WHERE hash = ? AND revoked_at IS NULL

-- name: revoke-citizen-session
UPDATE citizen_sessions SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL
