package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/api"
	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// app is the real API over a real SQLite store, with an administrator, an operator and an auditor.
type app struct {
	t       testing.TB
	h       http.Handler
	api     *api.API
	svc     *service.Service
	clock   *testkit.Clock
	files   string // the directory of the file vault's objects
	admin   string
	op      string
	auditor string
}

func newApp(t *testing.T, engine string) *app { return newAppTB(t, engine, testkit.Logger(t)) }

func newBenchApp(b *testing.B) *app { return newAppTB(b, "sqlite", slog.New(slog.DiscardHandler)) }

// newAppTB makes an app; configure, if given, may change the options of the service and the API.
func newAppTB(t testing.TB, engine string, log *slog.Logger, configure ...func(*service.Options, *api.Options)) *app {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
	vault, filesDir, _ := testkit.NewVault(t)
	bus := events.NewLocal()
	t.Cleanup(func() { bus.Close() })
	so := service.Options{Store: st, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}, Events: bus, Node: "test",
		Mail: service.MailOptions{Address: "support@otklik.test", Name: "Служба поддержки"}, Files: service.FileOptions{Vault: vault, Scanning: true}}
	ao := api.Options{Version: "test", MaxBodyBytes: 64 << 10, Events: bus}
	for _, c := range configure {
		c(&so, &ao)
	}
	svc := service.New(so)
	ao.Service = svc
	a := api.New(ao)
	mux := http.NewServeMux()
	mux.Handle("/api/", a)
	x := &app{t: t, h: httpx.Middleware(log, mux), api: a, svc: svc, clock: clock, files: filesDir}
	ctx := context.Background()
	x.admin = strings.Repeat("a", 40)
	if err := svc.EnsureAdminToken(ctx, x.admin); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email string
		role  otklik.Role
		tok   *string
	}{{"op@example.ru", otklik.RoleOperator, &x.op}, {"audit@example.ru", otklik.RoleAuditor, &x.auditor}} {
		if _, err := svc.AddUser(ctx, service.NewUser{Email: u.email, Name: "Сотрудник " + string(u.role), Role: u.role}); err != nil {
			t.Fatal(err)
		}
		tok, err := svc.CreateToken(ctx, u.email, "test")
		if err != nil {
			t.Fatal(err)
		}
		*u.tok = tok
	}
	return x
}

// do sends a request and returns the status, headers and decoded body.
func (x *app) do(method, path, token, body string, hdr ...string) (int, http.Header, map[string]any, []byte) {
	x.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	raw := w.Body.Bytes()
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return w.Code, w.Header(), m, raw
}

const validTicket = `{"channel":"web","subject":"Не могу войти в личный кабинет","body":"Здравствуйте! После ввода пароля появляется ошибка. Прошу помочь.","requester":{"name":"Иванова Мария Петровна","email":"Maria.Ivanova@Mail.ru","phone":"8 (916) 123-45-67","snils":"112-233-445 95","inn":"500100732259"}}`

func (x *app) create(body string) string {
	x.t.Helper()
	code, _, m, raw := x.do("POST", "/api/v1/tickets", x.op, body)
	if code != http.StatusCreated {
		x.t.Fatalf("create: %d %s", code, raw)
	}
	return m["number"].(string)
}

func TestCreateAndGetTicket(t *testing.T) { testkit.ForEachEngine(t, testCreateAndGetTicket) }

