package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// MaxErrorRate is the share of failed requests above which a run counts as failed.
const MaxErrorRate = 0.01

// Result is what a run measured. Only requests sent during the measured time count; the warm-up's do
// not.
type Result struct {
	Scenario    Scenario
	URL         string
	Concurrency int
	Duration    time.Duration // asked for
	Warmup      time.Duration
	Elapsed     time.Duration // measured; shorter than Duration if the run was interrupted
	Interrupted bool
	Tickets     int // ticket numbers collected for reading

	// The file each submission of the form scenario attached: its kind and size; none when FileBytes
	// is 0.
	FileType  string
	FileBytes int64
	// Waves: the form scenario's workers moved in step (Config.Waves), this many waves measured.
	Waves     bool
	WaveCount int64

	// The parameters of list and search requests; shown only for scenarios that send them.
	Query  string
	Status string
	Limit  int

	Total OpResult   // all operations together
	Ops   []OpResult // each operation of the scenario, in the order create, get, list, search

	ErrorSamples    []ErrorSample // the first response of each failing status, by status
	TransportSample string        // the first transport error, if any were counted

	// ToolCPU is the CPU time this process used during ToolWall, the warm-up and the measured time,
	// while sending ToolRequests requests (all of them, warm-up and unfinished ones included); zero
	// where it cannot be read.
	ToolCPU, ToolWall time.Duration
	ToolRequests      int64

	Env Env
}

// OpResult counts the outcomes of one operation, or of all together.
type OpResult struct {
	Name            string
	Share           int           // percentage of the scenario's requests
	OK              int64         // answered with the success status
	Errors          map[int]int64 // answered with another status, by status
	TransportErrors int64         // no complete response: refused, reset, malformed
	Unfinished      int64         // still in flight when the time was up; not counted in Requests
	Latency         *Histogram    // of successful requests
}

// ErrorSample is the start of the body of the first response with a failing status.
type ErrorSample struct {
	Status int
	Text   string
}

// Env says where and how a result was made, so that a published figure carries its context.
type Env struct {
	GoVersion  string
	GOOS       string
	GOARCH     string
	GOMAXPROCS int
	NumCPU     int
	Hostname   string
	Date       time.Time // UTC, when the run began
	Command    string
}

// Failed returns the number of requests answered with a failing status or not at all.
func (o *OpResult) Failed() int64 {
	n := o.TransportErrors
	for _, c := range o.Errors {
		n += c
	}
	return n
}

// Requests returns the number of requests that completed (successfully or not) in the measured time.
func (o *OpResult) Requests() int64 { return o.OK + o.Failed() }

// Failed reports whether the run failed: no request completed, or more than MaxErrorRate of them
// failed.
func (r *Result) Failed() bool {
	n := r.Total.Requests()
	return n == 0 || float64(r.Total.Failed()) > MaxErrorRate*float64(n)
}

// ErrorRate returns the share of completed requests that failed.
func (r *Result) ErrorRate() float64 {
	if n := r.Total.Requests(); n > 0 {
		return float64(r.Total.Failed()) / float64(n)
	}
	return 0
}

// Throughput returns completed requests of o per second of measured time.
func (r *Result) Throughput(o *OpResult) float64 { return r.rate(o.Requests()) }

// rate returns n per second of measured time.
func (r *Result) rate(n int64) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(n) / r.Elapsed.Seconds()
}

// percentiles are the latency percentiles reported, with their names.
var percentiles = []struct {
	name string
	q    float64
}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p99.9", 0.999}}

// ms formats d in milliseconds with two decimals.
func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

