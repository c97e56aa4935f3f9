package russian

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// Stem returns the search stem of one normalised word: Cyrillic words through
// the Snowball "russian" stemmer, Latin words through Snowball "english",
// digits and mixed words (letters of several scripts, letters and digits)
// unchanged. Combining marks in a Cyrillic word, such as stress accents
// («зая́вление»), are dropped before stemming. The stem is never empty for a
// non-empty word.
//
// Stem stems stop words too; IndexText and QueryTerms drop them before.
func Stem(word string) string {
	return stem(word, true)
}

// stem implements Stem, with or without the stem cache.
func stem(word string, cached bool) string {
	sc, marks := wordScript(word)
	if sc == scriptOther {
		return word
	}
	if !cached {
		return stemScript(word, sc, marks)
	}
	if s, ok := cache.get(word); ok {
		return s
	}
	s := stemScript(word, sc, marks)
	cache.put(word, s)
	return s
}

// stemScript stems word, which is written in script sc and has combining
// marks if marks is set.
func stemScript(word string, sc script, marks bool) string {
	switch sc {
	case scriptCyrillic:
		if marks {
			word = stripMarks(word)
		}
		return nonEmpty(russian.Stem(word, true), word)
	case scriptLatin:
		return nonEmpty(english.Stem(word, true), word)
	}
	return word
}

// nonEmpty returns s, or word if s is empty; the Snowball stemmers never
// return an empty stem for a word, but the index must not depend on that.
func nonEmpty(s, word string) string {
	if s == "" {
		return word
	}
	return s
}

// script is the writing system of a word, as far as Stem cares.
type script uint8

const (
	scriptOther    script = iota // digits, mixed scripts, other alphabets, empty
	scriptCyrillic               // Cyrillic letters, possibly with combining marks
	scriptLatin                  // Latin letters, possibly with combining marks
)

// wordScript classifies word for Stem and reports whether it has combining
// marks.
func wordScript(word string) (s script, marks bool) {
	for i := 0; i < len(word); {
		var cur script
		c := word[i]
		if c < utf8.RuneSelf {
			i++
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				cur = scriptLatin
			}
		} else {
			r, size := decodeRune(word, i)
			i += size
			switch {
			case 'а' <= r && r <= 'я', unicode.Is(unicode.Cyrillic, r):
				cur = scriptCyrillic
			case unicode.Is(unicode.Latin, r):
				cur = scriptLatin
			case unicode.Is(unicode.M, r):
				marks = true
				continue
			}
		}
		if cur == scriptOther || s != scriptOther && cur != s {
			return scriptOther, false
		}
		s = cur
	}
	return s, marks
}

// stripMarks returns word without combining marks.
func stripMarks(word string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.M, r) {
			return -1
		}
		return r
	}, word)
}

// IsStopWord reports whether a normalised word is a Russian or English stop
// word: the Snowball Russian stop-word list (with ё→е) or one of a short list
// of English function words.
func IsStopWord(w string) bool {
	if len(w) > maxStopWordBytes { // most content words: skip the lookup
		return false
	}
	_, ok := stopWords[w]
	return ok
}

// stopWords is the set behind IsStopWord, and maxStopWordBytes the length of
// its longest word.
var stopWords, maxStopWordBytes = func() (map[string]struct{}, int) {
	m := make(map[string]struct{}, len(russianStopWords)+len(englishStopWords))
	n := 0
	for _, list := range [][]string{russianStopWords, englishStopWords} {
		for _, w := range list {
			m[w] = struct{}{}
			n = max(n, len(w))
		}
	}
	return m, n
}()

// russianStopWords is the Snowball Russian stop-word list as shipped with
// github.com/kljensen/snowball, already normalised (ё→е: «ее», «еще»).
var russianStopWords = []string{
	"и", "в", "во", "не", "что", "он", "на", "я", "с",
	"со", "как", "а", "то", "все", "она", "так", "его",
	"но", "да", "ты", "к", "у", "же", "вы", "за", "бы",
	"по", "только", "ее", "мне", "было", "вот", "от",
	"меня", "еще", "нет", "о", "из", "ему", "теперь",
	"когда", "даже", "ну", "вдруг", "ли", "если", "уже",
	"или", "ни", "быть", "был", "него", "до", "вас",
	"нибудь", "опять", "уж", "вам", "ведь", "там", "потом",
	"себя", "ничего", "ей", "может", "они", "тут", "где",
	"есть", "надо", "ней", "для", "мы", "тебя", "их",
	"чем", "была", "сам", "чтоб", "без", "будто", "чего",
	"раз", "тоже", "себе", "под", "будет", "ж", "тогда",
	"кто", "этот", "того", "потому", "этого", "какой",
	"совсем", "ним", "здесь", "этом", "один", "почти",
	"мой", "тем", "чтобы", "нее", "сейчас", "были", "куда",
	"зачем", "всех", "никогда", "можно", "при", "наконец",
	"два", "об", "другой", "хоть", "после", "над", "больше",
	"тот", "через", "эти", "нас", "про", "всего", "них",
	"какая", "много", "разве", "три", "эту", "моя",
	"впрочем", "хорошо", "свою", "этой", "перед", "иногда",
	"лучше", "чуть", "том", "нельзя", "такой", "им", "более",
	"всегда", "конечно", "всю", "между",
}

// englishStopWords is a short list of English function words.
var englishStopWords = []string{
	"a", "an", "the", "and", "or", "of", "to", "in", "on", "is", "are", "be",
	"for", "with", "at", "by", "it", "this", "that",
}
