package store

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
)

// TestPgConfigSessionDefaults: every connection asks for backend_flush_after unless the URL sets it,
// and the server applies what it asks for. (An internal test: testkit imports this package.)
func TestPgConfigSessionDefaults(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"postgres://otklik@db.example:5432/otklik", "256kB"},
		{"postgres://otklik@db.example:5432/otklik?sslmode=disable&backend_flush_after=0", "0"},
		{"host=db.example user=otklik dbname=otklik backend_flush_after=1MB", "1MB"},
	} {
		cfg, err := pgConfig(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if got := cfg.RuntimeParams["backend_flush_after"]; got != c.want {
			t.Errorf("%s: backend_flush_after %q, want %q", c.url, got, c.want)
		}
	}
	_, err := pgConfig("postgres://otklik:secret-password@db.example:port/otklik")
	if err == nil || !strings.HasPrefix(err.Error(), "store: ") || strings.Contains(err.Error(), "secret-password") {
		t.Errorf("a malformed URL: %v, want a store error that keeps the password out", err)
	}

	server := os.Getenv("OTKLIK_TEST_POSTGRES")
	if server == "" {
		t.Skip("the server's side is off: set OTKLIK_TEST_POSTGRES to a server URL (e.g. postgres://postgres@127.0.0.1:5432/test)")
	}
	sep := "?"
	if strings.Contains(server, "?") {
		sep = "&"
	}
	for url, want := range map[string]string{server: "256kB", server + sep + "backend_flush_after=0": "0"} {
		cfg, err := pgConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		db := stdlib.OpenDB(*cfg)
		var got string
		err = db.QueryRowContext(context.Background(), "SHOW backend_flush_after").Scan(&got)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("the server's backend_flush_after for %s: %q, want %q", url, got, want)
		}
	}
}

// TestServerAdvice: below a gigabyte of min_wal_size the store advises more, naming the setting and
// the size it has; it advises huge pages, naming the shared buffers' size, when the server says it has
// none (huge_pages_status off, or huge_pages off where the server has no status) and, where it cannot
// tell (huge_pages try without a status), from 256 MB of shared buffers; not when it has them;
// SQLite has no such settings; and on the server (OTKLIK_TEST_POSTGRES) the advice follows the server's
// own settings.
func TestServerAdvice(t *testing.T) {
	for _, c := range []struct {
		keep   int64
		advise bool
	}{{80 << 20, true}, {1<<30 - 1, true}, {1 << 30, false}, {4 << 30, false}} {
		got := walAdvice(c.keep)
		if c.advise != (got != "") || (c.advise && !strings.Contains(got, "min_wal_size") || c.advise && !strings.Contains(got, "keeps "+strconv.FormatInt(c.keep>>20, 10)+" MB")) {
			t.Errorf("walAdvice(%d) = %q, want advice: %v", c.keep, got, c.advise)
		}
	}
	for _, c := range []struct {
		setting, status string
		shared          int64
		advise          bool
	}{
		// PostgreSQL before 17: only the setting, and at "try" the size of the shared buffers.
		{"try", "", 128 << 20, false}, {"try", "", 256<<20 - 8192, false}, {"try", "", 256 << 20, true}, {"try", "", 2 << 30, true},
		{"on", "", 2 << 30, false}, {"off", "", 128 << 20, true}, {"off", "", 2 << 30, true},
		{"try", "off", 128 << 20, true}, {"try", "on", 2 << 30, false}, {"on", "on", 2 << 30, false},
		{"off", "off", 2 << 30, true}, {"try", "unknown", 2 << 30, false},
	} {
		got := hugePagesAdvice(c.setting, c.status, c.shared)
		size := "shared_buffers " + strconv.FormatInt(c.shared>>20, 10) + " MB"
		if c.advise != (got != "") || c.advise && (!strings.Contains(got, "huge_pages = on") || !strings.Contains(got, size)) {
			t.Errorf("hugePagesAdvice(%q, %q, %d) = %q, want advice: %v", c.setting, c.status, c.shared, got, c.advise)
		}
	}
	if got, err := (&Store{engine: "sqlite"}).ServerAdvice(context.Background()); got != nil || err != nil {
		t.Errorf("SQLite: %q, %v", got, err)
	}

	server := os.Getenv("OTKLIK_TEST_POSTGRES")
	if server == "" {
		t.Skip("the server's side is off: set OTKLIK_TEST_POSTGRES to a server URL (e.g. postgres://postgres@127.0.0.1:5432/test)")
	}
	cfg, err := pgConfig(server)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	var small, hugeAdvised bool
	if err := db.QueryRowContext(context.Background(), "SELECT pg_size_bytes(current_setting('min_wal_size')) < 1073741824, "+
		"coalesce(current_setting('huge_pages_status', true) = 'off', current_setting('huge_pages') = 'off' OR "+
		"(current_setting('huge_pages') = 'try' AND pg_size_bytes(current_setting('shared_buffers')) >= 268435456))").Scan(&small, &hugeAdvised); err != nil {
		t.Fatal(err)
	}
	got, err := (&Store{engine: "postgres", read: db}).ServerAdvice(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wal, huge bool
	for _, a := range got {
		wal = wal || strings.Contains(a, "min_wal_size")
		huge = huge || strings.Contains(a, "huge_pages")
	}
	if small != wal || hugeAdvised != huge || len(got) != boolInt(small)+boolInt(hugeAdvised) {
		t.Errorf("the server's min_wal_size is below a gigabyte: %v, huge pages to advise: %v; advice %q", small, hugeAdvised, got)
	}
}
