package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

var mailCodeRe = regexp.MustCompile(`(?m):\s*(\d{6})\s*$`)

// code returns the one-time code of the newest code e-mail to the address, read from the outbox as
// the mail relay would send it.
func (d *desk) code(to string) string {
	d.t.Helper()
	c := mailCodeRe.FindStringSubmatch(d.mailText(to, otklik.MailCitizenCode))
	if c == nil {
		d.t.Fatalf("no code in the code mail to %s", to)
	}
	return c[1]
}

// mailText returns the text part of the newest outbound e-mail of a kind to the address, as the mail
// relay would send it.
func (d *desk) mailText(to string, kind otklik.MailKind) string {
	d.t.Helper()
	ms, err := d.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailOut, Limit: 100})
	if err != nil {
		d.t.Fatal(err)
	}
	for _, m := range ms { // newest first
		if m.To != to || m.Kind != kind {
			continue
		}
		full, err := d.svc.OutboundMail(context.Background(), m.ID)
		if err != nil {
			d.t.Fatal(err)
		}
		r, err := mail.CreateReader(bytes.NewReader(full.Raw))
		if err != nil {
			d.t.Fatal(err)
		}
		for {
			p, err := r.NextPart()
			if err != nil {
				d.t.Fatalf("no text part in the %s mail to %s: %v", kind, to, err)
			}
			if h, ok := p.Header.(*mail.InlineHeader); ok {
				if ct, _, _ := h.ContentType(); ct == "text/plain" {
					body, _ := io.ReadAll(p.Body)
					return strings.ReplaceAll(string(body), "\r\n", "\n")
				}
			}
		}
	}
	d.t.Fatalf("no %s mail to %s", kind, to)
	return ""
}

