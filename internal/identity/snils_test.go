package identity_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/otklik/otklik/internal/identity"
)

// refSNILSControl is the reference check number: S mod 101, with 100 → 00.
// For S < 100 this is S, for S = 100 or 101 it is 0, matching DOMAIN.md §2.
func refSNILSControl(first9 string) int {
	return weightedSum(first9, []int{9, 8, 7, 6, 5, 4, 3, 2, 1}) % 101 % 100
}

// snilsValid lists DOMAIN.md §2 valid vectors and the accepted spellings.
var snilsValid = []struct {
	in   string
	want identity.SNILS
}{
	{"112-233-445 95", "11223344595"},
	{"123-500-079 99", "12350007999"},
	{"123-460-000 00", "12346000000"},
	{"123-460-001 00", "12346000100"},
	{"123-460-002 01", "12346000201"},
	{"123-498-999 00", "12349899900"},
	{"123-456-807 49", "12345680749"},
	{"001-001-998 00", "00100199800"}, // not checked
	{"001-001-998 77", "00100199877"}, // not checked
	{"11223344595", "11223344595"},
	{"112 233 445 95", "11223344595"},
	{"112-233-445-95", "11223344595"},
	{"  112-233-445 95  ", "11223344595"},
	{"\t112-233-445 95\r\n", "11223344595"},
	{"\u00a0112\u00a0233\u00a0445\u00a095\u00a0", "11223344595"},
	{"112\u2010233\u2010445 95", "11223344595"},      // hyphen
	{"112\u2011233\u2011445 95", "11223344595"},      // non-breaking hyphen
	{"112\u2013233\u2013445 95", "11223344595"},      // en dash
	{"112\u2014233\u2014445\u201495", "11223344595"}, // em dash
	{"112 - 233 - 445  95", "11223344595"},
	{"1122 334 4595", "11223344595"},
}

// snilsInvalid lists DOMAIN.md §2 invalid vectors and rejected spellings.
var snilsInvalid = []struct {
	in   string
	code string
}{
	{"112-233-445 96", identity.CodeSNILSChecksum},
	{"001-001-999 00", identity.CodeSNILSChecksum}, // S=65, first checked number
	{"123-498-999 100", identity.CodeSNILSFormat},  // wrong length
	{"123-498-999 01", identity.CodeSNILSChecksum},
	{"123-460-000 01", identity.CodeSNILSChecksum},
	{"000-000-000 00", identity.CodeSNILSZero},
	{"00000000000", identity.CodeSNILSZero},
	{"", identity.CodeSNILSFormat},
	{"   ", identity.CodeSNILSFormat},
	{"1122334459", identity.CodeSNILSFormat},
	{"112233445955", identity.CodeSNILSFormat},
	{"112.233.445 95", identity.CodeSNILSFormat},
	{"112_233_445_95", identity.CodeSNILSFormat},
	{"112/233/445 95", identity.CodeSNILSFormat},
	{"-112-233-445 95", identity.CodeSNILSFormat},
	{"112-233-445 95-", identity.CodeSNILSFormat},
	{"112-233-445 9a", identity.CodeSNILSFormat},
	{"СНИЛС 112-233-445 95", identity.CodeSNILSFormat},
	{"112\u2012233\u2012445 95", identity.CodeSNILSFormat},      // figure dash is not listed
	{"112\u2212233\u2212445 95", identity.CodeSNILSFormat},      // minus sign
	{"112\u202f233\u202f445 95", identity.CodeSNILSFormat},      // narrow no-break space inside
	{"\uff11\uff11\uff12-233-445 95", identity.CodeSNILSFormat}, // full-width digits
	{"112-233-445 95\x00", identity.CodeSNILSFormat},
	{"112-233-445\xff95", identity.CodeSNILSFormat},
}

// TestSNILSReference checks the reference formula against the sums that
// DOMAIN.md §2 states, so the other tests rest on verified ground.
func TestSNILSReference(t *testing.T) {
	tests := []struct {
		first9  string
		sum     int
		control int
	}{
		{"112233445", 95, 95},
		{"123500079", 99, 99},
		{"123460000", 100, 0},
		{"123460001", 101, 0},
		{"123460002", 102, 1},
		{"123498999", 201, 0},
		{"123456807", 150, 49},
		{"001001999", 65, 65},
	}
	for _, tt := range tests {
		t.Run(tt.first9, func(t *testing.T) {
			if got, want := weightedSum(tt.first9, []int{9, 8, 7, 6, 5, 4, 3, 2, 1}), tt.sum; got != want {
				t.Errorf("sum = %d, want %d", got, want)
			}
			if got, want := refSNILSControl(tt.first9), tt.control; got != want {
				t.Errorf("control = %d, want %d", got, want)
			}
		})
	}
}

