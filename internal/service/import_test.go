package service_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// TestConcurrentImportsShareRequesters: two imports at once whose batches name the same citizens in
// opposite orders — first all new, then again with phone numbers to fill in — store every ticket, one
// requester a citizen with the details filled in, and on PostgreSQL without a deadlock: each import
// takes its requesters in the same order (by e-mail, phone, СНИЛС), so the second waits for the first
// instead of each holding a citizen the other needs. (A deadlock is retried by the writer and would not
// lose a ticket; the server counts it in pg_stat_database.)
func TestConcurrentImportsShareRequesters(t *testing.T) {
	testkit.ForEachEngine(t, testConcurrentImportsShareRequesters)
}

func testConcurrentImportsShareRequesters(t *testing.T, engine string) {
	f := newFixture(t, engine)
	ctx := context.Background()
	const citizens = 200
	created := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	batch := func(reverse, phones bool) []service.ImportedTicket {
		var b []service.ImportedTicket
		for i := range citizens {
			r := service.RequesterInput{Name: fmt.Sprintf("Гражданин %d", i), Email: fmt.Sprintf("citizen%03d@example.ru", i)}
			if phones {
				r.Phone = fmt.Sprintf("+7916%07d", i)
			}
			b = append(b, service.ImportedTicket{Status: otklik.StatusNew, CreatedAt: created.Add(time.Duration(i) * time.Minute),
				NewTicket: service.NewTicket{Channel: otklik.ChannelEmail, Subject: "Не приходит код подтверждения",
					Body: "Здравствуйте! Не приходит код подтверждения при входе.", Requester: r}})
		}
		if reverse {
			slices.Reverse(b)
		}
		return b
	}
	deadlocks := func() int64 {
		if engine != "postgres" {
			return 0
		}
		var n int64
		if err := f.raw.QueryRow("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := deadlocks()
	for _, phones := range []bool{false, true} {
		var wg sync.WaitGroup
		for _, reverse := range []bool{false, true} {
			wg.Go(func() {
				numbers, err := f.svc.Import(ctx, otklik.SystemActor, batch(reverse, phones))
				if err != nil {
					t.Error(err)
				} else if len(numbers) != citizens {
					t.Errorf("%d numbers for %d tickets", len(numbers), citizens)
				}
			})
		}
		wg.Wait()
	}
	var tickets, requesters, withPhone int
	if err := f.raw.QueryRow("SELECT count(*) FROM tickets").Scan(&tickets); err != nil {
		t.Fatal(err)
	}
	if err := f.raw.QueryRow("SELECT count(*), count(phone) FROM requesters WHERE email LIKE 'citizen%@example.ru'").Scan(&requesters, &withPhone); err != nil {
		t.Fatal(err)
	}
	if tickets != 4*citizens || requesters != citizens || withPhone != citizens {
		t.Errorf("%d tickets, %d requesters (%d with a phone); want %d, %d (%d)", tickets, requesters, withPhone, 4*citizens, citizens, citizens)
	}
	if engine == "postgres" {
		// A backend reports its statistics within a second of going idle.
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) && deadlocks() == before {
			time.Sleep(100 * time.Millisecond)
		}
		if n := deadlocks() - before; n != 0 {
			t.Errorf("%d deadlocks between the two imports", n)
		}
	}
}
