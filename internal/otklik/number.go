package otklik

import (
	"strconv"
	"strings"
)

// A ticket number is what a citizen reads aloud over the phone and types into a subject line:
// "26-104217-3" — the two-digit year of registration (Moscow time), the year's sequence number (it
// starts at 100001 so that it never begins with a zero, and grows past six digits when it must) and a
// Damm check digit over all the digits before it, which catches every single wrong digit and every swap
// of two neighbouring digits.

// FirstSequence is the first sequence number of each year.
const FirstSequence = 100001

// FormatNumber returns the ticket number for a two-digit year and a sequence number.
func FormatNumber(year int, seq int64) string {
	yy := year % 100
	digits := make([]byte, 0, 16)
	digits = append(digits, byte('0'+yy/10), byte('0'+yy%10))
	digits = strconv.AppendInt(digits, seq, 10)
	check := damm(digits)
	b := make([]byte, 0, len(digits)+4)
	b = append(b, digits[:2]...)
	b = append(b, '-')
	b = append(b, digits[2:]...)
	b = append(b, '-', byte('0'+check))
	return string(b)
}

// ParseNumber accepts a ticket number as people write it — with or without hyphens, with spaces,
// Unicode dashes or a leading «№» — and returns its canonical form. The error is EINVALID with the
// key "ticket.number".
func ParseNumber(s string) (string, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "№")
	s = strings.TrimPrefix(s, "N")
	var digits []byte
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '-' || r == ' ' || r == '\u00a0' || r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '.':
		default:
			return "", badNumber()
		}
		if len(digits) > 20 {
			return "", badNumber()
		}
	}
	// Two year digits, at least six sequence digits, one check digit.
	if len(digits) < 9 || digits[2] == '0' {
		return "", badNumber()
	}
	if damm(digits[:len(digits)-1]) != int(digits[len(digits)-1]-'0') {
		return "", badNumber()
	}
	seq, err := strconv.ParseInt(string(digits[2:len(digits)-1]), 10, 64)
	if err != nil {
		return "", badNumber()
	}
	year := int(digits[0]-'0')*10 + int(digits[1]-'0')
	return FormatNumber(year, seq), nil
}

func badNumber() error {
	return &Error{Code: EINVALID, Key: "ticket.number", Fields: []FieldError{{Field: "number", Key: "ticket.number"}}}
}

// dammTable is the quasigroup of the Damm algorithm (order 10, weakly totally anti-symmetric).
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

func damm(digits []byte) int {
	var interim byte
	for _, d := range digits {
		interim = dammTable[interim][d-'0']
	}
	return int(interim)
}
