package loadtest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCommandLine(t *testing.T) {
	const secret = "s3cr3t"
	for _, tc := range []struct {
		args     []string
		envToken string
		want     string
	}{
		{
			[]string{"/usr/local/bin/otklik-load", "-url", "http://127.0.0.1:8080", "-token", secret, "-scenario", "create", "-c", "32", "-d", "20s"},
			secret,
			`otklik-load -url http://127.0.0.1:8080 -token "$OTKLIK_ADMIN_TOKEN" -scenario create -c 32 -d 20s`,
		},
		{[]string{"otklik-load", "-token=" + secret}, secret, `otklik-load -token="$OTKLIK_ADMIN_TOKEN"`},
		{[]string{"otklik-load", "--token", secret}, "", `otklik-load --token REDACTED`},
		{[]string{"otklik-load", "--token=" + secret}, "other", `otklik-load --token=REDACTED`},
		{[]string{"otklik-load", "-q", "ошибка входа", "-status", "", "-json"}, "", `otklik-load -q 'ошибка входа' -status '' -json`},
		{[]string{"otklik-load", "-q", "it's"}, "", `otklik-load -q 'it'\''s'`},
		{[]string{"otklik-load", "-token"}, "", `otklik-load -token`},
	} {
		if got := CommandLine(tc.args, tc.envToken); got != tc.want {
			t.Errorf("CommandLine(%q) =\n%s\nwant\n%s", tc.args, got, tc.want)
		}
		if strings.Contains(CommandLine(tc.args, tc.envToken), secret) {
			t.Errorf("CommandLine(%q) shows the token", tc.args)
		}
	}
}

// sampleResult returns a mixed result with known numbers.
func sampleResult() *Result {
	r := &Result{
		Scenario: ScenarioMixed, URL: "http://127.0.0.1:8080", Concurrency: 32,
		Duration: 20 * time.Second, Warmup: 3 * time.Second, Elapsed: 20 * time.Second, Tickets: 5000,
		ErrorSamples:    []ErrorSample{{Status: 500, Text: `500 Internal Server Error: {"detail":"boom"}`}},
		TransportSample: "connection reset by peer",
		ToolCPU:         2 * time.Second, ToolWall: 20 * time.Second, ToolRequests: 2500,
		Env: Env{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", GOMAXPROCS: 2, NumCPU: 2, Hostname: "bench",
			Date: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), Command: "otklik-load -scenario mixed"},
	}
	r.Total = OpResult{Name: "total", Latency: NewHistogram()}
	for i, name := range []string{"create", "get"} {
		o := OpResult{Name: name, Share: 50, Latency: NewHistogram(), OK: 1000, TransportErrors: int64(i)}
		for range 1000 {
			o.Latency.Record(time.Duration(i+1) * 5 * time.Millisecond)
		}
		if i == 0 {
			o.Errors = map[int]int64{500: 30}
		}
		r.Total.merge(&o)
		r.Ops = append(r.Ops, o)
	}
	return r
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"scenario     mixed: 50% create, 50% get\n",
		"(5000 ticket numbers collected)",
		"clients      32\n",
		"20s measured after 3s of warm-up",
		"requests     2031 (2000 ok, 31 failed = 1.53%)",
		"status 500 ×30; 1 transport; 0 unfinished",
		"throughput   101.55 req/s (100.00 ok/s)",
		// A percentile is the middle of its bucket, within 0.4 %; the maximum is exact.
		"p50 5.00  p90 9.99  p99 9.99  p99.9 9.99  max 10.00",
		`first 500    500 Internal Server Error: {"detail":"boom"}`,
		"first error  connection reset by peer",
		"tool CPU     2.00s in 20.00s with warm-up = 10.0% of one core, 800.0 µs per request (2500 sent)",
		"go           go1.26.8 linux/amd64, GOMAXPROCS 2, 2 CPUs",
		"host         bench\n",
		"date         2026-03-02T07:00:00Z\n",
		"command      otklik-load -scenario mixed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	// The per-operation table.
	if !strings.Contains(out, "operation") || !strings.Contains(out, "create    50%      1030      30  51.50   5.00   5.00") {
		t.Errorf("text output lacks the operations table:\n%s", out)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 1 {
		t.Errorf("JSON output is %d lines, want one object on one line", n)
	}
	for _, want := range []string{`"p50":5.00`, `"p99.9":9.99`, `"max":10.00`, `"throughput_rps":101.55`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("JSON lacks %s: %s", want, b.String())
		}
	}
	var got struct {
		Scenario    string           `json:"scenario"`
		Concurrency int              `json:"concurrency"`
		Duration    string           `json:"duration"`
		Requests    int64            `json:"requests"`
		Errors      map[string]int64 `json:"errors"`
		Transport   int64            `json:"transport_errors"`
		Latency     map[string]float64
		Operations  []struct {
			Name     string `json:"name"`
			Requests int64  `json:"requests"`
		} `json:"operations"`
		Samples    map[string]string `json:"error_samples"`
		GoVersion  string            `json:"go_version"`
		GOMAXPROCS int               `json:"gomaxprocs"`
		Hostname   string            `json:"hostname"`
		Date       string            `json:"date"`
		Command    string            `json:"command"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Scenario != "mixed" || got.Concurrency != 32 || got.Duration != "20s" || got.Requests != 2031 ||
		got.Errors["500"] != 30 || got.Transport != 1 || len(got.Operations) != 2 || got.Operations[1].Requests != 1001 ||
		!strings.Contains(got.Samples["500"], "boom") || got.GoVersion != "go1.26.8" || got.GOMAXPROCS != 2 ||
		got.Hostname != "bench" || got.Date != "2026-03-02T07:00:00Z" || got.Command != "otklik-load -scenario mixed" {
		t.Errorf("JSON = %s", b.String())
	}
}

func TestFailed(t *testing.T) {
	for _, tc := range []struct {
		ok, failed int64
		want       bool
	}{{0, 0, true}, {1000, 0, false}, {990, 10, false}, {989, 11, true}, {0, 5, true}} {
		r := &Result{Total: OpResult{OK: tc.ok, Errors: map[int]int64{500: tc.failed}}}
		if got := r.Failed(); got != tc.want {
			t.Errorf("Failed() with %d ok and %d failed = %v, want %v", tc.ok, tc.failed, got, tc.want)
		}
	}
}

func TestScenarioParams(t *testing.T) {
	for _, tc := range []struct {
		ops  []string
		want string
	}{
		{[]string{"create"}, "create\n"},
		{[]string{"list"}, "list (status=new limit=50)\n"},
		{[]string{"search"}, "search (q='ошибка входа' limit=50)\n"},
		{[]string{"create", "get", "list", "search"}, "20% create, 40% get, 25% list, 15% search (status=new q='ошибка входа' limit=50)\n"},
	} {
		r := &Result{Scenario: Scenario(tc.ops[0]), Query: "ошибка входа", Status: "new", Limit: 50, Total: OpResult{Latency: NewHistogram()}}
		if len(tc.ops) > 1 {
			r.Scenario = ScenarioMixed
		}
		w, _ := r.Scenario.weights()
		for _, name := range tc.ops {
			for o := range numOps {
				if o.String() == name {
					r.Ops = append(r.Ops, OpResult{Name: name, Share: w[o], Latency: NewHistogram()})
				}
			}
		}
		var b bytes.Buffer
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("text output lacks %q:\n%s", tc.want, b.String())
		}
	}
}
