package imap

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/mail"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The tests below need a real IMAP server: .ci/dovecot/start.sh starts one and prints the exports.

type testServer struct {
	addr, user, password string
}

// mustServer returns the test server from the environment, or skips the test.
func mustServer(tb testing.TB) testServer {
	tb.Helper()
	s := testServer{os.Getenv("OTKLIK_TEST_IMAP"), os.Getenv("OTKLIK_TEST_IMAP_USER"), os.Getenv("OTKLIK_TEST_IMAP_PASSWORD")}
	if s.addr == "" {
		tb.Skip("OTKLIK_TEST_IMAP is not set: run .ci/dovecot/start.sh and export what it prints (OTKLIK_TEST_IMAP, OTKLIK_TEST_IMAP_USER, OTKLIK_TEST_IMAP_PASSWORD)")
	}
	return s
}

// mustClient returns a client logged in to s, closed when the test ends.
func mustClient(tb testing.TB, s testServer) *imapclient.Client {
	tb.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		tb.Fatalf("dial %s: %v", s.addr, err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(s.user, s.password).Wait(); err != nil {
		tb.Fatalf("login %s: %v", s.user, err)
	}
	return c
}

// mustMailbox creates a mailbox of its own for the test and deletes it when the test ends.
func mustMailbox(tb testing.TB, s testServer) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "test-" + hex.EncodeToString(b)
	tb.Cleanup(func() { mustDelete(tb, s, name) })
	mustCreate(tb, mustClient(tb, s), name)
	return name
}

