// Package loadtest drives a running Otklik's JSON API, or its citizen portal's feedback form, with
// concurrent clients for a fixed time and measures throughput and latency, for the figures published
// in docs/PERFORMANCE.md.
//
// The tool shares a small machine with the server it measures, so it keeps its own work out of the
// way: request bodies and URLs are built before the clock starts, connections are kept alive and
// reused, and each worker records latencies into its own preallocated Histogram, merged only at the
// end. Workers are closed-loop clients: each sends its next request when the previous one has been
// answered.
package loadtest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Scenario names what the workers send.
type Scenario string

// Scenarios.
const (
	// ScenarioCreate creates tickets: POST /api/v1/tickets.
	ScenarioCreate Scenario = "create"
	// ScenarioGet reads tickets by number, chosen at random from those the server lists at the start.
	ScenarioGet Scenario = "get"
	// ScenarioList pages through GET /api/v1/tickets?status=…, up to MaxListPages pages deep.
	ScenarioList Scenario = "list"
	// ScenarioSearch searches: GET /api/v1/tickets?q=….
	ScenarioSearch Scenario = "search"
	// ScenarioMixed sends 20 % create, 40 % get, 25 % list and 15 % search.
	ScenarioMixed Scenario = "mixed"
	// ScenarioForm fills in the citizen portal's feedback form as a browser does, one new citizen at a
	// time per worker: GET / (the page), the captcha's proof of work solved, POST / with a file
	// (the submission). It needs no token (form.go).
	ScenarioForm Scenario = "form"
)

// Scenarios lists the scenarios of the JSON API in the order the usage text shows them; ScenarioForm
// comes after them.
var Scenarios = []Scenario{ScenarioCreate, ScenarioGet, ScenarioList, ScenarioSearch, ScenarioMixed}

// MaxListPages is how many pages a list worker follows next_cursor through before it starts again
// from the first page, so that deep pages are measured too.
const MaxListPages = 5

// DefaultMaxTickets is how many ticket numbers the get and mixed scenarios collect before they start.
const DefaultMaxTickets = 10000

// collectPageSize is the page size asked for while collecting ticket numbers.
const collectPageSize = 500

// op is one kind of request.
type op uint8

const (
	opCreate op = iota
	opGet
	opList
	opSearch
	opPage   // GET / of the form scenario
	opSubmit // POST / of the form scenario
	numOps
)

var opNames = [numOps]string{"create", "get", "list", "search", "page", "submit"}

// String returns the operation's name.
func (o op) String() string { return opNames[o] }

// successStatus is the one status code that counts as success for each operation. A page must also
// carry the form and a submission the ticket's number (form.go).
var successStatus = [numOps]int{http.StatusCreated, http.StatusOK, http.StatusOK, http.StatusOK, http.StatusOK, http.StatusOK}

// weights returns the percentage of each operation in the scenario, or false for an unknown one.
func (s Scenario) weights() (w [numOps]int, ok bool) {
	switch s {
	case ScenarioCreate:
		w[opCreate] = 100
	case ScenarioGet:
		w[opGet] = 100
	case ScenarioList:
		w[opList] = 100
	case ScenarioSearch:
		w[opSearch] = 100
	case ScenarioMixed:
		w = [numOps]int{opCreate: 20, opGet: 40, opList: 25, opSearch: 15}
	case ScenarioForm:
		w = [numOps]int{opPage: 50, opSubmit: 50} // one of each per citizen
	default:
		return w, false
	}
	return w, true
}

