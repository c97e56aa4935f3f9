package identity

import "strings"

const (
	snilsLen = 11
	// snilsCheckAbove is the largest number (first nine digits) that is not
	// checked: the ПФР rule checks only numbers greater than 001-001-998.
	snilsCheckAbove = 1001998
)

// SNILS is a СНИЛС (insurance account number) in canonical form: exactly 11
// ASCII digits, the last two being the check number.
type SNILS string

// ParseSNILS parses a СНИЛС as a citizen may type it: "112-233-445 95",
// "11223344595", "112 233 445 95" or "112-233-445-95". Between digits it
// accepts runs of spaces, non-breaking spaces (U+00A0), hyphen-minus and the
// dashes U+2010, U+2011, U+2013 and U+2014; surrounding white space is
// trimmed; anything else is a snils.format error.
//
// The check number is verified for numbers greater than 001-001-998, as the
// ПФР rule prescribes (snils.checksum). 000-000-000 00 is rejected with
// snils.zero.
func ParseSNILS(s string) (SNILS, error) {
	s = strings.TrimSpace(s)
	var buf [snilsLen]byte
	n := 0
	afterSep := false
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			if n == snilsLen {
				return "", newError(CodeSNILSFormat)
			}
			buf[n] = byte(r)
			n++
			afterSep = false
		case isSNILSSeparator(r) && n > 0:
			afterSep = true
		default:
			return "", newError(CodeSNILSFormat)
		}
	}
	if n != snilsLen || afterSep {
		return "", newError(CodeSNILSFormat)
	}
	if isZeros(string(buf[:])) {
		return "", newError(CodeSNILSZero)
	}
	first9 := string(buf[:9])
	control := int(buf[9]-'0')*10 + int(buf[10]-'0')
	if snilsChecked(first9) && snilsControl(first9) != control {
		return "", newError(CodeSNILSChecksum)
	}
	return SNILS(buf[:]), nil
}

// NewSNILS returns the СНИЛС made of the nine digits first9 and the check
// number computed for them. It is meant for demo-data generators; the
// result always passes ParseSNILS.
func NewSNILS(first9 string) (SNILS, error) {
	if len(first9) != 9 || !isDigits(first9) {
		return "", newError(CodeSNILSFormat)
	}
	if isZeros(first9) {
		return "", newError(CodeSNILSZero)
	}
	c := snilsControl(first9)
	return SNILS(first9 + string([]byte{byte('0' + c/10), byte('0' + c%10)})), nil
}

// String returns the СНИЛС in its display form "XXX-XXX-XXX YY". A value
// that is not 11 digits is returned unchanged.
func (s SNILS) String() string {
	if len(s) != snilsLen || !isDigits(string(s)) {
		return string(s)
	}
	return string(s[0:3]) + "-" + string(s[3:6]) + "-" + string(s[6:9]) + " " + string(s[9:11])
}

// isSNILSSeparator reports whether r may separate digit groups of a СНИЛС.
func isSNILSSeparator(r rune) bool {
	switch r {
	case ' ', '\u00A0', '-', '\u2010', '\u2011', '\u2013', '\u2014':
		return true
	}
	return false
}

// snilsChecked reports whether the check number of a СНИЛС with the nine
// digits first9 is verified, that is whether the number exceeds 001-001-998.
func snilsChecked(first9 string) bool {
	v := 0
	for i := 0; i < len(first9); i++ {
		v = v*10 + int(first9[i]-'0')
	}
	return v > snilsCheckAbove
}

// snilsControl computes the check number (0 to 99) for nine digits: the
// digits are weighted 9, 8, …, 1 and summed to S; S < 100 gives S, 100 and
// 101 give 00, and a larger S gives S mod 101, with 100 again giving 00.
func snilsControl(first9 string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(first9[i]-'0') * (9 - i)
	}
	switch {
	case sum < 100:
		return sum
	case sum == 100 || sum == 101:
		return 0
	}
	c := sum % 101
	if c == 100 {
		return 0
	}
	return c
}