// mustCreate creates mailbox. Dovecot 2.3 (Maildir++) now and then answers concurrent CREATEs of
// new, different mailboxes with ALREADYEXISTS and creates nothing: then it tries again.
func mustCreate(tb testing.TB, c *imapclient.Client, mailbox string) {
	tb.Helper()
	for try := 1; ; try++ {
		err := c.Create(mailbox, nil).Wait()
		if err == nil {
			return
		}
		if _, serr := c.Status(mailbox, &goimap.StatusOptions{NumMessages: true}).Wait(); serr == nil {
			return // it was created after all
		}
		var ierr *goimap.Error
		if try == 5 || !errors.As(err, &ierr) || ierr.Code != goimap.ResponseCodeAlreadyExists {
			tb.Fatalf("create %s: %v", mailbox, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mustDelete deletes mailbox if it exists.
func mustDelete(tb testing.TB, s testServer, mailbox string) {
	tb.Helper()
	c := mustClient(tb, s)
	if _, err := c.Status(mailbox, &goimap.StatusOptions{NumMessages: true}).Wait(); err != nil {
		return // not there
	}
	if err := c.Delete(mailbox).Wait(); err != nil {
		tb.Errorf("delete %s: %v", mailbox, err)
	}
}

// mustAppend appends a small message with subject to mailbox, with flags.
func mustAppend(tb testing.TB, s testServer, mailbox, subject string, flags ...goimap.Flag) {
	tb.Helper()
	mustAppendRaw(tb, s, mailbox, testMessage(subject, "Здравствуйте! Прошу разобраться.\r\n"), flags...)
}

func testMessage(subject, body string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return "From: Citizen <citizen@example.org>\r\n" +
		"To: help@otklik.test\r\n" +
		"Subject: " + subject + "\r\n" +
		"Message-ID: <" + hex.EncodeToString(b) + "@example.org>\r\n" +
		"Date: Mon, 23 Nov 2026 10:00:00 +0300\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n" + body
}

func mustAppendRaw(tb testing.TB, s testServer, mailbox, raw string, flags ...goimap.Flag) {
	tb.Helper()
	c := mustClient(tb, s)
	cmd := c.Append(mailbox, int64(len(raw)), &goimap.AppendOptions{Flags: flags})
	if _, err := io.WriteString(cmd, raw); err != nil {
		tb.Fatalf("append to %s: %v", mailbox, err)
	}
	if err := cmd.Close(); err != nil {
		tb.Fatalf("append to %s: %v", mailbox, err)
	}
	if _, err := cmd.Wait(); err != nil {
		tb.Fatalf("append to %s: %v", mailbox, err)
	}
	c.Logout().Wait()
}

// seenBySubject returns mailbox's messages as subject → whether \Seen is set.
func seenBySubject(tb testing.TB, s testServer, mailbox string) map[string]bool {
	tb.Helper()
	c := mustClient(tb, s)
	defer func() { c.Logout().Wait() }()
	sel, err := c.Select(mailbox, &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		tb.Fatalf("examine %s: %v", mailbox, err)
	}
	got := map[string]bool{}
	if sel.NumMessages == 0 {
		return got
	}
	var set goimap.SeqSet
	set.AddRange(1, sel.NumMessages)
	msgs, err := c.Fetch(set, &goimap.FetchOptions{Envelope: true, Flags: true}).Collect()
	if err != nil {
		tb.Fatalf("fetch %s: %v", mailbox, err)
	}
	for _, m := range msgs {
		got[m.Envelope.Subject] = slices.Contains(m.Flags, goimap.FlagSeen)
	}
	return got
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recorder is a Deliver that reads each message whole and counts it by subject.
type recorder struct {
	mu        sync.Mutex
	delivered map[string]int // successful deliveries
	attempts  map[string]int // all calls
	at        map[string]time.Time
	// fail, if set, decides the outcome of an attempt (1 for the first) before it is counted.
	fail func(subject string, attempt int) error
}

func newRecorder() *recorder {
	return &recorder{delivered: map[string]int{}, attempts: map[string]int{}, at: map[string]time.Time{}}
}

func (r *recorder) Deliver(ctx context.Context, uid uint32, raw io.Reader) error {
	b, err := io.ReadAll(raw)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("uid %d: %w", uid, err)
	}
	subject := m.Header.Get("Subject")
	r.mu.Lock()
	r.attempts[subject]++
	attempt := r.attempts[subject]
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		if err := fail(subject, attempt); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.delivered[subject]++
	r.at[subject] = time.Now()
	r.mu.Unlock()
	return nil
}

func (r *recorder) count(subject string) (delivered, attempts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered[subject], r.attempts[subject]
}

func (r *recorder) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.delivered)
}

// newTestPoller returns a Poller for s and mailbox with fast backoffs, logging to the test.
func newTestPoller(t *testing.T, s testServer, o Options) *Poller {
	t.Helper()
	o.Addr, o.Username, o.Password = s.addr, s.user, s.password
	o.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	p := New(o)
	p.backoffMin, p.backoffMax = 50*time.Millisecond, 500*time.Millisecond
	p.retryMin, p.retryMax = 100*time.Millisecond, time.Second
	p.closeGrace = 200 * time.Millisecond
	return p
}

// run starts p.Run and returns stop, which cancels it and reports how long Run took to return.
// The test fails if Run returns early or with an error.
func run(t *testing.T, p *Poller, deliver Deliver) (stop func() time.Duration) {
	t.Helper()
	// Not t.Context: that ends before the cleanups run, and stop must see Run still running.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, deliver) }()
	var once sync.Once
	var took time.Duration
	stop = func() time.Duration {
		once.Do(func() {
			select {
			case err := <-done:
				t.Errorf("Run returned before it was stopped: %v", err)
				return
			default:
			}
			start := time.Now()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Run did not return 10 s after its context ended")
			}
			took = time.Since(start)
		})
		return took
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestPollerDeliversEachMessageOnce(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	for _, tc := range []struct {
		name   string
		noIdle bool
	}{
		{"idle", false},
		{"poll", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mailbox := mustMailbox(t, s)
			mustAppend(t, s, mailbox, "one")
			mustAppend(t, s, mailbox, "two")
			mustAppend(t, s, mailbox, "already read", goimap.FlagSeen)
			mustAppend(t, s, mailbox, "three")

			o := Options{Mailbox: mailbox}
			if tc.noIdle {
				o.Poll = 200 * time.Millisecond
			}
			p := newTestPoller(t, s, o)
			p.noIdle = tc.noIdle
			r := newRecorder()
			stop := run(t, p, r.Deliver)

			want := map[string]int{"one": 1, "two": 1, "three": 1}
			waitFor(t, 5*time.Second, "three deliveries", func() bool { return maps.Equal(r.snapshot(), want) })
			waitFor(t, 5*time.Second, "every message \\Seen", func() bool {
				got := seenBySubject(t, s, mailbox)
				return got["one"] && got["two"] && got["three"] && got["already read"]
			})

			// New mail while running: IDLE announces it; polling finds it on the next round.
			mustAppend(t, s, mailbox, "four")
			want["four"] = 1
			waitFor(t, 2*time.Second, "the new message", func() bool { return maps.Equal(r.snapshot(), want) })

			time.Sleep(time.Second) // several poll rounds: nothing comes twice
			if took := stop(); took > time.Second {
				t.Errorf("Run took %v to stop, want under 1 s", took)
			}
			if got := r.snapshot(); !maps.Equal(got, want) {
				t.Errorf("deliveries: got %v, want %v", got, want)
			}
			got := seenBySubject(t, s, mailbox)
			if want := map[string]bool{"one": true, "two": true, "three": true, "four": true, "already read": true}; !maps.Equal(got, want) {
				t.Errorf("\\Seen by subject: got %v, want %v", got, want)
			}
		})
	}
}

func TestPollerIdleDeliversNewMailWithin2s(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	mustAppend(t, s, mailbox, "first")
	p := newTestPoller(t, s, Options{Mailbox: mailbox, Poll: time.Minute})
	r := newRecorder()
	run(t, p, r.Deliver)
	waitFor(t, 5*time.Second, "the first message", func() bool { d, _ := r.count("first"); return d == 1 })
	time.Sleep(300 * time.Millisecond) // the poller is in IDLE now

	for i := range 3 {
		subject := fmt.Sprintf("while idle %d", i)
		sent := time.Now()
		mustAppend(t, s, mailbox, subject)
		waitFor(t, 2*time.Second, subject, func() bool { d, _ := r.count(subject); return d == 1 })
		r.mu.Lock()
		latency := r.at[subject].Sub(sent)
		r.mu.Unlock()
		t.Logf("%s delivered %v after APPEND", subject, latency)
	}
}

func TestPollerMoveTo(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	done := mailbox + "-done" // created by the poller
	t.Cleanup(func() { mustDelete(t, s, done) })
	mustAppend(t, s, mailbox, "unread")
	mustAppend(t, s, mailbox, "read", goimap.FlagSeen) // with MoveTo, every message counts

	p := newTestPoller(t, s, Options{Mailbox: mailbox, MoveTo: done})
	r := newRecorder()
	run(t, p, r.Deliver)
	want := map[string]int{"unread": 1, "read": 1}
	waitFor(t, 5*time.Second, "two deliveries", func() bool { return maps.Equal(r.snapshot(), want) })
	waitFor(t, 5*time.Second, "the source mailbox empty", func() bool { return len(seenBySubject(t, s, mailbox)) == 0 })
	if got, want := seenBySubject(t, s, done), map[string]bool{"unread": true, "read": true}; !maps.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", done, got, want)
	}

	mustAppend(t, s, mailbox, "later")
	want["later"] = 1
	waitFor(t, 2*time.Second, "the later message", func() bool { return maps.Equal(r.snapshot(), want) })
	waitFor(t, 2*time.Second, "the later message moved", func() bool { return seenBySubject(t, s, done)["later"] })
	if got := r.snapshot(); !maps.Equal(got, want) {
		t.Errorf("deliveries: got %v, want %v", got, want)
	}
}

func TestPollerRedeliversAfterFailure(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	for _, subject := range []string{"a", "fails", "c"} {
		mustAppend(t, s, mailbox, subject)
	}

	allow := make(chan struct{})
	r := newRecorder()
	r.fail = func(subject string, attempt int) error {
		if subject != "fails" {
			return nil
		}
		select {
		case <-allow:
			return nil
		default:
		}
		if attempt == 1 {
			panic("intake bug") // a panic is a failed delivery too
		}
		return errors.New("database is down")
	}
	p := newTestPoller(t, s, Options{Mailbox: mailbox})
	run(t, p, r.Deliver)

	waitFor(t, 5*time.Second, "a, c delivered and fails tried again", func() bool {
		_, attempts := r.count("fails")
		return maps.Equal(r.snapshot(), map[string]int{"a": 1, "c": 1}) && attempts >= 3
	})
	waitFor(t, 2*time.Second, "a and c \\Seen", func() bool {
		got := seenBySubject(t, s, mailbox)
		return got["a"] && got["c"]
	})
	if got := seenBySubject(t, s, mailbox); got["fails"] {
		t.Errorf("the failing message is \\Seen, want it unseen")
	}

	close(allow)
	waitFor(t, 5*time.Second, "the failed message delivered", func() bool { d, _ := r.count("fails"); return d == 1 })
	waitFor(t, 2*time.Second, "the failed message \\Seen", func() bool { return seenBySubject(t, s, mailbox)["fails"] })
	if got, want := r.snapshot(), map[string]int{"a": 1, "c": 1, "fails": 1}; !maps.Equal(got, want) {
		t.Errorf("deliveries: got %v, want %v", got, want)
	}
}

func TestPollerSurvivesDroppedConnection(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	mustAppend(t, s, mailbox, "before")

	var mu sync.Mutex
	var conns []net.Conn
	p := newTestPoller(t, s, Options{Mailbox: mailbox})
	p.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
		return conn, err
	}
	r := newRecorder()
	run(t, p, r.Deliver)
	waitFor(t, 5*time.Second, "the first message", func() bool { d, _ := r.count("before"); return d == 1 })

	for i := range 2 {
		mu.Lock()
		dials := len(conns)
		conns[dials-1].Close() // the connection drops, in IDLE
		mu.Unlock()
		subject := fmt.Sprintf("after drop %d", i)
		mustAppend(t, s, mailbox, subject)
		waitFor(t, 5*time.Second, subject, func() bool { d, _ := r.count(subject); return d == 1 })
		mu.Lock()
		if len(conns) <= dials {
			t.Errorf("dials after drop %d: got %d, want more than %d", i, len(conns), dials)
		}
		mu.Unlock()
	}
	if got, want := r.snapshot(), map[string]int{"before": 1, "after drop 0": 1, "after drop 1": 1}; !maps.Equal(got, want) {
		t.Errorf("deliveries: got %v, want %v", got, want)
	}
}

