package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/sla"
)

// SLAOptions configure deadlines.
type SLAOptions struct {
	// LegalShiftForward moves a statutory deadline that falls on a day off to the next working day;
	// by default it moves to the previous one, so that it is never missed.
	LegalShiftForward bool
	// ReminderLead is how long before a deadline its assignee is reminded, in working time of the
	// deadline's calendar (0: one working day: the calendar's Monday hours, 24 h on a 24×7 calendar).
	ReminderLead time.Duration
}

// LegalCalendar is the calendar whose days off move statutory deadlines.
const LegalCalendar = "office"

// AppealDays is the statutory term of an answer to an appeal, in calendar days of registration
// (59-ФЗ ст. 12 ч. 1); it may be extended once by as many more (ч. 2).
const AppealDays = 30

// slaTTL is how long a node trusts its copy of the calendars and policies: changes made on another
// node reach it within this time.
const slaTTL = 30 * time.Second

// slaEngine is the calendars and policies, built for computing.
type slaEngine struct {
	cals     map[string]*sla.Calendar
	policies []*otklik.SLAPolicy
	targets  map[*otklik.SLAPolicy][2]slaTarget // first response, resolution
	cats     []otklik.Category
	forward  bool
	lead     time.Duration
}

// slaEngine returns the current engine, from cache when fresh.
func (s *Service) slaEngine(ctx context.Context) (*slaEngine, error) {
	s.slaMu.Lock()
	defer s.slaMu.Unlock()
	if s.sla != nil && s.now().Before(s.slaUntil) {
		return s.sla, nil
	}
	cals, pols, err := s.storedSLA(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	e, err := buildSLAEngine(cals, pols, cat.cats, s.slaOpts)
	if err != nil {
		return nil, err
	}
	s.sla, s.slaUntil = e, s.now().Add(slaTTL)
	return e, nil
}

// storedSLA reads the calendars and policies as stored, not the node's cached copy.
func (s *Service) storedSLA(ctx context.Context) ([]*otklik.Calendar, []*otklik.SLAPolicy, error) {
	cals, err := s.store.Calendars(ctx)
	if err != nil {
		return nil, nil, err
	}
	pols, err := s.store.SLAPolicies(ctx)
	return cals, pols, err
}

// forgetSLA drops the cached engine after this node changed a calendar or policy.
func (s *Service) forgetSLA() {
	s.slaMu.Lock()
	s.sla = nil
	s.slaMu.Unlock()
}

// buildCalendar turns a stored calendar into one to compute with.
func buildCalendar(c *otklik.Calendar) (*sla.Calendar, error) {
	o := sla.Options{Name: c.Name}
	if strings.EqualFold(strings.TrimSpace(c.Week), "24x7") {
		o.AllHours = true
	} else {
		w, err := sla.ParseWeek(c.Week)
		if err != nil {
			return nil, fmt.Errorf("calendar %s: %w", c.Name, err)
		}
		o.Week = w
	}
	for _, ov := range c.Overrides {
		d, err := sla.ParseDate(ov.Day)
		if err != nil {
			return nil, fmt.Errorf("calendar %s: %w", c.Name, err)
		}
		o.Overrides = append(o.Overrides, sla.Override{Date: d, Kind: sla.DayKind(ov.Kind), Note: ov.Note})
	}
	return sla.New(o)
}

func buildSLAEngine(cals []*otklik.Calendar, pols []*otklik.SLAPolicy, cats []otklik.Category, o SLAOptions) (*slaEngine, error) {
	e := &slaEngine{cals: map[string]*sla.Calendar{}, policies: pols, targets: map[*otklik.SLAPolicy][2]slaTarget{}, cats: cats,
		forward: o.LegalShiftForward, lead: o.ReminderLead}
	for _, c := range cals {
		bc, err := buildCalendar(c)
		if err != nil {
			return nil, err
		}
		e.cals[c.Name] = bc
	}
	for _, p := range pols {
		fr, err := parseTarget(p.FirstResponse)
		if err != nil {
			return nil, fmt.Errorf("SLA policy %s: first response: %w", p.Code, err)
		}
		res, err := parseTarget(p.Resolution)
		if err != nil {
			return nil, fmt.Errorf("SLA policy %s: resolution: %w", p.Code, err)
		}
		if e.cals[p.Calendar] == nil {
			return nil, fmt.Errorf("SLA policy %s: no calendar %q", p.Code, p.Calendar)
		}
		e.targets[p] = [2]slaTarget{fr, res}
	}
	return e, nil
}

// policy returns the policy with code, or nil.
func (e *slaEngine) policy(code string) *otklik.SLAPolicy {
	for _, p := range e.policies {
		if p.Code == code {
			return p
		}
	}
	return nil
}

// manualCodes lists the policies staff may choose.
func (e *slaEngine) manualCodes() []string {
	var out []string
	for _, p := range e.policies {
		if p.Manual {
			out = append(out, p.Code)
		}
	}
	return out
}

// slaTarget is a policy's target: working time, or a number of working days.
type slaTarget struct {
	d    time.Duration
	days int
}

func (t slaTarget) set() bool { return t.d > 0 || t.days > 0 }

// parseTarget reads "90s", "30m", "24h" (working time) or "5d" (working days); "" is no target.
func parseTarget(v string) (slaTarget, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return slaTarget{}, nil
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n <= 0 || n > 100000 {
		return slaTarget{}, fmt.Errorf("target %q: want a positive number and s, m, h or d (\"24h\", \"5d\")", v)
	}
	switch v[len(v)-1] {
	case 's':
		return slaTarget{d: time.Duration(n) * time.Second}, nil
	case 'm':
		return slaTarget{d: time.Duration(n) * time.Minute}, nil
	case 'h':
		return slaTarget{d: time.Duration(n) * time.Hour}, nil
	case 'd':
		if n > 366 {
			return slaTarget{}, fmt.Errorf("target %q: at most 366 working days", v)
		}
		return slaTarget{days: n}, nil
	}
	return slaTarget{}, fmt.Errorf("target %q: want a positive number and s, m, h or d (\"24h\", \"5d\")", v)
}

// from returns the deadline of the target for something received at start.
func (t slaTarget) from(c *sla.Calendar, start time.Time) time.Time {
	if t.days > 0 {
		return c.AddDays(start, t.days)
	}
	return c.AddHours(start, t.d)
}

// under reports whether category id is the category code or below it.
func (e *slaEngine) under(id int64, code string) bool {
	for hops := 0; id != 0 && hops < 64; hops++ {
		c, ok := categoryByID(e.cats, id)
		if !ok {
			return false
		}
		if c.Code == code {
			return true
		}
		id = c.ParentID
	}
	return false
}

func categoryByID(cats []otklik.Category, id int64) (otklik.Category, bool) {
	for _, c := range cats {
		if c.ID == id {
			return c, true
		}
	}
	return otklik.Category{}, false
}

// matches reports whether p applies to t: a manual policy only when staff chose it for t.
func (e *slaEngine) matches(p *otklik.SLAPolicy, t *otklik.Ticket) bool {
	if p.Manual {
		return p.Code == t.SLA.Policy
	}
	return (p.Channel == "" || p.Channel == t.Channel) && (p.Priority == "" || p.Priority == t.Priority) &&
		(p.Category == "" || (t.Category != nil && e.under(t.Category.ID, p.Category)))
}

// slaPlan is what the policies give a ticket.
type slaPlan struct {
	fr, res       *otklik.SLAPolicy // the policies that set each target (nil: none)
	frCal, resCal *sla.Calendar
}

// plan finds the policies of t's targets: each from the first matching policy that sets it, a
// manual policy staff chose winning the resolution.
func (e *slaEngine) plan(t *otklik.Ticket) slaPlan {
	var p slaPlan
	for _, pol := range e.policies {
		if pol.Manual && pol.Code == t.SLA.Policy && e.targets[pol][1].set() {
			p.res = pol
		}
	}
	for _, pol := range e.policies {
		if !e.matches(pol, t) {
			continue
		}
		tg := e.targets[pol]
		if p.fr == nil && tg[0].set() {
			p.fr = pol
		}
		if p.res == nil && tg[1].set() {
			p.res = pol
		}
	}
	if p.fr != nil {
		p.frCal = e.cals[p.fr.Calendar]
	}
	if p.res != nil {
		p.resCal = e.cals[p.res.Calendar]
	}
	return p
}

// legalDue is an appeal's statutory deadline: 30 calendar days of registration (60 once extended),
// moved off a day off as configured.
func (e *slaEngine) legalDue(created time.Time, extended bool) *time.Time {
	c := e.cals[LegalCalendar]
	if c == nil {
		return nil
	}
	days, shift := AppealDays, sla.ShiftBack
	if extended {
		days *= 2
	}
	if e.forward {
		shift = sla.ShiftForward
	}
	d := c.CalendarDays(created, days, shift)
	return &d
}

// deadlines computes t's deadlines from its policies: the first response from the creation, the
// resolution from the creation plus the working time it has spent waiting; an appeal's resolution
// never after its statutory deadline.
func (e *slaEngine) deadlines(t *otklik.Ticket) (fr, due *time.Time, policy string) {
	return e.deadlinesBy(t, e.plan(t))
}

// deadlinesBy is deadlines by t's plan p.
func (e *slaEngine) deadlinesBy(t *otklik.Ticket, p slaPlan) (fr, due *time.Time, policy string) {
	if p.fr != nil {
		d := e.targets[p.fr][0].from(p.frCal, t.CreatedAt)
		fr = &d
	}
	if p.res != nil {
		d := e.targets[p.res][1].from(p.resCal, t.CreatedAt)
		if t.SLA.Paused > 0 {
			d = p.resCal.AddHours(d, t.SLA.Paused)
		}
		due, policy = &d, p.res.Code
	}
	if t.SLA.Appeal {
		if l := e.legalDue(t.CreatedAt, t.SLA.Extensions > 0); l != nil && (due == nil || l.Before(*due)) {
			due = l
		}
	}
	return fr, due, policy
}

// leadOf is how long before a deadline on c its reminder comes.
func (e *slaEngine) leadOf(c *sla.Calendar) time.Duration {
	if e.lead > 0 {
		return e.lead
	}
	if c.AllHours() {
		return 24 * time.Hour
	}
	return c.TypicalDay()
}

// remindAt returns when to remind of a deadline due on c for something that started at start; none
// when the whole target is under twice the lead (a reminder would come almost at once).
func (e *slaEngine) remindAt(c *sla.Calendar, start, due time.Time) (time.Time, bool) {
	if c == nil {
		return time.Time{}, false
	}
	lead := e.leadOf(c)
	if c.Between(start, due) < 2*lead {
		return time.Time{}, false
	}
	return c.SubHours(due, lead), true
}

// open reports whether a ticket's deadlines still run.
func slaOpen(t *otklik.Ticket) bool {
	return t.Status != otklik.StatusResolved && t.Status != otklik.StatusClosed
}

// nextLook is when the SLA engine must next look at t: its earliest pending reminder or breach.
func (e *slaEngine) nextLook(t *otklik.Ticket) *time.Time {
	return e.nextLookBy(t, e.plan(t))
}

// nextLookBy is nextLook by t's plan p.
func (e *slaEngine) nextLookBy(t *otklik.Ticket, p slaPlan) *time.Time {
	if !slaOpen(t) {
		return nil
	}
	var next *time.Time
	consider := func(x time.Time) {
		if next == nil || x.Before(*next) {
			next = &x
		}
	}
	if t.FirstResponseAt == nil && t.FirstResponseDueAt != nil {
		if t.SLA.Flags&otklik.FirstResponseReminded == 0 {
			if r, ok := e.remindAt(p.frCal, t.CreatedAt, *t.FirstResponseDueAt); ok {
				consider(r)
			}
		}
		if t.SLA.Flags&otklik.FirstResponseBreached == 0 {
			consider(*t.FirstResponseDueAt)
		}
	}
	if t.DueAt != nil && t.SLA.PausedAt == nil {
		if t.SLA.Flags&otklik.DueReminded == 0 {
			if r, ok := e.remindAt(p.resCal, t.CreatedAt, *t.DueAt); ok {
				consider(r)
			}
		}
		if t.SLA.Flags&otklik.DueBreached == 0 {
			consider(*t.DueAt)
		}
	}
	return next
}

// setDeadlines gives a new ticket its deadlines.
func (e *slaEngine) setDeadlines(t *otklik.Ticket) {
	t.FirstResponseDueAt, t.DueAt, t.SLA.Policy = e.deadlines(t)
	if t.SLA.Appeal {
		t.SLA.LegalDueAt = e.legalDue(t.CreatedAt, false)
	}
	t.SLA.NextAt = e.nextLook(t)
}

// slaBefore is what a ticket's deadlines depend on, before a change.
type slaBefore struct {
	category   int64
	channel    otklik.Channel
	priority   otklik.Priority
	status     otklik.Status
	appeal     bool
	policy     string
	extensions int
	fr, due    *time.Time
}

func slaSnapshot(t *otklik.Ticket) slaBefore {
	b := slaBefore{channel: t.Channel, priority: t.Priority, status: t.Status, appeal: t.SLA.Appeal, policy: t.SLA.Policy,
		extensions: t.SLA.Extensions, fr: t.FirstResponseDueAt, due: t.DueAt}
	if t.Category != nil {
		b.category = t.Category.ID
	}
	return b
}

// slaRecord is the After of an SLA journal record.
type slaRecord struct {
	Due    string `json:"due,omitempty"`
	Policy string `json:"policy,omitempty"`
	Paused string `json:"paused,omitempty"` // working time credited by a pause
}

func (r slaRecord) json() string {
	return jsonObject(jsonField{"due", r.Due, true}, jsonField{"policy", r.Policy, true}, jsonField{"paused", r.Paused, true})
}

// DeadlinesRecord is the before or after of a "deadlines" journal record: both deadlines moved at once
// (RFC 3339 times in Moscow time; after also names the policy).
type DeadlinesRecord struct {
	FirstResponseDue string `json:"first_response_due"`
	Due              string `json:"due"`
	Policy           string `json:"policy,omitempty"`
}

func (r DeadlinesRecord) json() string {
	return jsonObject(jsonField{"first_response_due", r.FirstResponseDue, false}, jsonField{"due", r.Due, false},
		jsonField{"policy", r.Policy, true})
}

// jsonField is a string field of a JSON object: its name, its value, and whether it is left out when
// empty (as ",omitempty").
type jsonField struct {
	name, value string
	omitEmpty   bool
}

// jsonObject encodes fields, in order, as encoding/json encodes a struct of string fields, without its
// reflection: a recomputation of deadlines writes a record of them for every open ticket. Field names
// are plain; a value with anything JSON would escape goes through encoding/json.
func jsonObject(fields ...jsonField) string {
	var space [192]byte
	b := append(space[:0], '{')
	for _, f := range fields {
		if f.omitEmpty && f.value == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.name...)
		b = append(b, `":`...)
		if plainJSON(f.value) {
			b = append(b, '"')
			b = append(b, f.value...)
			b = append(b, '"')
		} else {
			q, _ := json.Marshal(f.value)
			b = append(b, q...)
		}
	}
	return string(append(b, '}'))
}

