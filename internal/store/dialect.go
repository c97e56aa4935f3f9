package store

import (
	"context"
	"strconv"
	"strings"
)

// rebind rewrites "?" placeholders for engines that number them ($1, $2…). Queries are written with
// "?"; none contains a literal question mark.
func (s *Store) rebind(q string) string {
	if s.engine == "sqlite" {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// forUpdate is the clause that locks a selected ticket row against other writers; SQLite's single
// writer needs none.
func (s *Store) forUpdate() string {
	if s.engine == "sqlite" {
		return ""
	}
	return " FOR UPDATE OF t"
}

// insertID runs an INSERT and returns the new row's ID: SQLite reports it without a RETURNING
// clause (cheaper than reading a result row); other engines return it.
func (t *txn) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	if t.s.engine == "sqlite" {
		res, err := t.ex.exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	var id int64
	err := t.ex.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}