func testCreateAndGetTicket(t *testing.T, engine string) {
	x := newApp(t, engine)
	code, hdr, m, raw := x.do("POST", "/api/v1/tickets", x.op, validTicket)
	if code != http.StatusCreated {
		t.Fatalf("got %d %s", code, raw)
	}
	number := m["number"].(string)
	if _, err := otklik.ParseNumber(number); err != nil || !strings.HasPrefix(number, "26-") {
		t.Errorf("number %q is not a valid 2026 number", number)
	}
	if got, want := hdr.Get("Location"), "/api/v1/tickets/"+number; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	req := m["requester"].(map[string]any)
	for field, want := range map[string]string{"email": "maria.ivanova@mail.ru", "phone": "+79161234567", "snils": "112-233-445 95", "inn": "500100732259"} {
		if got := req[field]; got != want {
			t.Errorf("requester.%s = %v, want %s", field, got, want)
		}
	}
	for field, want := range map[string]any{"status": "new", "status_name": "Принято", "channel": "web", "category": "access", "priority": "normal", "created_at": "2026-11-23T12:30:00+03:00"} {
		if got := m[field]; got != want {
			t.Errorf("%s = %v, want %v", field, got, want)
		}
	}
	for _, field := range []string{"first_response_due_at", "due_at", "assignee", "group"} {
		if _, ok := m[field]; !ok {
			t.Errorf("field %s missing from the ticket", field)
		}
	}
	if g := m["group"].(map[string]any); g["code"] != "line1" {
		t.Errorf("group = %v, want line1 (routed by category)", g)
	}

	code, hdr, m, raw = x.do("GET", "/api/v1/tickets/"+strings.ReplaceAll(number, "-", ""), x.auditor, "")
	if code != http.StatusOK {
		t.Fatalf("get without hyphens: %d %s", code, raw)
	}
	if m["number"] != number || len(m["messages"].([]any)) != 1 {
		t.Errorf("get: %s", raw)
	}
	if hdr.Get("ETag") != `"v1"` {
		t.Errorf("ETag = %q", hdr.Get("ETag"))
	}
	code, _, _, _ = x.do("GET", "/api/v1/tickets/"+number, x.op, "", "If-None-Match", `"v1"`)
	if code != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", code)
	}
}

func TestIdempotencyKey(t *testing.T) { testkit.ForEachEngine(t, testIdempotencyKey) }

func testIdempotencyKey(t *testing.T, engine string) {
	x := newApp(t, engine)
	_, _, m1, _ := x.do("POST", "/api/v1/tickets", x.op, validTicket, "Idempotency-Key", "req-42")
	code, hdr, m2, raw := x.do("POST", "/api/v1/tickets", x.op, validTicket, "Idempotency-Key", "req-42")
	if code != http.StatusCreated || m1["number"] != m2["number"] || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %v %s", code, m1["number"], raw)
	}
	// The same key from another caller is another request.
	_, _, m3, _ := x.do("POST", "/api/v1/tickets", x.admin, validTicket, "Idempotency-Key", "req-42")
	if m3["number"] == m1["number"] {
		t.Errorf("a key is scoped to its caller, but another caller got the same ticket")
	}
	// The same key with another body is refused.
	code, _, m, _ := x.do("POST", "/api/v1/tickets", x.op, strings.Replace(validTicket, "Не могу", "Опять не могу", 1), "Idempotency-Key", "req-42")
	if code != http.StatusUnprocessableEntity || m["code"] != "idempotency.mismatch" {
		t.Errorf("reused key with another body: %d %v", code, m)
	}
	page := x.list("/api/v1/tickets?limit=500")
	if got, want := len(page), 2; got != want {
		t.Errorf("tickets after retries = %d, want %d", got, want)
	}
}

func TestIdempotencyKeyConcurrentRetries(t *testing.T) {
	testkit.ForEachEngine(t, testIdempotencyKeyConcurrentRetries)
}

func testIdempotencyKeyConcurrentRetries(t *testing.T, engine string) {
	x := newApp(t, engine)
	var wg sync.WaitGroup
	numbers := make([]string, 16)
	for i := range numbers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, m, _ := x.do("POST", "/api/v1/tickets", x.op, validTicket, "Idempotency-Key", "burst")
			numbers[i], _ = m["number"].(string)
		}()
	}
	wg.Wait()
	for _, n := range numbers {
		if n == "" || n != numbers[0] {
			t.Fatalf("concurrent retries made different tickets: %v", numbers)
		}
	}
	if n := len(x.list("/api/v1/tickets")); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

func (x *app) list(path string) []any {
	x.t.Helper()
	code, _, m, raw := x.do("GET", path, x.op, "")
	if code != http.StatusOK {
		x.t.Fatalf("list %s: %d %s", path, code, raw)
	}
	return m["items"].([]any)
}

// TestBadInput is the scenario table of malformed, oversized and hostile requests: each gets a clear
// problem document and writes nothing.
func TestBadInput(t *testing.T) { testkit.ForEachEngine(t, testBadInput) }

