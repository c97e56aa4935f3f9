package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/otklik/otklik/internal/api"
	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
	"github.com/otklik/otklik/internal/web"
)

const (
	testPassword = "correct horse battery staple"
	apiToken     = "test-token-0123456789abcdef0123456789abcdef"
)

// desk is a running workspace over a real store, with an administrator and a supervisor (who must
// enrol a second factor), two operators and an auditor, and one ticket carrying personal data. The
// REST API is mounted beside it, with an administrator's token (apiToken). Outbound mail is held in
// the outbox (no relay), where tests read it (the citizens' one-time codes). opts change the pages'
// options (the citizen portal's OpenID Connect provider).
type desk struct {
	t      *testing.T
	srv    *httptest.Server
	svc    *service.Service
	st     otklik.Store
	clock  *testkit.Clock
	number string
	// blobs is the file vault's directory (testkit.CountObjects): the portal form's attachments.
	blobs string
}

func newDesk(t *testing.T, engine string, opts ...func(*web.Options)) *desk {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
	bus := events.NewLocal()
	t.Cleanup(func() { bus.Close() })
	vault, blobs, _ := testkit.NewVault(t)
	svc := service.New(service.Options{Store: st, Now: clock.Now, Events: bus, Node: "test",
		Files: service.FileOptions{Vault: vault}, Mail: service.MailOptions{Address: "support@example.ru", Name: "Поддержка портала",
			PublicURL: "https://support.example.ru"}})
	o := web.Options{Info: testInfo, Service: svc, Events: bus, Logger: testkit.Logger(t), Now: clock.Now}
	for _, f := range opts {
		f(&o)
	}
	pages := web.New(o)
	a := api.New(api.Options{Service: svc, Events: bus, Version: "test", MaxBodyBytes: 64 << 10})
	mux := http.NewServeMux()
	mux.Handle("/api/", a)
	mux.Handle("/", pages.Handler())
	srv := httptest.NewServer(httpx.Middleware(testkit.Logger(t), mux))
	t.Cleanup(func() { pages.Shutdown(); a.Shutdown(); srv.Close() })
	ctx := context.Background()
	if err := svc.EnsureAdminToken(ctx, apiToken); err != nil {
		t.Fatal(err)
	}
	for _, u := range []service.NewUser{
		{Email: "admin@example.ru", Name: "Анна Админова", Role: otklik.RoleAdmin, Password: testPassword},
		{Email: "op@example.ru", Name: "Олег Операторов", Role: otklik.RoleOperator, Password: testPassword},
		{Email: "op2@example.ru", Name: "Ольга Вторая", Role: otklik.RoleOperator, Password: testPassword},
		{Email: "audit@example.ru", Name: "Ирина Аудитова", Role: otklik.RoleAuditor, Password: testPassword},
		{Email: "sup@example.ru", Name: "Сергей Руководов", Role: otklik.RoleSupervisor, Password: testPassword},
	} {
		if _, err := svc.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	tk, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
		Subject: "Не могу войти в личный кабинет", Body: "Здравствуйте! Мой СНИЛС 112-233-445 95, телефон +7 912 345-67-89. Пишет «неверный пароль».",
		Requester: service.RequesterInput{Name: "Иван Петров", Email: "ivan.petrov@example.ru", SNILS: "112-233-445 95"}})
	if err != nil {
		t.Fatal(err)
	}
	return &desk{t: t, srv: srv, svc: svc, st: st, clock: clock, number: tk.Number, blobs: blobs}
}

