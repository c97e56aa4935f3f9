package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSLAAPI: a ticket shows its deadlines and the working time left; the deadline arithmetic, the
// calendars and policies, an extension and the overdue view are reachable with the right roles.
func TestSLAAPI(t *testing.T) {
	x := newApp(t, "sqlite") // the clock: Monday 23 November 2026, 12:30 Moscow
	number := x.create(validTicket)
	code, _, m, raw := x.do("GET", "/api/v1/tickets/"+number, x.op, "")
	sla, _ := m["sla"].(map[string]any)
	if code != 200 || m["due_at"] == nil || sla == nil || sla["remaining_seconds"] == nil || sla["overdue"] != false || sla["policy"] == "" {
		t.Fatalf("ticket: %d %s", code, raw)
	}

	code, _, m, raw = x.do("GET", "/api/v1/sla/due?start=2025-12-26T17:30:00%2B03:00&business_days=5", x.op, "")
	if code != 200 || m["due"] != "2026-01-14T18:00:00+03:00" || m["confirmed"] != true {
		t.Errorf("due: %d %s", code, raw)
	}
	code, _, _, raw = x.do("GET", "/api/v1/sla/due?start=2025-12-26T17:30:00%2B03:00&business_days=5&business_hours=3", x.op, "")
	if code != http.StatusUnprocessableEntity {
		t.Errorf("two targets: %d %s", code, raw)
	}
	// A target out of range is named by its own field.
	for q, field := range map[string]string{
		"business_days=-3": "business_days", "business_days=367": "business_days", "business_days=x": "business_days",
		"business_hours=0": "business_hours", "business_hours=100001": "business_hours",
	} {
		code, _, m, raw = x.do("GET", "/api/v1/sla/due?start=2025-12-26T17:30:00%2B03:00&"+q, x.op, "")
		errs, _ := m["errors"].([]any)
		var only map[string]any
		if len(errs) == 1 {
			only, _ = errs[0].(map[string]any)
		}
		if code != http.StatusUnprocessableEntity || only["field"] != field || only["code"] != "sla.target_range" {
			t.Errorf("%s: %d %s", q, code, raw)
		}
	}

	// Calendars: administrators change a day; others may only read.
	if code, _, _, raw := x.do("PUT", "/api/v1/calendars/office/overrides/2026-11-24", x.op, `{"kind":"holiday"}`); code != http.StatusForbidden {
		t.Errorf("an operator changed the calendar: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("PUT", "/api/v1/calendars/office/overrides/2026-11-24", x.admin, `{"kind":"holiday","note":"региональный праздник"}`); code != http.StatusNoContent {
		t.Fatalf("override: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("PUT", "/api/v1/calendars/office/overrides/2026-11-24", x.admin, `{"kind":"siesta"}`); code != http.StatusUnprocessableEntity {
		t.Errorf("bad kind: %d %s", code, raw)
	}
	code, _, _, raw = x.do("GET", "/api/v1/calendars", x.auditor, "")
	if code != 200 || !strings.Contains(string(raw), `"2026-11-24"`) || !strings.Contains(string(raw), "региональный праздник") {
		t.Errorf("calendars: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/calendars/office/overrides/2026-11-24", x.admin, ""); code != http.StatusNoContent {
		t.Errorf("delete override: %d %s", code, raw)
	}

	// A regional office's calendar, and a policy on it.
	code, _, _, raw = x.do("PUT", "/api/v1/calendars/kaliningrad", x.admin, `{"title":"Калининградский офис","week":"mon-thu 08:00-17:00, fri 08:00-15:45"}`)
	if code != 200 {
		t.Errorf("put calendar: %d %s", code, raw)
	}
	code, _, _, raw = x.do("PUT", "/api/v1/calendars/broken", x.admin, `{"title":"Сломанный","week":"каждый день с утра"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "calendar.week") {
		t.Errorf("bad week: %d %s", code, raw)
	}

	// Policies.
	code, _, _, raw = x.do("PUT", "/api/v1/sla/policies/mobile", x.admin, `{"name":"Мобильное приложение","position":45,"category":"mobile","resolution":"36h","calendar":"kaliningrad"}`)
	if code != 200 {
		t.Errorf("put policy: %d %s", code, raw)
	}
	code, _, _, raw = x.do("PUT", "/api/v1/sla/policies/bad", x.admin, `{"name":"Плохая","resolution":"завтра","calendar":"nowhere"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "sla.target_format") || !strings.Contains(string(raw), "calendar.unknown") {
		t.Errorf("bad policy: %d %s", code, raw)
	}
	code, _, _, raw = x.do("GET", "/api/v1/sla/policies", x.op, "")
	if code != 200 || !strings.Contains(string(raw), `"mobile"`) || !strings.Contains(string(raw), `"complex"`) {
		t.Errorf("policies: %d %s", code, raw)
	}
	// Removing: a calendar a policy is on is refused, naming it; the office calendar too; a policy goes,
	// and then its calendar.
	if code, _, _, raw := x.do("DELETE", "/api/v1/calendars/kaliningrad", x.admin, ""); code != http.StatusConflict || !strings.Contains(string(raw), "Мобильное приложение") {
		t.Errorf("delete a calendar a policy is on: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/calendars/office", x.admin, ""); code != http.StatusConflict || !strings.Contains(string(raw), "59-ФЗ") {
		t.Errorf("delete the office calendar: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/sla/policies/mobile", x.op, ""); code != http.StatusForbidden {
		t.Errorf("an operator deletes a policy: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/sla/policies/mobile", x.admin, ""); code != http.StatusNoContent {
		t.Errorf("delete a policy: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/sla/policies/mobile", x.admin, ""); code != http.StatusNotFound {
		t.Errorf("delete it again: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/calendars/kaliningrad", x.admin, ""); code != http.StatusNoContent {
		t.Errorf("delete a calendar no policy is on: %d %s", code, raw)
	}
	code, _, _, raw = x.do("GET", "/api/v1/calendars", x.op, "")
	if code != 200 || strings.Contains(string(raw), "kaliningrad") {
		t.Errorf("calendars after removing one: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/calendars/kaliningrad", x.admin, ""); code != http.StatusNotFound {
		t.Errorf("delete it again: %d %s", code, raw)
	}

	// Extension: with a reason, later than now; the journal keeps both dates.
	code, _, m, raw = x.do("POST", "/api/v1/tickets/"+number+"/extend", x.op, `{"until":"2026-12-10","reason":"documents","note":"ждём справку"}`)
	if code != 200 || !strings.HasPrefix(m["due_at"].(string), "2026-12-10T23:59:59") {
		t.Fatalf("extend: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("POST", "/api/v1/tickets/"+number+"/extend", x.op, `{"until":"2026-12-01","reason":"documents"}`); code != http.StatusUnprocessableEntity {
		t.Errorf("extend to an earlier date: %d %s", code, raw)
	}
	code, _, _, raw = x.do("GET", "/api/v1/tickets/"+number+"/journal", x.auditor, "")
	if code != 200 || !strings.Contains(string(raw), `"extended"`) || !strings.Contains(string(raw), "ждём справку") {
		t.Errorf("journal: %d %s", code, raw)
	}

	// The overdue view: nothing yet; a month later, the ticket.
	if code, _, m, raw := x.do("GET", "/api/v1/tickets?overdue=true", x.op, ""); code != 200 || len(m["items"].([]any)) != 0 {
		t.Errorf("overdue now: %d %s", code, raw)
	}
	x.clock.Add(30 * 24 * time.Hour)
	code, _, m, raw = x.do("GET", "/api/v1/tickets?overdue=true", x.op, "")
	if code != 200 || len(m["items"].([]any)) != 1 {
		t.Fatalf("overdue a month later: %d %s", code, raw)
	}
	if it := m["items"].([]any)[0].(map[string]any); it["sla"].(map[string]any)["overdue"] != true {
		t.Errorf("item not marked overdue: %v", it["sla"])
	}
	if code, _, _, _ := x.do("GET", "/api/v1/tickets?overdue=maybe", x.op, ""); code != http.StatusUnprocessableEntity {
		t.Errorf("overdue=maybe: %d", code)
	}
}

// TestAdminJournalAPI: the administration journal through the API — administrators' changes to a
// calendar's day and a policy, newest first, with the object before and after as JSON, a page at a
// time; operators are refused.
func TestAdminJournalAPI(t *testing.T) {
	x := newApp(t, "sqlite")
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/api/v1/calendars/office/overrides/2026-11-24", `{"kind":"holiday","note":"региональный праздник"}`},
		{"PUT", "/api/v1/calendars/office/overrides/2026-11-24", `{"kind":"short"}`},
		{"DELETE", "/api/v1/sla/policies/complex", ""},
	} {
		if code, _, _, raw := x.do(c.method, c.path, x.admin, c.body); code != http.StatusNoContent {
			t.Fatalf("%s %s: %d %s", c.method, c.path, code, raw)
		}
	}
	code, _, m, raw := x.do("GET", "/api/v1/admin/journal?limit=2", x.admin, "")
	items, _ := m["items"].([]any)
	if code != 200 || len(items) != 2 || m["next_cursor"] == nil {
		t.Fatalf("journal: %d %s", code, raw)
	}
	newest, _ := items[0].(map[string]any)
	before, _ := newest["before"].(map[string]any)
	actor, _ := newest["actor"].(map[string]any)
	if newest["object"] != "sla_policy" || newest["key"] != "complex" || newest["action"] != "deleted" || newest["after"] != nil ||
		before["resolution"] != "15d" || actor["type"] != "staff" || newest["hash"] == "" {
		t.Errorf("the newest record: %s", raw)
	}
	day, _ := items[1].(map[string]any)
	if was, _ := day["before"].(map[string]any); day["key"] != "office/2026-11-24" || day["action"] != "changed" || was["kind"] != "holiday" {
		t.Errorf("the day changed: %s", raw)
	}
	code, _, m, raw = x.do("GET", "/api/v1/admin/journal?object=calendar_day&cursor="+m["next_cursor"].(string), x.admin, "")
	if items, _ := m["items"].([]any); code != 200 || len(items) != 1 || items[0].(map[string]any)["action"] != "created" {
		t.Errorf("the older day records: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("GET", "/api/v1/admin/journal?object=tickets", x.admin, ""); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown object: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("GET", "/api/v1/admin/journal", x.op, ""); code != http.StatusForbidden {
		t.Errorf("an operator read the administration journal: %d %s", code, raw)
	}
}