func testBadInput(t *testing.T, engine string) {
	x := newApp(t, engine)
	number := x.create(validTicket)
	long := strings.Repeat("я", 100_000)
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		code                     string // the problem's code
		field                    string // a field named in errors
	}{
		{"malformed JSON", "POST", "/api/v1/tickets", `{"channel":"web",`, nil, 400, "error.truncated_json", ""},
		{"syntax error", "POST", "/api/v1/tickets", `{"channel" "web"}`, nil, 400, "error.bad_json", ""},
		{"not an object", "POST", "/api/v1/tickets", `[1,2]`, nil, 400, "error.not_object", ""},
		{"trailing data", "POST", "/api/v1/tickets", validTicket + `{}`, nil, 400, "error.trailing_json", ""},
		{"empty body", "POST", "/api/v1/tickets", ` `, nil, 400, "error.body_empty", ""},
		{"unknown field", "POST", "/api/v1/tickets", `{"channel":"web","subject":"s","body":"b","requester":{"email":"a@b.ru"},"priorty":"high"}`, nil, 422, "error.validation", "priorty"},
		{"wrong type", "POST", "/api/v1/tickets", `{"channel":"web","subject":5,"body":"b","requester":{"email":"a@b.ru"}}`, nil, 422, "error.validation", "subject"},
		{"invalid UTF-8", "POST", "/api/v1/tickets", "{\"channel\":\"web\",\"subject\":\"\xff\xfe\",\"body\":\"b\",\"requester\":{\"email\":\"a@b.ru\"}}", nil, 400, "error.bad_utf8", ""},
		{"control characters", "POST", "/api/v1/tickets", `{"channel":"web","subject":"a\u0007b","body":"b","requester":{"email":"a@b.ru"}}`, nil, 422, "error.validation", "subject"},
		{"bidi override", "POST", "/api/v1/tickets", `{"channel":"web","subject":"a\u202eb","body":"b","requester":{"email":"a@b.ru"}}`, nil, 422, "error.validation", "subject"},
		{"100 KB subject", "POST", "/api/v1/tickets", `{"channel":"web","subject":"` + long[:50_000] + `","body":"b","requester":{"email":"a@b.ru"}}`, nil, 422, "error.validation", "subject"},
		{"body over the limit", "POST", "/api/v1/tickets", `{"channel":"web","subject":"s","body":"` + long + `","requester":{"email":"a@b.ru"}}`, nil, 413, "error.body_too_large", ""},
		{"wrong СНИЛС checksum", "POST", "/api/v1/tickets", `{"channel":"web","subject":"s","body":"b","requester":{"email":"a@b.ru","snils":"112-233-445 96"}}`, nil, 422, "error.validation", "requester.snils"},
		{"wrong ИНН", "POST", "/api/v1/tickets", `{"channel":"web","subject":"s","body":"b","requester":{"email":"a@b.ru","inn":"7707083890"}}`, nil, 422, "error.validation", "requester.inn"},
		{"bad phone", "POST", "/api/v1/tickets", `{"channel":"web","subject":"s","body":"b","requester":{"phone":"12"}}`, nil, 422, "error.validation", "requester.phone"},
		{"no contact", "POST", "/api/v1/tickets", `{"channel":"web","subject":"s","body":"b","requester":{"name":"Аноним"}}`, nil, 422, "error.validation", "requester"},
		{"unknown channel", "POST", "/api/v1/tickets", `{"channel":"fax","subject":"s","body":"b","requester":{"email":"a@b.ru"}}`, nil, 422, "error.validation", "channel"},
		{"unknown category", "POST", "/api/v1/tickets", `{"channel":"web","category":"nope","subject":"s","body":"b","requester":{"email":"a@b.ru"}}`, nil, 422, "error.validation", "category"},
		{"not JSON", "POST", "/api/v1/tickets", `channel=web`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "error.media_type", ""},
		{"bad idempotency key", "POST", "/api/v1/tickets", validTicket, []string{"Idempotency-Key", "с пробелом"}, 422, "error.validation", "Idempotency-Key"},
		{"closed → waiting", "POST", "/api/v1/tickets/" + number + "/status", `{"status":"waiting"}`, nil, 409, "ticket.transition", ""},
		{"unknown status", "POST", "/api/v1/tickets/" + number + "/status", `{"status":"done"}`, nil, 422, "error.validation", "status"},
		{"mistyped number", "GET", "/api/v1/tickets/26-100001-9", "", nil, 404, "ticket.number", ""},
		{"missing ticket", "GET", "/api/v1/tickets/" + otklik.FormatNumber(2026, 999999), "", nil, 404, "ticket.not_found", ""},
		{"unknown list parameter", "GET", "/api/v1/tickets?stauts=new", "", nil, 422, "error.validation", "stauts"},
		{"bad cursor", "GET", "/api/v1/tickets?cursor=zzz", "", nil, 422, "error.validation", "cursor"},
		{"bad limit", "GET", "/api/v1/tickets?limit=100000", "", nil, 422, "error.validation", "limit"},
		{"unknown route", "GET", "/api/v1/nothing", "", nil, 404, "error.route_not_found", ""},
		{"stale If-Match", "POST", "/api/v1/tickets/" + number + "/messages", `{"body":"ответ"}`, []string{"If-Match", `"v99"`}, 409, "ticket.version_conflict_by", ""},
	}
	// Close the ticket first so that "closed → waiting" is a real closed ticket.
	for _, st := range []string{"in_progress", "resolved", "closed"} {
		if code, _, _, raw := x.do("POST", "/api/v1/tickets/"+number+"/status", x.op, `{"status":"`+st+`"}`); code != 200 {
			t.Fatalf("%s: %d %s", st, code, raw)
		}
	}
	before := len(x.list("/api/v1/tickets?limit=500"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, hdr, m, raw := x.do(tt.method, tt.path, x.op, tt.body, tt.hdr...)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, raw)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if m["code"] != tt.code {
				t.Errorf("code = %v, want %s (%s)", m["code"], tt.code, raw)
			}
			if d, _ := m["detail"].(string); d == "" || d == tt.code {
				t.Errorf("detail %q is not a message", d)
			}
			if tt.field != "" {
				found := false
				errs, _ := m["errors"].([]any)
				for _, e := range errs {
					em := e.(map[string]any)
					if msg, _ := em["message"].(string); em["field"] == tt.field && msg != "" && msg != em["code"] {
						found = true
					}
				}
				if !found {
					t.Errorf("errors do not name %q: %s", tt.field, raw)
				}
			}
		})
	}
	if after := len(x.list("/api/v1/tickets?limit=500")); after != before {
		t.Errorf("bad requests left %d tickets behind", after-before)
	}
}