// plainJSON says whether encoding/json writes s as it is between quotes: printable ASCII other than
// the quote, the backslash and the HTML characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// deadlineRecords are the journal records of deadlines that moved from preFR, preDue to fr, due under
// policy: one "first_response_due_at" or "due_at" record when one moved, one "deadlines" record with
// both when both did (a recomputation moves both of every open ticket: one record, not two).
func deadlineRecords(actor otklik.Actor, policy, why string, preFR, fr, preDue, due *time.Time) []*otklik.JournalRecord {
	frMoved, dueMoved := !sameTime(preFR, fr), !sameTime(preDue, due)
	switch {
	case frMoved && dueMoved:
		before := DeadlinesRecord{FirstResponseDue: fmtDue(preFR), Due: fmtDue(preDue)}.json()
		after := DeadlinesRecord{FirstResponseDue: fmtDue(fr), Due: fmtDue(due), Policy: policy}.json()
		return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindSLA, Field: "deadlines",
			Before: before, After: after, Reason: why}}
	case frMoved:
		return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindSLA, Field: "first_response_due_at",
			Before: fmtDue(preFR), After: slaRecord{Due: fmtDue(fr), Policy: policy}.json(), Reason: why}}
	case dueMoved:
		return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindSLA, Field: "due_at",
			Before: fmtDue(preDue), After: slaRecord{Due: fmtDue(due), Policy: policy}.json(), Reason: why}}
	}
	return nil
}

