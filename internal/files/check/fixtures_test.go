package check_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// The fixtures are built here, in code: no binary files in the repository.

// MustPDF returns a minimal PDF padded with a binary stream to about size bytes.
func MustPDF(tb testing.TB, size int) []byte {
	tb.Helper()
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	b.WriteString("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n")
	pad := max(0, size-b.Len()-200)
	fmt.Fprintf(&b, "4 0 obj\n<< /Length %d >>\nstream\n", pad)
	r := rand.NewChaCha8([32]byte{1})
	io.CopyN(&b, r, int64(pad))
	b.WriteString("\nendstream\nendobj\n")
	xref := b.Len()
	b.WriteString("xref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R >>\n")
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// noise returns an image of random pixels (incompressible, so the files are as big as they get).
func noise(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.NewChaCha8([32]byte{2})
	r.Read(img.Pix)
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xFF
	}
	return img
}

// MustPNG returns a PNG of w×h pixels.
func MustPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, noise(w, h)); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// MustJPEG returns a JPEG of w×h pixels.
func MustJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, noise(w, h), &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// craftedPNG returns a PNG whose IHDR claims w×h pixels, with a tiny IDAT.
func craftedPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, adaptive filter, no interlace
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

// resizedJPEG returns jpg with the frame header patched to claim w×h pixels.
func resizedJPEG(tb testing.TB, jpg []byte, w, h uint16) []byte {
	tb.Helper()
	b := bytes.Clone(jpg)
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		tb.Fatal("no SOF0 in the JPEG")
	}
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	return b
}

// insertJPEGSegment inserts a marker segment right after SOI.
func insertJPEGSegment(jpg []byte, marker byte, data []byte) []byte {
	seg := []byte{0xFF, marker}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(data)+2))
	seg = append(seg, data...)
	return append(append(bytes.Clone(jpg[:2]), seg...), jpg[2:]...)
}

// Entry is a file of a test ZIP archive.
type Entry struct {
	Name  string
	Data  []byte
	Store bool   // stored, not deflated
	Flags uint16 // extra flags, such as 1 (encrypted)
	// Declared, if not zero, is the uncompressed size written in the headers instead of the real
	// one (a lying central directory); the CRC is then that of the real data.
	Declared uint64
	// BadCRC writes a wrong CRC.
	BadCRC bool
}

// MustZip builds a ZIP archive of the entries.
func MustZip(tb testing.TB, entries ...Entry) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		if err := writeEntry(zw, e); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// writeEntry writes one entry, raw when it must lie.
func writeEntry(zw *zip.Writer, e Entry) error {
	fh := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Flags: e.Flags}
	if e.Store {
		fh.Method = zip.Store
	}
	if e.Declared == 0 && !e.BadCRC {
		w, err := zw.CreateHeader(fh)
		if err != nil {
			return err
		}
		_, err = w.Write(e.Data)
		return err
	}
	var c bytes.Buffer
	if e.Store {
		c.Write(e.Data)
	} else {
		fw, _ := flate.NewWriter(&c, flate.BestCompression)
		fw.Write(e.Data)
		fw.Close()
	}
	fh.CRC32 = crc32.ChecksumIEEE(e.Data)
	if e.BadCRC {
		fh.CRC32++
	}
	fh.CompressedSize64 = uint64(c.Len())
	fh.UncompressedSize64 = uint64(len(e.Data))
	if e.Declared != 0 {
		fh.UncompressedSize64 = e.Declared
	}
	w, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = w.Write(c.Bytes())
	return err
}

const (
	ctDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	ctXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	ctDocm = "application/vnd.ms-word.document.macroEnabled.main+xml"
	ctDotx = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
	ctPptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"

	relOfficeDocument = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relTemplate       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
	relHyperlink      = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
	relImage          = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
)

// contentTypes returns a [Content_Types].xml with the usual defaults and the overrides (part name →
// content type, in pairs).
func contentTypes(overrides ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	b.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`)
	b.WriteString(`<Default Extension="xml" ContentType="application/xml"/>`)
	b.WriteString(`<Default Extension="png" ContentType="image/png"/>`)
	b.WriteString(`<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>`)
	for i := 0; i+1 < len(overrides); i += 2 {
		fmt.Fprintf(&b, `<Override PartName="%s" ContentType="%s"/>`, overrides[i], overrides[i+1])
	}
	b.WriteString(`</Types>`)
	return []byte(b.String())
}

// rels returns a relationships part; each relationship is type, target and, optionally, "External".
func rels(rs ...[]string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, r := range rs {
		mode := ""
		if len(r) > 2 {
			mode = ` TargetMode="` + r[2] + `"`
		}
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%s" Target="%s"%s/>`, i+1, r[0], r[1], mode)
	}
	b.WriteString(`</Relationships>`)
	return []byte(b.String())
}

const documentXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Прошу рассмотреть обращение.</w:t></w:r></w:p></w:body></w:document>`

const workbookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>`

const sheetXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>42</t></is></c></row></sheetData></worksheet>`

// docxEntries returns the parts of a minimal DOCX whose main part has content type ct, followed by
// more entries.
func docxEntries(ct string, more ...Entry) []Entry {
	es := []Entry{
		{Name: "[Content_Types].xml", Data: contentTypes("/word/document.xml", ct)},
		{Name: "_rels/.rels", Data: rels([]string{relOfficeDocument, "word/document.xml"})},
		{Name: "word/document.xml", Data: []byte(documentXML)},
	}
	return append(es, more...)
}

// MustDOCX returns a minimal DOCX with more entries.
func MustDOCX(tb testing.TB, more ...Entry) []byte {
	tb.Helper()
	return MustZip(tb, docxEntries(ctDocx, more...)...)
}

// MustXLSX returns a minimal XLSX.
func MustXLSX(tb testing.TB) []byte {
	tb.Helper()
	return MustZip(tb,
		Entry{Name: "[Content_Types].xml", Data: contentTypes(
			"/xl/workbook.xml", ctXlsx,
			"/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")},
		Entry{Name: "_rels/.rels", Data: rels([]string{relOfficeDocument, "/xl/workbook.xml"})},
		Entry{Name: "xl/workbook.xml", Data: []byte(workbookXML)},
		Entry{Name: "xl/_rels/workbook.xml.rels", Data: rels([]string{
			"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet", "worksheets/sheet1.xml"})},
		Entry{Name: "xl/worksheets/sheet1.xml", Data: []byte(sheetXML)},
	)
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// MustZipBomb returns a DOCX whose one extra entry is n zero bytes, streamed through the ZIP writer
// (n = 200 MB gives about 200 KB).
func MustZipBomb(tb testing.TB, n int64) []byte {
	tb.Helper()
	var b bytes.Buffer
	cw := &countingWriter{w: &b}
	zw := zip.NewWriter(cw)
	for _, e := range docxEntries(ctDocx) {
		if err := writeEntry(zw, e); err != nil {
			tb.Fatal(err)
		}
	}
	w, err := zw.Create("word/media/zeros.dat")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.CopyN(w, zeros{}, n); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if cw.n != int64(b.Len()) {
		tb.Fatalf("counted %d bytes, wrote %d", cw.n, b.Len())
	}
	return b.Bytes()
}

// centralHeaders returns the offsets of the central directory headers of a ZIP, by name.
func centralHeaders(tb testing.TB, z []byte) map[string]int {
	tb.Helper()
	end := bytes.LastIndex(z, []byte("PK\x05\x06"))
	off := int(binary.LittleEndian.Uint32(z[end+16:]))
	n := int(binary.LittleEndian.Uint16(z[end+10:]))
	m := make(map[string]int, n)
	for range n {
		if string(z[off:off+4]) != "PK\x01\x02" {
			tb.Fatal("not a central directory header")
		}
		nl := int(binary.LittleEndian.Uint16(z[off+28:]))
		el := int(binary.LittleEndian.Uint16(z[off+30:]))
		cl := int(binary.LittleEndian.Uint16(z[off+32:]))
		m[string(z[off+46:off+46+nl])] = off
		off += 46 + nl + el + cl
	}
	return m
}

// patchZip returns a copy of z with fn applied to it, given the central directory headers by name.
func patchZip(tb testing.TB, z []byte, fn func(b []byte, central map[string]int)) []byte {
	tb.Helper()
	b := bytes.Clone(z)
	fn(b, centralHeaders(tb, z))
	return b
}

// gray is a small image for tests that do not care about its content.
var gray = func() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 4)
	}
	img.Set(0, 0, color.Gray{Y: 255})
	return img
}()