func TestTransitionConflictListsAllowed(t *testing.T) {
	testkit.ForEachEngine(t, testTransitionConflictListsAllowed)
}

func testTransitionConflictListsAllowed(t *testing.T, engine string) {
	x := newApp(t, engine)
	number := x.create(validTicket)
	code, _, m, raw := x.do("POST", "/api/v1/tickets/"+number+"/status", x.op, `{"status":"closed"}`)
	if code != http.StatusConflict {
		t.Fatalf("%d %s", code, raw)
	}
	allowed, _ := m["allowed"].([]any)
	if len(allowed) == 0 || m["current"] != "new" {
		t.Errorf("409 does not list the allowed statuses: %s", raw)
	}
	if !strings.Contains(m["detail"].(string), "«new»") {
		t.Errorf("detail %q does not name the current status", m["detail"])
	}
}

func TestReplyMovesNewToInProgressAndJournals(t *testing.T) {
	testkit.ForEachEngine(t, testReplyMovesNewToInProgressAndJournals)
}

func testReplyMovesNewToInProgressAndJournals(t *testing.T, engine string) {
	x := newApp(t, engine)
	number := x.create(validTicket)
	x.clock.Add(time.Hour)
	code, _, _, raw := x.do("POST", "/api/v1/tickets/"+number+"/messages", x.op, `{"body":"Здравствуйте! Сбросьте, пожалуйста, пароль по ссылке."}`)
	if code != http.StatusCreated {
		t.Fatalf("%d %s", code, raw)
	}
	_, _, note, _ := x.do("POST", "/api/v1/tickets/"+number+"/messages", x.op, `{"body":"Проверил журнал входов","internal":true}`)
	if note["internal"] != true {
		t.Errorf("note: %v", note)
	}
	_, _, m, _ := x.do("GET", "/api/v1/tickets/"+number, x.op, "")
	if m["status"] != "in_progress" || m["first_response_at"] != "2026-11-23T13:30:00+03:00" {
		t.Errorf("after reply: status %v, first response %v", m["status"], m["first_response_at"])
	}
	code, _, _, raw = x.do("PATCH", "/api/v1/tickets/"+number, x.op, `{"priority":"high","group":"line2","assignee_id":1,"subject":"Не могу войти","reason":"уточнение"}`, "If-Match", `"v3"`)
	if code != http.StatusOK {
		t.Fatalf("patch: %d %s", code, raw)
	}
	code, _, _, raw = x.do("PATCH", "/api/v1/tickets/"+number, x.op, `{"assignee_id":null,"group":null}`)
	if code != http.StatusOK {
		t.Fatalf("patch: %d %s", code, raw)
	}
	_, _, _, raw = x.do("GET", "/api/v1/tickets/"+number+"/journal", x.auditor, "")
	var recs []map[string]any
	if err := json.Unmarshal(raw, &recs); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range recs {
		kinds = append(kinds, r["kind"].(string)+":"+r["field"].(string))
	}
	want := "created: message:reply status: message:note field:subject priority:priority group:group assignee:assignee group:group assignee:assignee"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("journal kinds\n got %s\nwant %s", got, want)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i]["prev_hash"] != recs[i-1]["hash"] {
			t.Errorf("record %d does not link to the one before it", i+1)
		}
	}
	if recs[6]["before"] != "line1" || recs[6]["after"] != "line2" || recs[6]["reason"] != "уточнение" {
		t.Errorf("group record: %v", recs[6])
	}
	rep, err := x.svc.Verify(context.Background())
	if err != nil || rep.Broken != nil {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
}

