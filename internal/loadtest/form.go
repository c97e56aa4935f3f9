package loadtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otklik/otklik/internal/pow"
)

// The form scenario: each worker is a stream of citizens, one after another. A citizen opens the
// feedback form (GET /, the "page" operation), solves its captcha's proof of work as static/portal.js
// does, and sends the form (POST /, the "submit" operation) as a browser does — multipart, every
// field in page order, the form's cookie, a file of Config.FileSize bytes — with a new e-mail address.
// A page counts as a success only if it carries the form's hidden fields and cookie, a submission
// only if it is the success page with the ticket's number. The time spent on the proof of work is in
// neither latency: a browser spends it while the citizen types.
//
// The portal limits what one address may do (internal/web portal.go: 120 form pages and 20
// submissions per 10 minutes), and it takes the address from the connection alone: it trusts no
// X-Forwarded-For. Rather than a switch that turns those limits off on the server, each citizen comes,
// as in life, from an address of its own on a connection of its own: when the server is on this
// machine's loopback (127.0.0.0/8 on Linux answers on every address), citizen n dials from
// 127.1.0.0 + 1 + n. The server then runs exactly as deployed, limits included. Against any other
// address the citizens share this machine's, and the server answers 429 after the first 20
// submissions; the tool says so before it starts.

// formLetters is the size of the prebuilt pool of subjects and texts the citizens send.
const formLetters = 256

// maxPowBits bounds the proof of work the tool accepts to solve (the portal asks for 14 bits, about
// 16,000 hashes; 24 would be 16 million, a second or more of a core).
const maxPowBits = 24

// formCookie is the portal form's CSRF cookie (internal/web formCSRFCookie).
const formCookie = "otklik_form"

// firstSource is the address the first citizen dials from when the server is on the loopback.
const firstSource = 127<<24 | 1<<16 | 1 // 127.1.0.1

// numSources is how many loopback addresses the citizens take in turn, from firstSource on.
const numSources = 1<<23 - 2

// formPlan is what the form scenario's workers share. It is built before the run and only read.
type formPlan struct {
	pageURL    string
	categories []string    // the codes of the form's top-level categories
	letters    [][2]string // subject, text
	file       *attachment // nil: no file
	fileKey    uint64      // random per run, the high half of each copy's serial
	fileType   string
	fileNames  []string
	tag        string // random per run, in every e-mail address
	spread     bool   // citizens dial from addresses of their own
	pageHeader http.Header
	origin     string
	waves      *waves // nil: each worker at its own pace
}

// waves keeps the form scenario's workers in step (Config.Waves): every worker waits at each of a
// wave's two gates until all have come — before the submissions, so that they start together, and
// after them, so that the next wave's pages start only when every answer is in. A worker that stops
// leaves, and the others no longer wait for it.
type waves struct {
	mu       sync.Mutex
	workers  int           // still taking part
	waiting  int           // at the gate now
	open     chan struct{} // closed when the gate opens
	submit   bool          // the gate now is the one before the submissions
	started  time.Time     // when the wave's submissions started
	from, to time.Time     // the measured time
	measured atomic.Int64  // waves started and finished in it
}

func newWaves(workers int, from, to time.Time) *waves {
	return &waves{workers: workers, open: make(chan struct{}), submit: true, from: from, to: to}
}

// gate waits until every worker still taking part is at the gate, or the run is over (false). It
// returns when the current wave's submissions started: after the gate before them, their start.
func (v *waves) gate(ctx context.Context) (time.Time, bool) {
	v.mu.Lock()
	ch := v.open
	v.waiting++
	if v.waiting >= v.workers {
		v.release()
		started := v.started
		v.mu.Unlock()
		return started, true
	}
	v.mu.Unlock()
	select {
	case <-ch:
		// The next wave cannot start before this worker comes to its gate.
		v.mu.Lock()
		defer v.mu.Unlock()
		return v.started, true
	case <-ctx.Done():
		return time.Time{}, false
	}
}

