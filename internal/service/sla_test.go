package service_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/otklik/otklik/internal/demo"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/sla"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

func msk(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, sla.Moscow)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type slaFixture struct {
	svc   *service.Service
	st    otklik.Store
	db    *testkit.DB // the store's database, for a look behind it
	clock *testkit.Clock
}

func newSLAFixture(t *testing.T, engine, start string) *slaFixture {
	t.Helper()
	clock := testkit.NewClock(msk(t, start).UTC())
	db := testkit.MustNewDB(t, engine)
	st := db.MustOpen(t, clock.Now)
	svc := service.New(service.Options{Store: st, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30},
		Mail: service.MailOptions{Address: "support@gosuslugi.example", Name: "Служба поддержки", PublicURL: "https://support.gosuslugi.example/"}})
	ctx := context.Background()
	for _, u := range []service.NewUser{
		{Email: "op@example.ru", Name: "Петрова Анна", Role: otklik.RoleOperator, Group: "line1"},
		{Email: "senior@example.ru", Name: "Смирнов Игорь", Role: otklik.RoleSenior, Group: "line1"},
		{Email: "chief@example.ru", Name: "Орлова Елена", Role: otklik.RoleSupervisor, Group: "line1"},
	} {
		if _, err := svc.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return &slaFixture{svc: svc, st: st, db: db, clock: clock}
}

func (f *slaFixture) create(t *testing.T, category string, appeal bool) *otklik.Ticket {
	t.Helper()
	tk, _, err := f.svc.CreateTicket(context.Background(), otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
		Subject: "Не могу войти в личный кабинет", Body: "Здравствуйте! После ввода пароля ошибка.", Category: category, Appeal: appeal,
		Requester: service.RequesterInput{Name: "Иванова Мария", Email: "maria@mail.example.ru"}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// createMany registers n tickets of a category and returns their numbers.
func (f *slaFixture) createMany(t *testing.T, n int, category string) []string {
	t.Helper()
	var numbers []string
	for range n {
		numbers = append(numbers, f.create(t, category, false).Number)
	}
	return numbers
}

func (f *slaFixture) ticket(t *testing.T, number string) *otklik.Ticket {
	t.Helper()
	tk, err := f.st.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *slaFixture) set(t *testing.T, s string) {
	t.Helper()
	f.clock.Add(msk(t, s).Sub(f.clock.Now()))
}

// anAdmin is the administrator who changes calendars and policies in these tests.
var anAdmin = otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}

func sameMoment(a *time.Time, b time.Time) bool { return a != nil && a.Equal(b) }

// lastSLA is the last deadline record of a ticket's journal.
func (f *slaFixture) lastSLA(t *testing.T, number string) *otklik.JournalRecord {
	t.Helper()
	recs, err := f.svc.Journal(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == otklik.KindSLA {
			return recs[i]
		}
	}
	t.Fatalf("%s has no deadline record", number)
	return nil
}

func (f *slaFixture) slaRecords(t *testing.T, number string) []string {
	t.Helper()
	recs, err := f.svc.Journal(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if r.Kind == otklik.KindSLA {
			out = append(out, r.Field)
		}
	}
	return out
}

// TestDeadlinesAtCreation: a ticket received on the Friday before the New Year holidays gets its
// deadlines on the production calendar; the policy follows its category.
func TestDeadlinesAtCreation(t *testing.T) { testkit.ForEachEngine(t, testDeadlinesAtCreation) }

func testDeadlinesAtCreation(t *testing.T, engine string) {
	f := newSLAFixture(t, engine, "2025-12-26 17:30")
	ctx := context.Background()
	tk := f.create(t, "access", false)
	// 24 working hours on 09:00–18:00: 0.5 h on Friday, 9 on 29 and 30 December, 5.5 on 12 January.
	if !sameMoment(tk.DueAt, msk(t, "2026-01-12 14:30")) || !sameMoment(tk.FirstResponseDueAt, msk(t, "2026-01-12 14:30")) || tk.SLA.Policy != "access" {
		t.Fatalf("access: due %v, first response %v, policy %q", tk.DueAt, tk.FirstResponseDueAt, tk.SLA.Policy)
	}
	tk = f.create(t, "payments", false) // other bodies: 5 working days
	if !sameMoment(tk.DueAt, msk(t, "2026-01-14 18:00")) || tk.SLA.Policy != "other_bodies" {
		t.Fatalf("other bodies: due %v, policy %q", tk.DueAt, tk.SLA.Policy)
	}
	// A change of category recomputes from the registration, with a journal record.
	tk2, err := f.svc.UpdateTicket(ctx, otklik.SystemActor, tk.Number, service.TicketPatch{Category: ptr("access.password")})
	if err != nil {
		t.Fatal(err)
	}
	// 72 working hours: 18.5 in December, then 9 a day from 12 January: 19 January 17:30.
	if !sameMoment(tk2.DueAt, msk(t, "2026-01-19 17:30")) || tk2.SLA.Policy != "recovery" {
		t.Errorf("recovery: due %v, policy %q", tk2.DueAt, tk2.SLA.Policy)
	}
	if got := f.slaRecords(t, tk.Number); strings.Join(got, ",") != "due_at" {
		t.Errorf("journal SLA records %v, want due_at", got)
	}
	// A manual policy chosen by staff: complex, 15 working days (29, 30 December, then 12 January on).
	tk3, err := f.svc.UpdateTicket(ctx, otklik.SystemActor, tk.Number, service.TicketPatch{SLAPolicy: ptr("complex")})
	if err != nil || !sameMoment(tk3.DueAt, msk(t, "2026-01-28 18:00")) || tk3.SLA.Policy != "complex" {
		t.Errorf("complex: %v, due %v", err, tk3.DueAt)
	}
	if _, err := f.svc.UpdateTicket(ctx, otklik.SystemActor, tk.Number, service.TicketPatch{SLAPolicy: ptr("access")}); !otklik.IsCode(err, otklik.EINVALID) {
		t.Errorf("a matched policy chosen by hand: %v", err)
	}
	if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
}

func ptr[T any](v T) *T { return &v }

// TestPauseAndResume: waiting for the citizen stops the resolution clock; the citizen's reply resumes
// it, and the deadline moves by the working time spent waiting (a holiday in between counts nothing).
func TestPauseAndResume(t *testing.T) { testkit.ForEachEngine(t, testPauseAndResume) }

func testPauseAndResume(t *testing.T, engine string) {
	f := newSLAFixture(t, engine, "2026-04-29 10:00")
	ctx := context.Background()
	tk := f.create(t, "payments", false) // 5 working days: 30 Apr, 4, 5, 6, 7 May → 7 May 18:00
	if !sameMoment(tk.DueAt, msk(t, "2026-05-07 18:00")) {
		t.Fatalf("due %v", tk.DueAt)
	}
	f.set(t, "2026-04-30 16:00") // a short day: it closes at 17:00
	if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, tk.Number, service.StatusChange{Status: otklik.StatusInProgress}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, tk.Number, service.StatusChange{Status: otklik.StatusWaiting, Reason: "нужна справка"}); err != nil {
		t.Fatal(err)
	}
	f.set(t, "2026-05-04 11:00") // the May holidays in between; resumed on Monday at 11:00
	tk, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, tk.Number, service.StatusChange{Status: otklik.StatusInProgress})
	if err != nil {
		t.Fatal(err)
	}
	// Waited: 1 h on 30 April (16–17) + 2 h on 4 May (9–11) = 3 working hours → 8 May 12:00? 8 May 2026 is
	// a short day (09:00–17:00): 7 May 18:00 + 3 h = 8 May 12:00.
	if !sameMoment(tk.DueAt, msk(t, "2026-05-08 12:00")) || tk.SLA.PausedAt != nil || tk.SLA.Paused != 3*time.Hour {
		t.Errorf("after the pause: due %v, paused at %v, paused %v", tk.DueAt, tk.SLA.PausedAt, tk.SLA.Paused)
	}
	if got := f.slaRecords(t, tk.Number); strings.Join(got, ",") != "paused,resumed" {
		t.Errorf("journal SLA records %v", got)
	}
	// A recomputation keeps the credit for the pause.
	tk, err = f.svc.UpdateTicket(ctx, otklik.SystemActor, tk.Number, service.TicketPatch{Priority: ptr(otklik.PriorityHigh)})
	if err != nil || !sameMoment(tk.DueAt, msk(t, "2026-05-08 12:00")) {
		t.Errorf("after a priority change: %v, due %v", err, tk.DueAt)
	}
}

