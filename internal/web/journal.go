package web

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// JournalText is a journal record as the timeline says it: what changed, from what to what, in the
// page's words — statuses and priorities named, times in Moscow time, machine details (the created
// record's snapshot, SLA bookkeeping) left to the journal API.
func (p *page) JournalText(r *otklik.JournalRecord) string {
	what := p.T("ui.kind." + string(r.Kind))
	var change string
	switch r.Kind {
	case otklik.KindCreated:
		return what
	case otklik.KindStatus:
		change = p.T("ui.status."+r.Before) + " → " + p.T("ui.status."+r.After)
	case otklik.KindPriority:
		change = p.T("ui.priority."+r.Before) + " → " + p.T("ui.priority."+r.After)
	case otklik.KindField:
		if r.Field == "appeal" {
			what = p.T("ui.journal.appeal_" + r.After) // marked, or unmarked, as a 59-ФЗ appeal
			break
		}
		change = namesChange(r)
	case otklik.KindSLA:
		if r.Field == "sla_policy" {
			what, change = p.T("ui.sla.field.sla_policy"), p.policyName(r.Before)+" → "+p.policyName(r.After)
			break
		}
		if r.Field == "deadlines" { // both deadlines moved at once
			change = p.deadlinesText(r.Before, r.After)
			what = p.T("ui.sla.field.deadlines")
			break
		}
		what = p.T("ui.sla.field." + r.Field)
		if strings.HasPrefix(what, "ui.") {
			what = p.T("ui.kind.sla") + " (" + r.Field + ")"
		}
		before, after := dueText(r.Before), dueText(r.After)
		switch {
		case before != "" && after != "" && before != after:
			change = before + " → " + after
		case after != "":
			change = after
		case before != "":
			change = before
		}
	case otklik.KindLink:
		change = p.T("ui.link."+r.Field) + " " + r.After
	default:
		change = namesChange(r)
	}
	s := what
	if change != "" {
		s += ": " + change
	}
	if r.Reason != "" {
		s += " — " + r.Reason
	}
	return s
}

// deadlinesText writes a "deadlines" record's two moves: "срок первого ответа: A → B; срок решения:
// C → D".
func (p *page) deadlinesText(before, after string) string {
	var b, a service.DeadlinesRecord
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	var parts []string
	for _, m := range []struct{ field, before, after string }{
		{"first_response_due_at", b.FirstResponseDue, a.FirstResponseDue}, {"due_at", b.Due, a.Due},
	} {
		from, to := dueText(m.before), dueText(m.after)
		switch {
		case from != "" && to != "":
			parts = append(parts, p.T("ui.sla.field."+m.field)+": "+from+" → "+to)
		case to != "":
			parts = append(parts, p.T("ui.sla.field."+m.field)+": "+to)
		}
	}
	return strings.Join(parts, "; ")
}

// dueText reads a deadline as the SLA records keep it (an RFC 3339 time, or JSON with "due") and
// writes it in Moscow time.
func dueText(v string) string {
	if strings.HasPrefix(v, "{") {
		var r struct {
			Due string `json:"due"`
		}
		if json.Unmarshal([]byte(v), &r) != nil {
			return ""
		}
		v = r.Due
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return ""
	}
	return t.In(service.Moscow).Format("02.01.2006 15:04")
}

// namesChange writes a record's change as "before → after", without the IDs kept after names.
func namesChange(r *otklik.JournalRecord) string {
	change := nameOnly(r.Before)
	if a := nameOnly(r.After); a != "" {
		if change != "" {
			change += " → "
		}
		change += a
	}
	return change
}

// nameOnly drops the "#ID" a journal keeps after a staff member's or group's name.
func nameOnly(v string) string {
	if i := strings.LastIndex(v, " #"); i > 0 {
		return v[:i]
	}
	return v
}

// policyName names an SLA policy by its code as the ticket page knows them; "" is the rules' choice.
func (p *page) policyName(code string) string {
	if code == "" {
		return p.T("ui.sla.policy_rules")
	}
	if d, ok := p.Data.(*ticketData); ok && d.Policies.Names[code] != "" {
		return d.Policies.Names[code]
	}
	return code
}