// release opens the gate (v.mu held): the start of the submissions, or the end of a wave.
func (v *waves) release() {
	now := time.Now()
	if v.submit {
		v.started = now
	} else if !v.started.Before(v.from) && now.Before(v.to) {
		v.measured.Add(1)
	}
	v.waiting, v.submit = 0, !v.submit
	close(v.open)
	v.open = make(chan struct{})
}

// leave takes a stopping worker out of the waves.
func (v *waves) leave() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.workers--
	if v.waiting > 0 && v.waiting >= v.workers {
		v.release()
	}
}

// formPage is what a form page carries that a submission sends back.
type formPage struct {
	cookie, csrf, token, challenge, qa, qb string
	bits                                   int
}

// Fields of the form page, as internal/web/templates/pages/portal_form.html writes them.
var (
	categoryOption = regexp.MustCompile(`<option value="([^"]+)"`)
	ticketNumber   = regexp.MustCompile(`id="ticket-number">([0-9A-Za-z-]+)<`)
)

// newFormPlan prepares the form scenario: checks that the server serves the form, reads its
// categories, decides whether citizens can have addresses of their own, and builds the texts and the
// file.
func newFormPlan(ctx context.Context, p *plan, base string, cfg *Config) (*formPlan, error) {
	u, _ := url.Parse(base) // validated
	f := &formPlan{
		pageURL:  base + "/",
		origin:   u.Scheme + "://" + u.Host,
		fileType: cfg.FileType,
		tag:      runTag(),
		pageHeader: http.Header{
			"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
			"Accept-Language": {"ru-RU,ru;q=0.9,en;q=0.5"},
		},
	}
	if f.fileType == "" {
		f.fileType = FilePNG
	}
	f.spread = loopbackIPv4(u.Hostname())
	if f.spread {
		if err := probeSource(ctx, u); err != nil {
			f.spread = false
			p.logf("warning: cannot dial from %s (%v): all citizens share one address\n", sourceIP(firstSource), err)
		}
	}
	if !f.spread {
		p.logf("warning: the citizens share this machine's address, and the portal allows one address 20 submissions per 10 minutes: expect 429 after that (run the tool on the server's machine against its loopback address)\n")
	}

	// The form as a first citizen sees it: it must be there, with its categories.
	ctx1, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx1, http.MethodGet, f.pageURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header = f.pageHeader
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("open the form: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("open the form: GET %s: %w", f.pageURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("open the form: GET %s: %s: %s", f.pageURL, resp.Status, sampleText(body, len(body) > maxSampleBytes))
	}
	if _, problem := parseFormPage(resp, body); problem != "" {
		return nil, fmt.Errorf("open the form: GET %s: %s", f.pageURL, problem)
	}
	if f.categories = formCategories(body); len(f.categories) == 0 {
		return nil, fmt.Errorf("open the form: GET %s: the form lists no categories", f.pageURL)
	}

	seed := newSeededRand()
	f.letters = make([][2]string, formLetters)
	for i := range f.letters {
		pr := problems[i%len(problems)]
		f.letters[i] = [2]string{pr.subject, composeBody(pr.text, seed.IntN)}
	}
	if cfg.FileSize > 0 {
		if f.file, err = makeAttachment(f.fileType, cfg.FileSize, seed); err != nil {
			return nil, err
		}
		f.fileNames = fileNames[f.fileType]
		f.fileKey = seed.Uint64() << 32
	}
	return f, nil
}

// fileNames are what citizens call their files, by kind.
var fileNames = map[string][]string{
	FilePNG: {"скриншот.png", "Снимок экрана 2026-12-05 в 10.14.32.png", "ошибка.png", "screenshot.png", "IMG_4821.png"},
	FilePDF: {"скан паспорта.pdf", "заявление.pdf", "квитанция об оплате.pdf", "Scan_0012.pdf", "справка.pdf"},
}

// loopbackIPv4 tells whether host is "localhost" or an IPv4 loopback address.
func loopbackIPv4(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.To4() != nil && ip.IsLoopback()
}