// TestAppealAndExtension: a 59-ФЗ appeal gets its statutory deadline (30 calendar days, moved back
// off a day off); an extension needs a reason, stays under the cap, is allowed once for an appeal, is
// journalled with both dates and told to the citizen.
func TestAppealAndExtension(t *testing.T) { testkit.ForEachEngine(t, testAppealAndExtension) }

func testAppealAndExtension(t *testing.T, engine string) {
	f := newSLAFixture(t, engine, "2026-02-12 10:00")
	ctx := context.Background()
	tk := f.create(t, "other", true)
	// 12 Feb + 30 days = 14 March, a Saturday: back to Friday 13 March, its close.
	if !sameMoment(tk.SLA.LegalDueAt, msk(t, "2026-03-13 18:00")) || !tk.SLA.Appeal {
		t.Fatalf("legal due %v", tk.SLA.LegalDueAt)
	}
	staff := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Петрова Анна", Channel: otklik.ChannelAPI}
	if _, err := f.svc.ExtendDeadline(ctx, staff, tk.Number, service.Extension{Until: msk(t, "2026-03-20 18:00")}); !otklik.IsCode(err, otklik.EINVALID) {
		t.Errorf("no reason: %v", err)
	}
	if _, err := f.svc.ExtendDeadline(ctx, staff, tk.Number, service.Extension{Until: msk(t, "2026-05-20 18:00"), Reason: "documents"}); !otklik.IsCode(err, otklik.EINVALID) {
		t.Errorf("past the cap: %v", err)
	}
	tk2, err := f.svc.ExtendDeadline(ctx, staff, tk.Number, service.Extension{Until: msk(t, "2026-03-20 18:00"), Reason: "coordination", Note: "запрос в СФР"})
	if err != nil || !sameMoment(tk2.DueAt, msk(t, "2026-03-20 18:00")) || tk2.SLA.Extensions != 1 {
		t.Fatalf("extend: %v %+v", err, tk2)
	}
	if _, err := f.svc.ExtendDeadline(ctx, staff, tk.Number, service.Extension{Until: msk(t, "2026-03-27 18:00"), Reason: "failure"}); !otklik.IsCode(err, otklik.ECONFLICT) {
		t.Errorf("a second extension of an appeal: %v", err)
	}
	recs, _ := f.svc.Journal(ctx, tk.Number)
	last := recs[len(recs)-1]
	// The default policy's 48 working hours from Thursday 12 February 10:00: Thursday 19 February 13:00.
	if last.Field != "extended" || !strings.Contains(last.Before, "2026-02-19T13:00") || !strings.Contains(last.After, "2026-03-20") ||
		!strings.Contains(last.Reason, "согласование") || !strings.Contains(last.Reason, "СФР") {
		t.Errorf("extension record: %+v", last)
	}
	outs, _ := f.st.Mails(ctx, otklik.MailFilter{Direction: otklik.MailOut})
	notice := false
	for _, m := range outs {
		notice = notice || (m.To == "maria@mail.example.ru" && strings.Contains(m.Subject, "продлён"))
	}
	if !notice {
		t.Errorf("the citizen was not told the new date")
	}
}

// TestRemindersAndEscalation: one working day before the deadline the group is reminded, on the
// breach the seniors and supervisors are told and the journal says so; each exactly once.
func TestRemindersAndEscalation(t *testing.T) { testkit.ForEachEngine(t, testRemindersAndEscalation) }

func testRemindersAndEscalation(t *testing.T, engine string) {
	f := newSLAFixture(t, engine, "2026-03-16 10:00") // Monday
	ctx := context.Background()
	tk := f.create(t, "payments", false) // 5 working days → Monday 23 March 18:00
	if !sameMoment(tk.DueAt, msk(t, "2026-03-23 18:00")) {
		t.Fatalf("due %v", tk.DueAt)
	}
	if next := f.ticket(t, tk.Number).SLA.NextAt; next == nil || next.After(msk(t, "2026-03-18 10:00")) {
		t.Errorf("stored timer %v, want one by the first-response reminder", next) // registration stores it
	}
	// The first-response deadline (24 working hours: Wednesday 18 March 16:00) is reminded of on
	// Tuesday 16:00, so at the run on Wednesday 10:00, and breached by Thursday's.
	for _, step := range []struct {
		at   string
		want string
	}{
		{"2026-03-17 09:00", ""},
		{"2026-03-18 10:00", "first_response_reminded"},
		{"2026-03-18 12:00", ""},
		{"2026-03-19 10:00", "first_response_breached"},
		{"2026-03-23 09:00", "due_reminded"},
		{"2026-03-23 18:00", "due_breached"},
		{"2026-03-24 09:00", ""},
	} {
		f.set(t, step.at)
		before := len(f.slaRecords(t, tk.Number))
		if _, err := f.svc.RunSLATimers(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RunSLATimers(ctx); err != nil { // a second node, or a restart: nothing twice
			t.Fatal(err)
		}
		got := f.slaRecords(t, tk.Number)[before:]
		if strings.Join(got, ",") != step.want {
			t.Errorf("%s: SLA records %v, want %q", step.at, got, step.want)
		}
	}
	outs, _ := f.st.Mails(ctx, otklik.MailFilter{Direction: otklik.MailOut})
	to := map[string]int{}
	for _, m := range outs {
		to[m.To]++
	}
	if to["op@example.ru"] != 2 || to["senior@example.ru"] != 2 || to["chief@example.ru"] != 2 {
		t.Errorf("notices: %v; want 2 reminders to the operator, 2 escalations each to the senior and the supervisor", to)
	}
	// Each links the ticket's page in the workspace, under the site's public address.
	for _, m := range outs {
		full, err := f.svc.OutboundMail(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := mail.CreateReader(bytes.NewReader(full.Raw))
		if err != nil {
			t.Fatal(err)
		}
		p, err := r.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(p.Body)
		body := strings.ReplaceAll(string(raw), "\r\n", "\n")
		if link := "\n\nОбращение: https://support.gosuslugi.example/agent/tickets/" + tk.Number + "\n"; !strings.Contains(body, link) {
			t.Errorf("the notice %q to %s has no link %q:\n%s", m.Subject, m.To, link, body)
		}
	}
	// «Просрочено»: the ticket's deadline has passed; once resolved it leaves the view.
	me := &otklik.User{ID: 1, Role: otklik.RoleSupervisor}
	page, err := f.svc.ListTickets(ctx, me, service.ListQuery{Overdue: "true"})
	if err != nil || len(page.Items) != 1 || page.Items[0].Number != tk.Number {
		t.Errorf("overdue view: %v %d", err, len(page.Items))
	}
	tk = f.ticket(t, tk.Number)
	if tk.SLA.Flags&otklik.DueBreached == 0 || tk.SLA.NextAt != nil {
		t.Errorf("after the breach: flags %b, next %v", tk.SLA.Flags, tk.SLA.NextAt)
	}
	if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, tk.Number, service.StatusChange{Status: otklik.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	if page, err := f.svc.ListTickets(ctx, me, service.ListQuery{Overdue: "true"}); err != nil || len(page.Items) != 0 {
		t.Errorf("overdue view after resolving: %v %d", err, len(page.Items))
	}
}

// TestCalendarChangeRecomputes: a holiday added by an administrator moves open tickets' deadlines,
// each with a journal record; closed tickets keep theirs.
func TestCalendarChangeRecomputes(t *testing.T) {
	testkit.ForEachEngine(t, testCalendarChangeRecomputes)
}

func testCalendarChangeRecomputes(t *testing.T, engine string) {
	f := newSLAFixture(t, engine, "2026-12-21 10:00")
	ctx := context.Background()
	open := f.create(t, "payments", false) // 5 working days: 22–25, 28 December → 28 Dec 18:00
	done := f.create(t, "payments", false)
	if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, done.Number, service.StatusChange{Status: otklik.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	if !sameMoment(open.DueAt, msk(t, "2026-12-28 18:00")) {
		t.Fatalf("due %v", open.DueAt)
	}
	admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
	if err := f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-12-24", Kind: "holiday", Note: "региональный выходной"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-13-01", Kind: "holiday"}); !otklik.IsCode(err, otklik.EINVALID) {
		t.Errorf("a bad day: %v", err)
	}
	jobs, err := f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("recompute jobs: %v %d", err, len(jobs))
	}
	if err := f.svc.RecomputeDeadlines(ctx, jobs[0].Payload); err != nil {
		t.Fatal(err)
	}
	if tk := f.ticket(t, open.Number); !sameMoment(tk.DueAt, msk(t, "2026-12-29 18:00")) {
		t.Errorf("open ticket after the holiday was added: due %v", tk.DueAt)
	}
	if got := f.slaRecords(t, open.Number); strings.Join(got, ",") != "due_at" {
		t.Errorf("journal SLA records %v", got)
	}
	if r := f.lastSLA(t, open.Number); r.Reason != "пересчёт сроков после изменения календаря «Рабочие дни по производственному календарю, 09:00–18:00 МСК»: 24.12.2026 — праздник (Администратор)" {
		t.Errorf("the record's reason %q does not say what changed and who changed it", r.Reason)
	}
	if tk := f.ticket(t, done.Number); !sameMoment(tk.DueAt, msk(t, "2026-12-28 18:00")) {
		t.Errorf("a resolved ticket's deadline moved: %v", tk.DueAt)
	}
	// Run again (a retried job): nothing more.
	if err := f.svc.RecomputeDeadlines(ctx, jobs[0].Payload); err != nil {
		t.Fatal(err)
	}
	if got := f.slaRecords(t, open.Number); len(got) != 1 {
		t.Errorf("a second run recorded again: %v", got)
	}
	if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
		t.Fatalf("verify after the recomputation: %v %+v", err, rep.Broken)
	}
	d, confirmed, err := f.svc.Due(ctx, "office", msk(t, "2026-12-21 10:00"), 0, 5)
	if err != nil || !d.Equal(msk(t, "2026-12-29 18:00")) || !confirmed {
		t.Errorf("Due: %v %v %v", d, confirmed, err)
	}

	// A holiday the next day moves both deadlines of a new ticket: one record says both.
	fresh := f.create(t, "payments", false)
	if err := f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-12-22", Kind: "holiday"}); err != nil {
		t.Fatal(err)
	}
	if jobs, err = f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA}); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if err := f.svc.RecomputeDeadlines(ctx, j.Payload); err != nil {
			t.Fatal(err)
		}
	}
	moved := f.ticket(t, fresh.Number)
	if sameMoment(moved.DueAt, *fresh.DueAt) || sameMoment(moved.FirstResponseDueAt, *fresh.FirstResponseDueAt) {
		t.Fatalf("a holiday the next day: due %v → %v, first response %v → %v", fresh.DueAt, moved.DueAt,
			fresh.FirstResponseDueAt, moved.FirstResponseDueAt)
	}
	recs, err := f.svc.Journal(ctx, fresh.Number)
	if err != nil {
		t.Fatal(err)
	}
	rfc := func(t *time.Time) string { return t.In(service.Moscow).Format(time.RFC3339) }
	last := recs[len(recs)-1]
	if last.Field != "deadlines" ||
		last.Before != `{"first_response_due":"`+rfc(fresh.FirstResponseDueAt)+`","due":"`+rfc(fresh.DueAt)+`"}` ||
		!strings.HasPrefix(last.After, `{"first_response_due":"`+rfc(moved.FirstResponseDueAt)+`","due":"`+rfc(moved.DueAt)+`"`) {
		t.Errorf("the last record %s: %s → %s", last.Field, last.Before, last.After)
	}
	if got := f.slaRecords(t, fresh.Number); len(got) != 1 {
		t.Errorf("SLA records %v, want the one", got)
	}
	if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
}

