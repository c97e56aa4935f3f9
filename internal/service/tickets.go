package service

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/classify"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/russian"
)

// NewTicket is a request to register a ticket.
type NewTicket struct {
	Channel   otklik.Channel
	Subject   string
	Body      string
	Category  string          // a category code; guessed from the text when empty
	Priority  otklik.Priority // guessed from the subject when empty
	Requester RequesterInput
	// IdempotencyKey, when set, makes a retry of the same request return the ticket the first one
	// created instead of a second ticket.
	IdempotencyKey string
	// Appeal marks a formal appeal under 59-ФЗ (filed through a channel that identified the citizen):
	// its statutory deadline applies besides the SLA policy's.
	Appeal bool
}

// createdRecord is the After of a ticket's first journal record: what was registered, including the
// hash of the first message, so that `otklik verify` detects an edited original request.
type createdRecord struct {
	Subject     string `json:"subject"`
	Channel     string `json:"channel"`
	Category    string `json:"category"`
	Priority    string `json:"priority"`
	Status      string `json:"status"`
	Group       string `json:"group,omitempty"`
	RequesterID int64  `json:"requester_id"`
	BodySHA256  string `json:"body_sha256"`
	// ImportedCreatedAt is the registration time a ticket imported from another system had there.
	ImportedCreatedAt string `json:"imported_created_at,omitempty"`
	// The deadlines the SLA policies gave it.
	FirstResponseDueAt string `json:"first_response_due_at,omitempty"`
	DueAt              string `json:"due_at,omitempty"`
	SLAPolicy          string `json:"sla_policy,omitempty"`
}

// messageRecord is the After of a message's journal record.
type messageRecord struct {
	MessageID  int64  `json:"message_id"`
	Internal   bool   `json:"internal"`
	BodySHA256 string `json:"body_sha256"`
}

// prepared is a validated create request with everything computed that needs no database.
type prepared struct {
	in       NewTicket
	subject  string
	body     string
	req      otklik.Requester
	cat      otklik.Category
	group    otklik.Group
	priority otklik.Priority
	key      string
	reqHash  []byte
	bodySum  [32]byte
	stems    string
	visible  string // the first message's folded view (e-mail); "" means the whole body
}

