package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/russian"
)

// change runs one edit of a ticket in its own transaction (see applyChange). A stale version is an
// ECONFLICT that says who changed the ticket last and how.
func (s *Service) change(ctx context.Context, number string, expected int64, apply applyFunc) (*otklik.Ticket, error) {
	var t *otklik.Ticket
	var stale bool
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		t, stale, err = s.applyChange(ctx, tx, number, expected, apply)
		return err
	})
	if stale {
		return nil, s.staleError(ctx, t, expected)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// applyFunc changes a locked ticket and returns the journal records of the change (none: nothing
// changed).
type applyFunc func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error)

// applyChange is one edit of a ticket inside tx: it locks the ticket, checks the caller's expected
// version (0 = any), lets apply change it, seals and stores the journal records with the ticket, and
// publishes the change once the transaction commits. stale reports a version mismatch.
func (s *Service) applyChange(ctx context.Context, tx otklik.Tx, number string, expected int64, apply applyFunc) (t *otklik.Ticket, stale bool, err error) {
	n, err := lookupNumber(number)
	if err != nil {
		return nil, false, err
	}
	t, err = tx.TicketForUpdate(ctx, n)
	if err != nil {
		return nil, false, notFoundNumber(err, number)
	}
	if expected != 0 && t.Version != expected {
		return t, true, otklik.Errorf(otklik.ECONFLICT, "ticket.version_conflict", nil)
	}
	now := tx.Now()
	before := slaSnapshot(t)
	recs, err := apply(tx, t, now)
	if err != nil || len(recs) == 0 {
		return t, false, err
	}
	more, err := s.retime(ctx, t, before, now)
	if err != nil {
		return t, false, err
	}
	recs = append(recs, more...)
	prev := t.Version
	t.Version++
	t.UpdatedAt = now
	kinds := make([]otklik.Kind, 0, len(recs))
	for _, r := range recs {
		r.At = now
		r.Seal(t)
		kinds = append(kinds, r.Kind)
	}
	if err := tx.UpdateTicket(ctx, t, prev); err != nil {
		return t, false, err
	}
	for _, r := range recs {
		if err := tx.AppendJournal(ctx, r); err != nil {
			return t, false, err
		}
	}
	s.publishAfter(tx, otklik.Event{Type: otklik.EventTicketUpdated, Ticket: t.Number, Version: t.Version,
		Status: t.Status, Kinds: kinds, Actor: actorLabel(recs[0].Actor), At: now})
	return t, false, nil
}

// staleError explains a version conflict with the change that made the caller's copy stale.
func (s *Service) staleError(ctx context.Context, t *otklik.Ticket, expected int64) error {
	e := &otklik.Error{Code: otklik.ECONFLICT, Key: "ticket.version_conflict",
		Data: map[string]any{"current_version": t.Version, "your_version": expected}}
	recs, err := s.store.Journal(ctx, t.ID)
	if err == nil && len(recs) > 0 {
		last := recs[len(recs)-1]
		e.Args = map[string]string{"who": last.Actor.Name, "what": string(last.Kind),
			"when": last.At.In(Moscow).Format("02.01.2006 15:04")}
		e.Key = "ticket.version_conflict_by"
		e.Data["last_change"] = map[string]any{
			"by": last.Actor.Name, "at": last.At.In(Moscow).Format(time.RFC3339), "kind": string(last.Kind),
			"field": last.Field, "before": last.Before, "after": last.After,
		}
	}
	return e
}

// Reply is a message to add to a ticket.
type Reply struct {
	Body     string
	Internal bool
	// Version, when not 0, is the ticket version the author saw; a newer ticket refuses the reply.
	Version int64
}

