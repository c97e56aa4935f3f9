package store

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/otklik/otklik/internal/otklik"
)

// Calendars returns every calendar with its overrides, by name.
func (s *Store) Calendars(ctx context.Context) ([]*otklik.Calendar, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT name, title, week, created_at, updated_at, updated_by FROM calendars ORDER BY name")
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Calendar
	byName := map[string]*otklik.Calendar{}
	for rows.Next() {
		c := &otklik.Calendar{}
		var created, updated dbTime
		if err := rows.Scan(&c.Name, &c.Title, &c.Week, &created, &updated, &c.UpdatedBy); err != nil {
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
		resolution, calendar, updated_at, updated_by FROM sla_policies ORDER BY position, code`)
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
			&p.Resolution, &p.Calendar, &updated, &p.UpdatedBy); err != nil {
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
	q, args = s.rebind(q+" ORDER BY id LIMIT ?"), append(args, limit)
	if s.engine == "postgres" {
		return s.openTicketsPg(ctx, q, args, limit)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := make([]*otklik.Ticket, 0, limit)
	r := newOpenTicketRow(limit)
	for rows.Next() {
		t, err := r.scan(rows.Scan)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// LastPass returns the highest pass of the journal's records (the end of its (pass, ticket_id) index)
// or of journal_passes, whichever is higher: a pass whose every batch found its tickets changed
// meanwhile leaves its text and no record, and the next pass must not take its number again.
func (s *Store) LastPass(ctx context.Context) (int64, error) {
	var pass int64
	err := s.read.QueryRowContext(ctx, `SELECT max(p) FROM (SELECT COALESCE(max(pass), 0) AS p FROM journal
		UNION ALL SELECT COALESCE(max(pass), 0) FROM journal_passes) AS x`).Scan(&pass)
	return pass, translate(err)
}

// LockRecomputation takes PostgreSQL's advisory lock recomputeLock on a connection of its own, held
// out of the pool until unlock; on SQLite, which one node uses, it is always ok.
func (s *Store) LockRecomputation(ctx context.Context) (unlock func(), ok bool, err error) {
	if s.engine != "postgres" {
		return func() {}, true, nil
	}
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, false, translate(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", recomputeLock).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, translate(err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			// Not the caller's context: a cancelled one would leave the lock on a pooled connection.
			// A connection that could not give it back is closed instead, which gives it back too.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", recomputeLock); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}, true, nil
}

// openTicketsPg runs OpenTickets' query through pgx's own interface, on a connection of the read pool:
// its binary values are decoded straight into the row's fields, without database/sql's driver values
// and conversions, which took 1.7 s of the Go process's time in a recomputation of a million tickets
// (docs/PERFORMANCE.md).
func (s *Store) openTicketsPg(ctx context.Context, q string, args []any, limit int) ([]*otklik.Ticket, error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, translate(err)
	}
	defer conn.Close()
	out := make([]*otklik.Ticket, 0, limit)
	err = conn.Raw(func(dc any) error {
		rows, err := dc.(*stdlib.Conn).Conn().Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		r := newOpenTicketRow(limit)
		for rows.Next() {
			t, err := r.scan(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, translate(err)
}

// openTicketRow holds one row of OpenTickets' query as it is scanned, with the destinations made once
// for all the rows (database/sql's Rows.Scan or pgx's). The tickets it returns, their category
// references and their times are taken from arrays made once for the rows the query can return, not
// allocated one by one: a recomputation reads every open ticket, and those were nearly a quarter of its
// allocations. (A batch's tickets are kept or let go together, so the arrays hold nothing longer.)
type openTicketRow struct {
	id, category, version, seq               int64
	number, channel, priority, status        string
	policy                                   string
	created, frAt, frDue, due, paused, legal dbTime
	appeal, flags, extensions, pausedSecs    int32
	head                                     []byte
	dest                                     []any
	tickets                                  []otklik.Ticket
	cats                                     []otklik.CategoryRef
	times                                    []time.Time
}

// newOpenTicketRow returns a row for a query that returns at most limit tickets.
func newOpenTicketRow(limit int) *openTicketRow {
	r := &openTicketRow{tickets: make([]otklik.Ticket, 0, limit), cats: make([]otklik.CategoryRef, 0, limit),
		times: make([]time.Time, 0, 2*limit)}
	r.dest = []any{&r.id, &r.number, &r.channel, &r.category, &r.priority, &r.status, &r.created, &r.frAt, &r.frDue,
		&r.due, &r.appeal, &r.policy, &r.paused, &r.flags, &r.legal, &r.extensions, &r.pausedSecs, &r.version, &r.seq, &r.head}
	return r
}

// scan reads the next row with scan and returns it as a ticket.
func (r *openTicketRow) scan(scan func(dest ...any) error) (*otklik.Ticket, error) {
	if err := scan(r.dest...); err != nil {
		return nil, err
	}
	if len(r.tickets) == cap(r.tickets) { // more rows than the limit said: arrays of their own
		r.tickets, r.cats = make([]otklik.Ticket, 0, 64), make([]otklik.CategoryRef, 0, 64)
	}
	r.tickets, r.cats = append(r.tickets, otklik.Ticket{}), append(r.cats, otklik.CategoryRef{ID: r.category})
	t := &r.tickets[len(r.tickets)-1]
	*t = otklik.Ticket{ID: r.id, Number: r.number, Channel: otklik.Channel(r.channel), Category: &r.cats[len(r.cats)-1],
		Priority: otklik.Priority(r.priority), Status: otklik.Status(r.status), CreatedAt: r.created.T,
		FirstResponseAt: r.timePtr(r.frAt), FirstResponseDueAt: r.timePtr(r.frDue), DueAt: r.timePtr(r.due),
		Version: r.version, JournalSeq: r.seq, JournalHead: r.head}
	t.SLA.Appeal, t.SLA.Policy, t.SLA.PausedAt, t.SLA.Flags = r.appeal != 0, r.policy, r.timePtr(r.paused), otklik.SLAFlags(r.flags)
	t.SLA.LegalDueAt, t.SLA.Extensions, t.SLA.Paused = r.timePtr(r.legal), int(r.extensions), time.Duration(r.pausedSecs)*time.Second
	return t, nil
}

// timePtr is d as a pointer into the row's array of times (nil for NULL).
func (r *openTicketRow) timePtr(d dbTime) *time.Time {
	if !d.Valid {
		return nil
	}
	if len(r.times) == cap(r.times) {
		r.times = make([]time.Time, 0, max(64, cap(r.times)))
	}
	r.times = append(r.times, d.T)
	return &r.times[len(r.times)-1]
}

// UpsertCalendar stores a calendar's title and week (not its overrides).
func (t *txn) UpsertCalendar(ctx context.Context, c *otklik.Calendar) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	c.UpdatedAt = t.now
	_, err := t.ex.exec(ctx, `INSERT INTO calendars (name, title, week, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET title = excluded.title, week = excluded.week, updated_at = excluded.updated_at,
		updated_by = excluded.updated_by`,
		c.Name, c.Title, c.Week, t.s.tv(c.CreatedAt), t.s.tv(c.UpdatedAt), c.UpdatedBy)
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
		resolution, calendar, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, position = excluded.position, category = excluded.category,
		channel = excluded.channel, priority = excluded.priority, manual = excluded.manual,
		first_response = excluded.first_response, resolution = excluded.resolution, calendar = excluded.calendar,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.Code, p.Name, p.Position, p.Category, string(p.Channel), string(p.Priority), boolInt(p.Manual), p.FirstResponse,
		p.Resolution, p.Calendar, t.s.tv(p.UpdatedAt), p.UpdatedBy)
	return translate(err)
}

// DeleteSLAPolicy removes a policy.
func (t *txn) DeleteSLAPolicy(ctx context.Context, code string) error {
	res, err := t.ex.exec(ctx, "DELETE FROM sla_policies WHERE code = ?", code)
	return oneRow(res, err, "sla.policy_not_found")
}

// DeleteCalendar removes a calendar and the days an administrator changed in it.
func (t *txn) DeleteCalendar(ctx context.Context, name string) error {
	if _, err := t.ex.exec(ctx, "DELETE FROM calendar_overrides WHERE calendar = ?", name); err != nil {
		return translate(err)
	}
	res, err := t.ex.exec(ctx, "DELETE FROM calendars WHERE name = ?", name)
	return oneRow(res, err, "calendar.not_found")
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

// StoreRecomputed stores recomputed tickets and their journal records, the records in the pass's part
// of the journal's index (migration 0020). SQLite runs its statements in process, many rows each
// (storeRecomputedSQLite); PostgreSQL sends the batch as one prepared statement (store-recomputed) whose
// parameters are arrays, a column each, encoded here (recomputedParams): one round trip, and nothing to
// parse per batch.
func (t *txn) StoreRecomputed(ctx context.Context, pass int64, ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord) ([]*otklik.Ticket, error) {
	var stale []*otklik.Ticket
	shared, err := sharedRecord(recs)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(recs, func(rs []*otklik.JournalRecord) bool { return len(rs) > 0 }) {
		if shared, err = t.passText(ctx, pass, shared); err != nil {
			return nil, err
		}
	}
	if t.s.engine != "postgres" {
		return t.storeRecomputedSQLite(ctx, pass, ts, prev, recs, shared)
	}
	if len(ts) == 0 {
		return nil, nil
	}
	p := pgParamsPool.Get().(*pgParams)
	defer pgParamsPool.Put(p)
	recomputedParams(p, pass, ts, prev, recs, shared)
	done := make(map[int64]bool, len(ts))
	err = t.ex.queryBinary(ctx, t.s.q.StoreRecomputed, p.types, p.values(), func(row [][]byte) error {
		if len(row) != 1 || len(row[0]) != 8 {
			return otklik.Internal(fmt.Errorf("store: store-recomputed returned %d columns, not a ticket ID", len(row)))
		}
		done[int64(binary.BigEndian.Uint64(row[0]))] = true
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	for _, tk := range ts {
		if !done[tk.ID] {
			stale = append(stale, tk)
		}
	}
	return stale, nil
}

// passText is the text that a pass's journal records share: the actor's name and the reason.
type passText struct{ name, reason string }

// passText stores the text that a pass's records share once, in journal_passes (migration 0021), with
// the pass's first batch, and returns what the batch's records store of shared: without that text when
// it is the pass's, for the queries journal and walk-journal to give back. A batch whose text is not
// its pass's (a pass begun by an Otklik worded otherwise) keeps its own; one with no text at all, which
// those queries could not tell from text left to the pass, is refused when its pass has some.
//
// On PostgreSQL a pass's batches are written by several transactions at once: the first to insert the
// pass's row holds the others' inserts until it ends, and they then read its row (or insert their own,
// had it rolled back). Once a transaction that inserted or read the row has committed, the row is there
// for good (the table is append-only): the store remembers it then (Store.passTexts), so that the pass's
// later batches — a thousand a million tickets — spend no round trips on it.
func (t *txn) passText(ctx context.Context, pass int64, shared *otklik.JournalRecord) (*otklik.JournalRecord, error) {
	if pass <= 0 {
		return nil, otklik.Internal(fmt.Errorf("store: recomputed records of ticket %d without a pass", shared.TicketID))
	}
	var have passText
	if v, ok := t.s.passTexts.Load(pass); ok {
		have = v.(passText)
	} else {
		_, err := t.ex.exec(ctx, "INSERT INTO journal_passes (pass, actor_name, reason) VALUES (?, ?, ?) ON CONFLICT (pass) DO NOTHING",
			pass, shared.Actor.Name, shared.Reason)
		if err != nil {
			return nil, translate(err)
		}
		err = t.ex.queryRow(ctx, "SELECT actor_name, reason FROM journal_passes WHERE pass = ?", pass).Scan(&have.name, &have.reason)
		if err != nil {
			return nil, translate(err)
		}
		seen := have
		t.AfterCommit(func() { t.s.passTexts.Store(pass, seen) })
	}
	switch {
	case have == passText{shared.Actor.Name, shared.Reason}:
	case shared.Actor.Name == "" && shared.Reason == "":
		return nil, otklik.Internal(fmt.Errorf("store: recomputed records of ticket %d without the actor's name and reason of their pass %d",
			shared.TicketID, pass))
	default:
		return shared, nil
	}
	stored := *shared
	stored.Actor.Name, stored.Reason = "", ""
	return &stored, nil
}

// storeRecomputedSQLite is StoreRecomputed on SQLite, recomputedRows tickets, records or timers a
// statement, what the records share bound once: first the tickets whose version is still the one they
// were read at (which ones, updatedRecomputed tells when not all), then those tickets' records and
// timers. A statement a
// ticket and one a record spent most of a recomputation's writing in binding values and starting and
// ending statements (docs/PERFORMANCE.md).
func (t *txn) storeRecomputedSQLite(ctx context.Context, pass int64, ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord, shared *otklik.JournalRecord) ([]*otklik.Ticket, error) {
	s := t.s
	updated := make(map[int64]bool, len(ts))
	args := make([]any, 0, 11*recomputedRows)
	for start := 0; start < len(ts); start += recomputedRows {
		chunk := ts[start:min(start+recomputedRows, len(ts))]
		args = args[:0]
		for i, tk := range chunk {
			args = append(args, tk.ID, prev[start+i], s.tvp(tk.FirstResponseDueAt), s.tvp(tk.DueAt), tk.SLA.Policy,
				int(tk.SLA.Flags), s.tvp(tk.SLA.LegalDueAt), tk.Version, s.tv(tk.UpdatedAt), tk.JournalSeq, tk.JournalHead)
		}
		res, err := t.ex.exec(ctx, recomputedTicketsSQL(len(chunk)), args...)
		if err != nil {
			return nil, translate(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, translate(err)
		}
		if int(n) == len(chunk) { // every one (a chunk's IDs are distinct)
			for _, tk := range chunk {
				updated[tk.ID] = true
			}
			continue
		}
		if err := t.updatedRecomputed(ctx, chunk, updated); err != nil {
			return nil, err
		}
	}
	var stale []*otklik.Ticket
	var records []*otklik.JournalRecord
	var timers []*otklik.Ticket
	for i, tk := range ts {
		switch {
		case !updated[tk.ID]:
			stale = append(stale, tk)
			continue
		case tk.SLA.NextAt == nil:
			if err := t.SetSLANext(ctx, tk.ID, nil); err != nil {
				return nil, err
			}
		default:
			timers = append(timers, tk)
		}
		records = append(records, recs[i]...)
	}
	for rows := range slices.Chunk(records, recomputedRows) {
		args = append(args[:0], s.tv(shared.At), string(shared.Actor.Type), shared.Actor.ID, shared.Actor.Name,
			string(shared.Actor.Channel), string(shared.Kind), shared.Reason, pass)
		for _, r := range rows {
			args = append(args, r.TicketID, r.Seq, r.Field, r.Before, r.After, r.PrevHash, r.Hash)
		}
		if _, err := t.ex.exec(ctx, recomputedJournalSQL(len(rows)), args...); err != nil {
			return nil, translate(err)
		}
	}
	for rows := range slices.Chunk(timers, recomputedRows) {
		args = args[:0]
		for _, tk := range rows {
			args = append(args, tk.ID, s.tv(*tk.SLA.NextAt))
		}
		if _, err := t.ex.exec(ctx, recomputedTimersSQL(len(rows)), args...); err != nil {
			return nil, translate(err)
		}
	}
	return stale, nil
}

// updatedRecomputed marks in updated those of chunk that the update of recomputed tickets changed —
// when it changed fewer than all, some having moved on since they were read: a ticket it changed holds
// the head of the journal that the recomputation gave it (each record's hash is its own), a ticket it
// left holds another. (Its version cannot tell: another change would have set the same number.)
func (t *txn) updatedRecomputed(ctx context.Context, chunk []*otklik.Ticket, updated map[int64]bool) error {
	byID := make(map[int64]*otklik.Ticket, len(chunk))
	args := make([]any, len(chunk))
	for i, tk := range chunk {
		byID[tk.ID], args[i] = tk, tk.ID
	}
	rows, err := t.ex.queryRaw(ctx, "SELECT id, journal_head FROM tickets WHERE id IN ("+placeholders(len(chunk))+")", args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var head []byte
		if err := rows.Scan(&id, &head); err != nil {
			return translate(err)
		}
		if tk := byID[id]; tk != nil && bytes.Equal(head, tk.JournalHead) {
			updated[id] = true
		}
	}
	return translate(rows.Err())
}

// recomputedRows is how many tickets, journal records or timers storeRecomputedSQLite writes a statement.
// The writer prepares each size of statement once: a batch's chunks are all of this size but its last,
// so it keeps at most recomputedRows statements of a kind (preparing a remainder's each time cost a
// fifth of the journal's writing).
const recomputedRows = 64

// recomputedTicketsSQL updates n recomputed tickets, eleven values a ticket, where each is still at the
// version it was read at. It returns nothing: RETURNING the IDs of those it updated cost a fifth more
// of the writer's time a ticket (7.5 µs instead of 5.4 on a million-ticket database, a test not kept);
// how many rows changed tells whether all did, and updatedRecomputed which, when not.
func recomputedTicketsSQL(n int) string {
	return `UPDATE tickets SET first_response_due_at = v.column3, due_at = v.column4, sla_policy = v.column5,
		sla_flags = v.column6, legal_due_at = v.column7, version = v.column8, updated_at = v.column9,
		journal_seq = v.column10, journal_head = v.column11
	  FROM (VALUES ` + valueRows(n, 11) + `) AS v
	 WHERE tickets.id = v.column1 AND tickets.version = v.column2`
}

// recomputedJournalSQL is the insert of n recomputed tickets' journal records: what they share (and
// their pass) first, then seven values a record.
func recomputedJournalSQL(n int) string {
	return `INSERT INTO journal (at, actor_type, actor_id, actor_name, channel, kind, reason, pass, ticket_id, seq,
		field, before, after, prev_hash, hash)
	SELECT ?, ?, ?, ?, ?, ?, ?, ?, column1, column2, column3, column4, column5, column6, column7
	  FROM (VALUES ` + valueRows(n, 7) + `)`
}

// recomputedTimersSQL adds n recomputed tickets' timers or moves them earlier, never later. A timer
// left earlier than the ticket's next reminder or breach fires for nothing: RunSLATimers then finds
// nothing due and sets the right time. A recomputation that moves every deadline later (a holiday
// added) so writes no timer at all (store-recomputed on PostgreSQL does the same).
func recomputedTimersSQL(n int) string {
	return `INSERT INTO sla_timers (ticket_id, next_at) VALUES ` + valueRows(n, 2) + `
	ON CONFLICT (ticket_id) DO UPDATE SET next_at = excluded.next_at WHERE excluded.next_at < sla_timers.next_at`
}

// valueRows is n rows of k placeholders for a VALUES list: "(?, ?), (?, ?)".
func valueRows(n, k int) string {
	row := "(" + placeholders(k) + ")"
	return strings.Repeat(row+", ", n-1) + row
}

// placeholders is n placeholders for a list of values, an IN list or a row: "?, ?, ?".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// pgParamsPool keeps the bulk writers' parameter buffers (a batch's are about half a megabyte).
var pgParamsPool = sync.Pool{New: func() any { return new(pgParams) }}

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

// recomputedParams encodes store-recomputed's parameters into p: the tickets' columns, each as an
// array; what the records share, once; the records' other columns, each as an array.
func recomputedParams(p *pgParams, pass int64, ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord, shared *otklik.JournalRecord) {
	p.reset()
	tickets := func(elem uint32, put func(i int, tk *otklik.Ticket)) {
		p.beginArray(elem, len(ts))
		for i, tk := range ts {
			put(i, tk)
		}
		p.endArray()
	}
	tickets(pgtype.Int8OID, func(_ int, tk *otklik.Ticket) { p.elemInt8(tk.ID) })
	tickets(pgtype.Int8OID, func(i int, _ *otklik.Ticket) { p.elemInt8(prev[i]) })
	tickets(pgtype.TimestamptzOID, func(_ int, tk *otklik.Ticket) { p.elemTimestamptz(tk.FirstResponseDueAt) })
	tickets(pgtype.TimestamptzOID, func(_ int, tk *otklik.Ticket) { p.elemTimestamptz(tk.DueAt) })
	tickets(pgtype.TextOID, func(_ int, tk *otklik.Ticket) { p.elemText(tk.SLA.Policy) })
	tickets(pgtype.TimestamptzOID, func(_ int, tk *otklik.Ticket) { p.elemTimestamptz(tk.SLA.NextAt) })
	tickets(pgtype.Int4OID, func(_ int, tk *otklik.Ticket) { p.elemInt4(int32(tk.SLA.Flags)) })
	tickets(pgtype.TimestamptzOID, func(_ int, tk *otklik.Ticket) { p.elemTimestamptz(tk.SLA.LegalDueAt) })
	tickets(pgtype.Int8OID, func(_ int, tk *otklik.Ticket) { p.elemInt8(tk.Version) })
	tickets(pgtype.TimestamptzOID, func(_ int, tk *otklik.Ticket) { p.elemTimestamptz(&tk.UpdatedAt) })
	tickets(pgtype.Int8OID, func(_ int, tk *otklik.Ticket) { p.elemInt8(tk.JournalSeq) })
	tickets(pgtype.ByteaOID, func(_ int, tk *otklik.Ticket) { p.elemBytea(tk.JournalHead) })

	p.timestamptz(shared.At)
	p.text(string(shared.Actor.Type))
	p.int8(shared.Actor.ID)
	p.text(shared.Actor.Name)
	p.text(string(shared.Actor.Channel))
	p.text(string(shared.Kind))
	p.text(shared.Reason)
	p.int8(pass)

	m := 0
	for _, rs := range recs {
		m += len(rs)
	}
	records := func(elem uint32, put func(r *otklik.JournalRecord)) {
		p.beginArray(elem, m)
		for _, rs := range recs {
			for _, r := range rs {
				put(r)
			}
		}
		p.endArray()
	}
	records(pgtype.Int8OID, func(r *otklik.JournalRecord) { p.elemInt8(r.TicketID) })
	records(pgtype.Int8OID, func(r *otklik.JournalRecord) { p.elemInt8(r.Seq) })
	records(pgtype.TextOID, func(r *otklik.JournalRecord) { p.elemText(r.Field) })
	records(pgtype.TextOID, func(r *otklik.JournalRecord) { p.elemText(r.Before) })
	records(pgtype.TextOID, func(r *otklik.JournalRecord) { p.elemText(r.After) })
	records(pgtype.ByteaOID, func(r *otklik.JournalRecord) { p.elemBytea(r.PrevHash) })
	records(pgtype.ByteaOID, func(r *otklik.JournalRecord) { p.elemBytea(r.Hash) })
}