// prepare validates a create request and does the work that needs no transaction: classification,
// routing, hashing and stemming, so that the write transaction holds the writer as briefly as possible.
func (s *Service) prepare(ctx context.Context, in NewTicket) (*prepared, error) {
	var v otklik.Validation
	if !in.Channel.Valid() {
		v.Add("channel", "channel.unknown", map[string]string{"value": string(in.Channel)})
	}
	p := &prepared{in: in}
	p.subject = cleanLine(&v, "subject", in.Subject, otklik.MaxSubjectLen, true)
	p.body = cleanText(&v, "body", in.Body, otklik.MaxBodyLen, true)
	p.req = validRequester(&v, in.Requester, true)
	if in.Priority != "" && !in.Priority.Valid() {
		v.Add("priority", "priority.unknown", map[string]string{"value": string(in.Priority)})
	}
	catalog, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	if in.Category != "" {
		var ok bool
		if p.cat, ok = categoryByCode(catalog.cats, in.Category); !ok {
			v.Add("category", "category.unknown", map[string]string{"value": in.Category})
		}
	}
	p.key = strings.TrimSpace(in.IdempotencyKey)
	if in.IdempotencyKey != "" && !validIdempotencyKey(p.key) {
		v.Add("Idempotency-Key", "idempotency.key_invalid", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	guess := classify.Classify(p.subject, p.body)
	if in.Category == "" {
		c, ok := categoryByCode(catalog.cats, guess.Category)
		if !ok {
			c, ok = categoryByCode(catalog.cats, "other")
		}
		if !ok {
			return nil, otklik.Internal(errors.New("no category to file the ticket under: the category tree is empty"))
		}
		p.cat = c
	}
	p.priority = in.Priority
	if p.priority == "" {
		p.priority = otklik.Priority(guess.Priority)
	}
	p.bodySum = sha256.Sum256([]byte(p.body))
	p.stems = string(russian.AppendIndexText(russian.AppendIndexText(nil, p.subject), p.body))
	if p.key != "" {
		p.reqHash = requestHash(in.Channel, p.subject, p.body, in.Category, in.Priority, p.req)
		if in.Appeal {
			p.reqHash = append(p.reqHash, 'A')
		}
	}
	p.group, _ = catalog.group(otklik.RouteGroup(catalog.cats, p.cat.ID))
	return p, nil
}

// CreateTicket registers a ticket with its requester and first message, its first journal record and
// its search entry, all in one transaction. It returns the ticket and whether it was an idempotent
// replay of an earlier request.
func (s *Service) CreateTicket(ctx context.Context, actor otklik.Actor, in NewTicket) (*otklik.Ticket, bool, error) {
	p, err := s.prepare(ctx, in)
	if err != nil {
		return nil, false, err
	}
	return s.create(ctx, actor, actorScope(actor), p, nil)
}

// alsoFunc does more in a new ticket's transaction, given the ticket and its first message.
type alsoFunc func(tx otklik.Tx, t *otklik.Ticket, first *otklik.Message) error

// create registers a prepared ticket, its idempotency key under scope, and whatever also does, in one
// transaction; a key used before replays the ticket it made (also does not run then).
func (s *Service) create(ctx context.Context, actor otklik.Actor, scope string, p *prepared, also alsoFunc) (*otklik.Ticket, bool, error) {
	var t *otklik.Ticket
	var replay string
	// The first attempt does not look the idempotency key up: a new key is the common case, and a
	// key used before makes the insert fail on its unique index. Then the second attempt looks it up
	// and replays the ticket the first request created (or refuses a different request under it).
	lookup := false
	write := func(tx otklik.Tx) error {
		replay = ""
		if p.key != "" && lookup {
			number, h, err := tx.IdempotentTicket(ctx, scope, p.key)
			switch {
			case err == nil && bytes.Equal(h, p.reqHash):
				replay = number
				return nil
			case err == nil:
				return &otklik.Error{Code: otklik.EINVALID, Key: "idempotency.mismatch",
					Fields: []otklik.FieldError{{Field: "Idempotency-Key", Key: "idempotency.mismatch"}}}
			case !otklik.IsCode(err, otklik.ENOTFOUND):
				return err
			}
		}
		var idem *otklik.IdempotencyKey
		if p.key != "" {
			idem = &otklik.IdempotencyKey{Scope: scope, Key: p.key, RequestHash: p.reqHash}
		}
		var first *otklik.Message
		var err error
		if t, first, err = s.insert(ctx, tx, p, actor, nil, idem); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx, t, first); err != nil {
				return err
			}
		}
		s.publishAfter(tx, otklik.Event{Type: otklik.EventTicketCreated, Ticket: t.Number, Version: t.Version,
			Status: t.Status, Kinds: []otklik.Kind{otklik.KindCreated}, Actor: actorLabel(actor), At: t.CreatedAt})
		return nil
	}
	err := s.store.Write(ctx, write)
	if err != nil && isDuplicate(err) {
		// The key was used before, or the same key (or a new requester's e-mail) arrived at the same
		// moment on another connection or node and committed first: run again, looking the key up.
		lookup = true
		err = s.store.Write(ctx, write)
	}
	if err != nil {
		return nil, false, err
	}
	if replay != "" {
		t, err := s.store.TicketByNumber(ctx, replay)
		return t, true, err
	}
	return t, false, nil
}

// insert stores a prepared ticket: requester, number, ticket, first message, the created record and
// the search entry. imp, when not nil, carries what an import brings from another system.
func (s *Service) insert(ctx context.Context, tx otklik.Tx, p *prepared, actor otklik.Actor, imp *ImportedTicket, idem *otklik.IdempotencyKey) (*otklik.Ticket, *otklik.Message, error) {
	r, err := s.requester(ctx, tx, p.req, tx.Now())
	if err != nil {
		return nil, nil, err
	}
	return s.insertFor(ctx, tx, p, r, actor, imp, idem)
}

