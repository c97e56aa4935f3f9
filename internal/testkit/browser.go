package testkit

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumEnv names the variable that enables the browser tests: the path of a Chromium binary, such
// as /usr/bin/chromium (.ci/chromium/install.sh installs Debian's package).
const ChromiumEnv = "OTKLIK_TEST_CHROMIUM"

// BrowserTimeout bounds one test's use of its browser, the start included: the context Browser
// returns expires then.
const BrowserTimeout = 30 * time.Second

// The size of the browser's window and of the page's viewport, a staff member's laptop.
const (
	browserWidth  = 1280
	browserHeight = 900
)

// Browser starts a headless Chromium for the test (1280×900 window and viewport, no sandbox, as CI
// runs as root) and returns the context of its one tab, for chromedp.Do and chromedp.Run:
//
//	ctx := testkit.Browser(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
//		t.Fatal(err)
//	}
//	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
//
// It skips the test, naming ChromiumEnv, when that variable is not set. The context expires after
// BrowserTimeout. When the test ends, the browser is closed; if the test failed, a full-page
// screenshot (screenshot.png) and the page's HTML (page.html) are saved first and their directory is
// logged: the test's ArtifactDir when go test runs with -artifacts (-outputdir chooses where), else
// a directory under os.TempDir() named after the test, which is kept.
func Browser(tb testing.TB) context.Context {
	tb.Helper()
	path := os.Getenv(ChromiumEnv)
	if path == "" {
		tb.Skipf("set %s=/path/to/chromium to run browser tests", ChromiumEnv)
	}
	deadline := time.Now().Add(BrowserTimeout)

	var output lockedBuffer // Chromium's own stdout and stderr, shown when it fails to start
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.WindowSize(browserWidth, browserHeight),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	closeBrowser := func() {
		cancelTab()
		cancelAlloc()
	}

	// The first action starts the browser and ties its process to the context it is given, so it
	// gets the tab's own context, with no deadline; the start is bounded by waiting for it here. The
	// window's frame takes some of its height, so the page's viewport is set to the same size: pages
	// lay out, and screenshots start, at 1280×900.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(tabCtx, chromedp.EmulateViewport(browserWidth, browserHeight)) }()
	select {
	case err := <-started:
		if err != nil {
			closeBrowser()
			tb.Fatalf("start %s: %v\n%s", path, err, output.String())
		}
	case <-time.After(time.Until(deadline)):
		closeBrowser()
		tb.Fatalf("start %s: no answer after %v\n%s", path, BrowserTimeout, output.String())
	}

	ctx, cancel := context.WithDeadline(tabCtx, deadline)
	tb.Cleanup(func() {
		cancel()
		if tb.Failed() {
			saveFailedPage(tb, tabCtx)
		}
		closeBrowser()
	})
	return ctx
}

// saveFailedPage saves a full-page screenshot and the HTML of the tab's page, and logs where.
func saveFailedPage(tb testing.TB, tabCtx context.Context) {
	tb.Helper()
	dir, err := failureDir(tb)
	if err != nil {
		tb.Logf("browser: cannot save the failed page: %v", err)
		return
	}
	// The test's context may have expired: the tab's own context has no deadline, so give it one.
	ctx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
	defer cancel()
	url, err := savePage(ctx, dir)
	if err != nil {
		tb.Logf("browser: saving the failed page into %s: %v", dir, err)
		return
	}
	tb.Logf("browser: the page %s when the test failed: %s", url, dir)
}

// savePage writes screenshot.png and page.html of the tab's current page into dir and returns the
// page's URL.
func savePage(ctx context.Context, dir string) (url string, err error) {
	url, err = chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "", fmt.Errorf("location: %w", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return url, fmt.Errorf("screenshot: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "screenshot.png"), png, 0o644); err != nil {
		return url, err
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + "\n" : "") + document.documentElement.outerHTML`))
	if err != nil {
		return url, fmt.Errorf("page HTML: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "page.html"), []byte(page), 0o644); err != nil {
		return url, err
	}
	return url, nil
}

// failureDir returns where a failed test's page goes. ArtifactDir is used only under -artifacts:
// without the flag it is a temporary directory removed when the test ends, which would lose the
// files exactly when they are needed.
func failureDir(tb testing.TB) (string, error) {
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return tb.ArtifactDir(), nil
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, tb.Name())
	return os.MkdirTemp("", "otklik-"+name+"-")
}

// lockedBuffer is a bytes.Buffer that Chromium's output goroutine and the test may use at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
