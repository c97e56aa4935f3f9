package loadtest

import (
	"context"
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/loadtest/fakeapi"
)

const testToken = "test-token"

// startFake serves a fake API for the test and returns it with its URL.
func startFake(tb testing.TB, opts fakeapi.Options) (*fakeapi.Server, string) {
	tb.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	s := fakeapi.New(opts)
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	return s, ts.URL
}

// testConfig returns a short run of scenario against url.
func testConfig(url string, scenario Scenario) Config {
	return Config{
		URL:         url,
		Token:       testToken,
		Scenario:    scenario,
		Concurrency: 4,
		Duration:    150 * time.Millisecond,
		Query:       "ошибка входа",
		Status:      "new",
		Limit:       20,
	}
}

// mustRun runs cfg and fails the test on error.
func mustRun(tb testing.TB, cfg Config) *Result {
	tb.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return res
}

// opResult returns the result of the named operation.
func opResult(tb testing.TB, res *Result, name string) *OpResult {
	tb.Helper()
	for i := range res.Ops {
		if res.Ops[i].Name == name {
			return &res.Ops[i]
		}
	}
	tb.Fatalf("no %s operation in the result", name)
	return nil
}

// checkAccounting checks the client's counts of op against the server's: every answer the client
// counted was given, and every answer given was counted unless the request was abandoned at the
// deadline or is one of uncounted others (the token check, or the warm-up's).
func checkAccounting(t *testing.T, s *fakeapi.Server, o *OpResult, op string, success int, uncounted int) {
	t.Helper()
	served := s.Counts(op)
	check := func(what string, client int64, server int) {
		t.Helper()
		if int64(server) < client || int64(server) > client+o.Unfinished+int64(uncounted) {
			t.Errorf("%s %s: client counted %d, server answered %d (unfinished %d)", op, what, client, server, o.Unfinished)
		}
	}
	check(strconv.Itoa(success), o.OK, served[success])
	for code, n := range served {
		switch code {
		case success:
		case 0:
			check("broken connections", o.TransportErrors, n)
		default:
			check(strconv.Itoa(code), o.Errors[code], n)
		}
	}
	for code := range o.Errors {
		if _, ok := served[code]; !ok {
			t.Errorf("%s: client counted status %d the server never sent", op, code)
		}
	}
	if got, want := o.Latency.Count(), o.OK; got != want {
		t.Errorf("%s: %d latencies recorded, want one per success (%d)", op, got, want)
	}
}

var (
	uuidPattern  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	emailPattern = regexp.MustCompile(`^[a-z]+\.[a-z]+\.[0-9a-z]{4}\.[0-9]{10}@example\.(com|org|net)$`)
	phonePattern = regexp.MustCompile(`^\+7 9[0-9]{2} [0-9]{3}-[0-9]{2}-[0-9]{2}$`)
)

// checkCreates checks that every create request is well-formed and returns how many there were.
func checkCreates(t *testing.T, reqs []fakeapi.Request) int {
	t.Helper()
	keys := make(map[string]bool)
	emails := make(map[string]int)
	n := 0
	for _, r := range reqs {
		if r.Op != fakeapi.OpCreate {
			continue
		}
		n++
		if r.Method != "POST" || r.Path != "/api/v1/tickets" || len(r.Query) != 0 {
			t.Fatalf("create sent %s %s?%s, want POST /api/v1/tickets", r.Method, r.Path, r.Query.Encode())
		}
		if got, want := r.Authorization, "Bearer "+testToken; got != want {
			t.Fatalf("Authorization = %q, want %q", got, want)
		}
		if got, want := r.ContentType, "application/json"; got != want {
			t.Fatalf("Content-Type = %q, want %q", got, want)
		}
		if !uuidPattern.MatchString(r.IdempotencyKey) {
			t.Fatalf("Idempotency-Key = %q, want a version 4 UUID", r.IdempotencyKey)
		}
		if keys[r.IdempotencyKey] {
			t.Fatalf("Idempotency-Key %q sent twice", r.IdempotencyKey)
		}
		keys[r.IdempotencyKey] = true
		c, err := fakeapi.DecodeCreateBody(r.Body)
		if err != nil {
			t.Fatalf("create body %s: %v", r.Body, err)
		}
		if c.Channel != "web" || c.Subject == "" || c.Requester == nil || c.Requester.Name == "" {
			t.Fatalf("create body lacks a contract field: %s", r.Body)
		}
		if n := utf8.RuneCountInString(c.Body); n < minBodyRunes || n > maxBodyRunes {
			t.Errorf("body is %d characters, want %d to %d: %q", n, minBodyRunes, maxBodyRunes, c.Body)
		}
		if !emailPattern.MatchString(c.Requester.Email) {
			t.Errorf("requester e-mail %q, want a unique address at a reserved domain", c.Requester.Email)
		}
		if !phonePattern.MatchString(c.Requester.Phone) {
			t.Errorf("requester phone %q, want +7 9XX XXX-XX-XX", c.Requester.Phone)
		}
		emails[c.Requester.Email]++
	}
	for e, k := range emails {
		if k > requestsPerRequester {
			t.Errorf("e-mail %s used %d times, want at most %d", e, k, requestsPerRequester)
		}
	}
	if min := n / requestsPerRequester; len(emails) < min {
		t.Errorf("%d distinct e-mails in %d creates, want at least %d", len(emails), n, min)
	}
	return n
}

