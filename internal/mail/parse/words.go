package parse

import (
	"strings"
	"unicode/utf8"
)

// encodedWord is one parsed RFC 2047 encoded word.
type encodedWord struct {
	charset string
	data    []byte // decoded bytes, still in charset
	end     int    // index just after the word in the input
	closed  bool   // false when the word ran to the end without "?="
}

// maxWordText bounds the encoded text of one encoded word.
const maxWordText = 1000

// parseEncodedWord parses an encoded word starting at s[i:] ("=?"). It accepts
// lower-case encodings, language suffixes, white space inside the encoded text
// and, as a last resort, an unclosed word running to the next white space.
func parseEncodedWord(s string, i int) (encodedWord, bool) {
	if !strings.HasPrefix(s[i:], "=?") {
		return encodedWord{}, false
	}
	j := i + 2
	q1 := strings.IndexByte(s[j:], '?')
	if q1 <= 0 || q1 > 64 {
		return encodedWord{}, false
	}
	charset := s[j : j+q1]
	if strings.ContainsAny(charset, " \t\r\n\"()<>,;:") {
		return encodedWord{}, false
	}
	j += q1 + 1
	if j+1 >= len(s) || s[j+1] != '?' {
		return encodedWord{}, false
	}
	enc := s[j] | 0x20
	if enc != 'b' && enc != 'q' {
		return encodedWord{}, false
	}
	j += 2
	w := encodedWord{charset: charset, closed: true}
	var text string
	// Encoded words are short (75 characters by the RFC); looking further
	// would make a header full of unclosed words quadratic.
	window := s[j:min(len(s), j+maxWordText)]
	if k := strings.Index(window, "?="); k >= 0 && !strings.Contains(window[:k], "=?") {
		text, w.end = s[j:j+k], j+k+2
	} else {
		// Unclosed: take the run up to white space.
		k := strings.IndexAny(window, " \t\r\n")
		if k < 0 {
			k = len(window)
		}
		text, w.end, w.closed = s[j:j+k], j+k, false
		text = strings.TrimSuffix(text, "?")
		if text == "" {
			return encodedWord{}, false
		}
	}
	if enc == 'b' {
		w.data = decodeBase64Lenient(nil, []byte(text))
	} else {
		w.data = decodeQWord(text)
	}
	return w, true
}

// decodeQWord decodes the "Q" encoding: "_" is a space, "=XX" a byte.
func decodeQWord(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && isHex(s, i+1):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(s string, i int) bool {
	return i+1 < len(s) && hexVal(s[i]) >= 0 && hexVal(s[i+1]) >= 0
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func unhex(c byte) byte { return byte(hexVal(c)) }

// decodeHeader decodes a raw header text: RFC 2047 encoded words (adjacent
// words of one charset are joined before conversion, so a character split
// across words survives) and raw 8-bit bytes (interpreted in hint, the
// message's declared charset, or guessed). The result is valid UTF-8 but is
// not otherwise cleaned.
func decodeHeader(s, hint string, d decoder, what string) string {
	if !strings.Contains(s, "=?") {
		return rawHeaderText(s, hint, d, what)
	}
	var sb strings.Builder
	var pending []byte
	pendingCS := ""
	flush := func() {
		if len(pending) > 0 || pendingCS != "" {
			sb.Write(d.bytesToUTF8(pending, pendingCS, "encoded word in "+what))
		}
		pending, pendingCS = nil, ""
	}
	lastWasWord := false
	i := 0
	for i < len(s) {
		k := strings.Index(s[i:], "=?")
		if k < 0 {
			flush()
			sb.WriteString(rawHeaderText(s[i:], hint, d, what))
			break
		}
		w, ok := parseEncodedWord(s, i+k)
		if !ok {
			flush()
			sb.WriteString(rawHeaderText(s[i:i+k+2], hint, d, what))
			lastWasWord = false
			i += k + 2
			continue
		}
		lit := s[i : i+k]
		if !(lastWasWord && strings.TrimLeft(lit, " \t\r\n") == "") {
			flush()
			sb.WriteString(rawHeaderText(lit, hint, d, what))
		}
		if !w.closed {
			d.problems.addf("broken header: unclosed encoded word in %s", what)
		}
		cs := strings.ToLower(w.charset)
		if j := strings.IndexByte(cs, '*'); j >= 0 {
			cs = cs[:j]
		}
		if cs != pendingCS {
			flush()
			pendingCS = cs
		}
		pending = append(pending, w.data...)
		lastWasWord = true
		i = w.end
	}
	flush()
	return sb.String()
}

// rawHeaderText converts header text that is not encoded: ASCII and UTF-8 pass
// through, other 8-bit bytes are decoded in hint or a guessed charset.
func rawHeaderText(s, hint string, d decoder, what string) string {
	if isASCIIString(s) || utf8.ValidString(s) {
		return s
	}
	b := []byte(s)
	g := guessCharset(b, hint)
	d.problems.addf("raw 8-bit text in %s treated as %s", what, g)
	return string(decodeWith(b, g))
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
