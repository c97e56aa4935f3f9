// Package store is Otklik's one database/sql implementation of the domain's Store, for every engine
// it supports. The embedded SQLite database is the default: one writer connection that commits
// concurrent write functions together (group commit, each in its own savepoint) and a pool of readers.
// Schema migrations and named queries are embedded per engine.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/otklik/otklik/internal/otklik"
)

// Options configure Open.
type Options struct {
	// URL is the database: "sqlite:PATH" / a file path for SQLite (":memory:" is not supported: the
	// writer and readers must share one database), or a postgres:// URL.
	URL string
	// Synchronous is SQLite's synchronous pragma: "full" (default; a commit survives power loss) or
	// "normal" (a commit survives a crash of Otklik, not of the machine).
	Synchronous string
	// Readers is the size of the read pool (default 2×GOMAXPROCS, at least 4).
	Readers int
	// MmapBytes is SQLite's mmap_size: how much of the file is read through memory mapping (0: none).
	MmapBytes int64
	// Writers is how many write connections PostgreSQL gets (default 2; SQLite always has one).
	Writers int
	// BulkWriters is how many connections PostgreSQL gets for background bulk transactions
	// (WriteBulk), beside the writers (default one a core, at most 2; SQLite uses its one writer).
	BulkWriters int
	// SearchMergeEvery is how often the store tidies its search index in the background: PostgreSQL
	// moves the pending list of new words into the index (default 500 ms; startSearchCleaner), SQLite
	// merges the index's segments (default 100 ms; startSearchMerger). Negative: never — PostgreSQL's
	// registration that fills the list then does it, and SQLite merges a level only when it reaches
	// FTS5's crisismerge of 16 segments, in the commit that brought it there.
	SearchMergeEvery time.Duration
	// MaxBatch caps how many write functions one group commit takes (default 128).
	MaxBatch int
	// NoMigrate opens the database as it is, for tools that read it (verify, export, sla due): no
	// migration is applied, a database whose schema is not this build's is refused (ErrSchema), and a
	// SQLite file that does not exist is not created (ErrNoDatabase).
	NoMigrate bool
	Logger    *slog.Logger
	// Now is the clock (tests pin it); time.Now when nil.
	Now func() time.Time
}

// Store implements otklik.Store.
type Store struct {
	engine  string
	bulks   int // bulk writers of its own: bulk transactions that run at once beside the writers
	read    *sql.DB
	write   func(ctx context.Context, fn func(tx otklik.Tx) error) error
	bulk    func(ctx context.Context, fn func(tx otklik.Tx) error) error
	idle    func(ctx context.Context, fn func(tx otklik.Tx) error) error // housekeeping, when the writer is free (SQLite)
	durable *walSync                                                     // SQLite with synchronous = FULL: syncs the WAL before writes are answered
	q       queries
	log     *slog.Logger
	now     func() time.Time
	closeFn func() error

	closeOnce sync.Once
	closeErr  error

	sequences sync.Map // PostgreSQL ticket sequences known to exist
	seqMu     sync.Mutex
	seqCache  map[int][]int64 // PostgreSQL ticket numbers taken from the sequences, not yet used

	passTexts sync.Map // journal_passes rows seen committed: pass → passText (txn.passText)
}

var _ otklik.Store = (*Store)(nil)

// Open opens (creating if needed) the database at o.URL and applies pending migrations.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 128
	}
	switch {
	case IsPostgres(o.URL):
		return openPostgres(ctx, o)
	default:
		return openSQLite(ctx, o)
	}
}

// SQLitePath is the file of a SQLite database URL ("sqlite:PATH", "sqlite://PATH" or a path).
func SQLitePath(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:")
}

// IsPostgres reports whether a database URL selects PostgreSQL.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Engine names the database engine.
func (s *Store) Engine() string { return s.engine }

// BulkWriters tells how many bulk writers of its own the store has (none on SQLite).
func (s *Store) BulkWriters() int { return s.bulks }

// Close stops the writer and closes every connection. Closing again does nothing more.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.closeFn() })
	return s.closeErr
}

// Write runs fn in a write transaction (see otklik.Store).
func (s *Store) Write(ctx context.Context, fn func(tx otklik.Tx) error) error {
	return s.write(ctx, fn)
}

// WriteBulk runs fn in a bulk write transaction (see otklik.Store).
func (s *Store) WriteBulk(ctx context.Context, fn func(tx otklik.Tx) error) error {
	return s.bulk(ctx, fn)
}

// translate turns driver errors into domain errors where the meaning is known.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var oe *otklik.Error
	if errors.As(err, &oe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return otklik.NotFound("error.not_found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return &otklik.Error{Code: otklik.ECONFLICT, Key: "error.duplicate", Err: err}
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"), pe.Code == "53300":
			// connection exceptions, the server shutting down or starting, too many connections
			return &otklik.Error{Code: otklik.EUNAVAILABLE, Key: "error.unavailable", Err: err}
		}
		return fmt.Errorf("store: %w", err)
	}
	if unreachable(err) {
		return &otklik.Error{Code: otklik.EUNAVAILABLE, Key: "error.unavailable", Err: err}
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 19: // SQLITE_CONSTRAINT: a unique key, a foreign key or a check refused the change
			switch coded.Code() {
			case 2067, 1555: // UNIQUE, PRIMARYKEY
				return &otklik.Error{Code: otklik.ECONFLICT, Key: "error.duplicate", Err: err}
			}
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED: another process holds the database
			return &otklik.Error{Code: otklik.EUNAVAILABLE, Key: "error.unavailable", Err: err}
		}
	}
	return fmt.Errorf("store: %w", err)
}

// unreachable reports an error of a database server that cannot be reached: refused or broken
// connections. The request can be retried once the server is back.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
}

// runUpkeep is runEvery for background upkeep that may fail: after a failure (other than its stop)
// it logs what, with the error, and skips a minute of intervals before trying again.
func runUpkeep(interval time.Duration, log *slog.Logger, what string, fn func(ctx context.Context) error) (stop func()) {
	var failedAt time.Time
	return runEvery(interval, func(ctx context.Context) {
		if time.Since(failedAt) < time.Minute {
			return
		}
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			failedAt = time.Now()
			log.Warn(what+" failed; trying again in a minute", "error", err)
		}
	})
}

// runEvery calls fn every interval on a goroutine of its own until the function it returns is
// called, which cancels fn's context and waits for a call under way to end.
func runEvery(interval time.Duration, fn func(ctx context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}
