package store

import (
	"context"
	"database/sql"

	"github.com/otklik/otklik/internal/otklik"
)

// scanRequester reads a requester's columns, then any further columns into extra.
func scanRequester(sc scanner, extra ...any) (*otklik.Requester, error) {
	r := &otklik.Requester{}
	var email, phone, snils, inn sql.NullString
	var created dbTime
	if err := sc.Scan(append([]any{&r.ID, &r.Name, &email, &phone, &snils, &inn, &created}, extra...)...); err != nil {
		return nil, err
	}
	r.Email, r.Phone, r.SNILS, r.INN, r.CreatedAt = email.String, phone.String, snils.String, inn.String, created.T
	return r, nil
}

// FindOrAddRequester returns the requester with l's e-mail, else its phone, else its СНИЛС, or stores
// r as a new one. On PostgreSQL a requester looked up by e-mail (every ticket by e-mail, from the
// portal and from most API clients) is found or added in one statement, requester-by-email-or-add: a
// new citizen's registration takes four round trips instead of five. Another node (or writer) may
// register the same e-mail at the same moment: the insert then waits for it and adds nothing, and the
// requester it registered is read afterwards.
func (t *txn) FindOrAddRequester(ctx context.Context, l otklik.RequesterLookup, r *otklik.Requester) (*otklik.Requester, bool, error) {
	s := t.s
	if s.engine == "postgres" && l.Email != "" {
		var added bool
		found, err := scanRequester(t.ex.queryRow(ctx, s.q.RequesterOrAdd, l.Email,
			r.Name, nullStr(r.Email), nullStr(r.Phone), nullStr(r.SNILS), nullStr(r.INN), s.tv(r.CreatedAt)), &added)
		if err != sql.ErrNoRows {
			return found, added, translate(err)
		}
	}
	for _, by := range []struct{ q, v string }{
		{s.q.RequesterByEmail, l.Email}, {s.q.RequesterByPhone, l.Phone}, {s.q.RequesterBySNILS, l.SNILS},
	} {
		if by.v == "" {
			continue
		}
		found, err := scanRequester(t.ex.queryRow(ctx, by.q, by.v))
		if err == nil {
			return found, false, nil
		}
		if err != sql.ErrNoRows {
			return nil, false, translate(err)
		}
	}
	var err error
	r.ID, err = t.insertID(ctx, s.q.InsertRequester, r.Name, nullStr(r.Email), nullStr(r.Phone), nullStr(r.SNILS),
		nullStr(r.INN), s.tv(r.CreatedAt))
	if err != nil {
		return nil, false, translate(err)
	}
	return r, true, nil
}

// UpdateRequester stores a requester's details.
func (t *txn) UpdateRequester(ctx context.Context, r *otklik.Requester) error {
	_, err := t.ex.exec(ctx, t.s.q.UpdateRequester, r.Name, nullStr(r.Email), nullStr(r.Phone), nullStr(r.SNILS),
		nullStr(r.INN), r.ID)
	return translate(err)
}

// RequesterIDs returns the IDs of every requester matching all given identifiers of l.
func (s *Store) RequesterIDs(ctx context.Context, l otklik.RequesterLookup) ([]int64, error) {
	q := "SELECT id FROM requesters WHERE 1=1"
	var args []any
	for _, c := range []struct{ col, v string }{{"email", l.Email}, {"phone", l.Phone}, {"snils", l.SNILS}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(q+" ORDER BY id LIMIT 1000"), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err())
}
