package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/testkit"
)

// TestEventStream: a ticket created and changed through the API reaches an open event stream; the
// stream needs a token and ends when the API shuts down.
func TestEventStream(t *testing.T) { testkit.ForEachEngine(t, testEventStream) }

func testEventStream(t *testing.T, engine string) {
	x := newApp(t, engine)
	srv := httptest.NewServer(x.h)
	defer srv.Close()
	if code, _, _, _ := x.do("GET", "/api/v1/events", "", ""); code != 401 {
		t.Errorf("events without a token: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+x.auditor)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	next := func() (string, map[string]any) {
		t.Helper()
		var name string
		for lines.Scan() {
			l := lines.Text()
			switch {
			case strings.HasPrefix(l, "event: "):
				name = strings.TrimPrefix(l, "event: ")
			case strings.HasPrefix(l, "data: "):
				var m map[string]any
				if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "data: ")), &m); err != nil {
					t.Fatal(err)
				}
				return name, m
			}
		}
		t.Fatalf("stream ended: %v", lines.Err())
		return "", nil
	}
	number := x.create(validTicket)
	name, m := next()
	if name != "ticket.created" || m["ticket"] != number || m["status"] != "new" || m["node"] != "test" {
		t.Errorf("first event %s %v", name, m)
	}
	x.do("POST", "/api/v1/tickets/"+number+"/messages", x.op, `{"body":"Ответ"}`)
	name, m = next()
	kinds, _ := m["kinds"].([]any)
	if name != "ticket.updated" || m["status"] != "in_progress" || len(kinds) != 2 || m["version"] != float64(2) {
		t.Errorf("second event %s %v", name, m)
	}
	if strings.Contains(lines.Text(), "Иванова") || strings.Contains(lines.Text(), "@") {
		t.Errorf("an event carries personal data: %s", lines.Text())
	}
	x.api.Shutdown()
	done := make(chan struct{})
	go func() {
		for lines.Scan() {
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("the stream did not end at shutdown")
	}
}

// TestJobsAdmin: administrators list jobs with counts and retry failed ones; others may not.
func TestJobsAdmin(t *testing.T) { testkit.ForEachEngine(t, testJobsAdmin) }

func testJobsAdmin(t *testing.T, engine string) {
	x := newApp(t, engine)
	if code, _, _, _ := x.do("GET", "/api/v1/jobs", x.op, ""); code != 403 {
		t.Errorf("operator lists jobs: %d", code)
	}
	code, _, m, raw := x.do("GET", "/api/v1/jobs?status=failed,queued", x.admin, "")
	if code != 200 || m["counts"] == nil {
		t.Fatalf("%d %s", code, raw)
	}
	if code, _, m, _ := x.do("GET", "/api/v1/jobs?status=broken", x.admin, ""); code != 422 || m["code"] != "error.validation" {
		t.Errorf("bad status: %d %v", code, m)
	}
	if code, _, m, _ := x.do("POST", "/api/v1/jobs/12345/retry", x.admin, ""); code != 404 || m["code"] != "job.not_failed" {
		t.Errorf("retry of a missing job: %d %v", code, m)
	}
}