// TestDeleteSLAPolicyAndCalendar: removing a policy recomputes the tickets it gave deadlines from the
// policies left — one staff had chosen it for, from the rules again — each in its journal; a calendar
// is removed only when no policy is on it and it is not the one statutory deadlines follow, with its
// changed days; a manual policy that would also match is refused.
func TestDeleteSLAPolicyAndCalendar(t *testing.T) {
	testkit.ForEachEngine(t, testDeleteSLAPolicyAndCalendar)
}

func testDeleteSLAPolicyAndCalendar(t *testing.T, engine string) {
	f := newSLAFixture(t, engine, "2026-12-21 10:00")
	ctx := context.Background()
	admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
	recompute := func() { // the queued recomputations, run as the job runner would
		t.Helper()
		var js []*otklik.Job
		err := f.st.Write(ctx, func(tx otklik.Tx) (err error) {
			js, err = tx.ClaimJobs(ctx, "test", 100, time.Minute)
			return err
		})
		ran := 0
		for _, j := range js {
			if err == nil && j.Kind == service.JobRecomputeSLA {
				err = f.svc.RecomputeDeadlines(ctx, j.Payload)
				ran++
			}
			if err == nil {
				err = f.st.Write(ctx, func(tx otklik.Tx) error { return tx.FinishJob(ctx, j, otklik.JobOutcome{Status: otklik.JobDone}) })
			}
		}
		if err != nil || ran == 0 {
			t.Fatalf("recomputations run: %d, %v", ran, err)
		}
	}
	payments := f.create(t, "payments", false) // other_bodies: 5 working days → 28 Dec 18:00
	chosen := f.create(t, "payments", false)
	if _, err := f.svc.UpdateTicket(ctx, otklik.SystemActor, chosen.Number, service.TicketPatch{SLAPolicy: ptr("complex")}); err != nil {
		t.Fatal(err)
	}
	if tk := f.ticket(t, chosen.Number); tk.SLA.Policy != "complex" {
		t.Fatalf("chosen: policy %q", tk.SLA.Policy)
	}
	// A staff-chosen policy that also matches is refused, as the administration page refuses it.
	if _, err := f.svc.PutSLAPolicy(ctx, anAdmin, otklik.SLAPolicy{Code: "vip", Name: "Особый контроль", Manual: true, Channel: otklik.ChannelChat,
		Resolution: "2d", Calendar: "office"}); !otklik.IsCode(err, otklik.EINVALID) || !strings.Contains(errFields(err), "manual") {
		t.Errorf("a manual policy that matches: %v, want EINVALID on manual", err)
	}

	// The one staff chose removed: the ticket gets the rules' policy (other_bodies: 5 working days →
	// 28 Dec 18:00), the record naming the change and who made it.
	if err := f.svc.DeleteSLAPolicy(ctx, anAdmin, "complex"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteSLAPolicy(ctx, anAdmin, "complex"); !otklik.IsCode(err, otklik.ENOTFOUND) {
		t.Errorf("removing it again: %v, want ENOTFOUND", err)
	}
	recompute()
	if tk := f.ticket(t, chosen.Number); tk.SLA.Policy != "other_bodies" || !sameMoment(tk.DueAt, msk(t, "2026-12-28 18:00")) {
		t.Errorf("after the policy staff chose was removed: policy %q, due %v; want other_bodies, 28 Dec 18:00", tk.SLA.Policy, tk.DueAt)
	}
	if r := f.lastSLA(t, chosen.Number); r.Field != "due_at" ||
		r.Reason != "пересчёт сроков после изменения политик SLA: удалена «Сложный случай (назначает сотрудник)» (Администратор)" {
		t.Errorf("its record: %s, reason %q", r.Field, r.Reason)
	}
	// The rules' policy removed: both under «default», 48 working hours (of nine a day) from Monday
	// 10:00 → the next Monday 13:00; their first answer was the default's already.
	if err := f.svc.DeleteSLAPolicy(ctx, anAdmin, "other_bodies"); err != nil {
		t.Fatal(err)
	}
	recompute()
	for _, number := range []string{payments.Number, chosen.Number} {
		tk := f.ticket(t, number)
		if tk.SLA.Policy != "default" || !sameMoment(tk.DueAt, msk(t, "2026-12-28 13:00")) {
			t.Errorf("%s after its policy was removed: policy %q, due %v; want default, 28 Dec 13:00", number, tk.SLA.Policy, tk.DueAt)
		}
		if r := f.lastSLA(t, number); r.Field != "due_at" || !strings.Contains(r.Reason, "удалена «Согласование с другими ведомствами»") {
			t.Errorf("%s: its last SLA record %s, reason %q; want the recomputation's", number, r.Field, r.Reason)
		}
	}
	// A policy put before another with the same targets: the deadlines stay, the ticket names the
	// policy that gives them now.
	access := f.create(t, "access", false)
	if _, err := f.svc.PutSLAPolicy(ctx, anAdmin, otklik.SLAPolicy{Code: "access_line1", Name: "Доступ: первая линия", Position: 39,
		Category: "access", Resolution: "24h", Calendar: "office"}); err != nil {
		t.Fatal(err)
	}
	recompute()
	if tk := f.ticket(t, access.Number); tk.SLA.Policy != "access_line1" || !sameMoment(tk.DueAt, *access.DueAt) {
		t.Errorf("a ticket under a policy another with its targets now precedes: policy %q, due %v (was %v)", tk.SLA.Policy, tk.DueAt, access.DueAt)
	}
	if got := f.slaRecords(t, access.Number); strings.Join(got, ",") != "sla_policy" {
		t.Errorf("its journal SLA records %v, want one sla_policy", got)
	}
	if r := f.lastSLA(t, access.Number); r.Before != "access" || r.After != "access_line1" ||
		r.Reason != "пересчёт сроков после изменения политики SLA «Доступ: первая линия» (Администратор)" {
		t.Errorf("its record: %q → %q, reason %q", r.Before, r.After, r.Reason)
	}
	if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}

	// Calendars: the office one stays; one a policy is on stays until the policy moves.
	if _, err := f.svc.PutCalendar(ctx, anAdmin, otklik.Calendar{Name: "ekb", Title: "Екатеринбургский офис", Week: "mon-fri 07:00-16:00"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.PutCalendarOverride(ctx, admin, "ekb", otklik.CalendarOverride{Day: "2026-12-30", Kind: "short"}); err != nil {
		t.Fatal(err)
	}
	ekb := otklik.SLAPolicy{Code: "ekb", Name: "Екатеринбург", Position: 5, Channel: otklik.ChannelVisit, Resolution: "3d", Calendar: "ekb"}
	if _, err := f.svc.PutSLAPolicy(ctx, anAdmin, ekb); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteCalendar(ctx, anAdmin, "ekb"); !otklik.IsCode(err, otklik.ECONFLICT) || !strings.Contains(errArgs(err), "Екатеринбург") {
		t.Errorf("a calendar a policy is on: %v (%s), want ECONFLICT naming the policy", err, errArgs(err))
	}
	if err := f.svc.DeleteCalendar(ctx, anAdmin, service.LegalCalendar); !otklik.IsCode(err, otklik.ECONFLICT) {
		t.Errorf("the office calendar: %v, want ECONFLICT", err)
	}
	ekb.Calendar = "24x7"
	if _, err := f.svc.PutSLAPolicy(ctx, anAdmin, ekb); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteCalendar(ctx, anAdmin, "ekb"); err != nil {
		t.Fatalf("a calendar no policy is on: %v", err)
	}
	if err := f.svc.DeleteCalendar(ctx, anAdmin, "ekb"); !otklik.IsCode(err, otklik.ENOTFOUND) {
		t.Errorf("removing it again: %v, want ENOTFOUND", err)
	}
	cals, err := f.svc.Calendars(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		if c.Name == "ekb" {
			t.Errorf("the calendar is still there: %+v", c)
		}
	}
	// Its days went with it: a calendar made again by the name starts with none.
	if _, err := f.svc.PutCalendar(ctx, anAdmin, otklik.Calendar{Name: "ekb", Title: "Екатеринбургский офис", Week: "mon-fri 07:00-16:00"}); err != nil {
		t.Fatal(err)
	}
	if cals, err = f.svc.Calendars(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		if c.Name == "ekb" && len(c.Overrides) != 0 {
			t.Errorf("the removed calendar's days came back: %+v", c.Overrides)
		}
	}
}

// TestCalendarChangeQueuesWhatMatters: a calendar's week queues the recomputation of every open
// ticket only where deadlines depend on it — a policy on it, or the office calendar statutory deadlines
// follow —, never for a new calendar, one no policy is on, or a new title alone; nor does a new policy
// staff choose, or a policy's new name alone.
func TestCalendarChangeQueuesWhatMatters(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		ctx := context.Background()
		queued := func() int {
			t.Helper()
			js, err := f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA, Statuses: []otklik.JobStatus{otklik.JobQueued}})
			if err != nil {
				t.Fatal(err)
			}
			return len(js)
		}
		put := func(name, title, week string) {
			t.Helper()
			if _, err := f.svc.PutCalendar(ctx, anAdmin, otklik.Calendar{Name: name, Title: title, Week: week}); err != nil {
				t.Fatal(err)
			}
		}
		pol := func(p otklik.SLAPolicy) {
			t.Helper()
			if _, err := f.svc.PutSLAPolicy(ctx, anAdmin, p); err != nil {
				t.Fatal(err)
			}
		}
		day := func(d, kind string) {
			t.Helper()
			if err := f.svc.PutCalendarOverride(ctx, anAdmin, "office", otklik.CalendarOverride{Day: d, Kind: kind}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			what       string
			change     func()
			recomputes bool
		}{
			{"a new calendar", func() { put("ekb", "Екатеринбургский офис", "mon-fri 07:00-16:00") }, false},
			{"the week of one no policy is on", func() { put("ekb", "Екатеринбургский офис", "mon-thu 07:00-16:00") }, false},
			{"a policy put on it", func() {
				if _, err := f.svc.PutSLAPolicy(ctx, anAdmin, otklik.SLAPolicy{Code: "ekb", Name: "Екатеринбург", Position: 5,
					Channel: otklik.ChannelVisit, Resolution: "3d", Calendar: "ekb"}); err != nil {
					t.Fatal(err)
				}
			}, true},
			{"its title alone", func() { put("ekb", "Офис в Екатеринбурге", "mon-thu 07:00-16:00") }, false},
			{"a new policy staff choose", func() {
				pol(otklik.SLAPolicy{Code: "vip", Name: "Особый контроль", Position: 65, Manual: true, Resolution: "2d", Calendar: "office"})
			}, false},
			{"a policy renamed alone", func() {
				pol(otklik.SLAPolicy{Code: "vip", Name: "Особый контроль руководства", Position: 65, Manual: true, Resolution: "2d", Calendar: "office"})
			}, false},
			{"its target", func() {
				pol(otklik.SLAPolicy{Code: "vip", Name: "Особый контроль руководства", Position: 65, Manual: true, Resolution: "1d", Calendar: "office"})
			}, true},
			{"its week, a policy on it", func() { put("ekb", "Офис в Екатеринбурге", "mon-fri 07:00-16:00") }, true},
			{"the office calendar's week", func() { put("office", "Офис", "mon-fri 09:00-17:00") }, true},
			{"a day of it", func() { day("2026-12-30", "short") }, true},
			{"the same day again", func() { day("2026-12-30", "short") }, false},
			{"the office calendar saved as it is", func() { put("office", "Офис", "mon-fri 09:00-17:00") }, false},
			{"a policy saved as it is", func() {
				pol(otklik.SLAPolicy{Code: "vip", Name: "Особый контроль руководства", Position: 65, Manual: true, Resolution: "1d", Calendar: "office"})
			}, false},
		} {
			before := queued()
			c.change()
			if got := queued() - before; got != map[bool]int{false: 0, true: 1}[c.recomputes] {
				t.Errorf("%s: %d recomputations queued, want recomputes=%v", c.what, got, c.recomputes)
			}
		}
	})
}

