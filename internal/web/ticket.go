package web

import (
	"cmp"
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// The ticket page: header, requester card with their other tickets, the timeline of messages,
// internal notes and journal records, and the reply box with templates and actions.

type timelineEntry struct {
	At      time.Time
	Message *otklik.Message
	Text    string // the message body as shown (masked unless revealed)
	Folded  string // quoted history folded away, shown on demand
	Record  *otklik.JournalRecord
	Files   []*otklik.Attachment
}

type templateChoice struct {
	Code, Title, Body string
}

type ticketData struct {
	T         *otklik.Ticket
	Requester requesterCard
	Others    []*otklik.Ticket
	Links     []otklik.Link
	Timeline  []timelineEntry
	Files     []*otklik.Attachment // attached to the ticket itself
	Allowed   []otklik.Status
	Staff     []otklik.User
	Groups    []otklik.Group
	Cats      []otklik.Category
	Templates []templateChoice
	SLA       slaBadge
	Extend    *extendForm // nil: the deadline cannot be extended now, or not by this member
	Policies  policyChoice
	Revealed  bool
	Reply     string // the reply box's text (kept when a reply is refused)
	Internal  bool
	Stale     bool // the reply was refused because the ticket changed meanwhile
}

// extendForm is the form that extends the resolution deadline, with what was typed when it was refused.
type extendForm struct {
	Min, Max string // the date input's bounds, YYYY-MM-DD; Max empty without a statutory cap
	Cap      string // Max as shown, DD.MM.YYYY
	Appeal   bool   // a 59-ФЗ appeal: extended once only
	Reasons  []service.ExtensionReason
	Date     string // YYYY-MM-DD
	Time     string // HH:MM
	Reason   string // a reason's code, or "other"
	Note     string
}

// policyChoice is the SLA policies staff may choose for a ticket (the manual ones, such as «Сложный
// случай»), the one it has now, and every policy's name, for the timeline's records.
type policyChoice struct {
	Manual  []*otklik.SLAPolicy
	Current string // the ticket's manual policy, "" when its policy is matched by the rules
	Matched string // the name of the matched policy ("" with a manual one, or none)
	Names   map[string]string
}

type requesterCard struct {
	Name, Email, Phone, SNILS, INN string
}

func (wb *Web) ticket(w http.ResponseWriter, r *http.Request, s *staffSession) {
	d, err := wb.ticketData(r.Context(), s, r.PathValue("number"), false)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	if code := r.URL.Query().Get("template"); code != "" {
		for _, t := range d.Templates {
			if t.Code == code {
				d.Reply = t.Body
			}
		}
	}
	wb.render(w, r, http.StatusOK, "ticket", &page{Title: "ui.ticket.title", Args: map[string]string{"number": d.T.Number}, Data: d})
}

func (wb *Web) ticketData(ctx context.Context, s *staffSession, number string, reveal bool) (*ticketData, error) {
	v, err := wb.svc.Ticket(ctx, number)
	if err != nil {
		return nil, err
	}
	t := v.Ticket
	d := &ticketData{T: t, Links: v.Links, Allowed: wb.svc.AllowedStatuses(t), SLA: wb.badge(ctx, t), Revealed: reveal}
	if t.Requester != nil {
		rq := t.Requester
		d.Requester = requesterCard{Name: rq.Name, Email: rq.Email, INN: rq.INN}
		if rq.Phone != "" {
			d.Requester.Phone = identity.Phone(rq.Phone).Display()
		}
		if rq.SNILS != "" {
			d.Requester.SNILS = identity.SNILS(rq.SNILS).String()
		}
		if !reveal {
			c := d.Requester
			d.Requester = requesterCard{Name: c.Name, Email: maskEmail(c.Email), Phone: maskValue(c.Phone),
				SNILS: maskValue(c.SNILS), INN: maskValue(c.INN)}
		}
		q := service.ListQuery{Limit: "11"}
		switch {
		case rq.Email != "":
			q.RequesterEmail = rq.Email
		case rq.Phone != "":
			q.RequesterPhone = rq.Phone
		}
		if q.RequesterEmail != "" || q.RequesterPhone != "" {
			pg, err := wb.svc.ListTickets(ctx, s.user, q)
			if err != nil {
				return nil, err
			}
			for _, o := range pg.Items {
				if o.ID != t.ID && len(d.Others) < 10 {
					d.Others = append(d.Others, o)
				}
			}
		}
	}
	files, err := wb.svc.Attachments(ctx, t.Number)
	if err != nil {
		return nil, err
	}
	byMessage := map[int64][]*otklik.Attachment{}
	for _, f := range files {
		if f.MessageID == 0 {
			d.Files = append(d.Files, f)
		} else {
			byMessage[f.MessageID] = append(byMessage[f.MessageID], f)
		}
	}
	for _, m := range v.Messages {
		e := timelineEntry{At: m.CreatedAt, Message: m, Files: byMessage[m.ID], Text: m.Body}
		if m.Visible != "" && m.Visible != m.Body {
			e.Text, e.Folded = m.Visible, strings.TrimPrefix(m.Body, m.Visible)
		}
		if !reveal {
			e.Text, e.Folded = maskText(e.Text), maskText(e.Folded)
		}
		d.Timeline = append(d.Timeline, e)
	}
	recs, err := wb.svc.Journal(ctx, t.Number)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if rec.Kind == otklik.KindMessage {
			continue // the message itself is on the timeline
		}
		d.Timeline = append(d.Timeline, timelineEntry{At: rec.At, Record: rec})
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	if d.Staff, err = wb.svc.Users(ctx); err != nil {
		return nil, err
	}
	if d.Groups, err = wb.svc.Groups(ctx); err != nil {
		return nil, err
	}
	if d.Cats, err = wb.svc.Categories(ctx); err != nil {
		return nil, err
	}
	pols, err := wb.svc.SLAPoliciesInUse(ctx)
	if err != nil {
		return nil, err
	}
	d.Policies.Names = map[string]string{}
	for _, pol := range pols {
		d.Policies.Names[pol.Code] = pol.Name
		switch {
		case pol.Manual:
			d.Policies.Manual = append(d.Policies.Manual, pol)
			if pol.Code == t.SLA.Policy {
				d.Policies.Current = pol.Code
			}
		case pol.Code == t.SLA.Policy:
			d.Policies.Matched = pol.Name
		}
	}
	if can(s.user.Role, "extend") {
		ok, limit, err := wb.svc.Extendable(ctx, t)
		if err != nil {
			return nil, err
		}
		if ok {
			due := t.DueAt.In(service.Moscow)
			f := &extendForm{Min: due.Format("2006-01-02"), Appeal: t.SLA.Appeal, Time: due.Format("15:04"),
				Reasons: service.UsualExtensionReasons, Reason: service.UsualExtensionReasons[0].Code}
			if limit != nil {
				f.Max, f.Cap = limit.In(service.Moscow).Format("2006-01-02"), limit.In(service.Moscow).Format("02.01.2006")
			}
			d.Extend = f
		}
	}
	tpls, err := wb.svc.ResponseTemplates(ctx)
	if err != nil {
		return nil, err
	}
	for _, tp := range tpls {
		d.Templates = append(d.Templates, templateChoice{Code: tp.Code, Title: tp.Title, Body: service.FillTemplate(tp.Body, t, s.user.Name)})
	}
	return d, nil
}

func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

// back returns to the ticket page after a change.
func backToTicket(w http.ResponseWriter, r *http.Request, number string) {
	http.Redirect(w, r, "/agent/tickets/"+number, http.StatusSeeOther)
}

// reply adds a public reply or an internal note. A reply written on a stale view (the ticket changed
// after the page was loaded) is refused and the page shows what changed, keeping the text.
func (wb *Web) reply(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "reply") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	number := r.PathValue("number")
	body, internal := r.PostFormValue("body"), r.PostFormValue("internal") == "1"
	if r.PostFormValue("force") == "1" {
		// The member saw the warning and sends anyway, against the current version.
		r.Form.Set("version", "0")
	}
	_, _, err := wb.svc.AddMessage(r.Context(), s.user.Actor(otklik.ChannelAgent), number,
		service.Reply{Body: body, Internal: internal, Version: formVersion(r)})
	if err == nil {
		if st := otklik.Status(r.PostFormValue("then")); st != "" {
			if _, err := wb.svc.ChangeStatus(r.Context(), s.user.Actor(otklik.ChannelAgent), number, service.StatusChange{Status: st}); err != nil {
				wb.ticketAgain(w, r, s, number, err, "", false)
				return
			}
		}
		backToTicket(w, r, number)
		return
	}
	wb.ticketAgain(w, r, s, number, err, body, internal)
}