// AddMessage adds a public reply or an internal note from actor. A public reply from staff to a new
// ticket takes it into work, and the first one is recorded as the first response.
func (s *Service) AddMessage(ctx context.Context, actor otklik.Actor, number string, in Reply) (*otklik.Ticket, *otklik.Message, error) {
	var v otklik.Validation
	body := cleanText(&v, "body", in.Body, otklik.MaxBodyLen, true)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256([]byte(body))
	stems := russian.IndexText(body)
	var m *otklik.Message
	t, err := s.change(ctx, number, in.Version, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		if !in.Internal && t.Status == otklik.StatusClosed {
			return nil, otklik.Errorf(otklik.ECONFLICT, "ticket.closed_reply", nil)
		}
		m = &otklik.Message{TicketID: t.ID, Author: actor, Internal: in.Internal, Body: body, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return nil, err
		}
		if err := tx.IndexTicket(ctx, t.ID, stems, false); err != nil {
			return nil, err
		}
		field := "reply"
		if in.Internal {
			field = "note"
		}
		after, _ := json.Marshal(messageRecord{MessageID: m.ID, Internal: in.Internal, BodySHA256: hex.EncodeToString(sum[:])})
		recs := []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindMessage, Field: field, After: string(after)}}
		if actor.Type == otklik.ActorStaff && !in.Internal {
			if err := s.replyByMail(ctx, tx, t, m, actor); err != nil {
				return nil, err
			}
			if t.FirstResponseAt == nil {
				t.FirstResponseAt = &now
			}
			if t.Status == otklik.StatusNew {
				recs = append(recs, statusRecord(actor, t, otklik.StatusInProgress, "", now))
			}
		}
		// The citizen's answer takes a ticket waiting for them, or resolved, back into work.
		if actor.Type == otklik.ActorRequester && !in.Internal &&
			(t.Status == otklik.StatusWaiting || t.Status == otklik.StatusResolved) &&
			s.lifecycle.CheckTransition(t, otklik.StatusInProgress, now) == nil {
			recs = append(recs, statusRecord(actor, t, otklik.StatusInProgress, "Ответ заявителя", now))
		}
		return recs, nil
	})
	return t, m, err
}

// statusRecord moves t to a new status and returns the journal record of the move.
func statusRecord(actor otklik.Actor, t *otklik.Ticket, to otklik.Status, reason string, now time.Time) *otklik.JournalRecord {
	r := &otklik.JournalRecord{Actor: actor, Kind: otklik.KindStatus, Before: string(t.Status), After: string(to), Reason: reason}
	otklik.ApplyStatus(t, to, now)
	return r
}

// StatusChange is a request to move a ticket to another status.
type StatusChange struct {
	Status  otklik.Status
	Reason  string
	Version int64
}

// ChangeStatus moves a ticket along its lifecycle; an illegal move is an ECONFLICT listing the allowed
// ones.
func (s *Service) ChangeStatus(ctx context.Context, actor otklik.Actor, number string, in StatusChange) (*otklik.Ticket, error) {
	var v otklik.Validation
	reason := cleanText(&v, "reason", in.Reason, otklik.MaxReasonLen, false)
	if in.Status == "" {
		v.Add("status", "field.required", nil)
	} else if !in.Status.Valid() {
		v.Add("status", "ticket.status_unknown", map[string]string{"status": string(in.Status)})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, number, in.Version, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		if err := s.lifecycle.CheckTransition(t, in.Status, now); err != nil {
			return nil, err
		}
		rec := statusRecord(actor, t, in.Status, reason, now)
		if in.Status == otklik.StatusResolved {
			if err := s.scheduleAutoClose(ctx, tx, t, now); err != nil {
				return nil, err
			}
		}
		return []*otklik.JournalRecord{rec}, nil
	})
}

// scheduleAutoClose enqueues, in tx, the job that closes t, resolved at now, once AutoCloseAfter has
// passed with nobody reopening it.
func (s *Service) scheduleAutoClose(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, now time.Time) error {
	if s.autoClose <= 0 {
		return nil
	}
	payload, _ := json.Marshal(autoClosePayload{Number: t.Number, ResolvedAt: now.Format(time.RFC3339Nano)})
	return s.enqueue(ctx, tx, &otklik.Job{Kind: JobAutoClose, Payload: string(payload), RunAt: now.Add(s.autoClose)})
}

