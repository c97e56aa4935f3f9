package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneLen is the longest input, in bytes after trimming, that ParsePhone
// hands to the phone-number library.
const maxPhoneLen = 64

// defaultRegion is the region assumed for numbers written without "+".
const defaultRegion = "RU"

// Phone is a phone number in canonical E.164 form, e.g. "+79161234567". It
// carries no extension.
type Phone string

// ParsePhone parses a phone number as a citizen may write it:
// "8 (916) 123-45-67", "+7 916 1234567", "9161234567", "+44 20 7946 0958".
// Numbers without a country code are read as Russian. Any country is
// accepted; +7 7xx numbers are Kazakh (Phone.Region tells them apart).
//
// An extension written after a marker the library knows ("доб. 123",
// "ext. 5", "x5", "#5") is dropped. Letters anywhere else, control
// characters, empty input and input longer than 64 bytes are phone.format
// errors, as is anything the library cannot parse; a number that parses
// but does not exist in the numbering plan is phone.invalid.
func ParsePhone(s string) (Phone, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxPhoneLen || !utf8.ValidString(s) {
		return "", newError(CodePhoneFormat)
	}
	if p, ok := russianMobile(s); ok {
		return p, nil
	}
	letters := false
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", newError(CodePhoneFormat)
		}
		letters = letters || isLetterOrMark(r)
	}
	// Letters are allowed only in an extension marker; the library would
	// otherwise read them as a vanity number (1-800-FLOWERS) or skip them.
	if letters {
		number, _ := phonenumbers.MaybeSeparateExtensionFromPhone(s)
		if strings.IndexFunc(number, isLetterOrMark) >= 0 {
			return "", newError(CodePhoneFormat)
		}
	}
	n, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return "", newError(CodePhoneFormat)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", newError(CodePhoneInvalid)
	}
	return Phone(phonenumbers.Format(n, phonenumbers.E164)), nil
}

// Display returns the number in international format, e.g.
// "+7 916 123-45-67". A value that does not parse is returned unchanged.
func (p Phone) Display() string {
	n, err := phonenumbers.Parse(string(p), defaultRegion)
	if err != nil {
		return string(p)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// Region returns the ISO 3166-1 code of the number's region, such as "RU"
// or "KZ"; "001" for non-geographic numbers; "" if p does not parse.
func (p Phone) Region() string {
	n, err := phonenumbers.Parse(string(p), defaultRegion)
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(n)
}

// isLetterOrMark reports whether r is a letter or a combining mark.
func isLetterOrMark(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r)
}

// russianMobile is ParsePhone's fast path for the commonest input, a Russian mobile number in one of
// its usual notations ("+7 916 123-45-67", "8 (916) 1234567", "9161234567"): every +7 9xx xxx-xx-xx
// number is a valid Russian mobile number in the library's metadata (TestRussianMobileFastPath checks
// each 9xx prefix against it), so the library's regular expressions, some 40 µs a call, are skipped.
func russianMobile(s string) (Phone, bool) {
	var d [11]byte
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	var national []byte
	switch {
	case n == 10 && !plus:
		national = d[:10]
	case n == 11 && plus && d[0] == '7':
		national = d[1:11]
	case n == 11 && !plus && (d[0] == '7' || d[0] == '8'):
		national = d[1:11]
	default:
		return "", false
	}
	if national[0] != '9' {
		return "", false
	}
	return Phone("+7" + string(national)), true
}
