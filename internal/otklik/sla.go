package otklik

import (
	"context"
	"time"
)

// SLAFlags record which reminders and escalations have been made for a ticket's current deadlines;
// moving a deadline clears its flags.
type SLAFlags int

// SLA flags.
const (
	FirstResponseReminded SLAFlags = 1 << iota // the assignee was reminded of the first-response deadline
	FirstResponseBreached                      // the first-response deadline passed: escalated
	DueReminded                                // the assignee was reminded of the resolution deadline
	DueBreached                                // the resolution deadline passed: escalated
)

// TicketSLA is a ticket's deadline state besides FirstResponseDueAt and DueAt.
type TicketSLA struct {
	// Appeal marks a formal appeal under 59-ФЗ: LegalDueAt applies besides the policy's deadline.
	Appeal bool
	// Policy is the code of the policy that gave the resolution deadline ("" for none).
	Policy string
	// PausedAt is when the resolution clock stopped (the ticket went waiting for the citizen).
	PausedAt *time.Time
	// Paused is the working time the ticket has spent waiting so far: credited to its deadline.
	Paused time.Duration
	// NextAt is when the SLA engine must next look at the ticket: a reminder or a breach. Nil: nothing
	// pending.
	NextAt *time.Time
	Flags  SLAFlags
	// LegalDueAt is the statutory deadline of an appeal (30 days of registration, +30 once extended).
	LegalDueAt *time.Time
	// Extensions counts the extensions of the resolution deadline.
	Extensions int
}

// Calendar is a business calendar as administrators keep it: its working week and the days they
// changed. The production calendar itself is built into the binary (internal/sla).
type Calendar struct {
	Name      string
	Title     string
	Week      string // "mon-fri 09:00-18:00", "24x7"
	Overrides []CalendarOverride
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string // who last changed the title or the week ("" for what came with Otklik)
}

// CalendarOverride is an administrator's change to one day of a calendar.
type CalendarOverride struct {
	Day       string // YYYY-MM-DD
	Kind      string // holiday, off, work, short
	Note      string
	Author    string
	CreatedAt time.Time
}

// SLAPolicy gives matching tickets their targets. Policies are tried by Position; each target comes
// from the first matching policy that sets it.
type SLAPolicy struct {
	Code     string
	Name     string
	Position int
	// Category matches that category and those below it; Channel and Priority match exactly; empty
	// matches any.
	Category string
	Channel  Channel
	Priority Priority
	// Manual policies are never matched: staff choose them for a ticket.
	Manual        bool
	FirstResponse string // "90s", "24h", "3d"; "" sets no first-response target
	Resolution    string
	Calendar      string
	UpdatedAt     time.Time
	UpdatedBy     string // who last changed it ("" for what came with Otklik)
}

// SLAReader reads calendars and policies.
type SLAReader interface {
	Calendars(ctx context.Context) ([]*Calendar, error)
	SLAPolicies(ctx context.Context) ([]*SLAPolicy, error)
	// SLADue returns up to limit open tickets whose SLA NextAt is at or before t, earliest first.
	SLADue(ctx context.Context, t time.Time, limit int) ([]*Ticket, error)
	// OpenTickets returns up to limit tickets not resolved or closed with IDs above afterID, by ID,
	// with only what their deadlines depend on: number, channel, category (its ID), priority, status,
	// registration and first response, deadlines and SLA state (not NextAt, which a recomputation sets
	// anew), version and journal head. A non-zero span leaves out the tickets whose deadlines cannot
	// depend on it: registered after it ends, or with every deadline before it begins (paused tickets,
	// appeals and tickets without deadlines are always in).
	OpenTickets(ctx context.Context, afterID int64, limit int, span TimeSpan) ([]*Ticket, error)
	// LastPass returns the number of the last recomputation that stored anything (StoreRecomputed),
	// records or only its text, 0 when none has.
	LastPass(ctx context.Context) (int64, error)
	// LockRecomputation takes, without waiting, the lock a recomputation of deadlines holds across
	// every node of the store while it runs: ok is false when another node holds it. unlock gives it
	// back; a node that stops without doing so gives it back with its connection. Where only one node
	// can use the store (SQLite), it is always ok: the node's own rule is the lock.
	LockRecomputation(ctx context.Context) (unlock func(), ok bool, err error)
}

// SLATx changes calendars and policies inside a write transaction.
type SLATx interface {
	UpsertCalendar(ctx context.Context, c *Calendar) error
	PutCalendarOverride(ctx context.Context, calendar string, o *CalendarOverride) error
	// DeleteCalendarOverride returns ENOTFOUND when the day has no override.
	DeleteCalendarOverride(ctx context.Context, calendar, day string) error
	UpsertSLAPolicy(ctx context.Context, p *SLAPolicy) error
	// DeleteSLAPolicy returns ENOTFOUND when there is no policy code.
	DeleteSLAPolicy(ctx context.Context, code string) error
	// DeleteCalendar removes a calendar with its overrides; ENOTFOUND when there is none by name. A
	// policy still on it makes it fail: the caller checks first.
	DeleteCalendar(ctx context.Context, name string) error
	// SetSLANext stores when the SLA engine must next look at a ticket: bookkeeping, not a change of
	// the ticket (its version stays).
	SetSLANext(ctx context.Context, ticketID int64, next *time.Time) error
	// StoreRecomputed stores a batch of recomputed tickets with their sealed journal records: of each
	// ticket its deadlines and SLA state, version, update time and journal head — nothing else, so
	// that it touches no other index — where its stored version is still prev[i]; the tickets changed
	// since are left out, records and all, and returned. A ticket's timer is added, moved earlier or
	// removed, but never moved later: a timer that comes too early finds nothing due, and RunSLATimers
	// sets the right time then. Every record of a batch is written at one time by one actor, of one
	// kind and for one reason (a recomputation's); only the ticket, sequence, field, before, after and
	// hashes differ. An engine may do it in a few statements instead of two a ticket, and send what is
	// shared once. pass is the recomputation's number (one more than LastPass when it began): its
	// records are stored together, apart from the rest of the journal, so that a pass over every open
	// ticket appends to the journal instead of writing into every ticket's part of it.
	StoreRecomputed(ctx context.Context, pass int64, ts []*Ticket, prev []int64, recs [][]*JournalRecord) (stale []*Ticket, err error)
}

// TimeSpan is an interval of time, [From, To); the zero span is all time.
type TimeSpan struct {
	From, To time.Time
}

// IsZero reports whether the span is all time.
func (s TimeSpan) IsZero() bool { return s.From.IsZero() && s.To.IsZero() }
