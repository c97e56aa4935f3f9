package otklik

import (
	"context"
	"time"
)

// Store is the registry's storage: reads on a pool of connections, writes through Write. One
// implementation serves every database engine; nothing above it knows which one it is.
type Store interface {
	Reader
	JobReader
	MailReader
	FileReader
	SLAReader
	AuthReader
	CitizenReader
	AdminJournalReader
	// Write runs fn in a write transaction and commits it. When fn returns an error nothing it did
	// remains and the error is returned. A nil return means fn's changes are durable. Functions
	// registered with Tx.AfterCommit run after the commit, and only then.
	Write(ctx context.Context, fn func(tx Tx) error) error
	// WriteBulk runs fn in a write transaction of its own, for background work in large batches (the
	// recomputation of deadlines), with Write's guarantees but one: on SQLite with synchronous = FULL
	// its commit does not wait for the disk, and is durable once a later Write commits or the store
	// checkpoints (twice a second); a power loss before that takes it back whole. Bulk work must so be
	// work that is done again until a Write records it done, as a job's is. On PostgreSQL such
	// transactions run on connections of their own (BulkWriters of them at once), beside the writers
	// that serve requests, so that a request never queues behind one; on SQLite, which has one writer,
	// they go through it like any other write.
	WriteBulk(ctx context.Context, fn func(tx Tx) error) error
	// BulkWriters tells how many bulk writers of its own the store has, WriteBulk transactions that run
	// at once (more concurrent calls wait their turn): none on SQLite, where a bulk transaction goes
	// through the one writer like any other, so that it should be short.
	BulkWriters() int
	// Engine names the database engine ("sqlite", "postgres") for logs and the version page.
	Engine() string
	Close() error
}

// Reader reads committed data.
type Reader interface {
	// TicketByNumber returns the ticket with its requester, assignee, group and category, or ENOTFOUND.
	TicketByNumber(ctx context.Context, number string) (*Ticket, error)
	// Tickets returns up to f.Limit tickets matching f in ID order (keyset pagination).
	Tickets(ctx context.Context, f TicketFilter) ([]*Ticket, error)
	// CountMatching counts the tickets matching f, stopping at limit.
	CountMatching(ctx context.Context, f TicketFilter, limit int) (int, error)
	// ResponseTemplates returns the response templates in their order.
	ResponseTemplates(ctx context.Context) ([]ResponseTemplate, error)
	// SavedFilters returns a staff member's saved filters, in the order they were saved.
	SavedFilters(ctx context.Context, userID int64) ([]SavedFilter, error)
	// Messages returns a ticket's messages, oldest first.
	Messages(ctx context.Context, ticketID int64) ([]*Message, error)
	// Journal returns a ticket's journal, oldest first.
	Journal(ctx context.Context, ticketID int64) ([]*JournalRecord, error)
	// WalkJournal calls fn for every journal record, grouped by ticket and in sequence within a
	// ticket, with the ticket's stored head after its last record (see JournalHead).
	WalkJournal(ctx context.Context, fn func(r *JournalRecord) error, head func(h JournalHead) error) error
	// MessageHashes calls fn with the ticket, ID and body SHA-256 of every message of the tickets with
	// IDs in (afterTicket, lastTicket], as stored now.
	MessageHashes(ctx context.Context, afterTicket, lastTicket int64, fn func(ticketID, id int64, sum []byte) error) error
	// RequesterIDs returns the IDs of requesters whose given identifiers equal those of l.
	RequesterIDs(ctx context.Context, l RequesterLookup) ([]int64, error)

	Categories(ctx context.Context) ([]Category, error)
	Groups(ctx context.Context) ([]Group, error)
	Users(ctx context.Context) ([]User, error)
	// UserByEmail returns a staff member or ENOTFOUND.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UserByTokenHash returns the enabled staff member owning the API token with this SHA-256, or
	// EUNAUTHORIZED.
	UserByTokenHash(ctx context.Context, hash []byte) (*User, error)
	// TicketNumberByID returns a ticket's number, or ENOTFOUND.
	TicketNumberByID(ctx context.Context, id int64) (string, error)
	// CountTickets returns the number of tickets (for the status page; may be slow on big tables).
	CountTickets(ctx context.Context) (int64, error)
}

// JournalHead is a ticket's journal head as stored on the ticket.
type JournalHead struct {
	TicketID int64
	Number   string
	Seq      int64
	Hash     []byte
}