func fmtDue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(Moscow).Format(time.RFC3339)
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// retime keeps t's deadlines right after a change: it pauses the resolution clock when the ticket
// starts waiting for the citizen and resumes it, crediting the working time spent, when it stops;
// recomputes the deadlines when what they depend on changed (category, channel, priority, policy,
// appeal; an extended deadline stays as extended); and returns the journal records of what moved.
func (s *Service) retime(ctx context.Context, t *otklik.Ticket, b slaBefore, now time.Time) ([]*otklik.JournalRecord, error) {
	e, err := s.slaEngine(ctx)
	if err != nil {
		return nil, err
	}
	var recs []*otklik.JournalRecord
	sys := otklik.SystemActor
	if t.Status == otklik.StatusWaiting && b.status != otklik.StatusWaiting && t.DueAt != nil && t.SLA.PausedAt == nil {
		t.SLA.PausedAt = &now
		recs = append(recs, &otklik.JournalRecord{Actor: sys, Kind: otklik.KindSLA, Field: "paused",
			Before: fmtDue(t.DueAt), Reason: "срок решения остановлен: ожидается ответ заявителя"})
	}
	if b.status == otklik.StatusWaiting && t.Status != otklik.StatusWaiting && t.SLA.PausedAt != nil {
		c := e.plan(t).resCal
		var spent time.Duration
		if c != nil {
			spent = c.Between(*t.SLA.PausedAt, now)
		}
		t.SLA.PausedAt = nil
		t.SLA.Paused += spent
		before := t.DueAt
		if t.DueAt != nil && spent > 0 {
			d := c.AddHours(*t.DueAt, spent)
			t.DueAt = &d
		}
		recs = append(recs, &otklik.JournalRecord{Actor: sys, Kind: otklik.KindSLA, Field: "resumed", Before: fmtDue(before),
			After:  slaRecord{Due: fmtDue(t.DueAt), Paused: spent.String()}.json(),
			Reason: "срок решения продлён на рабочее время ожидания ответа заявителя"})
	}
	cat := int64(0)
	if t.Category != nil {
		cat = t.Category.ID
	}
	if cat != b.category || t.Channel != b.channel || t.Priority != b.priority || t.SLA.Policy != b.policy || t.SLA.Appeal != b.appeal {
		preFR, preDue := t.FirstResponseDueAt, t.DueAt
		fr, due, policy := e.deadlines(t)
		if t.FirstResponseAt == nil {
			t.FirstResponseDueAt = fr
		}
		if t.SLA.Extensions == 0 {
			t.DueAt = due
		}
		t.SLA.Policy = policy
		if t.SLA.Appeal {
			t.SLA.LegalDueAt = e.legalDue(t.CreatedAt, t.SLA.Extensions > 0)
		} else {
			t.SLA.LegalDueAt = nil
		}
		recs = append(recs, deadlineRecords(sys, policy, "изменились категория, канал, приоритет или политика SLA обращения",
			preFR, t.FirstResponseDueAt, preDue, t.DueAt)...)
	}
	if !sameTime(b.fr, t.FirstResponseDueAt) {
		t.SLA.Flags &^= otklik.FirstResponseReminded | otklik.FirstResponseBreached
	}
	if !sameTime(b.due, t.DueAt) {
		t.SLA.Flags &^= otklik.DueReminded | otklik.DueBreached
	}
	t.SLA.NextAt = e.nextLook(t)
	return recs, nil
}

// RunSLATimers sends the reminders and escalations that are due, each exactly once: the ticket's row
// holds which were made and its timer when to look next, and both change in the transaction that
// records them. Several nodes may run it at once. It returns for how many tickets it made a reminder
// or an escalation: a timer may also come early (a recomputation leaves one that should move later)
// and only be set to the right time.
func (s *Service) RunSLATimers(ctx context.Context) (int, error) {
	e, err := s.slaEngine(ctx)
	if err != nil {
		return 0, err
	}
	users, err := s.store.Users(ctx) // who gets reminders and escalations, read once a run
	if err != nil {
		return 0, err
	}
	handled := 0
	for range 100 { // at most 100 batches a run: a backlog is worked off over the next runs
		due, err := s.store.SLADue(ctx, s.now(), 200)
		if err != nil || len(due) == 0 {
			return handled, err
		}
		for _, t0 := range due {
			made := false
			_, err := s.change(ctx, t0.Number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
				made = false // the store may run this again after a conflict
				if t.SLA.NextAt == nil || t.SLA.NextAt.After(now) {
					return nil, nil // another node came first
				}
				recs, err := s.slaTimers(ctx, tx, e, users, t, now)
				if err != nil {
					return nil, err
				}
				t.SLA.NextAt = e.nextLook(t)
				if len(recs) == 0 {
					return nil, tx.SetSLANext(ctx, t.ID, t.SLA.NextAt)
				}
				made = true
				return recs, nil
			})
			if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
				return handled, err
			}
			if made {
				handled++
			}
		}
	}
	return handled, nil
}

