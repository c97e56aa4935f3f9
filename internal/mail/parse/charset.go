package parse

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Canonical names of the charsets the parser treats specially.
const (
	csUTF8    = "utf-8"
	csASCII   = "us-ascii"
	csUTF7    = "utf-7"
	csLatin1  = "iso-8859-1"
	csCP1251  = "windows-1251"
	csKOI8R   = "koi8-r"
	csUnknown = ""
)

// charsetInfo is one supported charset: its canonical name and decoder.
type charsetInfo struct {
	name string
	enc  encoding.Encoding // nil for utf-8, us-ascii and utf-7, which are decoded here
}

// charsets maps lower-case labels (as senders write them) to charsets.
var charsets = map[string]charsetInfo{}

func addCharset(name string, enc encoding.Encoding, labels ...string) {
	ci := charsetInfo{name: name, enc: enc}
	charsets[name] = ci
	for _, l := range labels {
		charsets[l] = ci
	}
}

func init() {
	addCharset(csUTF8, nil, "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode-2-0-utf-8")
	addCharset(csASCII, nil, "ascii", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso646-us", "us", "ibm367", "cp367",
		"iso-ir-6", "csascii", "646", "iso_646.irv:1991", "default")
	addCharset(csUTF7, nil, "unicode-1-1-utf-7", "x-unicode-2-0-utf-7", "csunicode11utf7", "utf7")
	// Latin-1 is decoded as windows-1252, as browsers do: the two differ only in
	// 0x80–0x9F, which are invisible controls in Latin-1 and typographic marks in practice.
	addCharset(csLatin1, charmap.Windows1252, "latin1", "l1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987",
		"cp819", "ibm819", "csisolatin1", "iso88591", "iso-ir-100", "8859-1", "iso8859_1")
	addCharset("windows-1252", charmap.Windows1252, "cp1252", "x-cp1252", "win-1252", "cp-1252", "windows1252")

	// Cyrillic.
	addCharset(csKOI8R, charmap.KOI8R, "koi8r", "koi8", "cskoi8r", "koi", "koi8_r")
	addCharset("koi8-u", charmap.KOI8U, "koi8u", "koi8-ru", "koi8_u")
	addCharset(csCP1251, charmap.Windows1251, "cp1251", "win-1251", "win1251", "x-cp1251", "cp-1251", "windows1251",
		"x-windows-1251", "ms-cyrl", "ansi-1251", "windows-1251-2000")
	addCharset("ibm866", charmap.CodePage866, "cp866", "866", "csibm866", "cp-866", "dos-866", "x-cp866", "ibm-866", "alt")
	addCharset("iso-8859-5", charmap.ISO8859_5, "iso8859-5", "iso_8859-5", "iso_8859-5:1988", "cyrillic",
		"csisolatincyrillic", "iso88595", "iso-ir-144", "8859-5")
	addCharset("x-mac-cyrillic", charmap.MacintoshCyrillic, "maccyrillic", "mac-cyrillic", "x-mac-ukrainian", "cp10007")
	addCharset("ibm855", charmap.CodePage855, "cp855")

	// Other single-byte charsets.
	iso := []struct {
		n   string
		enc encoding.Encoding
	}{
		{"2", charmap.ISO8859_2}, {"3", charmap.ISO8859_3}, {"4", charmap.ISO8859_4}, {"6", charmap.ISO8859_6},
		{"7", charmap.ISO8859_7}, {"8", charmap.ISO8859_8}, {"9", charmap.ISO8859_9}, {"10", charmap.ISO8859_10},
		{"13", charmap.ISO8859_13}, {"14", charmap.ISO8859_14}, {"15", charmap.ISO8859_15}, {"16", charmap.ISO8859_16},
	}
	for _, c := range iso {
		addCharset("iso-8859-"+c.n, c.enc, "iso8859-"+c.n, "iso_8859-"+c.n, "iso8859"+c.n, "8859-"+c.n, "iso8859_"+c.n)
	}
	charsets["latin2"] = charsets["iso-8859-2"]
	charsets["latin-9"] = charsets["iso-8859-15"]
	charsets["latin9"] = charsets["iso-8859-15"]
	charsets["l9"] = charsets["iso-8859-15"]
	win := []struct {
		n   string
		enc encoding.Encoding
	}{
		{"1250", charmap.Windows1250}, {"1253", charmap.Windows1253}, {"1254", charmap.Windows1254},
		{"1255", charmap.Windows1255}, {"1256", charmap.Windows1256}, {"1257", charmap.Windows1257},
		{"1258", charmap.Windows1258}, {"874", charmap.Windows874},
	}
	for _, c := range win {
		addCharset("windows-"+c.n, c.enc, "cp"+c.n, "x-cp"+c.n, "win-"+c.n, "cp-"+c.n, "windows"+c.n)
	}
	charsets["tis-620"] = charsets["windows-874"]
	charsets["iso-8859-11"] = charsets["windows-874"]
	for _, c := range []struct {
		n   string
		enc encoding.Encoding
	}{
		{"437", charmap.CodePage437}, {"850", charmap.CodePage850}, {"852", charmap.CodePage852},
		{"858", charmap.CodePage858}, {"860", charmap.CodePage860}, {"862", charmap.CodePage862},
		{"863", charmap.CodePage863}, {"865", charmap.CodePage865},
	} {
		addCharset("ibm"+c.n, c.enc, "cp"+c.n, c.n, "cp-"+c.n)
	}
	addCharset("macintosh", charmap.Macintosh, "mac", "x-mac-roman", "macroman", "csmacintosh")

	// East Asian charsets.
	addCharset("gbk", simplifiedchinese.GBK, "gb2312", "cp936", "x-gbk", "chinese", "csgb2312", "euc-cn",
		"iso-gb2312", "gb_2312-80", "gb_2312", "csiso58gb231280", "iso-ir-58", "windows-936", "ms936", "x-euc-cn")
	addCharset("gb18030", simplifiedchinese.GB18030, "gb-18030")
	addCharset("hz-gb-2312", simplifiedchinese.HZGB2312, "hz")
	addCharset("big5", traditionalchinese.Big5, "big5-hkscs", "cn-big5", "x-x-big5", "csbig5", "big-5", "cp950")
	addCharset("shift_jis", japanese.ShiftJIS, "sjis", "shift-jis", "ms_kanji", "x-sjis", "windows-31j", "cp932",
		"csshiftjis", "csWindows31J", "s-jis", "x-ms-cp932")
	addCharset("euc-jp", japanese.EUCJP, "x-euc-jp", "cseucpkdfmtjapanese", "eucjp")
	addCharset("iso-2022-jp", japanese.ISO2022JP, "csiso2022jp", "iso2022jp", "iso-2022-jp-2", "iso-2022-jp-3")
	addCharset("euc-kr", korean.EUCKR, "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "korean", "cp949",
		"windows-949", "csksc56011987", "iso-ir-149", "csEUCKR", "x-windows-949", "uhc")
	addCharset("utf-16", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), "utf16", "ucs-2", "unicode")
	addCharset("utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), "utf16le")
	addCharset("utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), "utf16be")

	for k, v := range charsets {
		if l := strings.ToLower(k); l != k {
			charsets[l] = v
		}
	}
}

// lookupCharset finds a charset by label. It tolerates quotes, "x-" prefixes,
// language suffixes (RFC 2231 "utf-8*ru") and stray punctuation.
func lookupCharset(label string) (charsetInfo, bool) {
	l := strings.ToLower(strings.TrimSpace(label))
	l = strings.Trim(l, "\"' \t;")
	if i := strings.IndexByte(l, '*'); i >= 0 {
		l = l[:i]
	}
	if ci, ok := charsets[l]; ok {
		return ci, true
	}
	for _, cand := range []string{
		strings.TrimPrefix(l, "x-"),
		strings.ReplaceAll(l, "_", "-"),
		strings.TrimPrefix(l, "iso-"),
		strings.ReplaceAll(strings.ReplaceAll(l, "-", ""), "_", ""),
	} {
		if ci, ok := charsets[cand]; ok {
			return ci, true
		}
	}
	return charsetInfo{}, false
}

// decoder turns bytes in some charset into UTF-8, remembering what it had to guess.
type decoder struct {
	problems *problems
	hint     string // the message's declared charset, for guesses
}

// bytesToUTF8 converts b, declared in charset label (possibly empty), to UTF-8.
// The result may still hold invalid UTF-8 and control characters; callers
// sanitise. what names the thing being decoded for problem reports. The result
// may alias b.
func (d decoder) bytesToUTF8(b []byte, label, what string) []byte {
	if len(b) == 0 {
		return b
	}
	if label == "" {
		if isASCII(b) || utf8.Valid(b) {
			return b
		}
		g := guessCharset(b, d.hint)
		d.problems.addf("no charset declared for %s, treated as %s", what, g)
		return decodeWith(b, g)
	}
	ci, ok := lookupCharset(label)
	if !ok {
		g := guessCharset(b, d.hint)
		d.problems.addf("unknown charset %s treated as %s", clip(label, 40), g)
		return decodeWith(b, g)
	}
	switch ci.name {
	case csUTF8, csASCII:
		if isASCII(b) || utf8.Valid(b) {
			return b
		}
		if ci.name == csASCII || !hasUTF8Sequence(b) {
			// Mislabelled 8-bit text: decode what it looks like instead of
			// filling the text with replacement characters.
			g := guessCharset(b, "")
			d.problems.addf("%s declared %s but is not, treated as %s", what, ci.name, g)
			return decodeWith(b, g)
		}
		d.problems.addf("invalid UTF-8 in %s replaced", what)
		return b // invalid bytes are replaced while sanitising
	case csUTF7:
		return decodeUTF7(b)
	}
	if !isASCII(b) && utf8.Valid(b) && hasUTF8Sequence(b) {
		// UTF-8 is self-validating: text in a legacy charset is practically
		// never valid UTF-8 with multi-byte sequences, so the label is wrong.
		d.problems.addf("%s declared %s but is UTF-8", what, ci.name)
		return b
	}
	out := decodeEnc(b, ci.enc)
	if _, single := ci.enc.(*charmap.Charmap); !single && hasUTF8Sequence(b) &&
		bytes.ContainsRune(out, utf8.RuneError) && !bytes.Contains(b, replacementUTF8) {
		// A multi-byte charset that does not fit, over bytes that are partly UTF-8: text pasted
		// together from a UTF-8 and an 8-bit source. Its UTF-8 is kept and the stray bytes read as
		// Latin-1, instead of replacement characters throughout.
		d.problems.addf("%s declared %s but is mixed UTF-8 and 8-bit text", what, ci.name)
		return decodeMixed(b)
	}
	return out
}

// replacementUTF8 is U+FFFD encoded.
var replacementUTF8 = []byte("\uFFFD")

// decodeMixed decodes b's valid UTF-8 sequences as UTF-8 and every other byte as Windows-1252.
func decodeMixed(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(b[i]))
			i++
			continue
		}
		out = append(out, b[i:i+n]...)
		i += n
	}
	return out
}

