package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql

	"github.com/otklik/otklik/internal/otklik"
)

// migrationLock is the advisory lock nodes take while migrating, so that several nodes starting at
// once apply each migration exactly once.
const migrationLock = 7_242_024

// recomputeLock is the advisory lock a recomputation of deadlines holds while it runs
// (LockRecomputation), so that the nodes of a cluster recompute one at a time.
const recomputeLock = 7_242_025

// sessionDefaults are the settings every store connection (reads and writes; not the event
// listeners, which write nothing) asks the server for, unless the database URL sets them itself
// (…?backend_flush_after=0).
//
// backend_flush_after: a recomputation of deadlines dirties far more pages than the default 128 MB of
// shared buffers hold, and a connection that evicts one only hands it to the kernel (PostgreSQL's
// default for a connection, 0). Gigabytes pile up in the page cache until a checkpoint's fsync pushes
// them out at once, and a registration's commit, whose WAL flush shares the disk, waits behind it.
// 256 kB, the checkpointer's own default on Linux, has each connection ask the kernel to write its
// pages as it goes: measured on a million open tickets (docs/PERFORMANCE.md), registrations' longest
// wait during a recomputation 70–134 ms instead of 287–311, their p99 43 ms instead of 71–76, the
// recomputation as fast or up to a tenth slower. Where the operating system cannot, PostgreSQL ignores
// it.
var sessionDefaults = map[string]string{"backend_flush_after": "256kB"}

// pgConfig is the connection configuration of a database URL, with sessionDefaults where it sets none.
func pgConfig(url string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for k, v := range sessionDefaults {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
	return cfg, nil
}

// openPostgres opens a PostgreSQL database: one pool of connections for reads and writes, each write
// function in its own transaction (PostgreSQL commits concurrent transactions on its own).
func openPostgres(ctx context.Context, o Options) (*Store, error) {
	cfg, err := pgConfig(o.URL)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	conns := o.Readers
	if conns <= 0 {
		conns = max(16, 4*runtime.GOMAXPROCS(0))
	}
	writers := o.Writers
	if writers <= 0 {
		writers = defaultPgWriters()
	}
	bulks := o.BulkWriters
	if bulks <= 0 {
		bulks = defaultPgWriters()
	}
	db.SetMaxOpenConns(conns + writers + bulks)
	db.SetMaxIdleConns(conns + writers + bulks)
	db.SetConnMaxLifetime(30 * time.Minute)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	q, err := loadQueries("postgres")
	if err != nil {
		db.Close()
		return nil, err
	}
	if o.NoMigrate {
		err = checkSchema(ctx, db, "postgres", fmt.Sprintf("PostgreSQL database %s on %s", cfg.Database, cfg.Host))
	} else {
		err = migratePostgres(ctx, db, o)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{engine: "postgres", bulks: bulks, read: db, q: q, log: o.Logger, now: o.Now}
	ws, err := newWriters(ctx, db, s, writers, o.MaxBatch, "BEGIN", false)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Bulk transactions get writers of their own, each taking one function at a time: a recomputation's
	// batch is already large, and a request batched with it would wait for all of it. They connect
	// when first used.
	bs, err := newWriters(ctx, db, s, bulks, 1, "BEGIN", true)
	if err != nil {
		ws.stop()
		db.Close()
		return nil, err
	}
	s.write, s.bulk = ws.do, bs.do
	stopCleaner := func() {}
	if o.SearchMergeEvery >= 0 {
		stopCleaner = startSearchCleaner(db, cmp.Or(o.SearchMergeEvery, searchCleanEvery), o.Logger)
	}
	s.closeFn = func() error { stopCleaner(); ws.stop(); bs.stop(); return db.Close() }
	// This year's and next year's number sequences exist before any transaction needs them (see
	// pgSequence for later years).
	year := o.Now().In(moscow).Year()
	for _, y := range []int{year, year + 1} {
		if err := s.ensureSequence(ctx, sequenceName(y)); err != nil {
			s.closeFn()
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	return s, nil
}

// searchCleanEvery is how often startSearchCleaner runs by default.
const searchCleanEvery = 500 * time.Millisecond

// startSearchCleaner moves the search index's pending list into the index every interval, on a
// connection of the pool, until the function it returns is called. PostgreSQL's GIN index takes new
// words into a pending list, which is cheap, and merges the list into the index when it outgrows
// gin_pending_list_limit (4 MB by default) — in the transaction of the insert that outgrew it. That
// insert is a registration: a few thousand citizens' texts fill the list, and merging them held that
// one registration 0.35–1.2 s here (docs/PERFORMANCE.md). Merged twice a second in the background, the
// list never reaches the limit at the intake this machine can take, and an insert that finds it
// merging does not wait for it. The index without a list at all (fastupdate = off) spares the merge too, but
// every insert then writes the index itself: creation over HTTP fell by a fifth, below 1,500 tickets/s.
// A failure (the index missing from an unmigrated database, a standby) is logged once a minute at most
// and tried again then.
func startSearchCleaner(db *sql.DB, every time.Duration, log *slog.Logger) (stop func()) {
	return runUpkeep(every, log, "merging the search index's new words", func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "SELECT gin_clean_pending_list('ticket_search_doc')")
		return err
	})
}

// migratePostgres migrates under the advisory lock, on one connection.
func migratePostgres(ctx context.Context, db *sql.DB, o Options) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLock)
	return migrate(ctx, conn, "postgres", o.Now, o.Logger)
}

