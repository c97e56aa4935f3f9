// Package check decides, from content alone, whether a citizen's attachment is one of the allowed
// kinds (PDF, DOCX, XLSX, JPEG, PNG) and harmless enough to store and hand to staff: no renamed
// programs, no polyglots (a file that is also a ZIP or an HTML page), no decompression or pixel bombs,
// no macros or other active content in Office documents. SafeName makes the citizen's file name safe
// to store and to send back in Content-Disposition.
//
// Detect never holds a file in memory: it reads through io.ReaderAt in bounded pieces (the head, the
// tail, and a 64 KiB sequential buffer), so its memory stays well under a megabyte whatever the size.
// It checks containers and headers; it does not decode pixels or scan for malware (that is clamd's job).
// Serve accepted files with the detected ContentType, "X-Content-Type-Options: nosniff" and
// "Content-Disposition: attachment".
package check

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Kind is an allowed file type, detected from content.
type Kind string

// The allowed kinds.
const (
	PDF  Kind = "pdf"
	DOCX Kind = "docx"
	XLSX Kind = "xlsx"
	JPEG Kind = "jpeg"
	PNG  Kind = "png"
)

// ContentType returns the MIME type of the kind, or "application/octet-stream" for an unknown kind.
func (k Kind) ContentType() string {
	switch k {
	case PDF:
		return "application/pdf"
	case DOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	}
	return "application/octet-stream"
}

// Ext returns the usual file name extension of the kind, with its dot (".pdf", ".jpg"…), or "" for an
// unknown kind.
func (k Kind) Ext() string {
	switch k {
	case PDF:
		return ".pdf"
	case DOCX:
		return ".docx"
	case XLSX:
		return ".xlsx"
	case JPEG:
		return ".jpg"
	case PNG:
		return ".png"
	}
	return ""
}

// Problem codes: stable identifiers of why a file is refused, for APIs and translations.
const (
	CodeEmpty          = "file.empty"            // no bytes at all
	CodeTypeNotAllowed = "file.type_not_allowed" // not one of the kinds, or a macro-enabled/template Office file
	CodePDFInvalid     = "file.pdf_invalid"      // starts like a PDF but its header or end is malformed
	CodeImageInvalid   = "file.image_invalid"    // a PNG or JPEG that is malformed or truncated
	CodeImageBomb      = "file.image_bomb"       // more pixels than Limits.MaxImagePixels, or absurd JPEG scans
	CodeOOXMLInvalid   = "file.ooxml_invalid"    // a ZIP that is not a well-formed DOCX or XLSX
	CodeZipBomb        = "file.zip_bomb"         // too many entries, too much data, too high a ratio, overlaps
	CodePolyglot       = "file.polyglot"         // also readable as another format (ZIP, HTML, PDF) or with data appended
	CodeActiveContent  = "file.active_content"   // an Office document with ActiveX, OLE objects or remote templates
)

// Problem is why a file is refused. Code is one of the Code constants, stable for APIs; Detail is plain
// English for logs and support staff, never shown to citizens as is.
type Problem struct {
	Code   string
	Detail string
}

// Error returns the code and the detail.
func (p *Problem) Error() string {
	if p.Detail == "" {
		return p.Code
	}
	return p.Code + ": " + p.Detail
}

