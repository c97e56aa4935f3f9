package web_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// The workspace in a real browser: an administrator enrols the second factor and signs in, opens a
// queue, sees a ticket created through the API appear without reloading and a call the telephone
// exchange announces as a banner, replies with a template, changes the status; an operator reveals
// personal data, which is logged, and opens the call form with g c; a request without the CSRF token
// is refused. Skips unless OTKLIK_TEST_CHROMIUM is set.
func TestBrowserWorkspace(t *testing.T) {
	ctx := testkit.Browser(t)
	d := newDesk(t, "sqlite")
	u := d.srv.URL
	step := tab{t, ctx}.step
	text := tab{t, ctx}.text

	// Sign in: password, then enrolment of the second factor (the administrator must have one).
	step("sign in", chromedp.Navigate(u+"/agent/q/new"),
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.ru"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	secret := strings.TrimSpace(text("code.secret"))
	code, err := totp.GenerateCode(secret, d.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	step("enrol", chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("ul.codes")),
		chromedp.Click(chromedp.CSS("a.button.primary")),
		chromedp.WaitVisible(chromedp.CSS("#queue-rows")))
	// The page fits a 1280-pixel screen and a tablet's without sideways scrolling.
	fits := func(where string) {
		t.Helper()
		for _, w := range []int64{1280, 1024} {
			step("viewport", chromedp.EmulateViewport(w, 900))
			over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if over {
				t.Errorf("%s scrolls sideways at %d px", where, w)
			}
		}
		step("viewport", chromedp.EmulateViewport(1280, 900))
	}
	fits("the queue page")
	testkit.CheckContrast(t, ctx, "the queue page")
	if got := text("h1"); got != "Новые" {
		t.Errorf("queue heading %q, want «Новые»", got)
	}

	// A ticket created through the API appears in the open queue without a reload.
	time.Sleep(300 * time.Millisecond) // let the page's event stream connect
	number := createByAPI(t, d, `{"channel":"email","subject":"Не приходит СМС с кодом","body":"Жду код уже час.","requester":{"name":"Мария Смирнова","email":"maria@example.ru"}}`)
	start := time.Now()
	step("live row", chromedp.WaitVisible(chromedp.CSS(`tr[data-ticket="`+number+`"]`)))
	t.Logf("the new ticket appeared %v after the API answered", time.Since(start).Round(time.Millisecond))

	// A call the telephone exchange puts through shows a banner with the caller's card; the page stays.
	if code, body := d.api("POST", "/api/v1/calls", `{"phone":"8 (916) 123-45-67","agent":"admin@example.ru","call_id":"e2e"}`); code != http.StatusAccepted {
		t.Fatalf("incoming call: %d %s", code, body)
	}
	step("call banner", chromedp.WaitVisible(chromedp.CSS("#call-banner")))
	if got := text("#call-banner"); !strings.Contains(got, "Входящий звонок") || !strings.Contains(got, "-67") {
		t.Errorf("the call banner: %q", got)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("call-open").getAttribute("href")`))
	if err != nil || href != "/agent/call?phone=%2B79161234567" {
		t.Errorf("the caller's card link: %q, %v", href, err)
	}
	step("dismiss", chromedp.Click(chromedp.CSS("#call-dismiss")), chromedp.WaitNotVisible(chromedp.CSS("#call-banner")))

	// Open it with the keyboard (j selects the first row, the newest), reply with a template.
	step("open", chromedp.Click(chromedp.CSS("h1")), chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("#reply")))
	if got := text("h1 .num"); got != "№ "+number {
		t.Fatalf("opened %q, want № %s", got, number)
	}
	fits("the ticket page")
	testkit.CheckContrast(t, ctx, "the ticket page")
	step("template", chromedp.SetValue(chromedp.CSS("#template"), "greeting"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("template").dispatchEvent(new Event("change"))`))
	body, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Здравствуйте, Мария Смирнова!") || !strings.Contains(body, number) {
		t.Fatalf("the template was not filled in: %q", body)
	}
	step("send", chromedp.Click(chromedp.CSS("#reply button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("li.msg.staff")))
	if got := text("li.msg.staff .text"); !strings.Contains(got, "зарегистрировано под номером "+number) {
		t.Errorf("the reply in the timeline: %q", got)
	}

	// Change the status.
	step("status", chromedp.SetValue(chromedp.CSS("#status"), "waiting"),
		chromedp.Click(chromedp.CSS(`form[action$="/status"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".facts .st-waiting")))

	// A request without the CSRF token is refused, even from the page itself.
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(function(){var x=new XMLHttpRequest();`+
		`x.open("POST","/agent/tickets/`+number+`/reply",false);x.setRequestHeader("Content-Type","application/x-www-form-urlencoded");`+
		`x.send("body=без+токена");return x.status})()`))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusForbidden {
		t.Errorf("POST without the CSRF token: %d, want 403", status)
	}

	// An operator sees the personal data masked, reveals it, and the reveal is logged.
	step("sign out", chromedp.Click(chromedp.CSS(`form[action="/agent/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	step("operator", chromedp.SendKeys(chromedp.CSS("#email"), "op@example.ru"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#queue-counts")),
		chromedp.Navigate(u+"/agent/tickets/"+d.number),
		chromedp.WaitVisible(chromedp.CSS("#reveal")))
	if got := text(".side dl"); strings.Contains(got, "112-233-445 95") || !strings.Contains(got, "•••-•••-••• 95") {
		t.Errorf("the requester card before reveal: %q", got)
	}
	step("reveal", chromedp.Click(chromedp.CSS("#reveal")), chromedp.WaitNotPresent(chromedp.CSS("#reveal")))
	if got := text(".side dl"); !strings.Contains(got, "112-233-445 95") {
		t.Errorf("the requester card after reveal: %q", got)
	}
	rs, err := d.svc.Reveals(context.Background(), otklik.RevealFilter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("reveal log: %+v, %v", rs, err)
	}

	// Extend the deadline a week with a usual reason: the record in the timeline, the new date above.
	v, err := d.svc.Ticket(context.Background(), d.number)
	if err != nil {
		t.Fatal(err)
	}
	later := v.Ticket.DueAt.In(service.Moscow).AddDate(0, 0, 7)
	step("extend", chromedp.SetValue(chromedp.CSS("#extend-date"), later.Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#extend-reason"), "failure"),
		chromedp.Click(chromedp.CSS("#extend button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("li.rec.k-sla")))
	if got := text("li.rec.k-sla"); !strings.Contains(got, "срок продлён") || !strings.Contains(got, later.Format("02.01.2006")) || !strings.Contains(got, "технический сбой") {
		t.Errorf("the extension in the timeline: %q", got)
	}
	if got := text(".facts"); !strings.Contains(got, later.Format("02.01.2006")) {
		t.Errorf("the new deadline in the header: %q", got)
	}

	// g c opens the call form, the phone field focused.
	step("g c", chromedp.KeyEvent("g"), chromedp.KeyEvent("c"), chromedp.WaitVisible(chromedp.CSS("#call-form")))
	if id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || id != "phone" {
		t.Errorf("focused on the call form: %q, %v", id, err)
	}
	// The caller's card follows what is typed.
	step("caller card", chromedp.SendKeys(chromedp.CSS("#email"), "maria@example.ru"), chromedp.WaitVisible(chromedp.CSS("#caller-name")))
	if got := text("#caller-name"); got != "Мария Смирнова" {
		t.Errorf("the caller's card: %q", got)
	}
}

// createByAPI registers a ticket through the REST API and returns its number.
func createByAPI(t *testing.T, d *desk, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", d.srv.URL+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+apiToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, raw)
	}
	i := strings.Index(string(raw), `"number":"`)
	if i < 0 {
		t.Fatalf("no number in %s", raw)
	}
	rest := string(raw)[i+len(`"number":"`):]
	n := rest[:strings.IndexByte(rest, '"')]
	if _, err := strconv.Atoi(strings.ReplaceAll(n, "-", "")); err != nil {
		t.Fatalf("number %q", n)
	}
	return n
}