// pgRetries is how often a write function is run again after a serialization failure or a deadlock.
const pgRetries = 5

// defaultPgWriters is how many write connections a node keeps on PostgreSQL by default, each
// committing batches of concurrent write functions (Options.Writers): one a core the node may use, at
// most two. More writers than cores only split the batches, and smaller batches mean more commits,
// each waiting for its flush (PERFORMANCE.md: 2 writers 2,171/s, 4 writers 1,817–1,919/s on 2 cores).
func defaultPgWriters() int { return min(2, runtime.GOMAXPROCS(0)) }

// rebound caches renumbered queries: the same few hundred strings come back on every request.
var rebound sync.Map

func rebindPG(q string) string {
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	r := (&Store{engine: "postgres"}).rebind(q)
	rebound.Store(q, r)
	return r
}

// seqBlock is how many ticket numbers a node takes from a year's sequence at once.
const seqBlock = 32

// pgSequence returns the next number of the year's ticket sequence. The node takes numbers in blocks
// (one round trip per 32 tickets instead of one per ticket); like a sequence's own cache this means
// that tickets created at the same moment on two nodes may be numbered out of order, and a node that
// stops leaves the rest of its block unused. Numbers stay unique.
//
// A transaction never creates a sequence itself (it would need a second connection while holding
// one, and a full pool would deadlock): a missing one fails the transaction, and the writer creates it
// and runs the function again.
func (t *txn) pgSequence(ctx context.Context, year int) (int64, error) {
	s := t.s
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if q := s.seqCache[year]; len(q) > 0 {
		s.seqCache[year] = q[1:]
		return q[0], nil
	}
	rows, err := t.ex.query(ctx, "SELECT nextval('"+sequenceName(year)+"') FROM generate_series(1, "+strconv.Itoa(seqBlock)+")")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var block []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
		block = append(block, n)
	}
	if err := rows.Err(); err != nil || len(block) == 0 {
		return 0, errors.Join(err, errors.New("no number from the sequence"))
	}
	if s.seqCache == nil {
		s.seqCache = map[int][]int64{}
	}
	s.seqCache[year] = block[1:]
	return block[0], nil
}

func sequenceName(year int) string { return "ticket_seq_" + strconv.Itoa(year) }

// missingSequence reports an error about a ticket sequence that does not exist, and its name.
func missingSequence(err error) (string, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42P01" {
		return "", false
	}
	i := strings.Index(pe.Message, "ticket_seq_")
	if i < 0 {
		return "", false
	}
	name := pe.Message[i:]
	if j := strings.IndexByte(name, '"'); j >= 0 {
		name = name[:j]
	}
	return name, true
}

var moscow = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return time.FixedZone("MSK", 3*60*60)
	}
	return loc
}()

func (s *Store) ensureSequence(ctx context.Context, name string) error {
	if _, ok := s.sequences.Load(name); ok {
		return nil
	}
	_, err := s.read.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS "+name+" START "+strconv.Itoa(otklik.FirstSequence))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07") {
		err = nil // another node created it at the same moment
	}
	if err != nil {
		return err
	}
	s.sequences.Store(name, true)
	return nil
}

// retryable reports a PostgreSQL error that running the transaction again resolves.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// walKeepAdvised is the min_wal_size below which ServerAdvice warns: a recomputation of deadlines writes
// about 1.5 kB of WAL an open ticket (docs/PERFORMANCE.md), a gigabyte for some 700,000.
const walKeepAdvised = 1 << 30

