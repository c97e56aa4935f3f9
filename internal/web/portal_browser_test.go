package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/testkit"
)

// A citizen files a request with a screenshot in a real browser: the form checks СНИЛС as it is
// left (and writes 11 digits out as XXX-XXX-XXX YY), solves the proof of work, and the number
// appears. Skips unless OTKLIK_TEST_CHROMIUM is set.
func TestBrowserPortalForm(t *testing.T) {
	ctx := testkit.Browser(t)
	d := newDesk(t, "sqlite")
	shot := filepath.Join(t.TempDir(), "ошибка.png")
	if err := os.WriteFile(shot, screenshot(t), 0o600); err != nil {
		t.Fatal(err)
	}
	step := tab{t, ctx}.step
	start := time.Now()
	step("open", chromedp.Navigate(d.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#subject")),
		chromedp.WaitVisible(chromedp.CSS("#pow-status")), chromedp.WaitNotVisible(chromedp.CSS("#answer")))
	testkit.CheckContrast(t, ctx, "the feedback form")
	for {
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#pow")))
		if err != nil {
			t.Fatal(err)
		}
		if v != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the page loaded and the proof of work was found in about %v", time.Since(start).Round(10*time.Millisecond))

	// A wrong check number is said as the field is left, with the server's words.
	step("bad snils", chromedp.SendKeys(chromedp.CSS("#snils"), "112-233-445 96"), chromedp.Focus(chromedp.CSS("#inn")),
		chromedp.WaitVisible(chromedp.CSS("#snils-error")))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#snils-error")))
	if err != nil || !strings.Contains(msg, "Контрольное число СНИЛС не сходится") {
		t.Errorf("the СНИЛС message: %q, %v", msg, err)
	}
	invalid, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("snils").getAttribute("aria-invalid") || ""`))
	if invalid != "true" {
		t.Errorf("#snils aria-invalid = %q", invalid)
	}
	step("good snils", chromedp.Evaluate[chromedp.Void](`document.getElementById("snils").value = ""`), chromedp.SendKeys(chromedp.CSS("#snils"), "11223344595"),
		chromedp.Focus(chromedp.CSS("#inn")), chromedp.WaitNotPresent(chromedp.CSS("#snils-error")))
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#snils"))); v != "112-233-445 95" {
		t.Errorf("СНИЛС written out as %q, want 112-233-445 95", v)
	}

	// Sending with the consent unticked: the summary, focused, and nothing sent.
	step("fill", chromedp.SetValue(chromedp.CSS("#category"), "documents"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Не загружается скан паспорта"),
		chromedp.SendKeys(chromedp.CSS("#body"), "При загрузке скана выходит ошибка «Файл повреждён»."),
		chromedp.SendKeys(chromedp.CSS("#email"), "olga@example.ru"),
		chromedp.SendKeys(chromedp.CSS("#phone"), "+7 916 123-45-67"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{shot}),
		chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#error-summary")))
	if id, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); id != "error-summary" {
		t.Errorf("focus after a refused send: %q, want the error summary", id)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#error-summary"))); !strings.Contains(got, "Без согласия") {
		t.Errorf("the summary: %q", got)
	}

	step("send", chromedp.Click(chromedp.CSS("#consent")), chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#ticket-number")))
	t.Logf("filed in %v, the proof of work included", time.Since(start).Round(time.Millisecond))
	number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#ticket-number")))
	if err != nil {
		t.Fatal(err)
	}
	checkFiled(t, d, number, "olga@example.ru")

	// At 360 px the page needs no sideways scrolling.
	step("phone width", chromedp.EmulateViewport(360, 740), chromedp.Navigate(d.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#subject")))
	if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 360 {
		t.Errorf("the form is %d px wide at 360 px", w)
	}
}

// The same with JavaScript disabled: the sum instead of the proof of work.
func TestBrowserPortalFormWithoutJavaScript(t *testing.T) {
	ctx := testkit.Browser(t)
	d := newDesk(t, "sqlite")
	shot := filepath.Join(t.TempDir(), "скан.png")
	if err := os.WriteFile(shot, screenshot(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	step := tab{t, ctx}.step
	step("open", chromedp.Navigate(d.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#answer")))
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		if err != nil || !v.Exists {
			t.Fatalf("%s[%s]: %v", sel, name, err)
		}
		return v.Value
	}
	a, _ := strconv.Atoi(attr(`input[name="qa"]`, "value"))
	b, _ := strconv.Atoi(attr(`input[name="qb"]`, "value"))
	step("fill", chromedp.Focus(chromedp.CSS("#category")), chromedp.SendKeys(chromedp.CSS("#category"), "Вход"),
		chromedp.SendKeys(chromedp.CSS("#subject"), "Не могу войти"),
		chromedp.SendKeys(chromedp.CSS("#body"), "Пишет «неверный пароль», хотя пароль верный."),
		chromedp.SendKeys(chromedp.CSS("#email"), "nojs@example.ru"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{shot}),
		chromedp.Click(chromedp.CSS("#consent")),
		chromedp.SendKeys(chromedp.CSS("#answer"), strconv.Itoa(a+b)),
		chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#ticket-number")))
	number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#ticket-number")))
	if err != nil {
		t.Fatal(err)
	}
	checkFiled(t, d, number, "nojs@example.ru")
}

// checkFiled checks that the number is a web ticket of the address with one attachment.
func checkFiled(t *testing.T, d *desk, number, email string) {
	t.Helper()
	number = strings.TrimSpace(number)
	v, err := d.svc.Ticket(context.Background(), number)
	if err != nil {
		t.Fatalf("the number %q on the page: %v", number, err)
	}
	if v.Ticket.Channel != otklik.ChannelWeb || v.Ticket.Requester.Email != email {
		t.Errorf("ticket %s: channel %s, requester %s", number, v.Ticket.Channel, v.Ticket.Requester.Email)
	}
	atts, err := d.svc.Attachments(context.Background(), number)
	if err != nil || len(atts) != 1 || atts[0].Blob.ContentType != "image/png" {
		t.Errorf("ticket %s attachments: %+v, %v", number, atts, err)
	}
}
