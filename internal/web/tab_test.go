package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// tab is a browser tab a test drives: every step fails the test with what it was doing.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// step runs the actions of one step of a scenario.
func (b tab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text is the text of the first element sel matches.
func (b tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}
