package service

import (
	"context"
	"net/url"
	"strconv"

	"github.com/otklik/otklik/internal/otklik"
)

// Limits of saved filters.
const (
	MaxSavedFilters   = 30
	MaxFilterNameLen  = 80
	MaxFilterQueryLen = 2000
)

// SavedFilters returns a staff member's saved filters.
func (s *Service) SavedFilters(ctx context.Context, userID int64) ([]otklik.SavedFilter, error) {
	return s.store.SavedFilters(ctx, userID)
}

// SaveFilter saves a member's named view of a queue with its filters (a URL query string), replacing
// their filter of the same name.
func (s *Service) SaveFilter(ctx context.Context, userID int64, name, queue, query string) (*otklik.SavedFilter, error) {
	var v otklik.Validation
	name = cleanLine(&v, "name", name, MaxFilterNameLen, true)
	if len(query) > MaxFilterQueryLen {
		v.Add("query", "field.too_long", map[string]string{"max": strconv.Itoa(MaxFilterQueryLen), "len": strconv.Itoa(len(query))})
	} else if _, err := url.ParseQuery(query); err != nil {
		v.Add("query", "filter.query", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	have, err := s.store.SavedFilters(ctx, userID)
	if err != nil {
		return nil, err
	}
	replaces := false
	for _, f := range have {
		replaces = replaces || f.Name == name
	}
	if len(have) >= MaxSavedFilters && !replaces {
		return nil, otklik.Invalid(otklik.FieldError{Field: "name", Key: "filter.too_many", Args: map[string]string{"max": strconv.Itoa(MaxSavedFilters)}})
	}
	f := &otklik.SavedFilter{UserID: userID, Name: name, Queue: queue, Query: query}
	return f, s.store.Write(ctx, func(tx otklik.Tx) error { return tx.SaveFilter(ctx, f) })
}

// DeleteFilter removes one of a member's saved filters.
func (s *Service) DeleteFilter(ctx context.Context, userID, id int64) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error { return tx.DeleteFilter(ctx, userID, id) })
}
