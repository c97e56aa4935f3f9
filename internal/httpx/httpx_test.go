package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
)

func TestStatusTable(t *testing.T) {
	for err, want := range map[error]int{
		otklik.Invalid(): 422,
		otklik.Errorf(otklik.EMALFORMED, "x", nil):              400,
		otklik.NotFound("x"):                                    404,
		otklik.Errorf(otklik.ECONFLICT, "x", nil):               409,
		otklik.Errorf(otklik.EUNAVAILABLE, "x", nil):            503,
		errors.New("driver exploded"):                           500,
		otklik.Errorf(otklik.EUNAUTHORIZED, "x", nil):           401,
		otklik.Errorf(otklik.ETOOLARGE, "x", nil):               413,
		otklik.Errorf(otklik.EUNSUPPORTED, "x", nil):            415,
		otklik.Errorf(otklik.EFORBIDDEN, "auth.forbidden", nil): 403,
	} {
		if got := httpx.Status(err); got != want {
			t.Errorf("Status(%v) = %d, want %d", err, got, want)
		}
	}
}

func TestInternalErrorsHideTheirCause(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/api/v1/x", nil)
	httpx.Error(w, r, slog.New(slog.DiscardHandler), errors.New("secret: password=hunter2"))
	if strings.Contains(w.Body.String(), "hunter2") {
		t.Fatalf("internal error leaked its cause: %s", w.Body)
	}
	var p map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != 500 || p["code"] != "error.internal" || p["detail"] == "" {
		t.Errorf("%d %v", w.Code, p)
	}
}

func TestMiddleware(t *testing.T) {
	h := httpx.Middleware(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		w.Write([]byte(httpx.RequestID(r.Context())))
	}))
	for hdr, keep := range map[string]bool{"abc-123_x.y": true, "bad\nid": false, "x y": false, strings.Repeat("a", 65): false} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Request-ID", hdr)
		h.ServeHTTP(w, r)
		if got := w.Body.String() == hdr; got != keep {
			t.Errorf("X-Request-ID %q kept = %v, want %v", hdr, got, keep)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("security headers missing")
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/panic", nil))
	if w.Code != 500 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("panic: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

// TestErrorAbandoned: a request the client abandoned is logged at debug level; an internal failure at
// error level.
func TestErrorAbandoned(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	httpx.Error(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/tickets", nil).WithContext(ctx), log, context.Canceled)
	if logs.Len() != 0 {
		t.Errorf("an abandoned request was logged: %s", logs.String())
	}
	httpx.Error(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/tickets", nil), log, context.Canceled)
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a cancellation the client did not ask for was not logged as an error: %q", logs.String())
	}
}
