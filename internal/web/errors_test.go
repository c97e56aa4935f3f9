package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestErrorOfAbandonedRequest: a request the browser abandoned is not logged as an error; a real
// failure is.
func TestErrorOfAbandonedRequest(t *testing.T) {
	var logs bytes.Buffer
	wb := &Web{log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(http.MethodPost, "/", nil).WithContext(ctx)
	if code, key, _ := wb.errorOf(r, context.Canceled); code != http.StatusInternalServerError || key != "ui.error.internal" {
		t.Errorf("abandoned: %d %s", code, key)
	}
	if logs.Len() != 0 {
		t.Errorf("an abandoned request was logged: %s", logs.String())
	}
	wb.errorOf(httptest.NewRequest(http.MethodPost, "/", nil), errors.New("disk full"))
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "disk full") {
		t.Errorf("a failure was not logged as an error: %q", logs.String())
	}
}
