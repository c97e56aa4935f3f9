package check

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// signatures names formats that are refused, for the Detail of a refusal. Order matters: longer
// signatures first where one is a prefix of another.
var signatures = []struct {
	prefix string
	what   string
}{
	{"MZ", "a Windows executable (MZ)"},
	{"\x7fELF", "an ELF executable"},
	{"\xCA\xFE\xBA\xBE", "a Mach-O universal binary or Java class"},
	{"\xCF\xFA\xED\xFE", "a Mach-O executable"},
	{"\xCE\xFA\xED\xFE", "a Mach-O executable"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an OLE2 compound file (a legacy .doc/.xls, an .msi, or a password-protected Office document)"},
	{"PK\x05\x06", "an empty ZIP archive"},
	{"PK\x07\x08", "a spanned ZIP archive"},
	{"Rar!\x1a\x07", "a RAR archive"},
	{"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
	{"\x1f\x8b", "a gzip stream"},
	{"BZh", "a bzip2 stream"},
	{"\xFD7zXZ\x00", "an xz stream"},
	{"\x28\xB5\x2F\xFD", "a Zstandard stream"},
	{"MSCF", "a Windows cabinet"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"BM", "a BMP image"},
	{"II*\x00", "a TIFF image"},
	{"MM\x00*", "a TIFF image"},
	{"\x00\x00\x01\x00", "a Windows icon"},
	{"{\\rtf", "an RTF document"},
	{"%!PS", "a PostScript document"},
	{"#!", "a script"},
	{"L\x00\x00\x00\x01\x14\x02\x00", "a Windows shortcut (.lnk)"},
	{"\x00asm", "a WebAssembly module"},
	{"dex\n", "an Android DEX file"},
}

// sniff names what the head of a refused file looks like, or returns "" when it does not know.
func sniff(h []byte) string {
	if what := sniffFormat(h); what != "" {
		return what
	}
	if markup(h) != "" {
		return "an HTML document"
	}
	t := bytes.TrimLeft(h, " \t\r\n")
	if len(t) > 0 && t[0] == '<' {
		return "an XML or HTML document"
	}
	if utf8.Valid(h) && bytes.IndexFunc(h, isBinaryRune) < 0 {
		return "plain text"
	}
	return ""
}

// sniffFormat names the binary format whose signature starts h, or returns "".
func sniffFormat(h []byte) string {
	for _, s := range signatures {
		if bytes.HasPrefix(h, []byte(s.prefix)) {
			return s.what
		}
	}
	if len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP" {
		return "a WebP image"
	}
	if len(h) >= 12 && string(h[4:8]) == "ftyp" {
		switch string(h[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return "a HEIC/HEIF image (an iPhone photo?)"
		case "avif", "avis":
			return "an AVIF image"
		}
		return "an MP4/QuickTime video"
	}
	return ""
}

// isBinaryRune tells control characters that do not occur in text.
func isBinaryRune(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f'
}

// markupTags are the starts of HTML that browsers would run or render if ever sniffed.
var markupTags = []string{"<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<svg", "<?php"}

// markup returns the first HTML tag (lowercase) found in h, or "".
func markup(h []byte) string {
	if bytes.IndexByte(h, '<') < 0 {
		return ""
	}
	l := bytes.ToLower(h)
	for _, t := range markupTags {
		if bytes.Contains(l, []byte(t)) {
			return t
		}
	}
	return ""
}

var zipEndSignature = []byte("PK\x05\x06")

// zipEndIn looks in tail (the end of a file, starting at offset tailOff) for a plausible ZIP end of
// central directory record, the way a lenient ZIP reader would find an archive appended to a file,
// and returns its offset. Plausible means one disk and a central directory before the record (or a
// ZIP64 marker), so that these four bytes occurring by chance in compressed data are rarely taken for
// an archive.
func zipEndIn(tail []byte, tailOff int64) (int64, bool) {
	// The last plausible record wins. Searching forward, every occurrence in turn, is many times
	// faster than bytes.LastIndex, which has no vectorised form (65 KiB of every checked file).
	at, found := int64(0), false
	for i := 0; ; i++ {
		j := bytes.Index(tail[i:], zipEndSignature)
		if j < 0 {
			return at, found
		}
		i += j
		if i+22 > len(tail) {
			continue
		}
		rec := tail[i : i+22]
		disk := binary.LittleEndian.Uint16(rec[4:])
		dirDisk := binary.LittleEndian.Uint16(rec[6:])
		here := binary.LittleEndian.Uint16(rec[8:])
		total := binary.LittleEndian.Uint16(rec[10:])
		dirSize := binary.LittleEndian.Uint32(rec[12:])
		dirOff := binary.LittleEndian.Uint32(rec[16:])
		pos := tailOff + int64(i)
		if disk != 0 || dirDisk != 0 || here != total {
			continue
		}
		if dirOff == 0xFFFFFFFF || int64(dirOff)+int64(dirSize) <= pos {
			at, found = pos, true
		}
	}
}
