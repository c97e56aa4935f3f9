package identity_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/otklik/otklik/internal/identity"
)

// phoneValid lists DOMAIN.md §6 vectors and other accepted spellings.
var phoneValid = []struct {
	in      string
	want    identity.Phone
	display string
	region  string
}{
	{"8 (800) 555-35-35", "+78005553535", "+7 800 555-35-35", "RU"},
	{"88005553535", "+78005553535", "+7 800 555-35-35", "RU"},
	{"+7 800 555 35 35", "+78005553535", "+7 800 555-35-35", "RU"},
	{"89161234567", "+79161234567", "+7 916 123-45-67", "RU"},
	{"9161234567", "+79161234567", "+7 916 123-45-67", "RU"},
	{"7 916 1234567", "+79161234567", "+7 916 123-45-67", "RU"},
	{"+7 (916) 123-45-67", "+79161234567", "+7 916 123-45-67", "RU"},
	{"  +7\u00a0916\u00a0123\u201145\u201167  ", "+79161234567", "+7 916 123-45-67", "RU"},
	{"8 495 1234567", "+74951234567", "+7 495 123-45-67", "RU"},
	{"8 916 123-45-67 доб. 123", "+79161234567", "+7 916 123-45-67", "RU"},
	{"8 916 123-45-67 ДОБ 123", "+79161234567", "+7 916 123-45-67", "RU"},
	{"+7 495 123-45-67 ext. 5", "+74951234567", "+7 495 123-45-67", "RU"},
	{"+7 495 123-45-67 x5", "+74951234567", "+7 495 123-45-67", "RU"},
	{"+7 495 123-45-67 #5", "+74951234567", "+7 495 123-45-67", "RU"},
	{"+7 7172 123456", "+77172123456", "+7 7172 12 34 56", "KZ"},
	{"+7 701 123 4567", "+77011234567", "+7 701 123 4567", "KZ"},
	{"87011234567", "+77011234567", "+7 701 123 4567", "KZ"},
	{"+44 20 7946 0958", "+442079460958", "+44 20 7946 0958", "GB"},
	{"+1 800 356 9377", "+18003569377", "+1 800-356-9377", "US"},
	{"+375 29 123-45-67", "+375291234567", "+375 29 123-45-67", "BY"},
	{phoneOfLen(64), "+79161234567", "+7 916 123-45-67", "RU"},
	{"\uff18\uff19\uff11\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17", "+79161234567", "+7 916 123-45-67", "RU"},
}

// phoneInvalid lists rejected inputs.
var phoneInvalid = []struct {
	in   string
	code string
}{
	{"", identity.CodePhoneFormat},
	{"   ", identity.CodePhoneFormat},
	{"abc", identity.CodePhoneFormat},
	{"1-800-FLOWERS", identity.CodePhoneFormat},
	{"Tel 89161234567", identity.CodePhoneFormat},
	{"тел. 8 916 123-45-67", identity.CodePhoneFormat},
	{"89161234567abc", identity.CodePhoneFormat},
	{"8916123456o", identity.CodePhoneFormat}, // letter o for zero
	{"tel:+79161234567", identity.CodePhoneFormat},
	{"8 916 123-45-67 доб. abc", identity.CodePhoneFormat},
	{"8 916\x00123-45-67", identity.CodePhoneFormat},
	{"8 916 123\n45 67", identity.CodePhoneFormat},
	{"8 916 123-45-67\xff", identity.CodePhoneFormat},
	{"+" + strings.Repeat("7", 64), identity.CodePhoneFormat},
	{phoneOfLen(65), identity.CodePhoneFormat},
	{"1", identity.CodePhoneFormat},
	{"12345", identity.CodePhoneInvalid},
	{"+7 000 000 00 00", identity.CodePhoneInvalid},
	{"8 916 123", identity.CodePhoneInvalid},
	{"+7 916 123-45-678", identity.CodePhoneInvalid},
}

// phoneOfLen returns "8 916 123-45-67", spaces and "доб. 1", n bytes long.
func phoneOfLen(n int) string {
	const head, tail = "8 916 123-45-67", "доб. 1"
	return head + strings.Repeat(" ", n-len(head)-len(tail)) + tail
}

func TestPhoneOfLen(t *testing.T) {
	for _, n := range []int{64, 65} {
		if got, want := len(phoneOfLen(n)), n; got != want {
			t.Errorf("len(phoneOfLen(%d)) = %d, want %d", n, got, want)
		}
	}
}

