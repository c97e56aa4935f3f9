package service

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
)

// The phone hotline (F4): an operator logs a call as a ticket in one step, and the telephone exchange
// tells the operator who is calling before they pick up.

// CallOutcome is how a call ended, which decides the new ticket's status.
type CallOutcome string

// Call outcomes.
const (
	// CallResolved: the question was answered during the call; the ticket is resolved at once, by
	// the operator, and the call counts as the first response.
	CallResolved CallOutcome = "resolved"
	// CallHandedOver: the question needs work by the category's group; the ticket stays new and
	// unassigned, routed like any other.
	CallHandedOver CallOutcome = "handed_over"
	// CallCallback: the operator will call back (after checking something, or when the caller has
	// their documents at hand); the ticket waits, assigned to the operator, and the call counts as the
	// first response.
	CallCallback CallOutcome = "callback"
)

// CallOutcomes lists the outcomes in the order a form offers them.
var CallOutcomes = []CallOutcome{CallResolved, CallHandedOver, CallCallback}

func (o CallOutcome) valid() bool {
	for _, c := range CallOutcomes {
		if o == c {
			return true
		}
	}
	return false
}

// Call is a phone call to log. Field errors name these fields: phone, name, email, snils, category,
// subject, notes, outcome.
type Call struct {
	Phone    string // the caller's number, required
	Name     string // optional: a requester on file keeps the name they have
	Email    string // optional, to find or complete the requester
	SNILS    string // optional, to find or complete the requester
	Category string // a category code, required
	Subject  string // optional: the category's name
	Notes    string // what the caller asked and what they were told: the ticket's first message
	Outcome  CallOutcome
}

// CallerQuery identifies a caller: any of the fields, in any common notation.
type CallerQuery struct {
	Phone, Email, SNILS string
}

// Caller is the requester on file a caller matches, with their latest tickets.
type Caller struct {
	Requester *otklik.Requester // nil: nobody on file matches
	Recent    []*otklik.Ticket  // newest first, at most CallerRecent
}

// CallerRecent is how many of a caller's tickets FindCaller returns.
const CallerRecent = 5

// callerLookup validates the identifiers of a caller and returns them canonical. Errors name the
// fields phone, email and snils.
func callerLookup(v *otklik.Validation, q CallerQuery) otklik.RequesterLookup {
	var l otklik.RequesterLookup
	if s := strings.TrimSpace(q.Phone); s != "" {
		if p, err := identity.ParsePhone(s); err != nil {
			v.Add("phone", identityKey(err, "phone.format"), nil)
		} else {
			l.Phone = string(p)
		}
	}
	if s := strings.TrimSpace(q.Email); s != "" {
		if e, err := identity.ParseEmail(s); err != nil {
			v.Add("email", identityKey(err, "email.format"), nil)
		} else {
			l.Email = strings.ToLower(e)
		}
	}
	if s := strings.TrimSpace(q.SNILS); s != "" {
		if n, err := identity.ParseSNILS(s); err != nil {
			v.Add("snils", identityKey(err, "snils.format"), nil)
		} else {
			l.SNILS = string(n)
		}
	}
	return l
}

// FindCaller finds the requester a caller is, by the rule a new ticket follows to file itself (the
// e-mail, else the phone, else the СНИЛС; of several requesters sharing a phone, the first
// registered), so that the card an operator sees is the requester the logged call will belong to.
// An identifier that does not parse is an EINVALID naming its field.
func (s *Service) FindCaller(ctx context.Context, q CallerQuery) (*Caller, error) {
	var v otklik.Validation
	l := callerLookup(&v, q)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &Caller{}
	for _, by := range []otklik.RequesterLookup{{Email: l.Email}, {Phone: l.Phone}, {SNILS: l.SNILS}} {
		if by == (otklik.RequesterLookup{}) {
			continue
		}
		ids, err := s.store.RequesterIDs(ctx, by)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			continue
		}
		ts, err := s.store.Tickets(ctx, otklik.TicketFilter{RequesterIDs: ids[:1], Limit: CallerRecent})
		if err != nil {
			return nil, err
		}
		c.Recent = ts
		if len(ts) > 0 {
			c.Requester = ts[0].Requester
		}
		break
	}
	return c, nil
}

// callReasons are the journal's words for the status an outcome sets.
var callReasons = map[CallOutcome]string{
	CallResolved: "Решено во время звонка",
	CallCallback: "Нужно перезвонить заявителю",
}

