package identity_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/identity"
)

// Weights of the ИНН check digits, copied from DOMAIN.md §2.
var (
	refINN10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	refINN11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	refINN12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// innRemainders returns Σ dᵢ·wᵢ mod 11 for each check digit of s: one value
// for a 10-digit ИНН, two for a 12-digit one.
func innRemainders(s string) []int {
	if len(s) == 10 {
		return []int{weightedSum(s, refINN10) % 11}
	}
	return []int{weightedSum(s, refINN11) % 11, weightedSum(s, refINN12) % 11}
}

// innValid lists DOMAIN.md §2 valid vectors and accepted spellings.
var innValid = []struct {
	in   string
	want identity.INN
}{
	{"7707083893", "7707083893"},
	{"7830002293", "7830002293"},
	{"1234567894", "1234567894"},
	{"7707083830", "7707083830"}, // remainder 10 → 0
	{"500100732259", "500100732259"},
	{"123456789047", "123456789047"},
	{"366220664163", "366220664163"},
	{"  7707083893  ", "7707083893"},
	{"\t500100732259\n", "500100732259"},
	{"\u00a07707083893\u00a0", "7707083893"},
}

// innInvalid lists DOMAIN.md §2 invalid vectors and rejected spellings.
var innInvalid = []struct {
	in   string
	code string
}{
	{"7707083890", identity.CodeINNChecksum},
	{"1234567895", identity.CodeINNChecksum},
	{"500100732258", identity.CodeINNChecksum},
	{"123456789037", identity.CodeINNChecksum},
	{"500100732249", identity.CodeINNChecksum}, // 11th digit wrong
	{"123456789", identity.CodeINNFormat},
	{"12345678901", identity.CodeINNFormat},
	{"1234567890123", identity.CodeINNFormat},
	{"0000000000", identity.CodeINNZero},
	{"000000000000", identity.CodeINNZero},
	{"", identity.CodeINNFormat},
	{"  ", identity.CodeINNFormat},
	{"77070838 93", identity.CodeINNFormat},
	{"7707-083893", identity.CodeINNFormat},
	{"770708389a", identity.CodeINNFormat},
	{"+7707083893", identity.CodeINNFormat},
	{"\uff17707083893", identity.CodeINNFormat}, // full-width 7
	{"ИНН 7707083893", identity.CodeINNFormat},
	{"7707083893\x00", identity.CodeINNFormat},
}

// TestINNReference checks the reference sums against DOMAIN.md §2.
func TestINNReference(t *testing.T) {
	tests := []struct {
		digits  string
		weights []int
		sum     int
	}{
		{"770708389", refINN10, 267},
		{"5001007322", refINN11, 148},
		{"50010073225", refINN12, 141},
	}
	for _, tt := range tests {
		t.Run(tt.digits, func(t *testing.T) {
			if got, want := weightedSum(tt.digits, tt.weights), tt.sum; got != want {
				t.Errorf("sum = %d, want %d", got, want)
			}
		})
	}
}

func TestParseINN(t *testing.T) {
	for _, tt := range innValid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParseINN(tt.in)
			if err != nil {
				t.Fatalf("ParseINN(%q) error = %v, want nil", tt.in, err)
			}
			if want := tt.want; got != want {
				t.Errorf("ParseINN(%q) = %q, want %q", tt.in, got, want)
			}
			if got, want := got.IsLegalEntity(), len(tt.want) == 10; got != want {
				t.Errorf("IsLegalEntity() = %v, want %v", got, want)
			}
			again, err := identity.ParseINN(string(got))
			if err != nil || again != got {
				t.Errorf("ParseINN(%q) = %q, %v, want %q, nil", got, again, err, got)
			}
		})
	}
	for _, tt := range innInvalid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParseINN(tt.in)
			if got != "" {
				t.Errorf("ParseINN(%q) = %q, want empty", tt.in, got)
			}
			if got, want := codeOf(err), tt.code; got != want {
				t.Errorf("ParseINN(%q) code = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestNewINN(t *testing.T) {
	tests := []struct {
		name string
		new  func(string) (identity.INN, error)
		in   string
		want identity.INN
		code string
	}{
		{"10", identity.NewINN10, "770708389", "7707083893", ""},
		{"10", identity.NewINN10, "783000229", "7830002293", ""},
		{"10", identity.NewINN10, "123456789", "1234567894", ""},
		{"10", identity.NewINN10, "770708383", "7707083830", ""},
		{"10", identity.NewINN10, "000000000", "", identity.CodeINNZero},
		{"10", identity.NewINN10, "77070838", "", identity.CodeINNFormat},
		{"10", identity.NewINN10, "7707083893", "", identity.CodeINNFormat},
		{"10", identity.NewINN10, "77070838a", "", identity.CodeINNFormat},
		{"12", identity.NewINN12, "5001007322", "500100732259", ""},
		{"12", identity.NewINN12, "1234567890", "123456789047", ""},
		{"12", identity.NewINN12, "3662206641", "366220664163", ""},
		{"12", identity.NewINN12, "0000000000", "", identity.CodeINNZero},
		{"12", identity.NewINN12, "500100732", "", identity.CodeINNFormat},
		{"12", identity.NewINN12, "50010073225", "", identity.CodeINNFormat},
		{"12", identity.NewINN12, " 500100732", "", identity.CodeINNFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.in, func(t *testing.T) {
			got, err := tt.new(tt.in)
			if got != tt.want {
				t.Errorf("NewINN%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
			}
			if got, want := codeOf(err), tt.code; got != want {
				t.Errorf("NewINN%s(%q) code = %q, want %q", tt.name, tt.in, got, want)
			}
		})
	}
}

func TestNewINNRandom(t *testing.T) {
	r := newRand()
	for i := range 20000 {
		var (
			inn identity.INN
			err error
			in  string
		)
		if i%2 == 0 {
			in = randDigits(r, 9)
			inn, err = identity.NewINN10(in)
		} else {
			in = randDigits(r, 10)
			inn, err = identity.NewINN12(in)
		}
		if strings.Trim(in, "0") == "" {
			continue
		}
		if err != nil {
			t.Fatalf("NewINN(%q) error = %v", in, err)
		}
		if !strings.HasPrefix(string(inn), in) || len(inn) != len(in)+1+i%2 {
			t.Fatalf("NewINN(%q) = %q, want %q followed by check digits", in, inn, in)
		}
		for k, rem := range innRemainders(string(inn)) {
			if got, want := inn[len(in)+k], byte('0'+rem%10); got != want {
				t.Fatalf("NewINN(%q) = %q: check digit %d = %c, want %c", in, inn, k+1, got, want)
			}
		}
		got, err := identity.ParseINN(string(inn))
		if err != nil || got != inn {
			t.Fatalf("ParseINN(%q) = %q, %v, want %q, nil", inn, got, err, inn)
		}
	}
}

// TestINNSingleDigitChange changes every digit of many valid numbers to
// every other value. The brief expected every such change to fail with
// inn.checksum; that is not quite true, and this test pins what is:
//   - a change to a check digit is always caught: its value is determined
//     by the digits before it;
//   - a change to an earlier digit shifts each weighted sum by w·δ, and all
//     weights are coprime to 11, so each remainder mod 11 changes; the
//     change goes unnoticed only when every affected remainder moves
//     between 0 and 10, which both give the check digit 0;
//   - a change that yields all zeros is inn.zero.
func TestINNSingleDigitChange(t *testing.T) {
	r := newRand()
	var collisions, caught int
	for i := range 4000 {
		var inn identity.INN
		var err error
		if i%2 == 0 {
			inn, err = identity.NewINN10(randDigits(r, 9))
		} else {
			inn, err = identity.NewINN12(randDigits(r, 10))
		}
		if err != nil {
			continue // all-zero body
		}
		orig := string(inn)
		oldR := innRemainders(orig)
		firstCheck := len(orig) - len(oldR)
		for pos := range len(orig) {
			for d := byte('0'); d <= '9'; d++ {
				if orig[pos] == d {
					continue
				}
				m := replaceDigit(orig, pos, d)
				_, err := identity.ParseINN(m)
				newR := innRemainders(m)
				// A body digit goes unnoticed only if every remainder moved
				// between 0 and 10; a changed check digit is always noticed.
				unnoticed := pos < firstCheck
				for k := range newR {
					if pos < firstCheck && oldR[k] == newR[k] {
						t.Fatalf("%q → %q: remainder %d unchanged at %d, want changed (weights are coprime to 11)", orig, m, k+1, oldR[k])
					}
					if oldR[k]+newR[k] != 10 || oldR[k]*newR[k] != 0 {
						unnoticed = false
					}
				}
				switch {
				case strings.Trim(m, "0") == "":
					if got, want := codeOf(err), identity.CodeINNZero; got != want {
						t.Fatalf("ParseINN(%q) code = %q, want %q", m, got, want)
					}
				case unnoticed:
					if err != nil {
						t.Fatalf("ParseINN(%q) from %q error = %v, want accepted: remainders %v → %v", m, orig, err, oldR, newR)
					}
					collisions++
				default:
					if got, want := codeOf(err), identity.CodeINNChecksum; got != want {
						t.Fatalf("ParseINN(%q) from %q code = %q, want %q (remainders %v → %v)", m, orig, got, want, oldR, newR)
					}
					caught++
				}
			}
		}
	}
	t.Logf("single-digit changes caught: %d, undetectable 0↔10 collisions: %d", caught, collisions)
	if collisions == 0 || caught == 0 {
		t.Errorf("caught = %d, collisions = %d: want both kinds exercised", caught, collisions)
	}
}

// TestINNCollisionExample pins one undetectable single-digit change:
// 7707083830 (remainder 10 → 0) and 7700083830 (remainder 0) are both valid.
func TestINNCollisionExample(t *testing.T) {
	for _, in := range []string{"7707083830", "7700083830"} {
		if _, err := identity.ParseINN(in); err != nil {
			t.Errorf("ParseINN(%q) error = %v, want nil", in, err)
		}
	}
}

func FuzzParseINN(f *testing.F) {
	for _, tt := range innValid {
		f.Add(tt.in)
	}
	for _, tt := range innInvalid {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		inn, err := identity.ParseINN(in)
		if err != nil {
			checkCode(t, "inn", in, err)
			if inn != "" {
				t.Fatalf("ParseINN(%q) = %q with error %v, want empty", in, inn, err)
			}
			return
		}
		if len(inn) != 10 && len(inn) != 12 {
			t.Fatalf("ParseINN(%q) = %q, want 10 or 12 digits", in, inn)
		}
		if got, want := inn.IsLegalEntity(), len(inn) == 10; got != want {
			t.Fatalf("IsLegalEntity(%q) = %v, want %v", inn, got, want)
		}
		got, err := identity.ParseINN(string(inn))
		if err != nil || got != inn {
			t.Fatalf("ParseINN(%q) = %q, %v, want %q, nil", inn, got, err, inn)
		}
	})
}

func BenchmarkParseINN(b *testing.B) {
	for _, in := range []string{"7707083893", "500100732259"} {
		b.Run(fmt.Sprint(len(in)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := identity.ParseINN(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