// ticketAgain shows the ticket page with the error of a refused action and the reply box as it was.
func (wb *Web) ticketAgain(w http.ResponseWriter, r *http.Request, s *staffSession, number string, err error, body string, internal bool) {
	wb.ticketRefused(w, r, s, number, err, func(d *ticketData) { d.Reply, d.Internal = body, internal })
}

// ticketRefused shows the ticket page with the error of a refused action; keep puts back into the
// page's forms what the member typed.
func (wb *Web) ticketRefused(w http.ResponseWriter, r *http.Request, s *staffSession, number string, err error, keep func(*ticketData)) {
	code := otklik.ErrorCode(err)
	if code != otklik.EINVALID && code != otklik.ECONFLICT && code != otklik.EFORBIDDEN {
		wb.failErr(w, r, err)
		return
	}
	d, derr := wb.ticketData(r.Context(), s, number, false)
	if derr != nil {
		wb.failErr(w, r, derr)
		return
	}
	keep(d)
	p := &page{Title: "ui.ticket.title", Args: map[string]string{"number": number}, Back: "/agent/tickets/" + number, Data: d}
	e, key, args := messageOf(err)
	p.Error = key
	for k, v := range args {
		p.Args[k] = v
	}
	d.Stale = e != nil && strings.HasPrefix(e.Key, "ticket.version_conflict")
	status := statusOf[code]
	wb.render(w, r, status, "ticket", p)
}

