package testkit

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// CheckHTML reports, as test errors naming the page, each problem HTMLProblems finds in body.
func CheckHTML(tb testing.TB, page string, body []byte) {
	tb.Helper()
	for _, p := range HTMLProblems(body) {
		tb.Errorf("%s: %s", page, p)
	}
}

// HTMLProblems checks a whole HTML page for the accessibility and structure mistakes that a
// server-rendered page can make, and for what a strict Content-Security-Policy (no 'unsafe-inline')
// would block. It returns one sentence per problem, naming the element, in document order after
// the page-wide ones; none for a good page:
//
//   - the <html> element has no lang;
//   - there is no <title>, or it is empty;
//   - there is not exactly one <h1>;
//   - a heading skips a level after the previous heading (<h2> then <h4>);
//   - an <img> has no alt (alt="" is right for a decorative image);
//   - a form control (<input> other than hidden, submit, button, reset and image; <select>;
//     <textarea>) has no accessible name: no <label for> its id, no wrapping <label>, no aria-label,
//     no aria-labelledby naming an element of the page;
//   - a <button> or a link (<a href>) has no text (text under aria-hidden="true" does not count, an
//     <img alt> does) and no aria-label or aria-labelledby;
//   - an id is used more than once;
//   - an inline <script> (no src) of JavaScript has no nonce (data blocks such as
//     type="application/json" are not run and need none), an element has an on* event-handler
//     attribute, or a link or form points at a javascript: URL.
func HTMLProblems(body []byte) []string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil { // html.Parse fails only when reading fails, which a byte slice does not
		return []string{fmt.Sprintf("parse: %v", err)}
	}
	c := &htmlChecker{ids: map[string][]*html.Node{}}
	c.collect(doc)

	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Page-wide.
	if c.root == nil || strings.TrimSpace(attr(c.root, "lang")) == "" {
		add("<html> has no lang attribute")
	}
	switch {
	case c.title == nil:
		add("the page has no <title>")
	case strings.TrimSpace(textOf(c.title)) == "":
		add("<title> is empty")
	}
	switch h1 := len(c.h1s); {
	case h1 == 0:
		add("the page has no <h1>")
	case h1 > 1:
		add("the page has %d <h1> elements (%s), want exactly one", h1, describeAll(c.h1s))
	}

	// Element by element, in document order.
	prev := 0
	var prevHeading *html.Node
	for _, n := range c.elements {
		if level := headingLevel(n); level > 0 {
			if prev > 0 && level > prev+1 {
				add("%s follows %s: heading levels skip h%d", describe(n), describe(prevHeading), prev+1)
			}
			prev, prevHeading = level, n
		}
		switch {
		case n.DataAtom == atom.Img && !hasAttr(n, "alt"):
			add("%s has no alt attribute (alt=\"\" for a decorative image)", describe(n))
		case isFormControl(n) && !c.hasAccessibleName(n):
			add("%s has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby", describe(n))
		case (n.DataAtom == atom.Button || n.DataAtom == atom.A && hasAttr(n, "href")) && !c.hasContentName(n):
			add("%s has no text and no aria-label", describe(n))
		}
		if n.DataAtom == atom.Script && !hasAttr(n, "src") && isJavaScript(n) && !hasAttr(n, "nonce") {
			add("inline %s has no nonce attribute: the Content-Security-Policy blocks it", describe(n))
		}
		for _, a := range n.Attr {
			if a.Namespace == "" && len(a.Key) > 2 && strings.HasPrefix(a.Key, "on") {
				add("%s has the event-handler attribute %s: the Content-Security-Policy blocks it; attach listeners from a script file", describe(n), a.Key)
			}
			if (a.Key == "href" || a.Key == "action" || a.Key == "formaction") && isJavaScriptURL(a.Val) {
				add("%s has a javascript: URL in %s: the Content-Security-Policy blocks it", describe(n), a.Key)
			}
		}
	}

	// Duplicate ids, in the order of their first use.
	for _, id := range c.idOrder {
		if nodes := c.ids[id]; len(nodes) > 1 {
			add("id %q is used by %d elements (%s)", id, len(nodes), describeAll(nodes))
		}
	}
	return problems
}

