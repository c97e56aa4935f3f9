package service

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/russian"
)

// ListQuery is a ticket list request as a client writes it. Multi-valued filters are comma-separated.
type ListQuery struct {
	Q              string
	Status         string
	Channel        string
	Category       string // a category code; includes the categories below it
	Assignee       string // a staff ID, "me" or "none"
	Group          string // a group code
	RequesterEmail string
	RequesterPhone string
	RequesterSNILS string
	CreatedFrom    string // RFC 3339 or a date YYYY-MM-DD (Moscow)
	CreatedTo      string // RFC 3339 or a date YYYY-MM-DD (Moscow), inclusive of that day
	Overdue        string // "true": only open tickets with a deadline passed («просрочено»)
	Order          string // "desc" (newest first, default) or "asc"
	Limit          string
	Cursor         string
}

// Limits of a list page.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Page is one page of a list.
type Page struct {
	Items []*otklik.Ticket
	// Next continues the list; "" on the last page.
	Next string
}

// ListTickets returns one page of tickets matching q, for the staff member me.
func (s *Service) ListTickets(ctx context.Context, me *otklik.User, q ListQuery) (*Page, error) {
	f, err := s.ticketFilter(ctx, me, q)
	if err != nil || f == nil {
		return &Page{Items: []*otklik.Ticket{}}, err
	}
	return s.listPage(ctx, f)
}

