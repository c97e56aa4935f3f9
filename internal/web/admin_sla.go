package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/sla"
)

// Calendars (the working week and the days an administrator changed) and SLA policies (their
// targets). The service checks every change and says clearly what is wrong with it.

type overrideForm struct {
	Calendar, Day, Kind, Note string
}

// calendarForm is a calendar's title and working week as typed; New marks the form that adds one.
type calendarForm struct {
	Name, Title, Week string
	New               bool
}

// policyForm is a policy's form as shown or typed: the list's, which adds one (slaData.NewPolicy), and a
// policy's own page's, which changes it (policyPage); one template block ("policyfields") shows both.
type policyForm struct {
	Code, Name, Position, Category, Channel, Priority, FirstResponse, Resolution, Calendar string
	Manual                                                                                 bool
	Typed                                                                                  bool // refused: show it as typed
}

// policyFormOf is p as its form shows it.
func policyFormOf(p *otklik.SLAPolicy) policyForm {
	return policyForm{Code: p.Code, Name: p.Name, Position: strconv.Itoa(p.Position), Category: p.Category,
		Channel: string(p.Channel), Priority: string(p.Priority), Manual: p.Manual,
		FirstResponse: p.FirstResponse, Resolution: p.Resolution, Calendar: p.Calendar}
}

// policyInput reads a policy's form; the code is the address's when it has one (a change).
func policyInput(r *http.Request) (policyForm, otklik.SLAPolicy, error) {
	f := policyForm{Code: cmp.Or(r.PathValue("code"), strings.TrimSpace(r.PostFormValue("code"))), Name: r.PostFormValue("name"),
		Position: strings.TrimSpace(r.PostFormValue("position")), Category: r.PostFormValue("category"),
		Channel: r.PostFormValue("channel"), Priority: r.PostFormValue("priority"), Manual: r.PostFormValue("manual") == "1",
		FirstResponse: strings.TrimSpace(r.PostFormValue("first_response")), Resolution: strings.TrimSpace(r.PostFormValue("resolution")),
		Calendar: r.PostFormValue("calendar"), Typed: true}
	pos, err := strconv.Atoi(f.Position)
	if err != nil || pos < 0 || pos > 1_000_000 {
		return f, otklik.SLAPolicy{}, otklik.Invalid(otklik.FieldError{Field: "position", Key: "ui.admin.sla.position_format"})
	}
	return f, otklik.SLAPolicy{Code: f.Code, Name: f.Name, Position: pos, Category: f.Category, Channel: otklik.Channel(f.Channel),
		Priority: otklik.Priority(f.Priority), Manual: f.Manual, FirstResponse: f.FirstResponse, Resolution: f.Resolution,
		Calendar: f.Calendar}, nil
}

// policyView pairs a policy's form with its page and what it chooses from, for the "policyfields"
// template.
type policyView struct {
	P         *page
	F         policyForm
	Calendars []*otklik.Calendar
	Cats      []otklik.Category
	Edit      bool // a change: the code stays
}

type slaData struct {
	Calendars []*otklik.Calendar
	Policies  []*otklik.SLAPolicy
	Kinds     []string
	Override  overrideForm // the override form as typed, for the calendar it names
	Calendar  calendarForm // a calendar's form as typed, for the calendar it names (or the new one)
	NewPolicy policyForm
	// UsedBy names the policies on each calendar: a calendar that has any cannot be removed.
	UsedBy map[string][]string
	Legal  string            // the calendar statutory deadlines follow, which cannot be removed
	Cats   []otklik.Category // what a new policy may match
	// Production is the production calendar built in, year by year; Missing, the years deadlines reach
	// that it lacks (sla.MissingYears).
	Production []productionYear
	Missing    []int
	// Recompute is the recomputation of open tickets' deadlines to tell the administrator about: one
	// queued or running, else the latest (done or failed); nil when there has been none lately.
	Recompute *otklik.Job
}

// productionYear is a year of the production calendar as the page shows it.
type productionYear struct {
	sla.Year
	Days []productionDay
}

// productionDay is a day the production calendar marks: its date with the day of the week, as the
// page shows them.
type productionDay struct {
	Date, Weekday, Kind, From, Note string
}

// productionYears are the years of the production calendar built in, for the page.
func productionYears() []productionYear {
	var out []productionYear
	for _, n := range sla.Years() {
		y, _ := sla.ProductionYear(n)
		py := productionYear{Year: y}
		for _, d := range y.Days {
			from := ""
			if f, err := sla.ParseDate(d.From); err == nil {
				from = f.Midnight().Format("02.01.2006")
			}
			py.Days = append(py.Days, productionDay{Date: d.Date.Midnight().Format("02.01.2006"),
				Weekday: strconv.Itoa(int(d.Date.Weekday())), Kind: string(d.Kind), From: from, Note: d.Note})
		}
		out = append(out, py)
	}
	return out
}

