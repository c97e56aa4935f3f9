package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// The call page (/agent/call): an operator logs a phone call as a ticket in a few keystrokes. The
// caller's number comes prefilled when the telephone exchange announced the call (?phone=); the card
// beside the form shows the requester on file the number (or СНИЛС, or e-mail) matches and their
// latest tickets, with personal data masked. "Найти" refreshes the card without registering anything;
// agent.js refreshes it as the operator types.

// callForm is the form as the operator typed it, kept when it is refused.
type callForm struct {
	Phone, Name, Email, SNILS, Category, Subject, Notes, Outcome string
}

type callData struct {
	Form     callForm
	Errors   map[string]string // field → message, in the page's language
	Focus    string            // the field that gets the focus: the first refused one, else the phone
	Looked   bool              // a lookup ran: an empty card says nobody is on file
	Caller   callerCard
	Cats     []categoryOption
	Outcomes []service.CallOutcome
}

type callerCard struct {
	Found                     bool
	Name, Email, Phone, SNILS string // masked
	Recent                    []*otklik.Ticket
}

type categoryOption struct {
	Code, Label string
	Depth       int
}

// callFields are the form's fields in the order the page shows them: the first refused one gets the
// focus.
var callFields = []string{"phone", "name", "snils", "email", "category", "subject", "notes", "outcome"}

func (wb *Web) callPage(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "call") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	q := r.URL.Query()
	f := callForm{Phone: q.Get("phone"), Email: q.Get("email"), SNILS: q.Get("snils"), Outcome: string(service.CallResolved)}
	wb.renderCall(w, r, http.StatusOK, f, nil)
}

// call registers the call, or, when the form's "Найти" button sent it (action=lookup), only shows
// the caller's card again.
func (wb *Web) call(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "call") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	f := callForm{}
	for _, fld := range []struct {
		name string
		dst  *string
	}{{"phone", &f.Phone}, {"name", &f.Name}, {"email", &f.Email}, {"snils", &f.SNILS}, {"category", &f.Category},
		{"subject", &f.Subject}, {"notes", &f.Notes}, {"outcome", &f.Outcome}} {
		*fld.dst = r.PostFormValue(fld.name)
	}
	if r.PostFormValue("action") == "lookup" {
		wb.renderCall(w, r, http.StatusOK, f, nil)
		return
	}
	t, err := wb.svc.LogCall(r.Context(), s.user.Actor(otklik.ChannelAgent), service.Call{
		Phone: f.Phone, Name: f.Name, Email: f.Email, SNILS: f.SNILS, Category: f.Category,
		Subject: f.Subject, Notes: f.Notes, Outcome: service.CallOutcome(f.Outcome)})
	var e *otklik.Error
	if err != nil && errors.As(err, &e) && e.Code == otklik.EINVALID {
		wb.renderCall(w, r, http.StatusUnprocessableEntity, f, e)
		return
	}
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	backToTicket(w, r, t.Number)
}

// renderCall shows the call form as typed, with the messages of a refusal on their fields, and the
// card of the caller the identifiers match (an identifier that does not parse is marked on its field).
func (wb *Web) renderCall(w http.ResponseWriter, r *http.Request, code int, f callForm, refused *otklik.Error) {
	ctx := r.Context()
	l := lang(r)
	d := callData{Form: f, Errors: map[string]string{}, Outcomes: service.CallOutcomes}
	if refused != nil {
		for _, fe := range refused.Fields {
			field := strings.TrimPrefix(fe.Field, "requester.")
			if field == "body" {
				field = "notes"
			}
			if _, ok := d.Errors[field]; !ok {
				d.Errors[field] = i18n.T(l, fe.Key, fe.Args)
			}
		}
	}
	if strings.TrimSpace(f.Phone) != "" || strings.TrimSpace(f.Email) != "" || strings.TrimSpace(f.SNILS) != "" {
		c, err := wb.svc.FindCaller(ctx, service.CallerQuery{Phone: f.Phone, Email: f.Email, SNILS: f.SNILS})
		var e *otklik.Error
		switch {
		case err == nil:
			d.Looked, d.Caller = true, card(c)
		case errors.As(err, &e) && e.Code == otklik.EINVALID:
			for _, fe := range e.Fields {
				if _, ok := d.Errors[fe.Field]; !ok {
					d.Errors[fe.Field] = i18n.T(l, fe.Key, fe.Args)
				}
			}
			if code == http.StatusOK && r.Method == http.MethodPost {
				code = http.StatusUnprocessableEntity
			}
		default:
			wb.failErr(w, r, err)
			return
		}
	}
	cats, err := wb.svc.Categories(ctx)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	d.Cats = categoryOptions(cats)
	d.Focus = "phone"
	for _, fld := range callFields {
		if _, ok := d.Errors[fld]; ok {
			d.Focus = fld
			break
		}
	}
	p := &page{Title: "ui.call.title", Nav: "call", Back: "/agent/call", Data: d}
	if refused != nil {
		p.Error = "ui.call.invalid"
	}
	wb.render(w, r, code, "call", p)
}

// card is the caller's card with the identifiers masked.
func card(c *service.Caller) callerCard {
	if c.Requester == nil {
		return callerCard{}
	}
	rq := c.Requester
	k := callerCard{Found: true, Name: rq.Name, Email: maskEmail(rq.Email), Recent: c.Recent}
	if rq.Phone != "" {
		k.Phone = maskValue(identity.Phone(rq.Phone).Display())
	}
	if rq.SNILS != "" {
		k.SNILS = maskValue(identity.SNILS(rq.SNILS).String())
	}
	return k
}

// categoryOptions lists the category tree in order, each under its parent, with its depth.
func categoryOptions(cats []otklik.Category) []categoryOption {
	var out []categoryOption
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, c := range cats {
			if c.ParentID == parent && depth < 8 {
				out = append(out, categoryOption{Code: c.Code, Label: strings.Repeat("— ", depth) + c.Name, Depth: depth})
				walk(c.ID, depth+1)
			}
		}
	}
	walk(0, 0)
	return out
}
