package russian

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii already normal", "error 500", "error 500"},
		{"yo lower", "счёт", "счет"},
		{"yo upper", "ЁЛКИ", "елки"},
		{"yo capitalised", "Ёж и Пётр", "еж и петр"},
		{"yo decomposed upper", "Е\u0308лки", "елки"},
		{"yo decomposed lower", "сче\u0308т", "счет"},
		{"soft hyphen", "заяв\u00adле\u00adние", "заявление"},
		{"zero-width", "па\u200bро\u200cль\u200d\u2060\ufeff", "пароль"},
		{"bom at start", "\ufeffПривет", "привет"},
		{"zero-width between spaces", "a \u200b b", "a b"},
		{"nbsp", "ошибка\u00a0500", "ошибка 500"},
		{"white space runs", " \t a\n\r\n b\u2003\u3000c\u2028d\u0085e ", "a b c d e"},
		{"only space", " \u00a0\t\u200b ", ""},
		{"mixed case", "ГосУслуги HeLLo", "госуслуги hello"},
		{"nfd short i", "и\u0306", "й"},
		{"nfd short i upper", "И\u0306ОШКАР-ОЛА", "йошкар-ола"},
		{"nfd latin", "cafe\u0301", "café"},
		{"invisible between letter and mark", "и\u200b\u0306", "й"},
		{"folding uncovers a composition", "Ё\u0300", "\u0450"}, // е + grave is ѐ
		{"dotted capital i lowers to ascii", "İSTANBUL", "istanbul"},
		{"canonical singleton", "\u212b", "å"}, // ANGSTROM SIGN
		{"stress mark kept", "зая\u0301вление", "зая\u0301вление"},
		{"punctuation kept", "«Ошибка!» — №5", "«ошибка!» — №5"},
		{"invalid utf-8", "a\xffb\xd0", "a\ufffdb\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNFCInert checks the hand-written ranges of nfcInert against the Unicode
// tables of golang.org/x/text: a string of inert runes must be NFC.
func TestNFCInert(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !nfcInert(r) {
			continue
		}
		s := string(r)
		p := norm.NFC.PropertiesString(s)
		if p.CCC() != 0 || !p.BoundaryBefore() || !norm.NFC.IsNormalString(s) {
			t.Errorf("nfcInert(%U) = true, but CCC %d, BoundaryBefore %t, IsNormal %t",
				r, p.CCC(), p.BoundaryBefore(), norm.NFC.IsNormalString(s))
		}
	}
}

// randomText returns a string of up to n pieces drawn from what makes
// normalisation hard: Cyrillic and Latin letters of both cases, ё, combining
// marks, white space, invisible characters, punctuation, digits, emoji, any
// rune at all and invalid UTF-8.
func randomText(rng *rand.Rand, n int) string {
	pieces := []string{
		"а", "Я", "ё", "Ё", "е", "Е", "и", "й", "ь", "a", "Z", "ß", "İ", "ǅ", "Å",
		"\u0300", "\u0301", "\u0306", "\u0308", "\u0323", "\u0483", "\u1100", "\u1161", "\u11a8", "가",
		" ", "\t", "\n", "\u00a0", "\u2003", "\u3000",
		"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
		"-", ".", "\"", "«", "»", "№", "*", ":", "(", "@",
		"0", "7", "٣", "²", "😀", "\xff", "\xd0", "\xe2\x80",
		"заявление", "ОШИБКА", "счёт", "e-mail", "26-123456-7",
	}
	var b strings.Builder
	for range rng.IntN(n + 1) {
		if rng.IntN(8) == 0 {
			b.WriteRune(rng.Int32N(utf8.MaxRune + 1))
			continue
		}
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func TestNormalizeProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 59))
	for range 20000 {
		s := randomText(rng, 24)
		got := Normalize(s)
		if again := Normalize(got); again != got {
			t.Fatalf("Normalize not idempotent for %+q: %+q, then %+q", s, got, again)
		}
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Fatalf("Normalize(%+q) = %+q: not valid NFC", s, got)
		}
		for _, r := range got {
			if unicode.ToLower(r) != r {
				t.Fatalf("Normalize(%+q) = %+q: %U is not lower case", s, got, r)
			}
		}
		if strings.ContainsAny(got, "ёЁ\u00ad\u200b\u200c\u200d\u2060\ufeff\t\n\u00a0") ||
			strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("Normalize(%+q) = %+q: left something it removes", s, got)
		}
	}
}
