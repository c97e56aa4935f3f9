// Package fakeapi imitates the shape of Otklik's ticket API (see CONTRACT.md) closely enough to drive
// the load tool in tests and to measure the tool's own ceiling: tickets live in memory, answers are
// immediate, and failures, delays and broken connections can be injected per operation.
package fakeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Operations, as Options.Fail and Request.Op name them.
const (
	OpCreate = "create" // POST /api/v1/tickets
	OpGet    = "get"    // GET /api/v1/tickets/{number}
	OpList   = "list"   // GET /api/v1/tickets without q
	OpSearch = "search" // GET /api/v1/tickets?q=…
)

// DefaultMaxLimit is the largest page the server returns unless Options.MaxLimit says otherwise.
const DefaultMaxLimit = 200

// Options configure a Server.
type Options struct {
	// Token is the bearer token every API request must carry; empty accepts any.
	Token string
	// Tickets is how many tickets exist at the start.
	Tickets int
	// MaxLimit caps the page size; 0 means DefaultMaxLimit.
	MaxLimit int
	// Fail injects failures by operation.
	Fail map[string]Failure
	// Delay holds the answers to an operation for this long, or until the client goes away.
	Delay map[string]time.Duration
	// Record keeps every API request for Requests.
	Record bool
}

// Failure makes every Every-th request of an operation fail with Status, or, when Status is 0, get
// a malformed answer on a connection that is then closed.
type Failure struct {
	Every  int
	Status int
}

// Request is an API request as the server received it.
type Request struct {
	Op             string
	Method         string
	Path           string
	Query          url.Values
	Authorization  string
	IdempotencyKey string
	ContentType    string
	Body           []byte
}

// Server is the fake API; it is an http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu      sync.RWMutex
	tickets [][]byte // each ticket's JSON, oldest first
	numbers map[string]int
	keys    map[string]string // Idempotency-Key → number
	seq     int64
	log     []Request
	counts  map[string]map[int]int

	served [4]atomic.Int64 // per operation, for Failure.Every
}

var _ http.Handler = (*Server)(nil)

// New returns a server with opts.Tickets tickets.
func New(opts Options) *Server {
	if opts.MaxLimit == 0 {
		opts.MaxLimit = DefaultMaxLimit
	}
	s := &Server{
		opts:    opts,
		mux:     http.NewServeMux(),
		numbers: make(map[string]int),
		keys:    make(map[string]string),
		counts:  make(map[string]map[int]int),
	}
	for i := range opts.Tickets {
		s.add(fmt.Sprintf("Обращение %d: не работает вход", i+1), "Иванов Иван Иванович", "ivan@example.com")
	}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	s.mux.HandleFunc("POST /api/v1/tickets", s.api(OpCreate, s.create))
	s.mux.HandleFunc("GET /api/v1/tickets", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("q") {
			s.api(OpSearch, s.list)(w, r)
			return
		}
		s.api(OpList, s.list)(w, r)
	})
	s.mux.HandleFunc("GET /api/v1/tickets/{number}", s.api(OpGet, s.get))
	return s
}

// ServeHTTP answers r.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Requests returns a copy of the API requests received so far (with Options.Record).
func (s *Server) Requests() []Request {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Request(nil), s.log...)
}

// Counts returns how many answers of each status the server has given to an operation; status 0
// counts broken connections.
func (s *Server) Counts(op string) map[int]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[int]int)
	for code, n := range s.counts[op] {
		out[code] = n
	}
	return out
}

// Numbers returns the numbers of all tickets, oldest first.
func (s *Server) Numbers() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, len(s.numbers))
	for n, i := range s.numbers {
		out[i] = n
	}
	return out
}

// Cursor returns the cursor of the page that starts at offset.
func Cursor(offset int) string { return "o" + strconv.Itoa(offset) }

// Offset returns the offset a cursor made by Cursor stands for.
func Offset(cursor string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(cursor, "o"))
	if err != nil || !strings.HasPrefix(cursor, "o") || n < 0 {
		return 0, fmt.Errorf("bad cursor %q", cursor)
	}
	return n, nil
}

