package service

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/otklik/otklik/internal/otklik"
)

// MaxAdminJournalLimit is the most administration records one read returns.
const MaxAdminJournalLimit = 500

// AdminJournal returns the administration records matching f, newest first: 100 when f.Limit is 0,
// at most MaxAdminJournalLimit.
func (s *Service) AdminJournal(ctx context.Context, f otklik.AdminJournalFilter) ([]*otklik.AdminRecord, error) {
	f.Limit = readLimit(f.Limit, MaxAdminJournalLimit)
	return s.store.AdminJournal(ctx, f)
}

// readLimit is how many rows a read of a log returns when asked for n: 100 when n is 0 (or less), at
// most max.
func readLimit(n, max int) int {
	if n <= 0 {
		return 100
	}
	return min(n, max)
}

// journalAdmin appends to the administration journal, in tx, that actor did action to the object
// (otklik.AdminCalendar…) by key: before and after are the object's fields as they were and are (nil
// for none), marshalled to JSON. A change that changed nothing is not recorded.
func journalAdmin(ctx context.Context, tx otklik.Tx, actor otklik.Actor, object, key, action string, before, after any, reason string) error {
	b, a := adminJSON(before), adminJSON(after)
	if action == otklik.AdminChanged && b == a && reason == "" {
		return nil
	}
	return tx.AppendAdmin(ctx, &otklik.AdminRecord{Actor: actor, Object: object, Key: key, Action: action,
		Before: b, After: a, Reason: reason})
}

// changeOf is the action of a change from before: created when there was nothing.
func changeOf[T any](before *T) string {
	if before == nil {
		return otklik.AdminCreated
	}
	return otklik.AdminChanged
}

// adminJSON is v as the journal keeps it; "" for nil.
func adminJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("service: an administration record's object does not marshal: " + err.Error()) // our own types
	}
	return string(b)
}

// What the administration journal keeps of each object: what an administrator sets, not what Otklik
// keeps about it (times, authors, hashes, secrets).
type (
	adminCalendar struct {
		Title string `json:"title"`
		Week  string `json:"week"`
	}
	adminDay struct {
		Kind string `json:"kind"`
		Note string `json:"note,omitempty"`
	}
	adminPolicy struct {
		Name          string `json:"name"`
		Position      int    `json:"position"`
		Category      string `json:"category,omitempty"`
		Channel       string `json:"channel,omitempty"`
		Priority      string `json:"priority,omitempty"`
		Manual        bool   `json:"manual,omitempty"`
		FirstResponse string `json:"first_response,omitempty"`
		Resolution    string `json:"resolution,omitempty"`
		Calendar      string `json:"calendar"`
	}
	adminUser struct {
		Name     string `json:"name"`
		Role     string `json:"role"`
		Group    string `json:"group,omitempty"`
		Disabled bool   `json:"disabled,omitempty"`
	}
	adminGroup struct {
		Name string `json:"name"`
	}
	adminCategory struct {
		Name   string `json:"name"`
		Parent string `json:"parent,omitempty"`
		Group  string `json:"group,omitempty"`
	}
	adminTemplate struct {
		Code  string `json:"code,omitempty"`
		Title string `json:"title"`
		Body  string `json:"body"`
	}
)

// calendarFields and the others are what the administration journal keeps of an object; nil (no
// object) for nil.
func calendarFields(c *otklik.Calendar) any {
	if c == nil {
		return nil
	}
	return adminCalendar{Title: c.Title, Week: c.Week}
}

func dayFields(o *otklik.CalendarOverride) any {
	if o == nil {
		return nil
	}
	return adminDay{Kind: o.Kind, Note: o.Note}
}

func policyFields(p *otklik.SLAPolicy) any {
	if p == nil {
		return nil
	}
	return adminPolicy{Name: p.Name, Position: p.Position, Category: p.Category, Channel: string(p.Channel),
		Priority: string(p.Priority), Manual: p.Manual, FirstResponse: p.FirstResponse, Resolution: p.Resolution,
		Calendar: p.Calendar}
}

func userFields(u *otklik.User, group string) any {
	return adminUser{Name: u.Name, Role: string(u.Role), Group: group, Disabled: u.Disabled}
}

func templateFields(t *otklik.ResponseTemplate) any {
	if t == nil {
		return nil
	}
	return adminTemplate{Code: t.Code, Title: t.Title, Body: t.Body}
}

// dayKey is the administration journal's key of a calendar's day.
func dayKey(calendar, day string) string { return calendar + "/" + day }

// templateKey is the administration journal's key of a response template.
func templateKey(id int64) string { return strconv.FormatInt(id, 10) }