// errArgs is the arguments of err's message, for checking what it names.
func errArgs(err error) string {
	var e *otklik.Error
	if errors.As(err, &e) {
		return fmt.Sprint(e.Args)
	}
	return ""
}

// errFields is the fields an invalid err names.
func errFields(err error) string {
	var e *otklik.Error
	if errors.As(err, &e) {
		return fmt.Sprint(e.Fields)
	}
	return ""
}

// TestStoreRecomputedLeavesStaleTickets: a batch of recomputed tickets is stored with its sealed journal
// records, except a ticket changed since it was read: that one is returned as stale, unchanged, and
// none of its records are stored. The journal verifies afterwards.
func TestStoreRecomputedLeavesStaleTickets(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		ctx := context.Background()
		// More tickets than SQLite writes records a statement, twice over (and a few), so that its
		// statements of full and of partial size both run.
		numbers := f.createMany(t, 133, "payments")
		read, err := f.st.OpenTickets(ctx, 0, 200, otklik.TimeSpan{})
		if err != nil || len(read) != len(numbers) {
			t.Fatalf("open tickets: %d, %v", len(read), err)
		}
		// The second ticket and the hundredth change after they were read.
		staleAt := map[int]bool{1: true, 100: true}
		for i := range staleAt {
			if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, numbers[i], service.StatusChange{Status: otklik.StatusInProgress}); err != nil {
				t.Fatal(err)
			}
		}
		// storeBatch moves the read tickets' resolution deadline to due in one batch, a sealed record each
		// with the reason reason(i), and returns the stale ones.
		storeBatch := func(read []*otklik.Ticket, due time.Time, reason func(i int) string) (stale []*otklik.Ticket, err error) {
			return f.storeRecomputed(read, func(_ int, tk *otklik.Ticket) { tk.DueAt = &due }, reason)
		}
		moved := msk(t, "2027-01-15 18:00")
		stale, err := storeBatch(read, moved, func(int) string { return "test" })
		if err != nil {
			t.Fatal(err)
		}
		if len(stale) != 2 || stale[0].Number != numbers[1] || stale[1].Number != numbers[100] {
			t.Fatalf("stale %v, want only %s and %s", stale, numbers[1], numbers[100])
		}
		for i, n := range numbers {
			tk, recs := f.ticket(t, n), f.slaRecords(t, n)
			if staleAt[i] {
				if sameMoment(tk.DueAt, moved) || len(recs) != 0 {
					t.Errorf("stale %s: due %v, SLA records %v", n, tk.DueAt, recs)
				}
				continue
			}
			if !sameMoment(tk.DueAt, moved) || strings.Join(recs, ",") != "due_at" || tk.Version != read[i].Version+1 {
				t.Errorf("%s: due %v, SLA records %v, version %d (read at %d)", n, tk.DueAt, recs, tk.Version, read[i].Version)
			}
		}
		if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
			t.Fatalf("verify: %v %+v", err, rep.Broken)
		}
		// Records of one batch that do not share their time, actor, kind and reason are refused, and
		// nothing of the batch is stored.
		if read, err = f.st.OpenTickets(ctx, 0, 200, otklik.TimeSpan{}); err != nil {
			t.Fatal(err)
		}
		later := moved.Add(24 * time.Hour)
		if _, err := storeBatch(read, later, func(i int) string { return "test " + strconv.Itoa(i) }); !otklik.IsCode(err, otklik.EINTERNAL) {
			t.Errorf("records with different reasons: %v, want EINTERNAL", err)
		}
		for _, n := range numbers {
			if tk := f.ticket(t, n); sameMoment(tk.DueAt, later) {
				t.Errorf("%s: moved to %v by a refused batch", n, tk.DueAt)
			}
		}
	})
}

