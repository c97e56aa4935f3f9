package store

import (
	"context"

	"github.com/otklik/otklik/internal/otklik"
)

// SavedFilters returns a staff member's saved filters, in the order they were saved.
func (s *Store) SavedFilters(ctx context.Context, userID int64) ([]otklik.SavedFilter, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind("SELECT id, user_id, name, queue, query FROM saved_filters WHERE user_id = ? ORDER BY id"), userID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.SavedFilter
	for rows.Next() {
		var f otklik.SavedFilter
		if err := rows.Scan(&f.ID, &f.UserID, &f.Name, &f.Queue, &f.Query); err != nil {
			return nil, translate(err)
		}
		out = append(out, f)
	}
	return out, translate(rows.Err())
}

// SaveFilter stores a saved filter, replacing the member's filter of the same name.
func (t *txn) SaveFilter(ctx context.Context, f *otklik.SavedFilter) error {
	if _, err := t.ex.exec(ctx, "DELETE FROM saved_filters WHERE user_id = ? AND name = ?", f.UserID, f.Name); err != nil {
		return translate(err)
	}
	var err error
	f.ID, err = t.insertID(ctx, "INSERT INTO saved_filters (user_id, name, queue, query) VALUES (?, ?, ?, ?)", f.UserID, f.Name, f.Queue, f.Query)
	return translate(err)
}

// DeleteFilter removes one of a member's saved filters; ENOTFOUND when they have none with that ID.
func (t *txn) DeleteFilter(ctx context.Context, userID, id int64) error {
	res, err := t.ex.exec(ctx, "DELETE FROM saved_filters WHERE user_id = ? AND id = ?", userID, id)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return otklik.Errorf(otklik.ENOTFOUND, "filter.not_found", nil)
	}
	return nil
}
