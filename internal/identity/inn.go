package identity

import "strings"

// Weights of the ИНН check digits (DOMAIN.md §2).
var (
	inn10Weights = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn11Weights = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12Weights = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// INN is an ИНН (taxpayer number) in canonical form: 10 ASCII digits for a
// legal entity or 12 for an individual.
type INN string

// ParseINN parses an ИНН. Surrounding white space is trimmed; otherwise the
// input must be 10 or 12 ASCII digits (inn.format) whose check digits match
// (inn.checksum). An all-zero number passes the checksum and is rejected
// with inn.zero.
func ParseINN(s string) (INN, error) {
	s = strings.TrimSpace(s)
	if (len(s) != 10 && len(s) != 12) || !isDigits(s) {
		return "", newError(CodeINNFormat)
	}
	if isZeros(s) {
		return "", newError(CodeINNZero)
	}
	if len(s) == 10 {
		if innControl(s[:9], inn10Weights) != s[9] {
			return "", newError(CodeINNChecksum)
		}
		return INN(s), nil
	}
	if innControl(s[:10], inn11Weights) != s[10] || innControl(s[:11], inn12Weights) != s[11] {
		return "", newError(CodeINNChecksum)
	}
	return INN(s), nil
}

// IsLegalEntity reports whether i is a legal entity's ИНН (10 digits).
func (i INN) IsLegalEntity() bool {
	return len(i) == 10
}

// NewINN10 returns the legal entity's ИНН made of the nine digits first9 and
// the check digit computed for them. It is meant for demo-data generators.
func NewINN10(first9 string) (INN, error) {
	if len(first9) != 9 || !isDigits(first9) {
		return "", newError(CodeINNFormat)
	}
	if isZeros(first9) {
		return "", newError(CodeINNZero)
	}
	return INN(first9 + string(innControl(first9, inn10Weights))), nil
}

// NewINN12 returns the individual's ИНН made of the ten digits first10 and
// the two check digits computed for them. It is meant for demo-data
// generators.
func NewINN12(first10 string) (INN, error) {
	if len(first10) != 10 || !isDigits(first10) {
		return "", newError(CodeINNFormat)
	}
	if isZeros(first10) {
		return "", newError(CodeINNZero)
	}
	first11 := first10 + string(innControl(first10, inn11Weights))
	return INN(first11 + string(innControl(first11, inn12Weights))), nil
}

// innControl returns the check digit c(w) = (Σ dᵢ·wᵢ mod 11) mod 10 for the
// digits of s, which has exactly len(weights) digits.
func innControl(s string, weights []int) byte {
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return byte('0' + sum%11%10)
}
