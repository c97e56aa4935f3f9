package identity_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/identity"
)

// codeOf returns the Code of err if it is an *identity.Error, "" for nil,
// and "not an *identity.Error" otherwise.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *identity.Error
	if !errors.As(err, &e) {
		return "not an *identity.Error"
	}
	return e.Code
}

// newRand returns a deterministic random source, so failures reproduce.
func newRand() *rand.Rand {
	return rand.New(rand.NewPCG(20261123, 59))
}

// randDigits returns n random ASCII digits.
func randDigits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// weightedSum returns Σ dᵢ·wᵢ over the digits of s; it is the reference the
// tests check the package against, written independently of it.
func weightedSum(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return sum
}

// replaceDigit returns s with the byte at i replaced by d.
func replaceDigit(s string, i int, d byte) string {
	return s[:i] + string(d) + s[i+1:]
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		code string
		want string
	}{
		{identity.CodeSNILSChecksum, "snils.checksum: "},
		{identity.CodeINNZero, "inn.zero: "},
		{identity.CodeEmailFormat, "email.format: "},
		{"unknown.code", "unknown.code"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got := (&identity.Error{Code: tt.code}).Error()
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("Error() = %q, want prefix %q", got, tt.want)
			}
			if tt.want != tt.code && len(got) <= len(tt.want) {
				t.Errorf("Error() = %q, want an English hint after the code", got)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	_, err := identity.ParseSNILS("112-233-445 96")
	if got, want := errors.Is(err, &identity.Error{Code: identity.CodeSNILSChecksum}), true; got != want {
		t.Errorf("errors.Is(%v, snils.checksum) = %v, want %v", err, got, want)
	}
	if got, want := errors.Is(err, &identity.Error{Code: identity.CodeSNILSFormat}), false; got != want {
		t.Errorf("errors.Is(%v, snils.format) = %v, want %v", err, got, want)
	}
}

// allCodes lists every code the package may return, per identifier.
var allCodes = map[string][]string{
	"snils": {identity.CodeSNILSFormat, identity.CodeSNILSChecksum, identity.CodeSNILSZero},
	"inn":   {identity.CodeINNFormat, identity.CodeINNChecksum, identity.CodeINNZero},
	"ogrn":  {identity.CodeOGRNFormat, identity.CodeOGRNChecksum},
	"phone": {identity.CodePhoneFormat, identity.CodePhoneInvalid},
	"email": {identity.CodeEmailFormat},
}

// checkCode fails tb unless err carries one of the codes of kind.
func checkCode(tb testing.TB, kind, input string, err error) {
	tb.Helper()
	got := codeOf(err)
	for _, c := range allCodes[kind] {
		if got == c {
			return
		}
	}
	tb.Fatalf("Parse(%q) error code = %q, want one of %v", input, got, allCodes[kind])
}
