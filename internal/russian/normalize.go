// Package russian prepares Russian (and Latin-script) text for full-text
// search on engines without a Russian stemmer, such as SQLite FTS5.
//
// Text is normalised (NFC, lower case, ё→е, invisible characters removed,
// white space collapsed), split into words, stripped of stop words and
// reduced to Snowball stems. The stems are stored in an FTS5 column created
// with tokenize='unicode61 remove_diacritics 0', and a user's query is turned
// into stems the same way, so «заявление» finds «заявления» and «счёт» finds
// «счет»:
//
//	-- CREATE VIRTUAL TABLE ticket_fts USING fts5(stems, tokenize='unicode61 remove_diacritics 0');
//	INSERT INTO ticket_fts(rowid, stems) VALUES (?, ?)          -- IndexText(subject + "\n" + body)
//	SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?       -- FTSQuery(QueryTerms(q))
//
// The MATCH argument must be bound as a parameter; FTSQuery returns "" when
// the query has no words, and the caller should then skip the search.
// Keep the original text for display: the index holds stems only.
//
// All functions are safe for concurrent use and accept any input, including
// invalid UTF-8, without panicking.
package russian

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in NFC, lower case, with ё→е (Ё→Е before lowering),
// soft hyphens (U+00AD) and zero-width characters (U+200B..U+200D, U+2060,
// U+FEFF) removed, and runs of Unicode white space collapsed to one ASCII
// space, trimmed. Invalid UTF-8 bytes become U+FFFD.
//
// Normalize is idempotent: Normalize(Normalize(s)) == Normalize(s).
func Normalize(s string) string {
	if isNormalASCII(s) {
		return s
	}
	return string(appendNormalized(make([]byte, 0, len(s)), s))
}

// isNormalASCII reports whether s is already normalised ASCII text: no upper
// case, no control or white space other than single inner spaces.
func isNormalASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80, 'A' <= c && c <= 'Z', c < ' ':
			return false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		default:
			prevSpace = false
		}
	}
	return true
}

// maxNormRounds bounds the fold/NFC loop in appendNormalized. Text needs one
// round, or two when a diaeresis recomposes into ё; the bound only guards
// against a cycle in Unicode data that nobody has met (TestNormalizeProperties
// and FuzzIndexText check that Normalize is idempotent).
const maxNormRounds = 8

// appendNormalized appends Normalize(s) to dst.
func appendNormalized(dst []byte, s string) []byte {
	start := len(dst)
	dst, needCheck := appendFolded(dst, s)
	if !needCheck {
		return dst
	}
	// Folding can leave or create text that is not NFC: the input may be
	// decomposed, removing a zero-width character can bring a letter and a
	// combining mark together, and ё→е can uncover a composition (е + U+0300
	// is ѐ). Compose and fold again until nothing changes.
	var tmp []byte
	for range maxNormRounds {
		if norm.NFC.IsNormal(dst[start:]) {
			break
		}
		tmp = norm.NFC.Append(tmp[:0], dst[start:]...)
		dst, _ = appendFolded(dst[:start], string(tmp))
	}
	return dst
}

// appendFolded appends s to dst lower-cased, with ё→е, invisible characters
// removed and white space collapsed and trimmed, but without NFC. needCheck
// reports whether the result contains a rune that may take part in
// normalisation, so that the caller has to check for NFC.
func appendFolded(dst []byte, s string) (out []byte, needCheck bool) {
	start := len(dst)
	space := false // a space is pending before the next visible rune
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ', '\t' <= c && c <= '\r':
				space = true
				continue
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, c)
			continue
		}
		if isLowerRussian(s, i) { // the bulk of the text: copy as is
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, c, s[i+1])
			i += 2
			continue
		}
		r, size := decodeRune(s, i)
		i += size
		switch {
		case isInvisible(r):
			continue
		case r == 'ё', r == 'Ё':
			r = 'е'
		case 'А' <= r && r <= 'Я':
			r += 'а' - 'А'
		case 'а' <= r && r <= 'я':
		case unicode.IsSpace(r):
			space = true
			continue
		default:
			r = unicode.ToLower(r)
			if !needCheck && !nfcInert(r) {
				needCheck = true
			}
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		if 0x80 <= r && r < 0x800 { // not ASCII: 'İ' lowers to 'i'
			dst = append(dst, 0xc0|byte(r>>6), 0x80|byte(r)&0x3f)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, needCheck
}

// isLowerRussian reports whether s[i:] starts with one of а..я in UTF-8.
func isLowerRussian(s string, i int) bool {
	if i+1 >= len(s) {
		return false
	}
	c, c2 := s[i], s[i+1]
	return c == 0xd0 && 0xb0 <= c2 && c2 <= 0xbf || c == 0xd1 && 0x80 <= c2 && c2 <= 0x8f
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) with a fast path for the
// two-byte sequences that Cyrillic text is made of.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; 0xc2 <= c && c < 0xe0 && i+1 < len(s) {
		if c2 := s[i+1]; c2&0xc0 == 0x80 {
			return rune(c&0x1f)<<6 | rune(c2&0x3f), 2
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isInvisible reports whether Normalize removes r: the soft hyphen and the
// zero-width characters.
func isInvisible(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

// nfcInert reports whether r can never make a string non-NFC, whatever its
// neighbours: its NFC quick-check value is Yes and its canonical combining
// class is 0, so a string made only of such runes is NFC (a following
// combining mark is not inert and triggers the full check). The ranges are checked
// against the Unicode tables in TestNFCInert; they cover ASCII, Latin-1,
// Latin Extended-A and B, Cyrillic letters and common punctuation, which is
// what Russian support text is made of.
func nfcInert(r rune) bool {
	switch {
	case r < 0x0300: // ASCII, Latin-1, Latin Extended-A/B, IPA, spacing modifiers
		return true
	case 0x0400 <= r && r <= 0x0482, 0x048a <= r && r <= 0x052f: // Cyrillic letters, without the combining marks U+0483..U+0489
		return true
	case 0x2010 <= r && r <= 0x2027, 0x2030 <= r && r <= 0x205e: // dashes, quotes, bullets, ‰, ※ …
		return true
	case 0x20a0 <= r && r <= 0x20c0: // currency signs, ₽ is U+20BD
		return true
	case r == 0x2116: // №
		return true
	}
	return false
}