// overrideKinds are the kinds of day an override sets.
var overrideKinds = []string{"holiday", "off", "work", "short"}

func (wb *Web) adminSLA(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.slaPage(w, r, nil, slaData{})
}

func (wb *Web) slaPage(w http.ResponseWriter, r *http.Request, err error, d slaData) {
	ctx := r.Context()
	var lerr error
	if d.Calendars, lerr = wb.svc.Calendars(ctx); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	if d.Policies, lerr = wb.svc.SLAPolicies(ctx); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	d.Kinds = overrideKinds
	if d.Cats, lerr = wb.svc.Categories(ctx); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	if !d.NewPolicy.Typed { // after the last one, on the office calendar
		d.NewPolicy = policyForm{Calendar: service.LegalCalendar, Position: "10"}
		if n := len(d.Policies); n > 0 {
			d.NewPolicy.Position = strconv.Itoa(d.Policies[n-1].Position + 10)
		}
	}
	d.Production, d.Missing = productionYears(), sla.MissingYears(wb.now())
	d.UsedBy, d.Legal = map[string][]string{}, service.LegalCalendar
	for _, p := range d.Policies {
		d.UsedBy[p.Calendar] = append(d.UsedBy[p.Calendar], p.Name)
	}
	if d.Recompute, lerr = wb.recomputation(ctx); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	p := adminPage(r, "ui.admin.sla.title", "sla", d)
	p.Back = "/admin/sla"
	if err != nil {
		wb.refused(w, r, err, "admin_sla", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_sla", p)
}

// recomputation returns the recomputation of deadlines that the calendars' page reports: a queued or
// running one (a pass of many tickets goes on in slices, each its own job), else the latest one, done
// or failed, as long as finished jobs are kept.
func (wb *Web) recomputation(ctx context.Context) (*otklik.Job, error) {
	pending, err := wb.svc.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA, Limit: 1,
		Statuses: []otklik.JobStatus{otklik.JobQueued, otklik.JobRunning}})
	if err != nil || len(pending) > 0 {
		return firstJob(pending), err
	}
	latest, err := wb.svc.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA, Limit: 1})
	return firstJob(latest), err
}

func firstJob(js []*otklik.Job) *otklik.Job {
	if len(js) == 0 {
		return nil
	}
	return js[0]
}

