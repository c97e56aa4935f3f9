package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

func scanTicket(sc scanner) (*otklik.Ticket, error) {
	t := &otklik.Ticket{Category: &otklik.CategoryRef{}, Requester: &otklik.Requester{}}
	var (
		reqEmail, reqPhone, reqSNILS, reqINN sql.NullString
		reqCreated                           dbTime
		assigneeID, groupID                  sql.NullInt64
		assigneeName, groupCode, groupName   sql.NullString
		created, updated, frDue, due, frAt   dbTime
		resolved, closed                     dbTime
		appeal                               int
		pausedSecs                           int64
		paused, next, legal                  dbTime
	)
	err := sc.Scan(&t.ID, &t.Number, &t.Channel, &t.Category.ID, &t.Category.Code, &t.Category.Name,
		&t.Priority, &t.Status, &t.Subject,
		&t.Requester.ID, &t.Requester.Name, &reqEmail, &reqPhone, &reqSNILS, &reqINN, &reqCreated,
		&assigneeID, &assigneeName, &groupID, &groupCode, &groupName,
		&created, &updated, &frDue, &due, &frAt, &resolved, &closed,
		&t.Version, &t.JournalSeq, &t.JournalHead,
		&appeal, &t.SLA.Policy, &paused, &next, &t.SLA.Flags, &legal, &t.SLA.Extensions, &pausedSecs)
	if err != nil {
		return nil, err
	}
	t.SLA.Appeal, t.SLA.PausedAt, t.SLA.NextAt, t.SLA.LegalDueAt = appeal != 0, paused.ptr(), next.ptr(), legal.ptr()
	t.SLA.Paused = time.Duration(pausedSecs) * time.Second
	t.Requester.Email, t.Requester.Phone = reqEmail.String, reqPhone.String
	t.Requester.SNILS, t.Requester.INN = reqSNILS.String, reqINN.String
	t.Requester.CreatedAt = reqCreated.T
	if assigneeID.Valid {
		t.Assignee = &otklik.UserRef{ID: assigneeID.Int64, Name: assigneeName.String}
	}
	if groupID.Valid {
		t.Group = &otklik.GroupRef{ID: groupID.Int64, Code: groupCode.String, Name: groupName.String}
	}
	t.CreatedAt, t.UpdatedAt = created.T, updated.T
	t.FirstResponseDueAt, t.DueAt, t.FirstResponseAt = frDue.ptr(), due.ptr(), frAt.ptr()
	t.ResolvedAt, t.ClosedAt = resolved.ptr(), closed.ptr()
	return t, nil
}

func (s *Store) ticketByNumberQuery() string {
	return s.q.TicketColumns + "\n  FROM tickets t\n" + s.q.TicketJoins + "\n WHERE t.number = ?"
}

// TicketByNumber returns a ticket or ENOTFOUND.
func (s *Store) TicketByNumber(ctx context.Context, number string) (*otklik.Ticket, error) {
	t, err := scanTicket(s.read.QueryRowContext(ctx, s.rebind(s.ticketByNumberQuery()), number))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("ticket.not_found")
	}
	return t, translate(err)
}

// ftsQuery builds a full-text expression requiring every term, quoted so that input cannot inject
// query syntax: an FTS5 MATCH expression on SQLite, a tsquery (to_tsquery('simple', …)) on PostgreSQL.
func (s *Store) ftsQuery(terms []string) string {
	if s.engine != "postgres" {
		return ftsQuery(terms)
	}
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteByte('\'')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t))
		b.WriteByte('\'')
	}
	return b.String()
}

// ftsQuery builds an FTS5 expression requiring every term; each is quoted, so input cannot inject
// FTS5 syntax.
func ftsQuery(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// TicketNumberByID returns a ticket's number.
func (s *Store) TicketNumberByID(ctx context.Context, id int64) (string, error) {
	var n string
	err := s.read.QueryRowContext(ctx, s.rebind("SELECT number FROM tickets WHERE id = ?"), id).Scan(&n)
	if err == sql.ErrNoRows {
		return "", otklik.NotFound("ticket.not_found")
	}
	return n, translate(err)
}

// CountTickets counts every ticket.
func (s *Store) CountTickets(ctx context.Context) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, s.q.CountTickets).Scan(&n)
	return n, translate(err)
}

