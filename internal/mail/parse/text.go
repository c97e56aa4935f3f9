package parse

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxProblems bounds how many problems one parse records.
const maxProblems = 50

// problems collects survivable defects, without duplicates.
type problems struct {
	list []string
}

func (p *problems) addf(format string, args ...any) {
	if p == nil || len(p.list) >= maxProblems {
		return
	}
	s := sanitizeLine(fmt.Sprintf(format, args...))
	for _, q := range p.list {
		if q == s {
			return
		}
	}
	p.list = append(p.list, s)
}

// clip shortens s to at most n bytes on a rune boundary, for problem reports.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// isControl reports whether r is a control character that must not reach text.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0)
}

// sanitizeText returns b as valid UTF-8 text: CRLF and lone CR become LF,
// invalid bytes become U+FFFD, a leading byte-order mark and every control
// character except \n and \t are dropped.
func sanitizeText(b []byte) string {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	clean := true
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F {
				clean = false
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if (r == utf8.RuneError && n == 1) || isControl(r) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r':
				if i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
				sb.WriteByte('\n')
			case c == '\n' || c == '\t':
				sb.WriteByte(c)
			case c < 0x20 || c == 0x7F:
				// dropped
			default:
				sb.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			sb.WriteRune(utf8.RuneError)
		case isControl(r):
		default:
			sb.Write(b[i : i+n])
		}
		i += n
	}
	return sb.String()
}

// sanitizeLine returns s as one line of valid UTF-8: line breaks and tabs
// become spaces, other control characters are dropped, runs of white space
// collapse into one space, and the ends are trimmed.
func sanitizeLine(s string) string {
	ok := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < 0x20 || c == 0x7F || (c == ' ' && prevSpace) {
			ok = false
			break
		}
		prevSpace = c == ' '
	}
	if ok && !prevSpace {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			r = utf8.RuneError
		case unicode.IsSpace(r):
			space = true
			continue
		case isControl(r) || r == '\uFEFF':
			continue
		}
		if space && sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		space = false
		sb.WriteRune(r)
	}
	return sb.String()
}
