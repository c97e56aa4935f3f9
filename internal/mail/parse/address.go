package parse

import (
	"strings"
)

// maxAddresses bounds the addresses taken from one header field.
const maxAddresses = 1000

// parseAddressList parses an address header leniently: quoted names, comments,
// groups, encoded words, raw 8-bit names, ";" used as a separator, missing
// ">" and addresses written inside comments all work. Elements without a
// usable address are skipped.
func parseAddressList(s, hint string, d decoder, what string) []Address {
	var out []Address
	for _, el := range splitAddressList(s) {
		if len(out) >= maxAddresses {
			break
		}
		if a, ok := parseAddress(el, hint, d, what); ok {
			out = append(out, a)
		}
	}
	return out
}

// skipEncodedWord returns the index after an encoded word starting at s[i], or
// i when none starts there. Encoded words are atomic for splitting.
func skipEncodedWord(s string, i int) int {
	if !strings.HasPrefix(s[i:], "=?") {
		return i
	}
	if w, ok := parseEncodedWord(s, i); ok && w.closed {
		return w.end
	}
	return i
}

// splitAddressList splits at "," and ";" outside quotes, comments and angle
// brackets, dropping group names ("Team: a@x, b@y;").
func splitAddressList(s string) []string {
	var parts []string
	start := 0
	depth := 0 // comment nesting
	inQuote, inAngle := false, false
	sawAt := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case depth > 0:
			if c == '\\' {
				i++
			} else if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '=' && i+1 < len(s) && s[i+1] == '?':
			if j := skipEncodedWord(s, i); j > i {
				i = j - 1
			}
		case c == '"':
			inQuote = true
		case c == '(':
			depth++
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case c == '@':
			sawAt = true
		case c == ':' && !inAngle && !sawAt && !strings.Contains(s[start:i], "<"):
			// A group name: drop it.
			start = i + 1
		case (c == ',' || c == ';') && !inAngle:
			if len(parts) >= maxAddresses {
				return parts
			}
			parts = append(parts, s[start:i])
			start = i + 1
			sawAt = false
		}
	}
	parts = append(parts, s[start:])
	return parts
}

// parseAddress parses one element of an address list.
func parseAddress(el, hint string, d decoder, what string) (Address, bool) {
	el = strings.TrimSpace(el)
	if el == "" {
		return Address{}, false
	}
	if a, ok := quotedLocalPart(el); ok {
		return Address{Email: a}, true
	}
	phrase, raw, comment := splitAddress(el)
	addr := cleanEmail(raw)
	angled := strings.Contains(el, "<")
	if !strings.Contains(addr, "@") {
		// An address written inside a comment or the phrase:
		// "Name (name@example.com)".
		if e := findEmail(el); e != "" {
			addr = cleanEmail(e)
			if phrase == "" {
				phrase = raw
			}
			phrase = strings.Replace(phrase, e, "", 1)
			if strings.Contains(comment, e) {
				comment = ""
			}
		}
	}
	switch {
	case addr == "":
		return Address{}, false
	case strings.Contains(addr, "@"):
		// Spaces are kept only inside <>, where the sender clearly meant
		// them as the address; "Ann ann@example.com" is a name and an address.
		if strings.ContainsAny(addr, " \t") && !angled {
			e := findEmail(raw)
			if e == "" {
				return Address{}, false
			}
			if phrase == "" {
				phrase = strings.TrimSpace(strings.Replace(raw, e, "", 1))
			}
			addr = cleanEmail(e)
		}
	case !localPartOnly(addr):
		return Address{}, false
	}
	name := phrase
	if strings.TrimSpace(name) == "" {
		name = comment
	}
	name = sanitizeLine(decodeHeader(name, hint, d, what))
	name = strings.TrimSpace(strings.Trim(name, "\"'"))
	if strings.EqualFold(name, addr) {
		name = ""
	}
	return Address{Name: name, Email: addr}, true
}

