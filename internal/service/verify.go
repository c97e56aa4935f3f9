package service

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/otklik/otklik/internal/otklik"
)

// VerifyReport is the outcome of checking the whole journal.
type VerifyReport struct {
	Tickets  int64
	Records  int64
	Messages int64
	// AdminRecords is how many records of the administration journal verified.
	AdminRecords int64
	// Broken is the first record that does not verify; nil when everything does.
	Broken *otklik.BrokenRecord
}

// Verify recomputes every ticket's journal chain, checks it against the head stored on the ticket, and
// checks every message body against the hash its journal record holds; then the administration
// journal's chain against its stored head. It stops at the first broken record.
func (s *Service) Verify(ctx context.Context) (*VerifyReport, error) {
	rep := &VerifyReport{}
	if err := s.verifyTickets(ctx, rep); err != nil || rep.Broken != nil {
		return rep, err
	}
	return rep, s.verifyAdmin(ctx, rep)
}

// verifyAdmin checks the administration journal's chain and that its stored head is its last record.
func (s *Service) verifyAdmin(ctx context.Context, rep *VerifyReport) error {
	var v otklik.AdminChainVerifier
	errStop := fmt.Errorf("stop")
	seq, head, err := s.store.WalkAdminJournal(ctx, func(r *otklik.AdminRecord) error {
		if reason := v.Check(r); reason != "" {
			rep.Broken = &otklik.BrokenRecord{Admin: true, Seq: r.Seq, Reason: reason}
			return errStop
		}
		rep.AdminRecords++
		return nil
	})
	if err == errStop {
		return nil
	}
	if err != nil {
		return err
	}
	if have, sum := v.Head(); have != seq || !bytes.Equal(sum, head) {
		reason := fmt.Sprintf("the journal's head is at record %d but %d records verify (records were removed from the end)", seq, have)
		if have > seq {
			reason = fmt.Sprintf("the journal's head is at record %d but it has %d (records were added behind the application's back)", seq, have)
		}
		rep.Broken = &otklik.BrokenRecord{Admin: true, Seq: min(have, seq) + 1, Reason: reason}
	}
	return nil
}