// storeRecomputed stores read tickets as one recomputed batch of pass 1, as the recompute job does: each
// changed by edit, one version on, with a sealed SLA record of the system's whose reason is reason(i).
// It returns the stale ones.
func (f *slaFixture) storeRecomputed(read []*otklik.Ticket, edit func(i int, tk *otklik.Ticket), reason func(i int) string) (stale []*otklik.Ticket, err error) {
	return f.storeRecomputedBy(1, otklik.SystemActor, read, edit, reason)
}

// storeRecomputedBy is storeRecomputed with the batch's pass and its records' actor.
func (f *slaFixture) storeRecomputedBy(pass int64, actor otklik.Actor, read []*otklik.Ticket, edit func(i int, tk *otklik.Ticket),
	reason func(i int) string) (stale []*otklik.Ticket, err error) {
	ctx := context.Background()
	err = f.st.Write(ctx, func(tx otklik.Tx) error {
		ts, prev, recs := recomputedBatch(tx, actor, read, edit, reason)
		var err error
		stale, err = tx.StoreRecomputed(ctx, pass, ts, prev, recs)
		return err
	})
	return stale, err
}

// recomputedBatch is read as the recompute job would store it in tx: each ticket changed by edit, one
// version on, with a sealed SLA record of actor's whose reason is reason(i).
func recomputedBatch(tx otklik.Tx, actor otklik.Actor, read []*otklik.Ticket, edit func(i int, tk *otklik.Ticket),
	reason func(i int) string) (ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord) {
	for i, r := range read {
		tk := *r
		edit(i, &tk)
		tk.Version, tk.UpdatedAt = r.Version+1, tx.Now()
		rec := &otklik.JournalRecord{Actor: actor, Kind: otklik.KindSLA, Field: "due_at", At: tx.Now(),
			Before: "before", After: "after", Reason: reason(i)}
		rec.Seal(&tk)
		ts, prev, recs = append(ts, &tk), append(prev, r.Version), append(recs, []*otklik.JournalRecord{rec})
	}
	return ts, prev, recs
}

// A recomputed batch keeps each ticket's timer as the ticket says, but never later than it was: moved
// earlier, unchanged, gone, new for a ticket that had none, and left at its old time where the ticket
// says later (TestTimerLeftEarlyFiresForNothing shows what comes of that).
func TestStoreRecomputedTimers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		ctx := context.Background()
		numbers := f.createMany(t, 5, "payments")
		// storeBatch stores the open tickets as one recomputed batch with the timers next gives.
		storeBatch := func(next func(i int, was *time.Time) *time.Time) {
			t.Helper()
			read, err := f.st.OpenTickets(ctx, 0, 10, otklik.TimeSpan{})
			if err != nil || len(read) != len(numbers) {
				t.Fatalf("open tickets: %d, %v", len(read), err)
			}
			var timers []*time.Time // as stored before the batch: OpenTickets does not read them
			for _, r := range read {
				timers = append(timers, f.ticket(t, r.Number).SLA.NextAt)
			}
			stale, err := f.storeRecomputed(read, func(i int, tk *otklik.Ticket) { tk.SLA.NextAt = next(i, timers[i]) },
				func(int) string { return "test" })
			if err != nil || len(stale) > 0 {
				t.Fatalf("stale tickets %v, %v", stale, err)
			}
		}
		var was []*time.Time
		for _, n := range numbers {
			if next := f.ticket(t, n).SLA.NextAt; next == nil {
				t.Fatalf("%s: registered without a timer", n)
			} else {
				was = append(was, next)
			}
		}
		// First the third ticket loses its timer, so that the second batch gives it a new one.
		storeBatch(func(i int, was *time.Time) *time.Time {
			if i == 2 {
				return nil
			}
			return was
		})
		if next := f.ticket(t, numbers[2]).SLA.NextAt; next != nil {
			t.Fatalf("%s: timer %v left, want none", numbers[2], next)
		}
		earlier, fresh, later := was[0].Add(-time.Hour), msk(t, "2027-01-15 12:00"), was[4].Add(24*time.Hour)
		storeBatch(func(i int, was *time.Time) *time.Time {
			return []*time.Time{&earlier, nil, &fresh, was, &later}[i]
		})
		want := []*time.Time{&earlier, nil, &fresh, was[3], was[4]}
		for i, n := range numbers {
			got := f.ticket(t, n).SLA.NextAt
			if (got == nil) != (want[i] == nil) || got != nil && !got.Equal(*want[i]) {
				t.Errorf("%s: timer %v, want %v", n, got, want[i])
			}
		}
		if due, err := f.st.SLADue(ctx, fresh, 10); err != nil || len(due) != 4 {
			t.Errorf("timers due by %v: %d tickets, %v; want 4", fresh, len(due), err)
		}
	})
}