// JobAutoClose is the kind of job that closes a resolved ticket nobody reopened (Options.AutoCloseAfter).
const JobAutoClose = "ticket.autoclose"

type autoClosePayload struct {
	Number     string `json:"number"`
	ResolvedAt string `json:"resolved_at"`
}

// AutoClose is the job that closes a ticket resolved at the payload's time, if it is still resolved
// from that moment. It runs inside the transaction that finishes the job, so the ticket is closed
// exactly once.
func (s *Service) AutoClose(ctx context.Context, tx otklik.Tx, payload string) error {
	var p autoClosePayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return fmt.Errorf("autoclose payload %q: %w", payload, err)
	}
	days := strconv.Itoa(int(s.autoClose.Hours() / 24))
	_, _, err := s.applyChange(ctx, tx, p.Number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		if t.Status != otklik.StatusResolved || t.ResolvedAt == nil || t.ResolvedAt.Format(time.RFC3339Nano) != p.ResolvedAt {
			return nil, nil // reopened, closed or resolved again since: nothing to do
		}
		reason := "Закрыто автоматически: после решения прошло " + days + " дн. без ответа заявителя"
		return []*otklik.JournalRecord{statusRecord(otklik.SystemActor, t, otklik.StatusClosed, reason, now)}, nil
	})
	return err
}

// TicketPatch lists the fields to change; nil fields stay as they are.
type TicketPatch struct {
	Subject  *string
	Category *string
	Priority *otklik.Priority
	// AssigneeID assigns the ticket to a staff member; a pointer to 0 unassigns it.
	AssigneeID *int64
	// Group routes the ticket to a group by code; a pointer to "" removes the group.
	Group *string
	// Appeal marks (or unmarks) a formal appeal under 59-ФЗ: its statutory deadline applies.
	Appeal *bool
	// SLAPolicy chooses a manual SLA policy (such as "complex"); "" returns to the matching one.
	SLAPolicy *string
	Reason    string
	Version   int64
}