func (wb *Web) status(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "status") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	number := r.PathValue("number")
	_, err := wb.svc.ChangeStatus(r.Context(), s.user.Actor(otklik.ChannelAgent), number, service.StatusChange{
		Status: otklik.Status(r.PostFormValue("status")), Reason: r.PostFormValue("reason"), Version: formVersion(r)})
	if err != nil {
		wb.ticketAgain(w, r, s, number, err, "", false)
		return
	}
	backToTicket(w, r, number)
}

// assign changes the assignee, group, category or priority; escalating to another group needs a
// reason, which the journal keeps.
func (wb *Web) assign(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "assign") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	number := r.PathValue("number")
	p := service.TicketPatch{Reason: strings.TrimSpace(r.PostFormValue("reason")), Version: formVersion(r)}
	if v := r.PostFormValue("assignee"); v != "" {
		id := s.user.ID
		if v != "me" {
			var err error
			if id, err = strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
				// Not a member's ID: refused, never read as 0 (which would unassign the ticket).
				wb.ticketAgain(w, r, s, number, otklik.Invalid(otklik.FieldError{Field: "assignee", Key: "assignee.unknown",
					Args: map[string]string{"value": v}}), "", false)
				return
			}
		}
		p.AssigneeID = &id
	}
	if v, ok := r.PostForm["group"]; ok {
		p.Group = &v[0]
		if p.Reason == "" && r.PostFormValue("escalate") == "1" {
			wb.ticketAgain(w, r, s, number, otklik.Invalid(otklik.FieldError{Field: "reason", Key: "ui.ticket.escalate_reason"}), "", false)
			return
		}
	}
	if v := r.PostFormValue("category"); v != "" {
		p.Category = &v
	}
	if v := r.PostFormValue("priority"); v != "" {
		pr := otklik.Priority(v)
		p.Priority = &pr
	}
	// The policy and the appeal mark change only when the member changed what the form showed: the
	// same form saves the assignee, and saving it must not return a ticket to the rules' policy.
	if v, ok := r.PostForm["sla_policy"]; ok && v[0] != r.PostFormValue("sla_policy_was") {
		p.SLAPolicy = &v[0]
	}
	if was := r.PostFormValue("appeal_was"); was != "" {
		if appeal := r.PostFormValue("appeal") == "1"; strconv.FormatBool(appeal) != was {
			p.Appeal = &appeal
		}
	}
	if _, err := wb.svc.UpdateTicket(r.Context(), s.user.Actor(otklik.ChannelAgent), number, p); err != nil {
		wb.ticketAgain(w, r, s, number, err, "", false)
		return
	}
	backToTicket(w, r, number)
}