// slaTimers makes t's due reminders and escalations.
func (s *Service) slaTimers(ctx context.Context, tx otklik.Tx, e *slaEngine, users []otklik.User, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
	p := e.plan(t)
	var recs []*otklik.JournalRecord
	check := func(what string, due *time.Time, c *sla.Calendar, reminded, breached otklik.SLAFlags) error {
		switch {
		case t.SLA.Flags&breached == 0 && !now.Before(*due):
			t.SLA.Flags |= breached | reminded
			recs = append(recs, &otklik.JournalRecord{Actor: otklik.SystemActor, Kind: otklik.KindSLA, Field: what + "_breached",
				Before: fmtDue(due), Reason: "срок нарушен: обращение передано старшему специалисту и руководителю группы"})
			return s.notifyStaff(ctx, tx, users, t, true, what, *due)
		case t.SLA.Flags&reminded == 0:
			if r, ok := e.remindAt(c, t.CreatedAt, *due); ok && !now.Before(r) {
				t.SLA.Flags |= reminded
				recs = append(recs, &otklik.JournalRecord{Actor: otklik.SystemActor, Kind: otklik.KindSLA, Field: what + "_reminded",
					Before: fmtDue(due), Reason: "напоминание о приближении срока"})
				return s.notifyStaff(ctx, tx, users, t, false, what, *due)
			}
		}
		return nil
	}
	if t.FirstResponseAt == nil && t.FirstResponseDueAt != nil {
		if err := check("first_response", t.FirstResponseDueAt, p.frCal, otklik.FirstResponseReminded, otklik.FirstResponseBreached); err != nil {
			return nil, err
		}
	}
	if t.DueAt != nil && t.SLA.PausedAt == nil {
		if err := check("due", t.DueAt, p.resCal, otklik.DueReminded, otklik.DueBreached); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// notifyStaff tells staff of a deadline by e-mail: a reminder goes to the assignee (or, unassigned,
// to the group's operators); a breach to the group's seniors and supervisors.
func (s *Service) notifyStaff(ctx context.Context, tx otklik.Tx, users []otklik.User, t *otklik.Ticket, breach bool, what string, due time.Time) error {
	if s.mail.Address == "" {
		return nil
	}
	var to []otklik.User
	for _, u := range users {
		if u.Disabled || u.Email == "" {
			continue
		}
		inGroup := t.Group != nil && u.GroupID == t.Group.ID
		switch {
		case breach && inGroup && (u.Role == otklik.RoleSenior || u.Role == otklik.RoleSupervisor):
			to = append(to, u)
		case !breach && t.Assignee != nil && u.ID == t.Assignee.ID:
			to = append(to, u)
		case !breach && t.Assignee == nil && inGroup && u.Role == otklik.RoleOperator:
			to = append(to, u)
		}
	}
	deadline := "решения"
	if what == "first_response" {
		deadline = "первого ответа"
	}
	when := due.In(Moscow).Format("02.01.2006 15:04")
	subject := "Напоминание: срок " + deadline + " по обращению " + t.Number + " — " + when
	text := "Срок " + deadline + " по обращению № " + t.Number + " «" + t.Subject + "» истекает " + when +
		" (МСК).\n\nОткройте обращение и ответьте заявителю или продлите срок с указанием причины."
	if breach {
		subject = "Просрочено: срок " + deadline + " по обращению " + t.Number + " истёк " + when
		text = "Срок " + deadline + " по обращению № " + t.Number + " «" + t.Subject + "» истёк " + when +
			" (МСК). Обращение передано вам для контроля: назначьте исполнителя или помогите с ответом."
	}
	if s.mail.PublicURL != "" {
		text += "\n\nОбращение: " + s.siteLink("/agent/tickets/"+t.Number)
	}
	for _, u := range to {
		err := s.queueMail(ctx, tx, t, 0, compose.Message{To: compose.Address{Name: u.Name, Email: u.Email}, Subject: subject,
			Text: "Здравствуйте, " + u.Name + "!\n\n" + text + "\n\n— Отклик", AutoSubmitted: "auto-generated"}, otklik.MailNotice)
		if err != nil {
			return err
		}
	}
	return nil
}

// Extension is a request to move a ticket's resolution deadline.
type Extension struct {
	// Until is the new deadline (Moscow time is assumed for a date without a zone).
	Until time.Time
	// Reason is one of ExtensionReasons, or free text.
	Reason string
	Note   string
}

// ExtensionReason is a usual reason for an extension: its code (the API's) and its text (the journal's
// and the citizen's notice's).
type ExtensionReason struct{ Code, Text string }

// UsualExtensionReasons are the usual reasons for an extension, in the order staff are offered them.
var UsualExtensionReasons = []ExtensionReason{
	{"documents", "не хватает документов или сведений от заявителя"},
	{"failure", "технический сбой"},
	{"coordination", "согласование с другими органами (59-ФЗ ст. 10 ч. 2)"},
}

// ExtensionReasons maps UsualExtensionReasons' codes to their texts.
var ExtensionReasons = func() map[string]string {
	m := map[string]string{}
	for _, r := range UsualExtensionReasons {
		m[r.Code] = r.Text
	}
	return m
}()

// Extendable tells whether t's resolution deadline may be extended now, and until when at the latest
// (nil: no statutory cap, the legal calendar missing): what ExtendDeadline checks before the new date.
func (s *Service) Extendable(ctx context.Context, t *otklik.Ticket) (ok bool, limit *time.Time, err error) {
	e, err := s.slaEngine(ctx)
	if err != nil {
		return false, nil, err
	}
	limit = e.legalDue(t.CreatedAt, true)
	return extendRefusal(t, limit) == nil, limit, nil
}

// extendRefusal says why t's resolution deadline cannot be extended (nil: it can), limit being its
// statutory cap: a resolved or closed ticket, one without a deadline, an appeal extended once
// already, or a deadline at the cap.
func extendRefusal(t *otklik.Ticket, limit *time.Time) error {
	switch {
	case !slaOpen(t):
		return otklik.Errorf(otklik.ECONFLICT, "sla.extend_closed", nil)
	case t.DueAt == nil:
		return otklik.Errorf(otklik.ECONFLICT, "sla.no_deadline", nil)
	case t.SLA.Appeal && t.SLA.Extensions > 0:
		return otklik.Errorf(otklik.ECONFLICT, "sla.extend_once", nil)
	case limit != nil && !limit.After(*t.DueAt):
		return beyondCap(limit)
	}
	return nil
}

// beyondCap refuses a deadline past the statutory cap, naming it.
func beyondCap(limit *time.Time) error {
	return otklik.Invalid(otklik.FieldError{Field: "until", Key: "sla.extend_cap",
		Args: map[string]string{"cap": limit.In(Moscow).Format("02.01.2006")}})
}

// siteLink is the address of a page of this site under MailOptions.PublicURL, for links in e-mail.
func (s *Service) siteLink(path string) string {
	return strings.TrimRight(s.mail.PublicURL, "/") + path
}

// ExtendDeadline moves t's resolution deadline later, with a reason, within the statutory cap (30
// calendar days of registration, 60 once extended, for every ticket: PRODUCT.md's statutory cap for
// citizens' appeals); an appeal's statutory deadline may be extended once. The journal keeps both
// dates and the citizen is told the new date by e-mail.
func (s *Service) ExtendDeadline(ctx context.Context, actor otklik.Actor, number string, in Extension) (*otklik.Ticket, error) {
	var v otklik.Validation
	reason := strings.TrimSpace(in.Reason)
	if text, ok := ExtensionReasons[reason]; ok {
		reason = text
	}
	reason = cleanLine(&v, "reason", reason, otklik.MaxReasonLen, true)
	note := cleanText(&v, "note", in.Note, otklik.MaxReasonLen, false)
	if in.Until.IsZero() {
		v.Add("until", "field.required", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e, err := s.slaEngine(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		limit := e.legalDue(t.CreatedAt, true)
		if err := extendRefusal(t, limit); err != nil {
			return nil, err
		}
		until := in.Until
		if !until.After(*t.DueAt) {
			return nil, otklik.Invalid(otklik.FieldError{Field: "until", Key: "sla.extend_earlier",
				Args: map[string]string{"due": t.DueAt.In(Moscow).Format("02.01.2006 15:04")}})
		}
		if limit != nil && until.After(*limit) {
			return nil, beyondCap(limit)
		}
		before := t.DueAt
		t.DueAt = &until
		t.SLA.Extensions++
		if t.SLA.Appeal {
			t.SLA.LegalDueAt = e.legalDue(t.CreatedAt, true)
		}
		t.SLA.Flags &^= otklik.DueReminded | otklik.DueBreached
		t.SLA.NextAt = e.nextLook(t)
		full := reason
		if note != "" {
			full += ": " + note
		}
		rec := &otklik.JournalRecord{Actor: actor, Kind: otklik.KindSLA, Field: "extended", Before: fmtDue(before),
			After: slaRecord{Due: fmtDue(t.DueAt)}.json(), Reason: full}
		if err := s.noticeExtension(ctx, tx, t, reason); err != nil {
			return nil, err
		}
		return []*otklik.JournalRecord{rec}, nil
	})
}

// statusLink is the paragraph of a citizen's e-mail that links the status page of t (which asks for
// the number and their address), "" without --public-url.
func (s *Service) statusLink(t *otklik.Ticket) string {
	if s.mail.PublicURL == "" {
		return ""
	}
	return "Состояние обращения можно проверить на сайте: " + s.siteLink("/status?number="+t.Number) + "\n\n"
}

// noticeExtension tells the citizen the new date of their ticket's answer, with the reason.
func (s *Service) noticeExtension(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, reason string) error {
	if s.mail.Address == "" || t.Requester == nil || t.Requester.Email == "" {
		return nil
	}
	greeting := "Здравствуйте!"
	if n := strings.TrimSpace(t.Requester.Name); n != "" {
		greeting = "Здравствуйте, " + oneLineText(n) + "!"
	}
	text := greeting + "\n\nСрок ответа на ваше обращение № " + t.Number + " «" + t.Subject + "» продлён до " +
		t.DueAt.In(Moscow).Format("02.01.2006 15:04") + " (МСК). Причина: " + strings.TrimRight(reason, ". ") + ".\n\n" +
		"Мы сообщим вам, как только будет готов ответ. Чтобы дополнить обращение, ответьте на это письмо, не меняя тему.\n\n"
	text += s.statusLink(t) + "С уважением,\n" + s.mail.Name
	return s.queueMail(ctx, tx, t, 0, compose.Message{To: compose.Address{Name: t.Requester.Name, Email: t.Requester.Email},
		Subject: "Срок ответа на обращение " + t.Number + " продлён", Text: text, AutoSubmitted: "auto-generated"}, otklik.MailNotice)
}

// Remaining is the working time left until due on the calendar of t's resolution policy (negative:
// overdue); ok is false without a deadline. A paused ticket's remaining time is frozen.
func (s *Service) Remaining(ctx context.Context, t *otklik.Ticket, due *time.Time) (time.Duration, bool) {
	if due == nil {
		return 0, false
	}
	e, err := s.slaEngine(ctx)
	if err != nil {
		return 0, false
	}
	c := e.plan(t).resCal
	if c == nil {
		c = e.cals[LegalCalendar]
	}
	if c == nil {
		return 0, false
	}
	from := s.now()
	if t.SLA.PausedAt != nil {
		from = *t.SLA.PausedAt
	}
	return c.Between(from, *due), true
}

// Due computes a deadline as Otklik would: a target of working hours or working days from start on
// the named calendar (CONTRACT.md: `otklik sla due`).
func (s *Service) Due(ctx context.Context, calendar string, start time.Time, hours, days int) (time.Time, bool, error) {
	e, err := s.slaEngine(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	if calendar == "" {
		calendar = LegalCalendar
	}
	c := e.cals[calendar]
	if c == nil {
		return time.Time{}, false, otklik.Invalid(otklik.FieldError{Field: "calendar", Key: "calendar.unknown",
			Args: map[string]string{"value": calendar}})
	}
	var v otklik.Validation
	switch {
	case (hours > 0) == (days > 0):
		v.Add("business_hours", "sla.target_one", nil)
	case hours > 100000:
		v.Add("business_hours", "sla.target_range", nil)
	case days > 366:
		v.Add("business_days", "sla.target_range", nil)
	}
	if err := v.Err(); err != nil {
		return time.Time{}, false, err
	}
	var due time.Time
	if days > 0 {
		due = c.AddDays(start, days)
	} else {
		due = c.AddHours(start, time.Duration(hours)*time.Hour)
	}
	return due, c.Confirmed(start.In(Moscow).Year()) && c.Confirmed(due.In(Moscow).Year()), nil
}

// Calendars returns the calendars with their overrides.
func (s *Service) Calendars(ctx context.Context) ([]*otklik.Calendar, error) {
	return s.store.Calendars(ctx)
}

// SLAPolicies returns the policies in the order they are tried.
func (s *Service) SLAPolicies(ctx context.Context) ([]*otklik.SLAPolicy, error) {
	return s.store.SLAPolicies(ctx)
}

// SLAPoliciesInUse returns the policies deadlines are computed with now, in the order they are tried:
// this node's copy (at most slaTTL behind another node's change), read without a query, for pages
// that name them beside every ticket. The slice is shared: not to be changed.
func (s *Service) SLAPoliciesInUse(ctx context.Context) ([]*otklik.SLAPolicy, error) {
	e, err := s.slaEngine(ctx)
	if err != nil {
		return nil, err
	}
	return e.policies, nil
}

// JobRecomputeSLA is the kind of job that recomputes open tickets' deadlines after a calendar or a
// policy changed (payload: {"after_id": N}, the last ticket done).
const JobRecomputeSLA = "sla.recompute"

// Recomputation: open tickets are read recomputeRead at a time (more when there are more bulk
// writers than such a page keeps busy), their new deadlines computed outside any transaction, and
// the changed ones written recomputeWrite to a transaction where they go through the request writer
// (SQLite), so that intake never waits long for it, and recomputeBulkWrite where the store has bulk
// writers of its own (PostgreSQL: larger transactions, fewer statements and commits, 12 % faster;
// PERFORMANCE.md). A job works for at most recomputeSlice, then queues its continuation.
const (
	recomputeRead      = 2000
	recomputeWrite     = 500
	recomputeBulkWrite = 1000
	recomputeSlice     = 2 * time.Minute
	recomputeDefer     = 10 * time.Second // a recomputation that finds another running tries again then
)

// PutCalendarOverride sets one day of a calendar (a holiday, a working Saturday, a short day), as
// administrator actor, and queues the recomputation of open tickets' deadlines.
func (s *Service) PutCalendarOverride(ctx context.Context, actor otklik.Actor, calendar string, o otklik.CalendarOverride) error {
	var v otklik.Validation
	if _, err := sla.ParseDate(o.Day); err != nil {
		v.Add("day", "calendar.day_format", nil)
	}
	switch o.Kind {
	case "holiday", "off", "work", "short":
	default:
		v.Add("kind", "calendar.kind", map[string]string{"value": o.Kind})
	}
	o.Note = cleanLine(&v, "note", o.Note, otklik.MaxReasonLen, false)
	if err := v.Err(); err != nil {
		return err
	}
	cals, err := s.store.Calendars(ctx)
	if err != nil {
		return err
	}
	cal := calendarNamed(cals, calendar)
	if cal == nil {
		return otklik.NotFound("calendar.not_found")
	}
	// Check the calendar still works with the change (a week left without a working day cannot); a
	// day changed before is changed again, not given twice.
	changed := *cal
	changed.Overrides = slices.DeleteFunc(slices.Clone(cal.Overrides), func(x otklik.CalendarOverride) bool { return x.Day == o.Day })
	changed.Overrides = append(changed.Overrides, o)
	if _, err := buildCalendar(&changed); err != nil {
		return otklik.Invalid(otklik.FieldError{Field: "day", Key: "calendar.invalid", Args: map[string]string{"error": err.Error()}})
	}
	o.Author = actor.Name
	var was *otklik.CalendarOverride
	if i := slices.IndexFunc(cal.Overrides, func(x otklik.CalendarOverride) bool { return x.Day == o.Day }); i >= 0 {
		was = &cal.Overrides[i]
		if was.Kind == o.Kind && was.Note == o.Note {
			return nil // as it is: no deadline moves, and the day keeps who set it
		}
	}
	why := whyRecompute("календаря «"+cal.Title+"»: "+dayRU(o.Day)+" — "+dayKindRU[o.Kind], actor)
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.PutCalendarOverride(ctx, calendar, &o); err != nil {
			return err
		}
		if err := journalAdmin(ctx, tx, actor, otklik.AdminCalendarDay, dayKey(calendar, o.Day), changeOf(was), dayFields(was), dayFields(&o), ""); err != nil {
			return err
		}
		return s.enqueueRecompute(ctx, tx, dayPayload(o.Day, why))
	})
	if err == nil {
		s.forgetSLA()
	}
	return err
}

// DeleteCalendarOverride returns a day of a calendar to the production calendar's rule, as
// administrator actor.
func (s *Service) DeleteCalendarOverride(ctx context.Context, actor otklik.Actor, calendar, day string) error {
	title := calendar
	var was *otklik.CalendarOverride
	if cals, err := s.store.Calendars(ctx); err != nil {
		return err
	} else if c := calendarNamed(cals, calendar); c != nil {
		title = c.Title
		if i := slices.IndexFunc(c.Overrides, func(x otklik.CalendarOverride) bool { return x.Day == day }); i >= 0 {
			was = &c.Overrides[i]
		}
	}
	why := whyRecompute("календаря «"+title+"»: "+dayRU(day)+" — по производственному календарю", actor)
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.DeleteCalendarOverride(ctx, calendar, day); err != nil {
			return err
		}
		if err := journalAdmin(ctx, tx, actor, otklik.AdminCalendarDay, dayKey(calendar, day), otklik.AdminDeleted, dayFields(was), nil, ""); err != nil {
			return err
		}
		return s.enqueueRecompute(ctx, tx, dayPayload(day, why))
	})
	if err == nil {
		s.forgetSLA()
	}
	return err
}