// probeSource checks that a connection to the server can be made from firstSource.
func probeSource(ctx context.Context, u *url.URL) error {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: sourceIP(firstSource)}}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return err
	}
	return c.Close()
}

// sourceIP returns the IPv4 address a.
func sourceIP(a uint32) net.IP {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return net.IP(b[:])
}

// parseFormPage reads what a submission sends back from a form page: the cookie and the hidden
// fields. It returns a problem ("" when none) if the page is not the form.
func parseFormPage(resp *http.Response, body []byte) (formPage, string) {
	var f formPage
	for _, c := range resp.Cookies() {
		if c.Name == formCookie {
			f.cookie = c.Value
		}
	}
	var ok [6]bool
	f.csrf, ok[0] = hiddenValue(body, "csrf")
	f.token, ok[1] = hiddenValue(body, "token")
	f.challenge, ok[2] = hiddenValue(body, "challenge")
	f.qa, ok[3] = hiddenValue(body, "qa")
	f.qb, ok[4] = hiddenValue(body, "qb")
	var b string
	b, ok[5] = attrAfter(body, `name="challenge"`, "data-bits")
	f.bits, _ = strconv.Atoi(b)
	switch {
	case ok != [6]bool{true, true, true, true, true, true}:
		return f, "the page is not the feedback form (hidden fields missing)"
	case f.cookie == "":
		return f, "the form page sets no " + formCookie + " cookie"
	case f.bits < 1 || f.bits > maxPowBits:
		return f, fmt.Sprintf("the captcha asks %d bits of proof of work, want 1 to %d", f.bits, maxPowBits)
	}
	return f, ""
}

// hiddenValue returns the value of the input named name.
func hiddenValue(page []byte, name string) (string, bool) {
	return attrAfter(page, `name="`+name+`"`, "value")
}

// attrAfter returns the attribute attr of the tag in which marker first occurs, unescaped.
func attrAfter(page []byte, marker, attr string) (string, bool) {
	i := bytes.Index(page, []byte(marker))
	if i < 0 {
		return "", false
	}
	tag := page[i:]
	if end := bytes.IndexByte(tag, '>'); end >= 0 {
		tag = tag[:end]
	}
	key := []byte(" " + attr + `="`)
	j := bytes.Index(tag, key)
	if j < 0 {
		return "", false
	}
	v := tag[j+len(key):]
	k := bytes.IndexByte(v, '"')
	if k < 0 {
		return "", false
	}
	return html.UnescapeString(string(v[:k])), true
}

