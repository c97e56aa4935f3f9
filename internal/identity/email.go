package identity

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxEmailLen = 254 // bytes, whole address
	maxLocalLen = 64  // bytes, local part
	maxLabelLen = 63  // characters, one domain label
)

// ParseEmail parses a bare e-mail address ("ivan.petrov@example.ru") and
// returns it with the domain lower-cased; the local part keeps its case,
// since only the receiving server may fold it.
//
// Surrounding white space is trimmed. The rest must be exactly the address:
// no display name, no "<…>", no comments, no quoted local part, no spaces,
// control or invisible formatting characters. The local part is at most 64
// bytes, the whole address at most 254. The domain must contain a dot and
// consist of labels of letters (any script, so "почта.рф" is accepted),
// digits and inner hyphens, and the last label must not be all digits; IP
// literals are not accepted. Every failure is email.format.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxEmailLen || !utf8.ValidString(s) {
		return "", newError(CodeEmailFormat)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", newError(CodeEmailFormat)
		}
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", newError(CodeEmailFormat)
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return "", newError(CodeEmailFormat)
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > maxLocalLen || !validDomain(domain) {
		return "", newError(CodeEmailFormat)
	}
	out := local + "@" + domain
	if len(out) > maxEmailLen {
		return "", newError(CodeEmailFormat)
	}
	return out, nil
}

// validDomain reports whether d is a host name of at least two labels, each
// of 1 to 63 letters, digits, combining marks and hyphens, not starting with
// a hyphen or mark and not ending with a hyphen, the last not all digits.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return !isDigits(labels[len(labels)-1])
}

// validLabel reports whether label is a valid domain label (see validDomain).
func validLabel(label string) bool {
	if label == "" || utf8.RuneCountInString(label) > maxLabelLen {
		return false
	}
	first, _ := utf8.DecodeRuneInString(label)
	last, _ := utf8.DecodeLastRuneInString(label)
	if first == '-' || unicode.IsMark(first) || last == '-' {
		return false
	}
	for _, r := range label {
		switch {
		case r == '-', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
		default:
			return false
		}
	}
	return true
}