func TestPermissions(t *testing.T) { testkit.ForEachEngine(t, testPermissions) }

func testPermissions(t *testing.T, engine string) {
	x := newApp(t, engine)
	tests := []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"no token", "GET", "/api/v1/tickets", "", "", 401},
		{"wrong token", "GET", "/api/v1/tickets", "otk_nope", "", 401},
		{"basic auth", "GET", "/api/v1/tickets", "", "", 401},
		{"auditor reads", "GET", "/api/v1/tickets", x.auditor, "", 200},
		{"auditor cannot write", "POST", "/api/v1/tickets", x.auditor, validTicket, 403},
		{"operator cannot add staff", "POST", "/api/v1/users", x.op, `{"email":"x@y.ru","name":"X","role":"operator"}`, 403},
		{"admin adds staff", "POST", "/api/v1/users", x.admin, `{"email":"x@y.ru","name":"Петров Пётр","role":"operator","group":"line1"}`, 201},
		{"admin adds a category", "POST", "/api/v1/categories", x.admin, `{"code":"access.esia","name":"Вход через ЕСИА","parent":"access"}`, 201},
		{"operator lists categories", "GET", "/api/v1/categories", x.op, "", 200},
		{"me", "GET", "/api/v1/me", x.op, "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.name == "basic auth" {
				hdr = []string{"Authorization", "Basic YTpi"}
			}
			code, h, _, raw := x.do(tt.method, tt.path, tt.token, tt.body, hdr...)
			if code != tt.status {
				t.Fatalf("%d, want %d: %s", code, tt.status, raw)
			}
			if code == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
		})
	}
}

func TestListFiltersAndPagination(t *testing.T) {
	testkit.ForEachEngine(t, testListFiltersAndPagination)
}

