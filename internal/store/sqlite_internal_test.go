package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// TestBulkWritesUnsynced: on SQLite with synchronous = FULL, a write commits synced and a bulk write
// alone does not (NORMAL); a batch that mixes the two commits synced; with synchronous = NORMAL
// nothing changes. (An internal test: it reads the writer connection's pragma.)
func TestBulkWritesUnsynced(t *testing.T) {
	ctx := context.Background()
	pragma := func(t *testing.T, tx otklik.Tx) int {
		t.Helper()
		var n int
		if err := tx.(*txn).ex.queryRow(ctx, "PRAGMA synchronous").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const normal, full = 1, 2
	for _, c := range []struct {
		setting         string
		write, bulkOnly int
	}{{"full", full, normal}, {"normal", normal, normal}} {
		t.Run(c.setting, func(t *testing.T) {
			st, err := Open(ctx, Options{URL: filepath.Join(t.TempDir(), "otklik.db"), Synchronous: c.setting, Now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for i, step := range []struct {
				write func(context.Context, func(otklik.Tx) error) error
				want  int
			}{{st.Write, c.write}, {st.WriteBulk, c.bulkOnly}, {st.WriteBulk, c.bulkOnly}, {st.Write, c.write}} {
				var got int
				if err := step.write(ctx, func(tx otklik.Tx) error { got = pragma(t, tx); return nil }); err != nil {
					t.Fatal(err)
				}
				if got != step.want {
					t.Errorf("step %d: synchronous = %d, want %d", i, got, step.want)
				}
			}
		})
	}
	t.Run("mixed batch", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "x.db")+"?_pragma=synchronous(FULL)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		w := &writer{ws: &writers{relaxBulk: true}, conn: conn}
		read := func() int {
			var n int
			if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for i, step := range []struct {
			batch []*writeReq
			want  int
		}{
			{[]*writeReq{{bulk: true}, {bulk: true}}, normal},
			{[]*writeReq{{bulk: true}, {bulk: false}}, full},
			{[]*writeReq{{bulk: true}}, normal},
			{[]*writeReq{{bulk: false}, {bulk: true}}, full},
		} {
			if err := w.setSync(step.batch); err != nil {
				t.Fatal(err)
			}
			if got := read(); got != step.want {
				t.Errorf("batch %d: synchronous = %d, want %d", i, got, step.want)
			}
		}
	})
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
