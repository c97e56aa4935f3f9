package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"
)

// Run validates cfg, prepares the requests (collecting ticket numbers for the get and mixed
// scenarios), then lets cfg.Concurrency workers send requests for cfg.Warmup plus cfg.Duration and
// returns what was measured during cfg.Duration. Requests still in flight when the time is up are
// abandoned and counted as unfinished. When ctx is cancelled the run stops early and the result
// covers the time measured until then.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := newPlan(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Client == nil {
		defer p.client.CloseIdleConnections()
	}
	workers := make([]*worker, cfg.Concurrency)
	for i := range workers {
		workers[i] = newWorker(p, i)
	}
	runtime.GC() // leave the garbage of the preparation out of the measured time

	began := time.Now()
	p.measureStart = began.Add(cfg.Warmup)
	p.end = p.measureStart.Add(cfg.Duration)
	runCtx, cancel := context.WithDeadline(ctx, p.end)
	defer cancel()
	if p.form != nil && cfg.Waves {
		p.form.waves = newWaves(len(workers), p.measureStart, p.end)
	}
	if cfg.Warmup > 0 {
		p.logf("warming up for %s with %d clients…\n", cfg.Warmup, cfg.Concurrency)
	}
	// The process's CPU time over the whole run, warm-up included, shows what the tool itself costs.
	cpu0, cpuOK := processCPU()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(runCtx) })
	}
	t := time.NewTimer(time.Until(p.measureStart))
	select {
	case <-t.C:
		p.logf("measuring for %s…\n", cfg.Duration)
	case <-runCtx.Done():
		t.Stop()
	}
	wg.Wait()
	stopped := time.Now()
	for _, w := range workers {
		if w.conn != nil {
			w.conn.transport.CloseIdleConnections()
		}
	}
	cpu1, cpu1OK := processCPU()

	res := &Result{
		Scenario:    cfg.Scenario,
		URL:         cfg.URL,
		Concurrency: cfg.Concurrency,
		Duration:    cfg.Duration,
		Warmup:      cfg.Warmup,
		Query:       cfg.Query,
		Status:      cfg.Status,
		Limit:       cfg.Limit,
		Elapsed:     window(p.measureStart, p.end, stopped),
		Tickets:     len(p.getURLs),
		Interrupted: ctx.Err() != nil,
		Env:         environment(began, cfg.Command),
	}
	if p.form != nil && p.form.file != nil {
		res.FileType, res.FileBytes = p.form.fileType, int64(len(p.form.file.data))
	}
	if p.form != nil && p.form.waves != nil {
		res.Waves, res.WaveCount = true, p.form.waves.measured.Load()
	}
	res.collect(p, workers)
	if cpuOK && cpu1OK {
		res.ToolCPU, res.ToolWall = cpu1-cpu0, stopped.Sub(began)
	}
	return res, nil
}

// window returns how much of the measured time [from, to) passed before stopped.
func window(from, to, stopped time.Time) time.Duration {
	if stopped.Before(to) {
		to = stopped
	}
	return max(0, to.Sub(from))
}

// worker is one closed-loop client. Everything it writes during the run is its own.
type worker struct {
	p     *plan
	id    int
	rng   *mathrand.Rand
	stats [numOps]opStats

	// create: the current requester, its serial number and how many tickets it has sent.
	requester  int
	serial     uint64
	sent       uint64
	requesters uint64
	keys       uint64 // Idempotency-Keys made

	// attempts counts every request sent, warm-up and unfinished ones included.
	attempts int64

	// form: the connection of the current citizen, how many citizens the worker has been, and the
	// multipart boundary of its submissions.
	conn     *citizenConn
	citizens uint64
	boundary string

	// list: how many pages deep the current chain is and the cursor of its next page.
	depth  int
	cursor string
	buf    bytes.Buffer

	// The first error body of each status and the first transport error this worker saw.
	samples   map[int]sample
	transport sample
}

// opStats counts one operation's outcomes within the measured time.
type opStats struct {
	latency    *Histogram // successful requests only
	ok         int64
	status     map[int]int64 // non-success status → count
	transport  int64
	unfinished int64
}

// sample is the first error of a kind, with the time it was seen so that workers' samples can be
// merged into the run's first.
type sample struct {
	at   time.Time
	text string
}

