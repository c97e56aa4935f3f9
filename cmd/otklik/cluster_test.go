package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/otklik/otklik/internal/testkit"
)

// TestTwoNodesOnePostgres runs two `otklik serve` processes on one PostgreSQL database and checks what
// several nodes must never do: give two tickets one number, lose an update, run a job twice, or keep a
// change from the other node's live screens.
func TestTwoNodesOnePostgres(t *testing.T) {
	if os.Getenv(testkit.PostgresEnv) == "" {
		t.Skipf("set %s to run the multi-node tests", testkit.PostgresEnv)
	}
	db := testkit.MustNewDB(t, "postgres")
	a := startServer(t, t.TempDir(), "--db", db.URL, "--node", "a")
	b := startServer(t, t.TempDir(), "--db", db.URL, "--node", "b")
	nodes := []*server{a, b}
	ctx := context.Background()

	// Live screens: node B's event stream hears a change made on node A within a second.
	stream := openStream(t, b)
	start := time.Now()
	number := create(t, a, "Событие с узла A", "")
	ev := stream.next(t, 3*time.Second)
	if ev["ticket"] != number || ev["node"] != "a" {
		t.Fatalf("event on B: %v", ev)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the event took %v to reach the other node", d)
	}

	// Numbers: a burst of creations on both nodes at once.
	var mu sync.Mutex
	numbers := map[string]bool{number: true}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				n := create(t, nodes[w%2], fmt.Sprintf("Обращение %d-%d", w, i), "")
				mu.Lock()
				if numbers[n] {
					t.Errorf("number %s given twice", n)
				}
				numbers[n] = true
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if len(numbers) != 641 {
		t.Errorf("%d distinct numbers, want 641", len(numbers))
	}

	// Lost updates: both nodes edit one ticket with If-Match; every successful edit counts.
	successes, conflicts := 0, 0
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				node := nodes[(w+i)%2]
				code, body, err := node.request(ctx, "GET", "/api/v1/tickets/"+number, "")
				if err != nil || code != 200 {
					t.Errorf("get: %d %v", code, err)
					return
				}
				var tk struct{ Version int64 }
				_ = json.Unmarshal(body, &tk)
				code, body, _ = node.request(ctx, "PATCH", "/api/v1/tickets/"+number, `{"subject":"Правка `+fmt.Sprint(w, i)+`"}`,
					"If-Match", fmt.Sprintf(`"v%d"`, tk.Version))
				mu.Lock()
				switch code {
				case 200:
					successes++
				case 409:
					conflicts++
					if !strings.Contains(string(body), "last_change") {
						t.Errorf("a stale edit's 409 does not say who changed what: %s", body)
					}
				default:
					t.Errorf("patch: %d %s", code, body)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	_, body, _ := a.request(ctx, "GET", "/api/v1/tickets/"+number, "")
	var final struct{ Version int64 }
	_ = json.Unmarshal(body, &final)
	if final.Version != int64(1+successes) {
		t.Errorf("version %d after %d successful edits: an update was lost or doubled", final.Version, successes)
	}
	t.Logf("%d edits succeeded, %d were refused as stale", successes, conflicts)

	// Jobs: resolve tickets on both nodes (each enqueues its auto-close), make the jobs due, and let
	// both nodes' runners race for them: each ticket closes once.
	var resolved []string
	for n := range numbers {
		if len(resolved) == 120 {
			break
		}
		for _, st := range []string{"in_progress", "resolved"} {
			if code, b, _ := nodes[len(resolved)%2].request(ctx, "POST", "/api/v1/tickets/"+n+"/status", `{"status":"`+st+`"}`); code != 200 {
				t.Fatalf("status %s: %d %s", st, code, b)
			}
		}
		resolved = append(resolved, n)
	}
	makeJobsDue(t, db.Raw, "postgres")
	waitJobsDone(t, db.Raw, 120)
	assertClosedOnce(t, db.Raw, resolved)
	var byNode map[string]int
	rows, _ := db.Raw.Query(`SELECT locked_by, COUNT(*) FROM jobs GROUP BY locked_by`)
	byNode = map[string]int{}
	for rows.Next() {
		var node string
		var n int
		_ = rows.Scan(&node, &n)
		byNode[node] = n
	}
	rows.Close()
	t.Logf("jobs finished: %v", byNode)
}

// TestKillNodeWithJobs kills a node with SIGKILL during creations and job processing, on each engine;
// after it restarts, every answered creation is there once, every job has run once in effect, and the
// journal verifies.
func TestKillNodeWithJobs(t *testing.T) {
	testkit.ForEachEngine(t, testKillNodeWithJobs)
}

func testKillNodeWithJobs(t *testing.T, engine string) {
	db := testkit.MustNewDB(t, engine)
	data := t.TempDir()
	dbFlag := []string{"--db", db.URL}
	a := startServer(t, data, append(dbFlag, "--node", "a", "--workers", "4")...)
	ctx := context.Background()
	var resolved []string
	for i := 0; i < 200; i++ {
		n := create(t, a, fmt.Sprintf("Для закрытия %d", i), "")
		for _, st := range []string{"in_progress", "resolved"} {
			if code, b, _ := a.request(ctx, "POST", "/api/v1/tickets/"+n+"/status", `{"status":"`+st+`"}`); code != 200 {
				t.Fatalf("%d %s", code, b)
			}
		}
		resolved = append(resolved, n)
	}
	// A burst of creations, the jobs due at once, and the kill in the middle of both.
	type attempt struct {
		key, subject, number string
	}
	var mu sync.Mutex
	var attempts []*attempt
	burstCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; burstCtx.Err() == nil; i++ {
				at := &attempt{key: fmt.Sprintf("pgkill-%d-%d", w, i), subject: fmt.Sprintf("Во время сбоя %d-%d", w, i)}
				mu.Lock()
				attempts = append(attempts, at)
				mu.Unlock()
				code, body, err := a.request(ctx, "POST", "/api/v1/tickets", ticketBody(at.subject), "Idempotency-Key", at.key)
				if err != nil {
					return
				}
				if code == 201 {
					var tk struct{ Number string }
					_ = json.Unmarshal(body, &tk)
					mu.Lock()
					at.number = tk.Number
					mu.Unlock()
				}
			}
		}(w)
	}
	makeJobsDue(t, db.Raw, engine)
	time.Sleep(700 * time.Millisecond)
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	_, _ = a.cmd.Process.Wait()
	stop()
	wg.Wait()

	a = startServer(t, data, append(dbFlag, "--node", "a2", "--workers", "4")...)
	for _, at := range attempts {
		if at.number != "" {
			if code, body, _ := a.request(ctx, "GET", "/api/v1/tickets/"+at.number, ""); code != 200 || !strings.Contains(string(body), at.subject) {
				t.Fatalf("answered ticket %s lost: %d", at.number, code)
			}
			continue
		}
		if code, body, _ := a.request(ctx, "POST", "/api/v1/tickets", ticketBody(at.subject), "Idempotency-Key", at.key); code != 201 {
			t.Fatalf("retry %s: %d %s", at.key, code, body)
		}
	}
	var dup int
	if err := db.Raw.QueryRow(`SELECT COUNT(*) FROM (SELECT subject FROM tickets GROUP BY subject HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil || dup != 0 {
		t.Errorf("%d subjects registered more than once (%v)", dup, err)
	}
	// Jobs claimed by the killed node come back when their lease ends: shorten it for the test. The
	// new node claims jobs meanwhile, locking rows in its own order, so PostgreSQL may pick this
	// statement as a deadlock's victim: it is run again, as the store does with its own.
	for try := 0; ; try++ {
		_, err := db.Raw.Exec(`UPDATE jobs SET run_at = ` + nowSQL(engine) + ` WHERE status = 'running'`)
		if err == nil {
			break
		}
		if try == 5 || !strings.Contains(err.Error(), "40P01") {
			t.Fatal(err)
		}
	}
	waitJobsDone(t, db.Raw, 200)
	assertClosedOnce(t, db.Raw, resolved)
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	_, _ = a.cmd.Process.Wait()
	out, err := exec.Command(binary, append([]string{"verify", "--data", data}, dbFlag...)...).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "OK:") {
		t.Fatalf("verify: %v %s", err, out)
	}
	t.Logf("%d creations during the kill; %s", len(attempts), strings.TrimSpace(string(out)))
}

// TestPostgresRestart stops PostgreSQL under load: while it is away the node answers 503 with
// Retry-After, and it recovers by itself when PostgreSQL is back. It stops the machine's server, so
// it runs only when OTKLIK_TEST_PG_RESTART holds the command that controls it (e.g.
// "pg_ctlcluster --skip-systemctl-redirect 15 main"), as .ci/run sets it after the other tests.
func TestPostgresRestart(t *testing.T) {
	ctl := os.Getenv("OTKLIK_TEST_PG_RESTART")
	if os.Getenv(testkit.PostgresEnv) == "" || ctl == "" {
		t.Skipf("set %s and OTKLIK_TEST_PG_RESTART (the pg_ctlcluster command) to run the restart test", testkit.PostgresEnv)
	}
	db := testkit.MustNewDB(t, "postgres")
	a := startServer(t, t.TempDir(), "--db", db.URL)
	ctx := context.Background()
	create(t, a, "До остановки", "")
	control := func(action string) {
		args := append(strings.Fields(ctl), action)
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", strings.Join(args, " "), err, out)
		}
	}
	control("stop")
	restarted := false
	defer func() {
		if !restarted {
			control("start")
		}
	}()
	saw503 := false
	for i := 0; i < 20; i++ {
		code, body, err := a.request(ctx, "POST", "/api/v1/tickets", ticketBody(fmt.Sprint("Во время остановки ", i)))
		if err != nil {
			t.Fatalf("the node itself failed: %v", err)
		}
		if code == 503 {
			saw503 = true
			var p map[string]any
			_ = json.Unmarshal(body, &p)
			if p["code"] != "error.unavailable" {
				t.Errorf("503 body: %s", body)
			}
		} else {
			t.Errorf("with PostgreSQL stopped: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, hdr := headOf(t, a, "/api/v1/tickets?limit=1")
	if code != 503 || hdr.Get("Retry-After") == "" {
		t.Errorf("list with PostgreSQL stopped: %d, Retry-After %q", code, hdr.Get("Retry-After"))
	}
	control("start")
	restarted = true
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body, err := a.request(ctx, "POST", "/api/v1/tickets", ticketBody("После запуска"))
		if err == nil && code == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node did not recover: %d %s %v", code, body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !saw503 {
		t.Error("no 503 while PostgreSQL was away")
	}
	// The event listener reconnected too: a change after the restart reaches an open stream.
	stream := openStream(t, a)
	time.Sleep(5 * time.Second) // the listener retries with a backoff of up to 5 s
	n := create(t, a, "Событие после запуска", "")
	for {
		e := stream.next(t, 10*time.Second)
		if e["ticket"] == n {
			break
		}
	}
}

func headOf(t *testing.T, s *server, path string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func ticketBody(subject string) string {
	return `{"channel":"web","subject":"` + subject + `","body":"Текст обращения.","requester":{"email":"node@example.ru"}}`
}

func create(t *testing.T, s *server, subject, key string) string {
	t.Helper()
	var hdr []string
	if key != "" {
		hdr = []string{"Idempotency-Key", key}
	}
	code, body, err := s.request(context.Background(), "POST", "/api/v1/tickets", ticketBody(subject), hdr...)
	if err != nil || code != 201 {
		t.Fatalf("create: %d %s %v", code, body, err)
	}
	var tk struct{ Number string }
	_ = json.Unmarshal(body, &tk)
	return tk.Number
}

func makeJobsDue(t *testing.T, raw *sql.DB, engine string) {
	t.Helper()
	// A write from outside the node can meet SQLITE_BUSY even with a busy timeout: a statement that
	// read an older snapshot cannot be upgraded to a write after the node committed. Try again.
	var err error
	for range 100 {
		if _, err = raw.Exec(`UPDATE jobs SET run_at = ` + nowSQL(engine) + ` WHERE status = 'queued'`); err == nil {
			return
		}
		if !strings.Contains(err.Error(), "SQLITE_BUSY") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
}

// nowSQL is the current time as the engine stores it.
func nowSQL(engine string) string {
	if engine == "sqlite" {
		return `CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)`
	}
	return `now()`
}

func waitJobsDone(t *testing.T, raw *sql.DB, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var done, other int
		if err := raw.QueryRow(`SELECT COUNT(*) FILTER (WHERE status = 'done'), COUNT(*) FILTER (WHERE status <> 'done') FROM jobs`).Scan(&done, &other); err != nil {
			t.Fatal(err)
		}
		if done >= want && other == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs: %d done, %d not, want %d done", done, other, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func assertClosedOnce(t *testing.T, raw *sql.DB, numbers []string) {
	t.Helper()
	for _, n := range numbers {
		var closes int
		var status string
		err := raw.QueryRow(`SELECT (SELECT COUNT(*) FROM journal j WHERE j.ticket_id = t.id AND j.kind = 'status' AND j.after = 'closed'), t.status
			FROM tickets t WHERE t.number = `+placeholder(raw), n).Scan(&closes, &status)
		if err != nil {
			t.Fatal(err)
		}
		if closes != 1 || status != "closed" {
			t.Errorf("ticket %s: status %s, closed %d times", n, status, closes)
		}
	}
}

// stream is an open /api/v1/events connection.
type stream struct {
	events chan map[string]any
}

func openStream(t *testing.T, s *server) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("event stream: %v", err)
	}
	st := &stream{events: make(chan map[string]any, 100)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var m map[string]any
				if json.Unmarshal([]byte(data), &m) == nil {
					st.events <- m
				}
			}
		}
	}()
	time.Sleep(300 * time.Millisecond) // the subscription is registered once the stream's first bytes came
	return st
}

func (s *stream) next(t *testing.T, within time.Duration) map[string]any {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-time.After(within):
		t.Fatal("no event arrived")
		return nil
	}
}

// placeholder is the first positional parameter in the raw connection's dialect.
func placeholder(raw *sql.DB) string {
	if strings.Contains(fmt.Sprintf("%T", raw.Driver()), "sqlite") {
		return "?"
	}
	return "$1"
}

// TestKillDuringSMTPDelivery kills the server with SIGKILL while MTAs deliver mail over SMTP. An MTA
// keeps every message it got no 250 for and delivers it again; some that did get a 250 are delivered
// again too (a lost answer). Every message ends as exactly one ticket, and the journal verifies.
func TestKillDuringSMTPDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the server; skipped with -short")
	}
	data := t.TempDir()
	smtpAddr := freeAddr(t)
	s := startServer(t, data, "--smtp-addr", smtpAddr, "--support-address", "support@otklik.test")
	type letter struct {
		subject string
		raw     []byte
		acked   bool
	}
	var (
		mu      sync.Mutex
		letters []*letter
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				l := &letter{subject: fmt.Sprintf("Письмо %d-%d", w, i)}
				l.raw = []byte(fmt.Sprintf("From: sender%d@example.ru\r\nTo: support@otklik.test\r\nSubject: %s\r\nMessage-ID: <%d.%d@example.ru>\r\n"+
					"Content-Type: text/plain; charset=utf-8\r\n\r\nТекст письма %d-%d\r\n", w, l.subject, w, i, w, i))
				mu.Lock()
				letters = append(letters, l)
				mu.Unlock()
				if err := smtpSend(smtpAddr, fmt.Sprintf("sender%d@example.ru", w), l.raw); err != nil {
					return
				}
				mu.Lock()
				l.acked = true
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_, _ = s.cmd.Process.Wait()
	close(stop)
	wg.Wait()

	s = startServer(t, data, "--smtp-addr", smtpAddr, "--support-address", "support@otklik.test")
	acked := 0
	for i, l := range letters {
		if l.acked {
			acked++
		}
		if !l.acked || i%5 == 0 {
			if err := smtpSend(smtpAddr, "resend@example.ru", l.raw); err != nil {
				t.Fatalf("redelivery of %q: %v", l.subject, err)
			}
		}
	}
	if acked < 20 {
		t.Fatalf("only %d messages were accepted before the kill", acked)
	}
	seen := map[string]int{}
	cursor := ""
	for {
		path := "/api/v1/tickets?limit=500&channel=email"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		code, b, err := s.request(context.Background(), "GET", path, "")
		if err != nil || code != 200 {
			t.Fatalf("list: %d %v", code, err)
		}
		var page struct {
			Items      []struct{ Subject string }
			NextCursor *string `json:"next_cursor"`
		}
		_ = json.Unmarshal(b, &page)
		for _, it := range page.Items {
			seen[it.Subject]++
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	for _, l := range letters {
		if seen[l.subject] != 1 {
			t.Errorf("%q made %d tickets, want 1", l.subject, seen[l.subject])
		}
	}
	t.Logf("%d messages, %d accepted before the kill", len(letters), acked)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_, _ = s.cmd.Process.Wait()
	out, err := exec.Command(binary, "verify", "--data", data).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "OK:") {
		t.Fatalf("verify: %v %s", err, out)
	}
}

// smtpSend delivers one message over SMTP as an MTA would.
func smtpSend(addr, from string, raw []byte) error {
	c, err := gosmtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, []string{"support@otklik.test"}, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}