// decodeWith decodes b with a canonical charset name returned by guessCharset.
func decodeWith(b []byte, name string) []byte {
	ci, ok := charsets[name]
	if !ok || ci.enc == nil {
		return b
	}
	return decodeEnc(b, ci.enc)
}

// decodeEnc decodes b with enc; single-byte charsets take a fast path.
func decodeEnc(b []byte, enc encoding.Encoding) []byte {
	if cm, ok := enc.(*charmap.Charmap); ok {
		n := len(b)
		for _, c := range b {
			if c >= utf8.RuneSelf {
				n += utf8.RuneLen(cm.DecodeByte(c)) - 1
			}
		}
		out := make([]byte, 0, n)
		for _, c := range b {
			if c < utf8.RuneSelf {
				out = append(out, c)
				continue
			}
			out = utf8.AppendRune(out, cm.DecodeByte(c))
		}
		return out
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// Multi-byte decoders stop at hard errors; fall back to Latin-1 so no
		// byte is lost.
		return decodeEnc(b, charmap.Windows1252)
	}
	return out
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// russianFreq weighs Cyrillic letters by their frequency in Russian text (per mille).
var russianFreq = map[rune]int{
	'о': 110, 'е': 85, 'а': 80, 'и': 74, 'н': 67, 'т': 63, 'с': 55, 'р': 47, 'в': 45, 'л': 44,
	'к': 35, 'м': 32, 'д': 30, 'п': 28, 'у': 26, 'я': 20, 'ы': 19, 'ь': 17, 'г': 17, 'з': 16,
	'б': 16, 'ч': 14, 'й': 12, 'х': 10, 'ж': 9, 'ш': 7, 'ю': 6, 'ц': 5, 'щ': 4, 'э': 3, 'ф': 3,
	'ъ': 1, 'ё': 1, 'і': 5, 'ї': 2, 'є': 2, 'ґ': 1,
}

// latinFreq weighs accented letters by how common they are in Western
// European text, to tell "äöü" in Latin-1 from Cyrillic.
var latinFreq = map[rune]int{
	'é': 60, 'ä': 50, 'ü': 50, 'ö': 45, 'ß': 40, 'è': 35, 'à': 35, 'á': 30, 'ó': 30, 'ç': 25,
	'í': 25, 'å': 25, 'ñ': 20, 'ú': 20, 'ê': 20, 'ø': 20, 'â': 15, 'ô': 15, 'æ': 15, 'ã': 15,
	'î': 10, 'û': 10, 'ë': 10, 'ï': 10, 'õ': 10, 'ù': 10, 'ò': 10, 'ì': 5,
}

// cyrillicCandidates are the charsets a Russian sender's undeclared 8-bit
// text is likely in.
var cyrillicCandidates = []struct {
	name string
	cm   *charmap.Charmap
}{
	{csCP1251, charmap.Windows1251}, {csKOI8R, charmap.KOI8R}, {"ibm866", charmap.CodePage866},
	{"iso-8859-5", charmap.ISO8859_5},
}

// cjkFamilies lists, for a declared East Asian charset, the charsets raw
// bytes of the same language are likely in; cjkCandidates is the order tried
// without a hint.
var (
	cjkFamilies = map[string][]string{
		"gbk": {"gbk", "gb18030", "big5"}, "gb18030": {"gb18030", "gbk"}, "big5": {"big5", "gbk"},
		"shift_jis": {"shift_jis", "euc-jp"}, "euc-jp": {"euc-jp", "shift_jis"},
		"iso-2022-jp": {"shift_jis", "euc-jp"}, "euc-kr": {"euc-kr"}, "hz-gb-2312": {"gbk"},
	}
	cjkCandidates = []string{"gbk", "shift_jis", "euc-kr", "big5", "euc-jp"}
	westernNames  = map[string]bool{csLatin1: true, "windows-1252": true, "iso-8859-15": true, csASCII: true}
)

// guessSample limits the bytes a guess looks at, ending on an ASCII byte
// when it can so that no multi-byte character is cut.
func guessSample(b []byte) []byte {
	const max = 64 << 10
	if len(b) <= max {
		return b
	}
	b = b[:max]
	for i := len(b) - 1; i >= len(b)-16; i-- {
		if b[i] < utf8.RuneSelf {
			return b[:i+1]
		}
	}
	return b
}

// cleanDecode reports whether b decodes in charset name without invalid sequences.
func cleanDecode(b []byte, name string) bool {
	ci, ok := charsets[name]
	if !ok || ci.enc == nil {
		return false
	}
	out, err := ci.enc.NewDecoder().Bytes(b)
	return err == nil && !bytes.ContainsRune(out, utf8.RuneError)
}

// guessCharset names the most likely charset of undeclared 8-bit bytes:
// utf-8 when they are valid UTF-8; the message's declared charset (hint) when
// it is a non-Western one that fits; a Cyrillic charset when letter
// frequencies say Russian; an East Asian one when the bytes decode cleanly in
// it; else iso-8859-1.
func guessCharset(b []byte, hint string) string {
	if utf8.Valid(b) {
		return csUTF8
	}
	b = guessSample(b)
	if ci, ok := lookupCharset(hint); ok && ci.enc != nil {
		if _, single := ci.enc.(*charmap.Charmap); single && !westernNames[ci.name] {
			return ci.name
		}
		for _, cs := range cjkFamilies[ci.name] {
			if cleanDecode(b, cs) {
				return cs
			}
		}
	}
	high, paired, mid := 0, 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if c < 0xC0 {
			mid++
		}
		if (i > 0 && b[i-1] >= 0x80) || (i+1 < len(b) && b[i+1] >= 0x80) {
			paired++
		}
	}
	// Cyrillic and East Asian words are runs of high bytes; Western European
	// text has accented letters between ASCII ones.
	if high == 0 || paired*10 < high*6 {
		return csLatin1
	}
	best, bestScore := csCP1251, -1
	for _, c := range cyrillicCandidates {
		score := 0
		for _, x := range b {
			if x >= 0x80 {
				score += russianFreq[lowerCyr(c.cm.DecodeByte(x))]
			}
		}
		if score > bestScore {
			best, bestScore = c.name, score
		}
	}
	latin := 0
	for _, x := range b {
		if x >= 0x80 {
			latin += latinFreq[unicode.ToLower(charmap.Windows1252.DecodeByte(x))]
		}
	}
	cyrAvg, latAvg := bestScore/high, latin/high
	if cyrAvg >= 40 && cyrAvg > latAvg {
		return best
	}
	if mid*5 >= high {
		for _, cs := range cjkCandidates {
			if cleanDecode(b, cs) {
				return cs
			}
		}
	}
	if cyrAvg >= 20 && cyrAvg > latAvg {
		return best
	}
	return csLatin1
}

