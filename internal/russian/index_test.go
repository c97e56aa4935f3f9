package russian

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIndexText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only stop words", "и в то же время", "врем"},
		{"all stop words", "Что-то не так?", ""},
		{"stems", "Не могу подать заявление", "мог пода заявлен"},
		{"error code", "Ошибка 500", "ошибк 500"},
		{"statement number", "Заявление № 26-123456-7", "заявлен 26 123456 7"},
		{"yo folded", "Счёт и ЁЛКИ", "счет елк"},
		{"latin", "The password reset e-mail is not arriving", "password reset e mail not arriv"},
		{"stress mark", "зая\u0301вление", "заявлен"},
		{"invisible characters", "за\u00adяв\u200bле\u200dние", "заявлен"},
		{"emoji and punctuation", "Спасибо!!! 👍 «Госуслуги»", "спасиб госуслуг"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IndexText(tt.in); got != tt.want {
				t.Errorf("IndexText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendIndexText(t *testing.T) {
	tests := []struct {
		name string
		dst  string
		in   string
		want string
	}{
		{"nil dst", "", "Ошибки входа", "ошибк вход"},
		{"separator added", "заявлен", "Ошибки", "заявлен ошибк"},
		{"no double space", "заявлен ", "Ошибки", "заявлен ошибк"},
		{"nothing to add", "заявлен", "и в", "заявлен"},
		{"nothing at all", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst []byte
			if tt.dst != "" {
				dst = []byte(tt.dst)
			}
			if got := string(AppendIndexText(dst, tt.in)); got != tt.want {
				t.Errorf("AppendIndexText(%q, %q) = %q, want %q", tt.dst, tt.in, got, tt.want)
			}
		})
	}

	t.Run("subject and body", func(t *testing.T) {
		subject, body := "Не приходит СМС", "Пароль не восстанавливается, ошибка 403"
		got := string(AppendIndexText(AppendIndexText(nil, subject), body))
		if want := IndexText(subject + "\n" + body); got != want {
			t.Errorf("AppendIndexText twice = %q, want %q", got, want)
		}
	})
}

// matches reports whether a document indexed with IndexText is found by the
// query q, the way SQLite FTS5 would with FTSQuery: every query term must be
// one of the document's stems.
func matches(doc, q string) bool {
	stems := strings.Fields(IndexText(doc))
	terms := QueryTerms(q)
	if len(terms) == 0 {
		return false
	}
	for _, term := range terms {
		if !slices.Contains(stems, term) {
			return false
		}
	}
	return true
}

// TestWordForms lists word forms a search must treat as one word, and the
// pairs it does not, so that a change of stemmer shows up here.
func TestWordForms(t *testing.T) {
	match := [][]string{
		{"заявление", "заявления", "заявлений", "заявлению", "заявлениями"},
		{"ошибки", "ошибка", "ошибку", "ошибкой", "ОШИБКАХ"},
		{"обращение", "обращения", "обращений", "обращением"},
		{"счёт", "счет", "СЧЁТ", "счета"},
		{"ёлки", "елки", "Ёлка", "елку"},
		{"ПАРОЛЬ", "пароль", "пароля", "паролем", "Пароли"},
		{"госуслуги", "госуслугах", "Госуслугам", "ГОСУСЛУГ"},
		{"кабинет", "кабинете", "кабинета"},
		{"зая\u0301вление", "заявление"},
		{"пере\u00adвод", "перевод"},
		{"password", "passwords", "PASSWORD"},
		{"signing", "sign", "signed"},
	}
	for _, forms := range match {
		for _, doc := range forms {
			for _, q := range forms {
				if !matches(doc, q) {
					t.Errorf("query %q does not find %q: stems %q, terms %q", q, doc, IndexText(doc), QueryTerms(q))
				}
			}
		}
	}

	// Snowball is a suffix stripper: it does not know suppletive or
	// alternating stems, and some endings are ambiguous. These pairs do not
	// match; PostgreSQL's russian configuration behaves the same way.
	noMatch := []struct {
		doc, q, why string
	}{
		{"войти", "вход", "different stems: войт vs вход"},
		{"ошибка", "ошибок", "fleeting vowel in the genitive plural: ошибк vs ошибок"},
		{"запись", "записи", "-ись read as a reflexive ending: зап vs запис"},
		{"портал", "портале", "-ал read as a past-tense ending: порта vs портал"},
		{"могу", "может", "verb alternation: мог vs может (and может is a stop word)"},
		{"пaроль", "пароль", "homoglyph: Latin a inside a Cyrillic word is a mixed word, not stemmed"},
	}
	for _, tt := range noMatch {
		if matches(tt.doc, tt.q) {
			t.Errorf("query %q finds %q, documented as not matching (%s); update the documentation", tt.q, tt.doc, tt.why)
		}
	}
}

func TestQueryTerms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"no words", " -- !!! 👍 ", nil},
		{"stop words dropped", "Не могу войти в кабинет", []string{"мог", "войт", "кабинет"}},
		{"dedupe in order", "ошибка ОШИБКИ заявление ошибку", []string{"ошибк", "заявлен"}},
		{"yo", "Счёт", []string{"счет"}},
		{"all stop words", "и в", []string{"и", "в"}},
		{"all stop words deduped", "что-то, что", []string{"что", "то"}},
		{"numbers", "26-123456-7", []string{"26", "123456", "7"}},
		{"fts syntax is just words", `"ошибка" OR NEAR(вход*) col:пароль -смс`, []string{"ошибк", "near", "вход", "col", "парол", "смс"}},
		{"latin", "The passwords", []string{"password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := QueryTerms(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("QueryTerms(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}

	t.Run("at most MaxQueryTerms", func(t *testing.T) {
		var b strings.Builder
		for i := range 3 * MaxQueryTerms {
			b.WriteString(strings.Repeat("ж", i%50+1) + "а ")
		}
		if got := len(QueryTerms(b.String())); got != MaxQueryTerms {
			t.Errorf("len(QueryTerms(long query)) = %d, want %d", got, MaxQueryTerms)
		}
	})
}

func TestFTSQuery(t *testing.T) {
	tests := []struct {
		name  string
		terms []string
		want  string
	}{
		{"none", nil, ""},
		{"empty terms only", []string{"", ""}, ""},
		{"one", []string{"ошибк"}, `"ошибк"`},
		{"and", []string{"ошибк", "500"}, `"ошибк" AND "500"`},
		{"quote", []string{`a"b`}, `"a""b"`},
		{"lone quote", []string{`"`}, `""""`},
		{"star", []string{"вход*"}, `"вход*"`},
		{"near", []string{"NEAR(a b, 2)"}, `"NEAR(a b, 2)"`},
		{"operators", []string{"AND", "OR", "NOT"}, `"AND" AND "OR" AND "NOT"`},
		{"column filter", []string{"stems:x", "{stems}:y"}, `"stems:x" AND "{stems}:y"`},
		{"minus and caret", []string{"-x", "^y"}, `"-x" AND "^y"`},
		{"parentheses", []string{"(a OR b)"}, `"(a OR b)"`},
		{"empty term skipped", []string{"", "x"}, `"x"`},
		{"nul removed", []string{"a\x00b"}, `"ab"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FTSQuery(tt.terms); got != tt.want {
				t.Errorf("FTSQuery(%q) = %q, want %q", tt.terms, got, tt.want)
			}
		})
	}
}

// checkIndexText checks the invariants of IndexText(s): it is valid,
// normalised UTF-8; its stems are non-empty, separated by single spaces and
// are exactly the words Words finds in it; the stem cache changes nothing;
// and a document is always found by a query made of its own text.
func checkIndexText(t *testing.T, s string) {
	t.Helper()
	got := IndexText(s)
	if !utf8.ValidString(got) {
		t.Fatalf("IndexText(%+q) = %+q: invalid UTF-8", s, got)
	}
	if n := Normalize(got); n != got {
		t.Fatalf("IndexText(%+q) = %+q: not normalised, Normalize gives %+q", s, got, n)
	}
	var stems []string
	if got != "" {
		stems = strings.Split(got, " ")
	}
	for _, st := range stems {
		if st == "" {
			t.Fatalf("IndexText(%+q) = %+q: empty stem", s, got)
		}
	}
	if w := Words(got); !slices.Equal(w, stems) {
		t.Fatalf("IndexText(%+q) = %+q: stems %+q are not its words %+q", s, got, stems, w)
	}
	var scratch []byte
	if cold := string(appendIndexText(nil, s, &scratch, false)); cold != got {
		t.Fatalf("IndexText(%+q) = %+q with the cache, %+q without", s, got, cold)
	}
	if got != "" {
		for _, term := range QueryTerms(s) {
			if !slices.Contains(stems, term) {
				t.Fatalf("IndexText(%+q) = %+q lacks query term %+q", s, got, term)
			}
		}
	}
}

func TestIndexTextProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(59, 152))
	for range 20000 {
		checkIndexText(t, randomText(rng, 24))
	}
	checkIndexText(t, benchMessage)
}

// maxFuzzInput bounds the inputs FuzzIndexText looks at. The bugs it hunts
// are local to a rune or a word, and long inputs make minimisation crawl
// (TestIndexTextProperties covers benchMessage in full).
const maxFuzzInput = 512

func FuzzIndexText(f *testing.F) {
	for _, s := range []string{
		"", "Не могу войти в личный кабинет: «Ошибка 500»", "Счёт ЁЛКИ и\u0306 e\u0301", "что-то e-mail 26-123456-7",
		"\xff\xd0 \u00ad\u200b\ufeff", "Ё\u0300", "İSTANBUL", strings.Repeat("я", 40),
		`"ошибка" OR NEAR(вход*) col:пароль -смс`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			return
		}
		if n := Normalize(s); Normalize(n) != n {
			t.Fatalf("Normalize not idempotent for %+q", s)
		}
		checkIndexText(t, s)
	})
}