// PutSLAPolicy adds or changes a policy, as administrator actor, and queues the recomputation of open
// tickets' deadlines.
func (s *Service) PutSLAPolicy(ctx context.Context, actor otklik.Actor, p otklik.SLAPolicy) (*otklik.SLAPolicy, error) {
	var v otklik.Validation
	if len(p.Code) > 64 || !codePattern.MatchString(p.Code) {
		v.Add("code", "sla.policy_code", nil)
	}
	p.Name = cleanLine(&v, "name", p.Name, otklik.MaxNameLen, true)
	if _, err := parseTarget(p.FirstResponse); err != nil {
		v.Add("first_response", "sla.target_format", map[string]string{"value": p.FirstResponse})
	}
	if _, err := parseTarget(p.Resolution); err != nil {
		v.Add("resolution", "sla.target_format", map[string]string{"value": p.Resolution})
	}
	if p.FirstResponse == "" && p.Resolution == "" {
		v.Add("resolution", "sla.target_none", nil)
	}
	if p.Channel != "" && !p.Channel.Valid() {
		v.Add("channel", "channel.unknown", map[string]string{"value": string(p.Channel)})
	}
	if p.Priority != "" && !p.Priority.Valid() {
		v.Add("priority", "priority.unknown", map[string]string{"value": string(p.Priority)})
	}
	if p.Manual && (p.Category != "" || p.Channel != "" || p.Priority != "") {
		v.Add("manual", "sla.manual_matches", nil) // staff choose it: it matches nothing
	}
	e, err := s.slaEngine(ctx)
	if err != nil {
		return nil, err
	}
	if e.cals[p.Calendar] == nil {
		v.Add("calendar", "calendar.unknown", map[string]string{"value": p.Calendar})
	}
	if p.Category != "" {
		cat, err := s.catalog(ctx)
		if err != nil {
			return nil, err
		}
		if _, ok := categoryByCode(cat.cats, p.Category); !ok {
			v.Add("category", "category.unknown", map[string]string{"value": p.Category})
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	pols, err := s.store.SLAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	recompute := true
	var before *otklik.SLAPolicy
	if i := slices.IndexFunc(pols, func(q *otklik.SLAPolicy) bool { return q.Code == p.Code }); i >= 0 {
		before = pols[i]
		if policyFields(before) == policyFields(&p) {
			return before, nil // saved as it was: nothing to record, and it keeps who changed it last
		}
		// Its name is in no deadline: a policy renamed alone is recomputed for nothing.
		was, now := *pols[i], p
		was.Name, was.UpdatedAt, was.UpdatedBy, now.Name, now.UpdatedAt, now.UpdatedBy = "", time.Time{}, "", "", time.Time{}, ""
		recompute = was != now
	} else if p.Manual {
		recompute = false // new, and chosen by staff: no ticket has it yet
	}
	p.UpdatedBy = actor.Name
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.UpsertSLAPolicy(ctx, &p); err != nil {
			return err
		}
		if err := journalAdmin(ctx, tx, actor, otklik.AdminSLAPolicy, p.Code, changeOf(before), policyFields(before), policyFields(&p), ""); err != nil || !recompute {
			return err
		}
		return s.enqueueRecompute(ctx, tx, recomputePayload{Why: whyRecompute("политики SLA «"+p.Name+"»", actor)})
	})
	if err != nil {
		return nil, err
	}
	s.forgetSLA()
	return &p, nil
}

