package api_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/otklik/otklik/internal/testkit"
)

// multipartBody builds an upload with the given parts (name → filename, content); a part without a
// filename is a plain field.
func multipartBody(t testing.TB, parts ...[3]string) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p[1] != "" {
			pw, err = w.CreateFormFile(p[0], p[1])
		} else {
			pw, err = w.CreateFormField(p[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p[2]))
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

func (x *app) upload(number, token, contentType string, body []byte) (int, map[string]any, []byte) {
	x.t.Helper()
	r := httptest.NewRequest("POST", "/api/v1/tickets/"+number+"/attachments", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	raw := w.Body.Bytes()
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return w.Code, m, raw
}

const testPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func TestAttachmentAPI(t *testing.T) { testkit.ForEachEngine(t, testAttachmentAPI) }

func testAttachmentAPI(t *testing.T, engine string) {
	x := newApp(t, engine)
	number := x.create(validTicket)

	ct, body := multipartBody(t, [3]string{"file", `скан "паспорта".pdf`, testPDF})
	code, m, raw := x.upload(number, x.op, ct, body)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, raw)
	}
	if m["scan"] != "pending" || m["content_type"] != "application/pdf" || m["size"] != float64(len(testPDF)) || len(m["sha256"].(string)) != 64 {
		t.Errorf("attachment: %s", raw)
	}
	id := fmt.Sprint(m["id"])

	code, _, m2, raw := x.do("GET", "/api/v1/attachments/"+id, x.auditor, "")
	if code != 200 || m2["name"] != `скан "паспорта".pdf` {
		t.Errorf("describe: %d %s", code, raw)
	}
	// Before its scan the file is served to its uploader only.
	r := httptest.NewRequest("GET", "/api/v1/attachments/"+id+"/content", nil)
	r.Header.Set("Authorization", "Bearer "+x.op)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	h := w.Header()
	if w.Code != 200 || w.Body.String() != testPDF || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment; ") || !strings.Contains(h.Get("Content-Disposition"), "filename*=UTF-8''") ||
		strings.Contains(h.Get("Content-Disposition"), `"паспорта"`) {
		t.Errorf("download: %d %v %q", w.Code, h, w.Body.String())
	}
	// A range of it (resumed downloads).
	r = httptest.NewRequest("GET", "/api/v1/attachments/"+id+"/content", nil)
	r.Header.Set("Authorization", "Bearer "+x.op)
	r.Header.Set("Range", "bytes=0-7")
	w = httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	if w.Code != http.StatusPartialContent || w.Body.String() != testPDF[:8] {
		t.Errorf("range: %d %q", w.Code, w.Body.String())
	}
	if code, _, _, raw := x.do("GET", "/api/v1/attachments/"+id+"/content", x.admin, ""); code != http.StatusForbidden {
		t.Errorf("someone else downloaded an unscanned file: %d %s", code, raw)
	}
	code, _, _, raw = x.do("GET", "/api/v1/attachments/"+id+"/downloads", x.auditor, "")
	if code != 200 || strings.Count(string(raw), `"at"`) != 2 {
		t.Errorf("download log: %d %s", code, raw)
	}

	// Bad uploads: each a clear problem, nothing kept.
	exeCT, exe := multipartBody(t, [3]string{"file", "document.pdf", "MZ\x90\x00\x03 This program cannot be run in DOS mode."})
	twoCT, two := multipartBody(t, [3]string{"file", "a.pdf", testPDF}, [3]string{"file", "b.pdf", testPDF})
	noneCT, none := multipartBody(t, [3]string{"comment", "", "без файла"})
	bigCT, big := multipartBody(t, [3]string{"file", "big.pdf", testPDF + strings.Repeat("0", 6<<20)})
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	fw, _ := zw.Create("payload.js")
	fw.Write([]byte("new ActiveXObject('WScript.Shell').Run('calc')"))
	zw.Close()
	turnCT, turn := multipartBody(t, [3]string{"file", "выписка.pdf", testPDF + zb.String()})
	tiny := make([][3]string, 10000)
	for i := range tiny {
		tiny[i] = [3]string{"file", fmt.Sprintf("%d.pdf", i), testPDF}
	}
	tinyCT, tinyBody := multipartBody(t, tiny...)
	cut := body[:len(body)/2]
	for _, c := range []struct {
		name, ct string
		body     []byte
		status   int
		key      string
	}{
		{"renamed program", exeCT, exe, 422, "file.type_not_allowed"},
		{"two files", twoCT, two, 422, "file.too_many"},
		{"10,000 tiny files", tinyCT, tinyBody, 422, "file.too_many"},
		{"a PDF that turns into a ZIP", turnCT, turn, 422, "file.polyglot"},
		{"no file", noneCT, none, 422, "file.missing"},
		{"over 5 MB", bigCT, big, 413, ""},
		{"not multipart", "text/plain", []byte(`file`), 415, ""},
		{"cut short", ct, cut, 400, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, m, raw := x.upload(number, x.op, c.ct, c.body)
			if code != c.status || (c.key != "" && !strings.Contains(string(raw), c.key)) {
				t.Errorf("%d %s, want %d %s", code, raw, c.status, c.key)
			}
			if m["detail"] == nil || m["detail"] == "" {
				t.Errorf("no human detail: %s", raw)
			}
		})
	}
	// A whole body that arrives a byte at a time is whole: its closing delimiter is found across reads.
	r = httptest.NewRequest("POST", "/api/v1/tickets/"+number+"/attachments", iotest.OneByteReader(bytes.NewReader(body)))
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer "+x.op)
	w = httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	if w.Code != http.StatusCreated {
		t.Errorf("byte-by-byte upload: %d %s", w.Code, w.Body)
	}
	code, _, _, raw = x.do("GET", "/api/v1/tickets/"+number+"/attachments", x.op, "")
	if code != 200 || strings.Count(string(raw), `"sha256"`) != 2 {
		t.Errorf("attachments after bad uploads: %d %s", code, raw)
	}
	if code, _, _ := x.upload(number, x.auditor, ct, body); code != http.StatusForbidden {
		t.Errorf("an auditor uploaded: %d", code)
	}

	// Deletion: administrators, with a reason; the record stays.
	if code, _, _, raw := x.do("DELETE", "/api/v1/attachments/"+id, x.op, `{"reason":"x"}`); code != 403 {
		t.Errorf("operator deleted: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("DELETE", "/api/v1/attachments/"+id, x.admin, `{"reason":"Срок хранения истёк"}`); code != 204 {
		t.Fatalf("delete: %d %s", code, raw)
	}
	code, _, m2, raw = x.do("GET", "/api/v1/attachments/"+id, x.op, "")
	if del, _ := m2["deleted"].(map[string]any); code != 200 || del["reason"] != "Срок хранения истёк" {
		t.Errorf("deleted record: %d %s", code, raw)
	}
	if code, _, _, _ := x.do("GET", "/api/v1/attachments/"+id+"/content", x.op, ""); code != 404 {
		t.Errorf("deleted content served: %d", code)
	}
}