// opIndex returns the index of op in Server.served.
func opIndex(op string) int {
	switch op {
	case OpCreate:
		return 0
	case OpGet:
		return 1
	case OpList:
		return 2
	default:
		return 3
	}
}

// api wraps an operation's handler with recording, authentication, injected failures and delay.
func (s *Server) api(op string, h func(w http.ResponseWriter, r *http.Request, body []byte) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		if s.opts.Record {
			s.mu.Lock()
			s.log = append(s.log, Request{
				Op: op, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
				Authorization: r.Header.Get("Authorization"), IdempotencyKey: r.Header.Get("Idempotency-Key"),
				ContentType: r.Header.Get("Content-Type"), Body: body,
			})
			s.mu.Unlock()
		}
		// An answer is counted when its status is sent, before its body: a client that has read the
		// whole answer finds it counted.
		cw := &countingWriter{ResponseWriter: w, count: func(status int) { s.count(op, status) }}
		s.serve(op, h, cw, r, body)
	}
}

// count counts an answer of status to op.
func (s *Server) count(op string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts[op] == nil {
		s.counts[op] = make(map[int]int)
	}
	s.counts[op][status]++
}

// countingWriter counts the answer once, when its status is sent (0: a broken connection).
type countingWriter struct {
	http.ResponseWriter
	count   func(status int)
	counted bool
}

func (w *countingWriter) WriteHeader(status int) {
	w.sent(status)
	w.ResponseWriter.WriteHeader(status)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.sent(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *countingWriter) sent(status int) {
	if !w.counted {
		w.counted = true
		w.count(status)
	}
}

// Unwrap lets http.ResponseController reach the connection (breakConnection hijacks it).
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serve answers an API request after the common checks (nothing when the client went away first).
// The answer is counted by w as it is sent.
func (s *Server) serve(op string, h func(w http.ResponseWriter, r *http.Request, body []byte) int, w http.ResponseWriter, r *http.Request, body []byte) {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || auth == "" || s.opts.Token != "" && auth != s.opts.Token {
		problem(w, http.StatusUnauthorized, "Нужен действующий API-токен.")
		return
	}
	n := s.served[opIndex(op)].Add(1)
	if f := s.opts.Fail[op]; f.Every > 0 && n%int64(f.Every) == 0 {
		if f.Status == 0 {
			breakConnection(w)
		} else {
			problem(w, f.Status, fmt.Sprintf("Injected failure of request %d.", n))
		}
		return
	}
	if d := s.opts.Delay[op]; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	h(w, r, body)
}

// breakConnection writes a malformed answer and closes the connection.
func breakConnection(w http.ResponseWriter) int {
	if cw, ok := w.(*countingWriter); ok {
		cw.sent(0) // before the client can see it
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return problem(w, http.StatusInternalServerError, "cannot hijack")
	}
	conn.Write([]byte("HTTP/1.1 ZZZ broken\r\n\r\n"))
	conn.Close()
	return 0
}

// problem writes an RFC 9457 problem and returns its status.
func problem(w http.ResponseWriter, status int, detail string) int {
	b, _ := json.Marshal(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	w.Write(b)
	return status
}

// reply writes a JSON body and returns its status.
func reply(w http.ResponseWriter, status int, body []byte) int {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
	return status
}

// CreateBody is the body of POST /api/v1/tickets as CONTRACT.md names its fields.
type CreateBody struct {
	Channel   string  `json:"channel"`
	Subject   string  `json:"subject"`
	Body      string  `json:"body"`
	Category  *string `json:"category,omitempty"`
	Requester *struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Phone string `json:"phone"`
		SNILS string `json:"snils,omitempty"`
		INN   string `json:"inn,omitempty"`
	} `json:"requester"`
}

// DecodeCreateBody decodes b strictly: unknown fields and trailing data are errors.
func DecodeCreateBody(b []byte) (CreateBody, error) {
	var c CreateBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	if dec.More() {
		return c, errors.New("data after the JSON object")
	}
	return c, nil
}

// create answers POST /api/v1/tickets, honouring Idempotency-Key.
func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte) int {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return problem(w, http.StatusUnsupportedMediaType, "Want application/json.")
	}
	c, err := DecodeCreateBody(body)
	if err != nil {
		return problem(w, http.StatusBadRequest, err.Error())
	}
	switch c.Channel {
	case "email", "web", "chat", "phone", "app", "telegram", "vk", "visit":
	default:
		return problem(w, http.StatusUnprocessableEntity, "Unknown channel.")
	}
	if strings.TrimSpace(c.Subject) == "" || strings.TrimSpace(c.Body) == "" || c.Requester == nil || !strings.Contains(c.Requester.Email, "@") {
		return problem(w, http.StatusUnprocessableEntity, "Subject, body and the requester's e-mail are required.")
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		s.mu.RLock()
		number, seen := s.keys[key]
		var t []byte
		if seen {
			t = s.tickets[s.numbers[number]]
		}
		s.mu.RUnlock()
		if seen {
			return reply(w, http.StatusCreated, t)
		}
	}
	t := s.add(c.Subject, c.Requester.Name, c.Requester.Email)
	if key != "" {
		var v struct{ Number string }
		json.Unmarshal(t, &v)
		s.mu.Lock()
		s.keys[key] = v.Number
		s.mu.Unlock()
	}
	return reply(w, http.StatusCreated, t)
}