// DeleteSLAPolicy removes a policy and queues the recomputation of open tickets' deadlines: the
// tickets it gave theirs get them from the policies left (one staff had chosen it for, from the rules
// again), each change in the ticket's journal.
func (s *Service) DeleteSLAPolicy(ctx context.Context, actor otklik.Actor, code string) error {
	name := code
	var was *otklik.SLAPolicy
	if pols, err := s.store.SLAPolicies(ctx); err != nil {
		return err
	} else if i := slices.IndexFunc(pols, func(p *otklik.SLAPolicy) bool { return p.Code == code }); i >= 0 {
		was = pols[i]
		name = was.Name
	}
	why := whyRecompute("политик SLA: удалена «"+name+"»", actor)
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.DeleteSLAPolicy(ctx, code); err != nil {
			return err
		}
		if err := journalAdmin(ctx, tx, actor, otklik.AdminSLAPolicy, code, otklik.AdminDeleted, policyFields(was), nil, ""); err != nil {
			return err
		}
		return s.enqueueRecompute(ctx, tx, recomputePayload{Why: why})
	})
	if err == nil {
		s.forgetSLA()
	}
	return err
}

// DeleteCalendar removes a calendar that no policy counts its targets on, with the days an
// administrator changed in it; no deadline depends on it, so none is recomputed. The office
// calendar, whose days off move statutory deadlines, cannot be removed. actor is the administrator.
func (s *Service) DeleteCalendar(ctx context.Context, actor otklik.Actor, name string) error {
	if name == LegalCalendar {
		return otklik.Errorf(otklik.ECONFLICT, "calendar.legal", map[string]string{"name": name})
	}
	cals, pols, err := s.storedSLA(ctx)
	if err != nil {
		return err
	}
	if on := policiesOn(pols, name); len(on) > 0 {
		return otklik.Errorf(otklik.ECONFLICT, "calendar.in_use", map[string]string{"policies": strings.Join(on, "», «")})
	}
	was := calendarNamed(cals, name)
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.DeleteCalendar(ctx, name); err != nil {
			return err
		}
		if was == nil {
			return nil // removed meanwhile by another: DeleteCalendar said ENOTFOUND
		}
		// The days changed in it go with it, each said in the journal, then the calendar.
		for i := range was.Overrides {
			o := &was.Overrides[i]
			if err := journalAdmin(ctx, tx, actor, otklik.AdminCalendarDay, dayKey(name, o.Day), otklik.AdminDeleted, dayFields(o), nil, ""); err != nil {
				return err
			}
		}
		return journalAdmin(ctx, tx, actor, otklik.AdminCalendar, name, otklik.AdminDeleted, calendarFields(was), nil, "")
	})
	if err == nil {
		s.forgetSLA()
	}
	return err
}

// calendarNamed returns the calendar of cals by name, nil when there is none.
func calendarNamed(cals []*otklik.Calendar, name string) *otklik.Calendar {
	if i := slices.IndexFunc(cals, func(c *otklik.Calendar) bool { return c.Name == name }); i >= 0 {
		return cals[i]
	}
	return nil
}

// policiesOn names the policies of pols that count their targets on calendar name.
func policiesOn(pols []*otklik.SLAPolicy, name string) []string {
	var on []string
	for _, p := range pols {
		if p.Calendar == name {
			on = append(on, p.Name)
		}
	}
	return on
}

