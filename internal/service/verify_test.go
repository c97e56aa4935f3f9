package service_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// fixture is a service over a store file the test can also reach behind the application's back.
type fixture struct {
	engine string
	svc    *service.Service
	st     otklik.Store
	raw    *sql.DB
	clock  *testkit.Clock
	staff  otklik.Actor
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	db := testkit.MustNewDB(t, engine)
	clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	st := db.MustOpen(t, clock.Now)
	return &fixture{
		engine: engine,
		svc:    service.New(service.Options{Store: st, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}}),
		st:     st,
		raw:    db.Raw,
		clock:  clock,
		staff:  otklik.Actor{Type: otklik.ActorStaff, ID: 7, Name: "Петрова Анна", Channel: otklik.ChannelAPI},
	}
}

// story makes three tickets with replies, notes and status changes; it returns their numbers.
func (f *fixture) story(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	var numbers []string
	for i, subj := range []string{"Не приходит код подтверждения", "Ошибка при загрузке документов", "Статус заявления не меняется"} {
		tk, _, err := f.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb, Subject: subj,
			Body: "Здравствуйте! " + subj + ". Прошу помочь.", Requester: service.RequesterInput{Email: "citizen" + string(rune('a'+i)) + "@example.ru"}})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		if _, _, err := f.svc.AddMessage(ctx, f.staff, tk.Number, service.Reply{Body: "Уточните, пожалуйста, браузер."}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AddMessage(ctx, f.staff, tk.Number, service.Reply{Body: "Проверить журнал", Internal: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ChangeStatus(ctx, f.staff, tk.Number, service.StatusChange{Status: otklik.StatusWaiting, Reason: "ждём ответа"}); err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, tk.Number)
	}
	return numbers
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestJournalRefusesUpdateAndDelete(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.story(t)
		qs := []string{`UPDATE journal SET reason = 'подделка' WHERE seq = 2`, `DELETE FROM journal WHERE seq = 4`}
		if engine == "postgres" {
			qs = append(qs, `TRUNCATE journal CASCADE`)
		}
		for _, q := range qs {
			_, err := f.raw.Exec(q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want the append-only refusal", q, err)
			}
		}
	})
}

// TestVerifyFindsTampering alters the database behind the application's back in each way an insider
// with database access could, and checks that verify names the first broken record.
func TestVerifyFindsTampering(t *testing.T) {
	testkit.ForEachEngine(t, testVerifyFindsTampering)
}

