package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// TestWritesAnsweredAfterWALSync: on SQLite with synchronous = FULL the writer commits unsynced
// (NORMAL) and a write is answered only after walSync has synced the WAL holding its commit — its
// after-commit functions run only then, and a failed sync fails it — while bulk work is answered at its
// commit and goes on while a sync is pending, and the next request waits for that sync before its
// batch is gathered. With synchronous = NORMAL nothing waits for a sync.
// (An internal test: it watches the syncs and reads the writer connection's pragma.)
func TestWritesAnsweredAfterWALSync(t *testing.T) {
	ctx := context.Background()
	const normal = 1
	pragma := func(t *testing.T, tx otklik.Tx) int {
		t.Helper()
		var n int
		if err := tx.(*txn).ex.queryRow(ctx, "PRAGMA synchronous").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(tx otklik.Tx) error {
		_, err := tx.(*txn).ex.exec(ctx, "INSERT INTO scratch DEFAULT VALUES")
		return err
	}
	open := func(t *testing.T, setting string) *Store {
		st, err := Open(ctx, Options{URL: filepath.Join(t.TempDir(), "otklik.db"), Synchronous: setting, SearchMergeEvery: -1, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Write(ctx, func(tx otklik.Tx) error {
			_, err := tx.(*txn).ex.exec(ctx, "CREATE TABLE scratch (n INTEGER PRIMARY KEY)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return st
	}

	t.Run("full", func(t *testing.T) {
		st := open(t, "full")
		durable := st.durable
		if durable == nil {
			t.Fatal("no walSync with synchronous = FULL")
		}

		for _, write := range []func(context.Context, func(otklik.Tx) error) error{st.Write, st.WriteBulk} {
			if err := write(ctx, func(tx otklik.Tx) error {
				if got := pragma(t, tx); got != normal {
					t.Errorf("the writer commits with synchronous = %d, want NORMAL", got)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}

		// Every sync waits for the test's word and says so: syncs tells that one began, release lets it end
		// with the error sent.
		syncs, release := make(chan struct{}, 16), make(chan error)
		durable.mu.Lock()
		durable.syncFile = func(f *os.File) error {
			if !strings.HasSuffix(f.Name(), "otklik.db-wal") {
				t.Errorf("synced %s, not the WAL", f.Name())
			}
			syncs <- struct{}{}
			return <-release
		}
		durable.mu.Unlock()

		answered, afterCommit := make(chan error, 1), make(chan struct{}, 1)
		go func() {
			answered <- st.Write(ctx, func(tx otklik.Tx) error {
				tx.AfterCommit(func() { afterCommit <- struct{}{} })
				return insert(tx)
			})
		}()
		select {
		case <-syncs:
		case <-time.After(10 * time.Second):
			t.Fatal("a write was not followed by a sync of the WAL")
		}
		// The write is committed (a reader sees it) but not answered while its sync runs; bulk work
		// meanwhile is written and answered without waiting for it.
		if err := st.WriteBulk(ctx, insert); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.read.QueryRowContext(ctx, "SELECT count(*) FROM scratch").Scan(&n); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-answered:
			t.Fatalf("the write was answered (%v) before its sync ended", err)
		case <-afterCommit:
			t.Fatal("an after-commit function ran before the sync ended")
		case <-time.After(50 * time.Millisecond):
		}
		count := func() int {
			t.Helper()
			var m int
			if err := st.read.QueryRowContext(ctx, "SELECT count(*) FROM scratch").Scan(&m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		// A second request waits for the pending sync before its batch is gathered (walSync.settled):
		// not committed while the first one's sync runs.
		second := make(chan error, 1)
		go func() { second <- st.Write(ctx, insert) }()
		time.Sleep(50 * time.Millisecond)
		if m := count(); m != n {
			t.Errorf("%d rows while the first write's sync runs, want %d: the second did not wait for it", m, n)
		}
		release <- nil
		if err := <-answered; err != nil {
			t.Fatal(err)
		}
		<-afterCommit
		<-syncs // the second's, once it is committed
		if m := count(); m != n+1 {
			t.Errorf("%d rows after the first write's answer, want %d: it was not committed before its sync, or the second not after", m, n+1)
		}
		release <- nil
		if err := <-second; err != nil {
			t.Fatal(err)
		}

		// A sync that fails fails the requests it was to make durable, and runs none of their
		// after-commit functions.
		go func() {
			answered <- st.Write(ctx, func(tx otklik.Tx) error {
				tx.AfterCommit(func() { afterCommit <- struct{}{} })
				return insert(tx)
			})
		}()
		<-syncs
		release <- errors.New("the disk is gone")
		if err := <-answered; !otklik.IsCode(err, otklik.EUNAVAILABLE) {
			t.Errorf("a write whose sync failed: %v, want unavailable", err)
		}
		select {
		case <-afterCommit:
			t.Error("an after-commit function ran after its sync failed")
		default:
		}
		durable.mu.Lock()
		durable.syncFile = syncData
		durable.mu.Unlock()
	})

	t.Run("normal", func(t *testing.T) {
		st := open(t, "normal")
		if st.durable != nil {
			t.Fatal("a walSync with synchronous = NORMAL")
		}
		if err := st.Write(ctx, func(tx otklik.Tx) error {
			if got := pragma(t, tx); got != normal {
				t.Errorf("synchronous = %d, want NORMAL", got)
			}
			return insert(tx)
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWALSyncFollowsTheFile: walSync syncs nothing, without an error, while there is no WAL file, and
// follows the file when a new one takes its name.
func TestWALSyncFollowsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s := newWALSync(path, slog.New(slog.DiscardHandler))
	defer s.stop()
	var synced []string
	s.syncFile = func(f *os.File) error { synced = append(synced, f.Name()); return syncData(f) }
	if err := s.syncNow(); err != nil || len(synced) != 0 {
		t.Fatalf("no WAL: %v, synced %v", err, synced)
	}
	if err := os.WriteFile(path+"-wal", []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.syncNow(); err != nil || len(synced) != 1 {
		t.Fatalf("a WAL: %v, synced %v", err, synced)
	}
	first := s.f
	if err := os.WriteFile(path+"-wal.new", []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+"-wal.new", path+"-wal"); err != nil {
		t.Fatal(err)
	}
	if err := s.syncNow(); err != nil || len(synced) != 2 {
		t.Fatalf("a new WAL: %v, synced %v", err, synced)
	}
	if s.f == first {
		t.Error("the new WAL was synced through the old one's descriptor")
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || !sameFile(s.f, fi) {
		t.Errorf("the descriptor kept is not the new WAL's (%v)", err)
	}
}

// TestStartWriteback: the checkpointer's early write of the database file reaches the kernel — it
// takes an open file's dirty pages and refuses a closed file — where the kernel has sync_file_range.
func TestStartWriteback(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sync_file_range is Linux's; elsewhere startWriteback does nothing")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "pages"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := startWriteback(f); err != nil {
		t.Errorf("an open file: %v", err)
	}
	f.Close()
	if err := startWriteback(f); err == nil {
		t.Error("a closed file: no error")
	}
}

// openWithoutMerger opens a SQLite store in a temporary directory without the search merger, so
// that a test decides when segments are merged.
func openWithoutMerger(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), Options{URL: filepath.Join(t.TempDir(), "otklik.db"), SearchMergeEvery: -1, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestMergeSearch: SQLite's search index leaves merging to the store (migration 0019 turns FTS5's
// automerge off), and a step of mergeSearch merges a level of four or more segments, tells whether it
// did, and loses no word.
func TestMergeSearch(t *testing.T) {
	ctx := context.Background()
	st := openWithoutMerger(t)
	var automerge int
	if err := st.read.QueryRowContext(ctx, "SELECT v FROM ticket_search_config WHERE k = 'automerge'").Scan(&automerge); err != nil {
		t.Fatalf("the search index has no automerge setting: %v", err)
	}
	if automerge != 0 {
		t.Errorf("automerge = %d, want 0: FTS5 would merge in the commit of a registration", automerge)
	}
	segments := func() int {
		t.Helper()
		var n int
		if err := st.read.QueryRowContext(ctx, "SELECT count(DISTINCT segid) FROM ticket_search_idx").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const n = 12 // below crisismerge (16): FTS5 merges none of them itself
	for i := 1; i <= n; i++ {
		if err := st.Write(ctx, func(tx otklik.Tx) error {
			return tx.IndexTicket(ctx, int64(i), "сертификат заявлени"+string(rune('а'+i)), true)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := segments(); got != n {
		t.Fatalf("%d writes left %d segments, want one each", n, got)
	}
	steps := 0
	for ; steps < 20; steps++ {
		merged, err := st.mergeSearch(ctx, searchMergePages)
		if err != nil {
			t.Fatal(err)
		}
		if !merged {
			break
		}
	}
	if steps == 0 {
		t.Fatalf("the first step over %d segments said it merged nothing", n)
	}
	if steps == 20 {
		t.Fatal("twenty steps still found something to merge in twelve one-word segments")
	}
	if got := segments(); got >= 4 {
		t.Errorf("after %d steps %d segments are left, want fewer than four", steps, got)
	}
	var found int
	if err := st.read.QueryRowContext(ctx, "SELECT count(*) FROM ticket_search WHERE ticket_search MATCH 'сертификат'").Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != n {
		t.Errorf("a search after the merge found %d rows, want %d", found, n)
	}
}

// TestIdleWritesWait: housekeeping (Store.idle) runs only when the writer has nothing else queued:
// writes queued while the writer is busy all run before it, though it was queued first (and once
// they are done, it runs after the writer has rested idleAfter — here bulkQuiet, one being bulk work).
func TestIdleWritesWait(t *testing.T) {
	ctx := context.Background()
	st := openWithoutMerger(t)
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := st.write(ctx, func(otklik.Tx) error { <-release; note("busy"); return nil }); err != nil {
			t.Error(err)
		}
	})
	time.Sleep(50 * time.Millisecond) // the writer is in the first function
	wg.Go(func() {
		if err := st.idle(ctx, func(otklik.Tx) error { note("idle"); return nil }); err != nil {
			t.Error(err)
		}
	})
	time.Sleep(50 * time.Millisecond) // housekeeping waits for the writer
	for _, name := range []string{"write", "bulk"} {
		do := map[string]func(context.Context, func(otklik.Tx) error) error{"write": st.write, "bulk": st.bulk}[name]
		wg.Go(func() {
			if err := do(ctx, func(otklik.Tx) error { note(name); return nil }); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // both queued behind the first
	close(release)
	wg.Wait()
	if len(order) != 4 || order[0] != "busy" || order[3] != "idle" {
		t.Errorf("ran %v: housekeeping should run last, after every write queued meanwhile", order)
	}
}

// TestIdleWritesWaitForBulkQuiet: housekeeping queued right after bulk work waits until bulkQuiet has
// passed since it, even with the writer resting meanwhile; a plain write does not hold it so.
func TestIdleWritesWaitForBulkQuiet(t *testing.T) {
	ctx := context.Background()
	st := openWithoutMerger(t)
	housekeep := func(after func(context.Context, func(otklik.Tx) error) error) time.Duration {
		if err := after(ctx, func(otklik.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		done := time.Now()
		var ran time.Time
		if err := st.idle(ctx, func(otklik.Tx) error { ran = time.Now(); return nil }); err != nil {
			t.Fatal(err)
		}
		return ran.Sub(done)
	}
	if waited := housekeep(st.bulk); waited < bulkQuiet-10*time.Millisecond {
		t.Errorf("housekeeping ran %v after bulk work, want at least %v", waited, bulkQuiet)
	}
	if waited := housekeep(st.write); waited > bulkQuiet/2 {
		t.Errorf("housekeeping ran %v after a plain write, want about %v", waited, idleAfter)
	}
}

// TestJournalMigratesByPass: migration 0020 builds SQLite's journal anew with the pass column. Its
// records stay as they were, under pass 0, still append-only; the unique (ticket_id, seq) index is
// gone, and the queries that read a ticket's journal seek (pass, ticket_id) in the new index instead
// of scanning the table.
func TestJournalMigratesByPass(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "otklik.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	ms, err := Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:19] { // the schema before 0020, as migrate leaves it
		if _, err := raw.Exec(m.SQL); err != nil {
			t.Fatalf("%04d_%s: %v", m.Version, m.Name, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	const records = `SELECT id, ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before, after, reason,
		quote(prev_hash), quote(hash) FROM journal ORDER BY id`
	if _, err := raw.Exec(`INSERT INTO journal (id, ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field,
		before, after, reason, prev_hash, hash) VALUES
		(5, 1, 1, 1796000000, 'system', 0, 'Отклик', 'system', 'created', '', '', 'new', '', NULL, x'01'),
		(9, 2, 1, 1796000001, 'staff', 3, 'Петрова Анна', 'web', 'created', '', '', 'new', '', NULL, x'02'),
		(12, 1, 2, 1796000002, 'system', 0, 'Отклик', 'system', 'sla', 'due_at', 'a', 'b', 'пересчёт', x'01', x'03')`); err != nil {
		t.Fatal(err)
	}
	before := queryStrings(t, raw, records)
	raw.Close()

	st, err := Open(ctx, Options{URL: path, SearchMergeEvery: -1, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	q := st.q
	st.Close()
	raw, err = sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if after := queryStrings(t, raw, records); !slices.Equal(after, before) {
		t.Errorf("the journal after the migration:\n%s\nbefore:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if passes := queryStrings(t, raw, `SELECT DISTINCT pass FROM journal`); !slices.Equal(passes, []string{"0"}) {
		t.Errorf("passes after the migration: %v, want only 0", passes)
	}
	for _, change := range []string{`UPDATE journal SET reason = 'подмена' WHERE id = 12`, `DELETE FROM journal WHERE id = 5`} {
		if _, err := raw.Exec(change); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", change, err)
		}
	}
	if idx := queryStrings(t, raw, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal'`); !slices.Equal(idx, []string{"journal_pass_ticket"}) {
		t.Errorf("the journal's indexes: %v", idx)
	}
	for name, query := range map[string]string{"journal": q.journal(), "walk-journal": q.walkJournal()} {
		args := make([]any, strings.Count(query, "?"))
		for i := range args {
			args[i] = 1
		}
		plan := strings.Join(queryStrings(t, raw, "EXPLAIN QUERY PLAN "+query, args...), "\n")
		if !strings.Contains(plan, "SEARCH j USING INDEX journal_pass_ticket (pass=? AND ticket_id") || strings.Contains(plan, "SCAN j") ||
			strings.Contains(plan, "SCAN journal") {
			t.Errorf("%s's plan does not seek a ticket's records in each pass:\n%s", name, plan)
		}
	}
}

// queryStrings runs a query and returns its rows, each row's columns joined by "|".
func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