func TestParsePhone(t *testing.T) {
	for _, tt := range phoneValid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParsePhone(tt.in)
			if err != nil {
				t.Fatalf("ParsePhone(%q) error = %v, want nil", tt.in, err)
			}
			if want := tt.want; got != want {
				t.Errorf("ParsePhone(%q) = %q, want %q", tt.in, got, want)
			}
			if got, want := got.Display(), tt.display; got != want {
				t.Errorf("Display() = %q, want %q", got, want)
			}
			if got, want := got.Region(), tt.region; got != want {
				t.Errorf("Region() = %q, want %q", got, want)
			}
		})
	}
	for _, tt := range phoneInvalid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParsePhone(tt.in)
			if got != "" {
				t.Errorf("ParsePhone(%q) = %q, want empty", tt.in, got)
			}
			if got, want := codeOf(err), tt.code; got != want {
				t.Errorf("ParsePhone(%q) code = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestPhoneRoundTrip(t *testing.T) {
	for _, tt := range phoneValid {
		t.Run(tt.in, func(t *testing.T) {
			p, err := identity.ParsePhone(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{string(p), p.Display()} {
				got, err := identity.ParsePhone(form)
				if err != nil || got != p {
					t.Errorf("ParsePhone(%q) = %q, %v, want %q, nil", form, got, err, p)
				}
			}
		})
	}
}

func TestPhoneUnparsable(t *testing.T) {
	for _, p := range []identity.Phone{"", "not a phone"} {
		t.Run(string(p), func(t *testing.T) {
			if got, want := p.Display(), string(p); got != want {
				t.Errorf("Display() = %q, want %q", got, want)
			}
			if got, want := p.Region(), ""; got != want {
				t.Errorf("Region() = %q, want %q", got, want)
			}
		})
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, tt := range phoneValid {
		f.Add(tt.in)
	}
	for _, tt := range phoneInvalid {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := identity.ParsePhone(in)
		if err != nil {
			checkCode(t, "phone", in, err)
			if p != "" {
				t.Fatalf("ParsePhone(%q) = %q with error %v, want empty", in, p, err)
			}
			return
		}
		if !strings.HasPrefix(string(p), "+") || len(p) < 3 || strings.Trim(string(p[1:]), "0123456789") != "" {
			t.Fatalf("ParsePhone(%q) = %q, want + and digits", in, p)
		}
		for _, form := range []string{string(p), p.Display()} {
			got, err := identity.ParsePhone(form)
			if err != nil || got != p {
				t.Fatalf("ParsePhone(%q) = %q, %v, want %q, nil (from %q)", form, got, err, p, in)
			}
		}
		if p.Region() == "" {
			t.Fatalf("Region(%q) = \"\", want a region", p)
		}
	})
}

func BenchmarkParsePhone(b *testing.B) {
	for _, in := range []string{"+79161234567", "8 (916) 123-45-67 доб. 123"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := identity.ParsePhone(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRussianMobileFastPath checks that the fast path answers exactly as the library does: for every
// 9xx prefix and in every notation it accepts.
func TestRussianMobileFastPath(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 9))
	for p := 900; p <= 999; p++ {
		for k := 0; k < 20; k++ {
			sub := rnd.IntN(10_000_000)
			digits := fmt.Sprintf("%d%07d", p, sub)
			for _, in := range []string{"+7" + digits, "8" + digits, "7" + digits, digits,
				fmt.Sprintf("+7 (%d) %03d-%02d-%02d", p, sub/10000, sub/100%100, sub%100),
				fmt.Sprintf("8 %d %07d", p, sub)} {
				fast, ok := identity.RussianMobileForTest(in)
				if !ok {
					t.Fatalf("fast path refused %q", in)
				}
				n, err := phonenumbers.Parse(in, "RU")
				if err != nil || !phonenumbers.IsValidNumber(n) || phonenumbers.GetRegionCodeForNumber(n) != "RU" {
					t.Fatalf("library does not accept %q as a Russian number", in)
				}
				if want := phonenumbers.Format(n, phonenumbers.E164); string(fast) != want {
					t.Fatalf("%q: fast path %s, library %s", in, fast, want)
				}
			}
		}
	}
	for _, in := range []string{"+7 495 123-45-67", "+77011234567", "89161234567 доб. 5", "+8 916 123 45 67", "916123456", "+7916123456789", "7(916)1234567x"} {
		if p, ok := identity.RussianMobileForTest(in); ok {
			t.Errorf("fast path took %q as %s", in, p)
		}
	}
}

func BenchmarkParsePhoneMobile(b *testing.B) {
	for b.Loop() {
		if _, err := identity.ParsePhone("8 (916) 123-45-67"); err != nil {
			b.Fatal(err)
		}
	}
}
