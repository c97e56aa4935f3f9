package identity_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/otklik/otklik/internal/identity"
)

// emailValid lists accepted addresses and their canonical form.
var emailValid = []struct {
	in   string
	want string
}{
	{"ivan.petrov@example.ru", "ivan.petrov@example.ru"},
	{"Ivan.Petrov@Example.COM", "Ivan.Petrov@example.com"},
	{"  user+tag@mail.ru\t", "user+tag@mail.ru"},
	{"\u00a0user@mail.ru\u00a0", "user@mail.ru"},
	{"first_last-1@sub.example.co.uk", "first_last-1@sub.example.co.uk"},
	{"иван@почта.рф", "иван@почта.рф"},
	{"Иван@ПОЧТА.РФ", "Иван@почта.рф"},
	{"user@xn--80a1acny.xn--p1ai", "user@xn--80a1acny.xn--p1ai"},
	{"a@b.cd", "a@b.cd"},
	{"user@123.example", "user@123.example"},
	{"o'brien@example.ie", "o'brien@example.ie"},
	{strings.Repeat("a", 64) + "@example.ru", strings.Repeat("a", 64) + "@example.ru"},
	{"a@" + strings.Repeat("b", 63) + ".ru", "a@" + strings.Repeat("b", 63) + ".ru"},
	{longEmail(254), longEmail(254)},
}

// emailInvalid lists rejected inputs.
var emailInvalid = []string{
	"",
	"   ",
	"ivan",
	"ivan@",
	"@example.ru",
	"ivan@example",
	"ivan@@example.ru",
	"Ivan <ivan@example.ru>",
	"<ivan@example.ru>",
	"ivan@example.ru (Ivan)",
	`"ivan"@example.ru`,
	`"iv an"@example.ru`,
	`"iv@an"@example.ru`,
	"iv an@example.ru",
	"ivan@exa mple.ru",
	"ivan@example.ru, petr@example.ru",
	"ivan..petrov@example.ru",
	".ivan@example.ru",
	"ivan.@example.ru",
	"ivan@example..ru",
	"ivan@.example.ru",
	"ivan@example.ru.",
	"ivan@-example.ru",
	"ivan@example-.ru",
	"ivan@exa_mple.ru",
	"ivan@exa!mple.ru",
	"ivan@[127.0.0.1]",
	"ivan@127.0.0.1",
	"ivan@example.123",
	"ivan\u200b@example.ru",
	"ivan@example.ru\u00ad",
	"ivan@exam\u200dple.ru",
	"iv\x00an@example.ru",
	"ivan@exa\nmple.ru",
	"ivan@example.ru\xff",
	"ivan@почта.\u0301рф",
	strings.Repeat("a", 65) + "@example.ru",
	"a@" + strings.Repeat("b", 64) + ".ru",
	longEmail(255),
}

// longEmail returns a valid address of exactly n bytes.
func longEmail(n int) string {
	const local = "user@"
	domain := strings.Repeat(strings.Repeat("d", 62)+".", 4) + "ru"
	return local + domain[len(domain)-(n-len(local)):]
}

func TestParseEmail(t *testing.T) {
	for _, tt := range emailValid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := identity.ParseEmail(tt.in)
			if err != nil {
				t.Fatalf("ParseEmail(%q) error = %v, want nil", tt.in, err)
			}
			if want := tt.want; got != want {
				t.Errorf("ParseEmail(%q) = %q, want %q", tt.in, got, want)
			}
			again, err := identity.ParseEmail(got)
			if err != nil || again != got {
				t.Errorf("ParseEmail(%q) = %q, %v, want %q, nil", got, again, err, got)
			}
		})
	}
	for _, in := range emailInvalid {
		t.Run(in, func(t *testing.T) {
			got, err := identity.ParseEmail(in)
			if got != "" {
				t.Errorf("ParseEmail(%q) = %q, want empty", in, got)
			}
			if got, want := codeOf(err), identity.CodeEmailFormat; got != want {
				t.Errorf("ParseEmail(%q) code = %q, want %q", in, got, want)
			}
		})
	}
}

func TestLongEmail(t *testing.T) {
	for _, n := range []int{254, 255} {
		if got, want := len(longEmail(n)), n; got != want {
			t.Errorf("len(longEmail(%d)) = %d, want %d", n, got, want)
		}
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, tt := range emailValid {
		f.Add(tt.in)
	}
	for _, in := range emailInvalid {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := identity.ParseEmail(in)
		if err != nil {
			checkCode(t, "email", in, err)
			if e != "" {
				t.Fatalf("ParseEmail(%q) = %q with error %v, want empty", in, e, err)
			}
			return
		}
		if len(e) > 254 || strings.Count(e, "@") < 1 {
			t.Fatalf("ParseEmail(%q) = %q, want at most 254 bytes with an @", in, e)
		}
		if i := strings.IndexFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
			t.Fatalf("ParseEmail(%q) = %q, contains a space or control character", in, e)
		}
		domain := e[strings.LastIndexByte(e, '@')+1:]
		if domain != strings.ToLower(domain) || !strings.Contains(domain, ".") {
			t.Fatalf("ParseEmail(%q) = %q, want a lower-case domain with a dot", in, e)
		}
		got, err := identity.ParseEmail(e)
		if err != nil || got != e {
			t.Fatalf("ParseEmail(%q) = %q, %v, want %q, nil (from %q)", e, got, err, e, in)
		}
	})
}
