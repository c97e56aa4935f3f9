package russian

import (
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"no words", " ,.-!? «» — ", nil},
		{"plain", "не могу войти", []string{"не", "могу", "войти"}},
		{"inner hyphen", "что-то", []string{"что", "то"}},
		{"latin hyphen", "e-mail", []string{"e", "mail"}},
		{"e-mail address", "ivan.petrov@mail.ru", []string{"ivan", "petrov", "mail", "ru"}},
		{"punctuation", "«ошибка»,(код):500;ok?!", []string{"ошибка", "код", "500", "ok"}},
		{"statement number", "заявление №26-123456-7", []string{"заявление", "26", "123456", "7"}},
		{"letters and digits", "2fa ндфл2 x86", []string{"2fa", "ндфл2", "x86"}},
		{"decimal and time", "3,5 12:30", []string{"3", "5", "12", "30"}},
		{"underscore and apostrophe", "snake_case don't", []string{"snake", "case", "don", "t"}},
		{"emoji dropped", "ура🎉ура 👍", []string{"ура", "ура"}},
		{"superscript is not a digit", "м²", []string{"м"}},
		{"other digits", "١٢٣", []string{"١٢٣"}},
		{"combining mark kept", "зая\u0301вление", []string{"зая\u0301вление"}},
		{"leading mark dropped", "\u0301abc", []string{"abc"}},
		{"other scripts", "λόγος 日本語", []string{"λόγος", "日本語"}},
		{"control characters", "a\x00b\x1bc", []string{"a", "b", "c"}},
		{"invalid utf-8", "a\xffb", []string{"a", "b"}},
		{"64 bytes ascii", strings.Repeat("a", 70), []string{strings.Repeat("a", 64)}},
		{"64 bytes cyrillic", strings.Repeat("я", 40) + " да", []string{strings.Repeat("я", 32), "да"}},
		{"cut at rune boundary", "a" + strings.Repeat("я", 40), []string{"a" + strings.Repeat("я", 31)}},
		{"exactly 64 bytes", strings.Repeat("ж", 32), []string{strings.Repeat("ж", 32)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Words(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Words(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}
