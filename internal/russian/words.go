package russian

import (
	"unicode"
	"unicode/utf8"
)

// MaxWordBytes is the longest word, in bytes, that Words returns; longer
// words are cut at the last rune boundary that fits. 64 bytes hold 32
// Cyrillic letters, longer than any real Russian word.
const MaxWordBytes = 64

// Words splits normalised text into words: maximal runs of letters and
// digits (unicode.IsLetter/IsDigit, combining marks kept with their letter).
// Everything else separates words, so an inner hyphen joins parts into
// separate words ("что-то" → "что", "то"; "e-mail" → "e", "mail") and an
// e-mail address falls into its parts. A word longer than MaxWordBytes is cut
// at a rune boundary and the rest of it dropped. The words are substrings of
// s.
func Words(s string) []string {
	var words []string
	for i := 0; ; {
		w, next := nextWord(s, i)
		if w == "" {
			return words
		}
		words = append(words, w)
		i = next
	}
}

// nextWord returns the first word of s at or after byte i, already cut to
// MaxWordBytes, and the index just past its end in s; w is "" when there is
// none.
func nextWord(s string, i int) (w string, next int) {
	// Skip to the start of a word. A combining mark with no letter before it
	// cannot start one.
	start := -1
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if isASCIIAlnum(c) {
				start = i
				i++
				break
			}
			i++
			continue
		}
		r, size := decodeRune(s, i)
		if isLetterOrDigit(r) {
			start = i
			i += size
			break
		}
		i += size
	}
	if start < 0 {
		return "", len(s)
	}
	// Extend it.
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !isASCIIAlnum(c) {
				break
			}
			i++
			continue
		}
		r, size := decodeRune(s, i)
		if !isLetterOrDigit(r) && !unicode.Is(unicode.M, r) {
			break
		}
		i += size
	}
	w = s[start:i]
	if len(w) > MaxWordBytes {
		cut := MaxWordBytes
		for cut > 0 && !utf8.RuneStart(w[cut]) {
			cut--
		}
		w = w[:cut]
	}
	return w, i
}

// isASCIIAlnum reports whether the ASCII byte c is a letter or a digit.
func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
}

// isLetterOrDigit reports whether the non-ASCII rune r is a letter or a
// decimal digit, with a shortcut for the Russian alphabet.
func isLetterOrDigit(r rune) bool {
	if 'а' <= r && r <= 'я' || r == 'ё' {
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