// afterTokenCheck checks that the first request checks the token with a page of one ticket and
// returns the requests after it.
func afterTokenCheck(t *testing.T, reqs []fakeapi.Request) []fakeapi.Request {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("no requests")
	}
	r := reqs[0]
	if r.Op != fakeapi.OpList || r.Method != "GET" || r.Query.Encode() != "limit=1" || r.Authorization != "Bearer "+testToken {
		t.Fatalf("first request %s %s?%s (%s), want the token check GET /api/v1/tickets?limit=1", r.Method, r.Path, r.Query.Encode(), r.Op)
	}
	return reqs[1:]
}

func TestCreate(t *testing.T) {
	s, url := startFake(t, fakeapi.Options{Record: true, Fail: map[string]fakeapi.Failure{
		fakeapi.OpCreate: {Every: 10, Status: 503},
	}})
	res := mustRun(t, testConfig(url, ScenarioCreate))

	o := opResult(t, res, "create")
	if o.Requests() < 20 {
		t.Fatalf("only %d requests in %s", o.Requests(), res.Elapsed)
	}
	if n := checkCreates(t, afterTokenCheck(t, s.Requests())); int64(n) < o.Requests() {
		t.Errorf("server received %d creates, client counted %d", n, o.Requests())
	}
	checkAccounting(t, s, o, fakeapi.OpCreate, 201, 0)
	if got := float64(o.Errors[503]) / float64(o.Requests()); o.Requests() >= 200 && (got < 0.08 || got > 0.12) {
		t.Errorf("503 share = %.3f, want about 0.1 (every tenth request)", got)
	}
	if got, want := len(o.Errors), 1; got != want {
		t.Errorf("errors by status = %v, want only 503", o.Errors)
	}
	if len(res.ErrorSamples) != 1 || res.ErrorSamples[0].Status != 503 || !strings.Contains(res.ErrorSamples[0].Text, "Injected failure") {
		t.Errorf("ErrorSamples = %+v, want the 503 body", res.ErrorSamples)
	}
	if !res.Failed() {
		t.Error("Failed() = false with 10% of requests failing")
	}
	if got, want := res.Total.Requests(), o.Requests(); got != want {
		t.Errorf("total requests %d, want %d", got, want)
	}
}

