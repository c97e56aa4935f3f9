package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/testkit"
)

// patch sends one part of an upload.
func (x *app) patch(id, token string, offset int64, body io.Reader) (int, http.Header, []byte) {
	x.t.Helper()
	r := httptest.NewRequest("PATCH", "/api/v1/uploads/"+id, body)
	r.Header.Set("Content-Type", "application/offset+octet-stream")
	r.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	return w.Code, w.Header(), w.Body.Bytes()
}

// startUpload declares a file and returns the upload's id.
func (x *app) startUpload(token, name string, size int) string {
	x.t.Helper()
	code, h, m, raw := x.do("POST", "/api/v1/uploads", token, `{"name":"`+name+`","size":`+strconv.Itoa(size)+`}`)
	if code != http.StatusCreated || h.Get("Upload-Offset") != "0" || m["id"] == nil {
		x.t.Fatalf("start upload: %d %v %s", code, h, raw)
	}
	return m["id"].(string)
}

// brokenReader yields some bytes, then the error of a connection that broke.
type brokenReader struct{ r io.Reader }

func (b *brokenReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestResumableUpload(t *testing.T) { testkit.ForEachEngine(t, testResumableUpload) }

func testResumableUpload(t *testing.T, engine string) {
	x := newApp(t, engine)
	number := x.create(validTicket)
	content := []byte(testPDF + strings.Repeat("%", 3<<20) + "\n%%EOF\n")
	id := x.startUpload(x.op, "заявление.pdf", len(content))
	third := int64(len(content) / 3)

	if code, h, raw := x.patch(id, x.op, 0, bytes.NewReader(content[:third])); code != http.StatusNoContent || h.Get("Upload-Offset") != strconv.FormatInt(third, 10) {
		t.Fatalf("first part: %d %v %s", code, h, raw)
	}
	// The connection breaks halfway through the second part: nothing of it is kept.
	if code, _, raw := x.patch(id, x.op, third, &brokenReader{bytes.NewReader(content[third : 2*third-100])}); code != http.StatusBadRequest {
		t.Errorf("broken part: %d %s", code, raw)
	}
	code, h, m, raw := x.do("GET", "/api/v1/uploads/"+id, x.op, "")
	if code != 200 || h.Get("Upload-Offset") != strconv.FormatInt(third, 10) || m["offset"] != float64(third) {
		t.Fatalf("state after the break: %d %v %s", code, h, raw)
	}
	// A part sent from the wrong place is refused with the right place.
	if code, h, raw := x.patch(id, x.op, 0, bytes.NewReader(content[:10])); code != http.StatusConflict || h.Get("Upload-Offset") != strconv.FormatInt(third, 10) {
		t.Errorf("wrong offset: %d %v %s", code, h, raw)
	}
	// Attaching before the last part has come is a conflict.
	if code, _, _, raw := x.do("POST", "/api/v1/tickets/"+number+"/attachments", x.op, `{"upload":"`+id+`"}`); code != http.StatusConflict {
		t.Errorf("finish too early: %d %s", code, raw)
	}
	// More than the declared size is refused, and not kept.
	if code, _, raw := x.patch(id, x.op, third, bytes.NewReader(append(content[third:], 'x'))); code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the size: %d %s", code, raw)
	}
	// Someone else cannot see or continue it.
	if code, _, _, _ := x.do("GET", "/api/v1/uploads/"+id, x.admin, ""); code != http.StatusNotFound {
		t.Errorf("another staff member sees the upload: %d", code)
	}
	if code, h, raw := x.patch(id, x.op, third, bytes.NewReader(content[third:2*third])); code != http.StatusNoContent || h.Get("Upload-Offset") != strconv.FormatInt(2*third, 10) {
		t.Fatalf("second part: %d %v %s", code, h, raw)
	}
	if code, _, raw := x.patch(id, x.op, 2*third, bytes.NewReader(content[2*third:])); code != http.StatusNoContent {
		t.Fatalf("last part: %d %s", code, raw)
	}
	if n := testkit.CountObjects(t, x.files); n != 3 {
		t.Errorf("%d objects while the upload waits, want its 3 parts", n)
	}

	code, _, m, raw = x.do("POST", "/api/v1/tickets/"+number+"/attachments", x.op, `{"upload":"`+id+`"}`)
	sum := sha256.Sum256(content)
	if code != http.StatusCreated || m["sha256"] != hex.EncodeToString(sum[:]) || m["size"] != float64(len(content)) || m["name"] != "заявление.pdf" {
		t.Fatalf("finish: %d %s", code, raw)
	}
	r := httptest.NewRequest("GET", "/api/v1/attachments/"+strconv.Itoa(int(m["id"].(float64)))+"/content", nil)
	r.Header.Set("Authorization", "Bearer "+x.op)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), content) {
		t.Errorf("download of the assembled file: %d, %d bytes", w.Code, w.Body.Len())
	}
	if n := testkit.CountObjects(t, x.files); n != 1 {
		t.Errorf("%d objects after the upload became a file, want 1", n)
	}
	if code, _, _, _ := x.do("GET", "/api/v1/uploads/"+id, x.op, ""); code != http.StatusNotFound {
		t.Errorf("the finished upload is still there: %d", code)
	}
	if code, _, _, _ := x.do("POST", "/api/v1/tickets/"+number+"/attachments", x.op, `{"upload":"`+id+`"}`); code != http.StatusNotFound {
		t.Errorf("finished twice: %d", code)
	}
}