func lowerCyr(r rune) rune {
	if r >= 0x400 && r < 0x500 {
		return unicode.ToLower(r)
	}
	return r
}

// decodeUTF7 decodes RFC 2152 UTF-7. Malformed shifts are kept literally.
func decodeUTF7(b []byte) []byte {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			out = append(out, c)
			continue
		}
		j := i + 1
		if j < len(b) && b[j] == '-' {
			out = append(out, '+')
			i = j
			continue
		}
		var bits, nbits uint32
		var units []uint16
		for ; j < len(b); j++ {
			k := strings.IndexByte(alpha, b[j])
			if k < 0 {
				break
			}
			bits = bits<<6 | uint32(k)
			nbits += 6
			if nbits >= 16 {
				nbits -= 16
				units = append(units, uint16(bits>>nbits))
				bits &= 1<<nbits - 1
			}
		}
		for k := 0; k < len(units); k++ {
			u := rune(units[k])
			if u >= 0xD800 && u < 0xDC00 && k+1 < len(units) {
				if l := rune(units[k+1]); l >= 0xDC00 && l < 0xE000 {
					u = (u-0xD800)<<10 + (l - 0xDC00) + 0x10000
					k++
				}
			}
			out = utf8.AppendRune(out, u)
		}
		if j < len(b) && b[j] == '-' {
			i = j
		} else {
			i = j - 1
		}
	}
	return out
}

