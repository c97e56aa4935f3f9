package otklik

import (
	"context"
	"time"
)

// The administration journal records every change to how Otklik works — a calendar, a day of it, an
// SLA policy, a staff member, a group, a category, a response template — with who made it, when, and
// the object before and after, as one chain of records each carrying the hash of the one before, as a
// ticket's journal does (F11). A ticket's journal says what happened to the ticket; this one says what
// happened to the rules every ticket is handled by.

// What an administration record is about (AdminRecord.Object).
const (
	AdminCalendar    = "calendar"     // Key: the calendar's name
	AdminCalendarDay = "calendar_day" // Key: "calendar/2026-12-31"
	AdminSLAPolicy   = "sla_policy"   // Key: the policy's code
	AdminUser        = "user"         // Key: the member's e-mail address
	AdminGroup       = "group"        // Key: the group's code
	AdminCategory    = "category"     // Key: the category's code
	AdminTemplate    = "template"     // Key: the template's ID
)

// AdminObjects are the kinds of object the administration journal records, in the order the
// administration pages list them.
var AdminObjects = []string{AdminUser, AdminGroup, AdminCategory, AdminTemplate, AdminCalendar, AdminCalendarDay, AdminSLAPolicy}

// What was done to the object (AdminRecord.Action).
const (
	AdminCreated = "created"
	AdminChanged = "changed"
	AdminDeleted = "deleted"
)

// AdminRecord is one entry of the administration journal. Before and After are the object as JSON
// objects of its fields ("" when it did not exist, or no longer does); Reason says more where the
// fields do not (a second factor reset, every session ended).
type AdminRecord struct {
	Seq      int64 // 1 for the first record
	At       time.Time
	Actor    Actor
	Object   string
	Key      string
	Action   string
	Before   string
	After    string
	Reason   string
	PrevHash []byte
	Hash     []byte
}

// ComputeHash returns the record's hash: SHA-256 over a versioned, length-prefixed encoding of every
// field and the previous hash, as JournalRecord's. It does not read or set r.Hash.
func (r *AdminRecord) ComputeHash() []byte {
	b := append(make([]byte, 0, 256+len(r.Before)+len(r.After)), "otklik-admin-journal-v1"...)
	b = hashWhoWhen(b, r.Seq, r.At, r.Actor)
	b = hashField(b, r.Object)
	b = hashField(b, r.Key)
	b = hashField(b, r.Action)
	b = hashField(b, r.Before)
	b = hashField(b, r.After)
	b = hashField(b, r.Reason)
	return hashChained(b, r.PrevHash)
}

// Seal links r after the journal's head (seq, head) and computes its hash. The caller stores r and
// the new head in the same transaction.
func (r *AdminRecord) Seal(seq int64, head []byte) {
	r.Seq = seq + 1
	r.At = Truncate(r.At)
	r.PrevHash = head
	r.Hash = r.ComputeHash()
}

// AdminChainVerifier checks the administration journal's records fed to it in order.
type AdminChainVerifier struct {
	seq  int64
	prev []byte
}

// Check verifies the next record; it returns a reason when it is broken, "" when it is sound.
func (v *AdminChainVerifier) Check(r *AdminRecord) string {
	if reason := checkLink(r.Seq, v.seq, r.PrevHash, v.prev, r.Hash, r.ComputeHash); reason != "" {
		return reason
	}
	v.seq, v.prev = r.Seq, r.Hash
	return ""
}

// Head returns the sequence number and hash of the last record checked.
func (v *AdminChainVerifier) Head() (int64, []byte) { return v.seq, v.prev }

// AdminJournalFilter selects administration records; zero fields select everything.
type AdminJournalFilter struct {
	Object string
	Key    string
	// Calendar selects a calendar's records and its days' (Object and Key are then ignored).
	Calendar string
	Before   int64 // records with Seq below it (keyset paging, newest first); 0: from the newest
	Limit    int
}

// AdminJournalReader reads the administration journal.
type AdminJournalReader interface {
	// AdminJournal returns up to f.Limit records matching f, newest first.
	AdminJournal(ctx context.Context, f AdminJournalFilter) ([]*AdminRecord, error)
	// WalkAdminJournal calls fn for every record, oldest first, and returns the head the journal
	// stores beside them: the sequence and hash of its last record.
	WalkAdminJournal(ctx context.Context, fn func(r *AdminRecord) error) (seq int64, head []byte, err error)
}

// AdminJournalTx appends to the administration journal.
type AdminJournalTx interface {
	// AppendAdmin seals r after the journal's head, taken under a lock that holds any other writer's
	// record until this transaction ends, stores it and advances the head.
	AppendAdmin(ctx context.Context, r *AdminRecord) error
}