// newWorker returns worker id of plan p with its histograms allocated.
func newWorker(p *plan, id int) *worker {
	w := &worker{p: p, id: id, rng: newSeededRand(), samples: make(map[int]sample)}
	for o := range numOps {
		if p.weights[o] > 0 {
			w.stats[o].latency = NewHistogram()
		}
	}
	w.buf.Grow(64 << 10)
	if p.form != nil {
		w.conn = newCitizenConn()
		w.boundary = multipart.NewWriter(io.Discard).Boundary()
	}
	return w
}

// newSeededRand returns a fast generator seeded from the system's random source.
func newSeededRand() *mathrand.Rand {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return mathrand.New(mathrand.NewPCG(binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])))
}

// pick rolls the scenario's dice.
func (w *worker) pick() op {
	if w.p.single {
		return w.p.first
	}
	r := w.rng.IntN(100)
	for o := range numOps {
		if r < w.p.weights[o] {
			return o
		}
		r -= w.p.weights[o]
	}
	return w.p.first
}

// run sends requests one after another until the run is over, counting only those that start in
// the measured time.
func (w *worker) run(ctx context.Context) {
	p := w.p
	if p.form != nil {
		w.runForm(ctx)
		return
	}
	for ctx.Err() == nil {
		o := w.pick()
		req, err := w.request(ctx, o)
		if err != nil {
			panic(fmt.Sprintf("loadtest: prebuilt request is invalid: %v", err))
		}
		start := time.Now()
		if !start.Before(p.end) {
			return
		}
		st := &w.stats[o]
		measured := !start.Before(p.measureStart)
		w.attempts++
		resp, err := p.client.Do(req)
		if err != nil {
			w.failed(ctx, st, measured, start, err)
			continue
		}
		ok := resp.StatusCode == successStatus[o]
		switch {
		case ok && o == opList:
			w.buf.Reset()
			_, err = w.buf.ReadFrom(resp.Body)
		case !ok:
			err = w.readErrorBody(resp, start)
		default:
			_, err = io.Copy(io.Discard, resp.Body)
		}
		resp.Body.Close()
		latency := time.Since(start)
		if err != nil {
			w.failed(ctx, st, measured, start, err)
			continue
		}
		if o == opList {
			w.advanceList(ok)
		}
		if !measured {
			continue
		}
		if ok {
			st.ok++
			st.latency.Record(latency)
			continue
		}
		if st.status == nil {
			st.status = make(map[int]int64)
		}
		st.status[resp.StatusCode]++
	}
}

// request builds the next request of operation o. Only prebuilt strings and bodies go into it.
func (w *worker) request(ctx context.Context, o op) (*http.Request, error) {
	p := w.p
	switch o {
	case opCreate:
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.createURL, bytes.NewReader(w.createBody()))
		if err != nil {
			return nil, err
		}
		req.Header = http.Header{
			"Authorization":   p.auth,
			"Accept":          p.accept,
			"Content-Type":    p.contentType,
			"Idempotency-Key": {w.idempotencyKey()},
		}
		return req, nil
	case opGet:
		return w.get(ctx, p.getURLs[w.rng.IntN(len(p.getURLs))])
	case opList:
		if w.depth == 0 {
			return w.get(ctx, p.listURL)
		}
		return w.get(ctx, p.listURL+"&cursor="+url.QueryEscape(w.cursor))
	default:
		return w.get(ctx, p.searchURL)
	}
}

// get builds a GET of the prebuilt URL u.
func (w *worker) get(ctx context.Context, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header = w.p.readHeader
	return req, nil
}

// createBody assembles a ticket from the prebuilt pools; every requestsPerRequester tickets the worker
// moves on to a new requester with a new e-mail address.
func (w *worker) createBody() []byte {
	p := w.p
	if w.sent%requestsPerRequester == 0 {
		w.requester = w.rng.IntN(len(p.requesters))
		w.serial = w.requesters*uint64(p.workers) + uint64(w.id) // unique across the run's workers
		w.requesters++
	}
	w.sent++
	t := p.tickets[w.rng.IntN(len(p.tickets))]
	r := &p.requesters[w.requester]
	b := make([]byte, len(t)+len(r.json))
	copy(b, t)
	copy(b[len(t):], r.json)
	putSerial(b[len(t)+r.serialAt:], w.serial)
	return b
}

// idempotencyKey returns a new key shaped like a version 4 UUID: the run's random half and a counter
// unique across the run's workers.
func (w *worker) idempotencyKey() string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], w.p.runKey)
	binary.BigEndian.PutUint64(u[8:], w.keys*uint64(w.p.workers)+uint64(w.id))
	w.keys++
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant; the counter never reaches these bits
	var s [36]byte
	formatKey(&s, &u)
	return string(s[:])
}

