package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/testkit"
	"github.com/otklik/otklik/internal/web"
)

// testInfo is what the pages show about the node in these tests.
var testInfo = web.Info{Version: "test-version", Engine: "sqlite", Support: "support@example.org"}

// The pages of a node without the registry render, with their status, and pass the accessibility and
// Content-Security-Policy checks: / then shows what the node is (with the registry, / is the citizen
// portal's feedback form: portal_test.go).
func TestPages(t *testing.T) {
	h := web.Handler(testInfo, testkit.Logger(t))
	tests := []struct {
		name     string
		url      string
		status   int
		contains []string
	}{
		{"node info", "/", http.StatusOK, []string{"<h1>Отклик работает</h1>", "test-version, sqlite", "mailto:support@example.org"}},
		{"not found", "/no-such-page", http.StatusNotFound, []string{"<h1>Страница не найдена</h1>", `href="/"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.url, nil))
			if rec.Code != tt.status {
				t.Errorf("GET %s: got status %d, want %d", tt.url, rec.Code, tt.status)
			}
			if got, want := rec.Header().Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("GET %s: got Content-Type %q, want %q", tt.url, got, want)
			}
			body := rec.Body.String()
			for _, want := range tt.contains {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s: body lacks %q", tt.url, want)
				}
			}
			testkit.CheckHTML(t, tt.url, rec.Body.Bytes())
		})
	}
}
