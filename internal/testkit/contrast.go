package testkit

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// contrastScript walks the open page's visible text and returns one line for each element whose text
// colour does not stand out enough from the background behind it: WCAG 2.1 success criterion 1.4.3,
// a contrast ratio of at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). The background
// is the first opaque background colour found going up the tree (images and gradients are not
// judged); semi-transparent colours are blended over it.
const contrastScript = `(function () {
  function parse(c) {
    var m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    var p = m[1].split(",").map(function (x) { return parseFloat(x); });
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  }
  function lum(c) {
    function ch(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  }
  function blend(top, bottom) {
    var a = top.a;
    return { r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a), a: 1 };
  }
  function background(el) {
    var layers = [];
    for (var e = el; e; e = e.parentElement) {
      var c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    var bg = { r: 255, g: 255, b: 255, a: 1 };
    for (var i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  }
  var out = [];
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  var seen = new Set();
  for (var n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim()) continue;
    var el = n.parentElement;
    if (!el || seen.has(el)) continue;
    seen.add(el);
    var s = getComputedStyle(el);
    var r = el.getBoundingClientRect();
    if (s.visibility === "hidden" || s.display === "none" || r.width === 0 || r.height === 0) continue;
    if (el.closest("[hidden],[aria-hidden=true],.visually-hidden,.skip")) continue;
    var fg = parse(s.color), bg = background(el);
    if (!fg) continue;
    if (fg.a < 1) fg = blend(fg, bg);
    var l1 = lum(fg), l2 = lum(bg);
    var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    var size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    var need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < need) {
      out.push("<" + el.tagName.toLowerCase() + (el.className ? " class=\"" + el.className + "\"" : "") + "> «" +
        n.nodeValue.trim().slice(0, 40) + "»: contrast " + ratio.toFixed(2) + ":1, needs " + need + ":1");
    }
  }
  return out;
})()`

// ContrastProblems returns the texts of the page open in ctx (a Browser tab) whose contrast with their
// background is below WCAG 2.1 AA, one line each.
func ContrastProblems(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](contrastScript))
}

// CheckContrast reports, as test errors naming the page, every text of the open page whose contrast
// is below WCAG 2.1 AA.
func CheckContrast(tb testing.TB, ctx context.Context, page string) {
	tb.Helper()
	problems, err := ContrastProblems(ctx)
	if err != nil {
		tb.Fatalf("%s: contrast check: %v", page, err)
	}
	for _, p := range problems {
		tb.Errorf("%s: %s", page, p)
	}
}
