// Package httpx holds what every HTTP surface of Otklik shares: the one table from error codes to
// statuses, problem+json (RFC 9457) and JSON responses, request IDs, panic recovery, access logs,
// security headers, and a server that starts and stops cleanly.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[otklik.Code]int{
	otklik.EINVALID:      http.StatusUnprocessableEntity,
	otklik.EMALFORMED:    http.StatusBadRequest,
	otklik.ENOTFOUND:     http.StatusNotFound,
	otklik.ECONFLICT:     http.StatusConflict,
	otklik.EUNAUTHORIZED: http.StatusUnauthorized,
	otklik.EFORBIDDEN:    http.StatusForbidden,
	otklik.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	otklik.EUNAVAILABLE:  http.StatusServiceUnavailable,
	otklik.EINTERNAL:     http.StatusInternalServerError,
	otklik.ERATELIMITED:  http.StatusTooManyRequests,
	otklik.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	otklik.EPRECONDITION: http.StatusPreconditionRequired,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[otklik.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// FieldProblem is one invalid field of a problem document.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Problem is an RFC 9457 problem document with Otklik's extensions.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Code      string         `json:"code"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	Data      map[string]any `json:"-"`
}

// MarshalJSON adds Data's members beside the standard ones.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Data) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.Data {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// NewProblem renders err as a problem document in the request's language. Internal errors show a
// generic text; their cause goes to the log only.
func NewProblem(r *http.Request, err error) Problem {
	lang := i18n.Negotiate(r.Header.Get("Accept-Language"))
	var e *otklik.Error
	if !errors.As(err, &e) {
		e = otklik.Internal(err)
	}
	if e.Code == otklik.EINTERNAL {
		e = &otklik.Error{Code: otklik.EINTERNAL, Key: "error.internal"}
	}
	status := Status(e)
	p := Problem{
		Type:      "https://otklik.dev/problems/" + strings.ReplaceAll(string(e.Code), "_", "-"),
		Title:     i18n.T(lang, "status."+string(e.Code), nil),
		Status:    status,
		Detail:    i18n.T(lang, e.Key, e.Args),
		Code:      e.Key,
		Instance:  r.URL.Path,
		RequestID: RequestID(r.Context()),
		Data:      e.Data,
	}
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Message: i18n.T(lang, f.Key, f.Args), Code: f.Key})
	}
	if e.Code == otklik.EINVALID && len(p.Errors) == 1 && e.Key == "error.validation" {
		p.Detail = p.Errors[0].Message
	}
	return p
}

// Abandoned reports whether err is only the end of a request the client abandoned (it closed the
// connection, or the server is stopping): nothing an operator needs to look into.
func Abandoned(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && r.Context().Err() != nil
}

// Error writes err as problem+json and logs it: internal errors and unavailability at error level
// with their cause, the rest at debug.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := NewProblem(r, err)
	if Abandoned(r, err) {
		log.Debug("request abandoned", slog.Group("request", "id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path))
	} else if p.Status >= 500 {
		log.Error("request failed", slog.Group("request", "id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path), "error", err)
	} else {
		log.Debug("request refused", slog.Group("request", "id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path), "status", p.Status, "error", err)
	}
	switch p.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="otklik"`)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "2")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// JSON writes v as JSON with the status.
func JSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encoding failed"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID returns the request's ID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Middleware gives every request an ID (echoed in X-Request-ID), recovers from panics with a problem
// response, sets security headers, and logs each request at debug level.
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		h := w.Header()
		h.Set("X-Request-ID", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", slog.Group("request", "id", id, "method", r.Method, "path", r.URL.Path), "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					Error(sw, r, log, otklik.Internal(errors.New("panic")))
				}
			}
			if log.Enabled(r.Context(), slog.LevelDebug) {
				log.Debug("request", slog.Group("request", "id", id, "method", r.Method, "path", r.URL.Path),
					"status", sw.status, "took", time.Since(start))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// validRequestID accepts a caller's request ID only if it is short and plain, so that it cannot
// forge log lines or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Serve serves h on ln until ctx ends, then stops accepting and waits up to grace for requests in
// flight. onShutdown, if not nil, runs as the shutdown starts (to end long-lived streams).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration, onShutdown func()) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if onShutdown != nil {
		srv.RegisterOnShutdown(onShutdown)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return nil
}

// DispositionName returns the filename parameters of Content-Disposition (RFC 6266): an ASCII fallback and
// the UTF-8 name.
func DispositionName(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return `filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// EventStream is a server-sent event stream (text/event-stream) being written to one client.
type EventStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// StartEventStream answers a request with an event stream: it lifts the server's write timeout (a
// stream outlives it), tells proxies not to buffer or cache, and sends the comment first. A false ok
// means the client is gone.
func StartEventStream(w http.ResponseWriter, first string) (s *EventStream, ok bool) {
	s = &EventStream{w: w, rc: http.NewResponseController(w)}
	_ = s.rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return s, s.Write(first)
}

// Write sends raw event-stream text (lines ending in a blank line) and flushes it; false when the
// client is gone.
func (s *EventStream) Write(text string) bool {
	if _, err := s.w.Write([]byte(text)); err != nil {
		return false
	}
	return s.rc.Flush() == nil
}