// TestTimerLeftEarlyFiresForNothing: a holiday that moves a reminder later leaves the ticket's timer
// at the old time; when it comes, nothing is sent or recorded and the timer moves to the new reminder,
// which then comes as due. Taking the holiday back moves the reminder earlier: the timer moves at once.
func TestTimerLeftEarlyFiresForNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-03-16 10:00") // Monday
		ctx := context.Background()
		admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
		tk := f.create(t, "payments", false) // first response in 24 working hours: Wednesday 18 March 16:00
		recompute := func() {
			t.Helper()
			jobs, err := f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
			if err != nil || len(jobs) == 0 {
				t.Fatalf("recompute jobs: %v %d", err, len(jobs))
			}
			for _, j := range jobs {
				if err := f.svc.RecomputeDeadlines(ctx, j.Payload); err != nil {
					t.Fatal(err)
				}
			}
		}
		timer := func(want string) {
			t.Helper()
			if next := f.ticket(t, tk.Number).SLA.NextAt; !sameMoment(next, msk(t, want)) {
				t.Errorf("timer %v, want %s", next, want)
			}
		}
		runTimers := func(at, want string) {
			t.Helper()
			f.set(t, at)
			before := len(f.slaRecords(t, tk.Number))
			n, err := f.svc.RunSLATimers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.slaRecords(t, tk.Number)[before:]; strings.Join(got, ",") != want || n != len(got) {
				t.Errorf("%s: SLA records %v (%d tickets handled), want %q", at, got, n, want)
			}
		}
		timer("2026-03-17 16:00") // the reminder, a working day (nine hours) before

		if err := f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-03-17", Kind: "holiday"}); err != nil {
			t.Fatal(err)
		}
		recompute()
		moved := f.ticket(t, tk.Number)
		if !sameMoment(moved.FirstResponseDueAt, msk(t, "2026-03-19 16:00")) {
			t.Fatalf("first response due %v after the holiday", moved.FirstResponseDueAt)
		}
		timer("2026-03-17 16:00") // left early: the reminder is now Wednesday 16:00
		runTimers("2026-03-17 16:00", "")
		if v := f.ticket(t, tk.Number).Version; v != moved.Version {
			t.Errorf("a timer that fired for nothing changed the ticket: version %d, was %d", v, moved.Version)
		}
		timer("2026-03-18 16:00")

		if err := f.svc.DeleteCalendarOverride(ctx, anAdmin, "office", "2026-03-17"); err != nil {
			t.Fatal(err)
		}
		recompute()
		timer("2026-03-17 16:00") // moved earlier at once: the reminder is due now
		runTimers("2026-03-17 16:00", "first_response_reminded")
		timer("2026-03-18 16:00") // the breach
	})
}

// TestRecomputeOneAtATime: a recomputation that finds another running on its node changes nothing and
// queues itself again, as it was, ten seconds later; run then, it moves the deadlines.
func TestRecomputeOneAtATime(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		checkRecomputeWaits(t, f, f.svc, func() (release func()) { return service.HoldRecomputation(f.svc) })
	})
}

// Recomputations run one at a time across the nodes of a store too: on PostgreSQL a node whose job
// finds another node's recomputation running queues it again and changes nothing until that one ends.
// SQLite is one node's: its lock is always free.
func TestRecomputeOneAtATimeAcrossNodes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		ctx := context.Background()
		if engine == "sqlite" {
			for range 2 {
				if unlock, ok, err := f.st.LockRecomputation(ctx); err != nil || !ok {
					t.Fatalf("SQLite's recomputation lock: ok %v, %v; want always free", ok, err)
				} else {
					defer unlock()
				}
			}
			return
		}
		other := f.db.MustOpen(t, f.clock.Now) // a second node on the same database
		checkRecomputeWaits(t, f, service.New(service.Options{Store: other, Now: f.clock.Now}), func() (release func()) {
			unlock, ok, err := f.st.LockRecomputation(ctx) // the first node's recomputation runs
			if err != nil || !ok {
				t.Fatalf("first node's lock: ok %v, %v", ok, err)
			}
			if _, ok, err := other.LockRecomputation(ctx); err != nil || ok {
				t.Fatalf("second node took the lock the first holds: ok %v, %v", ok, err)
			}
			return unlock
		})
		// The second node gave the lock back when its recomputation ended.
		if unlock, ok, err := f.st.LockRecomputation(ctx); err != nil || !ok {
			t.Errorf("lock after the second node's recomputation: ok %v, %v; want free", ok, err)
		} else {
			unlock()
		}
	})
}

// checkRecomputeWaits makes a holiday of a day every deadline of a new ticket spans and runs the
// recomputation it queued on svc while hold holds another: it must change nothing and queue itself
// again, unchanged, ten seconds later; run again once hold's release is called, it moves the deadline.
func checkRecomputeWaits(t *testing.T, f *slaFixture, svc *service.Service, hold func() (release func())) {
	t.Helper()
	ctx := context.Background()
	tk := f.create(t, "payments", false)
	admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
	if err := f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-12-22", Kind: "holiday"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("recompute jobs: %v %d", err, len(jobs))
	}
	first := jobs[0]

	release := hold()
	if err := svc.RecomputeDeadlines(ctx, first.Payload); err != nil {
		t.Fatal(err)
	}
	if got := f.ticket(t, tk.Number); !sameMoment(got.DueAt, *tk.DueAt) {
		t.Errorf("deadline moved by a recomputation while another ran: %v → %v", tk.DueAt, got.DueAt)
	}
	if jobs, err = f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA}); err != nil || len(jobs) != 2 {
		t.Fatalf("recompute jobs after one found another running: %v %d, want 2", err, len(jobs))
	}
	again := jobs[0]
	if again.ID == first.ID {
		again = jobs[1]
	}
	if again.Payload != first.Payload || !again.RunAt.Equal(f.clock.Now().Add(10*time.Second)) {
		t.Errorf("queued again: payload %s at %v; want %s at %v", again.Payload, again.RunAt, first.Payload,
			f.clock.Now().Add(10*time.Second))
	}

	release()
	if err := svc.RecomputeDeadlines(ctx, again.Payload); err != nil {
		t.Fatal(err)
	}
	if got := f.ticket(t, tk.Number); sameMoment(got.DueAt, *tk.DueAt) {
		t.Errorf("deadline not moved once no other recomputation ran: %v", got.DueAt)
	}
	if jobs, err = f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA}); err != nil || len(jobs) != 2 {
		t.Errorf("recompute jobs after it ran: %v %d, want still 2", err, len(jobs))
	}
}

// A calendar change on one day recomputes only the tickets whose deadlines span that day; a full
// recomputation afterwards finds nothing more to move, whatever the tickets (categories with hours
// and days targets, appeals, paused ones, tickets registered before, on and after the day).
func TestDayRecomputeMissesNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-01 08:00")
		ctx := context.Background()
		cats := []string{"access", "payments", "fraud", "forms", "personal_data", "other"}
		r := rand.New(rand.NewPCG(7, 11))
		var numbers []string
		for i := 0; i < 120; i++ {
			tk := f.create(t, cats[r.IntN(len(cats))], i%9 == 0)
			numbers = append(numbers, tk.Number)
			if i%7 == 0 {
				if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, tk.Number, service.StatusChange{Status: otklik.StatusWaiting}); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Add(time.Duration(r.IntN(300)) * time.Minute) // over about three weeks
		}
		admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
		snapshot := func() map[string]string {
			m := map[string]string{}
			for _, n := range numbers {
				tk := f.ticket(t, n)
				m[n] = fmt.Sprint(tk.DueAt, tk.FirstResponseDueAt, tk.SLA.LegalDueAt)
			}
			return m
		}
		moved := 0
		done := 0
		for _, change := range []struct {
			day, kind string // kind "" removes the day's override
		}{{"2026-12-10", "holiday"}, {"2026-12-19", "work"}, {"2026-12-15", "short"}, {"2026-12-10", ""}, {"2026-12-31", "holiday"}} {
			var err error
			if change.kind == "" {
				err = f.svc.DeleteCalendarOverride(ctx, anAdmin, "office", change.day)
			} else {
				err = f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: change.day, Kind: change.kind})
			}
			if err != nil {
				t.Fatal(err)
			}
			jobs, err := f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
			if err != nil || len(jobs) != done+1 {
				t.Fatalf("recompute jobs: %v %d", err, len(jobs))
			}
			job := jobs[0]
			for _, j := range jobs {
				if j.ID > job.ID {
					job = j
				}
			}
			done++
			if !strings.Contains(job.Payload, `"from"`) {
				t.Errorf("a one-day change queued a full recomputation: %s", job.Payload)
			}
			before := snapshot()
			if err := f.svc.RecomputeDeadlines(ctx, job.Payload); err != nil {
				t.Fatal(err)
			}
			after := snapshot()
			for n := range after {
				if after[n] != before[n] {
					moved++
				}
			}
			if err := f.svc.RecomputeDeadlines(ctx, `{"after_id":0}`); err != nil {
				t.Fatal(err)
			}
			for n, full := range snapshot() {
				if full != after[n] {
					t.Errorf("%s %s: %s: the day's recomputation left %s, a full one gives %s", change.day, change.kind, n, after[n], full)
				}
			}
		}
		if moved == 0 {
			t.Fatal("no deadline moved: the test does not test anything")
		}
		t.Logf("%d deadline moves over the changes, %d tickets", moved, len(numbers))
	})
}

