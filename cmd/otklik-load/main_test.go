package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/loadtest/fakeapi"
)

const secret = "cmd-test-token"

func env(name string) string {
	if name == "OTKLIK_ADMIN_TOKEN" {
		return secret
	}
	return ""
}

func noEnv(string) string { return "" }

// startFake serves a fake API and returns its URL.
func startFake(tb testing.TB, opts fakeapi.Options) string {
	tb.Helper()
	opts.Token = secret
	ts := httptest.NewServer(fakeapi.New(opts))
	tb.Cleanup(ts.Close)
	return ts.URL
}

// runArgs runs the command and returns its exit status, standard output and standard error.
func runArgs(getenv func(string) string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"otklik-load"}, args...), getenv, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRunJSON(t *testing.T) {
	url := startFake(t, fakeapi.Options{Tickets: 50})
	code, stdout, stderr := runArgs(env, "-url", url, "-scenario", "mixed", "-c", "4", "-d", "150ms", "-warmup", "50ms", "-limit", "10", "-json")
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
	var got struct {
		Scenario    string                       `json:"scenario"`
		Concurrency int                          `json:"concurrency"`
		Requests    int64                        `json:"requests"`
		Failed      int64                        `json:"failed"`
		Throughput  float64                      `json:"throughput_rps"`
		Latency     map[string]float64           `json:"latency_ms"`
		Operations  []map[string]json.RawMessage `json:"operations"`
		Command     string                       `json:"command"`
		GoVersion   string                       `json:"go_version"`
		Date        string                       `json:"date"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if got.Scenario != "mixed" || got.Concurrency != 4 || got.Requests == 0 || got.Failed != 0 || got.Throughput <= 0 ||
		got.Latency["p99.9"] <= 0 || len(got.Operations) != 4 || got.GoVersion == "" || got.Date == "" {
		t.Errorf("unexpected result: %s", stdout)
	}
	if want := "otklik-load -url " + url + " -scenario mixed -c 4 -d 150ms -warmup 50ms -limit 10 -json"; got.Command != want {
		t.Errorf("command = %q, want %q", got.Command, want)
	}
	if !strings.Contains(stderr, "measuring for 150ms") {
		t.Errorf("stderr lacks progress:\n%s", stderr)
	}
}

func TestRunHidesToken(t *testing.T) {
	url := startFake(t, fakeapi.Options{})
	code, stdout, stderr := runArgs(env, "-url", url, "-token", secret, "-c", "2", "-d", "50ms", "-warmup", "0s")
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, secret) {
		t.Errorf("the token is printed:\n%s\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, `command      otklik-load -url `+url+` -token "$OTKLIK_ADMIN_TOKEN" -c 2 -d 50ms -warmup 0s`) {
		t.Errorf("text output lacks the command line:\n%s", stdout)
	}
}

func TestRunFailsAboveOnePercent(t *testing.T) {
	url := startFake(t, fakeapi.Options{Fail: map[string]fakeapi.Failure{fakeapi.OpCreate: {Every: 3, Status: 500}}})
	code, stdout, stderr := runArgs(env, "-url", url, "-c", "2", "-d", "100ms", "-warmup", "0s")
	if code != 1 {
		t.Errorf("exit status %d with a third failing, want 1", code)
	}
	if !strings.Contains(stdout, "status 500 ×") || !strings.Contains(stdout, "first 500") {
		t.Errorf("output lacks the errors:\n%s", stdout)
	}
	if !strings.Contains(stderr, "first error: 500 Internal Server Error") || !strings.Contains(stderr, "more than 1%") {
		t.Errorf("stderr lacks the first error or the verdict:\n%s", stderr)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		args   []string
		code   int
		stderr string
	}{
		{"help", env, []string{"-h"}, 0, "Usage: otklik-load"},
		{"unknown flag", env, []string{"-x"}, 2, "flag provided but not defined"},
		{"argument", env, []string{"extra"}, 2, `unexpected argument "extra"`},
		{"scenario", env, []string{"-scenario", "delete"}, 2, `unknown scenario "delete"`},
		{"no token", noEnv, nil, 2, "OTKLIK_ADMIN_TOKEN"},
		{"bad duration", env, []string{"-d", "0s"}, 2, "duration"},
		{"file too large", noEnv, []string{"-scenario", "form", "-file-size", "6MB"}, 2, "the portal takes files up to 5 MB"},
		{"file size unit", noEnv, []string{"-scenario", "form", "-file-size", "1GB"}, 2, `unknown unit "gb"`},
		{"file type", noEnv, []string{"-scenario", "form", "-file-type", "gif"}, 2, `file type "gif"`},
		{"unreachable", env, []string{"-url", "http://127.0.0.1:1"}, 1, "health check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runArgs(tc.getenv, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit status %d, stderr:\n%s\nwant %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}
