package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/files/blob"
)

// testS3Config returns the bucket of OTKLIK_TEST_S3 under a fresh random prefix, with a spool
// directory of the test's own, or skips the test when the variable is not set.
func testS3Config(tb testing.TB) blob.S3Config {
	tb.Helper()
	env := os.Getenv("OTKLIK_TEST_S3")
	if env == "" {
		tb.Skip("OTKLIK_TEST_S3 is not set: set it to an S3-compatible bucket such as " +
			"http://ACCESS:SECRET@127.0.0.1:7070/otklik-test to run the S3 tests (.ci/s3/start.sh starts one)")
	}
	cfg, err := blob.ParseS3URL(env)
	if err != nil {
		tb.Fatalf("OTKLIK_TEST_S3: %v", err)
	}
	var r [6]byte
	rand.Read(r[:])
	cfg.Prefix += "test-" + hex.EncodeToString(r[:]) + "/"
	cfg.SpoolDir = tb.TempDir()
	return cfg
}

// MustS3 returns an S3 store of OTKLIK_TEST_S3 under a fresh prefix, whose objects are removed when
// the test ends, and its spool directory; it skips the test when OTKLIK_TEST_S3 is not set.
func MustS3(tb testing.TB) (*blob.S3, string) {
	tb.Helper()
	cfg := testS3Config(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := blob.NewS3(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := blob.RemoveS3(ctx, s); err != nil {
			tb.Errorf("remove the test's objects: %v", err)
		}
		if left, err := blob.ListS3(ctx, s); err != nil || len(left) != 0 {
			tb.Errorf("objects left under %s: %v, %v", blob.S3Prefix(s), left, err)
		}
	})
	return s, cfg.SpoolDir
}

func TestS3(t *testing.T) {
	testS3Config(t) // skips without OTKLIK_TEST_S3
	testStore(t, func(t *testing.T) (blob.Store, func() []string) {
		s, spool := MustS3(t)
		return s, func() []string {
			names, err := blob.ListS3(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			return append(names, files(t, spool)...)
		}
	})
}

// TestS3Layout checks that objects are at <prefix><key> and that the spool file is gone already
// while the object is being written (unlinked at Create).
func TestS3Layout(t *testing.T) {
	s, spool := MustS3(t)
	w, err := s.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	w.Write([]byte("content"))
	if got := files(t, spool); runtime.GOOS != "windows" && len(got) != 0 {
		t.Errorf("spool files visible while writing: %v", got)
	}
	if err := w.Commit("0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	names, err := blob.ListS3(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if want := blob.S3Prefix(s) + "0123456789abcdef"; len(names) != 1 || names[0] != want {
		t.Errorf("objects %v, want [%s]", names, want)
	}
}

// TestS3SequentialCut checks that a sequential read goes on when the response kept for it was cut.
func TestS3SequentialCut(t *testing.T) {
	s, _ := MustS3(t)
	content := randomBytes(1<<20, 5)
	MustPut(t, s, "0123456789abcdef", content)
	o, err := s.Open(context.Background(), "0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	buf := make([]byte, 100_000)
	cut := 0
	for off := int64(0); off < int64(len(content)); off += int64(len(buf)) {
		if off >= 300_000 && blob.CutS3Stream(o) {
			cut++
		}
		n, err := o.ReadAt(buf, off)
		if (err != nil && err != io.EOF) || !bytes.Equal(buf[:n], content[off:off+int64(n)]) {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
	}
	if cut == 0 {
		t.Error("no response was kept for the sequential read")
	}
}

// TestS3Memory checks that writing and reading a 25 MB object holds neither in memory: everything
// the process allocates meanwhile (TotalAlloc, which bounds the peak from above) stays under 8 MB.
func TestS3Memory(t *testing.T) {
	s, _ := MustS3(t)
	const size, limit = 25 << 20, 8 << 20
	chunk := randomBytes(64<<10, 3)
	ctx := context.Background()
	key := "0123456789abcdef"

	before := totalAlloc()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < size; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(key); err != nil {
		t.Fatal(err)
	}
	written := totalAlloc() - before
	t.Logf("writing %d MB allocated %.2f MB", size>>20, float64(written)/(1<<20))
	if written > limit {
		t.Errorf("writing %d MB allocated %d bytes, want under %d", size>>20, written, limit)
	}

	before = totalAlloc()
	o, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10+16) // a sealed chunk with its tag, as the sealed reader reads
	var read int64
	for {
		n, err := o.ReadAt(buf, read)
		for i := range n { // the object is chunk over and over
			if buf[i] != chunk[(read+int64(i))%int64(len(chunk))] {
				t.Fatalf("wrong byte at %d", read+int64(i))
			}
		}
		read += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	o.Close()
	readAlloc := totalAlloc() - before
	t.Logf("reading %d MB sequentially allocated %.2f MB", size>>20, float64(readAlloc)/(1<<20))
	if read != size {
		t.Errorf("read %d bytes, want %d", read, size)
	}
	if readAlloc > limit {
		t.Errorf("reading %d MB allocated %d bytes, want under %d", size>>20, readAlloc, limit)
	}
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// BenchmarkS3Put25MB writes and commits a 25 MB object in 64 KiB writes; bytes/op is what the
// process allocates for it.
func BenchmarkS3Put25MB(b *testing.B) {
	s, _ := MustS3(b)
	const size = 25 << 20
	chunk := randomBytes(64<<10, 4)
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	var i int
	for b.Loop() {
		i++
		w, err := s.Create(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		key := strings.Repeat("0", 8) + hex.EncodeToString([]byte{byte(i >> 8), byte(i)})
		if err := w.Commit(key); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Delete(ctx, key); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func TestNewS3Errors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// Nothing listens on port 1: the error names the endpoint and the bucket.
	cfg := blob.S3Config{Endpoint: "127.0.0.1:1", Bucket: "files", AccessKey: "a", SecretKey: "b", SpoolDir: t.TempDir()}
	if _, err := blob.NewS3(ctx, cfg); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), `"files"`) {
		t.Errorf("unreachable endpoint: %v", err)
	}
	cfg.AccessKey = ""
	if _, err := blob.NewS3(ctx, cfg); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("no credentials: %v", err)
	}
}

func TestNewS3BucketErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := testS3Config(t)
	cfg.Bucket = "otklik-no-such-bucket"
	if _, err := blob.NewS3(ctx, cfg); err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), cfg.Endpoint) {
		t.Errorf("missing bucket: %v", err)
	}
	cfg = testS3Config(t)
	cfg.SecretKey += "-wrong"
	if _, err := blob.NewS3(ctx, cfg); err == nil || !strings.Contains(err.Error(), cfg.Bucket) || strings.Contains(err.Error(), cfg.SecretKey) {
		t.Errorf("wrong secret key: %v", err)
	}
}

