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

// The portal's language switch keeps the choice in a cookie and returns where the citizen was; a
// foreign address to return to is refused.
func TestPortalLanguageSwitch(t *testing.T) {
	h := web.Handler(testInfo, testkit.Logger(t))
	for _, tt := range []struct{ url, location string }{
		{"/lang/en?back=/status", "/status"},
		{"/lang/ru?back=//evil.example/", "/"},
		{"/agent/lang/en", "/agent/"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.url, nil))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tt.location {
			t.Errorf("GET %s: %d → %q, want 303 → %q", tt.url, rec.Code, rec.Header().Get("Location"), tt.location)
		}
		if !strings.Contains(rec.Header().Get("Set-Cookie"), "otklik_lang=") {
			t.Errorf("GET %s: no language cookie", tt.url)
		}
	}
}
