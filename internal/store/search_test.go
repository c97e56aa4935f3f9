package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// TestSearchCleaner: on PostgreSQL the store moves the search index's pending list of new words into
// the index in the background, so that no registration has to when the list fills
// (startSearchCleaner). gin_clean_pending_list tells how many pages of the list it merged itself.
func TestSearchCleaner(t *testing.T) {
	db := testkit.MustNewDB(t, "postgres")
	ctx := context.Background()
	register := func(st *store.Store, from int) {
		svc := service.New(service.Options{Store: st})
		for i := from; i < from+20; i++ {
			if _, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
				Subject:   "Не могу подписать заявление электронной подписью",
				Body:      "Здравствуйте! При подписании заявления номер " + strconv.Itoa(i) + " портал сообщает, что сертификат недействителен, хотя срок его действия не истёк.",
				Requester: service.RequesterInput{Email: "citizen" + strconv.Itoa(i) + "@example.ru"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	merge := func() int64 {
		var pages int64
		if err := db.Raw.QueryRowContext(ctx, "SELECT gin_clean_pending_list('ticket_search_doc')").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		return pages
	}

	st, err := store.Open(ctx, store.Options{URL: db.URL, SearchMergeEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	register(st, 0)
	st.Close()
	if pages := merge(); pages == 0 {
		t.Fatal("without the cleaner 20 registrations left no pending list: this test would show nothing")
	}

	st, err = store.Open(ctx, store.Options{URL: db.URL, SearchMergeEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	register(st, 20)
	time.Sleep(time.Second) // fifty intervals
	if pages := merge(); pages != 0 {
		t.Errorf("a second after 20 registrations the pending list still had %d pages: the cleaner did not merge it", pages)
	}
	p, err := service.New(service.Options{Store: st}).ListTickets(ctx, nil, service.ListQuery{Q: "сертификаты", Limit: "100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 40 {
		t.Errorf("a search after the merges found %d tickets, want all 40", len(p.Items))
	}
}

// TestSearchMerger: on SQLite the store merges the search index's segments in the background
// (startSearchMerger), which FTS5 itself no longer does in a registration's commit: twelve
// registrations, one segment each, are merged down within a second, and every ticket is still found.
func TestSearchMerger(t *testing.T) {
	db := testkit.MustNewDB(t, "sqlite")
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: db.URL, SearchMergeEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(service.Options{Store: st})
	for i := range 12 {
		if _, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
			Subject:   "Не приходит код подтверждения",
			Body:      "Здравствуйте! Уже час жду SMS с кодом для входа, номер обращения " + strconv.Itoa(i) + ".",
			Requester: service.RequesterInput{Email: "citizen" + strconv.Itoa(i) + "@example.ru"}}); err != nil {
			t.Fatal(err)
		}
	}
	var segments int
	for deadline := time.Now().Add(time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := db.Raw.QueryRowContext(ctx, "SELECT count(DISTINCT segid) FROM ticket_search_idx").Scan(&segments); err != nil {
			t.Fatal(err)
		}
		if segments < 4 || time.Now().After(deadline) {
			break
		}
	}
	if segments >= 4 {
		t.Errorf("a second after twelve registrations the search index still had %d segments: the merger did not merge them", segments)
	}
	p, err := svc.ListTickets(ctx, nil, service.ListQuery{Q: "коды подтверждения", Limit: "100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 12 {
		t.Errorf("a search after the merges found %d tickets, want all 12", len(p.Items))
	}
}
