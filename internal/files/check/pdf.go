package check

import (
	"bytes"
)

// pdfEOFWindow is how far from the end "%%EOF" must be.
const pdfEOFWindow = 2048

// pdf checks a file that starts with "%PDF-": a known version right at the start, "%%EOF" in the
// last 2 KiB followed only by white space, and nothing else hidden in it. It reads the head and the
// tail only; the body of a PDF is the viewer's business (and clamd's).
func (d *detector) pdf() (Kind, error) {
	if !pdfVersionOK(d.head) {
		return "", problem(CodePDFInvalid, "header %q is not %%PDF-1.0…1.7 or %%PDF-2.0", firstLine(d.head, 16))
	}
	if err := d.readTail(); err != nil {
		return "", err
	}
	if p := d.foreign(true); p != nil {
		return "", p
	}
	t := d.tail[max(0, len(d.tail)-pdfEOFWindow):]
	i := bytes.LastIndex(t, []byte("%%EOF"))
	if i < 0 {
		return "", problem(CodePDFInvalid, "no %%%%EOF in the last %d bytes (truncated?)", pdfEOFWindow)
	}
	for _, c := range t[i+5:] {
		if !pdfSpace(c) {
			return "", problem(CodePDFInvalid, "%d bytes of data after the last %%%%EOF", len(t)-i-5)
		}
	}
	return PDF, nil
}

// pdfVersionOK tells whether h starts with "%PDF-1.0" … "%PDF-1.7" or "%PDF-2.0", followed by an end
// of line, white space or a comment.
func pdfVersionOK(h []byte) bool {
	if len(h) < 9 {
		return false
	}
	v := string(h[5:8])
	ok := v == "2.0" || (v[0] == '1' && v[1] == '.' && v[2] >= '0' && v[2] <= '7')
	return ok && (pdfSpace(h[8]) || h[8] == '%')
}

// pdfSpace tells the PDF white-space characters (ISO 32000 7.2.3): NUL, HT, LF, FF, CR and SP.
func pdfSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

// firstLine returns the start of b up to its first end of line, at most n bytes, for messages.
func firstLine(b []byte, n int) []byte {
	b = b[:min(len(b), n)]
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return b
}