// TestRecomputeOnBulkWriters: on PostgreSQL the recomputation writes its transactions on the bulk
// writers, here three at once beside a single request writer. Every open ticket moves once, with one
// journal record, its timer follows, and the journal verifies. The timers are first set a month late,
// so that each must move (earlier: a recomputation never moves one later).
func TestRecomputeOnBulkWriters(t *testing.T) {
	db := testkit.MustNewDB(t, "postgres")
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // Monday, 15:00 Moscow
	clock := func() time.Time { return now }
	st, err := store.Open(ctx, store.Options{URL: db.URL, Synchronous: "normal", Now: clock, Writers: 1, BulkWriters: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(service.Options{Store: st, Now: clock, Logger: slog.New(slog.DiscardHandler)})
	const n = 4500 // two read batches: three bulk transactions at once, then two
	if _, err := demo.Fill(ctx, svc, demo.FillOptions{Tickets: n, Batch: 1000, Workers: 2, Seed: 3, Days: 1, Now: clock, Open: true}); err != nil {
		t.Fatal(err)
	}
	timers := func() map[int64]time.Time {
		rows, err := db.Raw.Query("SELECT ticket_id, next_at FROM sla_timers")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int64]time.Time{}
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				t.Fatal(err)
			}
			out[id] = at
		}
		return out
	}
	due, timer := map[int64]time.Time{}, timers()
	if _, err := db.Raw.Exec("UPDATE sla_timers SET next_at = next_at + interval '30 days'"); err != nil {
		t.Fatal(err)
	}
	for _, tk := range allOpen(t, st) {
		due[tk.ID] = *tk.DueAt
	}
	admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
	if err := svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: "2026-11-24", Kind: "holiday"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("recompute jobs: %d, %v", len(jobs), err)
	}
	if err := svc.RecomputeDeadlines(ctx, jobs[0].Payload); err != nil {
		t.Fatal(err)
	}
	moved, later, after := 0, 0, timers()
	for _, tk := range allOpen(t, st) {
		next, ok := after[tk.ID]
		if !tk.DueAt.After(due[tk.ID]) || !ok || next.Before(timer[tk.ID]) || !next.Before(timer[tk.ID].AddDate(0, 0, 30)) {
			t.Fatalf("ticket %d: due %v (was %v), timer %v (was %v before it was set a month late)", tk.ID, tk.DueAt, due[tk.ID], next, timer[tk.ID])
		}
		if next.After(timer[tk.ID]) {
			later++ // than before the holiday
		}
		moved++
	}
	var recs, tickets int
	if err := db.Raw.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT ticket_id) FROM journal WHERE kind = 'sla'`).Scan(&recs, &tickets); err != nil {
		t.Fatal(err)
	}
	if moved != len(due) || len(due) != n || recs != n || tickets != n || later == 0 {
		t.Errorf("%d of %d open tickets moved (%d timers later), %d SLA records on %d tickets; want %d each", moved, len(due), later, recs, tickets, n)
	}
	if rep, err := svc.Verify(ctx); err != nil || rep.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
}

// allOpen reads every open ticket, by ID, as the recomputation does.
func allOpen(tb testing.TB, st otklik.Store) []*otklik.Ticket {
	tb.Helper()
	var out []*otklik.Ticket
	for after := int64(0); ; {
		ts, err := st.OpenTickets(context.Background(), after, 5000, otklik.TimeSpan{})
		if err != nil {
			tb.Fatal(err)
		}
		if len(ts) == 0 {
			return out
		}
		out = append(out, ts...)
		after = ts[len(ts)-1].ID
	}
}

// TestOpenTicketsAsTicketByNumber: the recomputation's reader (OpenTickets; on PostgreSQL through pgx's
// own interface) reads every field the SLA engine uses as the ticket's own page does (TicketByNumber):
// a plain ticket, a 59-ФЗ appeal with its deadline extended, and a ticket paused while it waits.
func TestOpenTicketsAsTicketByNumber(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-02-12 10:00")
		ctx := context.Background()
		plain, appeal, waiting := f.create(t, "payments", false), f.create(t, "other", true), f.create(t, "access", false)
		staff := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Петрова Анна", Channel: otklik.ChannelWeb}
		if _, err := f.svc.ExtendDeadline(ctx, staff, appeal.Number, service.Extension{Until: msk(t, "2026-03-20 18:00"), Reason: "documents"}); err != nil {
			t.Fatal(err)
		}
		f.set(t, "2026-02-13 11:30")
		if _, err := f.svc.ChangeStatus(ctx, otklik.SystemActor, waiting.Number, service.StatusChange{Status: otklik.StatusWaiting}); err != nil {
			t.Fatal(err)
		}
		read, err := f.st.OpenTickets(ctx, 0, 10, otklik.TimeSpan{})
		if err != nil {
			t.Fatal(err)
		}
		if len(read) != 3 {
			t.Fatalf("%d open tickets read, want 3", len(read))
		}
		// sla is what the SLA engine reads of a ticket, times with their location.
		sla := func(tk *otklik.Ticket) string {
			tm := func(p *time.Time) string {
				if p == nil {
					return "-"
				}
				return p.Format(time.RFC3339Nano) + " " + p.Location().String()
			}
			return fmt.Sprintf("%d %s %s %d %s %s %s fr %s/%s due %s; appeal %v policy %s paused %s/%v flags %d legal %s ext %d; v%d seq %d head %x",
				tk.ID, tk.Number, tk.Channel, tk.Category.ID, tk.Priority, tk.Status, tm(&tk.CreatedAt), tm(tk.FirstResponseAt),
				tm(tk.FirstResponseDueAt), tm(tk.DueAt), tk.SLA.Appeal, tk.SLA.Policy, tm(tk.SLA.PausedAt), tk.SLA.Paused,
				tk.SLA.Flags, tm(tk.SLA.LegalDueAt), tk.SLA.Extensions, tk.Version, tk.JournalSeq, tk.JournalHead)
		}
		for i, n := range []string{plain.Number, appeal.Number, waiting.Number} {
			if got, want := sla(read[i]), sla(f.ticket(t, n)); got != want {
				t.Errorf("read as open:\n%s\nread by number:\n%s", got, want)
			}
		}
		if read[1].SLA.Extensions != 1 || read[1].SLA.LegalDueAt == nil || read[2].SLA.PausedAt == nil || read[0].JournalHead == nil {
			t.Errorf("the cases are not what they should be: %s; %s; %s", sla(read[0]), sla(read[1]), sla(read[2]))
		}
	})
}

// TestRecomputationsJournalApart: a recomputation's records are stored apart from the rest of the
// journal, under the number of the pass that wrote them, and a ticket's journal still reads back
// whole and in order: records written on their own before, between and after two passes, and the
// passes' records, every sequence number once. The journal verifies.
func TestRecomputationsJournalApart(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		ctx := context.Background()
		numbers := f.createMany(t, 70, "payments") // due 28 December 18:00
		admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
		note := func(i int) {
			t.Helper()
			if _, _, err := f.svc.AddMessage(ctx, admin, numbers[i], service.Reply{Body: "Проверено, ждём ответа смежного ведомства.", Internal: true}); err != nil {
				t.Fatal(err)
			}
		}
		// Two passes at the same moment (the clock stands still): the first gets a number of its own;
		// the second runs as a continuation does, its payload naming its pass, and keeps that number.
		passes := []int64{1, 7}
		for k, day := range []string{"2026-12-24", "2026-12-25"} { // each a holiday: every deadline a day later
			for i := k; i < len(numbers); i += 3 {
				note(i)
			}
			if err := f.svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: day, Kind: "holiday"}); err != nil {
				t.Fatal(err)
			}
			jobs, err := f.st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
			if err != nil || len(jobs) == 0 {
				t.Fatalf("recompute jobs: %v %d", err, len(jobs))
			}
			payload := slices.MaxFunc(jobs, func(a, b *otklik.Job) int { return cmp.Compare(a.ID, b.ID) }).Payload
			if k == 1 {
				payload = strings.Replace(payload, "{", `{"pass":7,`, 1)
			}
			if err := f.svc.RecomputeDeadlines(ctx, payload); err != nil {
				t.Fatal(err)
			}
		}
		note(2)
		for i, n := range numbers {
			tk := f.ticket(t, n)
			if !sameMoment(tk.DueAt, msk(t, "2026-12-30 18:00")) {
				t.Errorf("%s: due %v after two holidays", n, tk.DueAt)
			}
			recs, err := f.svc.Journal(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for j, r := range recs {
				if r.Seq != int64(j+1) {
					t.Fatalf("%s: record %d has number %d", n, j+1, r.Seq)
				}
				kinds = append(kinds, string(r.Kind))
			}
			if int64(len(recs)) != tk.JournalSeq || recs[len(recs)-1].Hash == nil || string(recs[len(recs)-1].Hash) != string(tk.JournalHead) {
				t.Errorf("%s: %d records read, the ticket's journal has %d; %v", n, len(recs), tk.JournalSeq, kinds)
			}
			want := []string{string(otklik.KindCreated)}
			for k := range passes {
				if (i-k)%3 == 0 && i >= k {
					want = append(want, string(otklik.KindMessage))
				}
				want = append(want, string(otklik.KindSLA))
			}
			if i == 2 {
				want = append(want, string(otklik.KindMessage))
			}
			if !slices.Equal(kinds, want) {
				t.Errorf("%s: journal %v, want %v", n, kinds, want)
			}
		}
		if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil || rep.Records == 0 {
			t.Fatalf("verify: %v %+v", err, rep)
		}
		// Behind the store: each pass's records, one a ticket, under its pass; the rest under 0.
		got := queryLines(t, f.db, "SELECT pass || ' ' || kind || ' ' || count(*) FROM journal GROUP BY pass, kind ORDER BY pass, kind")
		want := []string{fmt.Sprintf("0 %s 70", otklik.KindCreated), fmt.Sprintf("0 %s 48", otklik.KindMessage),
			fmt.Sprintf("%d %s 70", passes[0], otklik.KindSLA), fmt.Sprintf("%d %s 70", passes[1], otklik.KindSLA)}
		if !slices.Equal(got, want) {
			t.Errorf("journal by pass and kind:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestRecomputedTextStoredOnce: what a pass's records share in text — the actor's name and the reason —
// is stored once for the pass, not in each record, and every record still reads back, and verifies, as
// it was written. A batch worded otherwise than its pass keeps its own text; one with no text at all
// in a pass that has some is refused. A pass's first batch rolled back takes the pass's text with it.
// The text is append-only, and altered behind the store's back, verify finds the pass's records altered.
func TestRecomputedTextStoredOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newSLAFixture(t, engine, "2026-12-21 10:00")
		ctx := context.Background()
		numbers := f.createMany(t, 5, "payments")
		const why = "пересчёт после изменения календаря или политики SLA"
		due := msk(t, "2027-01-15 18:00")
		store := func(pass int64, actor otklik.Actor, reason string) error {
			t.Helper()
			read, err := f.st.OpenTickets(ctx, 0, 10, otklik.TimeSpan{})
			if err != nil || len(read) != len(numbers) {
				t.Fatalf("open tickets: %d, %v", len(read), err)
			}
			due = due.Add(24 * time.Hour)
			stale, err := f.storeRecomputedBy(pass, actor, read, func(_ int, tk *otklik.Ticket) { tk.DueAt = &due },
				func(int) string { return reason })
			if err == nil && len(stale) != 0 {
				t.Fatalf("stale %v", stale)
			}
			return err
		}
		// Two batches of pass 3, then one of pass 3 worded otherwise (a pass begun by another version).
		other := "пересчёт сроков после изменения производственного календаря"
		for _, reason := range []string{why, why, other} {
			if err := store(3, otklik.SystemActor, reason); err != nil {
				t.Fatal(err)
			}
		}
		nameless := otklik.SystemActor
		nameless.Name = ""
		if err := store(3, nameless, ""); !otklik.IsCode(err, otklik.EINTERNAL) {
			t.Errorf("records without text in a pass with some: %v, want EINTERNAL", err)
		}
		stored := queryLines(t, f.db, `SELECT actor_name || '|' || reason || '|' || count(*) FROM journal WHERE pass = 3
			GROUP BY actor_name, reason ORDER BY count(*) DESC`)
		if want := []string{"||10", otklik.SystemActor.Name + "|" + other + "|5"}; !slices.Equal(stored, want) {
			t.Errorf("pass 3's records as stored (name|reason|count): %q, want %q", stored, want)
		}
		if got, want := queryLines(t, f.db, `SELECT pass || '|' || actor_name || '|' || reason FROM journal_passes`),
			[]string{"3|" + otklik.SystemActor.Name + "|" + why}; !slices.Equal(got, want) {
			t.Errorf("journal_passes: %q, want %q", got, want)
		}
		for _, n := range numbers {
			recs, err := f.svc.Journal(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range recs[len(recs)-3:] {
				got = append(got, r.Actor.Name+"|"+r.Reason)
			}
			if want := []string{"Отклик|" + why, "Отклик|" + why, "Отклик|" + other}; !slices.Equal(got, want) {
				t.Errorf("%s: the pass's records read back as %q, want %q", n, got, want)
			}
		}
		if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
			t.Fatalf("verify: %v %+v", err, rep.Broken)
		}
		// A pass whose first batch rolled back: its text went with it, and the next batch stores it anew.
		read, err := f.st.OpenTickets(ctx, 0, 10, otklik.TimeSpan{})
		if err != nil {
			t.Fatal(err)
		}
		rollback := errors.New("rolled back")
		if err := f.st.Write(ctx, func(tx otklik.Tx) error {
			ts, prev, recs := recomputedBatch(tx, otklik.SystemActor, read[:1], func(int, *otklik.Ticket) {}, func(int) string { return why })
			if _, err := tx.StoreRecomputed(ctx, 4, ts, prev, recs); err != nil {
				return err
			}
			return rollback
		}); !errors.Is(err, rollback) {
			t.Fatalf("rolled-back batch: %v", err)
		}
		for range 2 {
			if err := store(4, otklik.SystemActor, why); err != nil {
				t.Fatal(err)
			}
		}
		if got := queryLines(t, f.db, `SELECT reason FROM journal_passes WHERE pass = 4`); !slices.Equal(got, []string{why}) {
			t.Errorf("pass 4's text after its first batch rolled back: %q", got)
		}
		if rep, err := f.svc.Verify(ctx); err != nil || rep.Broken != nil {
			t.Fatalf("verify: %v %+v", err, rep.Broken)
		}
		// A pass whose only batch found every ticket changed since it was read stores its text and no
		// record; the next pass still takes a number of its own.
		if read, err = f.st.OpenTickets(ctx, 0, 10, otklik.TimeSpan{}); err != nil {
			t.Fatal(err)
		}
		if err := f.st.Write(ctx, func(tx otklik.Tx) error {
			ts, prev, recs := recomputedBatch(tx, otklik.SystemActor, read, func(int, *otklik.Ticket) {}, func(int) string { return why })
			for i := range prev {
				prev[i]-- // read at a version the tickets have since left
			}
			stale, err := tx.StoreRecomputed(ctx, 5, ts, prev, recs)
			if err == nil && len(stale) != len(ts) {
				err = fmt.Errorf("%d of %d tickets stale", len(stale), len(ts))
			}
			return err
		}); err != nil {
			t.Fatalf("a pass of stale tickets only: %v", err)
		}
		if n := queryLines(t, f.db, `SELECT count(*) FROM journal WHERE pass = 5`); !slices.Equal(n, []string{"0"}) {
			t.Fatalf("pass 5 wrote records: %q", n)
		}
		if last, err := f.st.LastPass(ctx); err != nil || last != 5 {
			t.Errorf("last pass after a pass that wrote its text only: %d, %v; want 5", last, err)
		}
		// The pass's text is append-only, as the journal; altered behind the triggers, verify finds out.
		if _, err := f.db.Raw.ExecContext(ctx, `UPDATE journal_passes SET reason = 'подмена'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("altering a pass's text: %v, want the append-only refusal", err)
		}
		drop := `DROP TRIGGER journal_passes_no_update`
		if engine == "postgres" {
			drop += ` ON journal_passes`
		}
		if _, err := f.db.Raw.ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Raw.ExecContext(ctx, `UPDATE journal_passes SET reason = 'подмена'`); err != nil {
			t.Fatal(err)
		}
		rep, err := f.svc.Verify(ctx)
		if err != nil || rep.Broken == nil || !strings.Contains(rep.Broken.Reason, "altered") {
			t.Fatalf("verify after the pass's text was altered: %v %+v", err, rep.Broken)
		}
	})
}

// queryLines reads a query's rows of one column of text behind the store.
func queryLines(t *testing.T, db *testkit.DB, q string) []string {
	t.Helper()
	rows, err := db.Raw.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
