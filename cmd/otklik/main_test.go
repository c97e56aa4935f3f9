package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/testkit"
)

// binary is the otklik binary built once for the tests that run it as a separate process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "otklik-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "otklik")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building otklik: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const testToken = "test-admin-token-0123456789abcdef0123456789"

// server is a running `otklik serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServer runs `otklik serve` on data and waits until /healthz answers.
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	logs := &bytes.Buffer{}
	cmd := exec.Command(binary, append([]string{"serve", "--data", data, "--addr", addr}, extra...)...)
	cmd.Env = append(os.Environ(), "OTKLIK_ADMIN_TOKEN="+testToken)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, logs: logs}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _, _ = s.cmd.Process.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("otklik did not start:\n%s", logs)
	return nil
}

func (s *server) request(ctx context.Context, method, path, body string, hdr ...string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestKillDuringBurstLosesNothing kills the server with SIGKILL in the middle of a burst of ticket
// creations. After a restart every request answered 201 is there exactly once; every request left
// without an answer, retried with its Idempotency-Key, ends as exactly one ticket; the journal verifies.
func TestKillDuringBurstLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the server; skipped with -short")
	}
	data := t.TempDir()
	s := startServer(t, data)
	type attempt struct {
		key, subject, number string
		answered             bool
	}
	var (
		mu       sync.Mutex
		attempts []*attempt
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(context.Background())
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				a := &attempt{key: fmt.Sprintf("kill-%d-%d", w, i), subject: fmt.Sprintf("Сбой при входе %d-%d", w, i)}
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				body := `{"channel":"web","subject":"` + a.subject + `","body":"Не могу войти.","requester":{"email":"kill` + fmt.Sprint(w) + `@example.ru"}}`
				code, b, err := s.request(context.Background(), "POST", "/api/v1/tickets", body, "Idempotency-Key", a.key)
				if err != nil {
					return // the server is gone
				}
				if code != http.StatusCreated {
					t.Errorf("create: %d %s", code, b)
					return
				}
				var tk struct{ Number string }
				_ = json.Unmarshal(b, &tk)
				mu.Lock()
				a.number, a.answered = tk.Number, true
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = s.cmd.Process.Wait()
	cancel()
	wg.Wait()

	s = startServer(t, data)
	answered := 0
	for _, a := range attempts {
		if a.answered {
			answered++
			code, b, err := s.request(context.Background(), "GET", "/api/v1/tickets/"+a.number, "")
			if err != nil || code != 200 || !strings.Contains(string(b), a.subject) {
				t.Fatalf("ticket %s answered 201 before the kill is not there after it: %d %s", a.number, code, b)
			}
			continue
		}
		// No answer: the client retries with the same key, as the API tells it to.
		body := `{"channel":"web","subject":"` + a.subject + `","body":"Не могу войти.","requester":{"email":"kill` + strings.Split(a.key, "-")[1] + `@example.ru"}}`
		code, b, err := s.request(context.Background(), "POST", "/api/v1/tickets", body, "Idempotency-Key", a.key)
		if err != nil || code != http.StatusCreated {
			t.Fatalf("retry of %s: %d %s %v", a.key, code, b, err)
		}
	}
	if answered < 50 {
		t.Fatalf("only %d tickets were created before the kill; the burst did not run", answered)
	}
	// Every subject exists exactly once.
	seen := map[string]int{}
	cursor := ""
	for {
		path := "/api/v1/tickets?limit=500"
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
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			seen[it.Subject]++
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	for _, a := range attempts {
		if seen[a.subject] != 1 {
			t.Errorf("%q exists %d times, want once", a.subject, seen[a.subject])
		}
	}
	if len(seen) != len(attempts) {
		t.Errorf("%d distinct tickets for %d requests", len(seen), len(attempts))
	}
	t.Logf("%d requests: %d answered before the kill, %d retried after it", len(attempts), answered, len(attempts)-answered)

	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_, _ = s.cmd.Process.Wait()
	out, err := exec.Command(binary, "verify", "--data", data).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "OK:") {
		t.Fatalf("verify after the kill: %v\n%s", err, out)
	}
}

// TestServeStopsCleanlyOnSIGTERM checks the ordered shutdown: SIGTERM ends serve with status 0.
func TestServeStopsCleanlyOnSIGTERM(t *testing.T) {
	s := startServer(t, t.TempDir())
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v:\n%s", err, s.logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of SIGTERM")
	}
}

