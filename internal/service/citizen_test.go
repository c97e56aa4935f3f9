package service_test

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

var codeRe = regexp.MustCompile(`(?m):\s*(\d{6})\s*$`)

// lastCode returns the one-time code of the newest code e-mail to the address, read from the outbox.
func (f *mailFixture) lastCode(t *testing.T, to string) string {
	t.Helper()
	for _, m := range f.outbox(t) { // newest first
		if m.To != to || m.Kind != otklik.MailCitizenCode {
			continue
		}
		r := f.rawOf(t, m.ID)
		for {
			p, err := r.NextPart()
			if err != nil {
				t.Fatalf("no text part in the code mail: %v", err)
			}
			if h, ok := p.Header.(*mail.InlineHeader); ok {
				if ct, _, _ := h.ContentType(); ct == "text/plain" {
					body, _ := io.ReadAll(p.Body)
					if m := codeRe.FindStringSubmatch(string(body)); m != nil {
						return m[1]
					}
				}
			}
		}
	}
	t.Fatalf("no code mail to %s", to)
	return ""
}

func (f *mailFixture) count(t *testing.T, kind otklik.MailKind) int {
	t.Helper()
	n := 0
	for _, m := range f.outbox(t) {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

func wantCode(t *testing.T, err error, code otklik.Code, key string) {
	t.Helper()
	var e *otklik.Error
	if !otklikAs(err, &e) || e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
}

func otklikAs(err error, e **otklik.Error) bool { return errors.As(err, e) }

func TestCitizenSignInByCode(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		if err := f.svc.SendSignInCode(ctx, " Maria@Example.RU "); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode(t, "maria@example.ru")
		secret, err := f.svc.SignInByCode(ctx, "maria@example.ru", code, "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		ss, err := f.svc.CitizenSession(ctx, secret)
		if err != nil || ss.Email != "maria@example.ru" || ss.Via != service.ViaCode {
			t.Fatalf("session: %+v, %v", ss, err)
		}
		// A code works once.
		_, err = f.svc.SignInByCode(ctx, "maria@example.ru", code, "", "")
		wantCode(t, err, otklik.EUNAUTHORIZED, "citizen.bad_code")

		// Idle for 30 minutes ends the session; activity keeps it until 12 hours.
		for range 23 {
			f.clock.Add(29 * time.Minute)
			if _, err := f.svc.CitizenSession(ctx, secret); err != nil {
				t.Fatalf("active session ended early: %v", err)
			}
		}
		f.clock.Add(29 * time.Minute) // 23×29 + 29 min = 11 h 36 min: still within 12 h
		if _, err := f.svc.CitizenSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(25 * time.Minute)
		_, err = f.svc.CitizenSession(ctx, secret)
		wantCode(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		if err := f.svc.SendSignInCode(ctx, "maria@example.ru"); err != nil {
			t.Fatal(err)
		}
		secret, _ = f.svc.SignInByCode(ctx, "maria@example.ru", f.lastCode(t, "maria@example.ru"), "", "")
		f.clock.Add(30 * time.Minute)
		_, err = f.svc.CitizenSession(ctx, secret)
		wantCode(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		// Sign-out ends it at once.
		if err := f.svc.SendSignInCode(ctx, "maria@example.ru"); err != nil {
			t.Fatal(err)
		}
		secret, _ = f.svc.SignInByCode(ctx, "maria@example.ru", f.lastCode(t, "maria@example.ru"), "", "")
		if err := f.svc.EndCitizenSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CitizenSession(ctx, secret)
		wantCode(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		// A malformed address is refused before anything is sent.
		wantCode(t, f.svc.SendSignInCode(ctx, "not an address"), otklik.EINVALID, "")
	})
}

func TestCitizenCodeLockoutAndExpiry(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		addr := "petr@example.ru"
		if err := f.svc.SendSignInCode(ctx, addr); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode(t, addr)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err := f.svc.SignInByCode(ctx, addr, wrong, "", "")
		wantCode(t, err, otklik.EUNAUTHORIZED, "citizen.bad_code")
		_, err = f.svc.SignInByCode(ctx, addr, wrong, "", "")
		wantCode(t, err, otklik.EUNAUTHORIZED, "citizen.bad_code")
		_, err = f.svc.SignInByCode(ctx, addr, wrong, "", "")
		wantCode(t, err, otklik.ERATELIMITED, "citizen.locked")
		if e := err.(*otklik.Error); e.Args["minutes"] != "15" {
			t.Errorf("lock minutes: %v", e.Args)
		}
		// Locked: even the right code is refused, and no new code is sent.
		_, err = f.svc.SignInByCode(ctx, addr, code, "", "")
		wantCode(t, err, otklik.ERATELIMITED, "citizen.locked")
		wantCode(t, f.svc.SendSignInCode(ctx, addr), otklik.ERATELIMITED, "citizen.locked")

		// After 15 minutes a new code works; one 10 minutes old has expired.
		f.clock.Add(15 * time.Minute)
		if err := f.svc.SendSignInCode(ctx, addr); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(10*time.Minute + time.Second)
		_, err = f.svc.SignInByCode(ctx, addr, f.lastCode(t, addr), "", "")
		wantCode(t, err, otklik.EUNAUTHORIZED, "citizen.code_expired")
		if err := f.svc.SendSignInCode(ctx, addr); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(9 * time.Minute)
		if _, err := f.svc.SignInByCode(ctx, addr, f.lastCode(t, addr), "", ""); err != nil {
			t.Fatalf("a 9-minute-old code: %v", err)
		}

		// At most five codes an hour to one address.
		f.clock.Add(2 * time.Hour)
		for i := range service.CitizenCodesPerHour {
			if err := f.svc.SendSignInCode(ctx, addr); err != nil {
				t.Fatalf("code %d: %v", i+1, err)
			}
		}
		wantCode(t, f.svc.SendSignInCode(ctx, addr), otklik.ERATELIMITED, "citizen.too_many_codes")
	})
}

// citizenTickets files three tickets for maria@example.ru (by e-mail, the form and the phone) and
// one for someone else, and returns their numbers.
func citizenTickets(t *testing.T, f *mailFixture) (email, web, phone, other string) {
	t.Helper()
	ctx := context.Background()
	out := f.ingest(t, f.msg("maria@example.ru", "Не приходит код подтверждения", "Здравствуйте, не приходит SMS с кодом."))
	mk := func(ch otklik.Channel, addr, subject, category string) string {
		tk, _, err := f.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: ch, Subject: subject, Body: subject + ".",
			Category: category, Requester: service.RequesterInput{Name: "Мария", Email: addr}})
		if err != nil {
			t.Fatal(err)
		}
		return tk.Number
	}
	f.clock.Add(24 * time.Hour)
	web = mk(otklik.ChannelWeb, "maria@example.ru", "Ошибка при оплате госпошлины", "payments")
	f.clock.Add(24 * time.Hour)
	phone = mk(otklik.ChannelPhone, "Maria@example.ru", "Не могу загрузить документ", "documents")
	other = mk(otklik.ChannelWeb, "petr@example.ru", "Чужое обращение", "other")
	return out.Ticket, web, phone, other
}

