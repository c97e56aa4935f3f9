package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// The citizen portal in a real browser: a citizen signs in with the code read from the outbound mail,
// sees their ticket, replies; a staff answer added through the service appears after a reload.
// Skips unless OTKLIK_TEST_CHROMIUM is set.
func TestBrowserCitizenPortal(t *testing.T) {
	ctx := testkit.Browser(t)
	d := newDesk(t, "sqlite")
	u := d.srv.URL
	step := tab{t, ctx}.step
	text := tab{t, ctx}.text

	step("sign-in page", chromedp.EmulateViewport(360, 740), chromedp.Navigate(u+"/my"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ivan.petrov@example.ru"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#code")))
	step("code", chromedp.SendKeys(chromedp.CSS("#code"), d.code("ivan.petrov@example.ru")),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".my-list")))
	testkit.CheckContrast(t, ctx, "«Мои обращения»")
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || over {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth).map(e => e.tagName + "." + e.className + "#" + e.id).join(" ")`))
		t.Logf("wider than the screen: %s", wide)
		t.Errorf("«Мои обращения» scrolls sideways at 360 px (%v)", err)
	}
	if got := text(".my-list"); !strings.Contains(got, d.number) || !strings.Contains(got, "Принято") {
		t.Fatalf("the list: %q", got)
	}

	step("open", chromedp.Click(chromedp.CSS(`a[href="/my/`+d.number+`"]`)), chromedp.WaitVisible(chromedp.CSS("#body")))
	step("reply", chromedp.SendKeys(chromedp.CSS("#body"), "Пароль сбросить не получается."),
		chromedp.Click(chromedp.CSS("#reply button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := text(".timeline"); !strings.Contains(got, "Пароль сбросить не получается.") || !strings.Contains(got, "Вы") {
		t.Errorf("the reply is not in the conversation: %q", got)
	}

	staff := otklik.Actor{Type: otklik.ActorStaff, ID: d.userID("op@example.ru"), Name: "Олег Операторов", Channel: otklik.ChannelAgent}
	if _, _, err := d.svc.AddMessage(context.Background(), staff, d.number, service.Reply{Body: "Мы сбросили пароль, проверьте почту."}); err != nil {
		t.Fatal(err)
	}
	step("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".timeline")))
	got := text(".timeline")
	if !strings.Contains(got, "Мы сбросили пароль") || !strings.Contains(got, "Служба поддержки") || strings.Contains(got, "Олег") {
		t.Errorf("the staff answer after a reload: %q", got)
	}
}