// TestCommands runs the data subcommands against one data directory.
func TestCommands(t *testing.T) {
	data := t.TempDir()
	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(binary, args...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		out, err := run(stdin, args...)
		if err != nil {
			t.Fatalf("otklik %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	if out := mustRun("", "version"); !strings.HasPrefix(out, "otklik ") {
		t.Errorf("version: %q", out)
	}
	out := mustRun("", "migrate", "--data", data)
	if m := regexp.MustCompile(`schema version (\d+) of (\d+)`).FindStringSubmatch(out); m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("migrate: %q", out)
	}
	mustRun("длинный пароль сотрудника\n", "user", "add", "--data", data, "--email", "Ivanova@Example.ru", "--name", "Иванова Анна", "--role", "admin", "--password-stdin")
	if out, err := run("", "user", "add", "--data", data, "--email", "ivanova@example.ru", "--name", "Дубль", "--role", "operator"); err == nil || !strings.Contains(out, "already exists") {
		t.Errorf("a second user with the same e-mail: %v %s", err, out)
	}
	if out, err := run("", "user", "add", "--data", data, "--email", "x@example.ru", "--name", "X", "--role", "king"); err == nil || !strings.Contains(out, "Unknown role") {
		t.Errorf("unknown role: %v %s", err, out)
	}
	if out, err := run("short\n", "user", "passwd", "--data", data, "--email", "ivanova@example.ru"); err == nil || !strings.Contains(out, "too short") {
		t.Errorf("short password: %v %s", err, out)
	}
	token := strings.TrimSpace(mustRun("", "user", "token", "--data", data, "--email", "ivanova@example.ru"))
	if !strings.HasPrefix(token, "otk_") || len(token) < 40 {
		t.Fatalf("token: %q", token)
	}
	if out := mustRun("", "user", "list", "--data", data); !strings.Contains(out, "ivanova@example.ru") {
		t.Errorf("list: %q", out)
	}
	if out := mustRun("", "fill", "--data", data, "--tickets", "300", "--batch", "100"); !strings.Contains(out, "added 300 tickets") {
		t.Errorf("fill: %q", out)
	}
	if out := mustRun("", "verify", "--data", data); !strings.HasPrefix(out, "OK: 300 tickets") {
		t.Errorf("verify: %q", out)
	}
	// Export, and import into a new database of each engine.
	dump := filepath.Join(t.TempDir(), "otklik.jsonl")
	mustRun("", "export", "--data", data, "--out", dump)
	targets := [][]string{{"--data", t.TempDir()}}
	if os.Getenv(testkit.PostgresEnv) != "" {
		targets = append(targets, []string{"--data", t.TempDir(), "--db", testkit.MustNewDB(t, "postgres").URL})
	}
	for _, target := range targets {
		if out := mustRun("", append([]string{"import", "--in", dump}, target...)...); !strings.Contains(out, "OK: 300 tickets") {
			t.Errorf("import %v: %q", target, out)
		}
	}
	if out, err := run("", "import", "--data", data, "--in", dump); err == nil || !strings.Contains(out, "already holds data") {
		t.Errorf("import into a database with data: %v %s", err, out)
	}

	// An edit behind the application's back: verify names the record and exits with status 2.
	raw, err := sql.Open("sqlite", filepath.Join(data, "otklik.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DROP TRIGGER journal_no_update; UPDATE journal SET reason = 'x' WHERE id = 150`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, err = run("", "verify", "--data", data)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.HasPrefix(out, "BROKEN: ticket ") || !strings.Contains(out, "journal id 150") {
		t.Errorf("verify of a tampered journal: %v\n%s", err, out)
	}
	// The token works against a server on the same data.
	s := startServer(t, data)
	req, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token from `otklik user token`: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	// Wrong settings refuse to start instead of being ignored.
	if out, err := run("", "serve", "--data", data, "--clamd", "127.0.0.1:3310"); err == nil || !strings.Contains(out, "unix:/path") {
		t.Errorf("--clamd without unix: or tcp:: %v %s", err, out)
	}
	if out, err := run("", "serve", "--data", data, "--imap-addr", "127.0.0.1:1143"); err == nil || !strings.Contains(out, "OTKLIK_IMAP_PASSWORD") {
		t.Errorf("--imap-addr without credentials: %v %s", err, out)
	}
	if out, err := run("", "serve", "--data", data, "--addr", "nonsense"); err == nil || !strings.Contains(out, "--addr") {
		t.Errorf("bad --addr: %v %s", err, out)
	}
}
