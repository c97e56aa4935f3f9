-- Named queries only the SQLite engine has (see common.sql).

-- name: sequence-get
SELECT next FROM ticket_sequences WHERE year = ?

-- name: sequence-set
UPDATE ticket_sequences SET next = ? WHERE year = ?

-- name: sequence-init
INSERT INTO ticket_sequences (year, next) VALUES (?, ?)
RETURNING next

-- name: index-insert
INSERT INTO ticket_search (rowid, stems) VALUES (?, ?)

-- name: index-append
UPDATE ticket_search SET stems = stems || ' ' || ? WHERE rowid = ?

-- name: claim-jobs
UPDATE jobs SET status = 'running', locked_by = ?, attempts = attempts + 1, run_at = ?, updated_at = ?
 WHERE id IN (SELECT id FROM jobs WHERE status IN ('queued', 'running') AND run_at <= ? ORDER BY run_at LIMIT ?)
RETURNING id, kind, payload, status, attempts, max_attempts, run_at, locked_by, last_error, created_at, updated_at

-- name: staff-auth
SELECT id, totp_secret, totp_enabled_at, totp_last_step, failed_logins, locked_until FROM users WHERE id = ?

-- name: citizen-code
SELECT address, code_hash, expires_at, failures, locked_until, sent_at FROM citizen_codes WHERE address = ?

-- name: admin-journal-head
SELECT seq, hash FROM admin_journal_head WHERE id = 1