// reveal shows the ticket with its personal data unmasked, once, after recording who saw it.
func (wb *Web) reveal(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "reveal") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	number := r.PathValue("number")
	d, err := wb.ticketData(r.Context(), s, number, true)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	// Recorded before anything unmasked leaves the server: no record, no page.
	if err := wb.svc.RecordReveal(r.Context(), s.user.ID, d.T.ID, "ticket"); err != nil {
		wb.failErr(w, r, err)
		return
	}
	wb.render(w, r, http.StatusOK, "ticket", &page{Title: "ui.ticket.title", Args: map[string]string{"number": number},
		Back: "/agent/tickets/" + number, Data: d})
}

type revealRow struct {
	R      otklik.Reveal
	Who    string
	Number string
}

// revealLog lists who revealed personal data, newest first: the auditor's view.
func (wb *Web) revealLog(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "reveals") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	rs, err := wb.svc.Reveals(r.Context(), otklik.RevealFilter{Limit: 200})
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	users, err := wb.svc.Users(r.Context())
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.Name + " <" + u.Email + ">"
	}
	var rows []revealRow
	numbers := map[int64]string{} // a ticket looked up once, however many reveals it has
	for _, rv := range rs {
		n, ok := numbers[rv.TicketID]
		if !ok {
			var err error
			n, err = wb.svc.TicketNumber(r.Context(), rv.TicketID)
			if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
				wb.failErr(w, r, err)
				return
			}
			numbers[rv.TicketID] = n
		}
		rows = append(rows, revealRow{R: rv, Who: names[rv.UserID], Number: n})
	}
	wb.render(w, r, http.StatusOK, "reveals", &page{Title: "ui.reveals.title", Nav: "reveals", Data: rows})
}

// link links the ticket with another by its number.
func (wb *Web) link(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "assign") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	number := r.PathValue("number")
	if err := wb.svc.LinkTickets(r.Context(), s.user.Actor(otklik.ChannelAgent), number, r.PostFormValue("other")); err != nil {
		wb.ticketAgain(w, r, s, number, err, "", false)
		return
	}
	backToTicket(w, r, number)
}

// extend moves the resolution deadline to the date and time given (Moscow time), with a reason: one of
// the usual ones, or "other" with the note as the reason. The citizen is told the new date by e-mail.
func (wb *Web) extend(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if !can(s.user.Role, "extend") {
		wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
		return
	}
	number := r.PathValue("number")
	date, clock := strings.TrimSpace(r.PostFormValue("date")), strings.TrimSpace(r.PostFormValue("time"))
	reason, note := r.PostFormValue("reason"), r.PostFormValue("note")
	keep := func(d *ticketData) {
		if d.Extend != nil {
			d.Extend.Date, d.Extend.Time, d.Extend.Reason, d.Extend.Note = date, clock, reason, note
		}
	}
	until, err := time.ParseInLocation("2006-01-02 15:04", date+" "+cmp.Or(clock, "18:00"), service.Moscow)
	if err != nil {
		wb.ticketRefused(w, r, s, number, otklik.Invalid(otklik.FieldError{Field: "until", Key: "ui.extend.until_format"}), keep)
		return
	}
	in := service.Extension{Until: until, Reason: reason, Note: note}
	if _, known := service.ExtensionReasons[reason]; !known {
		// Another reason: the note is the reason itself.
		if strings.TrimSpace(note) == "" {
			wb.ticketRefused(w, r, s, number, otklik.Invalid(otklik.FieldError{Field: "note", Key: "ui.extend.reason_required"}), keep)
			return
		}
		in.Reason, in.Note = note, ""
	}
	if _, err := wb.svc.ExtendDeadline(r.Context(), s.user.Actor(otklik.ChannelAgent), number, in); err != nil {
		wb.ticketRefused(w, r, s, number, err, keep)
		return
	}
	backToTicket(w, r, number)
}
