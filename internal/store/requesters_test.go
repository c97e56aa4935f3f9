package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// findOrAdd runs FindOrAddRequester in a write of its own.
func findOrAdd(t *testing.T, st *store.Store, l otklik.RequesterLookup, in otklik.Requester) (*otklik.Requester, bool) {
	t.Helper()
	var got *otklik.Requester
	var added bool
	err := st.Write(context.Background(), func(tx otklik.Tx) error {
		var err error
		got, added, err = tx.FindOrAddRequester(context.Background(), l, &in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, added
}

// TestFindOrAddRequester: a requester is added once and found by its e-mail, phone or СНИЛС after,
// with the details stored the first time (what a later request claims is the service's to fill in).
func TestFindOrAddRequester(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		st := testkit.MustOpenStoreEngine(t, engine, time.Now)
		at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
		anna := otklik.Requester{Name: "Анна Петрова", Email: "anna@example.ru", Phone: "+79161234567", CreatedAt: at}
		first, added := findOrAdd(t, st, otklik.RequesterLookup{Email: anna.Email}, anna)
		if !added || first.ID == 0 || first.Name != anna.Name || first.Phone != anna.Phone {
			t.Fatalf("first request: %+v, added %v", first, added)
		}
		again, added := findOrAdd(t, st, otklik.RequesterLookup{Email: anna.Email},
			otklik.Requester{Name: "Другое имя", Email: anna.Email, CreatedAt: at.Add(time.Hour)})
		if added || again.ID != first.ID || again.Name != anna.Name || again.Phone != anna.Phone || !again.CreatedAt.Equal(at) {
			t.Errorf("second request by e-mail: %+v, added %v; want requester %d as stored first", again, added, first.ID)
		}
		// Without an e-mail: by phone, then by СНИЛС.
		ivan := otklik.Requester{Name: "Иван", Phone: "+79031112233", SNILS: "11223344595", CreatedAt: at}
		byPhone, added := findOrAdd(t, st, otklik.RequesterLookup{Phone: ivan.Phone}, ivan)
		if !added || byPhone.ID == 0 || byPhone.ID == first.ID {
			t.Fatalf("first call by phone: %+v, added %v", byPhone, added)
		}
		for _, l := range []otklik.RequesterLookup{{Phone: ivan.Phone}, {SNILS: ivan.SNILS}} {
			if got, added := findOrAdd(t, st, l, otklik.Requester{Name: "Иван", Phone: l.Phone, SNILS: l.SNILS, CreatedAt: at}); added || got.ID != byPhone.ID {
				t.Errorf("by %+v: requester %d, added %v; want %d found", l, got.ID, added, byPhone.ID)
			}
		}
	})
}

// TestFindOrAddRequesterRace: on PostgreSQL two writers add the same new e-mail at the same moment.
// The second's insert waits for the first's transaction; once that commits, the second adds nothing
// and takes the requester the first added instead of failing on the e-mail's unique index.
func TestFindOrAddRequesterRace(t *testing.T) {
	db := testkit.MustNewDB(t, "postgres")
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: db.URL, Writers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := otklik.Requester{Name: "Ольга", Email: "olga@example.ru", CreatedAt: time.Now()}
	l := otklik.RequesterLookup{Email: in.Email}
	release, added := make(chan struct{}), make(chan int64, 1)
	firstErr := make(chan error, 1)
	go func() {
		firstErr <- st.Write(ctx, func(tx otklik.Tx) error {
			r := in
			got, ok, err := tx.FindOrAddRequester(ctx, l, &r)
			if err == nil && !ok {
				err = errors.New("the first writer found the requester instead of adding it")
			}
			if err != nil {
				close(added)
				return err
			}
			added <- got.ID
			<-release
			return nil
		})
	}()
	id, ok := <-added
	if !ok {
		t.Fatal(<-firstErr)
	}
	secondErr := make(chan error, 1)
	var second *otklik.Requester
	var secondAdded bool
	go func() {
		secondErr <- st.Write(ctx, func(tx otklik.Tx) error {
			r := in
			var err error
			second, secondAdded, err = tx.FindOrAddRequester(ctx, l, &r)
			return err
		})
	}()
	// Wait until the second writer's insert waits for the first's transaction.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := db.Raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			 WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO requesters%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 1 {
			break
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the second writer's insert never waited for the first's transaction")
		}
	}
	close(release)
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}
	if err := <-secondErr; err != nil {
		t.Fatalf("the second writer: %v", err)
	}
	if secondAdded || second.ID != id || second.Name != in.Name {
		t.Errorf("the second writer got %+v, added %v; want requester %d, found", second, secondAdded, id)
	}
}