// TestUploadRefusals: an upload over the limit is refused before any byte; a program sent in parts is
// refused when attached, and nothing of it remains; an abandoned upload expires.
func TestUploadRefusals(t *testing.T) {
	x := newApp(t, "sqlite")
	number := x.create(validTicket)
	code, _, _, raw := x.do("POST", "/api/v1/uploads", x.op, `{"name":"большой.pdf","size":`+strconv.Itoa(6<<20)+`}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "file.too_large") {
		t.Errorf("over the limit: %d %s", code, raw)
	}
	for _, body := range []string{`{"name":"","size":10}`, `{"name":"a.pdf","size":0}`, `{"name":"a.pdf","size":-5}`} {
		if code, _, _, raw := x.do("POST", "/api/v1/uploads", x.op, body); code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", body, code, raw)
		}
	}
	if code, _, _, _ := x.do("POST", "/api/v1/uploads", x.auditor, `{"name":"a.pdf","size":10}`); code != http.StatusForbidden {
		t.Errorf("an auditor started an upload: %d", code)
	}

	exe := []byte("MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode." + strings.Repeat("\x00", 5000))
	id := x.startUpload(x.op, "справка.pdf", len(exe))
	if code, _, raw := x.patch(id, x.op, 0, bytes.NewReader(exe)); code != http.StatusNoContent {
		t.Fatalf("part: %d %s", code, raw)
	}
	code, _, _, raw = x.do("POST", "/api/v1/tickets/"+number+"/attachments", x.op, `{"upload":"`+id+`"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "file.type_not_allowed") {
		t.Errorf("a program in parts: %d %s", code, raw)
	}
	if code, _, _, _ := x.do("GET", "/api/v1/uploads/"+id, x.op, ""); code != http.StatusNotFound {
		t.Errorf("the refused upload is still there: %d", code)
	}
	if n := testkit.CountObjects(t, x.files); n != 0 {
		t.Errorf("%d objects after a refused upload", n)
	}

	// Wrong media type and missing offset.
	r := httptest.NewRequest("PATCH", "/api/v1/uploads/"+id, strings.NewReader("x"))
	r.Header.Set("Authorization", "Bearer "+x.op)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("part without its media type: %d %s", w.Code, w.Body)
	}

	// Abandoned: removed with its parts after 24 hours, and cancelled ones at once.
	id = x.startUpload(x.op, "скан.pdf", 1000)
	if code, _, raw := x.patch(id, x.op, 0, strings.NewReader(strings.Repeat("a", 400))); code != http.StatusNoContent {
		t.Fatalf("part: %d %s", code, raw)
	}
	x.clock.Add(23 * time.Hour)
	if n, err := x.svc.ExpireUploads(context.Background()); err != nil || n != 0 {
		t.Errorf("expired early: %d %v", n, err)
	}
	x.clock.Add(2 * time.Hour)
	if code, _, _, _ := x.do("GET", "/api/v1/uploads/"+id, x.op, ""); code != http.StatusNotFound {
		t.Errorf("an expired upload is served: %d", code)
	}
	if n, err := x.svc.ExpireUploads(context.Background()); err != nil || n != 1 {
		t.Errorf("expired: %d %v", n, err)
	}
	if n := testkit.CountObjects(t, x.files); n != 0 {
		t.Errorf("%d objects after the expiry", n)
	}
	id = x.startUpload(x.op, "скан.pdf", 1000)
	x.patch(id, x.op, 0, strings.NewReader(strings.Repeat("a", 400)))
	if code, _, _, raw := x.do("DELETE", "/api/v1/uploads/"+id, x.op, ""); code != http.StatusNoContent {
		t.Errorf("cancel: %d %s", code, raw)
	}
	if n := testkit.CountObjects(t, x.files); n != 0 {
		t.Errorf("%d objects after the cancel", n)
	}
}
