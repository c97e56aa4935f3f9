package parse

import (
	"bytes"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// maxHeaderFields bounds the fields kept from one header block.
const maxHeaderFields = 5000

// HeaderField is one header field as received: the name as written and the
// raw value, unfolded (line breaks removed, white space kept) and trimmed. The
// value may hold encoded words and bytes that are not UTF-8.
type HeaderField struct {
	Name  string
	Value string
}

// header is a list of fields with case-insensitive lookup.
type header []HeaderField

func (h header) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

func (h header) has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// nextLine returns the line of b starting at i without its line break, and the
// index after the break.
func nextLine(b []byte, i int) (line []byte, next int) {
	j := bytes.IndexByte(b[i:], '\n')
	if j < 0 {
		line, next = b[i:], len(b)
	} else {
		line, next = b[i:i+j], i+j+1
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, next
}

// headerName returns the field name of a header line, or false when the line
// is not a field ("Name: value"; white space before the colon is tolerated).
func headerName(line []byte) (string, []byte, bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || colon > 100 {
		return "", nil, false
	}
	name := bytes.TrimRight(line[:colon], " \t")
	if len(name) == 0 {
		return "", nil, false
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7F {
			return "", nil, false
		}
	}
	return string(name), line[colon+1:], true
}

// isFieldLine reports whether line starts a header field.
func isFieldLine(line []byte) bool {
	if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	_, _, ok := headerName(line)
	return ok
}

// headerFollows reports whether a header field line comes within a few lines
// from b[i:], before any blank line.
func headerFollows(b []byte, i int) bool {
	for n := 0; n < 30 && i < len(b); n++ {
		line, next := nextLine(b, i)
		if isBlank(line) {
			return false
		}
		if isFieldLine(line) {
			return true
		}
		i = next
	}
	return false
}

func isBlank(line []byte) bool {
	return len(bytes.Trim(line, " \t\r")) == 0
}

// splitHeader parses the header block at the start of b and returns at most
// limit fields and the offset where the body starts. It never fails: a block without any
// field yields no fields and body offset 0, and lines that are not fields are
// skipped or end the block, each noted as a problem.
func splitHeader(b []byte, p *problems, top bool, limit int) (header, int) {
	i := 0
	if top {
		// An mbox "From " separator line.
		if bytes.HasPrefix(b, []byte("From ")) {
			_, i = nextLine(b, 0)
		}
		// Leading blank lines or a line of junk ("---- Original message ----")
		// before a header are transport artefacts.
		if first, _ := nextLine(b, i); !isFieldLine(first) {
			for j, n := i, 0; j < len(b) && n < 10; n++ {
				line, next := nextLine(b, j)
				if isFieldLine(line) && headerFollows(b, next) {
					if !isBlank(b[i:j]) {
						p.addf("broken header: junk before the header skipped")
					}
					i = j
					break
				}
				j = next
			}
		}
	}
	var h header
	var val []byte // value of the field being built, unfolded
	flush := func() {
		if len(h) > 0 {
			h[len(h)-1].Value = string(bytes.TrimSpace(val))
		}
	}
	for i < len(b) {
		line, next := nextLine(b, i)
		if isBlank(line) {
			if len(h) == 0 {
				return nil, next
			}
			flush()
			return h, next
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				if !top {
					return nil, 0
				}
				p.addf("broken header: continuation line before any field")
				i = next
				continue
			}
			val = append(val, line...)
			i = next
			continue
		}
		name, v, ok := headerName(line)
		if !ok {
			if len(h) == 0 {
				return nil, 0
			}
			// A stray line followed by more fields is a continuation that
			// lost its indentation; otherwise the body began without a
			// blank line.
			if headerFollows(b, next) {
				if top {
					p.addf("broken header: unindented continuation line")
				}
				val = append(val, ' ')
				val = append(val, line...)
				i = next
				continue
			}
			if top {
				p.addf("broken header: no blank line between header and body")
			}
			flush()
			return h, i
		}
		flush()
		if len(h) >= limit {
			p.addf("broken header: more than %d fields, rest ignored", limit)
			for i < len(b) {
				l, nx := nextLine(b, i)
				i = nx
				if isBlank(l) {
					break
				}
			}
			return h, i
		}
		h = append(h, HeaderField{Name: name})
		val = append(val[:0], v...)
		i = next
	}
	flush()
	return h, len(b)
}

// parseDate parses a Date header leniently; the zero time means unusable.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	// Named zones go first: net/mail reads an unknown "MSK" as UTC.
	c := cleanDate(s)
	if t, err := mail.ParseDate(c); err == nil && plausible(t) {
		return t, true
	}
	if t, err := mail.ParseDate(s); err == nil && plausible(t) {
		return t, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, c); err == nil && plausible(t) {
			return t, true
		}
	}
	return time.Time{}, false
}