func testVerifyFindsTampering(t *testing.T, engine string) {
	dropTriggers := `DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;`
	dayEarlier := `at - 86400000000`
	epoch := `0`
	if engine == "postgres" {
		dropTriggers = `DROP TRIGGER journal_no_update ON journal; DROP TRIGGER journal_no_delete ON journal;`
		dayEarlier = `at - interval '1 day'`
		epoch = `now()`
	}
	type tampering struct {
		name   string
		tamper string
		args   []any
		want   string // part of the reason
		seq    int64
	}
	tests := []tampering{
		{"edited reason", dropTriggers + `UPDATE journal SET reason = 'подделка' WHERE ticket_id = 2 AND seq = 4`, nil, "altered", 4},
		{"edited time", dropTriggers + `UPDATE journal SET at = ` + dayEarlier + ` WHERE ticket_id = 2 AND seq = 1`, nil, "altered", 1},
		{"removed middle record", dropTriggers + `DELETE FROM journal WHERE ticket_id = 2 AND seq = 2`, nil, "missing", 3},
		{"removed last record", dropTriggers + `DELETE FROM journal WHERE ticket_id = 2 AND seq = 6`, nil, "removed from the end", 6},
		{"edited first message", `UPDATE messages SET body = 'Я ничего не писал' WHERE id = (SELECT MIN(id) FROM messages WHERE ticket_id = 2)`, nil, "altered", 0},
		{"edited reply", `UPDATE messages SET body = 'Другой ответ' WHERE id = (SELECT MIN(id) + 1 FROM messages WHERE ticket_id = 2)`, nil, "altered", 0},
		{"slipped-in message", `INSERT INTO messages (ticket_id, author_type, author_name, channel, body, created_at) VALUES (2, 'staff', 'X', 'api', 'вставка', ` + epoch + `)`, nil, "no journal record", 0},
		{"rewritten chain without the hash", dropTriggers + `UPDATE journal SET after = 'closed' WHERE ticket_id = 2 AND seq = 5`, nil, "altered", 5},
	}
	if engine == "postgres" {
		// SQLite's journal keeps its foreign key (migration 0016) and its unique index on (ticket_id,
		// seq) (migration 0018), which refuse these.
		tests = append(tests, tampering{"record of a ticket that does not exist", `INSERT INTO journal (ticket_id, seq, at, actor_type, actor_name, channel, kind, hash)
			VALUES (999, 1, now(), 'system', 'Отклик', 'system', 'note', '\x00')`, nil, "no longer exists", 0},
			tampering{"repeated record", `INSERT INTO journal (ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field,
				before, after, reason, prev_hash, hash)
			SELECT ticket_id, seq, at, actor_type, actor_id, actor_name, channel, kind, field, before, after, reason,
				prev_hash, hash FROM journal WHERE ticket_id = 2 AND seq = 3`, nil, "out of place", 3})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, engine)
			numbers := f.story(t)
			rep, err := f.svc.Verify(context.Background())
			if err != nil || rep.Broken != nil {
				t.Fatalf("before tampering: %v %+v", err, rep.Broken)
			}
			// Each ticket: created, reply, status (new → in progress), note, status (waiting), SLA paused.
			if rep.Tickets != 3 || rep.Records != 18 || rep.Messages != 9 {
				t.Errorf("checked %d tickets, %d records, %d messages; want 3, 18, 9", rep.Tickets, rep.Records, rep.Messages)
			}
			f.exec(t, tt.tamper, tt.args...)
			rep, err = f.svc.Verify(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			b := rep.Broken
			if b == nil {
				t.Fatalf("verify did not notice")
			}
			if !strings.Contains(b.Reason, tt.want) {
				t.Errorf("reason %q does not say %q", b.Reason, tt.want)
			}
			if tt.seq != 0 && (b.Number != numbers[1] || b.Seq != tt.seq) {
				t.Errorf("broken record: ticket %s #%d, want %s #%d", b.Number, b.Seq, numbers[1], tt.seq)
			}
		})
	}
}

// liveStore is a store on which the desk goes on working while Verify reads it: at the first ticket's
// head it has that ticket answered (a message and its record committed after Verify read the ticket's
// records), and it hands over the head of ticket stale as it was one record earlier (as if read just
// before a reply was committed, its records after).
type liveStore struct {
	otklik.Store
	during func()
	stale  string
}

func (l *liveStore) WalkJournal(ctx context.Context, fn func(r *otklik.JournalRecord) error, head func(h otklik.JournalHead) error) error {
	hashes := map[int64][][]byte{}
	return l.Store.WalkJournal(ctx, func(r *otklik.JournalRecord) error {
		hashes[r.TicketID] = append(hashes[r.TicketID], r.Hash)
		return fn(r)
	}, func(h otklik.JournalHead) error {
		if l.during != nil {
			l.during()
			l.during = nil
		}
		if h.Number == l.stale && h.Seq > 1 {
			h.Seq--
			h.Hash = hashes[h.TicketID][h.Seq-1]
		}
		return head(h)
	})
}

// TestVerifyOnARunningDesk: otklik verify runs beside a serving desk, which appends records and
// messages while it reads; what was appended meanwhile, with its records, is no broken chain, and what
// is slipped in behind the application's back still is.
func TestVerifyOnARunningDesk(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		for _, tamper := range []bool{false, true} {
			f := newFixture(t, engine)
			numbers := f.story(t)
			epoch := "0"
			if engine == "postgres" {
				epoch = "now()"
			}
			live := &liveStore{Store: f.st, stale: numbers[2], during: func() {
				if _, _, err := f.svc.AddMessage(context.Background(), f.staff, numbers[0], service.Reply{Body: "Проверили, код отправлен повторно."}); err != nil {
					t.Error(err)
				}
				if tamper {
					f.exec(t, `INSERT INTO messages (ticket_id, author_type, author_name, channel, body, created_at) VALUES (2, 'staff', 'X', 'api', 'вставка', `+epoch+`)`)
				}
			}}
			rep, err := service.New(service.Options{Store: live, Now: f.clock.Now}).Verify(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !tamper && rep.Broken != nil:
				t.Errorf("a desk at work: %+v, want nothing broken", rep.Broken)
			case tamper && (rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "no journal record")):
				t.Errorf("a message slipped in while the desk worked: %+v, want it found", rep.Broken)
			}
		}
	})
}
