package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/otklik/otklik/internal/otklik"
)

// openSQLite opens the SQLite database: WAL, a busy timeout, foreign keys, one writer connection and a
// read pool on the same file.
func openSQLite(ctx context.Context, o Options) (*Store, error) {
	path := SQLitePath(o.URL)
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		return nil, fmt.Errorf("store: SQLite needs a file, got %q", o.URL)
	}
	if o.NoMigrate {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: %w: no file %s; `otklik migrate` or `otklik serve` creates it", ErrNoDatabase, path)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sync := strings.ToUpper(o.Synchronous)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return nil, fmt.Errorf("store: synchronous must be full or normal, got %q", o.Synchronous)
	}
	// Memory-mapped reads (off by default): a mapped page is read without a system call, but mapped
	// pages count towards the process's resident memory, and measurements here showed no consistent
	// gain (docs/PERFORMANCE.md).
	mmap := max(o.MmapBytes, 0)
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=mmap_size(" + strconv.FormatInt(mmap, 10) + ")"
	// The writer never checkpoints (wal_autocheckpoint 0): a checkpoint on the commit path would stall
	// every request batched behind it. The checkpointer below does it on its own connection.
	// temp_store=MEMORY keeps statement journals and temporary b-trees off the disk. The writer's
	// commits are never synced by SQLite: with FULL, walSync syncs the WAL after them, on a goroutine
	// of its own, before their requests are answered.
	wdb, err := sql.Open("sqlite", base+"&_pragma=synchronous(NORMAL)&_pragma=temp_store(2)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	rdb, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	readers := o.Readers
	if readers <= 0 {
		readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)

	q, err := loadQueries("sqlite")
	if err != nil {
		wdb.Close()
		rdb.Close()
		return nil, err
	}
	var durable *walSync
	if sync == "FULL" {
		durable = newWALSync(path, o.Logger)
	}
	failed := func(err error) (*Store, error) {
		if durable != nil {
			durable.stop()
		}
		wdb.Close()
		rdb.Close()
		return nil, err
	}
	if o.NoMigrate {
		err = checkSchema(ctx, rdb, "sqlite", path)
	} else if err = migrate(ctx, wdb, "sqlite", o.Now, o.Logger); err == nil && durable != nil {
		err = durable.syncNow()
	}
	if err != nil {
		return failed(err)
	}
	s := &Store{engine: "sqlite", bulks: 0, read: rdb, q: q, log: o.Logger, now: o.Now}
	w, err := newWriters(ctx, wdb, s, 1, o.MaxBatch, "BEGIN IMMEDIATE", false)
	if err != nil {
		return failed(err)
	}
	// One writer: a bulk transaction goes through it like any other write, and is answered at its
	// commit; requests are answered once walSync has synced the WAL after theirs.
	w.durable, s.durable = durable, durable
	s.write, s.bulk, s.idle = w.do, w.doBulk, w.doIdle
	cp, err := sql.Open("sqlite", base+"&_pragma=synchronous("+sync+")")
	if err != nil {
		w.stop()
		wdb.Close()
		rdb.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	cp.SetMaxOpenConns(1)
	stopCheckpoints := startCheckpointer(cp, path, o.Logger)
	stopMerger := func() {}
	if o.SearchMergeEvery >= 0 {
		stopMerger = startSearchMerger(s, cmp.Or(o.SearchMergeEvery, searchMergeEvery), o.Logger)
	}
	s.closeFn = func() error {
		stopMerger()
		w.stop()
		stopCheckpoints()
		cp.Close()
		// Fold the WAL back into the database so that the next start opens a compact file.
		_, _ = wdb.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
		err1 := wdb.Close()
		err2 := rdb.Close()
		if err1 != nil {
			return err1
		}
		return err2
	}
	return s, nil
}

// checkpointEvery is how often the checkpointer copies committed pages from the WAL into the database.
const checkpointEvery = 500 * time.Millisecond

// startCheckpointer runs PASSIVE checkpoints on their own connection, beside the writer: they never
// block the writer or readers, and keep the WAL short. After each, it has the kernel start writing the
// pages copied into the database file (startWriteback). SQLite syncs the database file only when a
// checkpoint has copied the whole WAL, which never happens while a recomputation writes and reads at
// once: a pass over a million tickets left its gigabytes of copied pages in memory, and the first
// checkpoint after it synced them in one go (1.3 s) while each registration's commit waited behind it
// on the same disk (up to 0.22–0.43 s; docs/PERFORMANCE.md). Written as they are copied, the pages
// leave that sync little to do. It returns a function that stops it.
func startCheckpointer(db *sql.DB, path string, log *slog.Logger) (stop func()) {
	f, err := os.Open(path)
	if err != nil {
		log.Warn("the database file cannot be opened to write checkpoints' pages early", "error", err)
	}
	var warned bool
	stopTicks := runEvery(checkpointEvery, func(ctx context.Context) {
		if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil {
			log.Warn("wal checkpoint failed", "error", err)
		}
		if f != nil {
			if err := startWriteback(f); err != nil && !warned {
				warned = true
				log.Warn("the kernel does not take early writes of the database file's pages", "error", err)
			}
		}
	})
	return func() {
		stopTicks()
		if f != nil {
			f.Close()
		}
	}
}

// searchMergeEvery is how often startSearchMerger looks for segments to merge by default.
const searchMergeEvery = 100 * time.Millisecond

// searchMergePages is how many pages of the search index one step of startSearchMerger may write
// (FTS5's 'merge' command; it stops only between terms): a few milliseconds of the writer's time —
// steps after a recomputation on a million tickets took 6–7 ms from queueing to answer in the median
// (docs/PERFORMANCE.md). Steps of 16 pages did no better.
const searchMergePages = 64

// startSearchMerger merges the search index's segments every interval, through the writer, until the
// function it returns is called. FTS5 writes each transaction's new words as a segment and, left to
// itself (automerge), merges a level's segments once it holds four — in the commit of whichever write
// filled it, and in lumps of 64 pages for each level of the index: one registration's commit read 481
// pages and wrote 837 and took 47 ms on a million tickets (docs/PERFORMANCE.md). Migration 0019 turns
// that off; here the same merges are done in steps of searchMergePages, each a housekeeping function
// of its own (writers.doIdle): it runs only once the writer has rested a millisecond, alone in its
// transaction and without syncing the disk (a merge lost to a power failure is simply done again), so
// a registration or a recomputation's batch waits at most for the step under way. Each interval it
// steps until nothing is left to merge or a quarter of the interval has passed. While the writer never
// rests (a saturated intake, a long recomputation), a level that reaches FTS5's crisismerge (16
// segments) is merged in the commit that brings it there, as FTS5 always did. A failure is logged once
// a minute at most and tried again then.
func startSearchMerger(s *Store, every time.Duration, log *slog.Logger) (stop func()) {
	return runUpkeep(every, log, "merging the search index's segments", func(ctx context.Context) error {
		until := time.Now().Add(every / 4)
		for {
			merged, err := s.mergeSearch(ctx, searchMergePages)
			if err != nil || !merged || time.Now().After(until) {
				return err
			}
		}
	})
}

// mergeSearch runs one step of FTS5's merge of the search index's segments, writing about pages pages,
// and reports whether there was anything to merge: a level of at least four segments, or a merge left
// under way by an earlier step. FTS5 tells so by the changes it counts: fewer than two, nothing merged.
func (s *Store) mergeSearch(ctx context.Context, pages int) (merged bool, err error) {
	err = s.idle(ctx, func(tx otklik.Tx) error {
		ex := tx.(*txn).ex
		var before, after int64
		if err := ex.queryRow(ctx, "SELECT total_changes()").Scan(&before); err != nil {
			return err
		}
		if _, err := ex.exec(ctx, "INSERT INTO ticket_search (ticket_search, rank) VALUES ('merge', ?)", pages); err != nil {
			return err
		}
		if err := ex.queryRow(ctx, "SELECT total_changes()").Scan(&after); err != nil {
			return err
		}
		merged = after-before >= 2
		return nil
	})
	return merged, err
}

// SQLiteProcs is how many Go processors (GOMAXPROCS) a process that runs a SQLite store should have
// at the least. SQLite runs inside the process (modernc.org/sqlite: C translated to Go), and its long
// operations — the checkpointer copying a recomputation's WAL into the database, a batch of recomputed
// tickets — are goroutines that make many short system calls and are seldom preempted between them.
// With two processors, the checkpointer and the recomputation's reader held both while the one writer,
// and a registration behind it, sat ready to run for 27 and 11 ms (a runtime trace of a pass,
// docs/PERFORMANCE.md); with more processors than cores the kernel shares the cores among them in its
// finer slices (the Go scheduler's longest wait during a pass 4–10 ms instead of 17–25).
const SQLiteProcs = 4

// EnsureSQLiteProcs raises GOMAXPROCS to SQLiteProcs for a SQLite store unless the environment sets
// GOMAXPROCS (env is its value, "" when unset). It returns the previous setting when it changed it, 0
// otherwise.
func EnsureSQLiteProcs(engine, env string) (prev int) {
	if engine != "sqlite" || env != "" {
		return 0
	}
	if cur := runtime.GOMAXPROCS(0); cur < SQLiteProcs {
		return runtime.GOMAXPROCS(SQLiteProcs)
	}
	return 0
}
