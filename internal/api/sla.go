package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// fillSLA adds the remaining working time and whether a deadline has passed.
func (a *API) fillSLA(r *http.Request, j *TicketJSON, t *otklik.Ticket) {
	if !t.Status.Open() {
		return
	}
	if t.FirstResponseAt == nil {
		if d, ok := a.svc.Remaining(r.Context(), t, t.FirstResponseDueAt); ok {
			secs := int64(d / time.Second)
			j.SLA.FirstResponseRemaining = &secs
			j.SLA.Overdue = j.SLA.Overdue || d < 0
		}
	}
	if d, ok := a.svc.Remaining(r.Context(), t, t.DueAt); ok {
		secs := int64(d / time.Second)
		j.SLA.Remaining = &secs
		j.SLA.Overdue = j.SLA.Overdue || d < 0
	}
}

// ExtendJSON moves a ticket's resolution deadline.
type ExtendJSON struct {
	Until  string `json:"until" required:"true" doc:"the new deadline: RFC 3339, or a date (until the end of that day, Moscow time)"`
	Reason string `json:"reason" required:"true" doc:"documents (missing documents or details), failure (a technical failure), coordination (with other bodies), or your own words"`
	Note   string `json:"note,omitempty" doc:"details for the journal"`
}

func (a *API) extendDeadline(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in ExtendJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	until, err := parseDeadline(in.Until)
	if err != nil {
		httpx.Error(w, r, a.log, otklik.Invalid(otklik.FieldError{Field: "until", Key: "sla.until_format"}))
		return
	}
	t, err := a.svc.ExtendDeadline(r.Context(), actor(me), r.PathValue("number"), service.Extension{Until: until, Reason: in.Reason, Note: in.Note})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	a.writeTicket(w, r, http.StatusOK, t, nil)
}

// parseDeadline reads RFC 3339, or a date meaning until the end of that day, Moscow time.
func parseDeadline(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, service.Moscow)
	if err != nil {
		return time.Time{}, err
	}
	return d.Add(24*time.Hour - time.Second), nil
}

// DueJSON is a computed deadline.
type DueJSON struct {
	Start     Time   `json:"start"`
	Calendar  string `json:"calendar"`
	Due       Time   `json:"due"`
	Confirmed bool   `json:"confirmed" doc:"false when a year involved has no production calendar yet (ст. 112 rules assumed)"`
}

// due computes a deadline as Otklik would (CONTRACT.md: otklik sla due).
func (a *API) due(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	q := r.URL.Query()
	start, err := time.Parse(time.RFC3339, q.Get("start"))
	if err != nil {
		httpx.Error(w, r, a.log, otklik.Invalid(otklik.FieldError{Field: "start", Key: "sla.start_format"}))
		return
	}
	var v otklik.Validation
	num := func(name string) int {
		s := q.Get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			v.Add(name, "sla.target_range", nil)
		}
		return n
	}
	hours, days := num("business_hours"), num("business_days")
	if err := v.Err(); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	cal := q.Get("calendar")
	d, confirmed, err := a.svc.Due(r.Context(), cal, start, hours, days)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	if cal == "" {
		cal = service.LegalCalendar
	}
	httpx.JSON(w, http.StatusOK, DueJSON{Start: msk(start), Calendar: cal, Due: msk(d), Confirmed: confirmed})
}

// CalendarJSON is a business calendar.
type CalendarJSON struct {
	Name      string         `json:"name"`
	Title     string         `json:"title"`
	Week      string         `json:"week" doc:"working hours, e.g. \"mon-fri 09:00-18:00\", or \"24x7\""`
	Overrides []OverrideJSON `json:"overrides" doc:"administrators' changes to the production calendar"`
	UpdatedAt Time           `json:"updated_at"`
}

// OverrideJSON is an administrator's change to one day.
type OverrideJSON struct {
	Day    string `json:"day" doc:"YYYY-MM-DD"`
	Kind   string `json:"kind" enum:"holiday,off,work,short" doc:"holiday or off: a day off; work: a working day; short: a working day one hour shorter"`
	Note   string `json:"note,omitempty"`
	Author string `json:"author,omitempty"`
}