// WriteText writes the result as aligned text, ready to paste into docs/PERFORMANCE.md.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-12s ", label)
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	line("scenario", "%s", r.describeScenario())
	target := r.URL
	if r.Tickets > 0 {
		target += fmt.Sprintf(" (%d ticket numbers collected)", r.Tickets)
	}
	line("target", "%s", target)
	line("clients", "%d", r.Concurrency)
	dur := fmt.Sprintf("%s measured", r.Duration)
	if r.Warmup > 0 {
		dur += fmt.Sprintf(" after %s of warm-up", r.Warmup)
	}
	if r.Interrupted {
		dur += fmt.Sprintf("; interrupted after %.2fs", r.Elapsed.Seconds())
	}
	line("duration", "%s", dur)
	t := &r.Total
	line("requests", "%d (%d ok, %d failed = %.2f%%)", t.Requests(), t.OK, t.Failed(), 100*r.ErrorRate())
	line("errors", "%s", errorSummary(t))
	line("throughput", "%.2f req/s (%.2f ok/s)", r.Throughput(t), r.rate(t.OK))
	if t.Latency.Count() > 0 {
		line("latency ms", "%s  (successful requests)", latencyText(t.Latency))
	} else {
		line("latency ms", "none: no request succeeded")
	}
	if len(r.Ops) > 1 {
		b.WriteByte('\n')
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "operation\tshare\trequests\tfailed\treq/s\tp50\tp90\tp99\tp99.9\tmax\t\n")
		for i := range r.Ops {
			o := &r.Ops[i]
			fmt.Fprintf(tw, "%s\t%d%%\t%d\t%d\t%.2f\t", o.Name, o.Share, o.Requests(), o.Failed(), r.Throughput(o))
			for _, p := range percentiles {
				fmt.Fprintf(tw, "%s\t", ms(o.Latency.Quantile(p.q)))
			}
			fmt.Fprintf(tw, "%s\t\n", ms(o.Latency.Max()))
		}
		tw.Flush()
		b.WriteByte('\n')
	}
	for _, s := range r.ErrorSamples {
		line("first "+strconv.Itoa(s.Status), "%s", s.Text)
	}
	if r.TransportSample != "" {
		line("first error", "%s", r.TransportSample)
	}
	if r.ToolWall > 0 {
		line("tool CPU", "%s", r.cpuText())
	}
	e := &r.Env
	line("go", "%s %s/%s, GOMAXPROCS %d, %d CPUs", e.GoVersion, e.GOOS, e.GOARCH, e.GOMAXPROCS, e.NumCPU)
	line("host", "%s", e.Hostname)
	line("date", "%s", e.Date.Format(time.RFC3339))
	if e.Command != "" {
		line("command", "%s", e.Command)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// describeScenario names the scenario with its mix and parameters.
func (r *Result) describeScenario() string {
	s := string(r.Scenario)
	if len(r.Ops) > 1 {
		parts := make([]string, len(r.Ops))
		for i, o := range r.Ops {
			parts[i] = fmt.Sprintf("%d%% %s", o.Share, o.Name)
		}
		s += ": " + strings.Join(parts, ", ")
	}
	if params := r.params(); len(params) > 0 {
		s += " (" + strings.Join(params, " ") + ")"
	}
	return s
}

// params returns the query parameters of the scenario's list and search requests.
func (r *Result) params() []string {
	var list, search bool
	for _, o := range r.Ops {
		list = list || o.Name == opList.String()
		search = search || o.Name == opSearch.String()
	}
	var out []string
	if r.Scenario == ScenarioForm {
		if r.FileBytes > 0 {
			out = append(out, fmt.Sprintf("file=%s %d bytes", r.FileType, r.FileBytes))
		} else {
			out = append(out, "no file")
		}
		if r.Waves {
			out = append(out, fmt.Sprintf("in waves of %d: %d measured", r.Concurrency, r.WaveCount))
		}
	}
	if list {
		out = append(out, "status="+shellQuote(r.Status))
	}
	if search {
		out = append(out, "q="+shellQuote(r.Query))
	}
	if list || search {
		out = append(out, "limit="+strconv.Itoa(r.Limit))
	}
	return out
}

// errorSummary lists the failures of o by kind.
func errorSummary(o *OpResult) string {
	var parts []string
	for _, code := range sortedCodes(o.Errors) {
		parts = append(parts, fmt.Sprintf("%d ×%d", code, o.Errors[code]))
	}
	s := "none by status"
	if len(parts) > 0 {
		s = "status " + strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%s; %d transport; %d unfinished at the deadline (not counted)", s, o.TransportErrors, o.Unfinished)
}

// latencyText lists the reported percentiles and the maximum of h in milliseconds.
func latencyText(h *Histogram) string {
	var parts []string
	for _, p := range percentiles {
		parts = append(parts, p.name+" "+ms(h.Quantile(p.q)))
	}
	parts = append(parts, "max "+ms(h.Max()))
	return strings.Join(parts, "  ")
}

// cpuText describes what the tool itself cost.
func (r *Result) cpuText() string {
	s := fmt.Sprintf("%.2fs in %.2fs with warm-up = %.1f%% of one core", r.ToolCPU.Seconds(), r.ToolWall.Seconds(), 100*r.ToolCPU.Seconds()/r.ToolWall.Seconds())
	if r.ToolRequests > 0 {
		s += fmt.Sprintf(", %.1f µs per request (%d sent)", float64(r.ToolCPU.Microseconds())/float64(r.ToolRequests), r.ToolRequests)
	}
	return s
}

// sortedCodes returns the status codes of m in ascending order.
func sortedCodes(m map[int]int64) []int {
	codes := make([]int, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	return codes
}

// fixed2 is a number written in JSON with exactly two decimals.
type fixed2 float64

// MarshalJSON writes f with two decimals.
func (f fixed2) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'f', 2, 64), nil
}

// jsonLatency, jsonOp, jsonCPU and jsonResult are the shape of the -json output.
type jsonLatency struct {
	P50  fixed2 `json:"p50"`
	P90  fixed2 `json:"p90"`
	P99  fixed2 `json:"p99"`
	P999 fixed2 `json:"p99.9"`
	Max  fixed2 `json:"max"`
}

// latencyJSON returns the reported percentiles and the maximum of h in milliseconds.
func latencyJSON(h *Histogram) jsonLatency {
	f := func(d time.Duration) fixed2 { return fixed2(float64(d) / 1e6) }
	return jsonLatency{f(h.Quantile(0.5)), f(h.Quantile(0.9)), f(h.Quantile(0.99)), f(h.Quantile(0.999)), f(h.Max())}
}

type jsonOp struct {
	Name            string           `json:"name"`
	Share           int              `json:"share_percent"`
	Requests        int64            `json:"requests"`
	OK              int64            `json:"ok"`
	Failed          int64            `json:"failed"`
	Errors          map[string]int64 `json:"errors"`
	TransportErrors int64            `json:"transport_errors"`
	Unfinished      int64            `json:"unfinished"`
	Throughput      fixed2           `json:"throughput_rps"`
	Latency         jsonLatency      `json:"latency_ms"`
}

type jsonCPU struct {
	Seconds       fixed2 `json:"seconds"`
	WallSeconds   fixed2 `json:"wall_seconds"`
	ShareOfCore   fixed2 `json:"percent_of_one_core"`
	MicrosPerReqs fixed2 `json:"us_per_request"`
	Requests      int64  `json:"requests_sent"`
}

type jsonResult struct {
	Scenario        string            `json:"scenario"`
	URL             string            `json:"url"`
	Concurrency     int               `json:"concurrency"`
	Duration        string            `json:"duration"`
	Warmup          string            `json:"warmup"`
	Elapsed         fixed2            `json:"elapsed_seconds"`
	Interrupted     bool              `json:"interrupted,omitempty"`
	Tickets         int               `json:"tickets_collected,omitempty"`
	Query           *string           `json:"q,omitempty"`
	Status          *string           `json:"status,omitempty"`
	Limit           int               `json:"limit,omitempty"`
	FileType        string            `json:"file_type,omitempty"`
	FileBytes       int64             `json:"file_bytes,omitempty"`
	Waves           int64             `json:"waves,omitempty"`
	Requests        int64             `json:"requests"`
	OK              int64             `json:"ok"`
	Failed          int64             `json:"failed"`
	ErrorRate       float64           `json:"error_rate"`
	Errors          map[string]int64  `json:"errors"`
	TransportErrors int64             `json:"transport_errors"`
	Unfinished      int64             `json:"unfinished"`
	Throughput      fixed2            `json:"throughput_rps"`
	OKThroughput    fixed2            `json:"ok_throughput_rps"`
	Latency         jsonLatency       `json:"latency_ms"`
	Operations      []jsonOp          `json:"operations,omitempty"`
	ErrorSamples    map[string]string `json:"error_samples,omitempty"`
	TransportSample string            `json:"transport_error_sample,omitempty"`
	ToolCPU         *jsonCPU          `json:"tool_cpu,omitempty"`
	GoVersion       string            `json:"go_version"`
	GOOS            string            `json:"goos"`
	GOARCH          string            `json:"goarch"`
	GOMAXPROCS      int               `json:"gomaxprocs"`
	NumCPU          int               `json:"num_cpu"`
	Hostname        string            `json:"hostname"`
	Date            string            `json:"date"`
	Command         string            `json:"command"`
}

// errorsJSON returns m keyed by the status codes as text, as JSON needs.
func errorsJSON(m map[int]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for code, n := range m {
		out[strconv.Itoa(code)] = n
	}
	return out
}

// WriteJSON writes the result as one JSON object on one line.
func (r *Result) WriteJSON(w io.Writer) error {
	t := &r.Total
	j := jsonResult{
		Scenario:        string(r.Scenario),
		URL:             r.URL,
		Concurrency:     r.Concurrency,
		Duration:        r.Duration.String(),
		Warmup:          r.Warmup.String(),
		Elapsed:         fixed2(r.Elapsed.Seconds()),
		Interrupted:     r.Interrupted,
		Tickets:         r.Tickets,
		FileType:        r.FileType,
		FileBytes:       r.FileBytes,
		Waves:           r.WaveCount,
		Requests:        t.Requests(),
		OK:              t.OK,
		Failed:          t.Failed(),
		ErrorRate:       r.ErrorRate(),
		Errors:          errorsJSON(t.Errors),
		TransportErrors: t.TransportErrors,
		Unfinished:      t.Unfinished,
		Throughput:      fixed2(r.Throughput(t)),
		OKThroughput:    fixed2(r.rate(t.OK)),
		Latency:         latencyJSON(t.Latency),
		TransportSample: r.TransportSample,
		GoVersion:       r.Env.GoVersion,
		GOOS:            r.Env.GOOS,
		GOARCH:          r.Env.GOARCH,
		GOMAXPROCS:      r.Env.GOMAXPROCS,
		NumCPU:          r.Env.NumCPU,
		Hostname:        r.Env.Hostname,
		Date:            r.Env.Date.Format(time.RFC3339),
		Command:         r.Env.Command,
	}
	for _, o := range r.Ops {
		switch o.Name {
		case opList.String():
			j.Status, j.Limit = &r.Status, r.Limit
		case opSearch.String():
			j.Query, j.Limit = &r.Query, r.Limit
		}
	}
	if len(r.Ops) > 1 {
		for i := range r.Ops {
			o := &r.Ops[i]
			j.Operations = append(j.Operations, jsonOp{
				Name: o.Name, Share: o.Share, Requests: o.Requests(), OK: o.OK, Failed: o.Failed(),
				Errors: errorsJSON(o.Errors), TransportErrors: o.TransportErrors, Unfinished: o.Unfinished,
				Throughput: fixed2(r.Throughput(o)), Latency: latencyJSON(o.Latency),
			})
		}
	}
	if len(r.ErrorSamples) > 0 {
		j.ErrorSamples = make(map[string]string, len(r.ErrorSamples))
		for _, s := range r.ErrorSamples {
			j.ErrorSamples[strconv.Itoa(s.Status)] = s.Text
		}
	}
	if r.ToolWall > 0 {
		c := &jsonCPU{
			Seconds:     fixed2(r.ToolCPU.Seconds()),
			WallSeconds: fixed2(r.ToolWall.Seconds()),
			ShareOfCore: fixed2(100 * r.ToolCPU.Seconds() / r.ToolWall.Seconds()),
		}
		c.Requests = r.ToolRequests
		if r.ToolRequests > 0 {
			c.MicrosPerReqs = fixed2(float64(r.ToolCPU.Microseconds()) / float64(r.ToolRequests))
		}
		j.ToolCPU = c
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}

// TokenVariable is the environment variable the token is usually passed in.
const TokenVariable = "OTKLIK_ADMIN_TOKEN"

// CommandLine returns args as a shell command line to print with a result. The value of -token is
// never shown: it reads "$OTKLIK_ADMIN_TOKEN" when it equals envToken (the value of that
// variable), REDACTED otherwise. Other arguments are quoted for a POSIX shell where needed.
func CommandLine(args []string, envToken string) string {
	if len(args) == 0 {
		return ""
	}
	hidden := "REDACTED"
	secret := func(v string) string {
		if envToken != "" && v == envToken {
			return `"$` + TokenVariable + `"`
		}
		return hidden
	}
	out := []string{shellQuote(filepath.Base(args[0]))}
	for i := 1; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		isFlag := strings.HasPrefix(a, "-") && a != "-" && a != "--"
		switch {
		case a == "--":
			out = append(out, a)
			for _, rest := range args[i+1:] {
				out = append(out, shellQuote(rest))
			}
			return strings.Join(out, " ")
		case isFlag && name == "token" && hasValue:
			out = append(out, a[:strings.Index(a, "=")+1]+secret(value))
		case isFlag && name == "token" && i+1 < len(args):
			out = append(out, a, secret(args[i+1]))
			i++
		default:
			out = append(out, shellQuote(a))
		}
	}
	return strings.Join(out, " ")
}

// shellQuote quotes s for a POSIX shell unless it is made only of characters that need no quoting.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:=@%+,", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