// RequesterLookup finds a requester by canonical identifiers; empty fields are ignored.
type RequesterLookup struct {
	Email string
	Phone string
	SNILS string
}

// Tx is a write transaction. It is composed of small interfaces so that code can ask for the part it
// uses.
type Tx interface {
	TicketTx
	JobTx
	MailTx
	FileTx
	SLATx
	RequesterTx
	StaffTx
	CatalogTx
	AuthTx
	FilterTx
	TemplateTx
	CitizenTx
	AdminJournalTx
	// Now is the transaction's clock.
	Now() time.Time
	// AfterCommit registers fn to run once the transaction has committed.
	AfterCommit(fn func())
}

// TicketTx changes tickets, their messages, journal and search index.
type TicketTx interface {
	// NextTicketSequence returns the next sequence number of the year (see FormatNumber).
	NextTicketSequence(ctx context.Context, year int) (int64, error)
	// RegisterTicket stores a new ticket together with its first message, its sealed first journal
	// record, its search entry (stems) and, when not nil, the idempotency key that created it, and
	// sets their IDs. One operation, so that an engine can do it in one round trip.
	RegisterTicket(ctx context.Context, r *NewTicketRows) error
	// TicketNumber returns a ticket's number by ID, or ENOTFOUND.
	TicketNumber(ctx context.Context, id int64) (string, error)
	// TicketForUpdate returns the ticket by number, locked against concurrent writers, or ENOTFOUND.
	TicketForUpdate(ctx context.Context, number string) (*Ticket, error)
	// UpdateTicket stores t's mutable fields and journal head if its stored version is still
	// prevVersion, and returns ECONFLICT otherwise.
	UpdateTicket(ctx context.Context, t *Ticket, prevVersion int64) error
	// InsertMessage stores a message and sets its ID.
	InsertMessage(ctx context.Context, m *Message) error
	// AppendJournal stores a sealed journal record and sets its ID.
	AppendJournal(ctx context.Context, r *JournalRecord) error
	// IndexTicket adds text (normalised stems, space-separated) to the ticket's search entry.
	IndexTicket(ctx context.Context, ticketID int64, stems string, isNew bool) error
	// IdempotentTicket returns the ticket number and request hash saved under an idempotency key, or
	// ENOTFOUND.
	IdempotentTicket(ctx context.Context, scope, key string) (number string, requestHash []byte, err error)
}

// NewTicketRows is what registering a ticket stores.
type NewTicketRows struct {
	Ticket      *Ticket
	Message     *Message       // the first message; its TicketID is set by the store
	Record      *JournalRecord // the "created" record, sealed; its TicketID is set by the store
	Stems       string
	Idempotency *IdempotencyKey // nil when the request carried none
}

// IdempotencyKey records that a request with RequestHash under Scope and Key created a ticket.
type IdempotencyKey struct {
	Scope       string
	Key         string
	RequestHash []byte
}

// RequesterTx finds and stores requesters.
type RequesterTx interface {
	// FindOrAddRequester returns the requester with the e-mail, else the phone, else the СНИЛС of l;
	// when there is none it stores r as a new one (filling in its ID) and returns it with added true.
	FindOrAddRequester(ctx context.Context, l RequesterLookup, r *Requester) (_ *Requester, added bool, _ error)
	UpdateRequester(ctx context.Context, r *Requester) error
}

// StaffTx manages staff, tokens and groups.
type StaffTx interface {
	InsertUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	UserByEmailTx(ctx context.Context, email string) (*User, error)
	UserByIDTx(ctx context.Context, id int64) (*User, error)
	InsertToken(ctx context.Context, t *Token) error
	InsertGroup(ctx context.Context, g *Group) error
	GroupByCodeTx(ctx context.Context, code string) (*Group, error)
}

// CatalogTx manages categories.
type CatalogTx interface {
	InsertCategory(ctx context.Context, c *Category) error
	CategoriesTx(ctx context.Context) ([]Category, error)
}

// FilterTx changes the staff's saved filters.
type FilterTx interface {
	// SaveFilter stores f, replacing the member's filter of the same name, and sets its ID.
	SaveFilter(ctx context.Context, f *SavedFilter) error
	// DeleteFilter removes a member's saved filter, or returns ENOTFOUND.
	DeleteFilter(ctx context.Context, userID, id int64) error
}
