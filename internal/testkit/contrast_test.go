package testkit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/otklik/otklik/internal/testkit"
)

// The contrast check finds light grey on white and white on yellow, and passes dark text, large
// text at 3:1, and text on a dark background set on a parent.
func TestContrastProblems(t *testing.T) {
	ctx := testkit.Browser(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="ru"><head><title>t</title><style>
body{background:#fff;color:#1b1f24}.grey{color:#aaa}.yellow{background:#ffeb3b;color:#fff}
.big{font-size:28px;color:#888}.dark{background:#13315c}.dark p{color:#fff}.semi{color:rgba(0,0,0,.3)}
</style></head><body><h1>Заголовок</h1><p class="grey">бледный текст</p><p class="yellow">белое на жёлтом</p>
<p class="big">крупный серый</p><div class="dark"><p>белое на тёмном</p></div><p class="semi">полупрозрачный</p>
<p hidden class="grey">скрытый</p></body></html>`))
	}))
	t.Cleanup(srv.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	got, err := testkit.ContrastProblems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"бледный текст", "белое на жёлтом", "полупрозрачный"} {
		if !strings.Contains(joined, want) {
			t.Errorf("not reported: %q\n%s", want, joined)
		}
	}
	for _, fine := range []string{"Заголовок", "крупный серый", "белое на тёмном", "скрытый"} {
		if strings.Contains(joined, fine) {
			t.Errorf("reported though fine: %q\n%s", fine, joined)
		}
	}
	if len(got) != 3 {
		t.Errorf("got %d problems, want 3:\n%s", len(got), joined)
	}
}
