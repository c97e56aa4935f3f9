package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

func scanMail(sc scanner) (*otklik.MailRecord, error) {
	m := &otklik.MailRecord{}
	var ticket, row sql.NullInt64
	var created, updated dbTime
	var phishing int
	err := sc.Scan(&m.ID, &m.Direction, &m.MessageID, &m.ContentSHA256, &ticket, &row, &m.From, &m.To, &m.Subject,
		&m.Kind, &m.Status, &m.Auth, &phishing, &m.Raw, &m.Error, &created, &updated)
	m.TicketID, m.MessageRowID, m.Phishing = ticket.Int64, row.Int64, phishing != 0
	m.CreatedAt, m.UpdatedAt = created.T, updated.T
	return m, err
}

// InsertMail stores an e-mail record.
func (t *txn) InsertMail(ctx context.Context, m *otklik.MailRecord) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now
	}
	m.UpdatedAt = t.now
	var err error
	m.ID, err = t.insertID(ctx, t.s.q.InsertMail, string(m.Direction), m.MessageID, m.ContentSHA256, nullID(m.TicketID),
		nullID(m.MessageRowID), m.From, m.To, m.Subject, string(m.Kind), m.Status, m.Auth, boolInt(m.Phishing), m.Raw,
		m.Error, t.s.tv(m.CreatedAt), t.s.tv(m.UpdatedAt))
	return translate(err)
}

func (t *txn) oneMail(ctx context.Context, where string, args ...any) (*otklik.MailRecord, error) {
	m, err := scanMail(t.ex.queryRow(ctx, t.s.q.MailColumns+" WHERE "+where, args...))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("mail.not_found")
	}
	return m, translate(err)
}

// MailByMessageID finds the newest record with a Message-ID that belongs to a ticket.
func (t *txn) MailByMessageID(ctx context.Context, messageID string) (*otklik.MailRecord, error) {
	return t.oneMail(ctx, "message_id = ? AND ticket_id IS NOT NULL ORDER BY id DESC LIMIT 1", messageID)
}

// MailSeen finds an inbound record by Message-ID and content hash.
func (t *txn) MailSeen(ctx context.Context, messageID string, sha []byte) (*otklik.MailRecord, error) {
	return t.oneMail(ctx, "direction = 'in' AND message_id = ? AND content_sha256 = ?", messageID, sha)
}

// MailByID returns one record.
func (t *txn) MailByID(ctx context.Context, id int64) (*otklik.MailRecord, error) {
	return t.oneMail(ctx, "id = ?", id)
}

// SetMailStatus records an outbound message's status.
func (t *txn) SetMailStatus(ctx context.Context, id int64, status, errText string) error {
	_, err := t.ex.exec(ctx, t.s.q.SetMailStatus, status, errText, t.s.tv(t.now), id)
	return translate(err)
}

// CountMailTo counts outbound mail of some kinds to an address since a time.
func (t *txn) CountMailTo(ctx context.Context, to string, kinds []otklik.MailKind, since time.Time) (int64, error) {
	q := "SELECT COUNT(*) FROM mail WHERE direction = 'out' AND rcpt = ? AND created_at >= ?"
	args := []any{to, t.s.tv(since)}
	if len(kinds) > 0 {
		q += " AND kind IN (" + placeholders(len(kinds)) + ")"
		for _, k := range kinds {
			args = append(args, string(k))
		}
	}
	var n int64
	err := t.ex.queryRow(ctx, q, args...).Scan(&n)
	return n, translate(err)
}

// LinkTickets links two tickets.
func (t *txn) LinkTickets(ctx context.Context, ticketID, linkedID int64, kind string) error {
	_, err := t.ex.exec(ctx, t.s.q.InsertLink, ticketID, linkedID, kind, t.s.tv(t.now))
	return translate(err)
}

// HeldMail returns outbound mail waiting for a relay.
func (t *txn) HeldMail(ctx context.Context, limit int) ([]*otklik.MailRecord, error) {
	rows, err := t.ex.query(ctx, t.s.q.MailColumns+" WHERE direction = 'out' AND status = 'held' ORDER BY id LIMIT ?", limit)
	return scanMails(rows, err)
}

func scanMails(rows *sql.Rows, err error) ([]*otklik.MailRecord, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.MailRecord
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

// Mails lists mail for administrators, newest first. Raw content is not read.
func (s *Store) Mails(ctx context.Context, f otklik.MailFilter) ([]*otklik.MailRecord, error) {
	q := strings.Replace(s.q.MailColumns, "raw,", "NULL,", 1) + " WHERE 1=1"
	var args []any
	if f.Direction != "" {
		q += " AND direction = ?"
		args = append(args, string(f.Direction))
	}
	if len(f.Statuses) > 0 {
		q += " AND status IN (" + placeholders(len(f.Statuses)) + ")"
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.TicketID != 0 {
		q += " AND ticket_id = ?"
		args = append(args, f.TicketID)
	}
	if f.AfterID > 0 {
		q += " AND id < ?"
		args = append(args, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.read.QueryContext(ctx, s.rebind(q), args...)
	return scanMails(rows, err)
}

// Links returns a ticket's links in both directions, oldest first.
func (s *Store) Links(ctx context.Context, ticketID int64) ([]otklik.Link, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.Links), ticketID, ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.Link
	for rows.Next() {
		var l otklik.Link
		var created dbTime
		if err := rows.Scan(&l.Kind, &l.Number, &l.Subject, &l.Status, &created); err != nil {
			return nil, translate(err)
		}
		l.Created = created.T
		out = append(out, l)
	}
	return out, translate(rows.Err())
}