// splitAddress separates an element into its display phrase (quoted strings
// unquoted), its address and the text of its first comment.
func splitAddress(el string) (phrase, addr, comment string) {
	lt := -1
	inQuote, depth := false, 0
	for i := 0; i < len(el) && lt < 0; i++ {
		c := el[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '=' && i+1 < len(el) && el[i+1] == '?':
			if j := skipEncodedWord(el, i); j > i {
				i = j - 1
			}
		case c == '"':
			inQuote = true
		case c == '(':
			depth++
		case c == '<':
			lt = i
		}
	}
	if lt >= 0 {
		rest := el[lt+1:]
		if gt := strings.IndexByte(rest, '>'); gt >= 0 {
			rest = rest[:gt]
		}
		p, c := unquotePhrase(el[:lt])
		return p, rest, c
	}
	p, c := unquotePhrase(el)
	return "", p, c
}

// unquotePhrase removes quoting and comments from a phrase, returning the
// phrase and the first comment's text.
func unquotePhrase(s string) (string, string) {
	var sb, cb strings.Builder
	inQuote, depth, comments := false, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(s) {
				i++
				sb.WriteByte(s[i])
			} else if c == '"' {
				inQuote = false
			} else {
				sb.WriteByte(c)
			}
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
				if depth == 0 {
					comments++
					continue
				}
			}
			if comments == 0 {
				cb.WriteByte(c)
			}
		case c == '"':
			inQuote = true
		case c == '(':
			depth++
		default:
			sb.WriteByte(c)
		}
	}
	return strings.TrimSpace(sb.String()), strings.TrimSpace(cb.String())
}

// cleanEmail tidies an address: spaces, quotes around it, "mailto:", source
// routes and a trailing dot go, and the domain is lower-cased.
func cleanEmail(a string) string {
	a = strings.TrimSpace(a)
	a = strings.Trim(a, "\"'<>[] \t")
	if len(a) > 7 && strings.EqualFold(a[:7], "mailto:") {
		a = a[7:]
	}
	if strings.HasPrefix(a, "@") {
		if i := strings.IndexByte(a, ':'); i >= 0 {
			a = a[i+1:]
		}
	}
	a = strings.TrimRight(a, ".")
	if strings.ContainsAny(a, "\r\n") {
		a = strings.Join(strings.Fields(a), "")
	}
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		a = a[:i+1] + strings.ToLower(a[i+1:])
	}
	if len(a) > 320 || strings.ContainsAny(a, "<>()") {
		return ""
	}
	for i := 0; i < len(a); i++ {
		if a[i] < ' ' || a[i] == 0x7F {
			return ""
		}
	}
	return sanitizeLine(a)
}

// findEmail returns the first word of s that holds an "@" between other
// characters.
func findEmail(s string) string {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '(' || r == ')' || r == '<' || r == '>' || r == '"' || r == ',' || r == ';' || r == '\'' || r == '[' || r == ']'
	}) {
		if i := strings.IndexByte(w, '@'); i > 0 && i < len(w)-1 {
			return w
		}
	}
	return ""
}

// localPartOnly reports whether s can stand alone as a local mailbox name
// ("MAILER-DAEMON", "root").
func localPartOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+-=", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// quotedLocalPart matches an address whose local part is a quoted string,
// "john smith"@example.com, which the phrase logic would otherwise split.
func quotedLocalPart(el string) (string, bool) {
	el = strings.TrimSpace(el)
	if !strings.HasPrefix(el, "\"") {
		return "", false
	}
	end := -1
	for i := 1; i < len(el); i++ {
		if el[i] == '\\' {
			i++
			continue
		}
		if el[i] == '"' {
			end = i
			break
		}
	}
	if end < 0 || end+1 >= len(el) || el[end+1] != '@' {
		return "", false
	}
	rest := el[end+1:]
	if k := strings.IndexAny(rest, " \t<>,;()"); k >= 0 {
		rest = rest[:k]
	}
	if len(rest) < 2 {
		return "", false
	}
	addr := el[:end+1] + "@" + strings.ToLower(strings.TrimRight(rest[1:], "."))
	return sanitizeLine(addr), true
}
