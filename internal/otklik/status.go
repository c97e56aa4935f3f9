package otklik

import (
	"slices"
	"strconv"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// Statuses (CONTRACT.md).
const (
	StatusNew        Status = "new"         // Принято
	StatusInProgress Status = "in_progress" // В работе
	StatusWaiting    Status = "waiting"     // Ожидает уточнений
	StatusForwarded  Status = "forwarded"   // Передано в ведомство
	StatusResolved   Status = "resolved"    // Решено
	StatusClosed     Status = "closed"      // Закрыто
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusNew, StatusInProgress, StatusWaiting, StatusForwarded, StatusResolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Open reports whether work on a ticket in this status is still expected.
func (s Status) Open() bool { return s != StatusResolved && s != StatusClosed }

// transitions is the lifecycle: new → in_progress ↔ waiting, → forwarded, → resolved → closed; a
// resolved or (recently) closed ticket reopens to in_progress. A ticket can be resolved from any open
// status (an answer given at once, or an agency's answer) and a forwarded one comes back to work.
var transitions = map[Status][]Status{
	StatusNew:        {StatusInProgress, StatusWaiting, StatusForwarded, StatusResolved},
	StatusInProgress: {StatusWaiting, StatusForwarded, StatusResolved},
	StatusWaiting:    {StatusInProgress, StatusForwarded, StatusResolved},
	StatusForwarded:  {StatusInProgress, StatusWaiting, StatusResolved},
	StatusResolved:   {StatusClosed, StatusInProgress},
	StatusClosed:     {StatusInProgress},
}

// Lifecycle holds the settings of the status lifecycle.
type Lifecycle struct {
	// ReopenClosedDays is how many days after closing a closed ticket may still be reopened; 0 means
	// a closed ticket never reopens.
	ReopenClosedDays int
}

// Allowed returns the statuses a ticket may move to from its current state at now.
func (l Lifecycle) Allowed(t *Ticket, now time.Time) []Status {
	next := transitions[t.Status]
	if t.Status == StatusClosed && !l.canReopen(t, now) {
		return []Status{}
	}
	return slices.Clone(next)
}

func (l Lifecycle) canReopen(t *Ticket, now time.Time) bool {
	if l.ReopenClosedDays <= 0 || t.ClosedAt == nil {
		return false
	}
	return now.Before(t.ClosedAt.AddDate(0, 0, l.ReopenClosedDays))
}

// CheckTransition returns nil if t may move to the status to at now, and otherwise an ECONFLICT error
// whose Data lists the current status and the allowed ones.
func (l Lifecycle) CheckTransition(t *Ticket, to Status, now time.Time) error {
	if !to.Valid() {
		return Invalid(FieldError{Field: "status", Key: "ticket.status_unknown", Args: map[string]string{"status": string(to)}})
	}
	allowed := l.Allowed(t, now)
	if slices.Contains(allowed, to) {
		return nil
	}
	key := "ticket.transition"
	if t.Status == to {
		key = "ticket.transition_same"
	} else if t.Status == StatusClosed && slices.Contains(transitions[StatusClosed], to) {
		key = "ticket.reopen_expired"
	}
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = string(s)
	}
	return &Error{
		Code: ECONFLICT,
		Key:  key,
		Args: map[string]string{"from": string(t.Status), "to": string(to), "days": strconv.Itoa(l.ReopenClosedDays)},
		Data: map[string]any{"current": string(t.Status), "allowed": names},
	}
}

// ApplyStatus moves t to the status to at now and keeps the resolved/closed times in step. It does not
// check the transition.
func ApplyStatus(t *Ticket, to Status, now time.Time) {
	switch to {
	case StatusResolved:
		t.ResolvedAt = &now
	case StatusClosed:
		t.ClosedAt = &now
	case StatusInProgress, StatusWaiting, StatusForwarded, StatusNew:
		t.ResolvedAt, t.ClosedAt = nil, nil
	}
	t.Status = to
}