func TestParseSNILS(t *testing.T) {
	for _, tt := range snilsValid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParseSNILS(tt.in)
			if err != nil {
				t.Fatalf("ParseSNILS(%q) error = %v, want nil", tt.in, err)
			}
			if want := tt.want; got != want {
				t.Errorf("ParseSNILS(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
	for _, tt := range snilsInvalid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParseSNILS(tt.in)
			if got != "" {
				t.Errorf("ParseSNILS(%q) = %q, want empty", tt.in, got)
			}
			if got, want := codeOf(err), tt.code; got != want {
				t.Errorf("ParseSNILS(%q) code = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestSNILSString(t *testing.T) {
	tests := []struct {
		in   identity.SNILS
		want string
	}{
		{"11223344595", "112-233-445 95"},
		{"00100199877", "001-001-998 77"},
		{"", ""},
		{"123", "123"},
		{"1122334459x", "1122334459x"},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			if got, want := tt.in.String(), tt.want; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
		})
	}
}

func TestSNILSRoundTrip(t *testing.T) {
	for _, tt := range snilsValid {
		t.Run(tt.in, func(t *testing.T) {
			s, err := identity.ParseSNILS(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{s.String(), string(s)} {
				got, err := identity.ParseSNILS(form)
				if err != nil {
					t.Fatalf("ParseSNILS(%q) error = %v", form, err)
				}
				if want := s; got != want {
					t.Errorf("ParseSNILS(%q) = %q, want %q", form, got, want)
				}
			}
		})
	}
}

func TestNewSNILS(t *testing.T) {
	tests := []struct {
		first9 string
		want   identity.SNILS
		code   string
	}{
		{"112233445", "11223344595", ""},
		{"123500079", "12350007999", ""},
		{"123460000", "12346000000", ""},
		{"123460001", "12346000100", ""},
		{"123460002", "12346000201", ""},
		{"123498999", "12349899900", ""},
		{"123456807", "12345680749", ""},
		{"000000000", "", identity.CodeSNILSZero},
		{"12345678", "", identity.CodeSNILSFormat},
		{"1234567890", "", identity.CodeSNILSFormat},
		{"12345678a", "", identity.CodeSNILSFormat},
		{" 12345678", "", identity.CodeSNILSFormat},
		{"123-456-78", "", identity.CodeSNILSFormat},
	}
	for _, tt := range tests {
		t.Run(tt.first9, func(t *testing.T) {
			got, err := identity.NewSNILS(tt.first9)
			if got != tt.want {
				t.Errorf("NewSNILS(%q) = %q, want %q", tt.first9, got, tt.want)
			}
			if got, want := codeOf(err), tt.code; got != want {
				t.Errorf("NewSNILS(%q) code = %q, want %q", tt.first9, got, want)
			}
		})
	}
}

// randSNILSBody returns nine random digits, not all zero; every fourth is
// drawn near the 001-001-998 threshold so both sides of it are covered.
func randSNILSBody(r *rand.Rand, i int) string {
	for {
		var v int
		if i%4 == 0 {
			v = 1001998 - 5000 + r.IntN(10000)
		} else {
			v = r.IntN(1_000_000_000)
		}
		if v != 0 {
			return fmt.Sprintf("%09d", v)
		}
	}
}

func TestNewSNILSRandom(t *testing.T) {
	r := newRand()
	for i := range 20000 {
		first9 := randSNILSBody(r, i)
		s, err := identity.NewSNILS(first9)
		if err != nil {
			t.Fatalf("NewSNILS(%q) error = %v", first9, err)
		}
		if got, want := string(s), fmt.Sprintf("%s%02d", first9, refSNILSControl(first9)); got != want {
			t.Fatalf("NewSNILS(%q) = %q, want %q", first9, got, want)
		}
		for _, form := range []string{string(s), s.String()} {
			got, err := identity.ParseSNILS(form)
			if err != nil || got != s {
				t.Fatalf("ParseSNILS(%q) = %q, %v, want %q, nil", form, got, err, s)
			}
		}
	}
}

// TestSNILSSingleDigitChange changes every digit of many valid numbers to
// every other value and checks what is true of the rule:
//   - a number not above 001-001-998 is accepted whatever its check number;
//   - a change to the check number of a checked number is always caught;
//   - a change to one of the first nine digits shifts S by w·δ with
//     0 < |w·δ| ≤ 81 < 101, so S mod 101 always changes; it goes unnoticed
//     only when S mod 101 moves between 0 and 100, both of which give 00.
func TestSNILSSingleDigitChange(t *testing.T) {
	weights := []int{9, 8, 7, 6, 5, 4, 3, 2, 1}
	r := newRand()
	var collisions, caught int
	for i := range 3000 {
		first9 := randSNILSBody(r, i)
		s, err := identity.NewSNILS(first9)
		if err != nil {
			t.Fatal(err)
		}
		orig := string(s)
		oldR := weightedSum(orig, weights) % 101
		for pos := range 11 {
			for d := byte('0'); d <= '9'; d++ {
				if orig[pos] == d {
					continue
				}
				m := replaceDigit(orig, pos, d)
				got, err := identity.ParseSNILS(m)
				v, _ := strconv.Atoi(m[:9])
				newR := weightedSum(m, weights) % 101
				switch {
				case m == "00000000000":
					if codeOf(err) != identity.CodeSNILSZero {
						t.Fatalf("ParseSNILS(%q) code = %q, want %q", m, codeOf(err), identity.CodeSNILSZero)
					}
				case v <= 1001998:
					if err != nil || string(got) != m {
						t.Fatalf("ParseSNILS(%q) = %q, %v, want accepted: not checked", m, got, err)
					}
				case pos >= 9:
					if codeOf(err) != identity.CodeSNILSChecksum {
						t.Fatalf("ParseSNILS(%q) code = %q, want %q", m, codeOf(err), identity.CodeSNILSChecksum)
					}
					caught++
				case oldR+newR == 100 && oldR*newR == 0:
					if err != nil {
						t.Fatalf("ParseSNILS(%q) error = %v, want accepted: S mod 101 moved %d → %d", m, err, oldR, newR)
					}
					collisions++
				default:
					if codeOf(err) != identity.CodeSNILSChecksum {
						t.Fatalf("ParseSNILS(%q) from %q code = %q, want %q", m, orig, codeOf(err), identity.CodeSNILSChecksum)
					}
					caught++
				}
			}
		}
	}
	t.Logf("single-digit changes caught: %d, undetectable 0↔100 collisions: %d", caught, collisions)
	if caught == 0 {
		t.Error("no checked changes were exercised")
	}
}

// TestSNILSCollisionExample pins the collision from DOMAIN.md's own vectors:
// 123-460-000 00 (S=100) and 123-460-001 00 (S=101) differ in one digit and
// both are valid.
func TestSNILSCollisionExample(t *testing.T) {
	for _, in := range []string{"123-460-000 00", "123-460-001 00"} {
		if _, err := identity.ParseSNILS(in); err != nil {
			t.Errorf("ParseSNILS(%q) error = %v, want nil", in, err)
		}
	}
}

func FuzzParseSNILS(f *testing.F) {
	for _, tt := range snilsValid {
		f.Add(tt.in)
	}
	for _, tt := range snilsInvalid {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := identity.ParseSNILS(in)
		if err != nil {
			checkCode(t, "snils", in, err)
			if s != "" {
				t.Fatalf("ParseSNILS(%q) = %q with error %v, want empty", in, s, err)
			}
			return
		}
		if len(s) != 11 {
			t.Fatalf("ParseSNILS(%q) = %q, want 11 digits", in, s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				t.Fatalf("ParseSNILS(%q) = %q, want 11 digits", in, s)
			}
		}
		for _, form := range []string{string(s), s.String()} {
			got, err := identity.ParseSNILS(form)
			if err != nil || got != s {
				t.Fatalf("ParseSNILS(%q) = %q, %v, want %q, nil", form, got, err, s)
			}
		}
	})
}

func BenchmarkParseSNILS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := identity.ParseSNILS("112-233-445 95"); err != nil {
			b.Fatal(err)
		}
	}
}
