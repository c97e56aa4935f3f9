package events_test

import (
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/testkit"
)

func TestLocalFanOutAndSlowSubscribers(t *testing.T) {
	b := events.NewLocal()
	fast := b.Subscribe(100)
	slow := b.Subscribe(2)
	for i := 0; i < 5; i++ {
		b.Publish(otklik.Event{Type: otklik.EventTicketUpdated, Ticket: fmt.Sprint(i)})
	}
	for i := 0; i < 5; i++ {
		if e := <-fast.C; e.Ticket != fmt.Sprint(i) {
			t.Fatalf("fast got %q, want %d", e.Ticket, i)
		}
	}
	n := 0
	for range slow.C { // closed after the buffer overflowed
		n++
	}
	if n != 2 {
		t.Errorf("slow subscriber got %d events before being dropped, want its buffer of 2", n)
	}
	if b.Subscribers() != 1 {
		t.Errorf("%d subscribers, want 1", b.Subscribers())
	}
	fast.Close()
	fast.Close() // twice is fine
	b.Close()
	if _, ok := <-b.Subscribe(1).C; ok {
		t.Errorf("subscribing to a closed bus gave an open subscription")
	}
}

// TestPostgresCrossNode: an event published on one node reaches a subscriber on another within a
// second, also after the listener's connection was cut.
func TestPostgresCrossNode(t *testing.T) {
	if os.Getenv(testkit.PostgresEnv) == "" {
		t.Skipf("set %s to run PostgreSQL tests", testkit.PostgresEnv)
	}
	db := testkit.MustNewDB(t, "postgres")
	a := events.NewPostgres(db.URL, testkit.Logger(t))
	b := events.NewPostgres(db.URL, testkit.Logger(t))
	defer a.Close()
	defer b.Close()
	sub := b.Subscribe(16)
	waitListening(t, a, b)
	expect := func(number string) {
		t.Helper()
		start := time.Now()
		a.Publish(otklik.Event{Type: otklik.EventTicketCreated, Ticket: number, Status: otklik.StatusNew})
		select {
		case e := <-sub.C:
			if e.Ticket != number || e.Type != otklik.EventTicketCreated {
				t.Fatalf("got %+v", e)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("event took %v, more than a second", d)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("event %s did not arrive", number)
		}
	}
	expect("26-100001-2")
	// Cut every listening connection: the listeners reconnect by themselves.
	cut(t, db.Raw)
	waitListening(t, a, b)
	expect("26-100002-0")
}

func waitListening(t *testing.T, buses ...*events.Postgres) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, bus := range buses {
		for !bus.Listening() {
			if time.Now().After(deadline) {
				t.Fatal("listener did not connect")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(50 * time.Millisecond) // LISTEN has been issued once Listening reports true
}

func cut(t *testing.T, raw *sql.DB) {
	t.Helper()
	var n int
	err := raw.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`).Scan(&n)
	if err != nil || n == 0 {
		t.Fatalf("terminating listeners: %v (%d)", err, n)
	}
	time.Sleep(200 * time.Millisecond)
}