// hasUTF8Sequence reports whether b holds at least one valid multi-byte UTF-8
// sequence, a sign that it is UTF-8 with damage rather than another charset.
func hasUTF8Sequence(b []byte) bool {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			return true
		}
		i += n
	}
	return false
}

// declaredCharset returns the charset the message declares first, in its
// Content-Type or in a part near the start of its body: the best guess for
// raw 8-bit header text, which has no label of its own.
func declaredCharset(h header, body []byte) string {
	if cs := charsetParam(h.get("Content-Type")); cs != "" {
		return cs
	}
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	for off := 0; ; {
		j := indexCharset(body, off)
		if j < 0 {
			return ""
		}
		// Only a MIME header's parameter, not text that mentions one.
		ls := bytes.LastIndexByte(body[:j], '\n') + 1
		line := body[ls:j]
		if hasPrefixFold(line, "content-type:") || bytes.HasPrefix(line, []byte(" ")) || bytes.HasPrefix(line, []byte("\t")) {
			if cs := charsetParam(string(body[j:min(len(body), j+80)])); cs != "" {
				return cs
			}
		}
		off = j + 8
	}
}

// indexCharset returns the index of the next "charset=" (any case) in b at
// or after off, or -1.
func indexCharset(b []byte, off int) int {
	for off < len(b) {
		k := bytes.IndexByte(b[off:], '=')
		if k < 0 {
			return -1
		}
		eq := off + k
		if eq >= 7 && hasPrefixFold(b[eq-7:eq], "charset") {
			return eq - 7
		}
		off = eq + 1
	}
	return -1
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// headerCharset guesses one charset for all raw 8-bit header text of an
// undeclared message, so that a short name and a long subject are read alike.
func headerCharset(h header) string {
	var buf []byte
	for _, f := range h {
		if !isASCIIString(f.Value) && !utf8.ValidString(f.Value) {
			buf = append(buf, f.Value...)
			buf = append(buf, ' ')
		}
	}
	if len(buf) == 0 {
		return ""
	}
	if g := guessCharset(buf, ""); g != csLatin1 && g != csUTF8 {
		return g
	}
	return ""
}

func charsetParam(s string) string {
	low := strings.ToLower(s)
	i := strings.Index(low, "charset=")
	if i < 0 {
		return ""
	}
	v := strings.TrimLeft(low[i+len("charset="):], "\"' ")
	if k := strings.IndexAny(v, "\"'; \t\r\n)"); k >= 0 {
		v = v[:k]
	}
	if _, ok := lookupCharset(v); !ok {
		return ""
	}
	return v
}

// sniffHTMLCharset finds a <meta> charset near the start of an HTML part.
func sniffHTMLCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	i := indexCharset(b, 0)
	if i < 0 || !bytes.Contains(bytes.ToLower(b[:i]), []byte("<meta")) {
		return ""
	}
	return charsetParam(string(b[i:min(len(b), i+80)]))
}