// advanceList moves the worker's list chain on after a page: to the next page while there is one
// and the chain is shorter than MaxListPages, else back to the first page.
func (w *worker) advanceList(ok bool) {
	if ok && w.depth+1 < MaxListPages {
		if c, more := nextCursor(w.buf.Bytes()); more {
			w.depth++
			w.cursor = c
			return
		}
	}
	w.depth, w.cursor = 0, ""
}

// readErrorBody reads and discards the body of a failed request, keeping the start of the first one
// of each status.
func (w *worker) readErrorBody(resp *http.Response, at time.Time) error {
	if _, seen := w.samples[resp.StatusCode]; seen {
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	}
	head := make([]byte, maxSampleBytes+1)
	n, err := io.ReadFull(resp.Body, head)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	text := resp.Status
	if n > 0 {
		text += ": " + sampleText(head[:n], false)
	}
	w.samples[resp.StatusCode] = sample{at: at, text: text}
	w.p.logFirst(resp.StatusCode, text)
	return err
}

// failed counts a request that got no complete response: unfinished when the run was over, a
// transport error otherwise.
func (w *worker) failed(ctx context.Context, st *opStats, measured bool, at time.Time, err error) {
	if w.depth > 0 {
		w.depth, w.cursor = 0, ""
	}
	if ctx.Err() != nil {
		if measured {
			st.unfinished++
		}
		return
	}
	if measured {
		st.transport++
	}
	if w.transport.text == "" {
		w.transport = sample{at: at, text: err.Error()}
		w.p.logFirst(0, "transport error: "+err.Error())
	}
}

// logFirst writes the first error of each status (0 for transport errors) of the whole run to the log.
func (p *plan) logFirst(status int, text string) {
	if _, loaded := p.logged.LoadOrStore(status, struct{}{}); !loaded {
		p.logf("first error: %s\n", text)
	}
}

// collect merges the workers' counts into r.
func (r *Result) collect(p *plan, workers []*worker) {
	r.Total = OpResult{Name: "total", Latency: NewHistogram()}
	var firstTransport sample
	samples := make(map[int]sample)
	for o := range numOps {
		if p.weights[o] == 0 {
			continue
		}
		or := OpResult{Name: op(o).String(), Share: p.weights[o], Latency: NewHistogram()}
		for _, w := range workers {
			or.add(&w.stats[o])
		}
		r.Total.merge(&or)
		r.Ops = append(r.Ops, or)
	}
	for _, w := range workers {
		r.ToolRequests += w.attempts
		for code, s := range w.samples {
			if old, ok := samples[code]; !ok || s.at.Before(old.at) {
				samples[code] = s
			}
		}
		if w.transport.text != "" && (firstTransport.text == "" || w.transport.at.Before(firstTransport.at)) {
			firstTransport = w.transport
		}
	}
	// Report only the errors that were counted, not those seen during the warm-up alone.
	codes := make([]int, 0, len(r.Total.Errors))
	for code := range r.Total.Errors {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		if s, ok := samples[code]; ok {
			r.ErrorSamples = append(r.ErrorSamples, ErrorSample{Status: code, Text: s.text})
		}
	}
	if r.Total.TransportErrors > 0 {
		r.TransportSample = firstTransport.text
	}
}

// add adds one worker's counts of the operation.
func (or *OpResult) add(st *opStats) {
	or.OK += st.ok
	or.TransportErrors += st.transport
	or.Unfinished += st.unfinished
	for code, n := range st.status {
		if or.Errors == nil {
			or.Errors = make(map[int]int64)
		}
		or.Errors[code] += n
	}
	if st.latency != nil {
		or.Latency.Merge(st.latency)
	}
}

// merge adds the counts of another operation, to make the total.
func (or *OpResult) merge(o *OpResult) {
	or.OK += o.OK
	or.TransportErrors += o.TransportErrors
	or.Unfinished += o.Unfinished
	for code, n := range o.Errors {
		if or.Errors == nil {
			or.Errors = make(map[int]int64)
		}
		or.Errors[code] += n
	}
	or.Latency.Merge(o.Latency)
}

// environment describes where and how the figures were made.
func environment(began time.Time, command string) Env {
	host, _ := os.Hostname()
	return Env{
		GoVersion:  runtime.Version(),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		NumCPU:     runtime.NumCPU(),
		Hostname:   host,
		Date:       began.UTC().Truncate(time.Second),
		Command:    command,
	}
}