// Config is what a run does. Build it with the fields the command line gives and check it with
// Validate; Run validates it too.
type Config struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080; a path prefix is kept.
	URL string
	// Token is sent as "Authorization: Bearer <Token>" on every request to the API; the form scenario
	// needs none.
	Token string
	// Scenario is what to send.
	Scenario Scenario
	// Concurrency is the number of workers, each with at most one request in flight.
	Concurrency int
	// Duration is the measured time.
	Duration time.Duration
	// Warmup is run before the measured time with the same workers; its requests are not recorded.
	Warmup time.Duration
	// Query is the search text (q=) of the search scenario.
	Query string
	// Status is the status filter (status=) of the list scenario; empty lists every status.
	Status string
	// Limit is the page size (limit=) of list and search requests.
	Limit int
	// MaxTickets caps the ticket numbers collected for the get scenario; 0 means DefaultMaxTickets.
	MaxTickets int
	// FileSize is the size in bytes of the file each submission of the form scenario attaches, at most
	// MaxFileSize; 0 attaches none.
	FileSize int64
	// FileType is the kind of that file: FilePNG (the default when empty) or FilePDF.
	FileType string
	// Waves moves the form scenario's workers in step: in each wave every worker opens the form and
	// solves its captcha, then all submit at once, and the next wave starts when every answer is in.
	// A submission is then measured with Concurrency of them in flight together, and the tool's own
	// work (pages, proofs of work) is not competing with them for the machine.
	Waves bool
	// Command is the command line to print with the result (with the token already hidden).
	Command string
	// Client sends the requests; nil means NewClient(Concurrency). In the form scenario it sends only
	// the checks before the run: each citizen has a connection of its own (form.go).
	Client *http.Client
	// Log receives progress and the first error body of each status as they happen; nil discards.
	Log io.Writer
}

// Validate reports the first thing wrong with c.
func (c *Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return fmt.Errorf("url: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("url %q: want http:// or https://", c.URL)
	case u.Host == "":
		return fmt.Errorf("url %q: no host", c.URL)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("url %q: want the base URL without query or fragment", c.URL)
	}
	if _, ok := c.Scenario.weights(); !ok {
		return fmt.Errorf("unknown scenario %q (want one of %s)", c.Scenario, scenarioList())
	}
	if c.Scenario == ScenarioForm {
		switch {
		case c.FileSize < 0 || c.FileSize > MaxFileSize:
			return fmt.Errorf("file size %d: want 0 to %d bytes (the portal takes files up to 5 MB)", c.FileSize, MaxFileSize)
		case c.FileType != "" && c.FileType != FilePNG && c.FileType != FilePDF:
			return fmt.Errorf("file type %q: want %s or %s", c.FileType, FilePNG, FilePDF)
		}
	} else if c.Waves {
		return fmt.Errorf("waves: only the %s scenario moves in waves", ScenarioForm)
	}
	switch {
	case c.Token == "" && c.Scenario != ScenarioForm:
		return errors.New("no API token (set -token or OTKLIK_ADMIN_TOKEN)")
	case strings.ContainsAny(c.Token, "\r\n"):
		return errors.New("token: contains a line break")
	case c.Concurrency < 1:
		return fmt.Errorf("concurrency %d: want at least 1", c.Concurrency)
	case c.Duration <= 0:
		return fmt.Errorf("duration %s: want more than zero", c.Duration)
	case c.Warmup < 0:
		return fmt.Errorf("warm-up %s: want zero or more", c.Warmup)
	case c.Limit < 1:
		return fmt.Errorf("limit %d: want at least 1", c.Limit)
	case c.MaxTickets < 0:
		return fmt.Errorf("max tickets %d: want zero or more", c.MaxTickets)
	}
	if w, _ := c.Scenario.weights(); w[opSearch] > 0 && c.Query == "" {
		return fmt.Errorf("the %s scenario needs a search query (-q)", c.Scenario)
	}
	return nil
}

// scenarioList returns the scenario names for messages.
func scenarioList() string {
	names := make([]string, 0, len(Scenarios)+1)
	for _, s := range Scenarios {
		names = append(names, string(s))
	}
	return strings.Join(append(names, string(ScenarioForm)), ", ")
}

// NewClient returns an HTTP client for n concurrent workers: HTTP/1.1, at most n connections to the
// server, all kept alive and reused, no compression (so that neither side spends CPU on gzip), no
// proxy.
func NewClient(n int) *http.Client {
	var protocols http.Protocols
	protocols.SetHTTP1(true) // one connection per worker, also over TLS
	t := &http.Transport{
		Protocols:             &protocols,
		Proxy:                 nil,
		MaxIdleConns:          n,
		MaxIdleConnsPerHost:   n,
		MaxConnsPerHost:       n,
		IdleConnTimeout:       90 * time.Second,
		DisableKeepAlives:     false,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ReadBufferSize:        64 << 10, // a page of tickets in one read
	}
	return &http.Client{Transport: t}
}