// listPage reads one page of the tickets matching f, with the cursor of the next.
func (s *Service) listPage(ctx context.Context, f *otklik.TicketFilter) (*Page, error) {
	limit := f.Limit
	f.Limit = limit + 1 // one more tells whether there is a next page
	items, err := s.store.Tickets(ctx, *f)
	if err != nil {
		return nil, err
	}
	p := &Page{Items: items}
	if p.Items == nil {
		p.Items = []*otklik.Ticket{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		last := items[limit-1]
		p.Next = encodeCursor(cursor{id: last.ID, created: last.CreatedAt, asc: f.Ascending, byCreated: f.ByCreated})
	}
	return p, nil
}

// CountTickets counts the tickets matching q for me, up to limit (a queue's badge).
func (s *Service) CountTickets(ctx context.Context, me *otklik.User, q ListQuery, limit int) (int, error) {
	f, err := s.ticketFilter(ctx, me, q)
	if err != nil || f == nil {
		return 0, err
	}
	return s.store.CountMatching(ctx, *f, limit)
}

// ticketFilter turns a list request into a filter; nil without an error when nothing can match.
func (s *Service) ticketFilter(ctx context.Context, me *otklik.User, q ListQuery) (*otklik.TicketFilter, error) {
	var v otklik.Validation
	f := otklik.TicketFilter{Limit: DefaultPageSize}
	for _, st := range splitList(q.Status) {
		if !otklik.Status(st).Valid() {
			v.Add("status", "ticket.status_unknown", map[string]string{"status": st})
		}
		f.Statuses = append(f.Statuses, otklik.Status(st))
	}
	for _, ch := range splitList(q.Channel) {
		if !otklik.Channel(ch).Valid() {
			v.Add("channel", "channel.unknown", map[string]string{"value": ch})
		}
		f.Channels = append(f.Channels, otklik.Channel(ch))
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	for _, code := range splitList(q.Category) {
		c, ok := categoryByCode(cat.cats, code)
		if !ok {
			v.Add("category", "category.unknown", map[string]string{"value": code})
			continue
		}
		f.CategoryIDs = append(f.CategoryIDs, otklik.Descendants(cat.cats, c.ID)...)
	}
	for _, code := range splitList(q.Group) {
		g, ok := cat.groupByCode(code)
		if !ok {
			v.Add("group", "group.unknown", map[string]string{"value": code})
			continue
		}
		f.GroupIDs = append(f.GroupIDs, g.ID)
	}
	for _, a := range splitList(q.Assignee) {
		switch a {
		case "none":
			f.Unassigned = true
		case "me":
			if me != nil {
				f.AssigneeIDs = append(f.AssigneeIDs, me.ID)
			}
		default:
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil || id <= 0 {
				v.Add("assignee", "assignee.filter", map[string]string{"value": a})
			}
			f.AssigneeIDs = append(f.AssigneeIDs, id)
		}
	}
	var lookup otklik.RequesterLookup
	if e := strings.TrimSpace(q.RequesterEmail); e != "" {
		if addr, err := identity.ParseEmail(e); err != nil {
			v.Add("requester_email", identityKey(err, "email.format"), nil)
		} else {
			lookup.Email = strings.ToLower(addr)
		}
	}
	if p := strings.TrimSpace(q.RequesterPhone); p != "" {
		if ph, err := identity.ParsePhone(p); err != nil {
			v.Add("requester_phone", identityKey(err, "phone.format"), nil)
		} else {
			lookup.Phone = string(ph)
		}
	}
	if sn := strings.TrimSpace(q.RequesterSNILS); sn != "" {
		if n, err := identity.ParseSNILS(sn); err != nil {
			v.Add("requester_snils", identityKey(err, "snils.format"), nil)
		} else {
			lookup.SNILS = string(n)
		}
	}
	if t, ok := parseTime(&v, "created_from", q.CreatedFrom, false); ok {
		f.CreatedFrom = t
	}
	if t, ok := parseTime(&v, "created_to", q.CreatedTo, true); ok {
		f.CreatedTo = t
	}
	switch q.Overdue {
	case "", "false":
	case "true":
		f.OverdueAt = s.now()
	default:
		v.Add("overdue", "field.boolean", map[string]string{"value": q.Overdue})
	}
	switch q.Order {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		v.Add("order", "list.order", nil)
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > MaxPageSize {
			v.Add("limit", "list.limit", map[string]string{"max": strconv.Itoa(MaxPageSize)})
		}
		f.Limit = n
	}
	// A registration period is listed in registration order (see otklik.TicketFilter.ByCreated).
	f.ByCreated = (!f.CreatedFrom.IsZero() || !f.CreatedTo.IsZero()) && strings.TrimSpace(q.Q) == ""
	if q.Cursor != "" {
		c, ok := decodeCursor(q.Cursor)
		if !ok || c.asc != f.Ascending || c.byCreated != f.ByCreated {
			v.Add("cursor", "list.cursor", nil)
		}
		f.AfterID, f.AfterCreated = c.id, c.created
	}
	if strings.TrimSpace(q.Q) != "" {
		if len(q.Q) > 1000 {
			v.Add("q", "field.too_long", map[string]string{"max": "1000", "len": strconv.Itoa(len(q.Q))})
		}
		f.Query = q.Q
		f.Terms = russian.QueryTerms(q.Q)
		if len(f.Terms) == 0 {
			// Nothing searchable (only punctuation): no ticket can match.
			return nil, v.Err()
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if lookup != (otklik.RequesterLookup{}) {
		ids, err := s.store.RequesterIDs(ctx, lookup)
		if err != nil {
			return nil, err
		}
		f.RequesterIDs = ids
		if f.RequesterIDs == nil {
			f.RequesterIDs = []int64{}
		}
	}
	return &f, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseTime reads an RFC 3339 time or a Moscow date; endOfDay turns a date into the start of the next
// day, so that created_to=2026-11-23 includes that whole day.
func parseTime(v *otklik.Validation, field, s string, endOfDay bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if d, err := time.ParseInLocation("2006-01-02", s, Moscow); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	v.Add(field, "list.time", nil)
	return time.Time{}, false
}

// cursor is where a page ended: the last ticket's ID (and registration time, when the list is in
// registration order) and the direction. Clients see it as an opaque string.
type cursor struct {
	id        int64
	created   time.Time
	asc       bool
	byCreated bool
}

func encodeCursor(c cursor) string {
	dir := "d"
	if c.asc {
		dir = "a"
	}
	s := dir + strconv.FormatInt(c.id, 10)
	if c.byCreated {
		s = strings.ToUpper(dir) + strconv.FormatInt(c.created.UnixMicro(), 10) + "." + strconv.FormatInt(c.id, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 {
		return cursor{}, false
	}
	var c cursor
	switch b[0] {
	case 'a', 'A':
		c.asc = true
	case 'd', 'D':
	default:
		return cursor{}, false
	}
	rest := string(b[1:])
	if b[0] == 'A' || b[0] == 'D' {
		c.byCreated = true
		micros, id, ok := strings.Cut(rest, ".")
		m, err := strconv.ParseInt(micros, 10, 64)
		if !ok || err != nil {
			return cursor{}, false
		}
		c.created, rest = time.UnixMicro(m).UTC(), id
	}
	c.id, err = strconv.ParseInt(rest, 10, 64)
	if err != nil || c.id <= 0 {
		return cursor{}, false
	}
	return c, true
}