// TestPollerRedeliversWhenMarkingFails shows the other half of "exactly once in effect": a message
// committed by intake whose \Seen was lost with the connection comes again, with the same
// Message-ID, for intake to recognise.
func TestPollerRedeliversWhenMarkingFails(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	mustAppend(t, s, mailbox, "committed")

	var mu sync.Mutex
	var conn net.Conn
	var ids []string
	p := newTestPoller(t, s, Options{Mailbox: mailbox})
	p.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		mu.Lock()
		conn = c
		mu.Unlock()
		return c, err
	}
	run(t, p, func(ctx context.Context, uid uint32, raw io.Reader) error {
		m, err := mail.ReadMessage(raw)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, m.Header.Get("Message-ID"))
		if len(ids) == 1 {
			conn.Close() // "committed", and then the connection is lost before STORE \Seen
		}
		return nil
	})
	waitFor(t, 5*time.Second, "a second delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ids) == 2
	})
	waitFor(t, 2*time.Second, "the message \\Seen", func() bool { return seenBySubject(t, s, mailbox)["committed"] })
	mu.Lock()
	defer mu.Unlock()
	if ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("Message-IDs of the two deliveries: got %q, want the same one twice", ids)
	}
}

func TestPollerUIDValidityChange(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	mustAppend(t, s, mailbox, "poison") // UID 1, failing, not to be retried for a minute

	r := newRecorder()
	r.fail = func(subject string, attempt int) error {
		if subject == "poison" {
			return errors.New("cannot store")
		}
		return nil
	}
	p := newTestPoller(t, s, Options{Mailbox: mailbox})
	p.retryMin = time.Minute
	run(t, p, r.Deliver)
	waitFor(t, 5*time.Second, "the poison message tried", func() bool { _, a := r.count("poison"); return a == 1 })

	// The mailbox is recreated under the poller: a new UIDVALIDITY, and UID 1 is a new message
	// that must not wait out the old message's retry.
	c := mustClient(t, s)
	if err := c.Delete(mailbox).Wait(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	mustCreate(t, c, mailbox)
	mustAppend(t, s, mailbox, "fresh")
	waitFor(t, 5*time.Second, "the message in the new mailbox", func() bool { d, _ := r.count("fresh"); return d == 1 })
	if _, a := r.count("poison"); a != 1 {
		t.Errorf("attempts of the poison message: got %d, want 1", a)
	}
}

func TestPollerTooLarge(t *testing.T) {
	t.Parallel()
	s := mustServer(t)
	mailbox := mustMailbox(t, s)
	mustAppend(t, s, mailbox, "small")
	mustAppendRaw(t, s, mailbox, testMessage("big", strings.Repeat("Очень длинное письмо.\r\n", 500)))

	type result struct {
		header string
		err    error
	}
	got := make(chan result, 10)
	p := newTestPoller(t, s, Options{Mailbox: mailbox, MaxMessageBytes: 4096})
	run(t, p, func(ctx context.Context, uid uint32, raw io.Reader) error {
		b, err := io.ReadAll(raw)
		got <- result{string(b), err}
		if tooLarge := (*TooLargeError)(nil); err != nil && !errors.As(err, &tooLarge) {
			return err
		}
		return nil // a real intake would enqueue a notice to the sender here
	})

	var small, big result
	for range 2 {
		select {
		case res := <-got:
			if strings.Contains(res.header, "Subject: big") {
				big = res
			} else {
				small = res
			}
		case <-time.After(5 * time.Second):
			t.Fatal("timed out waiting for two deliveries")
		}
	}
	if small.err != nil || !strings.Contains(small.header, "Прошу разобраться") {
		t.Errorf("small message: got %q, %v; want it whole", small.header, small.err)
	}
	var tooLarge *TooLargeError
	if !errors.As(big.err, &tooLarge) {
		t.Fatalf("big message: got error %v, want a *TooLargeError", big.err)
	}
	if tooLarge.Limit != 4096 || tooLarge.Size <= 4096 {
		t.Errorf("TooLargeError: got size %d, limit %d; want a size over the limit 4096", tooLarge.Size, tooLarge.Limit)
	}
	if !strings.HasSuffix(big.header, "\r\n\r\n") || strings.Contains(big.header, "Очень") {
		t.Errorf("big message: got %q, want the header section only", big.header)
	}
	waitFor(t, 2*time.Second, "both \\Seen", func() bool {
		got := seenBySubject(t, s, mailbox)
		return got["small"] && got["big"]
	})
}

func TestPollerStopsPromptlyWhenServerHangs(t *testing.T) {
	t.Parallel()
	// A server that accepts and then says nothing: the greeting never comes.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- conn
		}
	}()
	t.Cleanup(func() {
		for len(accepted) > 0 {
			(<-accepted).Close()
		}
	})

	p := newTestPoller(t, testServer{addr: l.Addr().String(), user: "u"}, Options{})
	stop := run(t, p, func(context.Context, uint32, io.Reader) error { return nil })
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("the poller did not connect")
	}
	time.Sleep(100 * time.Millisecond) // past the dial: the poller waits for the greeting
	if took := stop(); took > time.Second {
		t.Errorf("Run took %v to stop, want under 1 s", took)
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"no addr", Options{Username: "u"}},
		{"addr without port", Options{Addr: "localhost", Username: "u"}},
		{"no user", Options{Addr: "localhost:143"}},
		{"negative limit", Options{Addr: "localhost:143", Username: "u", MaxMessageBytes: -1}},
		{"move to itself", Options{Addr: "localhost:143", Username: "u", MoveTo: "inbox"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := New(tc.o).Run(t.Context(), func(context.Context, uint32, io.Reader) error { return nil })
			if err == nil {
				t.Errorf("Run: got nil, want an error")
			}
		})
	}
}

func TestExactReader(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		size    int64
		wantErr error
	}{
		{"whole", "hello", 5, nil},
		{"cut short", "hel", 5, io.ErrUnexpectedEOF},
		{"empty", "", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &exactReader{r: iotest.OneByteReader(strings.NewReader(tc.data)), left: tc.size}
			got, err := io.ReadAll(r)
			if !errors.Is(err, tc.wantErr) && err != tc.wantErr {
				t.Errorf("error: got %v, want %v", err, tc.wantErr)
			}
			if string(got) != tc.data {
				t.Errorf("data: got %q, want %q", got, tc.data)
			}
		})
	}
}

func TestIsLocalhost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "127.0.0.1": true, "127.3.4.5": true, "::1": true,
		"imap.example.org": false, "10.0.0.1": false, "": false,
	} {
		if got := isLocalhost(host); got != want {
			t.Errorf("isLocalhost(%q): got %v, want %v", host, got, want)
		}
	}
}
