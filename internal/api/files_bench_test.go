package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/otklik/otklik/internal/api"
	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

const benchFile = 25 << 20

// benchPDF is a PDF-shaped 25 MB content: a header, random bytes, a trailer.
func benchPDF(b *testing.B) []byte {
	c := make([]byte, benchFile)
	if _, err := rand.Read(c); err != nil {
		b.Fatal(err)
	}
	copy(c, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 0 >>\nstream\n")
	trailer := "\nendstream\nendobj\n%%EOF\n"
	copy(c[len(c)-len(trailer):], trailer)
	return c
}

// newFileBenchApp is an app whose API channel takes files of up to 30 MB (the default is 5 MB).
func newFileBenchApp(b *testing.B) *app {
	rules := func(ch otklik.Channel) files.Rules {
		r := files.DefaultRules(ch)
		r.MaxFile, r.MaxTotal = 30<<20, 30<<20
		return r
	}
	return newAppTB(b, "sqlite", slog.New(slog.DiscardHandler), func(so *service.Options, ao *api.Options) {
		so.Files.Rules, ao.FileRules = rules, rules
	})
}

// BenchmarkUpload25MB sends a 25 MB file through the real upload handler: multipart, SHA-256, sealing,
// the directory store with fsync, the type check, the records. The request body is streamed from one
// buffer made before the timer starts, so B/op is what intake itself allocates: an upper bound of the
// extra memory a 25 MB file costs (PERFORMANCE.md: under 8 MB).
func BenchmarkUpload25MB(b *testing.B) {
	x := newFileBenchApp(b)
	number := x.create(validTicket)
	content := benchPDF(b)
	const boundary = "otklik-bench-boundary"
	head := []byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"скан.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
	tail := []byte("\r\n--" + boundary + "--\r\n")
	var serial [8]byte
	b.SetBytes(benchFile)
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		i++
		binary.BigEndian.PutUint64(serial[:], i) // a new content each time: no deduplication
		copy(content[64:], serial[:])
		body := io.MultiReader(bytes.NewReader(head), bytes.NewReader(content), bytes.NewReader(tail))
		r := httptest.NewRequest("POST", "/api/v1/tickets/"+number+"/attachments", body)
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		r.Header.Set("Authorization", "Bearer "+x.op)
		w := httptest.NewRecorder()
		x.h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("upload: %d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkDownload25MB downloads a 25 MB file over a real HTTP connection (loopback) from the real
// handler: authorisation, the download record, unwrapping the key, decryption, streaming.
func BenchmarkDownload25MB(b *testing.B) {
	x := newFileBenchApp(b)
	number := x.create(validTicket)
	const boundary = "otklik-bench-boundary"
	var body bytes.Buffer
	body.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"скан.pdf\"\r\n\r\n")
	body.Write(benchPDF(b))
	body.WriteString("\r\n--" + boundary + "--\r\n")
	r := httptest.NewRequest("POST", "/api/v1/tickets/"+number+"/attachments", &body)
	r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	r.Header.Set("Authorization", "Bearer "+x.op)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	var att struct{ ID int64 }
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &att) != nil {
		b.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	srv := httptest.NewServer(x.h)
	defer srv.Close()
	url := fmt.Sprintf("%s/api/v1/attachments/%d/content", srv.URL, att.ID)
	buf := make([]byte, 256<<10)
	b.SetBytes(benchFile)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+x.op)
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, resp.Body, buf)
		resp.Body.Close()
		if err != nil || n != benchFile || resp.StatusCode != 200 {
			b.Fatalf("download: %d, %d bytes, %v", resp.StatusCode, n, err)
		}
	}
}