// TestImagePreview: a JPEG's preview is re-encoded: smaller, and without the metadata (an EXIF
// segment with GPS) of the original.
func TestImagePreview(t *testing.T) {
	x := newApp(t, "sqlite")
	number := x.create(validTicket)
	img := image.NewRGBA(image.Rect(0, 0, 2000, 1000))
	for y := range 1000 {
		for x := range 2000 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := "Exif\x00\x00GPS 55.7558N 37.6173E"
	exif := append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)
	photo := append(append([]byte{0xFF, 0xD8}, exif...), jb.Bytes()[2:]...)
	ct, body := multipartBody(t, [3]string{"file", "фото.jpg", string(photo)})
	code, m, raw := x.upload(number, x.op, ct, body)
	if code != 201 {
		t.Fatalf("upload: %d %s", code, raw)
	}
	r := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/attachments/%v/preview", m["id"]), nil)
	r.Header.Set("Authorization", "Bearer "+x.op)
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatalf("preview: %d %s", w.Code, w.Body.String())
	}
	if bytes.Contains(w.Body.Bytes(), []byte("GPS")) || bytes.Contains(w.Body.Bytes(), []byte("Exif")) {
		t.Errorf("the preview kept the metadata")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(w.Body.Bytes()))
	if err != nil || cfg.Width != 1280 || cfg.Height != 640 {
		t.Errorf("preview %dx%d %v, want 1280x640", cfg.Width, cfg.Height, err)
	}
}

// TestUploadWrongContentLength: over a real connection, a body shorter than its Content-Length (the
// client went away) and one longer (the rest is not read) are broken uploads, and nothing is kept.
func TestUploadWrongContentLength(t *testing.T) {
	x := newApp(t, "sqlite")
	number := x.create(validTicket)
	srv := httptest.NewServer(x.h)
	defer srv.Close()
	ct, body := multipartBody(t, [3]string{"file", "скан.pdf", testPDF + strings.Repeat("%", 200<<10) + "\n%%EOF\n"})
	for _, c := range []struct {
		name   string
		length int
	}{{"shorter than declared", len(body) + 1000}, {"longer than declared", len(body) - 1000}} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST /api/v1/tickets/%s/attachments HTTP/1.1\r\nHost: otklik\r\nAuthorization: Bearer %s\r\n"+
				"Content-Type: %s\r\nContent-Length: %d\r\n\r\n", number, x.op, ct, c.length)
			conn.Write(body)
			conn.(*net.TCPConn).CloseWrite()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), "file.upload_broken") {
				t.Errorf("%d %s", resp.StatusCode, raw)
			}
		})
	}
	if n := testkit.CountObjects(t, x.files); n != 0 {
		t.Errorf("%d objects kept from broken uploads", n)
	}
}

// TestHostileFileNames: a name is kept as sent for display, and the name a download gets is safe.
func TestHostileFileNames(t *testing.T) {
	x := newApp(t, "sqlite")
	number := x.create(validTicket)
	long := strings.Repeat("очень-длинное-имя-", 300) + ".pdf" // about 5 KB
	for _, c := range []struct{ name, safe string }{
		{"../../etc/passwd", "passwd.pdf"},
		{`..\..\windows\system32\CON.pdf`, "_CON.pdf"},
		{"CON.pdf", "_CON.pdf"},
		{"счёт\u202Efdp.exe", ""},
		{long, ""},
	} {
		ct, body := multipartBody(t, [3]string{"file", c.name, testPDF})
		code, m, raw := x.upload(number, x.op, ct, body)
		if code != http.StatusCreated {
			t.Fatalf("%q: %d %s", c.name, code, raw)
		}
		safe, _ := m["safe_name"].(string)
		name, _ := m["name"].(string)
		if !strings.HasPrefix(c.name, name) || len(name) < min(len(c.name), 500) || (c.safe != "" && safe != c.safe) || len(safe) > 200 || !strings.HasSuffix(safe, ".pdf") ||
			strings.ContainsAny(safe, "/\\\u202E") {
			t.Errorf("%q: name %q, safe name %q", c.name, m["name"], safe)
		}
	}
}
