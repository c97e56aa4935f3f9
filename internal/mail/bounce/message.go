package bounce

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// Limits that keep a hostile or broken message from costing more than a bounded amount of work.
const (
	maxDepth        = 8     // nesting of multipart and message/rfc822 parts
	maxParts        = 200   // MIME parts looked at in one message
	maxHeaderFields = 500   // header fields kept per header block
	maxFieldLen     = 16384 // bytes kept of one unfolded header field
	maxTextLen      = 1 << 20
)

// field is one header field: its name in lower case and its unfolded raw value.
type field struct {
	key, value string
}

// header is a header block in its original order.
type header []field

// get returns the first value of the field named key (lower case), or "".
func (h header) get(key string) string {
	for _, f := range h {
		if f.key == key {
			return f.value
		}
	}
	return ""
}

// has reports whether the field named key (lower case) is present.
func (h header) has(key string) bool {
	for _, f := range h {
		if f.key == key {
			return true
		}
	}
	return false
}

// text returns the first value of key with RFC 2047 encoded words decoded.
func (h header) text(key string) string {
	return decodeWords(h.get(key))
}

// normalizeNewlines turns CRLF and lone CR into LF, so that every later step sees one kind of line.
func normalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			if i+1 < len(b) && b[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		out = append(out, c)
	}
	return out
}

// isFieldName reports whether s is a plausible header field name.
func isFieldName(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// parseHeader splits b into a header block and the rest. It never fails: a line that is neither a
// field nor a continuation ends the header, and an mbox "From " line at the very start is skipped.
func parseHeader(b []byte) (header, []byte) {
	var h header
	rest := b
	first := true
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if first && bytes.HasPrefix(line, []byte("From ")) {
			rest, first = next, false
			continue
		}
		first = false
		if len(bytes.TrimSpace(line)) == 0 {
			return h, next
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				return h, rest
			}
			last := &h[len(h)-1]
			if len(last.value) < maxFieldLen {
				last.value += " " + strings.TrimSpace(string(line))
			}
			rest = next
			continue
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 || !isFieldName(strings.TrimRight(string(line[:i]), " \t")) {
			return h, rest
		}
		if len(h) < maxHeaderFields {
			h = append(h, field{
				key:   strings.ToLower(strings.TrimRight(string(line[:i]), " \t")),
				value: strings.TrimSpace(string(line[i+1:])),
			})
		}
		rest = next
	}
	return h, rest
}

// cutLine returns the first line of b without its newline, and what follows it.
func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// part is a MIME entity with its transfer encoding removed. A multipart has children; a
// message/rfc822 (or message/global) has the embedded message in msg.
type part struct {
	header    header
	mediaType string            // lower case, "text/plain" when absent
	params    map[string]string // Content-Type parameters, names in lower case
	body      []byte            // content after Content-Transfer-Encoding decoding
	children  []*part
	msg       *part
}

// parser walks one message, counting parts so that no input can make it do unbounded work.
type parser struct {
	parts int
}

// parse parses a complete entity (header and body).
func (p *parser) parse(b []byte, depth int) *part {
	h, body := parseHeader(b)
	return p.parseEntity(h, body, depth, "text/plain")
}

// parseEntity builds a part from a header and a raw body; defType is the type assumed without a
// Content-Type (message/rfc822 inside multipart/digest, text/plain elsewhere).
func (p *parser) parseEntity(h header, body []byte, depth int, defType string) *part {
	p.parts++
	pt := &part{header: h}
	pt.mediaType, pt.params = parseContentType(h.get("content-type"), defType)
	if !textual(pt.mediaType) {
		// Images, PDFs and other attachments say nothing about the kind of message: do not
		// spend time and memory decoding them.
		return pt
	}
	pt.body = decodeTransfer(h.get("content-transfer-encoding"), body)
	if depth >= maxDepth || p.parts > maxParts {
		return pt
	}
	switch {
	case strings.HasPrefix(pt.mediaType, "multipart/"):
		child := "text/plain"
		if pt.mediaType == "multipart/digest" {
			child = "message/rfc822"
		}
		for _, raw := range splitMultipart(pt.body, pt.params["boundary"]) {
			if p.parts > maxParts {
				break
			}
			ch, cb := parseHeader(raw)
			pt.children = append(pt.children, p.parseEntity(ch, cb, depth+1, child))
		}
	case pt.mediaType == "message/rfc822" || pt.mediaType == "message/global":
		pt.msg = p.parse(pt.body, depth+1)
	}
	return pt
}

