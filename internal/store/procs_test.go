package store_test

import (
	"runtime"
	"testing"

	"github.com/otklik/otklik/internal/store"
)

// TestEnsureSQLiteProcs: serve raises GOMAXPROCS for SQLite only, only when the environment leaves
// it unset, and never lowers it.
func TestEnsureSQLiteProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, c := range []struct {
		engine, env string
		want        int
	}{
		{"postgres", "", 2},
		{"sqlite", "2", 2},
		{"sqlite", "", store.SQLiteProcs},
	} {
		runtime.GOMAXPROCS(2)
		prev := store.EnsureSQLiteProcs(c.engine, c.env)
		if got := runtime.GOMAXPROCS(0); got != c.want || (prev != 0) != (c.want != 2) || (prev != 0 && prev != 2) {
			t.Errorf("engine %s, GOMAXPROCS=%q: now %d (returned %d), want %d", c.engine, c.env, got, prev, c.want)
		}
	}
	runtime.GOMAXPROCS(8)
	if prev := store.EnsureSQLiteProcs("sqlite", ""); prev != 0 || runtime.GOMAXPROCS(0) != 8 {
		t.Errorf("lowered GOMAXPROCS from 8 to %d (returned %d)", runtime.GOMAXPROCS(0), prev)
	}
}