func TestMyTicketsOwnership(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		byMail, byWeb, byPhone, other := citizenTickets(t, f)

		pg, err := f.svc.MyTickets(ctx, "maria@example.ru", service.MyQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range pg.Items {
			got = append(got, tk.Number)
		}
		if want := []string{byPhone, byWeb, byMail}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("my tickets: %v, want %v", got, want)
		}
		// Filters: category, status, registration dates.
		pg, _ = f.svc.MyTickets(ctx, "maria@example.ru", service.MyQuery{Category: "documents"})
		if len(pg.Items) != 1 || pg.Items[0].Number != byPhone {
			t.Errorf("category filter: %d tickets", len(pg.Items))
		}
		pg, _ = f.svc.MyTickets(ctx, "maria@example.ru", service.MyQuery{Status: "closed"})
		if len(pg.Items) != 0 {
			t.Errorf("status filter: %d tickets", len(pg.Items))
		}
		pg, _ = f.svc.MyTickets(ctx, "maria@example.ru", service.MyQuery{From: "2026-11-24", To: "2026-11-24"})
		if len(pg.Items) != 1 || pg.Items[0].Number != byWeb {
			t.Errorf("date filter: %d tickets", len(pg.Items))
		}
		_, err = f.svc.MyTickets(ctx, "maria@example.ru", service.MyQuery{Status: "bogus"})
		wantCode(t, err, otklik.EINVALID, "")
		// Nobody without an address sees anything.
		_, err = f.svc.MyTickets(ctx, "", service.MyQuery{})
		wantCode(t, err, otklik.EUNAUTHORIZED, "")

		// Someone else's ticket is exactly as missing.
		_, errOther := f.svc.MyTicket(ctx, "maria@example.ru", other)
		missing := strings.Replace(other, other[3:9], "999999", 1)
		_, errMissing := f.svc.MyTicket(ctx, "maria@example.ru", missing)
		wantCode(t, errOther, otklik.ENOTFOUND, "ticket.not_found")
		wantCode(t, errMissing, otklik.ENOTFOUND, "ticket.not_found")
		_, _, err = f.svc.CitizenReply(ctx, "maria@example.ru", other, "Вмешаюсь")
		wantCode(t, err, otklik.ENOTFOUND, "ticket.not_found")
		wantCode(t, f.svc.Remind(ctx, "maria@example.ru", other), otklik.ENOTFOUND, "ticket.not_found")

		// Internal notes never reach the citizen; staff replies do.
		staff := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Олег Операторов", Channel: otklik.ChannelAgent}
		if _, _, err := f.svc.AddMessage(ctx, staff, byWeb, service.Reply{Body: "Внутренняя заметка: проверить платёж", Internal: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.AddMessage(ctx, staff, byWeb, service.Reply{Body: "Проверьте, пожалуйста, квитанцию."}); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.MyTicket(ctx, "MARIA@example.ru", byWeb)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range v.Messages {
			if m.Internal || strings.Contains(m.Body, "Внутренняя") {
				t.Error("an internal note reached the citizen")
			}
		}
		if len(v.Messages) != 2 {
			t.Errorf("messages: %d, want 2", len(v.Messages))
		}
	})
}

