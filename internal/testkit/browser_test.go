package testkit

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserSkipsWithoutChromium(t *testing.T) {
	t.Setenv(ChromiumEnv, "")
	rec := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() { // Skipf ends the goroutine, as it ends a test
		defer close(done)
		Browser(rec)
		t.Error("Browser returned without the variable")
	}()
	<-done
	want := []string{"set OTKLIK_TEST_CHROMIUM=/path/to/chromium to run browser tests"}
	if fmt.Sprint(rec.skips) != fmt.Sprint(want) {
		t.Errorf("got skips %q, want %q", rec.skips, want)
	}
}

// The browser opens a page in a 1280×900 window, and what a failed test keeps of it is the page.
func TestBrowserSavesPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="ru"><head><title>Проба</title></head>`+
			`<body><h1>Проба</h1><div style="height:3000px">длинная страница</div></body></html>`)
	}))
	t.Cleanup(srv.Close)
	ctx := Browser(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]int]("[window.innerWidth, window.innerHeight]"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(size), "[1280 900]"; got != want {
		t.Errorf("viewport: got %s, want %s", got, want)
	}

	dir := t.TempDir()
	url, err := savePage(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if url != srv.URL+"/" {
		t.Errorf("got URL %q, want %q", url, srv.URL+"/")
	}
	png, err := os.ReadFile(filepath.Join(dir, "screenshot.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot.png is not a PNG: starts %q", png[:min(len(png), 8)])
	}
	// A full-page screenshot is as tall as the page, not the window.
	if len(png) >= 24 {
		height := int(png[20])<<24 | int(png[21])<<16 | int(png[22])<<8 | int(png[23])
		if height < 3000 {
			t.Errorf("screenshot height %d, want the whole page (over 3000)", height)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<h1>Проба</h1>", "длинная страница"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page.html lacks %q:\n%s", want, page)
		}
	}
}