// textual reports whether a media type's content is looked at: text, messages, multiparts and
// the JSON some notification services send.
func textual(mt string) bool {
	return strings.HasPrefix(mt, "text/") || strings.HasPrefix(mt, "message/") ||
		strings.HasPrefix(mt, "multipart/") || mt == "application/json"
}

// parseContentType parses a Content-Type value leniently: an unparsable value still yields its
// media type, and parameters are recovered one by one.
func parseContentType(v, defType string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return defType, map[string]string{}
	}
	if mt, params, err := mime.ParseMediaType(v); err == nil {
		return strings.ToLower(mt), params
	}
	params := map[string]string{}
	segs := strings.Split(v, ";")
	mt := strings.ToLower(strings.TrimSpace(segs[0]))
	if !strings.Contains(mt, "/") {
		mt = defType
	}
	for _, s := range segs[1:] {
		k, val, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		val = strings.Trim(val, `"'`)
		if k != "" {
			if _, dup := params[k]; !dup {
				params[k] = val
			}
		}
	}
	return mt, params
}

// splitMultipart returns the raw body parts between boundary lines. Without a usable boundary, or
// when the boundary never occurs, the whole body is one part (so its text is still looked at).
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		boundary = guessBoundary(body)
	}
	if boundary == "" {
		return [][]byte{body}
	}
	delim := []byte("--" + boundary)
	var nested map[string]bool // boundaries declared inside body, found on first need
	var parts [][]byte
	start := -1 // where the current part's content begins
	for pos := 0; pos < len(body); {
		next := len(body)
		line := body[pos:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		tail, ok := delimiterTail(line, delim, body[next:])
		if ok && !bytes.HasPrefix(line, delim) {
			if nested == nil {
				nested = declaredBoundaries(body)
			}
			ok = !nested[string(bytes.TrimSuffix(bytes.TrimSpace(line[2:]), []byte("--")))]
		}
		if ok {
			if start >= 0 {
				parts = append(parts, trimLastNewline(body[start:pos]))
			}
			if len(tail) > 0 {
				start = -1
				break
			}
			start = next
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	if len(parts) == 0 {
		return [][]byte{body}
	}
	return parts
}

// delimiterTail reports whether line is a boundary delimiter and returns what follows the
// boundary ("" or "--"). A line that misses the boundary by a few characters still counts when a
// Content- field follows it: anonymised or hand-edited reports have such lines, and treating them
// as text would hide the returned message.
func delimiterTail(line, delim, after []byte) ([]byte, bool) {
	if bytes.HasPrefix(line, delim) {
		tail := bytes.TrimSpace(line[len(delim):])
		if len(tail) == 0 || bytes.HasPrefix(tail, []byte("--")) {
			return tail, true
		}
		return nil, false
	}
	const near = 12
	if len(delim) < near+2 || len(line) < len(delim)-2 || len(line) > len(delim)+4 || !bytes.HasPrefix(line, delim[:near]) {
		return nil, false
	}
	if bytes.HasSuffix(bytes.TrimSpace(line), []byte("--")) && len(bytes.TrimSpace(line)) >= len(delim)+2 {
		return []byte("--"), true
	}
	next, _ := cutLine(after)
	if len(next) >= 8 && bytes.EqualFold(next[:8], []byte("content-")) {
		return nil, true
	}
	return nil, false
}

// declaredBoundaries returns the boundary parameters that appear in body: the delimiters of
// nested multiparts, which a near-miss match must not take for the outer one.
func declaredBoundaries(body []byte) map[string]bool {
	set := map[string]bool{}
	rest := body
	for len(set) < maxParts {
		i := bytes.Index(rest, []byte("boundary="))
		if i < 0 {
			break
		}
		rest = rest[i+len("boundary="):]
		v := rest
		if len(v) > 0 && v[0] == '"' {
			v = v[1:]
			if j := bytes.IndexByte(v, '"'); j >= 0 {
				v = v[:j]
			}
		} else if j := bytes.IndexAny(v, "; \t\r\n"); j >= 0 {
			v = v[:j]
		}
		if len(v) > 200 {
			v = v[:200]
		}
		set[string(v)] = true
	}
	return set
}

// guessBoundary finds a boundary for a multipart whose Content-Type lost it: the first line that
// starts with "--" followed by a header-looking line.
func guessBoundary(body []byte) string {
	rest := body
	for n := 0; len(rest) > 0 && n < 200; n++ {
		line, next := cutLine(rest)
		if len(line) > 3 && bytes.HasPrefix(line, []byte("--")) && !bytes.HasSuffix(bytes.TrimSpace(line), []byte("--")) {
			nl, _ := cutLine(next)
			if bytes.HasPrefix(bytes.ToLower(nl), []byte("content-")) {
				return strings.TrimSpace(string(line[2:]))
			}
		}
		rest = next
	}
	return ""
}

// trimLastNewline drops one trailing newline, the one that belongs to the next delimiter.
func trimLastNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

// decodeTransfer removes a Content-Transfer-Encoding. Broken base64 or quoted-printable decodes as
// far as it can; an unknown encoding leaves the body as it is.
func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			switch {
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
				clean = append(clean, c)
			}
		}
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1] // a lone sextet cannot encode a byte
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, err := base64.RawStdEncoding.Decode(out, clean)
		if err != nil && n == 0 {
			return body
		}
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil && len(out) == 0 {
			return body
		}
		if err != nil {
			// Keep what decoded and the undecodable rest as it is.
			return append(out, body[min(len(out), len(body)):]...)
		}
		return out
	}
	return body
}

