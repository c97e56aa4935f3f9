package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/otklik/otklik/internal/testkit"
	"github.com/otklik/otklik/internal/web"
)

// A real browser opens the start page and shows the heading and the title the template renders.
// Skips unless OTKLIK_TEST_CHROMIUM is set.
func TestBrowserHome(t *testing.T) {
	ctx := testkit.Browser(t)
	srv := httptest.NewServer(web.Handler(testInfo, testkit.Logger(t)))
	t.Cleanup(srv.Close)

	wantH1, wantTitle := renderedHeadings(t, srv.URL+"/")
	if wantH1 == "" {
		t.Fatal("the rendered start page has no <h1> text")
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if h1 = strings.TrimSpace(h1); h1 == "" || h1 != wantH1 {
		t.Errorf("browser shows <h1> %q, want %q", h1, wantH1)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if title != wantTitle {
		t.Errorf("browser shows title %q, want %q", title, wantTitle)
	}
	// The stylesheet loaded: the page is laid out by site.css, not the browser's defaults.
	width, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("main")).maxWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width == "none" {
		t.Errorf("<main> has no max-width: /static/site.css did not load")
	}
}

// renderedHeadings fetches url and returns the text of its first <h1> and of its <title>, as the
// server rendered them.
func renderedHeadings(t *testing.T, url string) (h1, title string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case n.DataAtom == atom.H1 && h1 == "":
			h1 = strings.TrimSpace(text(n))
		case n.DataAtom == atom.Title && title == "":
			title = strings.TrimSpace(text(n))
		}
	}
	return h1, title
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
