package store

import (
	"context"
	"fmt"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// Calendars returns every calendar with its overrides, by name.
func (s *Store) Calendars(ctx context.Context) ([]*otklik.Calendar, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT name, title, week, created_at, updated_at FROM calendars ORDER BY name")
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Calendar
	byName := map[string]*otklik.Calendar{}
	for rows.Next() {
		c := &otklik.Calendar{}
		var created, updated dbTime
		if err := rows.Scan(&c.Name, &c.Title, &c.Week, &created, &updated); err != nil {
			return nil, translate(err)
		}
		c.CreatedAt, c.UpdatedAt = created.T, updated.T
		out = append(out, c)
		byName[c.Name] = c
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	orows, err := s.read.QueryContext(ctx, "SELECT calendar, day, kind, note, author, created_at FROM calendar_overrides ORDER BY calendar, day")
	if err != nil {
		return nil, translate(err)
	}
	defer orows.Close()
	for orows.Next() {
		var cal string
		var o otklik.CalendarOverride
		var created dbTime
		if err := orows.Scan(&cal, &o.Day, &o.Kind, &o.Note, &o.Author, &created); err != nil {
			return nil, translate(err)
		}
		o.CreatedAt = created.T
		if c := byName[cal]; c != nil {
			c.Overrides = append(c.Overrides, o)
		}
	}
	return out, translate(orows.Err())
}

// SLAPolicies returns every policy in the order they are tried.
func (s *Store) SLAPolicies(ctx context.Context) ([]*otklik.SLAPolicy, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT code, name, position, category, channel, priority, manual, first_response,
		resolution, calendar, updated_at FROM sla_policies ORDER BY position, code`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.SLAPolicy
	for rows.Next() {
		p := &otklik.SLAPolicy{}
		var manual int
		var updated dbTime
		if err := rows.Scan(&p.Code, &p.Name, &p.Position, &p.Category, &p.Channel, &p.Priority, &manual, &p.FirstResponse,
			&p.Resolution, &p.Calendar, &updated); err != nil {
			return nil, translate(err)
		}
		p.Manual, p.UpdatedAt = manual != 0, updated.T
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// SLADue returns open tickets whose SLA engine's next look is due.
func (s *Store) SLADue(ctx context.Context, t time.Time, limit int) ([]*otklik.Ticket, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.TicketColumns+" FROM tickets t "+s.q.TicketJoins+
		" WHERE tm.next_at <= ? ORDER BY tm.next_at LIMIT ?"), s.tv(t), limit)
	return scanTickets(rows, err)
}

// OpenTickets returns open tickets after afterID, by ID, with what their deadlines depend on. The timer
// (sla_timers) is not read: a recomputation sets it anew, and looking it up cost PostgreSQL an index
// probe a ticket, two fifths of its reading in a pass (as a LEFT JOIN it was worse: merge-joined from the
// table's first row on every page, quadratic over a pass).
func (s *Store) OpenTickets(ctx context.Context, afterID int64, limit int, span otklik.TimeSpan) ([]*otklik.Ticket, error) {
	q := `SELECT id, number, channel, category_id, priority, status, created_at,
		first_response_at, first_response_due_at, due_at, appeal, sla_policy, sla_paused_at, sla_flags,
		legal_due_at, sla_extensions, sla_paused_secs, version, journal_seq, journal_head
		FROM tickets WHERE id > ? AND status NOT IN ('resolved', 'closed')`
	args := []any{afterID}
	if !span.IsZero() {
		q += ` AND (sla_paused_at IS NOT NULL OR appeal <> 0 OR due_at IS NULL
			OR (created_at < ? AND (due_at >= ? OR (first_response_at IS NULL AND first_response_due_at >= ?))))`
		args = append(args, s.tv(span.To), s.tv(span.From), s.tv(span.From))
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(q+" ORDER BY id LIMIT ?"), append(args, limit)...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := make([]*otklik.Ticket, 0, limit)
	for rows.Next() {
		t := &otklik.Ticket{Category: &otklik.CategoryRef{}}
		var created, frAt, frDue, due, paused, legal dbTime
		var appeal int
		var pausedSecs int64
		if err := rows.Scan(&t.ID, &t.Number, &t.Channel, &t.Category.ID, &t.Priority, &t.Status, &created, &frAt, &frDue, &due,
			&appeal, &t.SLA.Policy, &paused, &t.SLA.Flags, &legal, &t.SLA.Extensions, &pausedSecs, &t.Version,
			&t.JournalSeq, &t.JournalHead); err != nil {
			return nil, translate(err)
		}
		t.CreatedAt, t.FirstResponseAt, t.FirstResponseDueAt, t.DueAt = created.T, frAt.ptr(), frDue.ptr(), due.ptr()
		t.SLA.Appeal, t.SLA.PausedAt, t.SLA.LegalDueAt = appeal != 0, paused.ptr(), legal.ptr()
		t.SLA.Paused = time.Duration(pausedSecs) * time.Second
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// UpsertCalendar stores a calendar's title and week (not its overrides).
func (t *txn) UpsertCalendar(ctx context.Context, c *otklik.Calendar) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	c.UpdatedAt = t.now
	_, err := t.ex.exec(ctx, `INSERT INTO calendars (name, title, week, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET title = excluded.title, week = excluded.week, updated_at = excluded.updated_at`,
		c.Name, c.Title, c.Week, t.s.tv(c.CreatedAt), t.s.tv(c.UpdatedAt))
	return translate(err)
}

// PutCalendarOverride sets one day of a calendar.
func (t *txn) PutCalendarOverride(ctx context.Context, calendar string, o *otklik.CalendarOverride) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = t.now
	}
	_, err := t.ex.exec(ctx, `INSERT INTO calendar_overrides (calendar, day, kind, note, author, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (calendar, day) DO UPDATE SET kind = excluded.kind, note = excluded.note, author = excluded.author,
		created_at = excluded.created_at`, calendar, o.Day, o.Kind, o.Note, o.Author, t.s.tv(o.CreatedAt))
	if err != nil {
		return translate(err)
	}
	_, err = t.ex.exec(ctx, "UPDATE calendars SET updated_at = ? WHERE name = ?", t.s.tv(t.now), calendar)
	return translate(err)
}

// DeleteCalendarOverride removes an administrator's change to a day.
func (t *txn) DeleteCalendarOverride(ctx context.Context, calendar, day string) error {
	res, err := t.ex.exec(ctx, "DELETE FROM calendar_overrides WHERE calendar = ? AND day = ?", calendar, day)
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			return otklik.NotFound("calendar.override_not_found")
		}
		return translate(err)
	}
	_, err = t.ex.exec(ctx, "UPDATE calendars SET updated_at = ? WHERE name = ?", t.s.tv(t.now), calendar)
	return translate(err)
}

// UpsertSLAPolicy stores a policy.
func (t *txn) UpsertSLAPolicy(ctx context.Context, p *otklik.SLAPolicy) error {
	p.UpdatedAt = t.now
	_, err := t.ex.exec(ctx, `INSERT INTO sla_policies (code, name, position, category, channel, priority, manual, first_response,
		resolution, calendar, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, position = excluded.position, category = excluded.category,
		channel = excluded.channel, priority = excluded.priority, manual = excluded.manual,
		first_response = excluded.first_response, resolution = excluded.resolution, calendar = excluded.calendar,
		updated_at = excluded.updated_at`,
		p.Code, p.Name, p.Position, p.Category, string(p.Channel), string(p.Priority), boolInt(p.Manual), p.FirstResponse,
		p.Resolution, p.Calendar, t.s.tv(p.UpdatedAt))
	return translate(err)
}

// SetSLANext stores when the SLA engine must next look at a ticket: its row of sla_timers, none when
// there is nothing left to watch. A timer that has not moved is not written.
func (t *txn) SetSLANext(ctx context.Context, ticketID int64, next *time.Time) error {
	if next == nil {
		_, err := t.ex.exec(ctx, "DELETE FROM sla_timers WHERE ticket_id = ?", ticketID)
		return translate(err)
	}
	_, err := t.ex.exec(ctx, `INSERT INTO sla_timers (ticket_id, next_at) VALUES (?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET next_at = excluded.next_at WHERE sla_timers.next_at <> excluded.next_at`,
		ticketID, t.s.tv(*next))
	return translate(err)
}

// UpdateTicketSLA stores a ticket's deadline state and journal head.
func (t *txn) UpdateTicketSLA(ctx context.Context, tk *otklik.Ticket, prevVersion int64) error {
	s := t.s
	res, err := t.ex.exec(ctx, `UPDATE tickets SET first_response_due_at = ?, due_at = ?, sla_policy = ?,
		sla_flags = ?, legal_due_at = ?, version = ?, updated_at = ?, journal_seq = ?, journal_head = ? WHERE id = ? AND version = ?`,
		s.tvp(tk.FirstResponseDueAt), s.tvp(tk.DueAt), tk.SLA.Policy, int(tk.SLA.Flags),
		s.tvp(tk.SLA.LegalDueAt), tk.Version, s.tv(tk.UpdatedAt), tk.JournalSeq, tk.JournalHead, tk.ID, prevVersion)
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			return otklik.Errorf(otklik.ECONFLICT, "ticket.version_conflict", nil)
		}
		return translate(err)
	}
	return t.SetSLANext(ctx, tk.ID, tk.SLA.NextAt)
}

// StoreRecomputed stores recomputed tickets and their journal records. SQLite runs the statements one by
// one in process; PostgreSQL sends the batch as one prepared statement (store-recomputed) whose
// parameters are arrays, a column each: one round trip, and nothing to parse per batch.
func (t *txn) StoreRecomputed(ctx context.Context, ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord) ([]*otklik.Ticket, error) {
	var stale []*otklik.Ticket
	shared, err := sharedRecord(recs)
	if err != nil {
		return nil, err
	}
	if t.s.engine != "postgres" {
		for i, tk := range ts {
			if err := t.UpdateTicketSLA(ctx, tk, prev[i]); err != nil {
				if otklik.IsCode(err, otklik.ECONFLICT) {
					stale = append(stale, tk)
					continue
				}
				return nil, err
			}
			for _, r := range recs[i] {
				if err := t.AppendJournal(ctx, r); err != nil {
					return nil, err
				}
			}
		}
		return stale, nil
	}
	if len(ts) == 0 {
		return nil, nil
	}
	rows, err := t.ex.query(ctx, t.s.q.StoreRecomputed, recomputedArgs(ts, prev, recs, shared)...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	done := make(map[int64]bool, len(ts))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		done[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	for _, tk := range ts {
		if !done[tk.ID] {
			stale = append(stale, tk)
		}
	}
	return stale, nil
}

// sharedRecord returns what a batch's records share: their time, actor, kind and reason (an empty
// record when there are none). Records that differ in these are a caller's mistake, refused.
func sharedRecord(recs [][]*otklik.JournalRecord) (*otklik.JournalRecord, error) {
	var shared *otklik.JournalRecord
	for _, rs := range recs {
		for _, r := range rs {
			if shared == nil {
				shared = r
			} else if !r.At.Equal(shared.At) || r.Actor != shared.Actor || r.Kind != shared.Kind || r.Reason != shared.Reason {
				return nil, otklik.Internal(fmt.Errorf("store: recomputed records of tickets %d and %d differ in time, actor, kind or reason",
					shared.TicketID, r.TicketID))
			}
		}
	}
	if shared == nil {
		return &otklik.JournalRecord{}, nil
	}
	return shared, nil
}

// recomputedArgs are store-recomputed's parameters: the tickets' columns, each as an array; what the
// records share, once; the records' other columns, each as an array.
func recomputedArgs(ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord, shared *otklik.JournalRecord) []any {
	n := len(ts)
	var (
		id, ver, seq         = make([]int64, n), make([]int64, n), make([]int64, n)
		fr, due, next, legal = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		policy               = make([]string, n)
		flags                = make([]int32, n)
		updated              = make([]time.Time, n)
		head                 = make([][]byte, n)
		m                    = 0
	)
	for i, tk := range ts {
		id[i], ver[i], seq[i] = tk.ID, tk.Version, tk.JournalSeq
		fr[i], due[i], next[i], legal[i] = tk.FirstResponseDueAt, tk.DueAt, tk.SLA.NextAt, tk.SLA.LegalDueAt
		policy[i], flags[i], updated[i], head[i] = tk.SLA.Policy, int32(tk.SLA.Flags), tk.UpdatedAt, tk.JournalHead
		m += len(recs[i])
	}
	var (
		rTicket, rSeq        = make([]int64, 0, m), make([]int64, 0, m)
		field, before, after = make([]string, 0, m), make([]string, 0, m), make([]string, 0, m)
		prevHash, hash       = make([][]byte, 0, m), make([][]byte, 0, m)
	)
	for _, rs := range recs {
		for _, r := range rs {
			rTicket, rSeq, field = append(rTicket, r.TicketID), append(rSeq, r.Seq), append(field, r.Field)
			before, after = append(before, r.Before), append(after, r.After)
			prevHash, hash = append(prevHash, r.PrevHash), append(hash, r.Hash)
		}
	}
	return []any{id, prev, fr, due, policy, next, flags, legal, ver, updated, seq, head,
		shared.At, string(shared.Actor.Type), shared.Actor.ID, shared.Actor.Name, string(shared.Actor.Channel),
		string(shared.Kind), shared.Reason, rTicket, rSeq, field, before, after, prevHash, hash}
}