func testListFiltersAndPagination(t *testing.T, engine string) {
	x := newApp(t, engine)
	var numbers []string
	for i := 0; i < 7; i++ {
		body := validTicket
		if i%2 == 1 {
			body = strings.Replace(body, `"channel":"web"`, `"channel":"phone"`, 1)
			body = strings.Replace(body, "Maria.Ivanova@Mail.ru", "other@example.ru", 1)
		}
		numbers = append(numbers, x.create(body))
		x.clock.Add(time.Minute)
	}
	// Pages of 3, newest first, following the cursor, cover every ticket once.
	var got []string
	path := "/api/v1/tickets?limit=3"
	for pages := 0; ; pages++ {
		code, _, m, raw := x.do("GET", path, x.op, "")
		if code != 200 || pages > 5 {
			t.Fatalf("%d %s", code, raw)
		}
		for _, it := range m["items"].([]any) {
			got = append(got, it.(map[string]any)["number"].(string))
		}
		next, _ := m["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/api/v1/tickets?limit=3&cursor=" + next
	}
	if len(got) != 7 || got[0] != numbers[6] || got[6] != numbers[0] {
		t.Errorf("pages: %v, created %v", got, numbers)
	}
	if n := len(x.list("/api/v1/tickets?channel=phone")); n != 3 {
		t.Errorf("channel=phone: %d, want 3", n)
	}
	if n := len(x.list("/api/v1/tickets?requester_email=OTHER@example.ru")); n != 3 {
		t.Errorf("requester_email: %d, want 3", n)
	}
	if n := len(x.list("/api/v1/tickets?requester_phone=%2B7%20916%20123-45-67")); n != 7 {
		t.Errorf("requester_phone: %d, want 7 (the phone is on the first requester, and the second gets it filled in)", n)
	}
	if n := len(x.list("/api/v1/tickets?requester_snils=11223344595")); n == 0 {
		t.Errorf("requester_snils: nothing")
	}
	if n := len(x.list("/api/v1/tickets?requester_email=nobody@example.ru")); n != 0 {
		t.Errorf("unknown requester: %d tickets", n)
	}
	if n := len(x.list("/api/v1/tickets?category=access&status=new,in_progress")); n != 7 {
		t.Errorf("category+status: %d", n)
	}
	if n := len(x.list("/api/v1/tickets?created_from=2026-11-23T12:33:00%2B03:00")); n != 4 {
		t.Errorf("created_from: %d, want 4", n)
	}
	if n := len(x.list("/api/v1/tickets?created_to=2026-11-22")); n != 0 {
		t.Errorf("created_to a day before: %d", n)
	}
	if n := len(x.list("/api/v1/tickets?assignee=none")); n != 7 {
		t.Errorf("assignee=none: %d", n)
	}
	if n := len(x.list("/api/v1/tickets?group=line1")); n != 7 {
		t.Errorf("group=line1: %d", n)
	}
}

func TestSearchRussianWordForms(t *testing.T) { testkit.ForEachEngine(t, testSearchRussianWordForms) }

func testSearchRussianWordForms(t *testing.T, engine string) {
	x := newApp(t, engine)
	a := x.create(strings.Replace(validTicket, "Не могу войти в личный кабинет", "Не принимается заявление на загранпаспорт", 1))
	b := x.create(strings.Replace(validTicket, "После ввода пароля появляется ошибка", "При оплате счёта списались деньги дважды", 1))
	for q, want := range map[string][]string{
		"заявления":           {a},
		"ЗАЯВЛЕНИЙ":           {a},
		"ошибки":              {a},
		"счет":                {b},
		"счёт":                {b},
		"ошибка заявление":    {a},
		"ошибка деньги":       {},
		"\"; DROP TABLE x --": {},
		"NEAR(a b) OR *":      {},
	} {
		var got []string
		for _, it := range x.list("/api/v1/tickets?q=" + urlQuery(q)) {
			got = append(got, it.(map[string]any)["number"].(string))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("q=%q: got %v, want %v", q, got, want)
		}
	}
	// A reply is searchable too.
	x.do("POST", "/api/v1/tickets/"+b+"/messages", x.op, `{"body":"Возврат оформлен через банк"}`)
	if items := x.list("/api/v1/tickets?q=" + urlQuery("возвраты")); len(items) != 1 {
		t.Errorf("search in replies: %d results", len(items))
	}
}

func urlQuery(s string) string { return url.QueryEscape(s) }
