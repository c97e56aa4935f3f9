package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Times are stored as microseconds since the Unix epoch (UTC) on SQLite and as timestamptz elsewhere;
// these helpers keep that difference inside the store.

// tv returns t as the engine stores it.
func (s *Store) tv(t time.Time) any {
	if s.engine == "sqlite" {
		return t.UnixMicro()
	}
	return t.UTC()
}

// tvp returns *t as the engine stores it, or NULL.
func (s *Store) tvp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.tv(*t)
}

// dbTime scans a stored time (INTEGER microseconds or a timestamp), or NULL.
type dbTime struct {
	T     time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (d *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		d.T, d.Valid = time.Time{}, false
	case int64:
		d.T, d.Valid = time.UnixMicro(x).UTC(), true
	case time.Time:
		d.T, d.Valid = x.UTC(), true
	default:
		return fmt.Errorf("store: cannot scan %T as a time", v)
	}
	return nil
}

// ScanTimestamptz implements pgx's pgtype.TimestamptzScanner, which pgx decodes a timestamptz into
// directly, without going through sql.Scanner's interface value.
func (d *dbTime) ScanTimestamptz(v pgtype.Timestamptz) error {
	if v.Valid && v.InfinityModifier != pgtype.Finite {
		return fmt.Errorf("store: cannot scan an infinite timestamp as a time")
	}
	d.T, d.Valid = v.Time.UTC(), v.Valid
	return nil
}

// ptr returns the time or nil.
func (d dbTime) ptr() *time.Time {
	if !d.Valid {
		return nil
	}
	t := d.T
	return &t
}

// nullID returns id, or NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullStr returns s, or NULL for "".
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

var _ scanner = (*sql.Row)(nil)
