package otklik

import (
	"context"
	"time"
)

// MailDirection says whether a message came in or went out.
type MailDirection string

// Mail directions.
const (
	MailIn  MailDirection = "in"
	MailOut MailDirection = "out"
)

// MailKind is what an e-mail was to Otklik.
type MailKind string

// Mail kinds. Inbound: a new ticket, a reply joining one, a status request, a repeat request, or
// noise that never makes a ticket; outbound: an acknowledgement, a reply of staff, a status answer or
// a notice.
const (
	MailTicket        MailKind = "ticket"         // made a new ticket
	MailReply         MailKind = "reply"          // joined an existing ticket
	MailStatusRequest MailKind = "status_request" // «Статус обращения» + a number
	MailRepeat        MailKind = "repeat"         // «Повторное» + a number: a new ticket linked to the original
	MailBounce        MailKind = "bounce"
	MailAutoReply     MailKind = "autoreply"
	MailBulk          MailKind = "bulk"
	MailFeedback      MailKind = "feedback"
	MailSelf          MailKind = "self"     // claims to come from our own address: never answered
	MailRejected      MailKind = "rejected" // over a limit or with a disallowed file: the sender was told
	MailAck           MailKind = "ack"
	MailStaffReply    MailKind = "staff_reply"
	MailStatusAnswer  MailKind = "status_answer"
	MailNotice        MailKind = "notice"
	MailCitizenCode   MailKind = "citizen_code" // a one-time code for the portal (sign-in, status lookup)
	MailReminder      MailKind = "reminder"     // a citizen's «Повторное уведомление» to the staff
)

// Mail statuses: inbound mail is "accepted"; outbound mail is "held" (no relay configured), "queued"
// (a send job exists), "sent", "failed" (gave up) or "bounced" (a bounce came back).
const (
	MailAccepted = "accepted"
	MailHeld     = "held"
	MailQueued   = "queued"
	MailSent     = "sent"
	MailFailed   = "failed"
	MailBounced  = "bounced"
)

// MailRecord is one e-mail in or out. Raw is kept for outbound mail (what is sent, exactly, on every
// retry); inbound mail lives on as its ticket message.
type MailRecord struct {
	ID            int64
	Direction     MailDirection
	MessageID     string // without <>
	ContentSHA256 []byte
	TicketID      int64 // 0: none
	MessageRowID  int64 // the ticket message it made or carries; 0: none
	From          string
	To            string
	Subject       string
	Kind          MailKind
	Status        string
	Auth          string // JSON of the authentication verdicts (SPF, DKIM, DMARC)
	Phishing      bool
	Raw           []byte
	Error         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// MailTx stores and finds e-mail inside a write transaction.
type MailTx interface {
	InsertMail(ctx context.Context, m *MailRecord) error
	// MailByMessageID returns the newest record of either direction with the Message-ID that belongs
	// to a ticket, or ENOTFOUND.
	MailByMessageID(ctx context.Context, messageID string) (*MailRecord, error)
	// MailSeen returns the inbound record with this Message-ID and content hash, or ENOTFOUND.
	MailSeen(ctx context.Context, messageID string, sha []byte) (*MailRecord, error)
	// SetMailStatus records an outbound message's new status and error.
	SetMailStatus(ctx context.Context, id int64, status, errText string) error
	// CountMailTo counts outbound mail of the kinds to an address since a time (loop prevention).
	CountMailTo(ctx context.Context, to string, kinds []MailKind, since time.Time) (int64, error)
	// LinkTickets records that ticket is linked to linked as kind (e.g. "repeat_of").
	LinkTickets(ctx context.Context, ticketID, linkedID int64, kind string) error
	// MailByID returns one record, or ENOTFOUND.
	MailByID(ctx context.Context, id int64) (*MailRecord, error)
	// HeldMail returns outbound mail waiting for a relay, oldest first.
	HeldMail(ctx context.Context, limit int) ([]*MailRecord, error)
}

// MailFilter selects mail for administrators (the outbox).
type MailFilter struct {
	Direction MailDirection
	Statuses  []string
	TicketID  int64
	AfterID   int64
	Limit     int
}

// Link is one ticket's link to another.
type Link struct {
	Kind    string // "repeat_of" (this ticket repeats the other) or "repeated_by"
	Number  string
	Subject string
	Status  Status
	Created time.Time
}

// MailReader reads mail and links.
type MailReader interface {
	Mails(ctx context.Context, f MailFilter) ([]*MailRecord, error)
	Links(ctx context.Context, ticketID int64) ([]Link, error)
}