func plausible(t time.Time) bool {
	return t.Year() >= 1970 && t.Year() <= 9999
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 3:04:05 PM -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon, Jan 2 2006 15:04:05 -0700",
	"Mon, Jan 2, 2006 15:04:05 -0700",
	"Monday, January 2, 2006 3:04 PM -0700",
	"Monday, January 2, 2006 15:04:05 -0700",
	"Monday, January 2, 2006 3:04 PM",
	"Monday, January 2, 2006 15:04",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"02.01.2006 15:04:05 -0700",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
}

// zoneOffsets maps zone abbreviations seen in Date headers to numeric offsets.
var zoneOffsets = map[string]string{
	"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000", "WET": "+0000",
	"MSK": "+0300", "MSD": "+0400", "CET": "+0100", "CEST": "+0200", "MET": "+0100", "MEST": "+0200",
	"EET": "+0200", "EEST": "+0300", "BST": "+0100", "IST": "+0530", "JST": "+0900", "KST": "+0900",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500", "MST": "-0700", "MDT": "-0600",
	"PST": "-0800", "PDT": "-0700", "YEKT": "+0500", "NOVT": "+0700", "KRAT": "+0700", "VLAT": "+1000",
	"SAMT": "+0400", "OMST": "+0600", "IRKT": "+0800", "YAKT": "+0900", "MAGT": "+1100",
}

// cleanDate removes comments, stray punctuation and named zones from a date.
func cleanDate(s string) string {
	var sb strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == utf8.RuneError:
		default:
			sb.WriteRune(r)
		}
	}
	f := strings.Fields(sb.String())
	for i, w := range f {
		w = strings.TrimRight(w, ".")
		if off, ok := zoneOffsets[strings.ToUpper(w)]; ok && i > 0 {
			f[i] = off
			continue
		}
		// "+03:00" → "+0300"
		if len(w) == 6 && (w[0] == '+' || w[0] == '-') && w[3] == ':' {
			f[i] = w[:3] + w[4:]
			continue
		}
		// "GMT+0300" → "+0300"
		if u := strings.ToUpper(w); (strings.HasPrefix(u, "GMT") || strings.HasPrefix(u, "UTC")) && len(w) > 3 {
			f[i] = w[3:]
		}
	}
	return strings.Join(f, " ")
}

// parseMessageIDs extracts message IDs ("<id>") from a header value, without
// the brackets. Values without brackets fall back to tokens holding "@".
func parseMessageIDs(s string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.Join(strings.Fields(id), "")
		id = strings.Trim(id, "<>\"'")
		if id == "" || len(id) > 998 || seen[id] || !usableID(id) {
			return
		}
		seen[id] = true
		ids = append(ids, id)
	}
	rest := s
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+1:], '>')
		if j < 0 {
			break
		}
		add(rest[i+1 : i+1+j])
		rest = rest[i+1+j+1:]
	}
	if len(ids) == 0 {
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ';' }) {
			if strings.Contains(w, "@") {
				add(w)
			}
		}
	}
	return ids
}

func usableID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c == 0x7F || c == '<' || c == '>' {
			return false
		}
	}
	return utf8.ValidString(id)
}
