package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Body lengths of the created tickets, in characters.
const (
	minBodyRunes = 300
	maxBodyRunes = 600
)

// numTicketBodies and numRequesters are the sizes of the prebuilt pools a create request is
// assembled from: a ticket (channel, subject, body) and a requester.
const (
	numTicketBodies = 1024
	numRequesters   = 256
)

// requestsPerRequester is how many tickets in a row a worker creates for the same requester, so that
// about one e-mail address in ten is new, as when citizens write again about the same matter.
const requestsPerRequester = 10

// serialDigits is the width of the number that makes each requester's e-mail address unique.
const serialDigits = 10

// pageTimeout bounds each request made before the run: the health check, the token check and each
// page of the collection of ticket numbers.
const pageTimeout = 30 * time.Second

// maxSampleBytes is how much of the first error body of each status is kept and printed.
const maxSampleBytes = 300

// plan is what the workers share: the client, the prebuilt URLs, headers and bodies, and the clock.
// It is built before the timed phase and only read during it.
type plan struct {
	client  *http.Client
	weights [numOps]int
	single  bool // one operation only: no dice to roll
	first   op   // the operation of a single-operation scenario

	createURL  string
	tickets    [][]byte // `{"channel":…,"body":…,"requester":`
	requesters []requesterJSON
	getURLs    []string
	listURL    string
	searchURL  string
	form       *formPlan // the form scenario's; nil in the others
	runKey     uint64    // the random half of every Idempotency-Key of the run
	workers    int

	auth, accept, contentType []string
	readHeader                http.Header // shared by every GET; never modified

	logMu  sync.Mutex // serializes writes to log
	log    io.Writer
	logged sync.Map // status code (0 for transport errors) → struct{}: first error already logged

	measureStart, end time.Time
}

// requesterJSON is `{"name":…,"email":…,"phone":…}}` with serialDigits zeros in the e-mail address at
// serialAt, replaced in each copy by the requester's serial number.
type requesterJSON struct {
	json     []byte
	serialAt int
}

// newPlan builds the plan for cfg (already validated). For the get and mixed scenarios it pages
// through the server's tickets to collect the numbers to read.
func newPlan(ctx context.Context, cfg *Config) (*plan, error) {
	base := strings.TrimRight(cfg.URL, "/")
	p := &plan{
		client:      cfg.Client,
		workers:     cfg.Concurrency,
		createURL:   base + "/api/v1/tickets",
		auth:        []string{"Bearer " + cfg.Token},
		accept:      []string{"application/json"},
		contentType: []string{"application/json"},
		log:         cfg.Log,
	}
	if p.client == nil {
		p.client = NewClient(cfg.Concurrency)
	}
	if p.log == nil {
		p.log = io.Discard
	}
	p.readHeader = http.Header{"Authorization": p.auth, "Accept": p.accept}
	w, _ := cfg.Scenario.weights()
	var used int
	for o, pct := range w {
		if pct > 0 {
			used++
			p.first = op(o)
		}
		p.weights[o] = pct
	}
	p.single = used == 1

	list := url.Values{"limit": {strconv.Itoa(cfg.Limit)}}
	if cfg.Status != "" {
		list.Set("status", cfg.Status)
	}
	p.listURL = base + "/api/v1/tickets?" + list.Encode()
	search := url.Values{"q": {cfg.Query}, "limit": {strconv.Itoa(cfg.Limit)}}
	p.searchURL = base + "/api/v1/tickets?" + search.Encode()

	if err := p.healthy(ctx, base); err != nil {
		return nil, err
	}
	if cfg.Scenario == ScenarioForm {
		var err error
		if p.form, err = newFormPlan(ctx, p, base, cfg); err != nil {
			return nil, err
		}
		return p, nil
	}
	if w[opCreate] > 0 {
		var err error
		if p.tickets, p.requesters, err = buildCreateBodies(); err != nil {
			return nil, err
		}
		var k [8]byte
		_, _ = rand.Read(k[:])
		p.runKey = binary.BigEndian.Uint64(k[:])
	}
	if w[opGet] == 0 {
		// Check the token with one small page, rather than sending a run's worth of 401s.
		if _, err := p.collectNumbers(ctx, base, 1); err != nil {
			return nil, fmt.Errorf("check the token: %w", err)
		}
	} else {
		limit := cfg.MaxTickets
		if limit == 0 {
			limit = DefaultMaxTickets
		}
		p.logf("collecting up to %d ticket numbers…\n", limit)
		numbers, err := p.collectNumbers(ctx, base, limit)
		if err != nil {
			return nil, fmt.Errorf("collect ticket numbers: %w", err)
		}
		if len(numbers) == 0 {
			return nil, fmt.Errorf("the %s scenario needs tickets to read, and the server lists none: run the create scenario first, or start the server with --demo", cfg.Scenario)
		}
		p.logf("collected %d ticket numbers\n", len(numbers))
		p.getURLs = make([]string, len(numbers))
		for i, n := range numbers {
			p.getURLs[i] = base + "/api/v1/tickets/" + url.PathEscape(n)
		}
	}
	return p, nil
}

