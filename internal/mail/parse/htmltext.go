package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText returns readable text from HTML: block elements become line
// breaks (paragraphs and headings a blank line), list items start with "- ",
// blockquotes are prefixed with "> ", links keep their text followed by
// " (URL)" when the URL says something the text does not, <script>, <style>,
// <head> and similar are dropped, entities are decoded, white space is
// collapsed outside <pre>, and runs of blank lines collapse into one. It only
// tokenises: nothing is fetched or executed.
func HTMLToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	w := &textWriter{}
	w.sb.Grow(len(s) / 2)
	// Elements whose content is dropped, by atom (0 for Outlook's <xml>),
	// with the total of open ones.
	skip := map[atom.Atom]int{}
	skipped := 0
	open := func(a atom.Atom) { skip[a]++; skipped++ }
	closeTag := func(a atom.Atom) {
		if skip[a] > 0 {
			skip[a]--
			skipped--
		}
	}
	skipping := func() bool { return skipped > 0 }
	inHead := false
	pre := 0
	type link struct {
		href  string
		start int
	}
	var links []link
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.finish()
		case html.TextToken:
			if inHead || skipping() {
				continue
			}
			w.text(z.Text(), pre > 0)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			selfClosing := tt == html.SelfClosingTagToken
			switch a {
			case atom.Head:
				if !selfClosing {
					inHead = true
				}
				continue
			case atom.Body:
				inHead = false
				continue
			case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template, atom.Iframe,
				atom.Object, atom.Svg, atom.Math, atom.Noembed, atom.Noframes, atom.Xmp, atom.Select:
				if !selfClosing {
					open(a)
				}
				continue
			}
			if string(name) == "xml" && !selfClosing {
				open(0)
				continue
			}
			if inHead || skipping() {
				continue
			}
			switch a {
			case atom.Br:
				w.lineBreak()
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				w.block(2)
			case atom.Blockquote:
				w.block(2)
				w.quote++
			case atom.Pre:
				w.block(1)
				pre++
			case atom.Ul, atom.Ol, atom.Dl:
				w.block(1)
				w.list++
			case atom.Li:
				w.block(1)
				w.bullet = true
			case atom.Hr:
				w.block(1)
				w.text([]byte("---"), true)
				w.block(1)
			case atom.Div, atom.Tr, atom.Table, atom.Dt, atom.Dd, atom.Section, atom.Article,
				atom.Header, atom.Footer, atom.Address, atom.Center, atom.Form, atom.Fieldset,
				atom.Figure, atom.Figcaption, atom.Nav, atom.Main, atom.Aside, atom.Details,
				atom.Summary, atom.Caption, atom.Tbody, atom.Thead, atom.Tfoot, atom.Legend:
				w.block(1)
			case atom.Td, atom.Th:
				w.space = true
			case atom.A:
				href := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = strings.TrimSpace(string(v))
					}
				}
				if !selfClosing && len(links) < maxLinkDepth {
					links = append(links, link{href: href, start: w.sb.Len()})
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Head:
				inHead = false
				continue
			case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template, atom.Iframe,
				atom.Object, atom.Svg, atom.Math, atom.Noembed, atom.Noframes, atom.Xmp, atom.Select:
				closeTag(a)
				continue
			}
			if string(name) == "xml" {
				closeTag(0)
				continue
			}
			if inHead || skipping() {
				continue
			}
			switch a {
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				w.block(2)
			case atom.Blockquote:
				w.block(2)
				if w.quote > 0 {
					w.quote--
				}
			case atom.Pre:
				w.block(1)
				if pre > 0 {
					pre--
				}
			case atom.Ul, atom.Ol, atom.Dl:
				w.block(1)
				if w.list > 0 {
					w.list--
				}
			case atom.Li, atom.Div, atom.Tr, atom.Table, atom.Dt, atom.Dd, atom.Section, atom.Article,
				atom.Header, atom.Footer, atom.Address, atom.Center, atom.Form, atom.Fieldset,
				atom.Figure, atom.Figcaption, atom.Nav, atom.Main, atom.Aside, atom.Details,
				atom.Summary, atom.Caption, atom.Tbody, atom.Thead, atom.Tfoot, atom.Legend:
				w.block(1)
			case atom.Td, atom.Th:
				w.space = true
			case atom.A:
				if n := len(links); n > 0 {
					l := links[n-1]
					links = links[:n-1]
					if l.start <= w.sb.Len() {
						text := w.sb.String()[l.start:]
						if len(text) > 1000 {
							text = text[len(text)-1000:] // long link texts are judged by their end
						}
						w.linkURL(l.href, text)
					}
				}
			}
		}
	}
}

// maxLinkDepth bounds the open <a> elements tracked; deeper ones lose their URL.
const maxLinkDepth = 100

