package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
)

// maxBranches caps how many values of one filter are split into separate index scans.
const maxBranches = 64

// cond is one SQL condition with its arguments.
type cond struct {
	sql  string
	args []any
}

// Tickets returns one page of tickets matching f, by keyset pagination: every page is an index range
// scan that stops after f.Limit rows, however many tickets match, and nothing counts or sorts the
// whole table.
//
//   - A full-text query drives the scan from the search index, in rowid (= ticket ID) order.
//   - A registration period orders by registration time and scans its index; other filters only
//     filter (their indexes are turned off with a unary +, so the planner cannot pick one and sort).
//   - Otherwise, a filter with several values on an indexed column (statuses, a category and its
//     descendants, groups, assignees) becomes one index scan per value, each stopping after a page,
//     merged by a UNION ALL: SQLite would otherwise read every matching row and sort them.
func (s *Store) Tickets(ctx context.Context, f otklik.TicketFilter) ([]*otklik.Ticket, error) {
	if f.RequesterIDs != nil && len(f.RequesterIDs) == 0 {
		return nil, nil
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	dir := " DESC"
	cmp := " < "
	if f.Ascending {
		dir, cmp = " ASC", " > "
	}
	var b strings.Builder
	var args []any
	b.WriteString(s.q.TicketColumns)
	switch {
	case len(f.Terms) > 0:
		from, match, id := s.searchSQL()
		b.WriteString("\n  FROM " + from + "\n")
		b.WriteString(s.q.TicketJoins)
		b.WriteString("\n WHERE " + match)
		args = append(args, s.ftsQuery(f.Terms))
		for _, c := range s.filterConds(f, "", false) {
			b.WriteString(" AND " + c.sql)
			args = append(args, c.args...)
		}
		if f.AfterID > 0 {
			b.WriteString(" AND " + id + cmp + "?")
			args = append(args, f.AfterID)
		}
		b.WriteString("\n ORDER BY " + id + dir)

	case f.ByCreated:
		b.WriteString("\n  FROM tickets t\n")
		b.WriteString(s.q.TicketJoins)
		b.WriteString("\n WHERE 1=1")
		for _, c := range s.filterConds(f, "", true) {
			b.WriteString(" AND " + c.sql)
			args = append(args, c.args...)
		}
		if f.AfterID > 0 {
			b.WriteString(" AND (t.created_at" + cmp + "? OR (t.created_at = ? AND t.id" + cmp + "?))")
			args = append(args, s.tv(f.AfterCreated), s.tv(f.AfterCreated), f.AfterID)
		}
		b.WriteString("\n ORDER BY t.created_at" + dir + ", t.id" + dir)

	default:
		b.WriteString("\n  FROM tickets t\n")
		b.WriteString(s.q.TicketJoins)
		col, values := splitColumn(f)
		if len(values) > 1 && len(values) <= maxBranches {
			// One index scan per value, each a page long, merged.
			b.WriteString("\n WHERE t.id IN (")
			for i, v := range values {
				if i > 0 {
					b.WriteString(" UNION ALL ")
				}
				b.WriteString("SELECT id FROM (SELECT t.id FROM tickets t WHERE " + v.sql)
				args = append(args, v.args...)
				for _, c := range s.filterConds(f, col, false) {
					b.WriteString(" AND " + c.sql)
					args = append(args, c.args...)
				}
				if f.AfterID > 0 {
					b.WriteString(" AND t.id" + cmp + "?")
					args = append(args, f.AfterID)
				}
				b.WriteString(" ORDER BY t.id" + dir + " LIMIT ?) AS b" + strconv.Itoa(i))
				args = append(args, limit)
			}
			b.WriteString(")")
		} else {
			b.WriteString("\n WHERE 1=1")
			for _, c := range s.filterConds(f, "", false) {
				b.WriteString(" AND " + c.sql)
				args = append(args, c.args...)
			}
			if f.AfterID > 0 {
				b.WriteString(" AND t.id" + cmp + "?")
				args = append(args, f.AfterID)
			}
		}
		b.WriteString("\n ORDER BY t.id" + dir)
	}
	b.WriteString("\n LIMIT ?")
	args = append(args, limit)

	return scanTickets(s.read.QueryContext(ctx, s.rebind(b.String()), args...))
}

// CountMatching counts the tickets matching f (its paging fields ignored), stopping at limit: a queue's
// badge says "500+" rather than make the database count a million rows on every page view.
func (s *Store) CountMatching(ctx context.Context, f otklik.TicketFilter, limit int) (int, error) {
	if f.RequesterIDs != nil && len(f.RequesterIDs) == 0 {
		return 0, nil
	}
	var b strings.Builder
	var args []any
	b.WriteString("SELECT count(*) FROM (SELECT 1")
	if len(f.Terms) > 0 {
		from, match, _ := s.searchSQL()
		b.WriteString(" FROM " + from + " " + s.q.TicketJoins + " WHERE " + match)
		args = append(args, s.ftsQuery(f.Terms))
	} else {
		b.WriteString(" FROM tickets t WHERE 1=1")
	}
	for _, c := range s.filterConds(f, "", false) {
		b.WriteString(" AND " + c.sql)
		args = append(args, c.args...)
	}
	b.WriteString(" LIMIT ?) AS c")
	args = append(args, limit)
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(b.String()), args...).Scan(&n)
	return n, translate(err)
}