// logf writes a line of progress to the log; workers may call it concurrently.
func (p *plan) logf(format string, args ...any) {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	fmt.Fprintf(p.log, format, args...)
}

// healthy checks that the server answers GET /healthz with 200 before any load is sent.
func (p *plan) healthy(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxSampleBytes))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: GET %s/healthz: %s: %s", base, resp.Status, sampleText(body, false))
	}
	return nil
}

// collectNumbers pages through GET /api/v1/tickets following next_cursor until it has limit numbers
// or the last page.
func (p *plan) collectNumbers(ctx context.Context, base string, limit int) ([]string, error) {
	var numbers []string
	seen := make(map[string]bool)
	cursor := ""
	for len(numbers) < limit {
		q := url.Values{"limit": {strconv.Itoa(min(collectPageSize, limit-len(numbers)))}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u := base + "/api/v1/tickets?" + q.Encode()
		pageCtx, cancel := context.WithTimeout(ctx, pageTimeout)
		req, err := http.NewRequestWithContext(pageCtx, http.MethodGet, u, nil)
		if err != nil {
			cancel()
			return nil, err
		}
		req.Header = p.readHeader
		resp, err := p.client.Do(req)
		if err != nil {
			cancel()
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", u, err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, sampleText(body, len(body) > maxSampleBytes))
		}
		var page struct {
			Items []struct {
				Number string `json:"number"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("GET %s: %w", u, err)
		}
		for _, it := range page.Items {
			if it.Number != "" && !seen[it.Number] && len(numbers) < limit {
				seen[it.Number] = true
				numbers = append(numbers, it.Number)
			}
		}
		if page.NextCursor == nil || *page.NextCursor == "" || *page.NextCursor == cursor || len(page.Items) == 0 {
			break
		}
		cursor = *page.NextCursor
	}
	return numbers, nil
}

// buildCreateBodies builds the pools create requests are assembled from. The e-mail addresses carry
// a random tag of the run so that runs do not reuse each other's requesters.
func buildCreateBodies() (tickets [][]byte, requesters []requesterJSON, err error) {
	seed := newSeededRand()
	tickets = make([][]byte, numTicketBodies)
	for i := range tickets {
		pr := problems[i%len(problems)]
		body := composeBody(pr.text, seed.IntN)
		b, err := json.Marshal(struct {
			Channel string `json:"channel"`
			Subject string `json:"subject"`
			Body    string `json:"body"`
		}{"web", pr.subject, body})
		if err != nil {
			return nil, nil, fmt.Errorf("build ticket body: %w", err)
		}
		b = append(b[:len(b)-1], `,"requester":`...)
		tickets[i] = b
	}
	tag := runTag()
	zeros := strings.Repeat("0", serialDigits)
	requesters = make([]requesterJSON, numRequesters)
	for i := range requesters {
		who := people[seed.IntN(len(people))]
		local := who.latin + "." + tag + "." + zeros
		b, err := json.Marshal(struct {
			Name  string `json:"name"`
			Email string `json:"email"`
			Phone string `json:"phone"`
		}{who.name, local + "@" + mailDomains[seed.IntN(len(mailDomains))], mobileNumber(seed.IntN)})
		if err != nil {
			return nil, nil, fmt.Errorf("build requester: %w", err)
		}
		at := bytes.IndexByte(b, '@')
		requesters[i] = requesterJSON{json: append(b, '}'), serialAt: at - serialDigits}
	}
	return tickets, requesters, nil
}

// composeBody wraps a problem's paragraph in a greeting, details and a closing, adding details until
// the text is at least minBodyRunes long and never more than maxBodyRunes.
func composeBody(text string, intn func(int) int) string {
	var b strings.Builder
	b.WriteString(openers[intn(len(openers))])
	b.WriteString(" ")
	b.WriteString(text)
	closer := closers[intn(len(closers))]
	n := utf8.RuneCountInString(b.String()) + 1 + utf8.RuneCountInString(closer)
	start := intn(len(details))
	for i := 0; i < len(details) && (n < minBodyRunes || intn(3) == 0); i++ {
		d := details[(start+i)%len(details)]
		dn := 1 + utf8.RuneCountInString(d)
		if n+dn > maxBodyRunes {
			break
		}
		b.WriteString(" ")
		b.WriteString(d)
		n += dn
	}
	b.WriteString(" ")
	b.WriteString(closer)
	return b.String()
}

// mobileNumber returns a Russian mobile number as people write it: "+7 916 123-45-67".
func mobileNumber(intn func(int) int) string {
	d := func(n int) string {
		s := make([]byte, n)
		for i := range s {
			s[i] = byte('0' + intn(10))
		}
		return string(s)
	}
	return "+7 " + mobilePrefixes[intn(len(mobilePrefixes))] + " " + d(3) + "-" + d(2) + "-" + d(2)
}

// runTag returns four random base-36 characters.
func runTag() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(36*36*36*36))
	s := strconv.FormatInt(n.Int64()+36*36*36*36, 36)
	return s[1:]
}

// putSerial writes n as serialDigits decimal digits, zero-padded, into b.
func putSerial(b []byte, n uint64) {
	for i := serialDigits - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
}

// formatKey writes the 16 bytes of a UUID in its 36-character text form into dst.
func formatKey(dst *[36]byte, u *[16]byte) {
	const hexDigits = "0123456789abcdef"
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst[j] = '-'
			j++
		}
		dst[j] = hexDigits[c>>4]
		dst[j+1] = hexDigits[c&0x0f]
		j += 2
	}
}

// nextCursor finds the top-level next_cursor of a list response without decoding the page: it
// returns the cursor and true, or false when it is null, empty or absent. Inside a JSON string every
// quote is escaped, so `"next_cursor"` followed by a colon can only be a key; the last one is taken,
// since the items come first.
func nextCursor(body []byte) (string, bool) {
	const key = `"next_cursor"`
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return "", false
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return "", false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return "", false // null
	}
	for j := 1; j < len(rest); j++ {
		switch rest[j] {
		case '\\':
			j++
		case '"':
			tok := rest[:j+1]
			if bytes.IndexByte(tok, '\\') < 0 {
				return string(tok[1:j]), j > 1
			}
			var s string
			if json.Unmarshal(tok, &s) != nil {
				return "", false
			}
			return s, s != ""
		}
	}
	return "", false
}

// sampleText turns the start of an error body into one printable line.
func sampleText(b []byte, truncated bool) string {
	if len(b) > maxSampleBytes {
		b, truncated = b[:maxSampleBytes], true
	}
	// Cutting at a byte count may split the last character; ToValidUTF8 drops what is left of it.
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Join(strings.Fields(s), " ")
	if truncated {
		s += "…"
	}
	return s
}
