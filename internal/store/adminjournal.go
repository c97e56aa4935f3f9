package store

import (
	"context"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
)

const adminJournalColumns = `SELECT seq, at, actor_type, actor_id, actor_name, channel, object, key, action, before, after,
	reason, prev_hash, hash FROM admin_journal`

func scanAdminRecord(sc scanner) (*otklik.AdminRecord, error) {
	r := &otklik.AdminRecord{}
	var at dbTime
	err := sc.Scan(&r.Seq, &at, &r.Actor.Type, &r.Actor.ID, &r.Actor.Name, &r.Actor.Channel, &r.Object, &r.Key,
		&r.Action, &r.Before, &r.After, &r.Reason, &r.PrevHash, &r.Hash)
	r.At = at.T
	return r, err
}

// AdminJournal returns up to f.Limit administration records matching f, newest first.
func (s *Store) AdminJournal(ctx context.Context, f otklik.AdminJournalFilter) ([]*otklik.AdminRecord, error) {
	var where []string
	var args []any
	switch {
	case f.Calendar != "":
		where = append(where, "((object = ? AND key = ?) OR (object = ? AND substr(key, 1, ?) = ?))")
		args = append(args, otklik.AdminCalendar, f.Calendar, otklik.AdminCalendarDay, len(f.Calendar)+1, f.Calendar+"/")
	default:
		if f.Object != "" {
			where, args = append(where, "object = ?"), append(args, f.Object)
		}
		if f.Key != "" {
			where, args = append(where, "key = ?"), append(args, f.Key)
		}
	}
	if f.Before > 0 {
		where, args = append(where, "seq < ?"), append(args, f.Before)
	}
	q := adminJournalColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT ?"
	rows, err := s.read.QueryContext(ctx, s.rebind(q), append(args, f.Limit)...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.AdminRecord
	for rows.Next() {
		r, err := scanAdminRecord(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// walkAdmin is how many administration records WalkAdminJournal reads a round.
const walkAdmin = 1000

// WalkAdminJournal calls fn for every administration record, oldest first, a round of walkAdmin at a
// time, and returns the head stored beside them. The head and the last record are read in one
// statement, so in one snapshot of a running desk: a record appended during the walk is beyond both and
// not read.
func (s *Store) WalkAdminJournal(ctx context.Context, fn func(r *otklik.AdminRecord) error) (int64, []byte, error) {
	var seq, last int64
	var head []byte
	// Records up to the greatest there is, not only up to the head: a record added behind the
	// application's back beyond the head must be seen, to be reported.
	if err := s.read.QueryRowContext(ctx, `SELECT seq, hash, (SELECT COALESCE(max(seq), 0) FROM admin_journal)
		FROM admin_journal_head WHERE id = 1`).Scan(&seq, &head, &last); err != nil {
		return 0, nil, translate(err)
	}
	last = max(last, seq)
	for after := int64(0); after < last; {
		rows, err := s.read.QueryContext(ctx, s.rebind(adminJournalColumns+" WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?"), after, last, walkAdmin)
		if err != nil {
			return 0, nil, translate(err)
		}
		n := 0
		for rows.Next() {
			r, err := scanAdminRecord(rows)
			if err != nil {
				rows.Close()
				return 0, nil, translate(err)
			}
			n++
			after = r.Seq
			if err := fn(r); err != nil {
				rows.Close()
				return 0, nil, err
			}
		}
		if err := rows.Close(); err != nil {
			return 0, nil, translate(err)
		}
		if err := rows.Err(); err != nil {
			return 0, nil, translate(err)
		}
		if n < walkAdmin {
			break
		}
	}
	return seq, head, nil
}

// AppendAdmin seals r after the administration journal's head, locked (FOR UPDATE on PostgreSQL; on
// SQLite the one writer is lock enough), stores it and moves the head to it.
func (t *txn) AppendAdmin(ctx context.Context, r *otklik.AdminRecord) error {
	var seq int64
	var head []byte
	if err := t.ex.queryRow(ctx, t.s.q.AdminJournalHead).Scan(&seq, &head); err != nil {
		return translate(err)
	}
	if r.At.IsZero() {
		r.At = t.now
	}
	r.Seal(seq, head)
	if _, err := t.ex.exec(ctx, `INSERT INTO admin_journal (seq, at, actor_type, actor_id, actor_name, channel, object, key,
		action, before, after, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, t.s.tv(r.At), r.Actor.Type, r.Actor.ID, r.Actor.Name, r.Actor.Channel, r.Object, r.Key, r.Action,
		r.Before, r.After, r.Reason, r.PrevHash, r.Hash); err != nil {
		return translate(err)
	}
	_, err := t.ex.exec(ctx, "UPDATE admin_journal_head SET seq = ?, hash = ? WHERE id = 1", r.Seq, r.Hash)
	return translate(err)
}