// splitColumn picks the multi-valued filter to split into one index scan per value, and its values
// as conditions.
func splitColumn(f otklik.TicketFilter) (string, []cond) {
	one := func(col string, v any) cond { return cond{sql: col + " = ?", args: []any{v}} }
	var out []cond
	switch {
	case len(f.Statuses) > 1:
		for _, v := range f.Statuses {
			out = append(out, one("t.status", string(v)))
		}
		return "status", out
	case len(f.CategoryIDs) > 1:
		for _, v := range f.CategoryIDs {
			out = append(out, one("t.category_id", v))
		}
		return "category", out
	case len(f.GroupIDs) > 1:
		for _, v := range f.GroupIDs {
			out = append(out, one("t.group_id", v))
		}
		return "group", out
	case len(f.AssigneeIDs)+boolInt(f.Unassigned) > 1:
		for _, v := range f.AssigneeIDs {
			out = append(out, one("t.assignee_id", v))
		}
		if f.Unassigned {
			out = append(out, cond{sql: "t.assignee_id IS NULL"})
		}
		return "assignee", out
	case len(f.RequesterIDs) > 1:
		for _, v := range f.RequesterIDs {
			out = append(out, one("t.requester_id", v))
		}
		return "requester", out
	}
	return "", nil
}

// filterConds returns the conditions of f except the split column's. noIndex wraps columns in a unary
// + so that SQLite does not use their indexes.
func (s *Store) filterConds(f otklik.TicketFilter, split string, noIndex bool) []cond {
	col := func(c string) string {
		if noIndex && s.engine == "sqlite" { // PostgreSQL has no such hint, and its planner has statistics
			return "+" + c
		}
		return c
	}
	in := func(c string, n int) string {
		if n == 1 {
			return col(c) + " = ?"
		}
		return col(c) + " IN (" + placeholders(n) + ")"
	}
	var out []cond
	add := func(name, c string, vals []any) {
		if name != split && len(vals) > 0 {
			out = append(out, cond{sql: in(c, len(vals)), args: vals})
		}
	}
	anys := func(ids []int64) []any {
		a := make([]any, len(ids))
		for i, v := range ids {
			a[i] = v
		}
		return a
	}
	var statuses, channels []any
	for _, v := range f.Statuses {
		statuses = append(statuses, string(v))
	}
	for _, v := range f.Channels {
		channels = append(channels, string(v))
	}
	add("status", "t.status", statuses)
	add("channel", "t.channel", channels)
	add("category", "t.category_id", anys(f.CategoryIDs))
	add("group", "t.group_id", anys(f.GroupIDs))
	add("requester", "t.requester_id", anys(f.RequesterIDs))
	if split != "assignee" {
		switch {
		case f.Unassigned && len(f.AssigneeIDs) > 0:
			out = append(out, cond{sql: "(" + col("t.assignee_id") + " IS NULL OR " + in("t.assignee_id", len(f.AssigneeIDs)) + ")", args: anys(f.AssigneeIDs)})
		case f.Unassigned:
			out = append(out, cond{sql: col("t.assignee_id") + " IS NULL"})
		case len(f.AssigneeIDs) > 0:
			out = append(out, cond{sql: in("t.assignee_id", len(f.AssigneeIDs)), args: anys(f.AssigneeIDs)})
		}
	}
	if !f.CreatedFrom.IsZero() {
		out = append(out, cond{sql: "t.created_at >= ?", args: []any{s.tv(f.CreatedFrom)}})
	}
	if !f.CreatedTo.IsZero() {
		out = append(out, cond{sql: "t.created_at < ?", args: []any{s.tv(f.CreatedTo)}})
	}
	if !f.OverdueAt.IsZero() {
		at := s.tv(f.OverdueAt)
		out = append(out, cond{sql: "t.status NOT IN ('resolved', 'closed') AND ((t.due_at < ? AND t.sla_paused_at IS NULL) OR " +
			"(t.first_response_due_at < ? AND t.first_response_at IS NULL))", args: []any{at, at}})
	}
	return out
}

// searchSQL returns the engine's full-text search: the FROM clause joining the index to tickets,
// the match condition (one placeholder for ftsQuery's expression) and the column holding the ticket
// ID. SQLite's FTS5 yields matches in rowid order and stops after a page; PostgreSQL reads the
// matches from its GIN index and sorts them.
func (s *Store) searchSQL() (from, match, id string) {
	if s.engine == "postgres" {
		return "ticket_search s JOIN tickets t ON t.id = s.ticket_id", "s.doc @@ to_tsquery('simple', ?)", "s.ticket_id"
	}
	return "ticket_search s CROSS JOIN tickets t ON t.id = s.rowid", "ticket_search MATCH ?", "s.rowid"
}
