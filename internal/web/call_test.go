package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// An operator logs calls: the caller is found by phone, the ticket is a phone ticket in the status
// the outcome calls for; a wrong phone or СНИЛС is refused on its field with everything kept and
// nothing registered; a form without the CSRF token is refused.
func TestCallLogging(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		maria, _, err := d.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelEmail,
			Subject: "Не приходит СМС с кодом", Body: "Жду код уже час.",
			Requester: service.RequesterInput{Name: "Мария Смирнова", Email: "maria@example.ru", Phone: "+7 916 123-45-67"}})
		if err != nil {
			t.Fatal(err)
		}
		op := d.browser()
		csrf := op.signIn("op@example.ru")
		opID := d.userID("op@example.ru")
		count := func() int {
			t.Helper()
			n, err := d.svc.CountTickets(ctx, nil, service.ListQuery{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		// The card of the caller the exchange announced: found by phone in another notation, masked.
		page := op.do("GET", "/agent/call?phone="+url.QueryEscape("8 (916) 123-45-67"), nil)
		if page.code != http.StatusOK {
			t.Fatalf("call page: %d\n%s", page.code, page.body)
		}
		testkit.CheckHTML(t, "call", []byte(page.body))
		for _, want := range []string{"<h1>Звонок</h1>", `value="8 (916) 123-45-67"`, "autofocus", "Мария Смирнова", "m•••@example.ru",
			maria.Number, "Записать звонок", "Решено во время звонка", "Перезвонить", `href="/agent/call" aria-current="page"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the call page lacks %q", want)
			}
		}
		if strings.Contains(page.body, "maria@example.ru") {
			t.Error("the caller's card shows the e-mail unmasked")
		}
		if r := op.do("GET", "/agent/call?phone=89160000000", nil); !strings.Contains(r.body, "нет в базе") {
			t.Errorf("an unknown number: the card does not say so\n%s", r.body)
		}
		// "Найти" shows the card and registers nothing.
		before := count()
		r := op.do("POST", "/agent/call", url.Values{"csrf": {csrf}, "action": {"lookup"}, "phone": {"+79161234567"}, "notes": {"Черновик"}})
		if r.code != http.StatusOK || !strings.Contains(r.body, "Мария Смирнова") || !strings.Contains(r.body, "Черновик") || count() != before {
			t.Errorf("lookup: %d, %d tickets (was %d)", r.code, count(), before)
		}

		cats, err := d.svc.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var password otklik.Category
		for _, c := range cats {
			if c.Code == "access.password" {
				password = c
			}
		}
		for _, tt := range []struct {
			outcome  service.CallOutcome
			subject  string
			status   otklik.Status
			assigned bool
		}{
			{service.CallResolved, "", otklik.StatusResolved, true},
			{service.CallHandedOver, "Не может подписать заявление", otklik.StatusNew, false},
			{service.CallCallback, "", otklik.StatusWaiting, true},
		} {
			t.Run(string(tt.outcome), func(t *testing.T) {
				r := op.do("POST", "/agent/call", url.Values{"csrf": {csrf}, "phone": {"8 916 123-45-67"}, "category": {"access.password"},
					"subject": {tt.subject}, "notes": {"Звонила, не может сменить пароль. Объяснил, как восстановить."}, "outcome": {string(tt.outcome)}})
				if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/agent/tickets/") {
					t.Fatalf("log the call: %d → %q\n%s", r.code, r.location, r.body)
				}
				v, err := d.svc.Ticket(ctx, strings.TrimPrefix(r.location, "/agent/tickets/"))
				if err != nil {
					t.Fatal(err)
				}
				tk := v.Ticket
				if tk.Channel != otklik.ChannelPhone || tk.Status != tt.status || tk.Category.Code != "access.password" {
					t.Errorf("ticket: channel %s, status %s, category %s; want phone, %s, access.password", tk.Channel, tk.Status, tk.Category.Code, tt.status)
				}
				if got, want := tk.Requester.ID, maria.Requester.ID; got != want {
					t.Errorf("requester %d, want %d (found by phone)", got, want)
				}
				wantSubject := tt.subject
				if wantSubject == "" {
					wantSubject = password.Name
				}
				if tk.Subject != wantSubject {
					t.Errorf("subject %q, want %q", tk.Subject, wantSubject)
				}
				if got := tk.Assignee != nil && tk.Assignee.ID == opID; got != tt.assigned {
					t.Errorf("assigned to the operator: %v, want %v", got, tt.assigned)
				}
				if got := tk.FirstResponseAt != nil; got != tt.assigned {
					t.Errorf("first response recorded: %v, want %v", got, tt.assigned)
				}
				recs, err := d.svc.Journal(ctx, tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if recs[0].Kind != otklik.KindCreated || recs[0].Actor.ID != opID || recs[0].Actor.Type != otklik.ActorStaff {
					t.Errorf("created by %+v, want the operator", recs[0].Actor)
				}
				if len(v.Messages) != 1 || !strings.Contains(v.Messages[0].Body, "сменить пароль") {
					t.Errorf("messages: %+v", v.Messages)
				}
			})
		}

		// Refusals keep what was typed and register nothing.
		before = count()
		notes := "Звонок о статусе заявления, номер не помнит"
		for _, tt := range []struct {
			name, field, value, want string
		}{
			{"bad phone", "phone", "8 916 12З-45-67", "Не удалось распознать номер телефона"},
			{"no phone", "phone", "", "Заполните это поле"},
			{"bad СНИЛС", "snils", "112-233-445 96", "Контрольное число СНИЛС не сходится"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				form := url.Values{"csrf": {csrf}, "phone": {"8 916 123-45-67"}, "name": {"Пётр Звонков"}, "category": {"status"},
					"notes": {notes}, "outcome": {"callback"}}
				form.Set(tt.field, tt.value)
				r := op.do("POST", "/agent/call", form)
				if r.code != http.StatusUnprocessableEntity {
					t.Fatalf("got %d, want 422\n%s", r.code, r.body)
				}
				for _, want := range []string{tt.want, `id="` + tt.field + `-error"`, "Звонок не записан", notes, `value="Пётр Звонков"`,
					`name="` + tt.field + `" `, `value="callback" checked`} {
					if !strings.Contains(r.body, want) {
						t.Errorf("the refused form lacks %q", want)
					}
				}
				if !strings.Contains(r.body, `aria-invalid="true" aria-describedby="`+tt.field+`-error"`) {
					t.Errorf("the %s field is not marked invalid", tt.field)
				}
				testkit.CheckHTML(t, "call refused", []byte(r.body))
			})
		}
		if r := op.do("POST", "/agent/call", url.Values{"phone": {"8 916 123-45-67"}, "category": {"status"}, "notes": {notes},
			"outcome": {"resolved"}}); r.code != http.StatusForbidden {
			t.Errorf("call without the CSRF token: got %d, want 403", r.code)
		}
		if n := count(); n != before {
			t.Errorf("refused calls registered %d tickets", n-before)
		}

		// The auditor changes nothing: no call form.
		aud := d.browser()
		aud.signIn("audit@example.ru")
		if r := aud.do("GET", "/agent/call", nil); r.code != http.StatusForbidden {
			t.Errorf("auditor's call page: got %d, want 403", r.code)
		}
	})
}

// The telephone exchange announces a call: it reaches the named operator's open workspace stream,
// not another operator's, and not the API's event stream.
func TestIncomingCall(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		op, op2 := d.browser(), d.browser()
		op.signIn("op@example.ru")
		op2.signIn("op2@example.ru")
		s1 := d.openStream(op, "/agent/events")
		s2 := d.openStream(op2, "/agent/events?ticket="+d.number)
		apiStream := d.openStream(nil, "/api/v1/events")

		code, body := d.api("POST", "/api/v1/calls", `{"phone":"8 (916) 123-45-67","agent":"OP@example.ru","call_id":"pbx-0001"}`)
		if code != http.StatusAccepted || body != `{"delivered":true}` {
			t.Fatalf("call for op: %d %s", code, body)
		}
		e := s1.next(otklik.EventCallIncoming)
		if e["phone"] != "+79161234567" || e["masked"] != "+• ••• •••-••-67" {
			t.Errorf("op's call event: %v", e)
		}

		// The second operator, by staff ID: their stream's first call is this one, not op's.
		id2 := strconv.FormatInt(d.userID("op2@example.ru"), 10)
		if code, body := d.api("POST", "/api/v1/calls", `{"phone":"+7 495 123-45-67","agent":"`+id2+`"}`); code != http.StatusAccepted || body != `{"delivered":true}` {
			t.Fatalf("call for op2: %d %s", code, body)
		}
		if e := s2.next(otklik.EventCallIncoming); e["phone"] != "+74951234567" {
			t.Errorf("op2's first call event is %v, want the call put through to op2", e)
		}

		// The API's stream carries changes only: the first event after the calls is a new ticket.
		number := createByAPI(t, d, `{"channel":"phone","subject":"Проверка","body":"Проверка потока.","requester":{"phone":"+79161234567"}}`)
		if e := apiStream.next(otklik.EventCallIncoming, otklik.EventTicketCreated); e["type"] != otklik.EventTicketCreated || e["ticket"] != number {
			t.Errorf("the API stream's first event: %v", e)
		}

		// An operator that does not exist (or cannot take calls) is not an error.
		for _, agent := range []string{"nobody@example.ru", "999999", "audit@example.ru"} {
			if code, body := d.api("POST", "/api/v1/calls", `{"phone":"+79161234567","agent":"`+agent+`"}`); code != http.StatusAccepted || body != `{"delivered":false}` {
				t.Errorf("call for %s: %d %s, want 202 delivered false", agent, code, body)
			}
		}

		// Validation: problem+json in Russian naming the field; nothing is announced.
		for _, tt := range []struct{ body, field, detail string }{
			{`{"phone":"8 916 12З-45-67","agent":"op@example.ru"}`, "phone", "Не удалось распознать номер телефона"},
			{`{"agent":"op@example.ru"}`, "phone", "Заполните это поле"},
			{`{"phone":"+79161234567"}`, "agent", "Заполните это поле"},
			{`{"phone":"+79161234567","agent":"Олег"}`, "agent", "Укажите оператора"},
		} {
			code, body := d.api("POST", "/api/v1/calls", tt.body)
			var p struct {
				Detail string `json:"detail"`
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			_ = json.Unmarshal([]byte(body), &p)
			if code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != tt.field || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("%s: %d %s", tt.body, code, body)
			}
		}
		// op's stream got no further call: the next event it sees is one published now.
		if code, _ := d.api("POST", "/api/v1/calls", `{"phone":"+74951112233","agent":"op@example.ru"}`); code != http.StatusAccepted {
			t.Fatal(code)
		}
		if e := s1.next(otklik.EventCallIncoming); e["phone"] != "+74951112233" {
			t.Errorf("op received another call: %v", e)
		}
	})
}