// LogCall registers a phone call as a ticket (channel phone) and gives it the status its outcome
// calls for, in one transaction: a call resolved on the line is registered and resolved at once, a
// call to return is registered waiting and assigned to actor. The caller is found as FindCaller finds
// them, or registered.
func (s *Service) LogCall(ctx context.Context, actor otklik.Actor, in Call) (*otklik.Ticket, error) {
	var v otklik.Validation
	l := callerLookup(&v, CallerQuery{Phone: in.Phone, Email: in.Email, SNILS: in.SNILS})
	if strings.TrimSpace(in.Phone) == "" {
		v.Add("phone", "field.required", nil)
	}
	cleanLine(&v, "name", in.Name, otklik.MaxNameLen, false)
	subject := cleanLine(&v, "subject", in.Subject, otklik.MaxSubjectLen, false)
	notes := cleanText(&v, "notes", in.Notes, otklik.MaxBodyLen, true)
	catalog, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	cat, ok := categoryByCode(catalog.cats, in.Category)
	switch {
	case in.Category == "":
		v.Add("category", "field.required", nil)
	case !ok:
		v.Add("category", "category.unknown", map[string]string{"value": in.Category})
	}
	if !in.Outcome.valid() {
		v.Add("outcome", "call.outcome_unknown", map[string]string{"value": string(in.Outcome)})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if subject == "" {
		subject = cat.Name
	}
	p, err := s.prepare(ctx, NewTicket{Channel: otklik.ChannelPhone, Subject: subject, Body: notes, Category: cat.Code,
		Requester: RequesterInput{Name: in.Name, Email: l.Email, Phone: l.Phone, SNILS: l.SNILS}})
	if err != nil {
		return nil, err
	}
	var t *otklik.Ticket
	write := func(tx otklik.Tx) error {
		var err error
		if t, _, err = s.insert(ctx, tx, p, actor, nil, nil); err != nil {
			return err
		}
		s.publishAfter(tx, otklik.Event{Type: otklik.EventTicketCreated, Ticket: t.Number, Version: t.Version,
			Status: t.Status, Kinds: []otklik.Kind{otklik.KindCreated}, Actor: actorLabel(actor), At: t.CreatedAt})
		if in.Outcome == CallHandedOver {
			return nil
		}
		t, _, err = s.applyChange(ctx, tx, t.Number, t.Version, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			return s.callOutcome(ctx, tx, actor, t, in.Outcome, now)
		})
		return err
	}
	err = s.store.Write(ctx, write)
	if err != nil && isDuplicate(err) {
		// A new requester's e-mail was registered at the same moment elsewhere: run again, finding them.
		err = s.store.Write(ctx, write)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// callOutcome moves a just-registered call ticket to the status of the outcome, taken by the
// operator, with the call as its first response.
func (s *Service) callOutcome(ctx context.Context, tx otklik.Tx, actor otklik.Actor, t *otklik.Ticket, o CallOutcome, now time.Time) ([]*otklik.JournalRecord, error) {
	to := otklik.StatusResolved
	if o == CallCallback {
		to = otklik.StatusWaiting
	}
	if err := s.lifecycle.CheckTransition(t, to, now); err != nil {
		return nil, err
	}
	var recs []*otklik.JournalRecord
	if actor.Type == otklik.ActorStaff {
		recs = append(recs, &otklik.JournalRecord{Actor: actor, Kind: otklik.KindAssignee, Field: "assignee",
			After: userLabel(actor.ID, actor.Name)})
		t.Assignee = &otklik.UserRef{ID: actor.ID, Name: actor.Name}
	}
	if t.FirstResponseAt == nil {
		t.FirstResponseAt = &now
	}
	recs = append(recs, statusRecord(actor, t, to, callReasons[o], now))
	if to == otklik.StatusResolved {
		if err := s.scheduleAutoClose(ctx, tx, t, now); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// IncomingCall is what the telephone exchange reports when it puts a call through to an operator.
type IncomingCall struct {
	Phone  string // the caller's number
	Agent  string // the operator: their e-mail or staff ID
	CallID string // the exchange's own ID of the call, for the log
}

// MaxCallIDLen bounds the exchange's call ID.
const MaxCallIDLen = 200

// AnnounceCall tells the operator the exchange names that a call from the phone is coming, on their
// open workspace (EventCallIncoming). It records nothing. It reports whether the operator exists and
// may take calls (enabled, with a role that works tickets); an unknown operator is not an error, as
// the exchange cannot do anything about it. Field errors name phone, agent and call_id.
func (s *Service) AnnounceCall(ctx context.Context, in IncomingCall) (delivered bool, err error) {
	var v otklik.Validation
	phone := ""
	if strings.TrimSpace(in.Phone) == "" {
		v.Add("phone", "field.required", nil)
	} else if p, err := identity.ParsePhone(in.Phone); err != nil {
		v.Add("phone", identityKey(err, "phone.format"), nil)
	} else {
		phone = string(p)
	}
	agent := strings.TrimSpace(in.Agent)
	var id int64
	email := ""
	switch {
	case agent == "":
		v.Add("agent", "field.required", nil)
	case strings.Trim(agent, "0123456789") == "":
		id, err = strconv.ParseInt(agent, 10, 64)
		if err != nil || id <= 0 {
			v.Add("agent", "call.agent_format", nil)
		}
	default:
		if e, err := identity.ParseEmail(agent); err != nil {
			v.Add("agent", "call.agent_format", nil)
		} else {
			email = strings.ToLower(e)
		}
	}
	callID := cleanLine(&v, "call_id", in.CallID, MaxCallIDLen, false)
	if err := v.Err(); err != nil {
		return false, err
	}
	var u *otklik.User
	if email != "" {
		u, err = s.store.UserByEmail(ctx, email)
		if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
			return false, err
		}
	} else {
		users, err := s.store.Users(ctx)
		if err != nil {
			return false, err
		}
		for i := range users {
			if users[i].ID == id {
				u = &users[i]
			}
		}
	}
	delivered = u != nil && !u.Disabled && u.Role.CanWriteTickets()
	if delivered && s.events != nil {
		s.events.Publish(otklik.Event{Type: otklik.EventCallIncoming, Phone: phone, ActorID: u.ID, At: s.now(), Node: s.node})
	}
	s.log.Info("incoming call", "call_id", callID, "agent", agent, "delivered", delivered)
	return delivered, nil
}
