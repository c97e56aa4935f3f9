package store_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// TestWriteBulk: a bulk transaction commits what it writes, and one that fails leaves nothing behind;
// SQLite has no bulk writers of its own (they go through its one writer), PostgreSQL two by default.
func TestWriteBulk(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		st := testkit.MustOpenStoreEngine(t, engine, time.Now)
		ctx := context.Background()
		if got, want := st.BulkWriters(), map[string]int{"sqlite": 0, "postgres": min(2, runtime.GOMAXPROCS(0))}[engine]; got != want {
			t.Errorf("BulkWriters() = %d, want %d", got, want)
		}
		if err := st.WriteBulk(ctx, func(tx otklik.Tx) error {
			return tx.InsertResponseTemplate(ctx, &otklik.ResponseTemplate{Code: "whole", Title: "Целиком", Body: "x"})
		}); err != nil {
			t.Fatal(err)
		}
		failed := st.WriteBulk(ctx, func(tx otklik.Tx) error {
			if err := tx.InsertResponseTemplate(ctx, &otklik.ResponseTemplate{Code: "half", Title: "Наполовину", Body: "x"}); err != nil {
				return err
			}
			return otklik.Errorf(otklik.EINVALID, "error.invalid", nil)
		})
		if !otklik.IsCode(failed, otklik.EINVALID) {
			t.Fatalf("failing bulk transaction: %v", failed)
		}
		if have := templateCodes(t, st); !have["whole"] || have["half"] {
			t.Errorf("after a committed and a failed bulk transaction: %v", have)
		}
	})
}

// TestWriteBulkBesideWrites: on PostgreSQL bulk transactions run on connections of their own, as many
// at once as BulkWriters, and a request's write never waits for one: here every bulk writer holds an
// open transaction until the request's write has committed.
func TestWriteBulkBesideWrites(t *testing.T) {
	db := testkit.MustNewDB(t, "postgres")
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: db.URL, Writers: 1, BulkWriters: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := st.BulkWriters(); got != 2 {
		t.Fatalf("BulkWriters() = %d, want 2", got)
	}
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	defer free() // before Close, which waits for the bulk writers, even when the test fails
	var inside atomic.Int32
	entered := make(chan struct{}, 2)
	bulkErrs := make(chan error, 2)
	for i := range 2 {
		go func() {
			bulkErrs <- st.WriteBulk(ctx, func(tx otklik.Tx) error {
				if err := tx.InsertResponseTemplate(ctx, &otklik.ResponseTemplate{Code: "bulk" + string(rune('a'+i)), Title: "Массовая", Body: "x"}); err != nil {
					return err
				}
				inside.Add(1)
				entered <- struct{}{}
				<-release
				return nil
			})
		}()
	}
	for range 2 {
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d bulk transactions open at once, want 2", inside.Load())
		}
	}
	// Both bulk writers are inside their transactions: a request's write still goes through.
	done := make(chan error, 1)
	go func() {
		done <- st.Write(ctx, func(tx otklik.Tx) error {
			return tx.InsertResponseTemplate(ctx, &otklik.ResponseTemplate{Code: "request", Title: "Запрос", Body: "x"})
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write waited for the bulk transactions")
	}
	free()
	for range 2 {
		if err := <-bulkErrs; err != nil {
			t.Fatal(err)
		}
	}
	if have := templateCodes(t, st); !have["bulka"] || !have["bulkb"] || !have["request"] {
		t.Errorf("stored %v, want bulka, bulkb and request", have)
	}
}

// templateCodes returns the codes of the stored response templates.
func templateCodes(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	kept, err := st.ResponseTemplates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, rt := range kept {
		have[rt.Code] = true
	}
	return have
}