func TestCitizenReplyMovesStatus(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		_, byWeb, _, _ := citizenTickets(t, f)
		staff := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Олег Операторов", Channel: otklik.ChannelAgent}
		for _, st := range []otklik.Status{otklik.StatusWaiting, otklik.StatusResolved} {
			if _, err := f.svc.ChangeStatus(ctx, staff, byWeb, service.StatusChange{Status: st}); err != nil {
				t.Fatal(err)
			}
			tk, _, err := f.svc.CitizenReply(ctx, "maria@example.ru", byWeb, "Уточняю: платёж от 20 ноября.")
			if err != nil {
				t.Fatal(err)
			}
			if tk.Status != otklik.StatusInProgress {
				t.Errorf("after a reply to a %s ticket: %s, want in_progress", st, tk.Status)
			}
		}
		_, _, err := f.svc.CitizenReply(ctx, "maria@example.ru", byWeb, "  ")
		wantCode(t, err, otklik.EINVALID, "")
	})
}

func TestCitizenRemindOnceAfter48Hours(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		_, byWeb, _, _ := citizenTickets(t, f)
		u, err := f.svc.AddUser(ctx, service.NewUser{Email: "op@example.ru", Name: "Олег Операторов", Role: otklik.RoleOperator,
			Password: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateTicket(ctx, otklik.SystemActor, byWeb, service.TicketPatch{AssigneeID: &u.ID}); err != nil {
			t.Fatal(err)
		}
		err = f.svc.Remind(ctx, "maria@example.ru", byWeb)
		wantCode(t, err, otklik.ECONFLICT, "citizen.remind_early")
		f.clock.Add(47 * time.Hour)
		wantCode(t, f.svc.Remind(ctx, "maria@example.ru", byWeb), otklik.ECONFLICT, "citizen.remind_early")
		v, _ := f.svc.MyTicket(ctx, "maria@example.ru", byWeb)
		if v.CanRemind(f.clock.Now()) {
			t.Error("the reminder is offered before 48 hours")
		}
		f.clock.Add(time.Hour)
		if v, _ := f.svc.MyTicket(ctx, "maria@example.ru", byWeb); !v.CanRemind(f.clock.Now()) {
			t.Error("the reminder is not offered after 48 hours")
		}
		if err := f.svc.Remind(ctx, "maria@example.ru", byWeb); err != nil {
			t.Fatal(err)
		}
		var reminders []*otklik.MailRecord
		for _, m := range f.outbox(t) {
			if m.Kind == otklik.MailReminder {
				reminders = append(reminders, m)
			}
		}
		if len(reminders) != 1 || reminders[0].To != "op@example.ru" || !strings.Contains(reminders[0].Subject, byWeb) {
			t.Fatalf("reminder mail: %+v", reminders)
		}
		recs, err := f.svc.Journal(ctx, byWeb)
		if err != nil {
			t.Fatal(err)
		}
		if last := recs[len(recs)-1]; last.Kind != otklik.KindReminder || last.Actor.Type != otklik.ActorRequester {
			t.Errorf("journal: last record %s by %s", last.Kind, last.Actor.Type)
		}
		// Once only, however long it waits.
		f.clock.Add(72 * time.Hour)
		wantCode(t, f.svc.Remind(ctx, "maria@example.ru", byWeb), otklik.ECONFLICT, "citizen.remind_done")
		if n := f.count(t, otklik.MailReminder); n != 1 {
			t.Errorf("reminders sent: %d", n)
		}
	})
}