// policies reads the SLA policies as they are now, in the order they are tried.
func (d *desk) policies() []*otklik.SLAPolicy {
	d.t.Helper()
	pols, err := d.svc.SLAPolicies(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return pols
}

// policy reads the SLA policy with code as it is now; nil when there is none.
func (d *desk) policy(code string) *otklik.SLAPolicy {
	d.t.Helper()
	for _, p := range d.policies() {
		if p.Code == code {
			return p
		}
	}
	return nil
}

// calendar reads the calendar by name as it is now; nil when there is none.
func (d *desk) calendar(name string) *otklik.Calendar {
	d.t.Helper()
	cals, err := d.svc.Calendars(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	for _, c := range cals {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ticketNow reads the desk's ticket as it is now.
func (d *desk) ticketNow() *otklik.Ticket {
	d.t.Helper()
	v, err := d.svc.Ticket(context.Background(), d.number)
	if err != nil {
		d.t.Fatal(err)
	}
	return v.Ticket
}

// journalNow reads the desk's ticket's journal as it is now.
func (d *desk) journalNow() []*otklik.JournalRecord {
	d.t.Helper()
	recs, err := d.svc.Journal(context.Background(), d.number)
	if err != nil {
		d.t.Fatal(err)
	}
	return recs
}

// api calls the REST API with the administrator's token and returns the status and the body.
func (d *desk) api(method, path, body string) (int, string) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.srv.URL+path, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(raw))
}

// userID returns the staff ID of the member with the e-mail.
func (d *desk) userID(email string) int64 {
	d.t.Helper()
	us, err := d.svc.Users(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	for _, u := range us {
		if u.Email == email {
			return u.ID
		}
	}
	d.t.Fatalf("no staff member %s", email)
	return 0
}

// stream is an open server-sent event stream: its data lines, decoded, arrive on C.
type stream struct {
	t      *testing.T
	C      chan map[string]any
	cancel func()
}

// close ends the stream, as a page closing does.
func (s *stream) close() { s.cancel() }

// openStream opens an event stream (a workspace's with a browser's cookies, or the API's with the
// token) and returns once the server has subscribed it to the bus. It closes with the test.
func (d *desk) openStream(b *browser, path string) *stream {
	d.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", d.srv.URL+path, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	c := http.DefaultClient
	if b != nil {
		c = b.c
	} else {
		req.Header.Set("Authorization", "Bearer "+apiToken)
	}
	res, err := c.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		d.t.Fatalf("stream %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &stream{t: d.t, C: make(chan map[string]any, 16), cancel: cancel}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var m map[string]any
				if json.Unmarshal([]byte(data), &m) == nil {
					s.C <- m
				}
			}
		}
	}()
	return s
}

// next returns the stream's next event of one of the types, skipping others.
func (s *stream) next(types ...string) map[string]any {
	s.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-s.C:
			if slices.Contains(types, m["type"].(string)) {
				return m
			}
		case <-deadline:
			s.t.Fatalf("no %v event within 5 s", types)
			return nil
		}
	}
}

// browser is one member's cookie jar.
type browser struct {
	d *desk
	c *http.Client
}

func (d *desk) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{d: d, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type reply struct {
	code     int
	body     string
	location string
}

func (b *browser) do(method, path string, form url.Values) reply {
	b.d.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.d.srv.URL+path, body)
	if err != nil {
		b.d.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.d.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return reply{code: res.StatusCode, body: string(raw), location: res.Header.Get("Location")}
}

var (
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	secretRe = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)
)

func field(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page:\n%s", re, body)
	}
	return m[1]
}

// signIn signs a member in without a second factor and returns their CSRF token.
func (b *browser) signIn(email string) string {
	t := b.d.t
	t.Helper()
	page := b.do("GET", "/agent/login", nil)
	r := b.do("POST", "/agent/login", url.Values{"csrf": {field(t, csrfRe, page.body)}, "email": {email}, "password": {testPassword}})
	if r.code != http.StatusSeeOther || r.location != "/agent/" {
		t.Fatalf("sign-in of %s: %d → %q\n%s", email, r.code, r.location, r.body)
	}
	return field(t, csrfRe, b.do("GET", "/agent/q/all", nil).body)
}

