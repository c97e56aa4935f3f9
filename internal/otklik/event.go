package otklik

import "time"

// Event tells live screens, chat sessions and other nodes that something committed. Events are
// published after the commit, never inside the transaction, and carry no personal data: a listener
// reads what it needs through the store. The one exception is EventCallIncoming, which carries the
// caller's number to the one staff member taking the call (see there).
type Event struct {
	Type    string    `json:"type"`               // "ticket.created" or "ticket.updated"
	Ticket  string    `json:"ticket"`             // the ticket's number
	Version int64     `json:"version"`            // the ticket's version after the change
	Status  Status    `json:"status"`             // the ticket's status after the change
	Kinds   []Kind    `json:"kinds,omitempty"`    // what changed (journal record kinds)
	Actor   string    `json:"actor,omitempty"`    // who changed it (staff name, "requester", "system")
	ActorID int64     `json:"actor_id,omitempty"` // presence and call events: the staff member's ID
	Phone   string    `json:"phone,omitempty"`    // call events: the caller's number in E.164
	At      time.Time `json:"at"`                 // when it committed
	Node    string    `json:"node,omitempty"`     // the node it happened on
}

// Event types.
const (
	EventTicketCreated = "ticket.created"
	EventTicketUpdated = "ticket.updated"
)

// Publisher delivers events to every subscriber on every node. Publish must not block for long: a
// bus drops events for subscribers too slow to take them.
type Publisher interface {
	Publish(e Event)
}

// Presence events: a staff member has a ticket open (sent again while the page stays open) or has left
// it. They go over the same bus, so that two people on different nodes see each other; they are not
// changes and are never stored.
const (
	EventTicketViewing = "ticket.viewing"
	EventTicketLeft    = "ticket.left"
)

// EventCallIncoming tells one staff member (ActorID) that the telephone exchange put a call through
// to them from Phone, so that their open workspace offers the caller's card. It records nothing and
// is never stored; it goes over the bus so that it reaches the member's screen on whichever node it
// is open. Because it carries the caller's number, only that member's workspace stream forwards it:
// the API's event stream and everyone else's screens drop it.
const EventCallIncoming = "call.incoming"
