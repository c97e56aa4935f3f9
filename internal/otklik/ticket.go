package otklik

import (
	"slices"
	"time"
)

// Channel is how a request reached support.
type Channel string

// Channels (CONTRACT.md).
const (
	ChannelEmail    Channel = "email"
	ChannelWeb      Channel = "web"
	ChannelChat     Channel = "chat"
	ChannelPhone    Channel = "phone"
	ChannelApp      Channel = "app"
	ChannelTelegram Channel = "telegram"
	ChannelVK       Channel = "vk"
	ChannelVisit    Channel = "visit"
	// ChannelAPI and ChannelSystem are not channels a request arrives by; they record in the journal
	// that a change was made through the staff API or by Otklik itself.
	ChannelAPI    Channel = "api"
	ChannelSystem Channel = "system"
	// ChannelAgent records in the journal that a change was made in the staff workspace.
	ChannelAgent Channel = "agent"
)

// Channels lists the channels a ticket can arrive by, in display order.
var Channels = []Channel{ChannelEmail, ChannelWeb, ChannelChat, ChannelPhone, ChannelApp, ChannelTelegram, ChannelVK, ChannelVisit}

// Valid reports whether c is a channel a ticket can arrive by.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Priority is how urgent a ticket is.
type Priority string

// Priorities (CONTRACT.md).
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists the priorities, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Limits on ticket fields, in characters (runes).
const (
	MaxSubjectLen = 255
	MaxBodyLen    = 100_000
	MaxNameLen    = 200
	MaxReasonLen  = 2_000
)

// Ticket is one registered request.
type Ticket struct {
	ID       int64
	Number   string
	Channel  Channel
	Category *CategoryRef
	Priority Priority
	Status   Status
	Subject  string

	Requester *Requester
	Assignee  *UserRef // nil when unassigned
	Group     *GroupRef

	CreatedAt          time.Time
	UpdatedAt          time.Time
	FirstResponseDueAt *time.Time // set by the SLA engine
	DueAt              *time.Time // set by the SLA engine
	FirstResponseAt    *time.Time // the first public reply from staff
	ResolvedAt         *time.Time
	ClosedAt           *time.Time
	SLA                TicketSLA // the rest of the deadline state

	// Version grows by one with every change; an edit based on an older version is refused.
	Version int64
	// JournalSeq and JournalHead are the sequence number and hash of the ticket's last journal record,
	// kept on the ticket so that appending a record needs no extra read.
	JournalSeq  int64
	JournalHead []byte
}

// CategoryRef names a category on a ticket.
type CategoryRef struct {
	ID   int64
	Code string
	Name string
}

// GroupRef names a group on a ticket.
type GroupRef struct {
	ID   int64
	Code string
	Name string
}

// UserRef names a staff member on a ticket.
type UserRef struct {
	ID   int64
	Name string
}

// Requester is the person or organisation a ticket is from. Identifiers are stored canonical: Phone
// in E.164, SNILS as 11 digits, INN as 10 or 12 digits; empty when unknown.
type Requester struct {
	ID        int64
	Name      string
	Email     string
	Phone     string
	SNILS     string
	INN       string
	CreatedAt time.Time
}

// Message is a public reply or an internal note on a ticket.
type Message struct {
	ID         int64
	TicketID   int64
	Author     Actor
	Internal   bool
	Body       string // the whole text, as received or written
	Visible    string // what an agent reads first when quoted history is folded away; "" means Body
	CreatedAt  time.Time
	BodySHA256 []byte // recorded in the journal, so that an edited body is detected
}

// TicketFilter selects tickets for a list. Zero fields do not filter. Results are ordered by ID (or
// registration time, see ByCreated), newest first unless Ascending; AfterID continues a previous page
// (keyset pagination).
type TicketFilter struct {
	Statuses     []Status
	Channels     []Channel
	CategoryIDs  []int64 // a category and its descendants
	AssigneeIDs  []int64
	Unassigned   bool
	GroupIDs     []int64
	RequesterIDs []int64 // an empty non-nil slice matches nothing
	CreatedFrom  time.Time
	CreatedTo    time.Time // exclusive
	// OverdueAt, when set, keeps open tickets with a deadline passed by then: the first response not
	// given by its deadline, or the resolution deadline passed while not waiting for the citizen.
	OverdueAt time.Time
	// Query is the user's full-text query and Terms its normalised stems; a store searches by whichever
	// suits its engine.
	Query string
	Terms []string

	// ByCreated orders by registration time (then ID) instead of by ID; lists filtered by a
	// registration period use it, so that the period's index yields them in order.
	ByCreated    bool
	Ascending    bool
	AfterID      int64     // 0 = first page
	AfterCreated time.Time // with ByCreated: the registration time of the last ticket of the previous page
	Limit        int
}
