// Package testkit holds helpers shared by Otklik's tests: real stores on every engine (SQLite in a
// temporary directory; a fresh PostgreSQL database per store when OTKLIK_TEST_POSTGRES is set), a
// settable clock, a logger into the test's log, a headless browser per test when OTKLIK_TEST_CHROMIUM
// is set (Browser) and accessibility and Content-Security-Policy checks of HTML pages (CheckHTML).
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/files/blob"
	"github.com/otklik/otklik/internal/files/sealed"
	"github.com/otklik/otklik/internal/store"
)

// PostgresEnv names the variable that enables the PostgreSQL tests: a server URL such as
// postgres://postgres@127.0.0.1:5432/test. Each store gets its own new database, dropped afterwards.
const PostgresEnv = "OTKLIK_TEST_POSTGRES"

// Engines are the database engines every store test runs on.
var Engines = []string{"sqlite", "postgres"}

// ForEachEngine runs f as a subtest per engine. The PostgreSQL subtest skips, naming the variable
// that enables it, when OTKLIK_TEST_POSTGRES is not set.
func ForEachEngine(t *testing.T, f func(t *testing.T, engine string)) {
	for _, e := range Engines {
		t.Run(e, func(t *testing.T) {
			skipOffEngine(t, e)
			f(t, e)
		})
	}
}

// BenchEachEngine is ForEachEngine for benchmarks: f runs as a sub-benchmark per engine, the
// PostgreSQL one skipped, naming the variable, when OTKLIK_TEST_POSTGRES is not set.
func BenchEachEngine(b *testing.B, f func(b *testing.B, engine string)) {
	for _, e := range Engines {
		b.Run(e, func(b *testing.B) {
			skipOffEngine(b, e)
			f(b, e)
		})
	}
}

// skipOffEngine skips a PostgreSQL test or benchmark, naming the variable that enables it, when
// OTKLIK_TEST_POSTGRES is not set.
func skipOffEngine(tb testing.TB, engine string) {
	if engine == "postgres" && os.Getenv(PostgresEnv) == "" {
		tb.Skipf("PostgreSQL tests are off: set %s to a server URL (e.g. postgres://postgres@127.0.0.1:5432/test)", PostgresEnv)
	}
}

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// MustOpenStore opens a fresh SQLite store in a temporary directory, closed when the test ends.
func MustOpenStore(tb testing.TB, now func() time.Time) *store.Store {
	tb.Helper()
	return MustOpenStoreAt(tb, filepath.Join(tb.TempDir(), "otklik.db"), now)
}

// MustOpenStoreAt opens the SQLite store at path, closed when the test ends.
func MustOpenStoreAt(tb testing.TB, path string, now func() time.Time) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), store.Options{URL: path, Synchronous: "normal", Now: now})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// DB is a fresh database of an engine: its URL for store.Open and a raw connection for tests that
// reach behind the application.
type DB struct {
	Engine string
	URL    string
	Raw    *sql.DB
}

// MustNewDB makes a fresh, empty database of the engine, removed when the test ends.
func MustNewDB(tb testing.TB, engine string) *DB {
	tb.Helper()
	if engine == "sqlite" {
		path := filepath.Join(tb.TempDir(), "otklik.db")
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { raw.Close() })
		return &DB{Engine: engine, URL: path, Raw: raw}
	}
	server := os.Getenv(PostgresEnv)
	if server == "" {
		tb.Skipf("set %s to run PostgreSQL tests", PostgresEnv)
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		tb.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "otklik_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	raw, err := sql.Open("pgx", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		raw.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	return &DB{Engine: engine, URL: u.String(), Raw: raw}
}

// MustOpen opens a store on the database, closed when the test ends (before the database is dropped).
func (d *DB) MustOpen(tb testing.TB, now func() time.Time) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), store.Options{URL: d.URL, Synchronous: "normal", Now: now})
	if err != nil {
		tb.Fatalf("open %s store: %v", d.Engine, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustOpenStoreEngine opens a fresh store of the engine.
func MustOpenStoreEngine(tb testing.TB, engine string, now func() time.Time) *store.Store {
	tb.Helper()
	return MustNewDB(tb, engine).MustOpen(tb, now)
}

// Logger returns a logger that writes to the test's log, at debug level.
func Logger(tb testing.TB) *slog.Logger {
	return LoggerAt(tb, slog.LevelDebug)
}

// LoggerAt returns a logger that writes to the test's log what is at level or above: for a server
// under load, whose line a request would bury a failure's message.
func LoggerAt(tb testing.TB, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: level}))
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// NewVault makes a file vault in the test's temporary directories: a directory blob store under dir and
// one fresh key in keysDir.
func NewVault(t testing.TB) (v *files.Vault, dir, keysDir string) {
	t.Helper()
	dir, keysDir = t.TempDir(), t.TempDir()
	if _, err := sealed.CreateKey(keysDir); err != nil {
		t.Fatal(err)
	}
	keys, err := sealed.LoadKeyring(keysDir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := blob.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &files.Vault{Store: st, Keys: keys, KeysDir: keysDir}, dir, keysDir
}

// ObjectPath returns where the directory blob store in dir (NewVault's dir) keeps the object key.
func ObjectPath(dir, key string) string {
	return filepath.Join(dir, "objects", key[:2], key[2:4], key)
}

// CountObjects counts the objects of the directory blob store in dir (NewVault's dir).
func CountObjects(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