// adminAddOverride sets one day of a calendar: a holiday, a day off, a working day or a short day.
func (wb *Web) adminAddOverride(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := overrideForm{Calendar: r.PathValue("name"), Day: strings.TrimSpace(r.PostFormValue("day")),
		Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	err := wb.svc.PutCalendarOverride(r.Context(), s.user.Actor(otklik.ChannelAgent), f.Calendar,
		otklik.CalendarOverride{Day: f.Day, Kind: f.Kind, Note: f.Note})
	if err != nil {
		wb.slaPage(w, r, err, slaData{Override: f})
		return
	}
	done(w, r, "/admin/sla", "override_added")
}

// adminSaveCalendar adds a calendar (a regional office's, a hotline's) or changes a calendar's title
// and working week; its days off follow the production calendar unless the week is 24x7.
func (wb *Web) adminSaveCalendar(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := calendarForm{Name: r.PathValue("name"), Title: r.PostFormValue("title"), Week: strings.TrimSpace(r.PostFormValue("week"))}
	if f.Name == "" {
		f.Name, f.New = strings.TrimSpace(r.PostFormValue("name")), true
	}
	cals, err := wb.svc.Calendars(r.Context())
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	exists := slices.ContainsFunc(cals, func(c *otklik.Calendar) bool { return c.Name == f.Name })
	switch {
	case f.New && exists: // a new calendar never replaces one by the same name
		wb.slaPage(w, r, otklik.Invalid(otklik.FieldError{Field: "name", Key: "ui.admin.sla.calendar_exists",
			Args: map[string]string{"name": f.Name}}), slaData{Calendar: f})
		return
	case !f.New && !exists: // nor does a change make one
		wb.slaPage(w, r, otklik.NotFound("calendar.not_found"), slaData{})
		return
	}
	if _, err := wb.svc.PutCalendar(r.Context(), s.user.Actor(otklik.ChannelAgent), otklik.Calendar{Name: f.Name, Title: f.Title, Week: f.Week}); err != nil {
		wb.slaPage(w, r, err, slaData{Calendar: f})
		return
	}
	done(w, r, "/admin/sla", "calendar_saved")
}

// adminAddPolicy adds a policy: what it matches (a category, a channel, a priority, or nothing but
// staff's choice), its targets and calendar, and where it stands in the order policies are tried.
func (wb *Web) adminAddPolicy(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f, in, err := policyInput(r)
	if err == nil {
		var taken *otklik.SLAPolicy
		if taken, err = wb.policyByCode(r.Context(), f.Code); err != nil {
			wb.failErr(w, r, err)
			return
		}
		if taken != nil { // never replaces one
			err = otklik.Invalid(otklik.FieldError{Field: "code", Key: "ui.admin.sla.policy_exists", Args: map[string]string{"code": f.Code}})
		}
	}
	if err == nil {
		_, err = wb.svc.PutSLAPolicy(r.Context(), s.user.Actor(otklik.ChannelAgent), in)
	}
	if err != nil {
		wb.slaPage(w, r, err, slaData{NewPolicy: f})
		return
	}
	done(w, r, "/admin/sla", "policy_added")
}

// policyItem is a policy with its page, for the "policymatches" template.
type policyItem struct {
	P   *page
	Pol *otklik.SLAPolicy
}

// policyPage is a policy's own page: the form that changes it and the one that removes it.
type policyPage struct {
	Policy    *otklik.SLAPolicy
	Form      policyForm
	Calendars []*otklik.Calendar
	Cats      []otklik.Category
}

// policyByCode returns the policy with code, nil when there is none.
func (wb *Web) policyByCode(ctx context.Context, code string) (*otklik.SLAPolicy, error) {
	pols, err := wb.svc.SLAPolicies(ctx)
	if i := slices.IndexFunc(pols, func(p *otklik.SLAPolicy) bool { return p.Code == code }); err == nil && i >= 0 {
		return pols[i], nil
	}
	return nil, err
}

// adminPolicy shows a policy: to an administrator, as the form that changes everything about it
// but its code.
func (wb *Web) adminPolicy(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.policyPage(w, r, nil, policyForm{})
}

// policyPage renders the policy of the address with form f (as typed, when refused) or, when f is
// empty, the policy as stored, and err's message.
func (wb *Web) policyPage(w http.ResponseWriter, r *http.Request, err error, f policyForm) {
	ctx := r.Context()
	pol, lerr := wb.policyByCode(ctx, r.PathValue("code"))
	if lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	if pol == nil {
		wb.fail(w, r, http.StatusNotFound, "sla.policy_not_found")
		return
	}
	d := policyPage{Policy: pol, Form: f}
	if !f.Typed {
		d.Form = policyFormOf(d.Policy)
	}
	if d.Calendars, lerr = wb.svc.Calendars(ctx); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	if d.Cats, lerr = wb.svc.Categories(ctx); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	p := adminPage(r, "ui.admin.sla.policy_title", "sla", d)
	p.Back = "/admin/sla/policies/" + d.Policy.Code
	if err != nil {
		wb.refused(w, r, err, "admin_sla_policy", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_sla_policy", p)
}

// adminSavePolicy changes a policy: its name, place in the order, what it matches, targets and
// calendar. A policy that is none is not made (404).
func (wb *Web) adminSavePolicy(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f, in, err := policyInput(r)
	if err == nil {
		var pol *otklik.SLAPolicy
		if pol, err = wb.policyByCode(r.Context(), f.Code); err != nil {
			wb.failErr(w, r, err)
			return
		}
		if pol == nil {
			wb.fail(w, r, http.StatusNotFound, "sla.policy_not_found")
			return
		}
		_, err = wb.svc.PutSLAPolicy(r.Context(), s.user.Actor(otklik.ChannelAgent), in)
	}
	if err != nil {
		wb.policyPage(w, r, err, f)
		return
	}
	done(w, r, "/admin/sla", "policy_saved")
}

// adminDeletePolicy removes a policy; the tickets it gave deadlines get them from the others.
func (wb *Web) adminDeletePolicy(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.DeleteSLAPolicy(r.Context(), s.user.Actor(otklik.ChannelAgent), r.PathValue("code")); err != nil {
		wb.slaPage(w, r, err, slaData{})
		return
	}
	done(w, r, "/admin/sla", "policy_deleted")
}

// adminDeleteCalendar removes a calendar no policy is on (not the one statutory deadlines follow).
func (wb *Web) adminDeleteCalendar(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.DeleteCalendar(r.Context(), s.user.Actor(otklik.ChannelAgent), r.PathValue("name")); err != nil {
		wb.slaPage(w, r, err, slaData{})
		return
	}
	done(w, r, "/admin/sla", "calendar_deleted")
}

// adminDeleteOverride returns a day of a calendar to the production calendar's rule.
func (wb *Web) adminDeleteOverride(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.DeleteCalendarOverride(r.Context(), s.user.Actor(otklik.ChannelAgent), r.PathValue("name"), r.PathValue("day")); err != nil {
		wb.slaPage(w, r, err, slaData{})
		return
	}
	done(w, r, "/admin/sla", "override_removed")
}