// Messages returns a ticket's messages, oldest first.
func (s *Store) Messages(ctx context.Context, ticketID int64) ([]*otklik.Message, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.Messages), ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Message
	for rows.Next() {
		m := &otklik.Message{}
		var internal bool
		var created dbTime
		if err := rows.Scan(&m.ID, &m.TicketID, &m.Author.Type, &m.Author.ID, &m.Author.Name, &m.Author.Channel,
			&internal, &m.Body, &m.Visible, &created); err != nil {
			return nil, translate(err)
		}
		m.Internal, m.CreatedAt = internal, created.T
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

// MessageHashes streams the SHA-256 of the stored message bodies of a range of tickets.
func (s *Store) MessageHashes(ctx context.Context, afterTicket, lastTicket int64, fn func(ticketID, id int64, sum []byte) error) error {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.MessageBodies), afterTicket, lastTicket)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	var body sql.RawBytes
	for rows.Next() {
		var ticketID, id int64
		if err := rows.Scan(&ticketID, &id, &body); err != nil {
			return translate(err)
		}
		sum := sha256.Sum256(body)
		if err := fn(ticketID, id, sum[:]); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// NextTicketSequence returns the year's next ticket sequence number. The row keeps the last number
// issued. It is read and then written, not upserted: an upsert needs a statement journal, and opening
// one makes FTS5 flush the search entries pending in the transaction, one segment per ticket instead
// of one per group commit. The single writer (holding the write lock from BEGIN IMMEDIATE) makes the
// read and the write one step.
func (t *txn) NextTicketSequence(ctx context.Context, year int) (int64, error) {
	if t.s.engine == "postgres" {
		n, err := t.pgSequence(ctx, year)
		return n, translate(err)
	}
	var last int64
	err := t.ex.queryRow(ctx, t.s.q.SequenceGet, year).Scan(&last)
	if err == sql.ErrNoRows {
		_, err = t.ex.exec(ctx, t.s.q.SequenceInit, year, otklik.FirstSequence)
		return otklik.FirstSequence, translate(err)
	}
	if err != nil {
		return 0, translate(err)
	}
	_, err = t.ex.exec(ctx, t.s.q.SequenceSet, last+1, year)
	return last + 1, translate(err)
}

// scanTickets reads a query's tickets (ticket-columns).
func scanTickets(rows *sql.Rows, err error) ([]*otklik.Ticket, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Ticket
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, tk)
	}
	return out, translate(rows.Err())
}

// ticketArgs are the values of insert-ticket, in order.
func (s *Store) ticketArgs(tk *otklik.Ticket) []any {
	var assignee, group int64
	if tk.Assignee != nil {
		assignee = tk.Assignee.ID
	}
	if tk.Group != nil {
		group = tk.Group.ID
	}
	return []any{tk.Number, string(tk.Channel), tk.Category.ID, string(tk.Priority), string(tk.Status), tk.Subject,
		tk.Requester.ID, nullID(assignee), nullID(group), s.tv(tk.CreatedAt), s.tv(tk.UpdatedAt),
		s.tvp(tk.FirstResponseDueAt), s.tvp(tk.DueAt), s.tvp(tk.FirstResponseAt), s.tvp(tk.ResolvedAt),
		s.tvp(tk.ClosedAt), tk.Version, tk.JournalSeq, tk.JournalHead, boolInt(tk.SLA.Appeal), tk.SLA.Policy,
		s.tvp(tk.SLA.PausedAt), int(tk.SLA.Flags), s.tvp(tk.SLA.LegalDueAt), tk.SLA.Extensions,
		int64(tk.SLA.Paused / time.Second)}
}

// messageArgs are the values of insert-message after the ticket ID.
func (s *Store) messageArgs(m *otklik.Message) []any {
	return []any{string(m.Author.Type), m.Author.ID, m.Author.Name, string(m.Author.Channel), boolInt(m.Internal), m.Body, m.Visible, s.tv(m.CreatedAt)}
}

// journalArgs are the values of insert-journal after the ticket ID.
func (s *Store) journalArgs(r *otklik.JournalRecord) []any {
	return []any{r.Seq, s.tv(r.At), string(r.Actor.Type), r.Actor.ID, r.Actor.Name, string(r.Actor.Channel), string(r.Kind),
		r.Field, r.Before, r.After, r.Reason, r.PrevHash, r.Hash}
}

// RegisterTicket stores a new ticket with its first message, first journal record, search entry and
// idempotency key. SQLite runs the inserts one by one on its in-process connection; PostgreSQL sends
// one statement (register-ticket: data-modifying CTEs), one round trip instead of five.
func (t *txn) RegisterTicket(ctx context.Context, r *otklik.NewTicketRows) error {
	s := t.s
	if s.engine == "postgres" {
		args := s.ticketArgs(r.Ticket)
		args = append(args, s.messageArgs(r.Message)...)
		args = append(args, s.journalArgs(r.Record)...)
		args = append(args, r.Stems)
		var scope, key any
		var hash []byte
		if k := r.Idempotency; k != nil {
			scope, key, hash = k.Scope, k.Key, k.RequestHash
		}
		args = append(args, scope, key, hash, s.tv(t.now), s.tvp(r.Ticket.SLA.NextAt))
		err := t.ex.queryRow(ctx, s.q.RegisterTicket, args...).Scan(&r.Ticket.ID, &r.Message.ID, &r.Record.ID)
		r.Message.TicketID, r.Record.TicketID = r.Ticket.ID, r.Ticket.ID
		return translate(err)
	}
	var err error
	if r.Ticket.ID, err = t.insertID(ctx, s.q.InsertTicket, s.ticketArgs(r.Ticket)...); err != nil {
		return translate(err)
	}
	r.Message.TicketID, r.Record.TicketID = r.Ticket.ID, r.Ticket.ID
	if err := t.InsertMessage(ctx, r.Message); err != nil {
		return err
	}
	if err := t.AppendJournal(ctx, r.Record); err != nil {
		return err
	}
	if err := t.IndexTicket(ctx, r.Ticket.ID, r.Stems, true); err != nil {
		return err
	}
	if next := r.Ticket.SLA.NextAt; next != nil {
		if _, err := t.ex.exec(ctx, "INSERT INTO sla_timers (ticket_id, next_at) VALUES (?, ?)", r.Ticket.ID, s.tv(*next)); err != nil {
			return translate(err)
		}
	}
	if k := r.Idempotency; k != nil {
		_, err := t.ex.exec(ctx, s.q.IdempotencySave, k.Scope, k.Key, k.RequestHash, r.Ticket.ID, s.tv(t.now))
		return translate(err)
	}
	return nil
}

