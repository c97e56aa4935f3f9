package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
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

type policyForm struct {
	Code, FirstResponse, Resolution, Calendar string
}

// newPolicyForm is the form that adds a policy, as typed.
type newPolicyForm struct {
	Code, Name, Position, Category, Channel, Priority, FirstResponse, Resolution, Calendar string
	Manual                                                                                 bool
	Typed                                                                                  bool // refused: show it as typed
}

type slaData struct {
	Calendars []*otklik.Calendar
	Policies  []*otklik.SLAPolicy
	Kinds     []string
	Override  overrideForm // the override form as typed, for the calendar it names
	Calendar  calendarForm // a calendar's form as typed, for the calendar it names (or the new one)
	Policy    policyForm   // the policy form as typed, for the policy it names
	NewPolicy newPolicyForm
	Cats      []otklik.Category // what a new policy may match
	// Recompute is the recomputation of open tickets' deadlines to tell the administrator about: one
	// queued or running, else the latest (done or failed); nil when there has been none lately.
	Recompute *otklik.Job
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
		d.NewPolicy = newPolicyForm{Calendar: "office", Position: "10"}
		if n := len(d.Policies); n > 0 {
			d.NewPolicy.Position = strconv.Itoa(d.Policies[n-1].Position + 10)
		}
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
	if _, err := wb.svc.PutCalendar(r.Context(), otklik.Calendar{Name: f.Name, Title: f.Title, Week: f.Week}); err != nil {
		wb.slaPage(w, r, err, slaData{Calendar: f})
		return
	}
	done(w, r, "/admin/sla", "calendar_saved")
}

// adminAddPolicy adds a policy: what it matches (a category, a channel, a priority, or nothing but
// staff's choice), its targets and calendar, and where it stands in the order policies are tried.
func (wb *Web) adminAddPolicy(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := newPolicyForm{Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name"),
		Position: strings.TrimSpace(r.PostFormValue("position")), Category: r.PostFormValue("category"),
		Channel: r.PostFormValue("channel"), Priority: r.PostFormValue("priority"), Manual: r.PostFormValue("manual") == "1",
		FirstResponse: strings.TrimSpace(r.PostFormValue("first_response")), Resolution: strings.TrimSpace(r.PostFormValue("resolution")),
		Calendar: r.PostFormValue("calendar"), Typed: true}
	refuse := func(err error) { wb.slaPage(w, r, err, slaData{NewPolicy: f}) }
	pos, err := strconv.Atoi(f.Position)
	if err != nil || pos < 0 || pos > 1_000_000 {
		refuse(otklik.Invalid(otklik.FieldError{Field: "position", Key: "ui.admin.sla.position_format"}))
		return
	}
	pols, err := wb.svc.SLAPolicies(r.Context())
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	if slices.ContainsFunc(pols, func(p *otklik.SLAPolicy) bool { return p.Code == f.Code }) { // never replaces one
		refuse(otklik.Invalid(otklik.FieldError{Field: "code", Key: "ui.admin.sla.policy_exists", Args: map[string]string{"code": f.Code}}))
		return
	}
	if f.Manual && (f.Category != "" || f.Channel != "" || f.Priority != "") {
		refuse(otklik.Invalid(otklik.FieldError{Field: "manual", Key: "ui.admin.sla.manual_matches"}))
		return
	}
	_, err = wb.svc.PutSLAPolicy(r.Context(), otklik.SLAPolicy{Code: f.Code, Name: f.Name, Position: pos, Category: f.Category,
		Channel: otklik.Channel(f.Channel), Priority: otklik.Priority(f.Priority), Manual: f.Manual,
		FirstResponse: f.FirstResponse, Resolution: f.Resolution, Calendar: f.Calendar})
	if err != nil {
		refuse(err)
		return
	}
	done(w, r, "/admin/sla", "policy_added")
}

// adminDeleteOverride returns a day of a calendar to the production calendar's rule.
func (wb *Web) adminDeleteOverride(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.DeleteCalendarOverride(r.Context(), r.PathValue("name"), r.PathValue("day")); err != nil {
		wb.slaPage(w, r, err, slaData{})
		return
	}
	done(w, r, "/admin/sla", "override_removed")
}

// adminSavePolicy changes a policy's targets and calendar; what it matches stays.
func (wb *Web) adminSavePolicy(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := policyForm{Code: r.PathValue("code"), FirstResponse: strings.TrimSpace(r.PostFormValue("first_response")),
		Resolution: strings.TrimSpace(r.PostFormValue("resolution")), Calendar: r.PostFormValue("calendar")}
	pols, err := wb.svc.SLAPolicies(r.Context())
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	var pol *otklik.SLAPolicy
	for _, p := range pols {
		if p.Code == f.Code {
			pol = p
		}
	}
	if pol == nil {
		wb.slaPage(w, r, otklik.NotFound("ui.admin.sla.policy_not_found"), slaData{})
		return
	}
	changed := *pol
	changed.FirstResponse, changed.Resolution = f.FirstResponse, f.Resolution
	if f.Calendar != "" {
		changed.Calendar = f.Calendar
	}
	if _, err := wb.svc.PutSLAPolicy(r.Context(), changed); err != nil {
		wb.slaPage(w, r, err, slaData{Policy: f})
		return
	}
	done(w, r, "/admin/sla", "policy_saved")
}
