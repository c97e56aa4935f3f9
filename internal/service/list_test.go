package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// TestListPagesMatchBruteForce fills a store with tickets of mixed statuses, channels, categories,
// groups and registration times, then checks every kind of list — single and multi-valued filters
// (one index scan per value), a registration period (registration order), full-text search, both
// directions — page by page against the same filter applied by brute force.
func TestListPagesMatchBruteForce(t *testing.T) {
	testkit.ForEachEngine(t, testListPagesMatchBruteForce)
}

func testListPagesMatchBruteForce(t *testing.T, engine string) {
	f := newFixture(t, engine)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 2))
	statuses := otklik.Statuses
	channels := []otklik.Channel{"email", "web", "phone", "visit"}
	cats := []string{"access", "access.password", "access.mfa", "documents", "fraud", "payments"}
	words := []string{"заявление", "ошибка", "пароль", "справка", "пенсия"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type row struct {
		number   string
		status   otklik.Status
		channel  otklik.Channel
		cat      string
		created  time.Time
		text     string
		assignee int64
	}
	var all []row
	var batch []service.ImportedTicket
	for i := 0; i < 240; i++ {
		w := words[rnd.IntN(len(words))]
		it := service.ImportedTicket{
			NewTicket: service.NewTicket{Channel: channels[rnd.IntN(len(channels))], Subject: "Вопрос " + strconv.Itoa(i),
				Body: "Текст: " + w + ".", Category: cats[rnd.IntN(len(cats))],
				Requester: service.RequesterInput{Email: fmt.Sprintf("u%d@example.ru", i%17)}},
			Status:    statuses[rnd.IntN(len(statuses))],
			CreatedAt: base.Add(time.Duration(rnd.IntN(300*24)) * time.Hour), // registration times out of ID order
		}
		batch = append(batch, it)
		all = append(all, row{status: it.Status, channel: it.Channel, cat: it.Category, created: otklik.Truncate(it.CreatedAt), text: w})
	}
	numbers, err := f.svc.Import(ctx, otklik.SystemActor, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i := range all {
		all[i].number = numbers[i]
	}
	// Assign a third of them.
	for i := 0; i < len(all); i += 3 {
		id := int64(1 + i%2)
		if _, err := f.svc.AddUser(ctx, service.NewUser{Email: fmt.Sprintf("s%d@example.ru", id), Name: "Сотрудник", Role: otklik.RoleOperator}); err != nil && !strings.Contains(err.Error(), "user.exists") {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateTicket(ctx, f.staff, all[i].number, service.TicketPatch{AssigneeID: &id}); err != nil {
			t.Fatal(err)
		}
		all[i].assignee = id
	}
	idx := map[string]int{}
	for i, r := range all {
		idx[r.number] = i
	}
	in := func(v string, list string) bool { return list == "" || slices.Contains(strings.Split(list, ","), v) }
	catOK := func(c, filter string) bool {
		if filter == "" {
			return true
		}
		for _, fc := range strings.Split(filter, ",") {
			if c == fc || strings.HasPrefix(c, fc+".") {
				return true
			}
		}
		return false
	}
	tests := []service.ListQuery{
		{}, {Order: "asc"},
		{Status: "new"}, {Status: "new,waiting,forwarded"}, {Status: "closed,resolved", Order: "asc"},
		{Category: "access"}, {Category: "access", Status: "new,in_progress"},
		{Channel: "visit,phone"}, {Assignee: "1,none"}, {Assignee: "2"},
		{CreatedFrom: "2026-03-01", CreatedTo: "2026-06-30"}, {CreatedFrom: "2026-03-01", Status: "closed,new"},
		{CreatedTo: "2026-05-01", Order: "asc", Category: "fraud,payments"},
		{Q: "пароля"}, {Q: "заявления", Status: "new,closed"}, {Q: "ошибки", Order: "asc"},
	}
	for _, q := range tests {
		t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
			var from, to time.Time
			if q.CreatedFrom != "" {
				from, _ = time.ParseInLocation("2006-01-02", q.CreatedFrom, service.Moscow)
			}
			if q.CreatedTo != "" {
				to, _ = time.ParseInLocation("2006-01-02", q.CreatedTo, service.Moscow)
				to = to.AddDate(0, 0, 1)
			}
			var want []row
			for _, r := range all {
				a := "none"
				if r.assignee != 0 {
					a = strconv.FormatInt(r.assignee, 10)
				}
				if in(string(r.status), q.Status) && in(string(r.channel), q.Channel) && catOK(r.cat, q.Category) &&
					in(a, q.Assignee) && (from.IsZero() || !r.created.Before(from)) && (to.IsZero() || r.created.Before(to)) &&
					(q.Q == "" || strings.HasPrefix(q.Q, r.text[:8])) {
					want = append(want, r)
				}
			}
			byCreated := (q.CreatedFrom != "" || q.CreatedTo != "") && q.Q == ""
			slices.SortFunc(want, func(a, b row) int {
				if byCreated && !a.created.Equal(b.created) {
					return a.created.Compare(b.created)
				}
				return strings.Compare(a.number, b.number) // numbers of one import grow with the ID
			})
			if q.Order != "asc" {
				slices.Reverse(want)
			}
			q.Limit = "7"
			var got []string
			for pages := 0; pages < 100; pages++ {
				p, err := f.svc.ListTickets(ctx, nil, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range p.Items {
					got = append(got, it.Number)
				}
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			var wantNumbers []string
			for _, r := range want {
				wantNumbers = append(wantNumbers, r.number)
			}
			if !slices.Equal(got, wantNumbers) {
				t.Errorf("got %d tickets, want %d\n got %v\nwant %v", len(got), len(want), got, wantNumbers)
			}
			if len(want) == 0 && q.Status == "" {
				t.Errorf("the filter matches nothing; the test data is too thin")
			}
		})
	}
}