// TicketNumber returns a ticket's number by ID.
func (t *txn) TicketNumber(ctx context.Context, id int64) (string, error) {
	var n string
	err := t.ex.queryRow(ctx, "SELECT number FROM tickets WHERE id = ?", id).Scan(&n)
	if err == sql.ErrNoRows {
		return "", otklik.NotFound("ticket.not_found")
	}
	return n, translate(err)
}

// TicketForUpdate reads a ticket inside the write transaction. SQLite's single writer already
// excludes concurrent writers.
func (t *txn) TicketForUpdate(ctx context.Context, number string) (*otklik.Ticket, error) {
	tk, err := scanTicket(t.ex.queryRow(ctx, t.s.rebind(t.s.ticketByNumberQuery()+t.s.forUpdate()), number))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("ticket.not_found")
	}
	return tk, translate(err)
}

// UpdateTicket stores tk if its version is still prevVersion.
func (t *txn) UpdateTicket(ctx context.Context, tk *otklik.Ticket, prevVersion int64) error {
	var assignee, group int64
	if tk.Assignee != nil {
		assignee = tk.Assignee.ID
	}
	if tk.Group != nil {
		group = tk.Group.ID
	}
	s := t.s
	res, err := t.ex.exec(ctx, s.q.UpdateTicket,
		string(tk.Channel), tk.Category.ID, string(tk.Priority), string(tk.Status), tk.Subject,
		nullID(assignee), nullID(group), s.tv(tk.UpdatedAt), s.tvp(tk.FirstResponseDueAt), s.tvp(tk.DueAt),
		s.tvp(tk.FirstResponseAt), s.tvp(tk.ResolvedAt), s.tvp(tk.ClosedAt), tk.Version, tk.JournalSeq,
		tk.JournalHead, boolInt(tk.SLA.Appeal), tk.SLA.Policy, s.tvp(tk.SLA.PausedAt),
		int(tk.SLA.Flags), s.tvp(tk.SLA.LegalDueAt), tk.SLA.Extensions, int64(tk.SLA.Paused/time.Second), tk.ID, prevVersion)
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return otklik.Errorf(otklik.ECONFLICT, "ticket.version_conflict", nil)
	}
	return t.SetSLANext(ctx, tk.ID, tk.SLA.NextAt)
}

// InsertMessage stores a message and sets its ID.
func (t *txn) InsertMessage(ctx context.Context, m *otklik.Message) error {
	s := t.s
	var err error
	m.ID, err = t.insertID(ctx, s.q.InsertMessage, append([]any{m.TicketID}, s.messageArgs(m)...)...)
	return translate(err)
}

// AppendJournal stores a sealed journal record.
func (t *txn) AppendJournal(ctx context.Context, r *otklik.JournalRecord) error {
	s := t.s
	var err error
	r.ID, err = t.insertID(ctx, s.q.InsertJournal, append([]any{r.TicketID}, s.journalArgs(r)...)...)
	return translate(err)
}

// IndexTicket adds stems to a ticket's search entry.
func (t *txn) IndexTicket(ctx context.Context, ticketID int64, stems string, isNew bool) error {
	var err error
	if isNew {
		_, err = t.ex.exec(ctx, t.s.q.IndexInsert, ticketID, stems)
	} else if stems != "" {
		_, err = t.ex.exec(ctx, t.s.q.IndexAppend, stems, ticketID)
	}
	return translate(err)
}

// IdempotentTicket returns the ticket saved under an idempotency key.
func (t *txn) IdempotentTicket(ctx context.Context, scope, key string) (string, []byte, error) {
	var number string
	var hash []byte
	err := t.ex.queryRow(ctx, t.s.q.IdempotencyGet, scope, key).Scan(&number, &hash)
	if err == sql.ErrNoRows {
		return "", nil, otklik.NotFound("error.not_found")
	}
	return number, hash, translate(err)
}
