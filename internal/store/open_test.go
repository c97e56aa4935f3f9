package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// TestOpenAsItIs: a tool's store (NoMigrate) opens a database of this build's schema as it is; it
// refuses, saying why, a place with no Otklik database — creating nothing — and a database of an older
// or newer schema, which it does not migrate.
func TestOpenAsItIs(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := testkit.MustNewDB(t, engine)
		open := func() error {
			st, err := store.Open(ctx, store.Options{URL: db.URL, NoMigrate: true})
			if err == nil {
				st.Close()
			}
			return err
		}
		err := open()
		if !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), "`otklik migrate` or `otklik serve` creates") {
			t.Fatalf("an empty database: %v", err)
		}
		if engine == "sqlite" {
			if _, statErr := os.Stat(db.URL); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("opening a missing SQLite file as it is created it: %v", statErr)
			}
		}
		db.MustOpen(t, nil).Close() // migrated
		if err := open(); err != nil {
			t.Fatalf("a database of this build's schema: %v", err)
		}
		var top int
		if err := db.Raw.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&top); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Raw.Exec("DELETE FROM schema_migrations WHERE version = $1", top); err != nil {
			t.Fatal(err)
		}
		if err := open(); !errors.Is(err, store.ErrSchema) || !strings.Contains(err.Error(), "`otklik migrate` brings it up to date") {
			t.Errorf("a database a migration behind: %v", err)
		}
		var now int
		if err := db.Raw.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&now); err != nil || now != top-1 {
			t.Errorf("opening as it is migrated the database: at %d, want %d (%v)", now, top-1, err)
		}
		if _, err := db.Raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'x', 0), ($2, 'future', 0)", top, top+1); err != nil {
			t.Fatal(err)
		}
		if err := open(); !errors.Is(err, store.ErrSchema) || !strings.Contains(err.Error(), "newer than this build's") {
			t.Errorf("a database of a newer schema: %v", err)
		}
	})
}