// mails counts the outbound mail of a kind.
func (d *desk) mails(kind otklik.MailKind) int {
	d.t.Helper()
	ms, err := d.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailOut, Limit: 1000})
	if err != nil {
		d.t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

// citizenSignIn signs a citizen in with the code from the e-mail and returns their CSRF token.
func (b *browser) citizenSignIn(email string) string {
	t := b.d.t
	t.Helper()
	csrf := field(t, csrfRe, b.do("GET", "/login", nil).body)
	if r := b.do("POST", "/login", url.Values{"csrf": {csrf}, "email": {email}}); r.code != http.StatusOK {
		t.Fatalf("code for %s: %d\n%s", email, r.code, r.body)
	}
	r := b.do("POST", "/login/code", url.Values{"csrf": {csrf}, "email": {email}, "code": {b.d.code(email)}})
	if r.code != http.StatusSeeOther || r.location != "/my" {
		t.Fatalf("sign-in of %s: %d → %q\n%s", email, r.code, r.location, r.body)
	}
	return field(t, csrfRe, b.do("GET", "/my", nil).body)
}

// volatile strips what differs between two renders of the same page (the nonce, the tokens).
var volatile = regexp.MustCompile(`nonce="[^"]*"|value="[A-Za-z0-9_-]{22,}"`)

func TestCitizenSignInAndMyTickets(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		ivan := d.browser()

		// Not signed in: «Мои обращения» sends to the sign-in page and back.
		r := ivan.do("GET", "/my/"+d.number, nil)
		if r.code != http.StatusSeeOther || r.location != "/login?back=%2Fmy%2F"+url.QueryEscape(d.number) {
			t.Fatalf("anonymous /my: %d → %q", r.code, r.location)
		}
		login := ivan.do("GET", "/login", nil)
		testkit.CheckHTML(t, "citizen login", []byte(login.body))
		csrf := field(t, csrfRe, login.body)
		if r := ivan.do("POST", "/login", url.Values{"email": {"ivan.petrov@example.ru"}}); r.code != http.StatusForbidden {
			t.Errorf("code request without CSRF token: %d, want 403", r.code)
		}
		codePage := ivan.do("POST", "/login", url.Values{"csrf": {csrf}, "email": {"ivan.petrov@example.ru"}, "back": {"/my/" + d.number}})
		if codePage.code != http.StatusOK || !strings.Contains(codePage.body, "ivan.petrov@example.ru") {
			t.Fatalf("code page: %d", codePage.code)
		}
		testkit.CheckHTML(t, "citizen code", []byte(codePage.body))
		bad := ivan.do("POST", "/login/code", url.Values{"csrf": {csrf}, "email": {"ivan.petrov@example.ru"}, "code": {"12345"}})
		if bad.code != http.StatusUnauthorized || !strings.Contains(bad.body, "Неверный код") {
			t.Errorf("wrong code: %d", bad.code)
		}
		testkit.CheckHTML(t, "citizen wrong code", []byte(bad.body))
		if r := ivan.do("POST", "/login/code", url.Values{"email": {"ivan.petrov@example.ru"}, "code": {d.code("ivan.petrov@example.ru")}}); r.code != http.StatusForbidden {
			t.Errorf("code without CSRF token: %d, want 403", r.code)
		}
		r = ivan.do("POST", "/login/code", url.Values{"csrf": {csrf}, "email": {"ivan.petrov@example.ru"}, "code": {d.code("ivan.petrov@example.ru")},
			"back": {"/my/" + d.number}})
		if r.code != http.StatusSeeOther || r.location != "/my/"+d.number {
			t.Fatalf("sign-in: %d → %q\n%s", r.code, r.location, r.body)
		}

		// The list: the ticket from the form, with its status in Russian and its deadline.
		my := ivan.do("GET", "/my", nil)
		if my.code != http.StatusOK || !strings.Contains(my.body, d.number) || !strings.Contains(my.body, "Принято") ||
			!strings.Contains(my.body, "Ожидаемый срок ответа") {
			t.Fatalf("/my: %d\n%s", my.code, my.body)
		}
		testkit.CheckHTML(t, "my", []byte(my.body))
		csrf = field(t, csrfRe, my.body)
		if f := ivan.do("GET", "/my?status=closed", nil); strings.Contains(f.body, "/my/"+d.number) {
			t.Error("the status filter kept a new ticket")
		} else {
			testkit.CheckHTML(t, "my filtered", []byte(f.body))
		}
		if f := ivan.do("GET", "/my?from=2026-11-23&to=2026-11-23&category=access", nil); f.code != http.StatusOK {
			t.Errorf("date and category filter: %d", f.code)
		}

		// The ticket: staff as «Служба поддержки», internal notes never shown.
		staff := otklik.Actor{Type: otklik.ActorStaff, ID: d.userID("op@example.ru"), Name: "Олег Операторов", Channel: otklik.ChannelAgent}
		if _, _, err := d.svc.AddMessage(ctx, staff, d.number, service.Reply{Body: "СЕКРЕТНАЯ ЗАМЕТКА для коллег", Internal: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.svc.AddMessage(ctx, staff, d.number, service.Reply{Body: "Сбросьте пароль по ссылке «Забыли пароль?»."}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.ChangeStatus(ctx, staff, d.number, service.StatusChange{Status: otklik.StatusWaiting}); err != nil {
			t.Fatal(err)
		}
		page := ivan.do("GET", "/my/"+d.number, nil)
		if page.code != http.StatusOK || !strings.Contains(page.body, "Сбросьте пароль") || !strings.Contains(page.body, "Служба поддержки") {
			t.Fatalf("ticket page: %d\n%s", page.code, page.body)
		}
		if strings.Contains(page.body, "СЕКРЕТНАЯ ЗАМЕТКА") || strings.Contains(page.body, "Олег Операторов") {
			t.Error("the citizen sees an internal note or a staff member's name")
		}
		testkit.CheckHTML(t, "my ticket", []byte(page.body))

		// A reply without the token is refused; with it the ticket goes back into work.
		path := "/my/" + d.number
		if r := ivan.do("POST", path+"/reply", url.Values{"body": {"Без токена"}}); r.code != http.StatusForbidden {
			t.Errorf("reply without CSRF token: %d, want 403", r.code)
		}
		if r := ivan.do("POST", path+"/reply", url.Values{"csrf": {csrf}, "body": {"Спасибо, попробую."}}); r.code != http.StatusSeeOther {
			t.Fatalf("reply: %d\n%s", r.code, r.body)
		}
		v, _ := d.svc.Ticket(ctx, d.number)
		if v.Ticket.Status != otklik.StatusInProgress {
			t.Errorf("status after the citizen's reply: %s, want in_progress", v.Ticket.Status)
		}
		done := ivan.do("GET", path+"?done=reply", nil)
		if !strings.Contains(done.body, "Спасибо, попробую.") || !strings.Contains(done.body, "Ваш ответ добавлен") {
			t.Error("the reply is not on the page")
		}
		testkit.CheckHTML(t, "my ticket after reply", []byte(done.body))

		// «Повторное уведомление»: refused before 48 hours, then once.
		if r := ivan.do("POST", path+"/remind", url.Values{"csrf": {csrf}}); r.code != http.StatusConflict || !strings.Contains(r.body, "48 часов") {
			t.Errorf("early reminder: %d", r.code)
		} else {
			testkit.CheckHTML(t, "early reminder", []byte(r.body))
		}
		d.clock.Add(49 * time.Hour)
		csrf = ivan.citizenSignIn("ivan.petrov@example.ru") // the session ended while nothing moved
		if r := ivan.do("POST", path+"/remind", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
			t.Fatalf("reminder: %d\n%s", r.code, r.body)
		}
		if r := ivan.do("POST", path+"/remind", url.Values{"csrf": {csrf}}); r.code != http.StatusConflict {
			t.Errorf("second reminder: %d, want 409", r.code)
		}
		if n := d.mails(otklik.MailReminder); n != 1 {
			t.Errorf("reminder mails: %d, want 1", n)
		}

		// Another citizen guesses numbers: every one is the same «not found», theirs or missing.
		petr := d.browser()
		pcsrf := petr.citizenSignIn("petr@example.ru")
		if my := petr.do("GET", "/my", nil); strings.Contains(my.body, d.number) {
			t.Error("another citizen's list shows Ivan's ticket")
		}
		missing := strings.Replace(d.number, d.number[3:9], "999999", 1)
		norm := func(body, number string) string {
			return volatile.ReplaceAllString(strings.ReplaceAll(body, number, "N"), "")
		}
		want := petr.do("GET", "/my/"+missing, nil)
		if want.code != http.StatusNotFound {
			t.Fatalf("missing ticket: %d", want.code)
		}
		testkit.CheckHTML(t, "my not found", []byte(want.body))
		for _, guess := range []string{d.number, missing, "26-000001-0", "garbage"} {
			got := petr.do("GET", "/my/"+guess, nil)
			if got.code != http.StatusNotFound || norm(got.body, guess) != norm(want.body, missing) {
				t.Errorf("GET /my/%s by another citizen: %d, not the same page as a missing ticket", guess, got.code)
			}
		}
		for _, action := range []string{"reply", "remind"} {
			got := petr.do("POST", "/my/"+d.number+"/"+action, url.Values{"csrf": {pcsrf}, "body": {"Чужой ответ"}})
			ref := petr.do("POST", "/my/"+missing+"/"+action, url.Values{"csrf": {pcsrf}, "body": {"Чужой ответ"}})
			if got.code != http.StatusNotFound || norm(got.body, d.number) != norm(ref.body, missing) {
				t.Errorf("POST %s on another's ticket: %d", action, got.code)
			}
		}
		if v, _ := d.svc.Ticket(ctx, d.number); strings.Contains(v.Messages[len(v.Messages)-1].Body, "Чужой") {
			t.Error("another citizen's reply reached the ticket")
		}

		// Sign out ends the session.
		if r := ivan.do("POST", "/logout", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.code)
		}
		if r := ivan.do("GET", "/my", nil); r.code != http.StatusSeeOther {
			t.Errorf("/my after sign-out: %d", r.code)
		}
	})
}

func TestCitizenCodeLocksAfterThreeWrong(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		b := d.browser()
		csrf := field(t, csrfRe, b.do("GET", "/login", nil).body)
		b.do("POST", "/login", url.Values{"csrf": {csrf}, "email": {"ivan.petrov@example.ru"}})
		right := d.code("ivan.petrov@example.ru")
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}
		for i, want := range []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusTooManyRequests} {
			r := b.do("POST", "/login/code", url.Values{"csrf": {csrf}, "email": {"ivan.petrov@example.ru"}, "code": {wrong}})
			if r.code != want {
				t.Fatalf("wrong code %d: %d, want %d", i+1, r.code, want)
			}
		}
		r := b.do("POST", "/login/code", url.Values{"csrf": {csrf}, "email": {"ivan.petrov@example.ru"}, "code": {right}})
		if r.code != http.StatusTooManyRequests || !strings.Contains(r.body, "временно заблокирован") || !strings.Contains(r.body, "15 мин") {
			t.Errorf("right code while locked: %d\n%s", r.code, r.body)
		}
		testkit.CheckHTML(t, "locked", []byte(r.body))
	})
}

func TestStatusByNumberPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		b := d.browser()
		form := b.do("GET", "/status", nil)
		testkit.CheckHTML(t, "status", []byte(form.body))
		csrf := field(t, csrfRe, form.body)
		if r := b.do("POST", "/status", url.Values{"number": {d.number}, "contact": {"ivan.petrov@example.ru"}}); r.code != http.StatusForbidden {
			t.Errorf("status lookup without CSRF token: %d, want 403", r.code)
		}

		// The right pair and a wrong one get the same answer; only the right one gets mail.
		norm := func(body, contact string) string {
			return volatile.ReplaceAllString(strings.ReplaceAll(body, contact, "C"), "")
		}
		wrong := b.do("POST", "/status", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"stranger@example.ru"}})
		right := b.do("POST", "/status", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"ivan.petrov@example.ru"}})
		if wrong.code != http.StatusOK || right.code != http.StatusOK || norm(wrong.body, "stranger@example.ru") != norm(right.body, "ivan.petrov@example.ru") {
			t.Fatalf("status answers differ: %d, %d", wrong.code, right.code)
		}
		testkit.CheckHTML(t, "status code", []byte(right.body))
		if n := d.mails(otklik.MailCitizenCode); n != 1 {
			t.Fatalf("codes sent: %d, want 1", n)
		}
		// A phone: no SMS yet, said politely.
		phone := b.do("POST", "/status", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"+7 912 345-67-89"}})
		if phone.code != http.StatusUnprocessableEntity || !strings.Contains(phone.body, "по SMS мы пока не умеем") {
			t.Errorf("phone: %d", phone.code)
		}
		testkit.CheckHTML(t, "status phone", []byte(phone.body))

		// A wrong code for the foreign pair says the same as any wrong code.
		if r := b.do("POST", "/status/code", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"stranger@example.ru"}, "code": {"123456"}}); r.code != http.StatusUnauthorized {
			t.Errorf("foreign pair's code: %d", r.code)
		}
		res := b.do("POST", "/status/code", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"ivan.petrov@example.ru"},
			"code": {d.code("ivan.petrov@example.ru")}})
		if res.code != http.StatusOK || !strings.Contains(res.body, "Принято") || !strings.Contains(res.body, "Ожидаемый срок ответа") {
			t.Fatalf("status result: %d\n%s", res.code, res.body)
		}
		if strings.Contains(res.body, "Не могу войти") || strings.Contains(res.body, "неверный пароль") {
			t.Error("the status page shows the ticket's content")
		}
		testkit.CheckHTML(t, "status result", []byte(res.body))

		// Per address: the sixth request in ten minutes is refused, whoever the address is.
		for range 4 {
			b.do("POST", "/status", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"stranger@example.ru"}})
		}
		if r := b.do("POST", "/status", url.Values{"csrf": {csrf}, "number": {d.number}, "contact": {"stranger@example.ru"}}); r.code != http.StatusTooManyRequests {
			t.Errorf("sixth lookup for one address: %d, want 429", r.code)
		}
	})
}