func TestGet(t *testing.T) {
	s, url := startFake(t, fakeapi.Options{Record: true, Tickets: 1234, Fail: map[string]fakeapi.Failure{
		fakeapi.OpGet: {Every: 20, Status: 0}, // a broken connection
	}})
	res := mustRun(t, testConfig(url, ScenarioGet))

	if got, want := res.Tickets, 1234; got != want {
		t.Errorf("collected %d ticket numbers, want %d", got, want)
	}
	numbers := make(map[string]bool)
	for _, n := range s.Numbers() {
		numbers[n] = true
	}
	gets, pages := 0, 0
	for _, r := range s.Requests() {
		if got, want := r.Authorization, "Bearer "+testToken; got != want {
			t.Fatalf("Authorization = %q, want %q", got, want)
		}
		switch r.Op {
		case fakeapi.OpList: // collecting, page by page; this also checks the token
			pages++
			if r.Query.Get("limit") != "500" {
				t.Errorf("collecting with limit=%s, want 500", r.Query.Get("limit"))
			}
			if pages > 1 && r.Query.Get("cursor") == "" {
				t.Errorf("page %d of the collection without a cursor", pages)
			}
		case fakeapi.OpGet:
			gets++
			number, ok := strings.CutPrefix(r.Path, "/api/v1/tickets/")
			if r.Method != "GET" || !ok || !numbers[number] {
				t.Fatalf("get sent %s %s, want GET of an existing ticket", r.Method, r.Path)
			}
		default:
			t.Fatalf("unexpected %s request", r.Op)
		}
	}
	if want := (1234 + fakeapi.DefaultMaxLimit - 1) / fakeapi.DefaultMaxLimit; pages != want {
		t.Errorf("collected in %d pages, want %d", pages, want)
	}
	o := opResult(t, res, "get")
	if o.Requests() < 20 || int64(gets) < o.Requests() {
		t.Errorf("client counted %d gets, server received %d", o.Requests(), gets)
	}
	checkAccounting(t, s, o, fakeapi.OpGet, 200, 0)
	if o.TransportErrors == 0 || res.TransportSample == "" {
		t.Errorf("transport errors %d, sample %q; want the broken connections counted", o.TransportErrors, res.TransportSample)
	}
	if len(o.Errors) != 0 {
		t.Errorf("errors by status = %v, want none", o.Errors)
	}
	if !res.Failed() {
		t.Errorf("Failed() = false with %d of %d failed", o.Failed(), o.Requests())
	}
}

func TestGetCollectsAtMostMaxTickets(t *testing.T) {
	_, url := startFake(t, fakeapi.Options{Tickets: 700})
	cfg := testConfig(url, ScenarioGet)
	cfg.MaxTickets = 300
	cfg.Duration = 20 * time.Millisecond
	if got, want := mustRun(t, cfg).Tickets, 300; got != want {
		t.Errorf("collected %d ticket numbers, want %d", got, want)
	}
}

func TestGetWithoutTickets(t *testing.T) {
	_, url := startFake(t, fakeapi.Options{})
	_, err := Run(context.Background(), testConfig(url, ScenarioGet))
	if err == nil || !strings.Contains(err.Error(), "create scenario") {
		t.Errorf("Run with no tickets: error %v, want a hint to create some", err)
	}
}

func TestList(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tickets  int
		maxDepth int
	}{
		{"many pages", 500, MaxListPages},
		{"three pages", 50, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, url := startFake(t, fakeapi.Options{Record: true, Tickets: tc.tickets, Fail: map[string]fakeapi.Failure{
				fakeapi.OpList: {Every: 13, Status: 500},
			}})
			cfg := testConfig(url, ScenarioList)
			res := mustRun(t, cfg)
			depths := make(map[int]int)
			reqs := afterTokenCheck(t, s.Requests())
			for _, r := range reqs {
				if r.Op != fakeapi.OpList || r.Method != "GET" || r.Path != "/api/v1/tickets" {
					t.Fatalf("list sent %s %s (%s)", r.Method, r.Path, r.Op)
				}
				if got, want := r.Authorization, "Bearer "+testToken; got != want {
					t.Fatalf("Authorization = %q, want %q", got, want)
				}
				if r.Query.Get("status") != "new" || r.Query.Get("limit") != "20" {
					t.Fatalf("list query %q, want status=new&limit=20", r.Query.Encode())
				}
				depth := 1
				if c := r.Query.Get("cursor"); c != "" {
					offset, err := fakeapi.Offset(c)
					if err != nil || offset%20 != 0 {
						t.Fatalf("cursor %q is not one the server gave", c)
					}
					depth = offset/20 + 1
				}
				depths[depth]++
			}
			for d := 1; d <= tc.maxDepth && len(reqs) >= 20*cfg.Concurrency; d++ {
				if depths[d] == 0 {
					t.Errorf("no request for page %d; pages requested: %v", d, depths)
				}
			}
			if depths[tc.maxDepth+1] > 0 {
				t.Errorf("pages requested %v, want none deeper than %d", depths, tc.maxDepth)
			}
			// Each chain starts on page 1 and goes deeper unless a page fails, so the first page is
			// asked for most often.
			if depths[1] < depths[tc.maxDepth] {
				t.Errorf("pages requested %v, want page 1 at least as often as page %d", depths, tc.maxDepth)
			}
			o := opResult(t, res, "list")
			checkAccounting(t, s, o, fakeapi.OpList, 200, 1)
			if o.Errors[500] == 0 || !res.Failed() {
				t.Errorf("errors %v, Failed() = %v; want the injected 500s counted and the run failed", o.Errors, res.Failed())
			}
		})
	}
}

