package clamd

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// eicar is the EICAR anti-virus test file, built from two halves so that scanners do not report this
// source file.
var eicar = []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR` + `-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`)

// pdfLike is a small clean file that looks like a PDF.
var pdfLike = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// pattern returns n bytes of printable text that no scanner flags.
func pattern(n int) []byte {
	line := []byte("Обращение гражданина: прошу разобраться с начислениями за декабрь. ")
	return bytes.Repeat(line, n/len(line)+1)[:n]
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		addr, network, address string // network empty: New must fail
	}{
		{"unix:/tmp/otklik-clamd/clamd.sock", "unix", "/tmp/otklik-clamd/clamd.sock"},
		{"unix:clamd.sock", "unix", "clamd.sock"},
		{"tcp:127.0.0.1:3310", "tcp", "127.0.0.1:3310"},
		{"tcp:localhost:3310", "tcp", "localhost:3310"},
		{"tcp:[::1]:3310", "tcp", "[::1]:3310"},
		{"", "", ""},
		{"/run/clamav/clamd.ctl", "", ""},
		{"127.0.0.1:3310", "", ""},
		{"unix:", "", ""},
		{"tcp:", "", ""},
		{"tcp:127.0.0.1", "", ""},
		{"tcp:127.0.0.1:", "", ""},
		{"tcp::3310", "", ""},
		{"tcp:127.0.0.1:clamd", "", ""},
		{"tcp:127.0.0.1:0", "", ""},
		{"tcp:127.0.0.1:65536", "", ""},
		{"udp:127.0.0.1:3310", "", ""},
		{"UNIX:/tmp/clamd.sock", "", ""},
		{"unix://tmp/clamd.sock", "unix", "//tmp/clamd.sock"}, // a path, if an odd one
		{"tcp://127.0.0.1:3310", "", ""},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			c, err := New(tc.addr)
			if tc.network == "" {
				if err == nil {
					t.Fatalf("New(%q) = %+v, want an error", tc.addr, c)
				}
				if !strings.Contains(err.Error(), "unix:/path or tcp:host:port") {
					t.Errorf("error %q does not say what is expected", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tc.addr, err)
			}
			if c.network != tc.network || c.address != tc.address {
				t.Errorf("got %s %s, want %s %s", c.network, c.address, tc.network, tc.address)
			}
		})
	}
}

// fakeOpts chooses how a fakeClamd behaves; the zero value is a well-behaved clamd.
type fakeOpts struct {
	limit   int                      // StreamMaxLength: answer the size-limit error and hang up when passed; 0: none
	verdict func(body []byte) string // the answer to a whole stream; nil: EICAR inside → FOUND, else OK
	cutAt   int                      // hang up without an answer after this many stream bytes; 0: never
	hangUp  bool                     // hang up without an answer after the whole stream
	stall   bool                     // after the command, neither read nor answer until the test ends
	pong    string                   // the answer to PING; empty: PONG
	aborted bool                     // the client is expected to hang up mid-stream
}

// fakeClamd is an in-process clamd: it reads z-commands, parses INSTREAM chunks as clamd does and
// answers PING, VERSION and INSTREAM.
type fakeClamd struct {
	fakeOpts
	addr  string // for New
	done  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns int
	body  []byte // the last whole stream received
	errs  []string
}

// startFake serves a fake clamd on a fresh listener, on "tcp" (127.0.0.1:0) or "unix" (a temporary socket), until
// the test ends.
func startFake(t *testing.T, network string, opts fakeOpts) *fakeClamd {
	t.Helper()
	f := &fakeClamd{fakeOpts: opts}
	var ln net.Listener
	var err error
	switch network {
	case "tcp":
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		f.addr = "tcp:" + ln.Addr().String()
	case "unix":
		dir, derr := os.MkdirTemp("", "clamd") // short: socket paths are limited to about 100 bytes
		if derr != nil {
			t.Fatal(derr)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		path := filepath.Join(dir, "clamd.sock")
		ln, err = net.Listen("unix", path)
		f.addr = "unix:" + path
	}
	if err != nil {
		t.Fatal(err)
	}
	f.done = make(chan struct{})
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer conn.Close()
				f.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		close(f.done)
		ln.Close()
		f.wg.Wait()
		for _, e := range f.errs {
			t.Errorf("fake clamd: %s", e)
		}
	})
	return f
}

func (f *fakeClamd) fail(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeClamd) serve(conn net.Conn) {
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	cmd, err := br.ReadString(0)
	if err != nil {
		f.fail("command: %v", err)
		return
	}
	if f.stall {
		<-f.done
		return
	}
	answer := func(s string) { _, _ = io.WriteString(conn, s+"\x00") }
	switch cmd {
	case "zPING\x00":
		answer(cmp.Or(f.pong, "PONG"))
	case "zVERSION\x00":
		answer("ClamAV 1.4.6-fake")
	case "zINSTREAM\x00":
		var body []byte
		for {
			var size [4]byte
			if _, err := io.ReadFull(br, size[:]); err != nil {
				if f.aborted {
					return
				}
				f.fail("chunk length after %d bytes: %v", len(body), err)
				return
			}
			n := int(binary.BigEndian.Uint32(size[:]))
			if n == 0 {
				break
			}
			if n > ChunkSize {
				f.fail("chunk of %d bytes, more than ChunkSize", n)
			}
			if f.limit > 0 && len(body)+n > f.limit {
				answer("INSTREAM size limit exceeded. ERROR") // and hang up, with the rest unread
				return
			}
			chunk := make([]byte, n)
			if _, err := io.ReadFull(br, chunk); err != nil {
				f.fail("chunk of %d bytes after %d: %v", n, len(body), err)
				return
			}
			body = append(body, chunk...)
			if f.cutAt > 0 && len(body) >= f.cutAt {
				return
			}
		}
		f.mu.Lock()
		f.body = body
		f.mu.Unlock()
		if f.hangUp {
			return
		}
		if f.verdict != nil {
			answer(f.verdict(body))
		} else if bytes.Contains(body, eicar) {
			answer("stream: Eicar-Test-Signature FOUND")
		} else {
			answer("stream: OK")
		}
	default:
		answer("UNKNOWN COMMAND")
	}
}

func TestScanAgainstFakeClamdProtocol(t *testing.T) {
	big := pattern(10 << 20)
	withEicar := append(append(pattern(200_000), eicar...), pattern(1000)...)
	for _, tc := range []struct {
		name      string
		fake      fakeOpts
		input     []byte
		want      Result
		wantErr   error // nil: success
		wantNot   error // an error the result must not wrap
		checkBody bool  // the fake must have received exactly the input
	}{
		{name: "clean small file", input: pdfLike, checkBody: true},
		{name: "clean file of several chunks", input: pattern(3*ChunkSize + 12345), checkBody: true},
		{name: "clean file of exactly one chunk", input: pattern(ChunkSize), checkBody: true},
		{name: "empty file", input: nil, checkBody: true},
		{name: "exact EICAR", input: eicar, want: Result{Infected: true, Signature: "Eicar-Test-Signature"}},
		{name: "EICAR across chunks", input: withEicar, want: Result{Infected: true, Signature: "Eicar-Test-Signature"}, checkBody: true},
		{
			name: "size limit exceeded mid-stream", fake: fakeOpts{limit: 100 << 10}, input: big,
			wantErr: ErrTooLarge, wantNot: ErrUnavailable,
		},
		{
			name: "size limit exceeded by the last chunk", fake: fakeOpts{limit: 100 << 10}, input: pattern(100<<10 + 1),
			wantErr: ErrTooLarge, wantNot: ErrUnavailable,
		},
		{name: "exactly at the size limit", fake: fakeOpts{limit: 100 << 10}, input: pattern(100 << 10), checkBody: true},
		{
			name: "other clamd error", input: pdfLike,
			fake:    fakeOpts{verdict: func([]byte) string { return "stream: Can't create temporary file ERROR" }},
			wantErr: ErrScanFailed, wantNot: ErrUnavailable,
		},
		{name: "server closes mid-stream", fake: fakeOpts{cutAt: 128 << 10}, input: big, wantErr: ErrUnavailable},
		{name: "server closes without a verdict", fake: fakeOpts{hangUp: true}, input: pdfLike, wantErr: ErrUnavailable},
		{
			name: "reply outside the protocol", input: pdfLike,
			fake:    fakeOpts{verdict: func([]byte) string { return "HELLO" }},
			wantErr: ErrUnavailable,
		},
		{
			name: "reply longer than the limit", input: pdfLike,
			fake:    fakeOpts{verdict: func([]byte) string { return "stream: " + strings.Repeat("x", 10_000) + " FOUND" }},
			wantErr: ErrUnavailable,
		},
	} {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(tc.name+"/"+network, func(t *testing.T) {
				f := startFake(t, network, tc.fake)
				c, err := New(f.addr)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.Scan(context.Background(), bytes.NewReader(tc.input))
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("Scan = %+v, %v; want an error wrapping %v", got, err, tc.wantErr)
					}
					if tc.wantNot != nil && errors.Is(err, tc.wantNot) {
						t.Errorf("error %v also wraps %v", err, tc.wantNot)
					}
					return
				}
				if err != nil {
					t.Fatalf("Scan: %v", err)
				}
				if got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				if tc.checkBody {
					f.mu.Lock()
					body := f.body
					f.mu.Unlock()
					if !bytes.Equal(body, tc.input) {
						t.Errorf("fake received %d bytes, want the %d sent", len(body), len(tc.input))
					}
				}
			})
		}
	}
}

func TestPingVersionAgainstFakeClamdProtocol(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			f := startFake(t, network, fakeOpts{})
			c, err := New(f.addr)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Ping(context.Background()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			v, err := c.Version(context.Background())
			if got, want := v, "ClamAV 1.4.6-fake"; err != nil || got != want {
				t.Errorf("Version = %q, %v; want %q", got, err, want)
			}
		})
	}
	t.Run("ping answered with something else", func(t *testing.T) {
		f := startFake(t, "tcp", fakeOpts{pong: "PANG"})
		c, _ := New(f.addr)
		if err := c.Ping(context.Background()); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Ping = %v, want ErrUnavailable", err)
		}
	})
}

func TestUnreachableClamd(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := "tcp:" + ln.Addr().String()
	ln.Close()
	for _, addr := range []string{closedPort, "unix:" + filepath.Join(t.TempDir(), "missing.sock")} {
		t.Run(addr, func(t *testing.T) {
			c, err := New(addr)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := c.Ping(ctx); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Ping = %v, want ErrUnavailable", err)
			}
			if _, err := c.Version(ctx); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Version = %v, want ErrUnavailable", err)
			}
			if _, err := c.Scan(ctx, bytes.NewReader(pdfLike)); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Scan = %v, want ErrUnavailable", err)
			}
		})
	}
}

// TestContextAgainstFakeClamdProtocol runs calls against a clamd that accepts and then neither reads
// nor answers, so the client blocks in a read (Ping) or in a write (a 10 MiB Scan) until ctx or its
// own timeout ends the call.
func TestContextAgainstFakeClamdProtocol(t *testing.T) {
	big := pattern(10 << 20)
	calls := []struct {
		name string
		do   func(context.Context, *Client) error
	}{
		{"ping", func(ctx context.Context, c *Client) error { return c.Ping(ctx) }},
		{"scan", func(ctx context.Context, c *Client) error {
			_, err := c.Scan(ctx, bytes.NewReader(big))
			return err
		}},
	}
	for _, tc := range []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		timeout time.Duration // the client's default timeout
		want    []error
		wantNot []error
	}{
		{
			name: "cancelled while waiting",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
				return ctx, cancel
			},
			timeout: time.Minute, want: []error{context.Canceled}, wantNot: []error{ErrUnavailable},
		},
		{
			name: "context deadline",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			},
			timeout: time.Minute, want: []error{ErrUnavailable, context.DeadlineExceeded},
		},
		{
			name: "default timeout",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithCancel(context.Background())
			},
			timeout: 100 * time.Millisecond, want: []error{ErrUnavailable}, wantNot: []error{context.DeadlineExceeded},
		},
	} {
		for _, call := range calls {
			t.Run(tc.name+"/"+call.name, func(t *testing.T) {
				f := startFake(t, "tcp", fakeOpts{stall: true})
				c, _ := New(f.addr)
				c.timeout = tc.timeout
				ctx, cancel := tc.ctx()
				defer cancel()
				start := time.Now()
				err := call.do(ctx, c)
				if elapsed := time.Since(start); elapsed > 5*time.Second {
					t.Errorf("returned after %v", elapsed)
				}
				for _, want := range tc.want {
					if !errors.Is(err, want) {
						t.Errorf("error %v does not wrap %v", err, want)
					}
				}
				for _, not := range tc.wantNot {
					if errors.Is(err, not) {
						t.Errorf("error %v wraps %v", err, not)
					}
				}
			})
		}
	}
	t.Run("cancelled before the call", func(t *testing.T) {
		f := startFake(t, "tcp", fakeOpts{})
		c, _ := New(f.addr)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Scan(ctx, bytes.NewReader(pdfLike)); !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
			t.Errorf("Scan = %v, want context.Canceled only", err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.conns != 0 {
			t.Errorf("%d connections, want none", f.conns)
		}
	})
}

// failingReader returns data, then its error.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestScanInputErrorAgainstFakeClamdProtocol(t *testing.T) {
	f := startFake(t, "tcp", fakeOpts{aborted: true})
	c, _ := New(f.addr)
	diskGone := errors.New("disk gone")
	_, err := c.Scan(context.Background(), &failingReader{pattern(100 << 10), diskGone})
	if !errors.Is(err, diskGone) || errors.Is(err, ErrUnavailable) {
		t.Errorf("Scan = %v, want the reader's error and not ErrUnavailable", err)
	}
}

// realClamd returns a client for the clamd named by OTKLIK_TEST_CLAMD, or skips the test.
func realClamd(tb testing.TB) *Client {
	tb.Helper()
	addr := os.Getenv("OTKLIK_TEST_CLAMD")
	if addr == "" {
		tb.Skip("OTKLIK_TEST_CLAMD is not set: run .ci/clamd/start.sh and export what it prints")
	}
	c, err := New(addr)
	if err != nil {
		tb.Fatalf("OTKLIK_TEST_CLAMD: %v", err)
	}
	return c
}

func TestRealClamdPingVersion(t *testing.T) {
	c := realClamd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	v, err := c.Version(ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if !strings.HasPrefix(v, "ClamAV ") {
		t.Errorf("Version = %q, want ClamAV …", v)
	}
	t.Logf("version: %s", v)
}

func TestRealClamdScan(t *testing.T) {
	c := realClamd(t)
	for _, tc := range []struct {
		name     string
		input    io.Reader
		infected bool
	}{
		{"clean PDF-like file", bytes.NewReader(pdfLike), false},
		{"EICAR test file", bytes.NewReader(eicar), true},
		{"clean 5 MB stream", io.LimitReader(bytes.NewReader(pattern(6<<20)), 5_000_000), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			got, err := c.Scan(ctx, tc.input)
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			if got.Infected != tc.infected {
				t.Fatalf("got %+v, want infected %v", got, tc.infected)
			}
			if tc.infected && !strings.Contains(strings.ToLower(got.Signature), "eicar") {
				t.Errorf("signature %q does not name EICAR", got.Signature)
			}
			if !tc.infected && got.Signature != "" {
				t.Errorf("clean, but signature %q", got.Signature)
			}
			t.Logf("%+v", got)
		})
	}
}

// TestRealClamdScanOverStreamLimit sends more than .ci/clamd/start.sh's StreamMaxLength (64M): clamd
// answers and hangs up part-way, and the client must still read the answer.
func TestRealClamdScanOverStreamLimit(t *testing.T) {
	c := realClamd(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const size = 128 << 20
	got, err := c.Scan(ctx, io.LimitReader(bytes.NewReader(pattern(size)), size))
	if err == nil && !got.Infected {
		t.Skipf("clamd accepted %d bytes: its StreamMaxLength is larger", size)
	}
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Scan = %+v, %v; want ErrTooLarge", got, err)
	}
	t.Logf("%v", err)
}