func TestStatusByNumber(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newMailFixture(t, engine, false)
		ctx := context.Background()
		_, byWeb, _, other := citizenTickets(t, f)

		// A pair that does not belong together gets the same answer, and no mail.
		if err := f.svc.SendStatusCode(ctx, other, "maria@example.ru"); err != nil {
			t.Fatalf("a foreign pair: %v", err)
		}
		if err := f.svc.SendStatusCode(ctx, "26-999999-9", "maria@example.ru"); err != nil && !otklik.IsCode(err, otklik.EINVALID) {
			t.Fatalf("a missing number: %v", err)
		}
		if n := f.count(t, otklik.MailCitizenCode); n != 0 {
			t.Fatalf("codes sent for foreign pairs: %d", n)
		}
		_, err := f.svc.StatusByCode(ctx, other, "maria@example.ru", "123456")
		wantCode(t, err, otklik.EUNAUTHORIZED, "citizen.bad_code")

		// A phone is politely refused: no SMS yet.
		wantCode(t, f.svc.SendStatusCode(ctx, byWeb, "+7 912 345-67-89"), otklik.EINVALID, "")
		var e *otklik.Error
		if otklikAs(f.svc.SendStatusCode(ctx, byWeb, "8 912 345 67 89"), &e); e == nil || e.Fields[0].Key != "citizen.sms_unavailable" {
			t.Errorf("phone: %v", e)
		}

		// The right pair gets a code, which shows the status and deadline.
		if err := f.svc.SendStatusCode(ctx, byWeb, "Maria@Example.ru"); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode(t, "maria@example.ru")
		// A sign-in with the status code fails: the code is bound to its purpose.
		_, err = f.svc.SignInByCode(ctx, "maria@example.ru", code, "", "")
		wantCode(t, err, otklik.EUNAUTHORIZED, "citizen.bad_code")
		st, err := f.svc.StatusByCode(ctx, byWeb, "maria@example.ru", code)
		if err != nil {
			t.Fatal(err)
		}
		if st.Number != byWeb || st.Status != otklik.StatusNew || st.DueAt == nil {
			t.Errorf("status: %+v", st)
		}
	})
}
