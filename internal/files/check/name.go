package check

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameBytes is the longest name SafeName returns, in bytes of UTF-8.
const MaxNameBytes = 200

// exts lists the extensions, lowercase, that a name may already have for each kind.
var exts = map[Kind][]string{
	PDF:  {".pdf"},
	DOCX: {".docx"},
	XLSX: {".xlsx"},
	JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
	PNG:  {".png"},
}

// SafeName makes a citizen's file name safe to store, to show, and to put in Content-Disposition
// (encode it there with mime.FormatMediaType, which handles non-ASCII):
//   - invalid UTF-8 becomes "_"; the result is NFC;
//   - directories are dropped (after the last / or \);
//   - control characters are dropped (tabs and line breaks become spaces), and so are format
//     characters: bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), zero-width
//     characters (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen… which can hide the real extension;
//   - Windows-reserved characters <>:"/\|?* become "_";
//   - dots and spaces are trimmed at the ends of the name;
//   - Windows device names (CON, PRN, AUX, NUL, COM0–9, LPT0–9, with or without an extension, any
//     case) get a "_" in front;
//   - the extension must be one of the kind's (".pdf"; ".jpg", ".jpeg"… for JPEG), in any case, or
//     the kind's extension is appended: "virus.exe" detected as PDF becomes "virus.exe.pdf";
//   - the name is cut to MaxNameBytes, keeping the extension and whole characters;
//   - an empty name becomes "file" and the extension.
//
// An unknown kind adds no extension.
func SafeName(name string, k Kind) string {
	name = strings.ToValidUTF8(name, "_")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	// Clean, normalise, clean again: dropping a zero-width character can join a letter and an
	// accent that NFC then composes.
	name = clean(norm.NFC.String(clean(name)))
	name = strings.TrimRightFunc(name, trimmed)

	stem, ext := name, k.Ext()
	if i := strings.LastIndexByte(name, '.'); i >= 0 && k.hasExt(name[i:]) {
		stem, ext = name[:i], name[i:]
	}
	stem = strings.TrimFunc(stem, trimmed)
	if stem == "" {
		stem = "file"
	}
	stem = cut(stem, MaxNameBytes-len(ext))
	if reservedName(stem) {
		// The prefix takes a byte of the budget: cut again so the name stays within MaxNameBytes
		// (and so SafeName of its own result changes nothing).
		stem = cut("_"+stem, MaxNameBytes-len(ext))
	}
	return stem + ext
}

// hasExt tells whether ext (with its dot) is one of the kind's extensions, in any case.
func (k Kind) hasExt(ext string) bool {
	for _, e := range exts[k] {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}

// clean drops control and format characters and replaces characters Windows does not allow.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' || r == 0x85 ||
			r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || isNoncharacter(r):
			return -1
		case strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, s)
}

// isNoncharacter tells the code points Unicode never assigns (U+FDD0–U+FDEF, U+xxFFFE, U+xxFFFF).
func isNoncharacter(r rune) bool {
	return r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE
}

// trimmed tells the characters trimmed at the ends of a name: dots (Windows drops trailing ones) and
// spaces.
func trimmed(r rune) bool {
	return r == '.' || unicode.IsSpace(r)
}

// reservedNames are the Windows device names, which cannot be file names even with an extension.
var reservedNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM0": true, "COM1": true, "COM2": true, "COM3": true, "COM4": true,
	"COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"COM¹": true, "COM²": true, "COM³": true,
	"LPT0": true, "LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true,
	"LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	"LPT¹": true, "LPT²": true, "LPT³": true,
}

// reservedName tells whether Windows takes a name for a device: its part before the first dot,
// without trailing spaces, is a device name in any case.
func reservedName(name string) bool {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[:i]
	}
	name = strings.TrimRight(name, " ")
	return len(name) <= 7 && reservedNames[strings.ToUpper(name)]
}

// cut shortens s to at most n bytes without splitting a character or, where possible, a character
// from its accents, and without leaving dots or spaces at its end.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	// Back off to a normalisation boundary (not between a letter and its accent), if there is one.
	j := i
	for j > 0 && !norm.NFC.PropertiesString(s[j:]).BoundaryBefore() {
		_, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
	}
	if j > 0 {
		i = j
	}
	if t := strings.TrimRightFunc(s[:i], trimmed); t != "" {
		return t
	}
	return s[:i]
}
