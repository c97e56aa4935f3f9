package otklik

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// ActorType says who acted.
type ActorType string

// Actor types.
const (
	ActorStaff     ActorType = "staff"
	ActorRequester ActorType = "requester"
	ActorSystem    ActorType = "system"
)

// Actor is who made a change and through which channel. Name is kept as it was at the time.
type Actor struct {
	Type    ActorType
	ID      int64 // a staff user's or requester's ID; 0 for the system
	Name    string
	Channel Channel
}

// SystemActor is Otklik itself.
var SystemActor = Actor{Type: ActorSystem, Name: "Отклик", Channel: ChannelSystem}

// Kind is what a journal record records.
type Kind string

// Journal record kinds.
const (
	KindCreated  Kind = "created"
	KindStatus   Kind = "status"
	KindAssignee Kind = "assignee"
	KindGroup    Kind = "group"
	KindCategory Kind = "category"
	KindPriority Kind = "priority"
	KindMessage  Kind = "message"
	KindField    Kind = "field"
	KindLink     Kind = "link"     // linked to another ticket (After: its number)
	KindDelivery Kind = "delivery" // an e-mail to the requester could not be delivered (After: the reason)
	KindFile     Kind = "file"     // a file attached, blocked by the antivirus or deleted (Field says which)
	KindSLA      Kind = "sla"      // a deadline set, moved, paused, extended, reminded of or breached (Field says which)
	// KindReminder: the citizen pressed «Повторное уведомление» (After: who was reminded).
	KindReminder Kind = "reminder"
)

// JournalRecord is one entry of a ticket's append-only journal. Each record carries the hash of the
// ticket's previous record, so changing or removing any record breaks every hash after it. Before and
// After are the values as text (JSON for structured ones).
type JournalRecord struct {
	ID       int64
	TicketID int64
	Number   string // the ticket's number, part of the hash
	Seq      int64  // 1 for the first record of a ticket
	At       time.Time
	Actor    Actor
	Kind     Kind
	Field    string
	Before   string
	After    string
	Reason   string
	PrevHash []byte
	Hash     []byte
}

// Truncate returns t in UTC at microsecond precision: the precision both databases keep, so that a
// hashed time reads back the same.
func Truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ComputeHash returns the record's hash: SHA-256 over a versioned, length-prefixed encoding of every
// field and the previous hash. It does not read or set r.Hash.
func (r *JournalRecord) ComputeHash() []byte {
	// Built by appending to a buffer on the stack: a recomputation of deadlines seals a record for
	// every open ticket, and this ran at over a microsecond a record with a bytes.Buffer, Format and
	// EncodeToString (docs/PERFORMANCE.md).
	var space [512]byte
	b := append(space[:0], "otklik-journal-v1"...)
	b = hashField(b, r.Number)
	b = hashWhoWhen(b, r.Seq, r.At, r.Actor)
	b = hashField(b, r.Kind)
	b = hashField(b, r.Field)
	b = hashField(b, r.Before)
	b = hashField(b, r.After)
	b = hashField(b, r.Reason)
	return hashChained(b, r.PrevHash)
}

// hashWhoWhen appends a record's place in its chain, time and actor, as fields of ComputeHash's
// encoding.
func hashWhoWhen(b []byte, seq int64, at time.Time, a Actor) []byte {
	var text [32]byte // a number's or the time's
	b = hashField(b, strconv.AppendInt(text[:0], seq, 10))
	b = hashField(b, Truncate(at).AppendFormat(text[:0], "2006-01-02T15:04:05.000000Z"))
	b = hashField(b, a.Type)
	b = hashField(b, strconv.AppendInt(text[:0], a.ID, 10))
	b = hashField(b, a.Name)
	return hashField(b, a.Channel)
}

// hashChained appends the previous record's hash, in hex, to a record's encoding b and returns the
// SHA-256 of it all.
func hashChained(b, prev []byte) []byte {
	b = append(b, '\n')
	b = strconv.AppendInt(b, int64(hex.EncodedLen(len(prev))), 10)
	b = append(b, ':')
	b = hex.AppendEncode(b, prev)
	sum := sha256.Sum256(b)
	return sum[:]
}

// hashField appends a field of ComputeHash's encoding: a line feed, s's length in bytes, ':' and s.
func hashField[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '\n')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

// Seal links r after the ticket's current journal head and computes its hash, advancing the ticket's
// head. The caller stores r and the ticket in the same transaction.
func (r *JournalRecord) Seal(t *Ticket) {
	r.TicketID = t.ID
	r.Number = t.Number
	r.Seq = t.JournalSeq + 1
	r.At = Truncate(r.At)
	r.PrevHash = t.JournalHead
	r.Hash = r.ComputeHash()
	t.JournalSeq = r.Seq
	t.JournalHead = r.Hash
}

// BrokenRecord describes the first record of a chain that does not verify.
type BrokenRecord struct {
	Admin  bool // a record of the administration journal (Seq is its place), not a ticket's
	Number string
	Seq    int64
	ID     int64
	Reason string
}

// ChainVerifier checks a ticket's journal records fed to it in order.
type ChainVerifier struct {
	number string
	seq    int64
	prev   []byte
}

// Reset starts a new ticket's chain.
func (v *ChainVerifier) Reset(number string) { v.number, v.seq, v.prev = number, 0, nil }

// Check verifies the next record of the current ticket; it returns a reason when it is broken, "" when
// it is sound.
func (v *ChainVerifier) Check(r *JournalRecord) string {
	if r.Number != v.number {
		return "record belongs to ticket " + r.Number
	}
	if reason := checkLink(r.Seq, v.seq, r.PrevHash, v.prev, r.Hash, r.ComputeHash); reason != "" {
		return reason
	}
	v.seq, v.prev = r.Seq, r.Hash
	return ""
}

// checkLink says what is wrong with a record at seq, with previous hash prev and hash hash, after a
// chain's record last whose hash is head; compute recomputes the record's hash. "" when it is sound.
func checkLink(seq, last int64, prev, head, hash []byte, compute func() []byte) string {
	switch {
	case seq != last+1:
		return "sequence " + strconv.FormatInt(seq, 10) + " follows " + strconv.FormatInt(last, 10) + " (a record is missing or out of place)"
	case !bytes.Equal(prev, head):
		return "previous-hash link does not match the record before it"
	case !bytes.Equal(compute(), hash):
		return "hash does not match the record's content (the record was altered)"
	}
	return ""
}

// Head returns the sequence number and hash of the last record checked.
func (v *ChainVerifier) Head() (int64, []byte) { return v.seq, v.prev }