// signInEnrolling signs in a member whose role needs a second factor, enrolling one, and returns
// their CSRF token.
func (b *browser) signInEnrolling(email string) string {
	t := b.d.t
	t.Helper()
	csrf := field(t, csrfRe, b.do("GET", "/agent/login", nil).body)
	r := b.do("POST", "/agent/login", url.Values{"csrf": {csrf}, "email": {email}, "password": {testPassword}})
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/agent/login/enrol") {
		t.Fatalf("sign-in of %s: %d → %q, want the enrolment", email, r.code, r.location)
	}
	secret := field(t, secretRe, b.do("GET", r.location, nil).body)
	code, err := totp.GenerateCode(secret, b.d.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rec := b.do("POST", "/agent/login/enrol", url.Values{"csrf": {csrf}, "secret": {secret}, "code": {code}}); rec.code != http.StatusOK {
		t.Fatalf("enrolment of %s: %d\n%s", email, rec.code, rec.body)
	}
	return field(t, csrfRe, b.do("GET", "/agent/q/all", nil).body)
}

func TestSignInWithSecondFactor(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		b := d.browser()

		// Not signed in: the workspace sends to the sign-in page and back.
		r := b.do("GET", "/agent/q/new", nil)
		if r.code != http.StatusSeeOther || r.location != "/agent/login?back=%2Fagent%2Fq%2Fnew" {
			t.Fatalf("anonymous queue: %d → %q", r.code, r.location)
		}
		login := b.do("GET", "/agent/login", nil)
		testkit.CheckHTML(t, "login", []byte(login.body))
		csrf := field(t, csrfRe, login.body)

		// A form without the token is refused, and so is a wrong password, with a clear message.
		if r := b.do("POST", "/agent/login", url.Values{"email": {"admin@example.ru"}, "password": {testPassword}}); r.code != http.StatusForbidden {
			t.Errorf("sign-in without CSRF token: got %d, want 403", r.code)
		}
		r = b.do("POST", "/agent/login", url.Values{"csrf": {csrf}, "email": {"admin@example.ru"}, "password": {"wrong password 123"}})
		if r.code != http.StatusUnauthorized || !strings.Contains(r.body, "Неверная электронная почта или пароль") {
			t.Errorf("wrong password: %d\n%s", r.code, r.body)
		}

		// The administrator must enrol a second factor before working.
		r = b.do("POST", "/agent/login", url.Values{"csrf": {csrf}, "email": {"admin@example.ru"}, "password": {testPassword},
			"back": {"/agent/q/new"}})
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/agent/login/enrol") {
			t.Fatalf("admin sign-in: %d → %q", r.code, r.location)
		}
		if r := b.do("GET", "/agent/q/new", nil); r.code != http.StatusSeeOther {
			t.Fatalf("a pending sign-in opened the queue: %d", r.code)
		}
		enrol := b.do("GET", r.location, nil)
		testkit.CheckHTML(t, "enrol", []byte(enrol.body))
		secret := field(t, secretRe, enrol.body)
		if !strings.Contains(enrol.body, `src="data:image/png;base64,`) {
			t.Error("the enrolment page shows no QR code")
		}
		bad := b.do("POST", "/agent/login/enrol", url.Values{"csrf": {csrf}, "secret": {secret}, "code": {"000000"}, "back": {"/agent/q/new"}})
		if bad.code != http.StatusUnauthorized || field(t, secretRe, bad.body) != secret {
			t.Errorf("wrong enrolment code: %d, want 401 and the same secret again", bad.code)
		}
		code, err := totp.GenerateCode(secret, d.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		rec := b.do("POST", "/agent/login/enrol", url.Values{"csrf": {csrf}, "secret": {secret}, "code": {code}, "back": {"/agent/q/new"}})
		if rec.code != http.StatusOK || strings.Count(rec.body, "<li><code>") != service.RecoveryCodes {
			t.Fatalf("enrolment: %d, want the recovery codes\n%s", rec.code, rec.body)
		}
		testkit.CheckHTML(t, "recovery", []byte(rec.body))

		q := b.do("GET", "/agent/q/new", nil)
		if q.code != http.StatusOK || !strings.Contains(q.body, d.number) {
			t.Fatalf("queue after sign-in: %d, ticket %s missing", q.code, d.number)
		}
		testkit.CheckHTML(t, "queue", []byte(q.body))

		// Next time: password, then the code from the app (a fresh one: a used code is refused).
		b2 := d.browser()
		csrf2 := field(t, csrfRe, b2.do("GET", "/agent/login", nil).body)
		r = b2.do("POST", "/agent/login", url.Values{"csrf": {csrf2}, "email": {"admin@example.ru"}, "password": {testPassword}})
		if !strings.HasPrefix(r.location, "/agent/login/code") {
			t.Fatalf("second sign-in: %d → %q", r.code, r.location)
		}
		testkit.CheckHTML(t, "code", []byte(b2.do("GET", r.location, nil).body))
		d.clock.Add(30 * time.Second)
		code, _ = totp.GenerateCode(secret, d.clock.Now())
		if r := b2.do("POST", "/agent/login/code", url.Values{"csrf": {csrf2}, "code": {code}}); r.code != http.StatusSeeOther || r.location != "/agent/" {
			t.Fatalf("code: %d → %q\n%s", r.code, r.location, r.body)
		}
		if r := b2.do("GET", "/agent/q/mine", nil); r.code != http.StatusOK {
			t.Fatalf("queue with the code: %d", r.code)
		}

		// Sign out everywhere ends both browsers' sessions.
		csrfB2 := field(t, csrfRe, b2.do("GET", "/agent/q/mine", nil).body)
		if r := b2.do("POST", "/agent/logout/everywhere", url.Values{"csrf": {csrfB2}}); r.code != http.StatusSeeOther {
			t.Fatalf("logout everywhere: %d", r.code)
		}
		if r := b.do("GET", "/agent/q/mine", nil); r.code != http.StatusSeeOther {
			t.Errorf("the first browser still works after sign-out everywhere: %d", r.code)
		}
	})
}

func TestTicketPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		op := d.browser()
		csrf := op.signIn("op@example.ru")
		path := "/agent/tickets/" + d.number

		// Personal data is masked until revealed.
		page := op.do("GET", path, nil)
		if page.code != http.StatusOK {
			t.Fatalf("ticket page: %d", page.code)
		}
		testkit.CheckHTML(t, "ticket", []byte(page.body))
		if strings.Contains(page.body, "112-233-445 95") || strings.Contains(page.body, "345-67-89") || strings.Contains(page.body, "ivan.petrov@") {
			t.Error("the ticket page shows personal data unmasked")
		}
		if !strings.Contains(page.body, "•••-•••-••• 95") || !strings.Contains(page.body, "i•••@example.ru") {
			t.Errorf("masked СНИЛС or e-mail missing:\n%s", page.body)
		}

		// Hostile HTML from a citizen's message is shown as text, never as markup.
		if _, _, err := d.svc.AddMessage(context.Background(), otklik.Actor{Type: otklik.ActorRequester, Name: "Иван Петров", Channel: otklik.ChannelEmail},
			d.number, service.Reply{Body: `<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">жми</a>`}); err != nil {
			t.Fatal(err)
		}
		page = op.do("GET", path, nil)
		if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<img src=x") || strings.Contains(page.body, `href="javascript:`) {
			t.Error("hostile HTML from a message reached the page as markup")
		}
		if !strings.Contains(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the hostile message is not shown as text")
		}
		testkit.CheckHTML(t, "ticket with hostile mail", []byte(page.body))

		// A state-changing request without the token is refused and changes nothing.
		if r := op.do("POST", path+"/reply", url.Values{"body": {"Ответ без токена"}}); r.code != http.StatusForbidden {
			t.Errorf("reply without CSRF token: got %d, want 403", r.code)
		}
		// A reply with a template's text, then the status changes.
		if !strings.Contains(page.body, "Ваше обращение зарегистрировано под номером "+d.number) {
			t.Error("the greeting template is not filled in with the ticket's number")
		}
		r := op.do("POST", path+"/reply", url.Values{"csrf": {csrf}, "version": {"2"}, "body": {"Здравствуйте, Иван! Сбросьте пароль."}, "then": {"waiting"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("reply: %d\n%s", r.code, r.body)
		}
		v, err := d.svc.Ticket(context.Background(), d.number)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Messages) != 3 || v.Ticket.Status != otklik.StatusWaiting {
			t.Fatalf("after the reply: %d messages, status %s", len(v.Messages), v.Ticket.Status)
		}

		// A reply written on the page as it was before (version 2) is refused, its text kept.
		r = op.do("POST", path+"/reply", url.Values{"csrf": {csrf}, "version": {"2"}, "body": {"Устаревший ответ"}})
		if r.code != http.StatusConflict || !strings.Contains(r.body, "Устаревший ответ") || !strings.Contains(r.body, `name="force"`) {
			t.Errorf("stale reply: %d, want 409 with the text kept\n%s", r.code, r.body)
		}

		// Revealing is logged, and the auditor sees the record; the auditor cannot reveal.
		r = op.do("POST", path+"/reveal", url.Values{"csrf": {csrf}})
		if r.code != http.StatusOK || !strings.Contains(r.body, "112-233-445 95") {
			t.Fatalf("reveal: %d", r.code)
		}
		rs, err := d.svc.Reveals(context.Background(), otklik.RevealFilter{})
		if err != nil || len(rs) != 1 || rs[0].TicketID != v.Ticket.ID {
			t.Fatalf("reveal log: %+v, %v", rs, err)
		}
		aud := d.browser()
		acsrf := aud.signIn("audit@example.ru")
		log := aud.do("GET", "/agent/reveals", nil)
		if log.code != http.StatusOK || !strings.Contains(log.body, "Олег Операторов") || !strings.Contains(log.body, d.number) {
			t.Errorf("the auditor's reveal log: %d\n%s", log.code, log.body)
		}
		testkit.CheckHTML(t, "reveals", []byte(log.body))
		if r := aud.do("POST", path+"/reveal", url.Values{"csrf": {acsrf}}); r.code != http.StatusForbidden {
			t.Errorf("auditor reveal: got %d, want 403", r.code)
		}
		if r := aud.do("POST", path+"/reply", url.Values{"csrf": {acsrf}, "body": {"Аудитор пишет"}}); r.code != http.StatusForbidden {
			t.Errorf("auditor reply: got %d, want 403", r.code)
		}
		if r := op.do("GET", "/agent/reveals", nil); r.code != http.StatusForbidden {
			t.Errorf("operator reveal log: got %d, want 403", r.code)
		}

		// An assignee that is not a member's ID is refused and leaves the ticket as it was.
		before, err := d.svc.Ticket(context.Background(), d.number)
		if err != nil {
			t.Fatal(err)
		}
		if r := op.do("POST", path+"/assign", url.Values{"csrf": {csrf}, "assignee": {"кто-то"}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("assignee «кто-то»: got %d, want 422", r.code)
		}
		if after, _ := d.svc.Ticket(context.Background(), d.number); after.Ticket.Version != before.Ticket.Version {
			t.Error("a refused assignment changed the ticket")
		}

		// Escalation needs a reason.
		if r := op.do("POST", path+"/assign", url.Values{"csrf": {csrf}, "group": {"l2"}, "escalate": {"1"}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("escalation without a reason: got %d, want 422", r.code)
		}
	})
}

// TestExtendDeadline: staff extend a ticket's resolution deadline from its page, with a reason; a
// refused extension shows why, keeps what was typed and changes nothing; the citizen is told the new
// date; the auditor sees no form and is refused.
func TestExtendDeadline(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		op := d.browser()
		csrf := op.signIn("op@example.ru")
		path := "/agent/tickets/" + d.number
		before := d.ticketNow()
		if before.DueAt == nil {
			t.Fatal("the ticket has no resolution deadline to extend")
		}
		due := before.DueAt.In(service.Moscow)
		// The statutory cap: 60 calendar days of registration, moved back off a day off.
		created := before.CreatedAt.In(service.Moscow)
		capDay := time.Date(created.Year(), created.Month(), created.Day()+60, 0, 0, 0, 0, service.Moscow)

		page := op.do("GET", path, nil)
		if page.code != http.StatusOK || !strings.Contains(page.body, `action="`+path+`/extend"`) ||
			!strings.Contains(page.body, `min="`+due.Format("2006-01-02")+`"`) || !strings.Contains(page.body, "Продлить срок") {
			t.Fatalf("the ticket page offers no extension from %s: %d\n%s", due.Format("2006-01-02"), page.code, page.body)
		}
		testkit.CheckHTML(t, "ticket with the extension form", []byte(page.body))

		later := due.AddDate(0, 0, 7).Format("2006-01-02")
		for _, c := range []struct {
			name string
			form url.Values
			code int
			says string
		}{
			{"no date", url.Values{"date": {""}, "time": {"18:00"}, "reason": {"documents"}}, 422, "Укажите новый срок: дату и время."},
			{"a time that is none", url.Values{"date": {later}, "time": {"25:00"}, "reason": {"documents"}}, 422, "Укажите новый срок: дату и время."},
			{"another reason not described", url.Values{"date": {later}, "time": {"18:00"}, "reason": {"other"}, "note": {"  "}}, 422, "Опишите причину продления"},
			{"earlier than now due", url.Values{"date": {due.AddDate(0, 0, -1).Format("2006-01-02")}, "time": {"18:00"}, "reason": {"failure"}}, 422,
				"Новый срок должен быть позже текущего (" + due.Format("02.01.2006 15:04") + ")"},
			{"past the statutory cap", url.Values{"date": {capDay.AddDate(0, 0, 10).Format("2006-01-02")}, "time": {"18:00"}, "reason": {"failure"}}, 422,
				"Срок можно продлить не дальше"},
		} {
			c.form.Set("csrf", csrf)
			r := op.do("POST", path+"/extend", c.form)
			if r.code != c.code || !strings.Contains(r.body, c.says) {
				t.Errorf("%s: %d, want %d saying %q\n%s", c.name, r.code, c.code, c.says, r.body)
				continue
			}
			if date := c.form.Get("date"); date != "" && !strings.Contains(r.body, `value="`+date+`"`) {
				t.Errorf("%s: the date typed (%s) is not kept in the form", c.name, date)
			}
			if after := d.ticketNow(); after.Version != before.Version || !after.DueAt.Equal(*before.DueAt) {
				t.Errorf("%s: a refused extension changed the ticket (version %d → %d)", c.name, before.Version, after.Version)
			}
		}

		// Extended with a usual reason and a note: the deadline, the journal, the citizen's e-mail.
		r := op.do("POST", path+"/extend", url.Values{"csrf": {csrf}, "date": {later}, "time": {"17:00"}, "reason": {"coordination"}, "note": {"запрос в СФР"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("extend: %d\n%s", r.code, r.body)
		}
		want, _ := time.ParseInLocation("2006-01-02 15:04", later+" 17:00", service.Moscow)
		if after := d.ticketNow(); after.DueAt == nil || !after.DueAt.Equal(want) || after.SLA.Extensions != 1 {
			t.Fatalf("after the extension: due %v, %d extensions; want %v", after.DueAt, after.SLA.Extensions, want)
		}
		recs := d.journalNow()
		last := recs[len(recs)-1]
		if last.Kind != otklik.KindSLA || last.Field != "extended" || last.Actor.Name != "Олег Операторов" ||
			last.Reason != service.ExtensionReasons["coordination"]+": запрос в СФР" {
			t.Errorf("the journal's last record: %+v", last)
		}
		text := d.mailText("ivan.petrov@example.ru", otklik.MailNotice)
		if !strings.Contains(text, "продлён до "+want.Format("02.01.2006 15:04")+" (МСК)") || !strings.Contains(text, "Причина: "+service.ExtensionReasons["coordination"]+".") ||
			!strings.Contains(text, "Состояние обращения можно проверить на сайте: https://support.example.ru/status?number="+d.number) {
			t.Errorf("the citizen's notice:\n%s", text)
		}
		page = op.do("GET", path, nil)
		if !strings.Contains(page.body, want.Format("02.01.2006 15:04")) || !strings.Contains(page.body, "срок продлён") {
			t.Errorf("the page does not show the new deadline and its record:\n%s", page.body)
		}

		// Another reason: the note is the reason, to the journal and to the citizen.
		again := want.AddDate(0, 0, 3).Format("2006-01-02")
		if r := op.do("POST", path+"/extend", url.Values{"csrf": {csrf}, "date": {again}, "time": {"18:00"}, "reason": {"other"}, "note": {"ждём ответа банка."}}); r.code != http.StatusSeeOther {
			t.Fatalf("extend for another reason: %d\n%s", r.code, r.body)
		}
		if recs := d.journalNow(); recs[len(recs)-1].Reason != "ждём ответа банка." {
			t.Errorf("another reason's record: %+v", recs[len(recs)-1])
		}
		if text := d.mailText("ivan.petrov@example.ru", otklik.MailNotice); !strings.Contains(text, "Причина: ждём ответа банка.\n") {
			t.Errorf("the citizen's notice for another reason:\n%s", text)
		}

		// The auditor reads the page without the form and is refused.
		aud := d.browser()
		acsrf := aud.signIn("audit@example.ru")
		if page := aud.do("GET", path, nil); strings.Contains(page.body, `action="`+path+`/extend"`) {
			t.Error("the auditor is offered the extension form")
		}
		if r := aud.do("POST", path+"/extend", url.Values{"csrf": {acsrf}, "date": {capDay.Format("2006-01-02")}, "time": {"09:00"}, "reason": {"failure"}}); r.code != http.StatusForbidden {
			t.Errorf("auditor extension: got %d, want 403", r.code)
		}

		// A resolved ticket's deadline is not offered for extension, and is refused.
		if _, err := d.svc.ChangeStatus(ctx, otklik.SystemActor, d.number, service.StatusChange{Status: otklik.StatusResolved}); err != nil {
			t.Fatal(err)
		}
		if page := op.do("GET", path, nil); strings.Contains(page.body, `action="`+path+`/extend"`) {
			t.Error("a resolved ticket is offered the extension form")
		}
		if r := op.do("POST", path+"/extend", url.Values{"csrf": {csrf}, "date": {capDay.Format("2006-01-02")}, "time": {"09:00"}, "reason": {"failure"}}); r.code != http.StatusConflict ||
			!strings.Contains(r.body, "Срок решённого или закрытого обращения не продлевается.") {
			t.Errorf("extending a resolved ticket: %d\n%s", r.code, r.body)
		}
	})
}

// TestPolicyAndAppeal: staff choose a manual SLA policy («Сложный случай») and mark a 59-ФЗ appeal
// from the ticket page; saving the form for something else changes neither; the timeline says both
// in words.
func TestPolicyAndAppeal(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		op := d.browser()
		csrf := op.signIn("op@example.ru")
		path := "/agent/tickets/" + d.number
		names := map[string]string{}
		for _, p := range d.policies() {
			names[p.Code] = p.Name
		}
		start := d.ticketNow()
		matched := names[start.SLA.Policy]
		if matched == "" || start.SLA.Appeal {
			t.Fatalf("the new ticket's policy %q (appeal %v)", start.SLA.Policy, start.SLA.Appeal)
		}
		page := op.do("GET", path, nil)
		if !strings.Contains(page.body, `<option value="" selected>по правилам: `+matched+`</option>`) ||
			!strings.Contains(page.body, `<option value="complex">`+names["complex"]+`</option>`) ||
			!strings.Contains(page.body, `name="appeal_was" value="false"`) || strings.Contains(page.body, `name="appeal" value="1" checked`) {
			t.Fatalf("the ticket page's policy and appeal fields:\n%s", page.body)
		}
		testkit.CheckHTML(t, "ticket with the policy and appeal fields", []byte(page.body))
		save := func(policy, policyWas, appeal, appealWas string) reply {
			t.Helper()
			f := url.Values{"csrf": {csrf}, "assignee": {"me"}, "priority": {string(start.Priority)},
				"sla_policy": {policy}, "sla_policy_was": {policyWas}, "appeal_was": {appealWas}}
			if appeal != "" {
				f.Set("appeal", appeal)
			}
			return op.do("POST", path+"/assign", f)
		}

		// Saving the form as shown to take the ticket changes the assignee only.
		n := len(d.journalNow())
		if r := save("", "", "", "false"); r.code != http.StatusSeeOther {
			t.Fatalf("take the ticket: %d\n%s", r.code, r.body)
		}
		if recs := d.journalNow(); len(recs) != n+1 || recs[n].Kind != otklik.KindAssignee {
			t.Fatalf("taking the ticket recorded %d records, the first %+v", len(recs)-n, recs[n])
		}

		// «Сложный случай»: 15 business days, in words on the timeline.
		if r := save("complex", "", "", "false"); r.code != http.StatusSeeOther {
			t.Fatalf("choose complex: %d\n%s", r.code, r.body)
		}
		if tk := d.ticketNow(); tk.SLA.Policy != "complex" || !tk.DueAt.After(*start.DueAt) {
			t.Errorf("after choosing complex: policy %q, due %v (was %v)", tk.SLA.Policy, tk.DueAt, start.DueAt)
		}
		page = op.do("GET", path, nil)
		if !strings.Contains(page.body, "норматив срока: "+matched+" → "+names["complex"]) ||
			!strings.Contains(page.body, `<option value="complex" selected>`) {
			t.Errorf("the timeline or the form after choosing complex:\n%s", page.body)
		}

		// Marked as a 59-ФЗ appeal: the statutory deadline shows; saving as shown changes nothing more.
		if r := save("complex", "complex", "1", "false"); r.code != http.StatusSeeOther {
			t.Fatalf("mark the appeal: %d\n%s", r.code, r.body)
		}
		if tk := d.ticketNow(); !tk.SLA.Appeal || tk.SLA.LegalDueAt == nil || tk.SLA.Policy != "complex" {
			t.Errorf("after marking the appeal: appeal %v, statutory deadline %v, policy %q", tk.SLA.Appeal, tk.SLA.LegalDueAt, tk.SLA.Policy)
		}
		page = op.do("GET", path, nil)
		if !strings.Contains(page.body, "отмечено как обращение гражданина по 59-ФЗ") || !strings.Contains(page.body, "Срок по 59-ФЗ") ||
			!strings.Contains(page.body, `name="appeal" value="1" checked`) {
			t.Errorf("the page after marking the appeal:\n%s", page.body)
		}
		n = len(d.journalNow())
		if r := save("complex", "complex", "1", "true"); r.code != http.StatusSeeOther {
			t.Fatalf("save as shown: %d\n%s", r.code, r.body)
		}
		if recs := d.journalNow(); len(recs) != n {
			t.Errorf("saving the form as shown recorded %+v", recs[n:])
		}

		// Back to the rules, the mark taken off.
		if r := save("", "complex", "", "true"); r.code != http.StatusSeeOther {
			t.Fatalf("back to the rules: %d\n%s", r.code, r.body)
		}
		if tk := d.ticketNow(); tk.SLA.Policy != start.SLA.Policy || tk.SLA.Appeal || !tk.DueAt.Equal(*start.DueAt) {
			t.Errorf("back to the rules: policy %q, appeal %v, due %v; want %q, false, %v", tk.SLA.Policy, tk.SLA.Appeal, tk.DueAt, start.SLA.Policy, start.DueAt)
		}
		page = op.do("GET", path, nil)
		if !strings.Contains(page.body, "снята отметка обращения гражданина по 59-ФЗ") || !strings.Contains(page.body, "норматив срока: "+names["complex"]+" → по правилам") {
			t.Errorf("the timeline after going back to the rules:\n%s", page.body)
		}

		// A policy that is not a manual one is refused, the ticket as it was.
		before := d.ticketNow()
		if r := save(start.SLA.Policy, "", "", "false"); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "complex") {
			t.Errorf("a rules' policy chosen by hand: %d\n%s", r.code, r.body)
		}
		if tk := d.ticketNow(); tk.Version != before.Version {
			t.Error("a refused policy changed the ticket")
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	h := web.Handler(testInfo, testkit.Logger(t))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'nonce-", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe scripts: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// A cross-site form post is refused before any handler runs.
	req := httptest.NewRequest(http.MethodPost, "/agent/login", strings.NewReader("email=a"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST: got %d, want 403", rec.Code)
	}
}