// problem makes a *Problem with a formatted detail.
func problem(code, format string, args ...any) *Problem {
	return &Problem{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Limits of the checks. A zero (or negative) field means its default.
type Limits struct {
	// MaxZipEntries is the largest number of entries of a DOCX or XLSX (default 1000).
	MaxZipEntries int
	// MaxUncompressed bounds the total size of the entries of a DOCX or XLSX, both as declared in
	// the central directory and as actually inflated (default 100 MiB).
	MaxUncompressed int64
	// MaxRatio is the largest uncompressed:compressed ratio of one entry larger than 1 MiB
	// (default 100); smaller entries may compress as well as they like.
	MaxRatio float64
	// MaxImagePixels bounds width×height of an image, read from its header before any decoding
	// (default 40 megapixels).
	MaxImagePixels int64
}

// The defaults of Limits.
const (
	DefaultMaxZipEntries   = 1000
	DefaultMaxUncompressed = 100 << 20
	DefaultMaxRatio        = 100
	DefaultMaxImagePixels  = 40_000_000
)

// withDefaults returns l with its zero fields set to the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = DefaultMaxZipEntries
	}
	if l.MaxUncompressed <= 0 {
		l.MaxUncompressed = DefaultMaxUncompressed
	}
	if !(l.MaxRatio > 0) {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxImagePixels <= 0 {
		l.MaxImagePixels = DefaultMaxImagePixels
	}
	return l
}

const (
	headLen = 1024 // PDF readers look for "%PDF-" this far; also where we look for markup
	// tailLen is how far from the end archive/zip looks for the end of central directory record
	// (65 KiB, more than the 64 KiB comment + 22 bytes other ZIP readers allow).
	tailLen = 65 * 1024
	bufLen  = 64 << 10 // the sequential read buffer: few ReadAt calls on an encrypted blob
)

// Detect tells the kind of a file of the given size, read at random through r. A refused file gives a
// *Problem (use errors.As); any other error is a failure to read r, or a negative size. Detect reads
// only what each check needs, through bounded buffers, so its memory does not grow with the size.
func Detect(r io.ReaderAt, size int64, lim Limits) (Kind, error) {
	if size < 0 {
		return "", fmt.Errorf("check: negative size %d", size)
	}
	if size == 0 {
		return "", &Problem{Code: CodeEmpty, Detail: "the file is empty"}
	}
	src := &source{r: r, size: size}
	d := &detector{src: src, r: io.NewSectionReader(src, 0, size), size: size, lim: lim.withDefaults()}
	k, err := d.detect()
	if src.err != nil {
		// A refusal is meaningless if it came from a failed read: report the read failure instead.
		return "", fmt.Errorf("check: read: %w", src.err)
	}
	if err != nil {
		var p *Problem
		if !errors.As(err, &p) {
			return "", fmt.Errorf("check: %w", err)
		}
		return "", p
	}
	return k, nil
}

// source is the caller's io.ReaderAt that remembers its first failure, so that Detect can tell a
// broken file from broken storage even when the failure went through a decoder.
type source struct {
	r    io.ReaderAt
	size int64
	err  error
}

// ReadAt reads from the caller's reader. A short read inside the declared size is a failure.
func (s *source) ReadAt(p []byte, off int64) (int, error) {
	n, err := s.r.ReadAt(p, off)
	if err == io.EOF && n == len(p) {
		err = nil
	}
	if err != nil && s.err == nil {
		if err == io.EOF {
			s.err = fmt.Errorf("%w at offset %d: the data is shorter than its size %d", io.ErrUnexpectedEOF, off+int64(n), s.size)
		} else {
			s.err = err
		}
	}
	return n, err
}

// detector holds the state of one Detect call.
type detector struct {
	src  *source
	r    *io.SectionReader // the whole file, never read past its size
	size int64
	lim  Limits
	head []byte        // the first headLen bytes, or the whole file
	tail []byte        // the last tailLen bytes, or the whole file; nil until readTail
	br   *bufio.Reader // sequential reads, reused
	buf  []byte        // scratch, reused
}

// detect dispatches on the signature at the start of the file.
func (d *detector) detect() (Kind, error) {
	d.head = make([]byte, min(d.size, headLen))
	if err := d.readAt(d.head, 0); err != nil {
		return "", err
	}
	h := d.head
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return d.pdf()
	case bytes.HasPrefix(h, pngSignature):
		return d.png()
	case bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF}):
		return d.jpeg()
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return d.ooxml()
	}
	if i := bytes.Index(h, []byte("%PDF-")); i > 0 {
		if what := sniffFormat(h); what != "" {
			return "", problem(CodePolyglot, "%s with a PDF header at offset %d", what, i)
		}
		return "", problem(CodePDFInvalid, "the PDF header is at offset %d, not at the start", i)
	}
	what := sniff(h)
	if what == "" {
		what = "an unknown format"
	}
	return "", problem(CodeTypeNotAllowed, "%s", what)
}

// readAt fills p from offset off; a short read is an error.
func (d *detector) readAt(p []byte, off int64) error {
	n, err := d.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readTail reads the last tailLen bytes of the file once.
func (d *detector) readTail() error {
	if d.tail != nil {
		return nil
	}
	n := min(d.size, tailLen)
	t := make([]byte, n)
	if err := d.readAt(t, d.size-n); err != nil {
		return err
	}
	d.tail = t
	return nil
}

// reader returns the reusable buffered reader, reading from r.
func (d *detector) reader(r io.Reader) *bufio.Reader {
	if d.br == nil {
		d.br = bufio.NewReaderSize(r, bufLen)
	} else {
		d.br.Reset(r)
	}
	return d.br
}

// scratch returns the reusable scratch buffer, at least n bytes long.
func (d *detector) scratch(n int) []byte {
	if cap(d.buf) < n {
		d.buf = make([]byte, max(n, 32<<10))
	}
	return d.buf[:n]
}

// foreign looks for another format hidden in the file: a ZIP end of central directory record near the
// end (an appended archive, which lenient ZIP readers open), then what foreignHead looks for. It
// needs the tail.
func (d *detector) foreign(pdf bool) *Problem {
	if off, ok := zipEndIn(d.tail, d.size-int64(len(d.tail))); ok {
		return problem(CodePolyglot, "a ZIP end of central directory record at offset %d", off)
	}
	return d.foreignHead(pdf)
}

// foreignHead looks in the first KiB for a PDF header (unless pdf is true: PDF readers look for it
// that far) and for HTML.
func (d *detector) foreignHead(pdf bool) *Problem {
	if !pdf {
		if i := bytes.Index(d.head, []byte("%PDF-")); i >= 0 {
			return problem(CodePolyglot, "a PDF header at offset %d", i)
		}
	}
	if tag := markup(d.head); tag != "" {
		return problem(CodePolyglot, "HTML markup %q in the first KiB", tag)
	}
	return nil
}
