package store

import (
	"context"

	"github.com/otklik/otklik/internal/otklik"
)

func scanJournal(sc scanner) (*otklik.JournalRecord, error) {
	r := &otklik.JournalRecord{}
	var at dbTime
	err := sc.Scan(&r.ID, &r.TicketID, &r.Number, &r.Seq, &at, &r.Actor.Type, &r.Actor.ID, &r.Actor.Name,
		&r.Actor.Channel, &r.Kind, &r.Field, &r.Before, &r.After, &r.Reason, &r.PrevHash, &r.Hash)
	r.At = at.T
	return r, err
}

// Journal returns a ticket's journal, oldest first.
func (s *Store) Journal(ctx context.Context, ticketID int64) ([]*otklik.JournalRecord, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.journal()), ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.JournalRecord
	for rows.Next() {
		r, err := scanJournal(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// walkTickets is how many tickets WalkJournal reads per round, so that no read stays open across the
// whole table and memory stays bounded.
const walkTickets = 1000

// WalkJournal calls fn for every journal record in ticket and sequence order, and head with each
// ticket's stored journal head after that ticket's records. A record whose ticket is gone comes with
// an empty Number.
func (s *Store) WalkJournal(ctx context.Context, fn func(r *otklik.JournalRecord) error, head func(h otklik.JournalHead) error) error {
	var after int64
	for {
		heads, err := s.journalHeads(ctx, after)
		if err != nil {
			return err
		}
		if len(heads) == 0 {
			// Records after the last ticket can only belong to deleted tickets.
			return s.walkRecords(ctx, after, 1<<62, nil, fn, head)
		}
		last := heads[len(heads)-1].TicketID
		if err := s.walkRecords(ctx, after, last, heads, fn, head); err != nil {
			return err
		}
		after = last
	}
}

// walkRecords reads the records of tickets in (after, last] and interleaves them with heads.
func (s *Store) walkRecords(ctx context.Context, after, last int64, heads []otklik.JournalHead,
	fn func(r *otklik.JournalRecord) error, head func(h otklik.JournalHead) error) error {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.walkJournal()), after, last, after, last)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	h := 0
	for rows.Next() {
		r, err := scanJournal(rows)
		if err != nil {
			return translate(err)
		}
		for h < len(heads) && heads[h].TicketID < r.TicketID {
			if err := head(heads[h]); err != nil {
				return err
			}
			h++
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return translate(err)
	}
	for ; h < len(heads); h++ {
		if err := head(heads[h]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) journalHeads(ctx context.Context, after int64) ([]otklik.JournalHead, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.JournalHeads), after, walkTickets)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.JournalHead
	for rows.Next() {
		var h otklik.JournalHead
		if err := rows.Scan(&h.TicketID, &h.Number, &h.Seq, &h.Hash); err != nil {
			return nil, translate(err)
		}
		out = append(out, h)
	}
	return out, translate(rows.Err())
}
