package identity_test

import (
	"math/big"
	"testing"

	"github.com/otklik/otklik/internal/identity"
)

// refOGRNRemainder returns the body of s (all digits but the last) mod 11
// for 13 digits or mod 13 for 15, computed with math/big as a reference
// independent of the package's uint64 arithmetic.
func refOGRNRemainder(s string) int64 {
	body, ok := new(big.Int).SetString(s[:len(s)-1], 10)
	if !ok {
		panic("bad digits " + s)
	}
	mod := big.NewInt(11)
	if len(s) == 15 {
		mod = big.NewInt(13)
	}
	return new(big.Int).Mod(body, mod).Int64()
}

func TestOGRNReference(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1027700132195", 5},
		{"1027700132240", 10},
		{"304500116000157", 7},
		{"304500116000180", 10},
		{"304500116000191", 11},
		{"304500116000202", 12},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, want := refOGRNRemainder(tt.in), tt.want; got != want {
				t.Errorf("remainder = %d, want %d", got, want)
			}
		})
	}
}

func TestParseOGRN(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code string
	}{
		{"1027700132195", "1027700132195", ""},
		{"1037739010891", "1037739010891", ""},
		{"1027700132240", "1027700132240", ""}, // remainder 10 → 0
		{"304500116000157", "304500116000157", ""},
		{"304500116000180", "304500116000180", ""}, // remainder 10 → 0
		{"304500116000191", "304500116000191", ""}, // remainder 11 → 1
		{"304500116000202", "304500116000202", ""}, // remainder 12 → 2
		{" 1027700132195\t", "1027700132195", ""},
		{"1027700132196", "", identity.CodeOGRNChecksum},
		{"304500116000158", "", identity.CodeOGRNChecksum},
		{"304500116000181", "", identity.CodeOGRNChecksum},
		{"102770013219", "", identity.CodeOGRNFormat},
		{"10277001321955", "", identity.CodeOGRNFormat},
		{"3045001160001577", "", identity.CodeOGRNFormat},
		{"0000000000000", "", identity.CodeOGRNFormat},
		{"000000000000000", "", identity.CodeOGRNFormat},
		{"102770013219a", "", identity.CodeOGRNFormat},
		{"1027700 132195", "", identity.CodeOGRNFormat},
		{"+102770013219", "", identity.CodeOGRNFormat},
		{"", "", identity.CodeOGRNFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParseOGRN(tt.in)
			if tt.code == "" && got != tt.want {
				t.Errorf("ParseOGRN(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if tt.code != "" && got != "" {
				t.Errorf("ParseOGRN(%q) = %q, want empty", tt.in, got)
			}
			if got, want := codeOf(err), tt.code; got != want {
				t.Errorf("ParseOGRN(%q) code = %q, want %q", tt.in, got, want)
			}
		})
	}
}

// TestOGRNRandom builds synthetic numbers of both lengths with the big.Int
// reference and checks that ParseOGRN accepts them and catches every change
// of the check digit.
func TestOGRNRandom(t *testing.T) {
	r := newRand()
	for i := range 20000 {
		body := randDigits(r, 12+2*(i%2)) // 12 or 14 digits
		if isAllZero(body) {
			continue
		}
		s := body + "0" // the check digit does not enter the remainder
		s = body + string(byte('0'+refOGRNRemainder(s)%10))
		got, err := identity.ParseOGRN(s)
		if err != nil || got != s {
			t.Fatalf("ParseOGRN(%q) = %q, %v, want %q, nil", s, got, err, s)
		}
		for d := byte('0'); d <= '9'; d++ {
			if d == s[len(s)-1] {
				continue
			}
			m := replaceDigit(s, len(s)-1, d)
			if _, err := identity.ParseOGRN(m); codeOf(err) != identity.CodeOGRNChecksum {
				t.Fatalf("ParseOGRN(%q) code = %q, want %q", m, codeOf(err), identity.CodeOGRNChecksum)
			}
		}
	}
}

// isAllZero reports whether s holds only the digit '0'.
func isAllZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
