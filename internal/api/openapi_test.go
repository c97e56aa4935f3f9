package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/testkit"
)

// TestOpenAPIDocumentsEveryRoute checks the served document against the real routes both ways:
// every registered route has a documented operation with a summary and responses, and every
// documented operation answers something other than "no such route".
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	testkit.ForEachEngine(t, testOpenAPIDocumentsEveryRoute)
}

func testOpenAPIDocumentsEveryRoute(t *testing.T, engine string) {
	x := newApp(t, engine)
	code, hdr, _, raw := x.do("GET", "/api/openapi.json", "", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", code, hdr.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                      `json:"openapi"`
		Paths   map[string]map[string]map[string]any        `json:"paths"`
		Comp    struct{ Schemas map[string]map[string]any } `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	routes := x.api.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		op := doc.Paths[path][strings.ToLower(method)]
		if op == nil {
			t.Errorf("route %s is not in the OpenAPI document", rt)
			continue
		}
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s has no summary", rt)
		}
		if resp, _ := op["responses"].(map[string]any); len(resp) < 2 {
			t.Errorf("%s documents %d responses", rt, len(resp))
		}
	}
	contractPaths := []string{"POST /api/v1/tickets", "GET /api/v1/tickets", "GET /api/v1/tickets/{number}",
		"POST /api/v1/tickets/{number}/messages", "POST /api/v1/tickets/{number}/status", "GET /api/v1/tickets/{number}/journal"}
	for _, cp := range contractPaths {
		method, path, _ := strings.Cut(cp, " ")
		if doc.Paths[path][strings.ToLower(method)] == nil {
			t.Errorf("CONTRACT.md route %s is not documented", cp)
		}
	}
	number := x.create(validTicket)
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	documented := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			documented++
			if path == "/api/v1/events" {
				continue // a stream that never ends by itself; TestEventStream covers it
			}
			p := param.ReplaceAllString(path, number)
			code, _, m, _ := x.do(strings.ToUpper(method), p, x.admin, "")
			if code == http.StatusNotFound && m["code"] == "error.route_not_found" || code == http.StatusMethodNotAllowed {
				t.Errorf("documented %s %s is not a route (%d)", strings.ToUpper(method), path, code)
			}
		}
	}
	if documented != len(routes) {
		t.Errorf("%d documented operations, %d routes", documented, len(routes))
	}
	// Every $ref resolves.
	for _, ref := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if doc.Comp.Schemas[ref[1]] == nil {
			t.Errorf("dangling $ref %s", ref[1])
		}
	}
}