// recomputePayload is a recompute job's: where it continues, and the span a calendar change touched
// (none: a policy or a working week changed, and every open ticket is recomputed).
//
// Pass is the recomputation's number, one more than the last one's when it began; its continuations
// keep it, so that the whole pass's journal records are stored together (StoreRecomputed). A job
// queued without one starts a pass. (A number, not the time it began: two passes begun in one second,
// or under a clock that stands still, would share a part of the journal's index and write into each
// other's, as the index by ticket was written into by every pass.)
type recomputePayload struct {
	AfterID int64      `json:"after_id"`
	From    *time.Time `json:"from,omitempty"`
	To      *time.Time `json:"to,omitempty"`
	Pass    int64      `json:"pass,omitempty"`
	// Why is the change that queued the pass and who made it, the reason of each record it writes
	// (recomputeWhy for a job queued before the payload said).
	Why string `json:"why,omitempty"`
}

// recomputeWhy is the reason of a recomputation's records that does not say what changed.
const recomputeWhy = "пересчёт после изменения календаря или политики SLA"

// whyRecompute is the reason of the records of the recomputation after a change: what changed
// ("календаря «…»: 24.11.2026 — праздник") and who changed it.
func whyRecompute(change string, actor otklik.Actor) string {
	why := "пересчёт сроков после изменения " + change
	if actor.Name != "" {
		why += " (" + actor.Name + ")"
	}
	return why
}

// dayKindRU names the kinds of a calendar's day in the journal.
var dayKindRU = map[string]string{"holiday": "праздник", "off": "выходной", "work": "рабочий день", "short": "сокращённый день"}

// dayRU is a day of a calendar as the journal writes it: 24.11.2026.
func dayRU(day string) string {
	if d, err := sla.ParseDate(day); err == nil {
		return d.Midnight().Format("02.01.2006")
	}
	return day
}

func (p recomputePayload) span() otklik.TimeSpan {
	if p.From == nil || p.To == nil {
		return otklik.TimeSpan{}
	}
	return otklik.TimeSpan{From: *p.From, To: *p.To}
}

// dayPayload is the recomputation after one day of a calendar changed: only tickets whose deadlines
// span that day can move.
func dayPayload(day, why string) recomputePayload {
	d, err := sla.ParseDate(day)
	if err != nil {
		return recomputePayload{Why: why}
	}
	from := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Moscow)
	to := from.AddDate(0, 0, 1)
	return recomputePayload{From: &from, To: &to, Why: why}
}

func (s *Service) enqueueRecompute(ctx context.Context, tx otklik.Tx, p recomputePayload) error {
	return s.enqueueRecomputeAt(ctx, tx, p, tx.Now())
}

func (s *Service) enqueueRecomputeAt(ctx context.Context, tx otklik.Tx, p recomputePayload, at time.Time) error {
	payload, _ := json.Marshal(p)
	return s.enqueue(ctx, tx, &otklik.Job{Kind: JobRecomputeSLA, Payload: string(payload), RunAt: at})
}

// RecomputeDeadlines is the recompute job: it recomputes the deadlines of the open tickets after the
// payload's, in batches, each changed ticket with a journal record of what moved; a ticket edited
// meanwhile is redone on its own. After recomputeSlice it queues its continuation. Run again, it
// finds nothing more to change.
//
// One runs at a time, on a node and across the nodes of a store (LockRecomputation): a job that finds
// another running queues itself again, as it was, recomputeDefer later. Two at once (an administrator
// adding two holidays in a row) would read the same tickets, and the later one's writes would find
// most of them changed by the earlier one's and redo each in a transaction of its own; and both would
// take the same pass number.
func (s *Service) RecomputeDeadlines(ctx context.Context, payload string) error {
	var p recomputePayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return fmt.Errorf("recompute payload %q: %w", payload, err)
	}
	deferred := func() error {
		return s.store.Write(ctx, func(tx otklik.Tx) error {
			return s.enqueueRecomputeAt(ctx, tx, p, tx.Now().Add(recomputeDefer))
		})
	}
	select {
	case s.recomputing <- struct{}{}:
	default:
		return deferred()
	}
	unlock, ok, err := s.store.LockRecomputation(ctx)
	if err != nil || !ok {
		<-s.recomputing
		if err != nil {
			return err
		}
		return deferred() // running on another node
	}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { unlock(); <-s.recomputing }) }
	defer release()
	if p.Pass == 0 {
		last, err := s.store.LastPass(ctx)
		if err != nil {
			return err
		}
		p.Pass = last + 1
	}
	why := cmp.Or(p.Why, recomputeWhy)
	s.forgetSLA()
	e, err := s.slaEngine(ctx)
	if err != nil {
		return err
	}
	defer collectLess()()
	stop := time.Now().Add(recomputeSlice)
	writers, size, page := s.recomputeWriting()
	// The next batch is read and computed while this one is written: two cores, two halves of the work.
	type batch struct {
		changed []recomputed
		last    int64
		full    bool
		err     error
	}
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	batches := make(chan batch, 1)
	go func() {
		defer close(batches)
		after := p.AfterID
		for {
			ts, err := s.store.OpenTickets(readCtx, after, page, p.span())
			if err != nil || len(ts) == 0 {
				if err != nil {
					batches <- batch{err: err}
				}
				return
			}
			b := batch{last: ts[len(ts)-1].ID, full: len(ts) == page}
			now := otklik.Truncate(s.now())
			for _, t := range ts {
				prev := t.Version
				if recs := e.recompute(t, why); len(recs) > 0 {
					// Sealed here, on the reader's core, not in the write transaction: the records
					// are valid as long as the ticket is still at version prev when written.
					t.Version, t.UpdatedAt = prev+1, now
					for _, r := range recs {
						r.At = now
						r.Seal(t)
					}
					b.changed = append(b.changed, recomputed{t: t, prev: prev, recs: recs})
				}
			}
			select {
			case batches <- b:
			case <-readCtx.Done():
				return
			}
			if !b.full {
				return
			}
			after = b.last
		}
	}()
	// The writers take the changed tickets size at a time as they come, each as soon as it is done with
	// the last: none waits for another to finish its share of a read batch.
	chunks := make(chan []recomputed)
	errs := make(chan error, writers)
	for range writers {
		go func() {
			var err error
			for c := range chunks {
				if err == nil { // after a failure, only drain
					if err = s.writeRecomputed(ctx, e, p.Pass, why, c); err != nil {
						stopReading()
					}
				}
			}
			errs <- err
		}()
	}
	var readErr error
	var continueAfter int64 // set when the slice ends with tickets left
	for b := range batches {
		if b.err != nil {
			readErr = b.err
			break
		}
		for changed := b.changed; len(changed) > 0; {
			n := min(len(changed), size)
			chunks <- changed[:n]
			changed = changed[n:]
		}
		if b.full && time.Now().After(stop) {
			continueAfter = b.last
			break
		}
	}
	stopReading()
	for range batches { // the reader may have one more batch ready
	}
	close(chunks)
	// Every ticket handed to a writer is stored before the job ends or queues its continuation, so that
	// a continuation never skips one. A writer's failure comes first: the reader's is then only that it
	// was stopped.
	err = nil
	for range writers {
		err = cmp.Or(err, <-errs)
	}
	if err = cmp.Or(err, readErr); err != nil || continueAfter == 0 {
		return err
	}
	next := p
	next.AfterID = continueAfter
	release() // before the continuation is queued, which would otherwise find this one still running
	return s.store.Write(ctx, func(tx otklik.Tx) error { return s.enqueueRecompute(ctx, tx, next) })
}

