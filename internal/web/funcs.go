package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// funcs are the templates' helpers. Words come from the catalogue: a helper that needs one takes the
// page's language.
var funcs = template.FuncMap{
	// when formats an instant in Moscow time, as everything in Otklik is shown.
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(service.Moscow).Format("02.01.2006 15:04")
	},
	"whenp": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.In(service.Moscow).Format("02.01.2006 15:04")
	},
	"iso": func(t time.Time) string { return t.Format(time.RFC3339) },
	"abs": func(d time.Duration) time.Duration {
		if d < 0 {
			return -d
		}
		return d
	},
	"join":       strings.Join,
	"statuses":   func() []otklik.Status { return otklik.Statuses },
	"channels":   func() []otklik.Channel { return otklik.Channels },
	"priorities": func() []otklik.Priority { return otklik.Priorities },
	// slaOf pairs a deadline badge with its page, for the "sla" template.
	"slaOf":  func(p *page, b slaBadge) slaView { return slaView{P: p, B: b} },
	"fileOf": func(p *page, f *otklik.Attachment) fileView { return fileView{P: p, F: f} },
	// adminForm pairs a response template's form with its page, for the "templatefields" template.
	"adminForm": func(p *page, f templateForm) templateFormView { return templateFormView{P: p, F: f} },
	// policyFields pairs an SLA policy's form with its page and choices, for the "policyfields" template.
	"policyFields": func(p *page, f policyForm, cals []*otklik.Calendar, cats []otklik.Category, edit bool) policyView {
		return policyView{P: p, F: f, Calendars: cals, Cats: cats, Edit: edit}
	},
	// policyOf pairs a policy with its page, for the "policymatches" template.
	"policyOf": func(p *page, pol *otklik.SLAPolicy) policyItem { return policyItem{P: p, Pol: pol} },
	// isStaff reports whether a message's author is staff.
	"isStaff": func(a otklik.Actor) bool { return a.Type == otklik.ActorStaff },
	// left is working time as "2 ч 05 мин" (or "2 h 05 min"; from ten hours on, hours only), with a
	// minus sign when negative.
	"left": func(lang string, d time.Duration) string {
		sign := ""
		if d < 0 {
			sign, d = "−", -d
		}
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if h >= 10 { // minutes no longer matter
			return sign + i18n.T(lang, "ui.duration_hours", map[string]string{"h": strconv.Itoa(h)})
		}
		return sign + i18n.T(lang, "ui.duration", map[string]string{"h": strconv.Itoa(h), "m": pad2(m)})
	},
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

type slaView struct {
	P *page
	B slaBadge
}

type templateFormView struct {
	P *page
	F templateForm
}