// UpdateTicket changes a ticket's fields, one journal record per changed field.
func (s *Service) UpdateTicket(ctx context.Context, actor otklik.Actor, number string, p TicketPatch) (*otklik.Ticket, error) {
	var v otklik.Validation
	reason := cleanText(&v, "reason", p.Reason, otklik.MaxReasonLen, false)
	var subject string
	if p.Subject != nil {
		subject = cleanLine(&v, "subject", *p.Subject, otklik.MaxSubjectLen, true)
	}
	if p.Priority != nil && !p.Priority.Valid() {
		v.Add("priority", "priority.unknown", map[string]string{"value": string(*p.Priority)})
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	var newCat otklik.Category
	if p.Category != nil {
		var ok bool
		if newCat, ok = categoryByCode(cat.cats, *p.Category); !ok {
			v.Add("category", "category.unknown", map[string]string{"value": *p.Category})
		}
	}
	var newGroup otklik.Group
	if p.Group != nil && *p.Group != "" {
		var ok bool
		if newGroup, ok = cat.groupByCode(*p.Group); !ok {
			v.Add("group", "group.unknown", map[string]string{"value": *p.Group})
		}
	}
	if p.SLAPolicy != nil && *p.SLAPolicy != "" {
		if e, err := s.slaEngine(ctx); err != nil {
			return nil, err
		} else if pol := e.policy(*p.SLAPolicy); pol == nil || !pol.Manual {
			v.Add("sla_policy", "sla.policy_not_manual", map[string]string{"value": *p.SLAPolicy, "manual": strings.Join(e.manualCodes(), ", ")})
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, number, p.Version, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
		var recs []*otklik.JournalRecord
		add := func(kind otklik.Kind, field, before, after string) {
			if before != after {
				recs = append(recs, &otklik.JournalRecord{Actor: actor, Kind: kind, Field: field, Before: before, After: after, Reason: reason})
			}
		}
		if p.Subject != nil {
			add(otklik.KindField, "subject", t.Subject, subject)
			t.Subject = subject
		}
		if p.Category != nil {
			add(otklik.KindCategory, "category", t.Category.Code, newCat.Code)
			t.Category = &otklik.CategoryRef{ID: newCat.ID, Code: newCat.Code, Name: newCat.Name}
		}
		if p.Priority != nil {
			add(otklik.KindPriority, "priority", string(t.Priority), string(*p.Priority))
			t.Priority = *p.Priority
		}
		if p.Group != nil {
			before := ""
			if t.Group != nil {
				before = t.Group.Code
			}
			add(otklik.KindGroup, "group", before, newGroup.Code)
			t.Group = nil
			if newGroup.ID != 0 {
				t.Group = &otklik.GroupRef{ID: newGroup.ID, Code: newGroup.Code, Name: newGroup.Name}
			}
		}
		if p.AssigneeID != nil {
			before := ""
			if t.Assignee != nil {
				before = userLabel(t.Assignee.ID, t.Assignee.Name)
			}
			var ref *otklik.UserRef
			if *p.AssigneeID != 0 {
				u, err := tx.UserByIDTx(ctx, *p.AssigneeID)
				if err != nil || u.Disabled || !u.Role.CanWriteTickets() {
					return nil, otklik.Invalid(otklik.FieldError{Field: "assignee_id", Key: "assignee.unknown",
						Args: map[string]string{"value": strconv.FormatInt(*p.AssigneeID, 10)}})
				}
				ref = u.Ref()
			}
			after := ""
			if ref != nil {
				after = userLabel(ref.ID, ref.Name)
			}
			add(otklik.KindAssignee, "assignee", before, after)
			t.Assignee = ref
		}
		if p.Appeal != nil {
			add(otklik.KindField, "appeal", strconv.FormatBool(t.SLA.Appeal), strconv.FormatBool(*p.Appeal))
			t.SLA.Appeal = *p.Appeal
		}
		if p.SLAPolicy != nil {
			add(otklik.KindSLA, "sla_policy", t.SLA.Policy, *p.SLAPolicy)
			t.SLA.Policy = *p.SLAPolicy
		}
		return recs, nil
	})
}

// userLabel is how an assignee appears in the journal: the name, with the ID to tell namesakes apart.
func userLabel(id int64, name string) string {
	return name + " #" + strconv.FormatInt(id, 10)
}

// LinkTickets links a ticket with another as related (the same problem reported twice, a follow-up);
// the link shows on both and both journals record it. Linking twice changes nothing.
func (s *Service) LinkTickets(ctx context.Context, actor otklik.Actor, number, other string) error {
	n, err := lookupNumber(number)
	if err != nil {
		return err
	}
	o, err := lookupNumber(strings.TrimSpace(other))
	if err != nil {
		return otklik.Invalid(otklik.FieldError{Field: "other", Key: "link.number", Args: map[string]string{"value": other}})
	}
	if n == o {
		return otklik.Invalid(otklik.FieldError{Field: "other", Key: "link.self"})
	}
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		// Lock the two in the order of their numbers, so that two people linking the same pair from
		// either end cannot deadlock.
		first, second := n, o
		if second < first {
			first, second = second, first
		}
		ids := map[string]int64{}
		for _, num := range []string{first, second} {
			t, err := tx.TicketForUpdate(ctx, num)
			if err != nil {
				if num == n {
					return notFoundNumber(err, number)
				}
				return otklik.Invalid(otklik.FieldError{Field: "other", Key: "link.unknown", Args: map[string]string{"value": o}})
			}
			ids[num] = t.ID
		}
		links, err := s.store.Links(ctx, ids[n])
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.Number == o {
				return nil // linked already
			}
		}
		for _, p := range [][2]string{{first, second}, {second, first}} {
			if err := tx.LinkTickets(ctx, ids[p[0]], ids[p[1]], "related"); err != nil {
				return err
			}
			if _, _, err := s.applyChange(ctx, tx, p[0], 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
				return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindLink, Field: "related", After: p[1]}}, nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
}