// add stores a new ticket and returns its JSON.
func (s *Server) add(subject, name, email string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	seq := 100000 + s.seq
	number := fmt.Sprintf("26-%d-%d", seq, checkDigit(seq))
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600)).Add(time.Duration(s.seq) * time.Second)
	t, _ := json.Marshal(map[string]any{
		"number": number, "status": "new", "channel": "web", "category": "access", "priority": "normal",
		"subject": subject, "requester": map[string]string{"name": name, "email": email},
		"created_at":            now.Format(time.RFC3339),
		"first_response_due_at": now.Add(24 * time.Hour).Format(time.RFC3339),
		"due_at":                now.Add(5 * 24 * time.Hour).Format(time.RFC3339),
		"assignee":              nil, "group": nil,
	})
	s.numbers[number] = len(s.tickets)
	s.tickets = append(s.tickets, t)
	return t
}

// checkDigit returns a check digit for n (not the Damm digit real numbers carry).
func checkDigit(n int64) int64 {
	var sum int64
	for ; n > 0; n /= 10 {
		sum += n % 10
	}
	return sum % 10
}

// get answers GET /api/v1/tickets/{number}.
func (s *Server) get(w http.ResponseWriter, r *http.Request, _ []byte) int {
	s.mu.RLock()
	i, ok := s.numbers[r.PathValue("number")]
	var t []byte
	if ok {
		t = s.tickets[i]
	}
	s.mu.RUnlock()
	if !ok {
		return problem(w, http.StatusNotFound, "Обращение не найдено.")
	}
	return reply(w, http.StatusOK, t)
}

// list answers both list and search: every ticket matches, oldest first.
func (s *Server) list(w http.ResponseWriter, r *http.Request, _ []byte) int {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return problem(w, http.StatusBadRequest, "Bad limit.")
		}
		limit = min(n, s.opts.MaxLimit)
	}
	offset := 0
	if v := q.Get("cursor"); v != "" {
		n, err := Offset(v)
		if err != nil {
			return problem(w, http.StatusBadRequest, "Bad cursor.")
		}
		offset = n
	}
	switch q.Get("status") {
	case "", "new", "in_progress", "waiting", "forwarded", "resolved", "closed":
	default:
		return problem(w, http.StatusBadRequest, "Unknown status.")
	}
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	s.mu.RLock()
	end := min(offset+limit, len(s.tickets))
	for i := offset; i < end; i++ {
		if i > offset {
			b.WriteByte(',')
		}
		b.Write(s.tickets[i])
	}
	more := end < len(s.tickets)
	s.mu.RUnlock()
	b.WriteString(`],"next_cursor":`)
	if more {
		b.WriteString(`"` + Cursor(end) + `"`)
	} else {
		b.WriteString("null")
	}
	b.WriteString("}")
	return reply(w, http.StatusOK, b.Bytes())
}