// recomputeGCPercent is the garbage collector's target while a recomputation runs (as GOGC=400),
// unless the process runs with a higher one or with the collector off. A recomputation allocates
// kilobytes a ticket (the tickets it reads and their records; on SQLite the driver's statements, about
// 4 kB a ticket) against a live heap of a few megabytes, so at the default of 100 the collector ran
// hundreds of times a pass, and on two cores its mark workers held a core that the recomputation's
// writer or a registration's goroutines waited for. Measured on a million open tickets
// (docs/PERFORMANCE.md), when pgx still encoded the batches' parameters (8 kB a ticket): on SQLite a
// pass took 19.3–20.2 s instead of 24.5–24.7; on PostgreSQL the registrations' p99 was 24.5 ms instead
// of 27 (the pass as long), and in execution traces their store writers waited 1.0 s in all for a core
// instead of 1.7. The heap grows meanwhile to a few times the live one: at most 113 MB instead of 38 in
// the benchmark then, 70–80 MB with the parameters encoded by the store.
const recomputeGCPercent = 400

// gcRaised counts the recomputations running in this process and keeps the collector's target from
// before the first of them.
var gcRaised struct {
	sync.Mutex
	n    int
	prev int
}

// collectLess sets the collector's target to recomputeGCPercent, where that is higher, until the
// function it returns is called; with several recomputations at once, until the last one ends.
func collectLess() (restore func()) {
	gcRaised.Lock()
	defer gcRaised.Unlock()
	if gcRaised.n == 0 {
		gcRaised.prev = debug.SetGCPercent(recomputeGCPercent)
		if gcRaised.prev < 0 || gcRaised.prev > recomputeGCPercent {
			debug.SetGCPercent(gcRaised.prev) // off, or already higher: left as it was
		}
	}
	gcRaised.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			gcRaised.Lock()
			defer gcRaised.Unlock()
			if gcRaised.n--; gcRaised.n == 0 {
				debug.SetGCPercent(gcRaised.prev)
			}
		})
	}
}

// recomputed is a ticket with its new deadlines, as read at version prev, and the records of the move.
type recomputed struct {
	t    *otklik.Ticket
	prev int64
	recs []*otklik.JournalRecord
}

// recomputeWriting is how a recomputation writes: on PostgreSQL recomputeBulkWrite tickets to a
// transaction, several at once on the bulk writers, connections of their own, so that a registration
// never queues behind the recomputation; on SQLite, whose one writer would only join them into longer
// transactions that intake waits for, recomputeWrite to a transaction, one after another. page is how
// many open tickets to read at a time: enough for every writer.
func (s *Service) recomputeWriting() (writers, size, page int) {
	writers, size = s.store.BulkWriters(), recomputeBulkWrite
	if writers == 0 {
		writers, size = 1, recomputeWrite
	}
	return writers, size, max(recomputeRead, writers*size)
}

// writeRecomputed stores a batch of recomputed tickets of the pass in one transaction. A ticket changed
// since it was read is left out of it and recomputed on its own afterwards.
func (s *Service) writeRecomputed(ctx context.Context, e *slaEngine, pass int64, why string, batch []recomputed) error {
	var stale []*otklik.Ticket
	ts := make([]*otklik.Ticket, len(batch))
	prev := make([]int64, len(batch))
	recs := make([][]*otklik.JournalRecord, len(batch))
	for i, c := range batch {
		ts[i], prev[i], recs[i] = c.t, c.prev, c.recs
	}
	err := s.store.WriteBulk(ctx, func(tx otklik.Tx) error {
		var err error
		stale, err = tx.StoreRecomputed(ctx, pass, ts, prev, recs)
		return err
	})
	if err != nil {
		return err
	}
	for _, t := range stale {
		_, err := s.change(ctx, t.Number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			return e.recompute(t, why), nil
		})
		if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
			return err
		}
	}
	return nil
}

// recompute sets t's deadlines anew from the current calendars and policies (an extended deadline
// stays) and returns the journal records of what moved, for the reason why.
func (e *slaEngine) recompute(t *otklik.Ticket, why string) []*otklik.JournalRecord {
	if !t.Status.Open() {
		return nil
	}
	// One plan for both: the policy it gives is the one recompute then sets, so planning again after
	// would give the same.
	p := e.plan(t)
	fr, due, policy := e.deadlinesBy(t, p)
	preFR, preDue := t.FirstResponseDueAt, t.DueAt
	if t.FirstResponseAt == nil && !sameTime(fr, t.FirstResponseDueAt) {
		t.FirstResponseDueAt = fr
		t.SLA.Flags &^= otklik.FirstResponseReminded | otklik.FirstResponseBreached
	}
	if t.SLA.Extensions == 0 && !sameTime(due, t.DueAt) {
		t.DueAt = due
		t.SLA.Flags &^= otklik.DueReminded | otklik.DueBreached
	}
	recs := deadlineRecords(otklik.SystemActor, policy, why, preFR, t.FirstResponseDueAt, preDue, t.DueAt)
	if len(recs) == 0 && policy != t.SLA.Policy && t.SLA.Extensions == 0 {
		// The same deadlines from another policy (the one that gave them removed, or one added before
		// it with the same targets): the ticket names the policy that gives them now.
		recs = []*otklik.JournalRecord{{Actor: otklik.SystemActor, Kind: otklik.KindSLA, Field: "sla_policy",
			Before: t.SLA.Policy, After: policy, Reason: why}}
	}
	if len(recs) > 0 {
		t.SLA.Policy = policy
		if t.SLA.Appeal {
			t.SLA.LegalDueAt = e.legalDue(t.CreatedAt, t.SLA.Extensions > 0)
		}
		t.SLA.NextAt = e.nextLookBy(t, p)
	}
	return recs
}

// PutCalendar adds a calendar or changes its title and working week ("mon-fri 09:00-18:00",
// "mon-thu 08:00-17:00, fri 08:00-15:45", "24x7"), and queues the recomputation of open tickets'
// deadlines.
func (s *Service) PutCalendar(ctx context.Context, actor otklik.Actor, c otklik.Calendar) (*otklik.Calendar, error) {
	var v otklik.Validation
	if len(c.Name) > 64 || !codePattern.MatchString(c.Name) {
		v.Add("name", "calendar.name", nil)
	}
	c.Title = cleanLine(&v, "title", c.Title, otklik.MaxNameLen, true)
	c.Week = strings.TrimSpace(c.Week)
	if !strings.EqualFold(c.Week, "24x7") {
		if _, err := sla.ParseWeek(c.Week); err != nil {
			// Said in the catalogue's words: what is wrong, with the part of the week at fault.
			key, args := "calendar.week", map[string]string{"error": err.Error()}
			if we := (*sla.WeekError)(nil); errors.As(err, &we) {
				key, args = "calendar.week_"+string(we.Kind), map[string]string{"part": we.Part}
			}
			v.Add("week", key, args)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := buildCalendar(&c); err != nil {
		return nil, otklik.Invalid(otklik.FieldError{Field: "week", Key: "calendar.week", Args: map[string]string{"error": err.Error()}})
	}
	// Deadlines depend on a calendar's week only where a policy counts on it, or statutory deadlines
	// move off its days: a new calendar, one no policy is on, or a new title alone queue no pass over
	// every open ticket.
	cals, pols, err := s.storedSLA(ctx)
	if err != nil {
		return nil, err
	}
	was := calendarNamed(cals, c.Name)
	if was != nil && was.Title == c.Title && was.Week == c.Week {
		return was, nil // saved as it was: nothing to record, and it keeps who changed it last
	}
	recompute := was != nil && was.Week != c.Week && (c.Name == LegalCalendar || len(policiesOn(pols, c.Name)) > 0)
	c.UpdatedBy = actor.Name
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.UpsertCalendar(ctx, &c); err != nil {
			return err
		}
		if err := journalAdmin(ctx, tx, actor, otklik.AdminCalendar, c.Name, changeOf(was), calendarFields(was), calendarFields(&c), ""); err != nil || !recompute {
			return err
		}
		return s.enqueueRecompute(ctx, tx, recomputePayload{Why: whyRecompute("календаря «"+c.Title+"»: рабочая неделя "+c.Week, actor)})
	})
	if err != nil {
		return nil, err
	}
	s.forgetSLA()
	return &c, nil
}