// verifyTickets checks the tickets' journals and messages into rep.
func (s *Service) verifyTickets(ctx context.Context, rep *VerifyReport) error {
	var (
		v       otklik.ChainVerifier
		cur     int64 = -1
		first   int64 // the ticket ID the current batch of message checks starts after
		want    = map[int64][]byte{}
		created = map[int64][]byte{} // ticket ID → hash of its first message, from the created record
		broken  *otklik.BrokenRecord
	)
	errStop := fmt.Errorf("stop")
	fail := func(number string, seq, id int64, reason string) error {
		broken = &otklik.BrokenRecord{Number: number, Seq: seq, ID: id, Reason: reason}
		return errStop
	}
	checkMessages := func(last int64) error {
		seenFirst := map[int64]bool{}
		err := s.store.MessageHashes(ctx, first, last, func(ticketID, id int64, sum []byte) error {
			rep.Messages++
			exp, ok := want[id]
			isFirst := !seenFirst[ticketID]
			if isFirst {
				seenFirst[ticketID] = true
				exp, ok = created[ticketID], true
			}
			if (!ok || !bytes.Equal(exp, sum)) && s.sealedMeanwhile(ctx, ticketID, id, sum, isFirst) {
				return nil // added on a running desk after its records were read, with its record
			}
			if !ok {
				return fail("", 0, 0, fmt.Sprintf("message %d of ticket id %d has no journal record (added behind the application's back)", id, ticketID))
			}
			if !bytes.Equal(exp, sum) {
				return fail("", 0, 0, fmt.Sprintf("message %d of ticket id %d differs from the text its journal record was sealed with (the message was altered)", id, ticketID))
			}
			return nil
		})
		clear(want)
		clear(created)
		first = last
		return err
	}
	err := s.store.WalkJournal(ctx, func(r *otklik.JournalRecord) error {
		rep.Records++
		if r.Number == "" {
			return fail("", r.Seq, r.ID, fmt.Sprintf("journal record of ticket id %d, whose ticket no longer exists", r.TicketID))
		}
		if r.TicketID != cur {
			cur = r.TicketID
			v.Reset(r.Number)
		}
		if reason := v.Check(r); reason != "" {
			return fail(r.Number, r.Seq, r.ID, reason)
		}
		switch r.Kind {
		case otklik.KindCreated:
			var c createdRecord
			if err := json.Unmarshal([]byte(r.After), &c); err != nil {
				return fail(r.Number, r.Seq, r.ID, "created record is not readable")
			}
			sum, err := hex.DecodeString(c.BodySHA256)
			if err != nil || len(sum) == 0 {
				return fail(r.Number, r.Seq, r.ID, "created record has no hash of the first message")
			}
			created[r.TicketID] = sum
		case otklik.KindMessage:
			var m messageRecord
			if err := json.Unmarshal([]byte(r.After), &m); err != nil {
				return fail(r.Number, r.Seq, r.ID, "message record is not readable")
			}
			sum, err := hex.DecodeString(m.BodySHA256)
			if err != nil {
				return fail(r.Number, r.Seq, r.ID, "message record has a bad hash")
			}
			want[m.MessageID] = sum
		}
		return nil
	}, func(h otklik.JournalHead) error {
		rep.Tickets++
		if h.TicketID != cur {
			if h.Seq != 0 {
				return fail(h.Number, 1, 0, fmt.Sprintf("the ticket's journal head is at record %d but the journal has no records", h.Seq))
			}
			v.Reset(h.Number)
		}
		seq, head := v.Head()
		if seq > h.Seq && s.headMovedMeanwhile(ctx, h.Number, seq, head) {
			return nil // records appended on a running desk after its head was read
		}
		if seq != h.Seq || !bytes.Equal(head, h.Hash) {
			return fail(h.Number, seq+1, 0, fmt.Sprintf("the ticket says its journal has %d records but %d verify (records were removed from the end)", h.Seq, seq))
		}
		if rep.Tickets%walkChunk == 0 {
			return checkMessages(h.TicketID)
		}
		return nil
	})
	if err == nil {
		err = checkMessages(1 << 62)
	}
	if err == errStop {
		rep.Broken = broken
		return nil
	}
	return err
}

// headMovedMeanwhile reports whether ticket number's journal head, read again now, is at or beyond
// the seq records that verified, ending in head: a desk that keeps running appends records between
// Verify's reading of the heads and of the records, and those verify beyond the head first read.
// Records added behind the application's back leave the head where it was.
func (s *Service) headMovedMeanwhile(ctx context.Context, number string, seq int64, head []byte) bool {
	t, err := s.store.TicketByNumber(ctx, number)
	if err != nil {
		return false
	}
	return t.JournalSeq > seq || (t.JournalSeq == seq && bytes.Equal(t.JournalHead, head))
}

// sealedMeanwhile reports whether message id of a ticket, whose body hashes to sum, has a journal
// record with that hash when the ticket's journal is read again now — the ticket's created record
// for its first message: a message written on a running desk after Verify read the ticket's records
// comes with its record. A message slipped in or altered behind the application's back has none that
// agrees.
func (s *Service) sealedMeanwhile(ctx context.Context, ticketID, id int64, sum []byte, first bool) bool {
	recs, err := s.store.Journal(ctx, ticketID)
	if err != nil {
		return false
	}
	for _, r := range recs {
		var hash string
		switch {
		case r.Kind == otklik.KindCreated && first:
			var c createdRecord
			if json.Unmarshal([]byte(r.After), &c) != nil {
				continue
			}
			hash = c.BodySHA256
		case r.Kind == otklik.KindMessage:
			var m messageRecord
			if json.Unmarshal([]byte(r.After), &m) != nil || m.MessageID != id {
				continue
			}
			hash = m.BodySHA256
		default:
			continue
		}
		if want, err := hex.DecodeString(hash); err == nil && bytes.Equal(want, sum) {
			return true
		}
	}
	return false
}

// walkChunk is how many tickets Verify checks messages for at a time.
const walkChunk = 1000