// ServerAdvice returns warnings for the operator about PostgreSQL's settings that slow a recomputation
// of deadlines down, or none (always none on SQLite):
//   - min_wal_size under a gigabyte lets the server remove the WAL files a recomputation needs. After a
//     quiet spell the server keeps only min_wal_size of them; the next recomputation then makes the rest
//     anew, 16 MB at a time while it holds the WAL's write lock, and every registration's commit waits
//     meanwhile (on a million open tickets, 19–20 registrations over 50 ms a pass with the default 80 MB,
//     0–1 with the files kept).
//   - Shared memory in 4 KB pages: a new backend faults in every shared buffer it touches, page by page,
//     and the first recomputation after a start runs on new connections (the bulk writers'), which then
//     costs more processor time and, with raised shared buffers, registrations' waits (hugePagesAdvice
//     and hugeSharedAdvised say when it is said, and what was measured; docs/PERFORMANCE.md, the
//     nineteenth and twentieth machines).
func (s *Store) ServerAdvice(ctx context.Context) ([]string, error) {
	if s.engine != "postgres" {
		return nil, nil
	}
	var keep, shared int64
	var huge, hugeStatus string
	if err := s.read.QueryRowContext(ctx, "SELECT pg_size_bytes(current_setting('min_wal_size')), "+
		"pg_size_bytes(current_setting('shared_buffers')), current_setting('huge_pages'), "+
		"coalesce(current_setting('huge_pages_status', true), '')").Scan(&keep, &shared, &huge, &hugeStatus); err != nil {
		return nil, fmt.Errorf("store: reading the server's settings: %w", err)
	}
	var advice []string
	for _, a := range []string{walAdvice(keep), hugePagesAdvice(huge, hugeStatus, shared)} {
		if a != "" {
			advice = append(advice, a)
		}
	}
	return advice, nil
}

// hugePagesAdvice advises huge pages when the server's huge_pages_status (PostgreSQL 17; "" before) or,
// without it, its huge_pages setting says it runs without them; shared is shared_buffers in bytes, which
// the cost grows with. A server before 17 at the default "try" cannot say whether it got them: with
// hugeSharedAdvised of shared buffers or more, where 4 KB pages cost the most, it is advised to require
// them (huge_pages = on), which also ends the doubt; below that it is left alone.
func hugePagesAdvice(setting, status string, shared int64) string {
	const cost = "each new connection faults in every shared buffer it touches, and the first recomputation of " +
		"deadlines after a start runs on new connections — on a paravirtualized virtual machine it cost the server a " +
		"fifth more processor time with 128 MB, and with 512 MB a million open tickets took 21–25 s instead of 13–18 s " +
		"with huge pages; under KVM, with 512 MB to 2 GB, registrations waited over 50 ms 8–20 times a pass instead of 0–1"
	switch {
	case status == "" && setting == "try" && shared >= hugeSharedAdvised:
		return fmt.Sprintf("PostgreSQL does not say whether its shared memory (shared_buffers %d MB) is in huge pages "+
			"(huge_pages try); if its host reserves none (vm.nr_hugepages), it is in 4 KB pages: %s; reserve them and set "+
			"huge_pages = on, and the server will refuse to start without them (docs/OPERATIONS.md)", shared>>20, cost)
	case status == "on" || status == "unknown" || (status == "" && setting != "off"):
		return ""
	}
	said := "huge_pages " + setting
	if status != "" {
		said = "huge_pages_status " + status
	}
	return fmt.Sprintf("PostgreSQL's shared memory (shared_buffers %d MB) is in 4 KB pages (%s): %s; reserve huge "+
		"pages (vm.nr_hugepages) and set huge_pages = on (docs/OPERATIONS.md)", shared>>20, said, cost)
}

// hugeSharedAdvised is the shared_buffers from which hugePagesAdvice asks a server that cannot say
// whether it has huge pages to require them: twice the default 128 MB, where the first pass after a
// restart on 4 KB pages is already dearer. On a paravirtualized guest that pass took 18.4 s on
// average at 128 MB, 20.1 s at 256 MB and 22.7 s at 512 MB, and PostgreSQL 32, 37 and 42 s of processor
// time; on huge pages at 512 MB 15.1 s and 26 s (docs/PERFORMANCE.md, the twenty-first machine). Under
// KVM registrations waited over 50 ms 0–8 times at 128 MB, 12–14 at 512 MB, 10–16 at 1 GB and 8–20 at
// 2 GB; on huge pages 0–1 at 512 MB and 2 GB (the twentieth).
const hugeSharedAdvised = 256 << 20

func walAdvice(keep int64) string {
	if keep >= walKeepAdvised {
		return ""
	}
	return fmt.Sprintf("PostgreSQL keeps %d MB of WAL files (min_wal_size): after a quiet spell or a restart a recomputation "+
		"of deadlines makes the rest anew while registrations wait — on a paravirtualized virtual machine 10–19 of them a pass "+
		"over 50 ms instead of 0–1; set min_wal_size to about 1.5 kB an open ticket, 2GB for a million (docs/OPERATIONS.md)", keep>>20)
}
