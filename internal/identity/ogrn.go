package identity

import (
	"strconv"
	"strings"
)

// ParseOGRN parses an ОГРН (13 digits, state registration number of a legal
// entity) or an ОГРНИП (15 digits, of an individual entrepreneur) and returns
// its digits. Surrounding white space is trimmed. The last digit must equal
// the number formed by the other digits mod 11 (ОГРН) or mod 13 (ОГРНИП),
// then mod 10 (ogrn.checksum). Anything other than 13 or 15 ASCII digits, and
// the all-zero number, is an ogrn.format error.
func ParseOGRN(s string) (string, error) {
	s = strings.TrimSpace(s)
	var mod uint64
	switch len(s) {
	case 13:
		mod = 11
	case 15:
		mod = 13
	default:
		return "", newError(CodeOGRNFormat)
	}
	if !isDigits(s) || isZeros(s) {
		return "", newError(CodeOGRNFormat)
	}
	// At most 14 digits: always fits in a uint64.
	body, err := strconv.ParseUint(s[:len(s)-1], 10, 64)
	if err != nil {
		return "", newError(CodeOGRNFormat)
	}
	if byte('0'+body%mod%10) != s[len(s)-1] {
		return "", newError(CodeOGRNChecksum)
	}
	return s, nil
}