func (a *API) listCalendars(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	cals, err := a.svc.Calendars(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]CalendarJSON, len(cals))
	for i, c := range cals {
		out[i] = CalendarJSON{Name: c.Name, Title: c.Title, Week: c.Week, Overrides: []OverrideJSON{}, UpdatedAt: msk(c.UpdatedAt)}
		for _, o := range c.Overrides {
			out[i].Overrides = append(out[i].Overrides, OverrideJSON{Day: o.Day, Kind: o.Kind, Note: o.Note, Author: o.Author})
		}
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (a *API) putOverride(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in OverrideJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	o := otklik.CalendarOverride{Day: r.PathValue("day"), Kind: in.Kind, Note: in.Note}
	if err := a.svc.PutCalendarOverride(r.Context(), actor(me), r.PathValue("calendar"), o); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) deleteOverride(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	if err := a.svc.DeleteCalendarOverride(r.Context(), actor(me), r.PathValue("calendar"), r.PathValue("day")); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SLAPolicyJSON is an SLA policy.
type SLAPolicyJSON struct {
	Code          string `json:"code"`
	Name          string `json:"name" required:"true"`
	Position      int    `json:"position" doc:"policies are tried in this order; each target comes from the first matching policy that sets it"`
	Category      string `json:"category,omitempty" doc:"matches this category and those below it; empty: any"`
	Channel       string `json:"channel,omitempty" doc:"empty: any"`
	Priority      string `json:"priority,omitempty" doc:"empty: any"`
	Manual        bool   `json:"manual" doc:"never matched: staff choose it for a ticket (PATCH sla_policy)"`
	FirstResponse string `json:"first_response,omitempty" doc:"\"90s\", \"24h\" (working time) or \"3d\" (working days); empty: none"`
	Resolution    string `json:"resolution,omitempty" doc:"as first_response"`
	Calendar      string `json:"calendar" required:"true"`
}

func slaPolicyJSON(p *otklik.SLAPolicy) SLAPolicyJSON {
	return SLAPolicyJSON{Code: p.Code, Name: p.Name, Position: p.Position, Category: p.Category, Channel: string(p.Channel),
		Priority: string(p.Priority), Manual: p.Manual, FirstResponse: p.FirstResponse, Resolution: p.Resolution, Calendar: p.Calendar}
}

func (a *API) listSLAPolicies(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	ps, err := a.svc.SLAPolicies(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]SLAPolicyJSON, len(ps))
	for i, p := range ps {
		out[i] = slaPolicyJSON(p)
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (a *API) putSLAPolicy(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in SLAPolicyJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	p, err := a.svc.PutSLAPolicy(r.Context(), actor(me), otklik.SLAPolicy{Code: r.PathValue("code"), Name: in.Name, Position: in.Position,
		Category: in.Category, Channel: otklik.Channel(in.Channel), Priority: otklik.Priority(in.Priority), Manual: in.Manual,
		FirstResponse: in.FirstResponse, Resolution: in.Resolution, Calendar: in.Calendar})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusOK, slaPolicyJSON(p))
}

func (a *API) deleteSLAPolicy(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	if err := a.svc.DeleteSLAPolicy(r.Context(), actor(me), r.PathValue("code")); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PutCalendarJSON is a calendar's title and week.
type PutCalendarJSON struct {
	Title string `json:"title" required:"true"`
	Week  string `json:"week" required:"true" doc:"\"mon-fri 09:00-18:00\", \"mon-thu 08:00-17:00, fri 08:00-15:45\" or \"24x7\""`
}

func (a *API) putCalendar(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in PutCalendarJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	c, err := a.svc.PutCalendar(r.Context(), actor(me), otklik.Calendar{Name: r.PathValue("calendar"), Title: in.Title, Week: in.Week})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusOK, CalendarJSON{Name: c.Name, Title: c.Title, Week: c.Week, Overrides: []OverrideJSON{}, UpdatedAt: msk(c.UpdatedAt)})
}

func (a *API) deleteCalendar(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	if err := a.svc.DeleteCalendar(r.Context(), actor(me), r.PathValue("calendar")); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