// formCategories returns the option values of the form's category list.
func formCategories(page []byte) []string {
	i := bytes.Index(page, []byte(`<select id="category"`))
	if i < 0 {
		return nil
	}
	sel := page[i:]
	if end := bytes.Index(sel, []byte("</select>")); end >= 0 {
		sel = sel[:end]
	}
	var out []string
	for _, m := range categoryOption.FindAllSubmatch(sel, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// citizenConn is a worker's connection to the server, made anew for each citizen, from the
// citizen's address when the plan spreads them.
type citizenConn struct {
	transport *http.Transport
	client    *http.Client
	source    atomic.Uint32 // the IPv4 address to dial from; 0: the system's choice
}

// newCitizenConn returns a worker's transport: like NewClient's, one connection at a time.
func newCitizenConn() *citizenConn {
	c := &citizenConn{}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	c.transport = &http.Transport{
		Protocols: &protocols,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := *dialer
			if s := c.source.Load(); s != 0 {
				d.LocalAddr = &net.TCPAddr{IP: sourceIP(s)}
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConns:          1,
		MaxIdleConnsPerHost:   1,
		MaxConnsPerHost:       1,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ReadBufferSize:        64 << 10,
	}
	c.client = &http.Client{Transport: c.transport}
	return c
}

// runForm is the worker's loop in the form scenario: one citizen after another.
func (w *worker) runForm(ctx context.Context) {
	p, f := w.p, w.p.form
	if f.waves != nil {
		defer f.waves.leave()
	}
	for ctx.Err() == nil {
		// A new citizen: a new address, a new connection.
		serial := w.citizens*uint64(p.workers) + uint64(w.id)
		w.citizens++
		if f.spread {
			w.conn.source.Store(firstSource + uint32(serial%numSources))
		}
		w.conn.transport.CloseIdleConnections()

		req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.pageURL, nil)
		if err != nil {
			panic(fmt.Sprintf("loadtest: prebuilt request is invalid: %v", err))
		}
		req.Header = f.pageHeader
		if !w.citizen(ctx, req, serial) {
			return
		}
	}
}

// citizen opens the form with req and submits it as citizen serial; in waves, in step with the
// others. It returns false when the run is over.
func (w *worker) citizen(ctx context.Context, req *http.Request, serial uint64) bool {
	p, v := w.p, w.p.form.waves
	var submission *http.Request
	resp, start, latency := w.send(ctx, opPage, req, time.Time{})
	if resp == nil && !start.Before(p.end) {
		return false
	}
	if resp != nil {
		page, problem := formPage{}, ""
		if resp.StatusCode == http.StatusOK {
			page, problem = parseFormPage(resp, w.buf.Bytes())
		}
		w.count(opPage, resp, start, time.Time{}, latency, problem)
		if resp.StatusCode == http.StatusOK && problem == "" {
			nonce := pow.Solve(page.challenge, page.bits) // 14 bits: about 16,000 hashes, 2.5 ms of a core
			var err error
			if submission, err = w.submission(ctx, &page, nonce, serial); err != nil {
				panic(fmt.Sprintf("loadtest: submission is invalid: %v", err))
			}
		}
	}
	// In waves a submission is measured when its wave is, by when the wave started: a submission
	// sent a moment later than its wave's start must not be counted in a wave that is not.
	var wave time.Time
	if v != nil { // a worker without a form still waits out the wave
		var ok bool
		if wave, ok = v.gate(ctx); !ok {
			return false
		}
	}
	if submission != nil {
		resp, start, latency = w.send(ctx, opSubmit, submission, wave)
		if resp == nil && !start.Before(p.end) {
			return false
		}
		if resp != nil {
			problem := ""
			if resp.StatusCode == http.StatusOK && !ticketNumber.Match(w.buf.Bytes()) {
				problem = "no ticket number on the page"
			}
			w.count(opSubmit, resp, start, wave, latency, problem)
		}
	}
	if v == nil {
		return true
	}
	_, ok := v.gate(ctx)
	return ok
}

// send sends req as operation o on the citizen's connection and reads the whole answer into w.buf.
// It returns the response (its body read and closed), when it started and how long it took; the
// response is nil when the run was over before it started, or when it got no complete answer, which
// send has counted. An operation of a wave (wave not zero) is measured when its wave started in the
// measured time, any other when it started in it.
func (w *worker) send(ctx context.Context, o op, req *http.Request, wave time.Time) (*http.Response, time.Time, time.Duration) {
	p := w.p
	start := time.Now()
	if !start.Before(p.end) {
		return nil, start, 0
	}
	measured := p.measures(start, wave)
	w.attempts++
	resp, err := w.conn.client.Do(req)
	if err == nil {
		w.buf.Reset()
		_, err = w.buf.ReadFrom(resp.Body)
		resp.Body.Close()
	}
	latency := time.Since(start)
	if err != nil {
		w.failed(ctx, &w.stats[o], measured, start, err)
		return nil, start, latency
	}
	return resp, start, latency
}

// measures tells whether an operation that started at start, in a wave that started at wave (zero: in
// none), is measured.
func (p *plan) measures(start, wave time.Time) bool {
	if !wave.IsZero() {
		start = wave
	}
	return !start.Before(p.measureStart)
}

// count counts an answer to operation o (its body in w.buf): a success when it has the success status
// and no problem, else a failure by status, keeping the first of each status as a sample. It is
// measured as send says, by start or by its wave's start.
func (w *worker) count(o op, resp *http.Response, start, wave time.Time, latency time.Duration, problem string) {
	ok := resp.StatusCode == successStatus[o] && problem == ""
	if !ok {
		if _, seen := w.samples[resp.StatusCode]; !seen {
			text := resp.Status
			if problem != "" {
				text += ": " + problem
			}
			if b := w.buf.Bytes(); len(b) > 0 {
				text += ": " + sampleText(b, len(b) > maxSampleBytes)
			}
			w.samples[resp.StatusCode] = sample{at: start, text: text}
			w.p.logFirst(resp.StatusCode, text)
		}
	}
	if !w.p.measures(start, wave) {
		return
	}
	st := &w.stats[o]
	if ok {
		st.ok++
		st.latency.Record(latency)
		return
	}
	if st.status == nil {
		st.status = make(map[int]int64)
	}
	st.status[resp.StatusCode]++
}

// submission builds the POST of the form filled in by citizen serial: multipart/form-data with the
// fields in the page's order, as a browser sends them, and the file (shared, never copied).
func (w *worker) submission(ctx context.Context, page *formPage, nonce string, serial uint64) (*http.Request, error) {
	f := w.p.form
	letter := f.letters[w.rng.IntN(len(f.letters))]
	who := people[w.rng.IntN(len(people))]
	email := who.latin + "." + f.tag + "." + strconv.FormatUint(serial, 10) + "@" + mailDomains[w.rng.IntN(len(mailDomains))]
	name, phone := "", ""
	if w.rng.IntN(3) > 0 {
		name = who.name
	}
	if w.rng.IntN(2) == 0 {
		phone = mobileNumber(w.rng.IntN)
	}

	var head bytes.Buffer
	head.Grow(4 << 10)
	mw := multipart.NewWriter(&head)
	if err := mw.SetBoundary(w.boundary); err != nil {
		return nil, err
	}
	fields := func(kv ...string) error {
		for i := 0; i < len(kv); i += 2 {
			if err := mw.WriteField(kv[i], kv[i+1]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := fields("csrf", page.csrf, "token", page.token, "challenge", page.challenge, "pow", nonce,
		"qa", page.qa, "qb", page.qb, "category", f.categories[w.rng.IntN(len(f.categories))], "service", "",
		"subject", letter[0], "body", letter[1]); err != nil {
		return nil, err
	}
	fileName, contentType := "", "application/octet-stream" // an empty file field, as a browser sends it
	if f.file != nil {
		fileName, contentType = f.fileNames[w.rng.IntN(len(f.fileNames))], "image/png"
		if f.fileType == FilePDF {
			contentType = "application/pdf"
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="files"; filename="`+fileName+`"`)
	h.Set("Content-Type", contentType)
	if _, err := mw.CreatePart(h); err != nil {
		return nil, err
	}
	split := head.Len()
	if err := fields("email", email, "phone", phone, "name", name, "snils", "", "inn", "", "consent", "yes", "answer", ""); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	b := head.Bytes()
	parts := []io.Reader{bytes.NewReader(b[:split])}
	size := len(b)
	if f.file != nil {
		fh := f.file.head(f.fileKey | serial&0xffffffff)
		parts = append(parts, bytes.NewReader(fh), bytes.NewReader(f.file.data[len(fh):]))
		size += len(f.file.data)
	}
	parts = append(parts, bytes.NewReader(b[split:]))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.pageURL, io.MultiReader(parts...))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(size)
	req.Header = http.Header{
		"Content-Type":    {mw.FormDataContentType()},
		"Cookie":          {formCookie + "=" + page.cookie},
		"Origin":          {f.origin},
		"Sec-Fetch-Site":  {"same-origin"},
		"Accept":          f.pageHeader["Accept"],
		"Accept-Language": f.pageHeader["Accept-Language"],
	}
	return req, nil
}