func TestParseS3URL(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want blob.S3Config
		err  string
	}{
		{in: "https://storage.example.ru/bucket/prefix?region=ru-central1",
			want: blob.S3Config{Endpoint: "storage.example.ru", Bucket: "bucket", Prefix: "prefix/", Region: "ru-central1", Secure: true}},
		{in: "http://127.0.0.1:7070/otklik",
			want: blob.S3Config{Endpoint: "127.0.0.1:7070", Bucket: "otklik"}},
		{in: "http://AK:S%2Fk@127.0.0.1:7070/otklik-test/",
			want: blob.S3Config{Endpoint: "127.0.0.1:7070", Bucket: "otklik-test", AccessKey: "AK", SecretKey: "S/k"}},
		{in: "https://s3.example.com/b/otklik/files/",
			want: blob.S3Config{Endpoint: "s3.example.com", Bucket: "b", Prefix: "otklik/files/", Secure: true}},
		{in: "ftp://host/bucket", err: "scheme"},
		{in: "https://host", err: "no bucket"},
		{in: "https://host/", err: "no bucket"},
		{in: "https:///bucket", err: "no host"},
		{in: "storage.example.ru/bucket", err: "scheme"},
		{in: "https://host/bucket?regoin=x", err: "unknown parameter"},
		{in: "https://AK:se cret@host:x/bucket", err: "S3 URL"},
	} {
		got, err := blob.ParseS3URL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseS3URL(%q) = %+v, %v; want an error with %q", tt.in, got, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "cret") {
				t.Errorf("ParseS3URL(%q): the error repeats the secret: %v", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseS3URL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestS3CommitCutOffFakeServer: a conditional PUT that the server cuts off without an answer — as Versity
// Gateway does under load, refusing with 412 before it has read the body and closing the connection,
// so that the client sees only "connection reset by peer" — is ErrExists when the key is taken by
// then, and the PUT's own error when it is not. The server is a fake (an httptest handler that cuts
// every PUT), because a real one cuts only now and then.
func TestS3CommitCutOffFakeServer(t *testing.T) {
	for _, taken := range []bool{true, false} {
		t.Run(map[bool]string{true: "taken", false: "free"}[taken], func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			puts, stats := 0, 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.Method == http.MethodHead && strings.Trim(r.URL.Path, "/") == "files": // the bucket
					w.WriteHeader(http.StatusOK)
				case r.Method == http.MethodHead: // the object: free before the PUT
					stats++
					if taken && puts > 0 {
						w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
						w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
						w.Header().Set("Content-Length", "7")
						w.WriteHeader(http.StatusOK)
						return
					}
					w.WriteHeader(http.StatusNotFound)
				case r.Method == http.MethodPut && r.Header.Get("If-None-Match") == "*":
					puts++
					conn, _, err := w.(http.Hijacker).Hijack()
					if err != nil {
						t.Error(err)
						return
					}
					conn.(*net.TCPConn).SetLinger(0) // closed with a reset, the body unread
					conn.Close()
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL)
					w.WriteHeader(http.StatusNotImplemented)
				}
			}))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := blob.NewS3(ctx, blob.S3Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Bucket: "files",
				Region: "us-east-1", AccessKey: "a", SecretKey: "b", SpoolDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			err = put(s, "0123456789abcdef", bytes.Repeat([]byte("passport "), 100_000))
			mu.Lock()
			defer mu.Unlock()
			if puts == 0 || stats == 0 {
				t.Fatalf("%d PUTs, %d HEADs of the object: the cut was not reached", puts, stats)
			}
			if taken && !errors.Is(err, blob.ErrExists) {
				t.Errorf("Commit after a cut-off PUT, the key taken = %v, want ErrExists", err)
			}
			if !taken && (err == nil || errors.Is(err, blob.ErrExists)) {
				t.Errorf("Commit after a cut-off PUT, the key free = %v, want the PUT's error", err)
			}
		})
	}
}