func TestSearch(t *testing.T) {
	s, url := startFake(t, fakeapi.Options{Record: true, Tickets: 100, Fail: map[string]fakeapi.Failure{
		fakeapi.OpSearch: {Every: 4, Status: 429},
	}})
	res := mustRun(t, testConfig(url, ScenarioSearch))
	for _, r := range afterTokenCheck(t, s.Requests()) {
		if r.Op != fakeapi.OpSearch || r.Method != "GET" || r.Path != "/api/v1/tickets" {
			t.Fatalf("search sent %s %s (%s)", r.Method, r.Path, r.Op)
		}
		if got, want := r.Query.Get("q"), "ошибка входа"; got != want {
			t.Fatalf("q = %q, want %q", got, want)
		}
		if got, want := r.Query.Get("limit"), "20"; got != want {
			t.Fatalf("limit = %q, want %q", got, want)
		}
		if got, want := r.Authorization, "Bearer "+testToken; got != want {
			t.Fatalf("Authorization = %q, want %q", got, want)
		}
	}
	o := opResult(t, res, "search")
	checkAccounting(t, s, o, fakeapi.OpSearch, 200, 0)
	if got := float64(o.Errors[429]) / float64(o.Requests()); o.Requests() >= 200 && (got < 0.2 || got > 0.3) {
		t.Errorf("429 share = %.3f, want about 0.25", got)
	}
}

