package store

import (
	"context"
	"database/sql"

	"github.com/otklik/otklik/internal/otklik"
)

func scanRequester(sc scanner) (*otklik.Requester, error) {
	r := &otklik.Requester{}
	var email, phone, snils, inn sql.NullString
	var created dbTime
	if err := sc.Scan(&r.ID, &r.Name, &email, &phone, &snils, &inn, &created); err != nil {
		return nil, err
	}
	r.Email, r.Phone, r.SNILS, r.INN, r.CreatedAt = email.String, phone.String, snils.String, inn.String, created.T
	return r, nil
}

// FindRequester returns the requester with l's e-mail, else its phone, else its СНИЛС.
func (t *txn) FindRequester(ctx context.Context, l otklik.RequesterLookup) (*otklik.Requester, error) {
	for _, by := range []struct{ q, v string }{
		{t.s.q.RequesterByEmail, l.Email}, {t.s.q.RequesterByPhone, l.Phone}, {t.s.q.RequesterBySNILS, l.SNILS},
	} {
		if by.v == "" {
			continue
		}
		r, err := scanRequester(t.ex.queryRow(ctx, by.q, by.v))
		if err == nil {
			return r, nil
		}
		if err != sql.ErrNoRows {
			return nil, translate(err)
		}
	}
	return nil, otklik.NotFound("requester.not_found")
}

// InsertRequester stores a new requester. On PostgreSQL another node (or writer) may register the
// same e-mail at the same moment: then the insert waits for it and takes the requester it registered.
func (t *txn) InsertRequester(ctx context.Context, r *otklik.Requester) error {
	if t.s.engine == "postgres" && r.Email != "" {
		err := t.ex.queryRow(ctx, t.s.q.InsertRequester+" ON CONFLICT (email) DO NOTHING RETURNING id", r.Name, nullStr(r.Email),
			nullStr(r.Phone), nullStr(r.SNILS), nullStr(r.INN), t.s.tv(r.CreatedAt)).Scan(&r.ID)
		if err != sql.ErrNoRows {
			return translate(err)
		}
		existing, err := scanRequester(t.ex.queryRow(ctx, t.s.q.RequesterByEmail, r.Email))
		if err != nil {
			return translate(err)
		}
		*r = *existing
		return nil
	}
	var err error
	r.ID, err = t.insertID(ctx, t.s.q.InsertRequester, r.Name, nullStr(r.Email), nullStr(r.Phone), nullStr(r.SNILS),
		nullStr(r.INN), t.s.tv(r.CreatedAt))
	return translate(err)
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
