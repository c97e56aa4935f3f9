package store_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// fillStory creates staff, a token, tickets with replies, notes, status changes, field edits, an
// imported ticket from last year and a queued job.
func fillStory(t *testing.T, st otklik.Store, clock *testkit.Clock) *service.Service {
	t.Helper()
	ctx := context.Background()
	svc := service.New(service.Options{Store: st, Now: clock.Now, AutoCloseAfter: 72 * time.Hour, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}})
	u, err := svc.AddUser(ctx, service.NewUser{Email: "op@example.ru", Name: "Оператор Анна", Role: otklik.RoleOperator, Group: "line1", Password: "длинный пароль оператора"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateToken(ctx, "op@example.ru", "ci"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddCategory(ctx, service.NewCategory{Code: "access.esia", Name: "Вход через ЕСИА", Parent: "access"}); err != nil {
		t.Fatal(err)
	}
	staff := u.Actor(otklik.ChannelAPI)
	for i := 0; i < 12; i++ {
		tk, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
			Subject: fmt.Sprintf("Не принимается заявление %d", i), Body: "Ошибка при отправке заявления на счёт.",
			Requester:      service.RequesterInput{Name: "Петров Пётр", Email: fmt.Sprintf("p%d@example.ru", i%4), Phone: "+79161234567", SNILS: "112-233-445 95"},
			IdempotencyKey: fmt.Sprintf("k%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		svc.AddMessage(ctx, staff, tk.Number, service.Reply{Body: "Уточните браузер, пожалуйста."})
		svc.AddMessage(ctx, staff, tk.Number, service.Reply{Body: "Проверить журнал", Internal: true})
		if i%3 == 0 {
			svc.ChangeStatus(ctx, staff, tk.Number, service.StatusChange{Status: otklik.StatusResolved, Reason: "ответ дан"})
		}
		if i%4 == 0 {
			pr := otklik.PriorityHigh
			id := u.ID
			svc.UpdateTicket(ctx, staff, tk.Number, service.TicketPatch{Priority: &pr, AssigneeID: &id, Reason: "важно"})
		}
	}
	if _, err := svc.Import(ctx, otklik.SystemActor, []service.ImportedTicket{{
		NewTicket: service.NewTicket{Channel: otklik.ChannelEmail, Subject: "Старое обращение", Body: "Текст прошлого года",
			Requester: service.RequesterInput{Email: "old@example.ru"}},
		Status: otklik.StatusClosed, CreatedAt: time.Date(2025, 12, 30, 10, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	// A holiday added tomorrow: a recomputation moves the open tickets' deadlines, its records' shared
	// text stored once for the pass (journal_passes).
	admin := otklik.Actor{Type: otklik.ActorStaff, ID: u.ID, Name: "Администратор", Channel: otklik.ChannelAPI}
	if err := svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-11-24", Kind: "holiday"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := svc.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("recompute jobs: %v %d", err, len(jobs))
	}
	if err := svc.RecomputeDeadlines(ctx, jobs[0].Payload); err != nil {
		t.Fatal(err)
	}
	return svc
}

type snapshot struct {
	tickets []*service.TicketView
	journal [][]*otklik.JournalRecord
	search  []string
	jobs    []*otklik.Job
}

func snap(t *testing.T, svc *service.Service) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	p, err := svc.ListTickets(ctx, nil, service.ListQuery{Limit: "500", Order: "asc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range p.Items {
		v, err := svc.Ticket(ctx, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		s.tickets = append(s.tickets, v)
		j, err := svc.Journal(ctx, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range j {
			r.ID = 0 // compared by content; IDs are checked through the chain
		}
		s.journal = append(s.journal, j)
	}
	sp, err := svc.ListTickets(ctx, nil, service.ListQuery{Q: "заявления ошибки", Limit: "500"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range sp.Items {
		s.search = append(s.search, tk.Number)
	}
	s.jobs, _ = svc.Jobs(ctx, otklik.JobFilter{Limit: 500})
	for _, j := range s.jobs {
		j.UpdatedAt = time.Time{}
	}
	return s
}

// TestExportImportRoundTrip moves everything between the engines — SQLite → PostgreSQL → SQLite and
// every other pair — and checks that tickets, messages, journals (with their hashes), search results,
// jobs and the ticket number sequence arrive intact and that verify passes.
func TestExportImportRoundTrip(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, from string) {
		testkit.ForEachEngine(t, func(t *testing.T, to string) {
			ctx := context.Background()
			clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
			src := testkit.MustOpenStoreEngine(t, from, clock.Now)
			srcSvc := fillStory(t, src, clock)
			var dump bytes.Buffer
			if err := src.Export(ctx, &dump); err != nil {
				t.Fatal(err)
			}
			dst := testkit.MustOpenStoreEngine(t, to, clock.Now)
			counts, err := dst.Import(ctx, bytes.NewReader(dump.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if counts["tickets"] != 13 || counts["journal"] == 0 || counts["journal_passes"] != 1 || counts["jobs"] != 5 {
				t.Errorf("imported %v", counts)
			}
			dstSvc := service.New(service.Options{Store: dst, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}})
			rep, err := dstSvc.Verify(ctx)
			if err != nil || rep.Broken != nil || rep.Tickets != 13 {
				t.Fatalf("verify after import: %v %+v %+v", err, rep, rep.Broken)
			}
			a, b := snap(t, srcSvc), snap(t, dstSvc)
			if !reflect.DeepEqual(a.tickets, b.tickets) {
				t.Errorf("tickets differ after import")
			}
			if !reflect.DeepEqual(a.journal, b.journal) {
				t.Errorf("journals differ after import")
			}
			if !slices.Equal(a.search, b.search) || len(a.search) == 0 {
				t.Errorf("search: %v before, %v after", a.search, b.search)
			}
			if !reflect.DeepEqual(a.jobs, b.jobs) {
				t.Errorf("jobs differ after import")
			}
			// The same data exported again is the same export (search stems as sets).
			var again bytes.Buffer
			if err := dst.Export(ctx, &again); err != nil {
				t.Fatal(err)
			}
			if x, y := normalise(t, dump.Bytes()), normalise(t, again.Bytes()); !slices.Equal(x, y) {
				for i := range min(len(x), len(y)) {
					if x[i] != y[i] {
						t.Fatalf("re-export differs at line %d:\n%s\n%s", i+2, x[i], y[i])
					}
				}
				t.Fatalf("re-export has %d lines, export %d", len(y), len(x))
			}
			// Numbers continue after the imported ones; IDs do not collide.
			tk, _, err := dstSvc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: "web", Subject: "Новое", Body: "После переноса",
				Requester: service.RequesterInput{Email: "new@example.ru"}})
			if err != nil {
				t.Fatal(err)
			}
			if tk.Number <= a.tickets[len(a.tickets)-1].Ticket.Number {
				t.Errorf("new number %s does not follow the imported ones", tk.Number)
			}
			// Importing twice is refused.
			if _, err := dst.Import(ctx, bytes.NewReader(dump.Bytes())); err == nil || !strings.Contains(err.Error(), "already holds data") {
				t.Errorf("second import: %v", err)
			}
		})
	})
}

// normalise drops the header and sorts the words of search rows, which engines keep in other orders.
func normalise(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		var l struct {
			Table string                     `json:"table"`
			Row   map[string]json.RawMessage `json:"row"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Table == "ticket_search" {
			var stems string
			_ = json.Unmarshal(l.Row["stems"], &stems)
			words := strings.Fields(stems)
			sort.Strings(words)
			words = slices.Compact(words)
			l.Row["stems"], _ = json.Marshal(strings.Join(words, " "))
		}
		if l.Table == "jobs" {
			delete(l.Row, "updated_at")
		}
		nb, _ := json.Marshal(l)
		out = append(out, string(nb))
	}
	return out
}

// TestExportCoversTheSchema fails when a migration adds a table or column the export does not carry.
func TestExportCoversTheSchema(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		db := testkit.MustNewDB(t, engine)
		db.MustOpen(t, time.Now)
		q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'
		       AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'ticket_search%' ORDER BY 1, 2`
		if engine == "postgres" {
			q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
			      AND table_name <> 'ticket_search' ORDER BY 1, 2`
		}
		rows, err := db.Raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		have := map[string]bool{}
		for _, c := range store.ExportedColumns() {
			have[c] = true
		}
		n := 0
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				t.Fatal(err)
			}
			if table == "schema_migrations" {
				continue
			}
			n++
			if !have[table+"."+col] {
				t.Errorf("%s.%s is not exported", table, col)
			}
		}
		if n < 50 {
			t.Fatalf("only %d columns found; the query is wrong", n)
		}
	})
}
