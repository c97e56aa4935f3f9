package parse

import (
	"html"
	"strings"
	"unicode/utf8"
)

// joinText joins segments into plain text; segments without plain text (or
// with only white space and an HTML side) contribute their HTML as text.
func joinText(segs []segment) (string, bool) {
	if len(segs) == 1 {
		// The common case, without a copy.
		s := segs[0]
		if s.hasPlain && (!s.hasHTML || strings.TrimSpace(s.plain) != "") {
			return s.plain, false
		}
		if s.hasHTML {
			t := HTMLToText(s.html)
			return t, strings.TrimSpace(t) != ""
		}
		return "", false
	}
	var sb strings.Builder
	fromHTML := false
	for _, s := range segs {
		var t string
		switch {
		case s.hasPlain && (!s.hasHTML || strings.TrimSpace(s.plain) != ""):
			t = s.plain
		case s.hasHTML:
			t = HTMLToText(s.html)
			fromHTML = fromHTML || strings.TrimSpace(t) != ""
		}
		if t == "" {
			continue
		}
		if sb.Len() > 0 && !strings.HasSuffix(sb.String(), "\n") {
			sb.WriteByte('\n')
		}
		sb.WriteString(t)
	}
	return sb.String(), fromHTML
}

// joinHTML joins segments into HTML; plain-only segments are escaped into <pre>.
func joinHTML(segs []segment) string {
	if len(segs) == 1 && segs[0].hasHTML {
		return segs[0].html
	}
	var sb strings.Builder
	for _, s := range segs {
		switch {
		case s.hasHTML:
			sb.WriteString(s.html)
		case s.hasPlain && s.plain != "":
			sb.WriteString("<pre>")
			sb.WriteString(html.EscapeString(s.plain))
			sb.WriteString("</pre>")
		}
	}
	return sb.String()
}

// assemble makes the message's Text and HTML from its body segments.
func assemble(segs []segment) (text, htmlBody string, fromHTML bool) {
	text, fromHTML = joinText(segs)
	if anySeg(segs, func(s segment) bool { return s.hasHTML }) {
		htmlBody = joinHTML(segs)
	}
	return text, htmlBody, fromHTML
}

// markReferenced sets Inline on attachments whose Content-ID the HTML
// references with "cid:".
func markReferenced(atts []Attachment, htmlBody string) {
	refs := map[string]bool{}
	seen := 0
	for i := 0; i < len(htmlBody); {
		k := strings.IndexAny(htmlBody[i:], "cC")
		if k < 0 {
			break
		}
		j := i + k
		if j+4 > len(htmlBody) || !strings.EqualFold(htmlBody[j:j+4], "cid:") {
			i = j + 1
			continue
		}
		j += 4
		end := j
		for end < len(htmlBody) && !strings.ContainsRune("\"' \t\n>)", rune(htmlBody[end])) {
			end++
		}
		id := strings.Trim(htmlBody[j:end], "<>")
		if strings.IndexByte(id, '%') >= 0 {
			if u := percentDecode(id); utf8.Valid(u) {
				id = string(u)
			}
		}
		refs[id] = true
		i = end
		if seen++; seen > 10000 {
			break
		}
	}
	if len(refs) == 0 {
		return
	}
	for i := range atts {
		if atts[i].ContentID == "" || atts[i].Inline {
			continue
		}
		for id := range refs {
			if strings.EqualFold(id, atts[i].ContentID) {
				atts[i].Inline = true
				break
			}
		}
	}
}

// unflow joins RFC 3676 format=flowed lines: a line ending in a space
// continues on the next line of the same quote depth.
func unflow(s string, delsp bool) string {
	var sb strings.Builder
	sb.Grow(len(s))
	prevFlowed := false
	prevDepth := -1
	for first, last := true, false; !last; first = false {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			last = true
		}
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(line[depth:], " ") // space-stuffing
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if !(prevFlowed && depth == prevDepth) {
			if !first {
				sb.WriteByte('\n')
			}
			if depth > 0 {
				sb.WriteString(strings.Repeat(">", depth))
				sb.WriteByte(' ')
			}
		}
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		sb.WriteString(content)
		prevFlowed, prevDepth = flowed, depth
	}
	return sb.String()
}