// insertFor is insert for a requester already found or registered in the transaction.
func (s *Service) insertFor(ctx context.Context, tx otklik.Tx, p *prepared, r *otklik.Requester, actor otklik.Actor, imp *ImportedTicket, idem *otklik.IdempotencyKey) (*otklik.Ticket, *otklik.Message, error) {
	now := tx.Now()
	created, status := now, otklik.StatusNew
	if imp != nil {
		created, status = otklik.Truncate(imp.CreatedAt), imp.Status
	}
	year := created.In(Moscow).Year()
	seq, err := tx.NextTicketSequence(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	t := &otklik.Ticket{
		Number: otklik.FormatNumber(year, seq), Channel: p.in.Channel,
		Category: &otklik.CategoryRef{ID: p.cat.ID, Code: p.cat.Code, Name: p.cat.Name},
		Priority: p.priority, Status: status, Subject: p.subject, Requester: r,
		CreatedAt: created, UpdatedAt: now, Version: 1, SLA: otklik.TicketSLA{Appeal: p.in.Appeal},
	}
	if p.group.ID != 0 {
		t.Group = &otklik.GroupRef{ID: p.group.ID, Code: p.group.Code, Name: p.group.Name}
	}
	cr := createdRecord{
		Subject: p.subject, Channel: string(p.in.Channel), Category: p.cat.Code, Priority: string(p.priority),
		Status: string(status), Group: p.group.Code, RequesterID: r.ID, BodySHA256: hex.EncodeToString(p.bodySum[:]),
	}
	rec := &otklik.JournalRecord{At: now, Actor: actor, Kind: otklik.KindCreated}
	rec.Actor.Channel = p.in.Channel
	if imp != nil {
		otklik.ApplyStatus(t, status, now)
		cr.ImportedCreatedAt = created.Format(time.RFC3339Nano)
		rec.Field = "import"
		rec.Actor.Channel = actor.Channel
	}
	e, err := s.slaEngine(ctx)
	if err != nil {
		return nil, nil, err
	}
	if t.Status.Open() {
		e.setDeadlines(t)
		cr.FirstResponseDueAt, cr.DueAt, cr.SLAPolicy = fmtDue(t.FirstResponseDueAt), fmtDue(t.DueAt), t.SLA.Policy
	}
	after, _ := json.Marshal(cr)
	rec.After = string(after)
	rec.Seal(t) // before the insert, so that the ticket row carries its journal head from the start
	m := &otklik.Message{Body: p.body, Visible: p.visible, CreatedAt: created,
		Author: otklik.Actor{Type: otklik.ActorRequester, ID: r.ID, Name: r.Name, Channel: p.in.Channel}}
	err = tx.RegisterTicket(ctx, &otklik.NewTicketRows{Ticket: t, Message: m, Record: rec, Stems: p.stems, Idempotency: idem})
	return t, m, err
}

// requesterKey is what a requester is looked up by: the e-mail (by 0), else the phone (1), else the
// СНИЛС (2).
func requesterKey(in otklik.Requester) (by int, value string) {
	switch {
	case in.Email != "":
		return 0, in.Email
	case in.Phone != "":
		return 1, in.Phone
	default:
		return 2, in.SNILS
	}
}

// requesterLookup is the look-up of a requester by its key (requesterKey).
func requesterLookup(in otklik.Requester) otklik.RequesterLookup {
	switch by, v := requesterKey(in); by {
	case 0:
		return otklik.RequesterLookup{Email: v}
	case 1:
		return otklik.RequesterLookup{Phone: v}
	default:
		return otklik.RequesterLookup{SNILS: v}
	}
}

// requesterOrder orders requesters by their keys: e-mails first, then phones, then СНИЛС, each in byte
// order. Transactions that take several requesters in this order wait for one another instead of
// deadlocking.
func requesterOrder(a, b otklik.Requester) int {
	ba, va := requesterKey(a)
	bb, vb := requesterKey(b)
	return cmp.Or(cmp.Compare(ba, bb), strings.Compare(va, vb))
}

// requester finds the requester by their main identifier — the e-mail, else the phone, else the
// СНИЛС — and fills in details they did not have; otherwise it registers a new one. Details already
// on file are never overwritten by what a new request claims.
func (s *Service) requester(ctx context.Context, tx otklik.Tx, in otklik.Requester, now time.Time) (*otklik.Requester, error) {
	add := in
	add.CreatedAt = now
	r, added, err := tx.FindOrAddRequester(ctx, requesterLookup(in), &add)
	if err != nil || added {
		return r, err
	}
	changed := false
	fill := func(have *string, v string) {
		if *have == "" && v != "" {
			*have, changed = v, true
		}
	}
	fill(&r.Name, in.Name)
	fill(&r.Phone, in.Phone)
	fill(&r.SNILS, in.SNILS)
	fill(&r.INN, in.INN)
	if changed {
		return r, tx.UpdateRequester(ctx, r)
	}
	return r, nil
}

func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestHash fingerprints a create request, so that a key reused for a different request is refused.
func requestHash(ch otklik.Channel, subject, body, category string, p otklik.Priority, r otklik.Requester) []byte {
	h := sha256.New()
	for _, f := range []string{string(ch), subject, body, category, string(p), r.Name, r.Email, r.Phone, r.SNILS, r.INN} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

func actorScope(a otklik.Actor) string {
	return string(a.Type) + ":" + strconv.FormatInt(a.ID, 10)
}

// lookupNumber parses a ticket number as typed; a malformed one is reported as not found, with a hint
// that it may be mistyped.
func lookupNumber(s string) (string, error) {
	n, err := otklik.ParseNumber(s)
	if err != nil {
		return "", otklik.Errorf(otklik.ENOTFOUND, "ticket.number", map[string]string{"number": s})
	}
	return n, nil
}

// TicketView is a ticket with its conversation.
type TicketView struct {
	Ticket   *otklik.Ticket
	Messages []*otklik.Message
	Links    []otklik.Link
	Mail     map[int64]*otklik.MailRecord // by message ID: the e-mail a message came in or went out as
}

// Ticket returns a ticket and its messages, or ENOTFOUND.
func (s *Service) Ticket(ctx context.Context, number string) (*TicketView, error) {
	n, err := lookupNumber(number)
	if err != nil {
		return nil, err
	}
	t, err := s.store.TicketByNumber(ctx, n)
	if err != nil {
		return nil, notFoundNumber(err, number)
	}
	msgs, err := s.store.Messages(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	links, err := s.store.Links(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	// The newest e-mail of each message (a message sent twice after a bounce shows its last try).
	mails, err := s.store.Mails(ctx, otklik.MailFilter{TicketID: t.ID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	byMessage := map[int64]*otklik.MailRecord{}
	for _, m := range mails {
		if m.MessageRowID != 0 && byMessage[m.MessageRowID] == nil {
			byMessage[m.MessageRowID] = m
		}
	}
	return &TicketView{Ticket: t, Messages: msgs, Links: links, Mail: byMessage}, nil
}

func notFoundNumber(err error, number string) error {
	if otklik.IsCode(err, otklik.ENOTFOUND) {
		return otklik.Errorf(otklik.ENOTFOUND, "ticket.not_found", map[string]string{"number": number})
	}
	return err
}

// Journal returns a ticket's journal, oldest first.
func (s *Service) Journal(ctx context.Context, number string) ([]*otklik.JournalRecord, error) {
	n, err := lookupNumber(number)
	if err != nil {
		return nil, err
	}
	t, err := s.store.TicketByNumber(ctx, n)
	if err != nil {
		return nil, notFoundNumber(err, number)
	}
	return s.store.Journal(ctx, t.ID)
}

// AllowedStatuses returns the statuses t may move to now.
func (s *Service) AllowedStatuses(t *otklik.Ticket) []otklik.Status {
	return s.lifecycle.Allowed(t, s.now())
}

// isDuplicate reports a unique-key conflict reported by the store.
func isDuplicate(err error) bool {
	var e *otklik.Error
	return errors.As(err, &e) && e.Code == otklik.ECONFLICT && e.Key == "error.duplicate"
}

// TicketNumber returns the number of the ticket with an internal ID, or ENOTFOUND.
func (s *Service) TicketNumber(ctx context.Context, id int64) (string, error) {
	return s.store.TicketNumberByID(ctx, id)
}
