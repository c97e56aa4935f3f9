package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/russian"
)

// ImportedTicket is a ticket brought from another system (a migration from another helpdesk, or a
// benchmark fill): it keeps its original registration time, status and later messages. The journal
// records the import itself with the true time of import, so imported history is never mistaken
// for history Otklik witnessed.
type ImportedTicket struct {
	NewTicket
	Status    otklik.Status
	CreatedAt time.Time
	Messages  []ImportedMessage
}

// ImportedMessage is a later message of an imported ticket.
type ImportedMessage struct {
	Staff    bool // written by staff (else by the requester)
	Author   string
	Internal bool
	Body     string
	At       time.Time
}

// MaxImportBatch is the most tickets one Import call takes (one transaction).
const MaxImportBatch = 5000

// Import stores many tickets in one transaction: all or none. It returns their numbers in order.
func (s *Service) Import(ctx context.Context, actor otklik.Actor, in []ImportedTicket) ([]string, error) {
	if len(in) > MaxImportBatch {
		return nil, otklik.Invalid(otklik.FieldError{Field: "tickets", Key: "import.too_many", Args: map[string]string{"max": strconv.Itoa(MaxImportBatch)}})
	}
	type msg struct {
		m   otklik.Message
		sum string
	}
	preps := make([]*prepared, len(in))
	msgs := make([][]msg, len(in))
	for i := range in {
		it := &in[i]
		if !it.Status.Valid() {
			return nil, otklik.Invalid(otklik.FieldError{Field: "tickets[" + strconv.Itoa(i) + "].status", Key: "ticket.status_unknown", Args: map[string]string{"status": string(it.Status)}})
		}
		if it.CreatedAt.IsZero() {
			return nil, otklik.Invalid(otklik.FieldError{Field: "tickets[" + strconv.Itoa(i) + "].created_at", Key: "field.required"})
		}
		it.IdempotencyKey = ""
		p, err := s.prepare(ctx, it.NewTicket)
		if err != nil {
			return nil, err
		}
		preps[i] = p
		for _, im := range it.Messages {
			var v otklik.Validation
			body := cleanText(&v, "body", im.Body, otklik.MaxBodyLen, true)
			if err := v.Err(); err != nil {
				return nil, err
			}
			sum := sha256.Sum256([]byte(body))
			m := otklik.Message{Body: body, Internal: im.Internal && im.Staff, CreatedAt: otklik.Truncate(im.At),
				Author: otklik.Actor{Type: otklik.ActorRequester, Name: im.Author, Channel: it.Channel}}
			if im.Staff {
				m.Author.Type = otklik.ActorStaff
			}
			msgs[i] = append(msgs[i], msg{m: m, sum: hex.EncodeToString(sum[:])})
			// One search entry for the whole conversation, written once with the ticket.
			p.stems = string(russian.AppendIndexText([]byte(p.stems), body))
		}
	}
	// The batch's requesters are found or registered first, in one order for every import
	// (requesterOrder; a citizen's tickets in the batch's order): two imports naming the same citizens
	// then wait for each other instead of each holding a citizen the other needs, which on PostgreSQL
	// ended in a deadlock and a retry of a whole batch.
	order := make([]int, len(preps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return requesterOrder(preps[a].req, preps[b].req) })
	numbers := make([]string, len(in))
	reqs := make([]*otklik.Requester, len(in))
	write := func(tx otklik.Tx) error {
		for _, i := range order {
			r, err := s.requester(ctx, tx, preps[i].req, tx.Now())
			if err != nil {
				return err
			}
			reqs[i] = r
		}
		for i, p := range preps {
			t, _, err := s.insertFor(ctx, tx, p, reqs[i], actor, &in[i], nil)
			if err != nil {
				return err
			}
			numbers[i] = t.Number
			if len(msgs[i]) == 0 {
				continue
			}
			prev := t.Version
			for _, mm := range msgs[i] {
				m := mm.m
				m.TicketID = t.ID
				if m.Author.Type == otklik.ActorRequester {
					m.Author.ID = t.Requester.ID
				}
				if err := tx.InsertMessage(ctx, &m); err != nil {
					return err
				}
				if m.Author.Type == otklik.ActorStaff && !m.Internal && t.FirstResponseAt == nil {
					at := m.CreatedAt
					t.FirstResponseAt = &at
				}
				after, _ := json.Marshal(messageRecord{MessageID: m.ID, Internal: m.Internal, BodySHA256: mm.sum})
				field := "reply"
				if m.Internal {
					field = "note"
				}
				r := &otklik.JournalRecord{At: tx.Now(), Actor: actor, Kind: otklik.KindMessage, Field: field, After: string(after),
					Reason: "import: " + m.Author.Name + ", " + m.CreatedAt.Format(time.RFC3339)}
				r.Seal(t)
				if err := tx.AppendJournal(ctx, r); err != nil {
					return err
				}
			}
			t.Version++
			if err := tx.UpdateTicket(ctx, t, prev); err != nil {
				return err
			}
		}
		return nil
	}
	err := s.store.Write(ctx, write)
	for attempt := 0; attempt < 3 && err != nil && isDuplicate(err); attempt++ {
		// Another import (or a live request) registered one of these requesters at the same moment
		// and committed first: run again, which finds them.
		err = s.store.Write(ctx, write)
	}
	if err != nil {
		return nil, err
	}
	return numbers, nil
}