// decodeCharset converts text in the named charset to UTF-8. Unknown charsets and decoding errors
// leave the bytes as they are, with invalid UTF-8 replaced.
func decodeCharset(cs string, b []byte) string {
	cs = strings.ToLower(strings.TrimSpace(cs))
	switch cs {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "x-unknown", "unknown-8bit", "default":
		return toValidUTF8(b)
	}
	if utf8.Valid(b) && isASCII(b) {
		return string(b)
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return toValidUTF8(b)
	}
	out, err := io.ReadAll(io.LimitReader(r, maxTextLen*4))
	if err != nil && len(out) == 0 {
		return toValidUTF8(b)
	}
	return toValidUTF8(out)
}

// isASCII reports whether b is 7-bit text without escape sequences.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == 0x1b {
			return false
		}
	}
	return true
}

// toValidUTF8 returns b as a string with invalid UTF-8 replaced.
func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeWords decodes RFC 2047 encoded words; on failure the raw value is kept.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return toValidUTF8([]byte(s))
	}
	out, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return toValidUTF8([]byte(s))
	}
	return toValidUTF8([]byte(out))
}

// text returns a part's content as UTF-8 text: charset decoded, and for HTML with the markup
// removed. It is meant for pattern matching, not for display.
func (pt *part) text() string {
	b := pt.body
	if len(b) > maxTextLen {
		b = b[:maxTextLen]
	}
	s := decodeCharset(pt.params["charset"], b)
	if pt.mediaType == "text/html" {
		s = stripHTML(s)
	}
	return s
}

// asciiLower lower-cases ASCII letters only, so that offsets into the result are offsets into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// stripHTML turns HTML into rough plain text: tags removed, block ends turned into newlines,
// scripts and styles dropped, entities decoded.
func stripHTML(s string) string {
	var b strings.Builder
	lower := asciiLower(s)
	for i := 0; i < len(s); {
		if len(lower) != len(s) {
			break // cannot happen: asciiLower keeps the length
		}
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		tag := lower[i+1 : i+j]
		i += j + 1
		name := strings.TrimLeft(tag, "/")
		if k := strings.IndexAny(name, " \t\n/"); k >= 0 {
			name = name[:k]
		}
		switch name {
		case "script", "style", "head":
			if !strings.HasPrefix(tag, "/") {
				k := strings.Index(lower[i:], "</"+name)
				if k < 0 {
					return html.UnescapeString(b.String()) // an unclosed script hides the rest
				}
				i += k
			}
		case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote", "pre":
			b.WriteByte('\n')
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	return html.UnescapeString(b.String())
}
