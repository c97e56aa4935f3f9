package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

func lang(r *http.Request) string { return i18n.Negotiate(r.Header.Get("Accept-Language")) }

// writeTicket answers with one ticket, its ETag and, when given, its messages.
func (a *API) writeTicket(w http.ResponseWriter, r *http.Request, status int, t *otklik.Ticket, msgs []*otklik.Message) {
	j := ticketJSON(lang(r), t, a.svc.AllowedStatuses(t))
	a.fillSLA(r, &j, t)
	if msgs != nil {
		j.Messages = make([]MessageJSON, len(msgs))
		for i, m := range msgs {
			j.Messages[i] = messageJSON(m)
		}
	}
	w.Header().Set("ETag", etag(t.Version))
	httpx.JSON(w, status, j)
}

func (a *API) createTicket(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in CreateTicketJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	nt := service.NewTicket{
		Channel: otklik.Channel(in.Channel), Subject: in.Subject, Body: in.Body, Category: in.Category,
		Priority: otklik.Priority(in.Priority), IdempotencyKey: r.Header.Get("Idempotency-Key"), Appeal: in.Appeal,
	}
	if in.Requester != nil {
		nt.Requester = service.RequesterInput{Name: in.Requester.Name, Email: in.Requester.Email,
			Phone: in.Requester.Phone, SNILS: in.Requester.SNILS, INN: in.Requester.INN}
	}
	t, replayed, err := a.svc.CreateTicket(r.Context(), actor(me), nt)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.Header().Set("Location", "/api/v1/tickets/"+url.PathEscape(t.Number))
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	a.writeTicket(w, r, http.StatusCreated, t, nil)
}

func (a *API) getTicket(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	v, err := a.svc.Ticket(r.Context(), r.PathValue("number"))
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag(v.Ticket.Version)) {
		w.Header().Set("ETag", etag(v.Ticket.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if v.Messages == nil {
		v.Messages = []*otklik.Message{}
	}
	j := ticketJSON(lang(r), v.Ticket, a.svc.AllowedStatuses(v.Ticket))
	a.fillSLA(r, &j, v.Ticket)
	j.Messages = make([]MessageJSON, len(v.Messages))
	for i, m := range v.Messages {
		j.Messages[i] = messageJSON(m)
		if e := v.Mail[m.ID]; e != nil {
			j.Messages[i].Email = &MessageMailJSON{Direction: string(e.Direction), MessageID: e.MessageID, From: e.From, To: e.To,
				Status: e.Status, Auth: authJSON(e.Auth), Phishing: e.Phishing}
		}
	}
	for _, l := range v.Links {
		j.Links = append(j.Links, LinkJSON{Kind: l.Kind, Number: l.Number, Subject: l.Subject, Status: string(l.Status)})
	}
	w.Header().Set("ETag", etag(v.Ticket.Version))
	httpx.JSON(w, http.StatusOK, j)
}

func (a *API) listTickets(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	q := r.URL.Query()
	for k := range q {
		if !listParams[k] {
			httpx.Error(w, r, a.log, otklik.Invalid(otklik.FieldError{Field: k, Key: "field.unknown_param"}))
			return
		}
	}
	p, err := a.svc.ListTickets(r.Context(), me, service.ListQuery{
		Q: q.Get("q"), Status: q.Get("status"), Channel: q.Get("channel"), Category: q.Get("category"),
		Assignee: q.Get("assignee"), Group: q.Get("group"), RequesterEmail: q.Get("requester_email"),
		RequesterPhone: q.Get("requester_phone"), RequesterSNILS: q.Get("requester_snils"),
		CreatedFrom: q.Get("created_from"), CreatedTo: q.Get("created_to"), Overdue: q.Get("overdue"), Order: q.Get("order"),
		Limit: q.Get("limit"), Cursor: q.Get("cursor"),
	})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	l := lang(r)
	out := TicketPageJSON{Items: make([]TicketJSON, len(p.Items))}
	for i, t := range p.Items {
		out.Items[i] = ticketJSON(l, t, a.svc.AllowedStatuses(t))
		a.fillSLA(r, &out.Items[i], t)
	}
	if p.Next != "" {
		out.NextCursor = &p.Next
	}
	httpx.JSON(w, http.StatusOK, out)
}

// listParams are the query parameters of the ticket list; anything else is refused, so that a typo
// does not silently return an unfiltered list.
var listParams = map[string]bool{
	"q": true, "status": true, "channel": true, "category": true, "assignee": true, "group": true,
	"requester_email": true, "requester_phone": true, "requester_snils": true, "created_from": true,
	"created_to": true, "overdue": true, "order": true, "limit": true, "cursor": true,
}

// versioned is an edit's body, which may carry the ticket version its author saw.
type versioned interface{ bodyVersion() int64 }

func (in ReplyJSON) bodyVersion() int64       { return in.Version }
func (in StatusJSON) bodyVersion() int64      { return in.Version }
func (in PatchTicketJSON) bodyVersion() int64 { return in.Version }

// decodeEdit reads an edit's body and the version it is based on (If-Match, else the body's field);
// when either is wrong it answers the problem itself and returns false.
func decodeEdit[T versioned](a *API, w http.ResponseWriter, r *http.Request) (in T, version int64, ok bool) {
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return in, 0, false
	}
	v, err := expectedVersion(r, in.bodyVersion())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return in, 0, false
	}
	return in, v, true
}

func (a *API) addMessage(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	in, v, ok := decodeEdit[ReplyJSON](a, w, r)
	if !ok {
		return
	}
	t, m, err := a.svc.AddMessage(r.Context(), actor(me), r.PathValue("number"), service.Reply{Body: in.Body, Internal: in.Internal, Version: v})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.Header().Set("ETag", etag(t.Version))
	httpx.JSON(w, http.StatusCreated, messageJSON(m))
}

func (a *API) changeStatus(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	in, v, ok := decodeEdit[StatusJSON](a, w, r)
	if !ok {
		return
	}
	t, err := a.svc.ChangeStatus(r.Context(), actor(me), r.PathValue("number"), service.StatusChange{Status: otklik.Status(in.Status), Reason: in.Reason, Version: v})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	a.writeTicket(w, r, http.StatusOK, t, nil)
}

func (a *API) patchTicket(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	in, v, ok := decodeEdit[PatchTicketJSON](a, w, r)
	if !ok {
		return
	}
	p := service.TicketPatch{Subject: in.Subject, Category: in.Category, Reason: in.Reason, Version: v, Appeal: in.Appeal,
		SLAPolicy: in.SLAPolicy}
	if in.Priority != nil {
		pr := otklik.Priority(*in.Priority)
		p.Priority = &pr
	}
	if in.AssigneeID.Set {
		id := in.AssigneeID.Value
		if in.AssigneeID.Null {
			id = 0
		} else if id <= 0 {
			httpx.Error(w, r, a.log, otklik.Invalid(otklik.FieldError{Field: "assignee_id", Key: "assignee.unknown", Args: map[string]string{"value": "0"}}))
			return
		}
		p.AssigneeID = &id
	}
	if in.Group.Set {
		g := in.Group.Value
		if in.Group.Null {
			g = ""
		}
		p.Group = &g
	}
	t, err := a.svc.UpdateTicket(r.Context(), actor(me), r.PathValue("number"), p)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	a.writeTicket(w, r, http.StatusOK, t, nil)
}

func (a *API) journal(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	recs, err := a.svc.Journal(r.Context(), r.PathValue("number"))
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]JournalJSON, len(recs))
	for i, rec := range recs {
		out[i] = journalJSON(rec)
	}
	httpx.JSON(w, http.StatusOK, out)
}