// textWriter accumulates text, deferring white space and line breaks until
// the next visible character so that none pile up at the edges, and dropping
// control characters and invalid bytes as it goes: its output needs no
// further cleaning.
type textWriter struct {
	sb       strings.Builder
	nl       int    // pending line breaks (2 = a blank line)
	nlQ      int    // quote depth when the pending breaks began
	space    bool   // pending space
	preSpace []byte // pending blanks inside <pre>, kept unless they end a line
	quote    int    // blockquote depth
	list     int    // list depth
	bullet   bool   // a list item waits for its "- "
	col      int    // bytes written on the current line
}

// addBreaks records pending line breaks, remembering the shallowest quote
// depth seen so that a blank line before or after a quote is not quoted.
func (w *textWriter) addBreaks(n int) {
	if w.nl == 0 || w.quote < w.nlQ {
		w.nlQ = w.quote
	}
	w.nl = min(n, 2)
	w.space = false
	w.preSpace = w.preSpace[:0]
}

func (w *textWriter) lineBreak() {
	w.addBreaks(w.nl + 1)
}

func (w *textWriter) block(n int) {
	if w.sb.Len() == 0 {
		return
	}
	if w.col == 0 && w.nl == 0 {
		// Already at a line start: a blank line still counts.
		if n == 2 {
			w.addBreaks(1)
		}
		return
	}
	if w.nl < n {
		w.addBreaks(n)
	}
}

// flush writes pending line breaks, the quote prefix and bullet, and a space.
func (w *textWriter) flush() {
	if w.sb.Len() > 0 {
		for i := 0; i < w.nl; i++ {
			if q := min(w.nlQ, w.quote); i > 0 && q > 0 {
				w.sb.WriteString(strings.Repeat(">", q))
			}
			w.sb.WriteByte('\n')
			w.col = 0
		}
	}
	w.nl = 0
	if w.col == 0 {
		if w.quote > 0 {
			w.sb.WriteString(strings.Repeat(">", w.quote))
			w.sb.WriteByte(' ')
			w.col += w.quote + 1
		}
		if w.bullet {
			if w.list > 1 {
				w.sb.WriteString(strings.Repeat("  ", w.list-1))
			}
			w.sb.WriteString("- ")
			w.col += 2
			w.bullet = false
		}
		w.space = false
	}
	if len(w.preSpace) > 0 {
		w.sb.Write(w.preSpace)
		w.col += len(w.preSpace)
		w.preSpace = w.preSpace[:0]
	}
	if w.space {
		w.sb.WriteByte(' ')
		w.col++
		w.space = false
	}
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00A0' || r == '\u200B' ||
		(r > 0x7F && unicode.IsSpace(r))
}

// text writes t, collapsing white space unless pre is set.
func (w *textWriter) text(t []byte, pre bool) {
	for len(t) > 0 {
		r, n := utf8.DecodeRune(t)
		switch {
		case pre && r == '\n':
			w.lineBreak()
			t = t[n:]
			continue
		case pre && (r == ' ' || r == '\t'):
			w.preSpace = append(w.preSpace, t[0])
			t = t[n:]
			continue
		case r == '\r':
			t = t[n:]
			continue
		case !pre && isHTMLSpace(r):
			if w.col > 0 {
				w.space = true
			}
			t = t[n:]
			continue
		case r == utf8.RuneError && n == 1:
			w.flush()
			w.sb.WriteString("\uFFFD")
			w.col += 3
			t = t[n:]
			continue
		case isControl(r) || r == '\uFEFF':
			t = t[n:]
			continue
		}
		// A run of ordinary characters.
		j := n
		for j < len(t) {
			r2, n2 := utf8.DecodeRune(t[j:])
			if r2 < 0x21 || r2 == 0x7F || (r2 >= 0x80 && (r2 < 0xA1 || r2 == '\u200B' || r2 == '\uFEFF' || unicode.IsSpace(r2))) ||
				(r2 == utf8.RuneError && n2 == 1) {
				break
			}
			j += n2
		}
		w.flush()
		w.sb.Write(t[:j])
		w.col += j
		t = t[j:]
	}
}

// linkURL appends " (URL)" after a link's text when the URL adds something.
func (w *textWriter) linkURL(href, text string) {
	href = sanitizeLine(href)
	if href == "" {
		return
	}
	low := strings.ToLower(href)
	for _, p := range []string{"javascript:", "vbscript:", "data:", "cid:", "#", "file:"} {
		if strings.HasPrefix(low, p) {
			return
		}
	}
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"mailto:", "tel:", "callto:", "https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		if i := strings.IndexByte(s, '?'); i >= 0 && strings.HasPrefix(low, "mailto:") {
			s = s[:i]
		}
		return strings.TrimRight(s, "/")
	}
	nt, nh := norm(text), norm(href)
	if nh == "" || nt == nh || (nt != "" && strings.Contains(nt, nh)) {
		return
	}
	if strings.TrimSpace(text) == "" {
		w.space = w.col > 0
		w.flush()
		w.sb.WriteString(href)
		w.col += len(href)
		return
	}
	w.space = true
	w.flush()
	w.sb.WriteString("(" + href + ")")
	w.col += len(href) + 2
}

// finish returns the text. The writer never leaves trailing blanks, more than
// one blank line in a row, or blank lines at either end.
func (w *textWriter) finish() string {
	return w.sb.String()
}