// htmlChecker holds what one walk over the document finds.
type htmlChecker struct {
	root     *html.Node   // <html>
	title    *html.Node   // the first <title>
	h1s      []*html.Node // every <h1>
	elements []*html.Node // every element, in document order
	ids      map[string][]*html.Node
	idOrder  []string
	labelFor map[string]bool // ids that a <label for> names
}

func (c *htmlChecker) collect(n *html.Node) {
	if n.Type == html.ElementNode && n.Namespace == "" {
		c.elements = append(c.elements, n)
		switch n.DataAtom {
		case atom.Html:
			if c.root == nil {
				c.root = n
			}
		case atom.Title:
			if c.title == nil {
				c.title = n
			}
		case atom.H1:
			c.h1s = append(c.h1s, n)
		case atom.Label:
			if f := attr(n, "for"); f != "" {
				if c.labelFor == nil {
					c.labelFor = map[string]bool{}
				}
				c.labelFor[f] = true
			}
		}
		if id := attr(n, "id"); id != "" {
			if _, seen := c.ids[id]; !seen {
				c.idOrder = append(c.idOrder, id)
			}
			c.ids[id] = append(c.ids[id], n)
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.collect(ch)
	}
}

// hasAccessibleName reports whether a form control is labelled.
func (c *htmlChecker) hasAccessibleName(n *html.Node) bool {
	if c.hasARIAName(n) {
		return true
	}
	if id := attr(n, "id"); id != "" && c.labelFor[id] {
		return true
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.Label {
			return true
		}
	}
	return false
}

// hasContentName reports whether a button or link has a name from its content or from ARIA.
func (c *htmlChecker) hasContentName(n *html.Node) bool {
	return c.hasARIAName(n) || strings.TrimSpace(nameText(n)) != ""
}

// hasARIAName reports whether n has a non-empty aria-label, or an aria-labelledby naming at least
// one element of the page.
func (c *htmlChecker) hasARIAName(n *html.Node) bool {
	if strings.TrimSpace(attr(n, "aria-label")) != "" {
		return true
	}
	for _, id := range strings.Fields(attr(n, "aria-labelledby")) {
		if len(c.ids[id]) > 0 {
			return true
		}
	}
	return false
}

// nameText is the text a button or link is named by: its text and the alt of its images, without
// what is hidden from assistive technology.
func nameText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			if attr(n, "aria-hidden") == "true" || hasAttr(n, "hidden") {
				return
			}
			if n.DataAtom == atom.Img {
				b.WriteString(attr(n, "alt"))
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

// textOf is all the text under n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

func isFormControl(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Select, atom.Textarea:
		return true
	case atom.Input:
		switch strings.ToLower(attr(n, "type")) {
		case "hidden", "submit", "button", "reset", "image":
			return false
		}
		return true
	}
	return false
}

func headingLevel(n *html.Node) int {
	switch n.DataAtom {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// isJavaScript reports whether a <script> is run: no type, or a JavaScript type or module.
func isJavaScript(n *html.Node) bool {
	if !hasAttr(n, "type") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(attr(n, "type"))) {
	case "", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript":
		return true
	}
	return false
}

func isJavaScriptURL(v string) bool {
	// Browsers drop ASCII whitespace and control characters anywhere in the scheme.
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, v)
	return len(v) >= len("javascript:") && strings.EqualFold(v[:len("javascript:")], "javascript:")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

// describedAttrs are the attributes that describe shows, in this order: enough to find the element.
var describedAttrs = []string{"id", "type", "name", "for", "href", "src", "class"}

// describe names an element by its start tag, with the attributes that identify it, and the start
// of its text: <input type="text" name="q">, <h4>"Детали"</h4>.
func describe(n *html.Node) string {
	var b strings.Builder
	b.WriteString("<" + n.Data)
	for _, k := range describedAttrs {
		if hasAttr(n, k) {
			fmt.Fprintf(&b, " %s=%q", k, shorten(attr(n, k), 40))
		}
	}
	b.WriteString(">")
	if headingLevel(n) > 0 {
		fmt.Fprintf(&b, "%q</%s>", shorten(strings.Join(strings.Fields(textOf(n)), " "), 40), n.Data)
	}
	return b.String()
}

func describeAll(nodes []*html.Node) string {
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = describe(n)
	}
	return strings.Join(s, ", ")
}

func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