func TestSearchURLEncodesQuery(t *testing.T) {
	_, url := startFake(t, fakeapi.Options{})
	cfg := testConfig(url+"/", ScenarioSearch)
	cfg.Query = "ошибка & вход"
	p, err := newPlan(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.searchURL, url+"/api/v1/tickets?limit=20&q=%D0%BE%D1%88%D0%B8%D0%B1%D0%BA%D0%B0+%26+%D0%B2%D1%85%D0%BE%D0%B4"; got != want {
		t.Errorf("search URL = %s, want %s", got, want)
	}
}

func TestMixed(t *testing.T) {
	s, url := startFake(t, fakeapi.Options{Record: true, Tickets: 300})
	cfg := testConfig(url, ScenarioMixed)
	cfg.Duration = 300 * time.Millisecond
	res := mustRun(t, cfg)

	if got, want := len(res.Ops), 4; got != want {
		t.Fatalf("%d operations in the result, want %d", got, want)
	}
	total := res.Total.Requests()
	if total < 20 {
		t.Fatalf("only %d requests", total)
	}
	for _, want := range []struct {
		name  string
		share int
		op    string
		ok    int
	}{{"create", 20, fakeapi.OpCreate, 201}, {"get", 40, fakeapi.OpGet, 200}, {"list", 25, fakeapi.OpList, 200}, {"search", 15, fakeapi.OpSearch, 200}} {
		o := opResult(t, res, want.name)
		if o.Share != want.share {
			t.Errorf("%s share %d%%, want %d%%", want.name, o.Share, want.share)
		}
		// The shares themselves are tested on pick; here each operation only has to occur.
		if o.Requests() == 0 && total >= 200 {
			t.Errorf("no %s request in %d", want.name, total)
		}
		if o.Failed() != 0 {
			t.Errorf("%s: %d failed", want.name, o.Failed())
		}
		// The collection's list requests precede the run; they are counted by the server only.
		if want.op != fakeapi.OpList {
			checkAccounting(t, s, o, want.op, want.ok, 0)
		}
	}
	checkCreates(t, s.Requests())
	if res.Failed() {
		t.Error("Failed() = true with no failures")
	}
	if got := res.Total.Latency.Count(); got != res.Total.OK {
		t.Errorf("%d latencies in the total, want %d", got, res.Total.OK)
	}
}

func TestPickFollowsTheMix(t *testing.T) {
	for _, s := range Scenarios {
		w, _ := s.weights()
		p := &plan{weights: w}
		used := 0
		for o := range numOps {
			if w[o] > 0 {
				used++
				p.first = o
			}
		}
		p.single = used == 1
		wk := &worker{p: p, rng: newSeededRand()}
		var got [numOps]int
		const n = 100_000
		for range n {
			got[wk.pick()]++
		}
		for o := range numOps {
			if share := 100 * float64(got[o]) / n; share < float64(w[o])-1 || share > float64(w[o])+1 {
				t.Errorf("%s: %s is %.2f%% of picks, want %d%%", s, o, share, w[o])
			}
		}
	}
}

func TestRunStopsAtDeadline(t *testing.T) {
	t.Run("fast server", func(t *testing.T) {
		_, url := startFake(t, fakeapi.Options{})
		cfg := testConfig(url, ScenarioCreate)
		cfg.Duration = 200 * time.Millisecond
		began := time.Now()
		res := mustRun(t, cfg)
		// The upper bound leaves room for a busy machine.
		if took := time.Since(began); took < cfg.Duration || took > cfg.Duration+2*time.Second {
			t.Errorf("Run took %s, want about %s", took, cfg.Duration)
		}
		if got, want := res.Elapsed, cfg.Duration; got != want {
			t.Errorf("Elapsed = %s, want %s", got, want)
		}
	})
	t.Run("server that never answers", func(t *testing.T) {
		_, url := startFake(t, fakeapi.Options{Delay: map[string]time.Duration{fakeapi.OpCreate: time.Minute}})
		cfg := testConfig(url, ScenarioCreate)
		cfg.Duration = 200 * time.Millisecond
		began := time.Now()
		res := mustRun(t, cfg)
		if took := time.Since(began); took > cfg.Duration+2*time.Second {
			t.Errorf("Run took %s, want about %s, not the minute the server takes", took, cfg.Duration)
		}
		if got, want := res.Total.Unfinished, int64(cfg.Concurrency); got != want {
			t.Errorf("Unfinished = %d, want %d (one per client)", got, want)
		}
		if got := res.Total.Requests(); got != 0 {
			t.Errorf("Requests() = %d, want 0", got)
		}
		if !res.Failed() {
			t.Error("Failed() = false with no request completed")
		}
	})
}

func TestWarmupIsNotRecorded(t *testing.T) {
	s, url := startFake(t, fakeapi.Options{Record: true})
	cfg := testConfig(url, ScenarioCreate)
	cfg.Warmup = 200 * time.Millisecond
	cfg.Duration = 50 * time.Millisecond
	began := time.Now()
	res := mustRun(t, cfg)
	if took := time.Since(began); took < cfg.Warmup+cfg.Duration {
		t.Errorf("Run took %s, want at least warm-up plus duration", took)
	}
	sent := int64(checkCreates(t, s.Requests()))
	counted := res.Total.Requests() + res.Total.Unfinished
	// About four in five requests fall into the warm-up.
	if counted == 0 || counted > sent/2 {
		t.Errorf("counted %d of %d requests sent, want about a fifth", counted, sent)
	}
	checkAccounting(t, s, opResult(t, res, "create"), fakeapi.OpCreate, 201, math.MaxInt32)
}

// triggerWriter calls f, once, when a line containing match is written to it.
type triggerWriter struct {
	match string
	f     func()
	done  bool
}

func (w *triggerWriter) Write(p []byte) (int, error) {
	if !w.done && strings.Contains(string(p), w.match) {
		w.done = true
		w.f()
	}
	return len(p), nil
}

func TestRunInterrupted(t *testing.T) {
	_, url := startFake(t, fakeapi.Options{})
	cfg := testConfig(url, ScenarioCreate)
	cfg.Duration = 10 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Interrupt the run 100ms into the measured time.
	cfg.Log = &triggerWriter{match: "measuring", f: func() { time.AfterFunc(100*time.Millisecond, cancel) }}
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Elapsed >= time.Second || res.Total.Requests() == 0 {
		t.Errorf("Interrupted %v, Elapsed %s, %d requests; want an early stop with what was measured", res.Interrupted, res.Elapsed, res.Total.Requests())
	}
}

func TestRunChecksHealthAndAuth(t *testing.T) {
	s, url := startFake(t, fakeapi.Options{Tickets: 10})
	for _, sc := range Scenarios {
		cfg := testConfig(url, sc)
		cfg.Token = "wrong"
		_, err := Run(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
			t.Errorf("Run(%s) with a wrong token: error %v, want the 401 before the run", sc, err)
		}
	}
	if got, want := s.Counts(fakeapi.OpList)[401], len(Scenarios); got != want {
		t.Errorf("server answered %d requests with 401, want %d (one per run)", got, want)
	}
	cfg := testConfig("http://127.0.0.1:1", ScenarioCreate)
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "health check") {
		t.Errorf("Run against nothing: error %v, want a failed health check", err)
	}
}
