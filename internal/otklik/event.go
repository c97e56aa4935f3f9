package otklik

import "time"

// Event tells live screens, chat sessions and other nodes that something committed. Events are
// published after the commit, never inside the transaction, and carry no personal data: a listener
// reads what it needs through the store.
type Event struct {
	Type    string    `json:"type"`               // "ticket.created" or "ticket.updated"
	Ticket  string    `json:"ticket"`             // the ticket's number
	Version int64     `json:"version"`            // the ticket's version after the change
	Status  Status    `json:"status"`             // the ticket's status after the change
	Kinds   []Kind    `json:"kinds,omitempty"`    // what changed (journal record kinds)
	Actor   string    `json:"actor,omitempty"`    // who changed it (staff name, "requester", "system")
	ActorID int64     `json:"actor_id,omitempty"` // presence events: the staff member's ID
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
