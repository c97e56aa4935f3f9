package check_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/files/check"
)

// detectCase is a file and what Detect must say of it: a kind, or the code of a problem.
type detectCase struct {
	name string
	data []byte
	kind check.Kind
	code string
}

// detectCases builds the table of TestDetect (and the seeds of FuzzDetect).
func detectCases(tb testing.TB) []detectCase {
	tb.Helper()
	pdf := MustPDF(tb, 4<<10)
	pngFile := MustPNG(tb, 64, 48)
	jpg := MustJPEG(tb, 64, 48)
	docx := MustDOCX(tb)
	xlsx := MustXLSX(tb)
	plainZip := MustZip(tb, Entry{Name: "readme.txt", Data: []byte("hello")})
	appendedZip := append(bytes.Clone(pdf), plainZip...)
	// A ZIP hidden before "%%EOF", so that the PDF still ends as a PDF.
	zipInside := append(bytes.Clone(pdf[:len(pdf)-6]), plainZip...)
	zipInside = append(zipInside, "\n%%EOF\n"...)

	manyEntries := make([]Entry, 0, 2000)
	manyEntries = append(manyEntries, docxEntries(ctDocx)...)
	for i := len(manyEntries); i < 2000; i++ {
		manyEntries = append(manyEntries, Entry{Name: fmt.Sprintf("word/media/image%d.png", i), Data: []byte{byte(i)}, Store: true})
	}

	return []detectCase{
		// Accepted.
		{name: "pdf", data: pdf, kind: check.PDF},
		{name: "pdf 2.0 with CRLF and NUL padding", data: append(bytes.Replace(pdf, []byte("%PDF-1.7"), []byte("%PDF-2.0"), 1), "\r\n\x00\x00 "...), kind: check.PDF},
		{name: "png", data: pngFile, kind: check.PNG},
		{name: "jpeg", data: jpg, kind: check.JPEG},
		{name: "jpeg with a trailer after EOI", data: append(bytes.Clone(jpg), "SEFT motion photo trailer"...), kind: check.JPEG},
		{name: "jpeg with an APP1 segment", data: insertJPEGSegment(jpg, 0xE1, []byte("Exif\x00\x00 fake")), kind: check.JPEG},
		{name: "docx", data: docx, kind: check.DOCX},
		{name: "xlsx", data: xlsx, kind: check.XLSX},
		{name: "docx with stored media, hyperlink, web image and local template", data: MustDOCX(tb,
			Entry{Name: "word/media/image1.png", Data: pngFile, Store: true},
			Entry{Name: "word/_rels/document.xml.rels", Data: rels(
				[]string{relHyperlink, "https://gosuslugi.ru/", "External"},
				[]string{relImage, "http://example.ru/a.png", "External"},
				[]string{relImage, "media/image1.png"})},
			Entry{Name: "word/_rels/settings.xml.rels", Data: rels(
				[]string{relTemplate, `file:///C:\Users\ivan\AppData\Roaming\Microsoft\Templates\Normal.dotm`, "External"})},
		), kind: check.DOCX},
		{name: "docx with a case-different main part name", data: MustZip(tb,
			Entry{Name: "[Content_Types].xml", Data: contentTypes("/word/document.xml", ctDocx)},
			Entry{Name: "_rels/.rels", Data: rels([]string{relOfficeDocument, "/Word/Document.xml"})},
			Entry{Name: "word/document.xml", Data: []byte(documentXML)},
		), kind: check.DOCX},
		{name: "docx with a UTF-8 BOM in its XML", data: MustZip(tb,
			Entry{Name: "[Content_Types].xml", Data: append([]byte("\uFEFF"), contentTypes("/word/document.xml", ctDocx)...)},
			Entry{Name: "_rels/.rels", Data: append([]byte("\uFEFF"), rels([]string{relOfficeDocument, "word/document.xml"})...)},
			Entry{Name: "word/document.xml", Data: []byte(documentXML)},
		), kind: check.DOCX},

		// Nothing at all, or another type.
		{name: "empty", data: nil, code: check.CodeEmpty},
		{name: "renamed exe", data: append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 500)...), code: check.CodeTypeNotAllowed},
		{name: "elf", data: []byte("\x7fELF\x02\x01\x01\x00"), code: check.CodeTypeNotAllowed},
		{name: "ole2 doc", data: []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00"), code: check.CodeTypeNotAllowed},
		{name: "gif", data: []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), code: check.CodeTypeNotAllowed},
		{name: "rar", data: []byte("Rar!\x1a\x07\x01\x00"), code: check.CodeTypeNotAllowed},
		{name: "html", data: []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), code: check.CodeTypeNotAllowed},
		{name: "shell script", data: []byte("#!/bin/sh\nrm -rf /\n"), code: check.CodeTypeNotAllowed},
		{name: "plain text", data: []byte("Здравствуйте!\n"), code: check.CodeTypeNotAllowed},
		{name: "empty zip", data: []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), code: check.CodeTypeNotAllowed},
		{name: "single byte", data: []byte{0x89}, code: check.CodeTypeNotAllowed},

		// PDF.
		{name: "pdf without %%EOF", data: pdf[:len(pdf)-7], code: check.CodePDFInvalid},
		{name: "pdf with data after %%EOF", data: append(bytes.Clone(pdf), "<script>x</script>"...), code: check.CodePDFInvalid},
		{name: "pdf version 3.0", data: bytes.Replace(pdf, []byte("%PDF-1.7"), []byte("%PDF-3.0"), 1), code: check.CodePDFInvalid},
		{name: "pdf header only", data: []byte("%PDF-"), code: check.CodePDFInvalid},
		{name: "pdf after a BOM", data: append([]byte("\xEF\xBB\xBF"), pdf...), code: check.CodePDFInvalid},
		{name: "pdf with an appended zip", data: appendedZip, code: check.CodePolyglot},
		{name: "pdf with a zip before %%EOF", data: zipInside, code: check.CodePolyglot},
		{name: "pdf with html", data: bytes.Replace(pdf, []byte("1 0 obj"), []byte("<html><script>alert(1)</script>\n1 0 obj"), 1), code: check.CodePolyglot},
		{name: "exe with a pdf header", data: append([]byte("MZ\x90\x00"), pdf...), code: check.CodePolyglot},

		// PNG.
		{name: "png bomb", data: craftedPNG(100000, 100000), code: check.CodeImageBomb},
		{name: "png of 2^31 pixels wide", data: craftedPNG(1<<31, 1), code: check.CodeImageInvalid},
		{name: "png of zero pixels", data: craftedPNG(0, 10), code: check.CodeImageInvalid},
		{name: "small crafted png", data: craftedPNG(1, 1), kind: check.PNG},
		{name: "truncated png", data: pngFile[:len(pngFile)/2], code: check.CodeImageInvalid},
		{name: "png without IEND", data: pngFile[:len(pngFile)-12], code: check.CodeImageInvalid},
		{name: "png signature only", data: pngFile[:8], code: check.CodeImageInvalid},
		{name: "png with a bad CRC", data: flip(pngFile, len(pngFile)/2), code: check.CodeImageInvalid},
		{name: "png with data after IEND", data: append(bytes.Clone(pngFile), "<?php system($_GET[1]);"...), code: check.CodePolyglot},
		{name: "png with an appended zip", data: append(bytes.Clone(pngFile), plainZip...), code: check.CodePolyglot},

		// JPEG.
		{name: "jpeg bomb", data: resizedJPEG(tb, jpg, 20000, 20000), code: check.CodeImageBomb},
		{name: "truncated jpeg", data: jpg[:len(jpg)/2], code: check.CodeImageInvalid},
		{name: "jpeg without EOI", data: jpg[:len(jpg)-2], code: check.CodeImageInvalid},
		{name: "jpeg SOI only", data: []byte{0xFF, 0xD8, 0xFF}, code: check.CodeImageInvalid},
		{name: "jpeg with an appended zip", data: append(bytes.Clone(jpg), plainZip...), code: check.CodePolyglot},
		{name: "jpeg with a script comment", data: insertJPEGSegment(jpg, 0xFE, []byte("<script>alert(1)</script>")), code: check.CodePolyglot},

		// DOCX and XLSX.
		{name: "plain zip", data: plainZip, code: check.CodeOOXMLInvalid},
		{name: "docx without _rels/.rels", data: MustZip(tb, docxEntries(ctDocx)[0], docxEntries(ctDocx)[2]), code: check.CodeOOXMLInvalid},
		{name: "docx without its main part", data: MustZip(tb, docxEntries(ctDocx)[:2]...), code: check.CodeOOXMLInvalid},
		{name: "docx whose main part has no type", data: MustZip(tb,
			Entry{Name: "[Content_Types].xml", Data: []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)},
			docxEntries(ctDocx)[1], docxEntries(ctDocx)[2]), code: check.CodeOOXMLInvalid},
		{name: "docx with two main parts", data: MustZip(tb,
			docxEntries(ctDocx)[0],
			Entry{Name: "_rels/.rels", Data: rels([]string{relOfficeDocument, "word/document.xml"}, []string{relOfficeDocument, "word/document.xml"})},
			docxEntries(ctDocx)[2]), code: check.CodeOOXMLInvalid},
		{name: "docm", data: MustZip(tb, docxEntries(ctDocm, Entry{Name: "word/vbaProject.bin", Data: []byte("\xD0\xCF\x11\xE0 macros")})...), code: check.CodeTypeNotAllowed},
		{name: "docm without vbaProject.bin", data: MustZip(tb, docxEntries(ctDocm)...), code: check.CodeTypeNotAllowed},
		{name: "docx with vbaProject.bin", data: MustDOCX(tb, Entry{Name: "word/VBAProject.bin", Data: []byte("macros")}), code: check.CodeTypeNotAllowed},
		{name: "docx with a renamed VBA part", data: MustZip(tb,
			Entry{Name: "[Content_Types].xml", Data: contentTypes("/word/document.xml", ctDocx, "/word/x.dat", "application/vnd.ms-office.vbaProject")},
			docxEntries(ctDocx)[1], docxEntries(ctDocx)[2], Entry{Name: "word/x.dat", Data: []byte("macros")}), code: check.CodeTypeNotAllowed},
		{name: "dotx", data: MustZip(tb, docxEntries(ctDotx)...), code: check.CodeTypeNotAllowed},
		{name: "pptx", data: MustZip(tb, docxEntries(ctPptx)...), code: check.CodeTypeNotAllowed},
		{name: "docx with an OLE object", data: MustDOCX(tb, Entry{Name: "word/embeddings/oleObject1.bin", Data: []byte("\xD0\xCF\x11\xE0 package")}), code: check.CodeActiveContent},
		{name: "docx with a remote template", data: MustDOCX(tb, Entry{Name: "word/_rels/settings.xml.rels",
			Data: rels([]string{relTemplate, "https://evil.example/t.dotm", "External"})}), code: check.CodeActiveContent},
		{name: "docx with a UNC template", data: MustDOCX(tb, Entry{Name: "word/_rels/settings.xml.rels",
			Data: rels([]string{relTemplate, `\\203.0.113.9\share\t.dotm`, "External"})}), code: check.CodeActiveContent},
		{name: "docx with a file-URL UNC image", data: MustDOCX(tb, Entry{Name: "word/_rels/document.xml.rels",
			Data: rels([]string{relImage, `file://203.0.113.9/share/a.png`, "External"})}), code: check.CodeActiveContent},
		{name: "docx with a DTD", data: MustZip(tb, docxEntries(ctDocx)[0], docxEntries(ctDocx)[1],
			Entry{Name: "word/document.xml", Data: []byte(`<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]><w:document/>`)}), code: check.CodeOOXMLInvalid},
		{name: "docx with a DTD in its content types", data: MustZip(tb,
			Entry{Name: "[Content_Types].xml", Data: bytes.Replace(contentTypes("/word/document.xml", ctDocx), []byte("<Types"), []byte("<!DOCTYPE Types SYSTEM \"http://evil.example/x\"><Types"), 1)},
			docxEntries(ctDocx)[1], docxEntries(ctDocx)[2]), code: check.CodeOOXMLInvalid},
		{name: "docx with data appended", data: append(bytes.Clone(docx), "trailing"...), code: check.CodePolyglot},
		{name: "docx with a pdf header in its first entry", data: MustZip(tb, Entry{Name: "a.pdf", Data: MustPDF(tb, 300), Store: true}), code: check.CodePolyglot},
		{name: "docx with a path traversal", data: MustDOCX(tb, Entry{Name: "../../evil.sh", Data: []byte("x")}), code: check.CodeOOXMLInvalid},
		{name: "docx with an absolute path", data: MustDOCX(tb, Entry{Name: "/etc/cron.d/x", Data: []byte("x")}), code: check.CodeOOXMLInvalid},
		{name: "docx with a backslash path", data: MustDOCX(tb, Entry{Name: `..\evil.bat`, Data: []byte("x")}), code: check.CodeOOXMLInvalid},
		{name: "docx with duplicate names", data: MustDOCX(tb, Entry{Name: "WORD/document.xml", Data: []byte(documentXML)}), code: check.CodeOOXMLInvalid},
		{name: "docx with an encrypted entry", data: MustDOCX(tb, Entry{Name: "word/media/a.png", Data: []byte("x"), Flags: 1}), code: check.CodeOOXMLInvalid},
		{name: "docx with a bad CRC", data: MustDOCX(tb, Entry{Name: "word/media/a.png", Data: bytes.Repeat([]byte("a"), 100), BadCRC: true}), code: check.CodeOOXMLInvalid},
		{name: "docx with a bad CRC, stored", data: MustDOCX(tb, Entry{Name: "word/media/a.png", Data: []byte("abc"), Store: true, BadCRC: true}), code: check.CodeOOXMLInvalid},
		{name: "docx lying about a size (smaller)", data: MustDOCX(tb, Entry{Name: "word/media/zeros.dat", Data: make([]byte, 2<<20), Declared: 1000}), code: check.CodeZipBomb},
		{name: "docx lying about a size (larger)", data: MustDOCX(tb, Entry{Name: "word/media/a.dat", Data: make([]byte, 1000), Declared: 2000}), code: check.CodeOOXMLInvalid},
		{name: "docx with 2000 entries", data: MustZip(tb, manyEntries...), code: check.CodeZipBomb},
		{name: "docx with overlapping entries", data: patchZip(tb, MustDOCX(tb, Entry{Name: "word/media/b.png", Data: []byte("bbb")}),
			func(b []byte, central map[string]int) {
				binary.LittleEndian.PutUint32(b[central["word/media/b.png"]+42:], 0)
			}),
			code: check.CodeZipBomb},
		{name: "docx whose local name differs", data: patchZip(tb, docx, func(b []byte, central map[string]int) {
			i := bytes.Index(b, []byte("word/document.xml"))
			copy(b[i:], "word/documenT.xml")
		}), code: check.CodeOOXMLInvalid},
		{name: "docx whose end record undercounts", data: patchZip(tb, docx, func(b []byte, _ map[string]int) {
			end := bytes.LastIndex(b, []byte("PK\x05\x06"))
			binary.LittleEndian.PutUint16(b[end+8:], 2)
			binary.LittleEndian.PutUint16(b[end+10:], 2)
		}), code: check.CodeOOXMLInvalid},
		{name: "docx whose end record overcounts", data: patchZip(tb, docx, func(b []byte, _ map[string]int) {
			end := bytes.LastIndex(b, []byte("PK\x05\x06"))
			binary.LittleEndian.PutUint16(b[end+8:], 4)
			binary.LittleEndian.PutUint16(b[end+10:], 4)
		}), code: check.CodeOOXMLInvalid},
		{name: "docx cut short", data: docx[:len(docx)-30], code: check.CodeOOXMLInvalid},
		{name: "zip header only", data: []byte("PK\x03\x04"), code: check.CodeOOXMLInvalid},
	}
}

// flip returns a copy of b with one bit flipped at i.
func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestDetect(t *testing.T) {
	for _, tc := range detectCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			k, err := check.Detect(bytes.NewReader(tc.data), int64(len(tc.data)), check.Limits{})
			t.Logf("%q, %v", k, err)
			if got, want := string(k), string(tc.kind); got != want {
				t.Errorf("kind: got %q, want %q (err %v)", got, want, err)
			}
			var p *check.Problem
			switch {
			case tc.code == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tc.code != "" && !errors.As(err, &p):
				t.Errorf("got error %v, want a *Problem %s", err, tc.code)
			case tc.code != "" && p.Code != tc.code:
				t.Errorf("got %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestDetectZipBomb(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		lim  check.Limits
	}{
		{"200 MB of zeros: too much in all", 200 << 20, check.Limits{}},
		{"50 MB of zeros: too high a ratio", 50 << 20, check.Limits{}},
		{"2 MB of zeros under a 1 MB total", 2 << 20, check.Limits{MaxUncompressed: 1 << 20, MaxRatio: 1e9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := MustZipBomb(t, tc.n)
			if len(z) > 400<<10 {
				t.Errorf("the bomb is %d bytes, want about %d KB", len(z), tc.n/1000/1000)
			}
			_, err := check.Detect(bytes.NewReader(z), int64(len(z)), tc.lim)
			if p, ok := errors.AsType[*check.Problem](err); !ok || p.Code != check.CodeZipBomb {
				t.Errorf("got %v, want %s", err, check.CodeZipBomb)
			}
		})
	}
}

func TestDetectLimits(t *testing.T) {
	docx := MustDOCX(t, Entry{Name: "word/media/a.png", Data: make([]byte, 3<<20)})
	tests := []struct {
		name string
		data []byte
		lim  check.Limits
		code string
	}{
		{"defaults", docx, check.Limits{}, check.CodeZipBomb}, // 3 MiB of zeros: ratio over 100
		{"ratio allowed", docx, check.Limits{MaxRatio: 1e6}, ""},
		{"few entries", docx, check.Limits{MaxZipEntries: 3, MaxRatio: 1e6}, check.CodeZipBomb},
		{"small total", docx, check.Limits{MaxUncompressed: 1 << 20, MaxRatio: 1e6}, check.CodeZipBomb},
		{"pixels at the limit", MustPNG(t, 100, 100), check.Limits{MaxImagePixels: 10000}, ""},
		{"pixels over the limit", MustPNG(t, 100, 101), check.Limits{MaxImagePixels: 10000}, check.CodeImageBomb},
		{"jpeg pixels over the limit", MustJPEG(t, 101, 100), check.Limits{MaxImagePixels: 10000}, check.CodeImageBomb},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := check.Detect(bytes.NewReader(tc.data), int64(len(tc.data)), tc.lim)
			var got string
			if p, ok := errors.AsType[*check.Problem](err); ok {
				got = p.Code
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.code {
				t.Errorf("got %v, want %q", err, tc.code)
			}
		})
	}
}

// failingReader fails every read that reaches past an offset.
type failingReader struct {
	r     io.ReaderAt
	after int64
}

var errStorage = errors.New("storage: decryption failed")

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.after {
		return 0, errStorage
	}
	return f.r.ReadAt(p, off)
}

func TestDetectReadErrors(t *testing.T) {
	files := map[string][]byte{
		"pdf":  MustPDF(t, 100<<10),
		"png":  MustPNG(t, 200, 200),
		"jpeg": MustJPEG(t, 200, 200),
		"docx": MustDOCX(t, Entry{Name: "word/media/a.png", Data: MustPNG(t, 200, 200), Store: true}),
	}
	for name, data := range files {
		t.Run(name+" storage failure", func(t *testing.T) {
			_, err := check.Detect(failingReader{bytes.NewReader(data), int64(len(data)) - 100}, int64(len(data)), check.Limits{})
			if !errors.Is(err, errStorage) {
				t.Errorf("got %v, want the storage error", err)
			}
			if _, ok := errors.AsType[*check.Problem](err); ok {
				t.Errorf("a storage failure is reported as a problem of the file: %v", err)
			}
		})
		t.Run(name+" size larger than the data", func(t *testing.T) {
			_, err := check.Detect(bytes.NewReader(data), int64(len(data))+10, check.Limits{})
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
			}
		})
	}
	if _, err := check.Detect(bytes.NewReader(nil), -1, check.Limits{}); err == nil {
		t.Error("a negative size is accepted")
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		k        check.Kind
		ct, ext  string
		detected []byte
	}{
		{check.PDF, "application/pdf", ".pdf", MustPDF(t, 100)},
		{check.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", MustDOCX(t)},
		{check.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", MustXLSX(t)},
		{check.JPEG, "image/jpeg", ".jpg", MustJPEG(t, 8, 8)},
		{check.PNG, "image/png", ".png", MustPNG(t, 8, 8)},
		{check.Kind("exe"), "application/octet-stream", "", nil},
	}
	for _, tc := range tests {
		if got := tc.k.ContentType(); got != tc.ct {
			t.Errorf("%s.ContentType(): got %q, want %q", tc.k, got, tc.ct)
		}
		if got := tc.k.Ext(); got != tc.ext {
			t.Errorf("%s.Ext(): got %q, want %q", tc.k, got, tc.ext)
		}
		if tc.detected != nil {
			if got, err := check.Detect(bytes.NewReader(tc.detected), int64(len(tc.detected)), check.Limits{}); got != tc.k {
				t.Errorf("Detect: got %q, %v, want %q", got, err, tc.k)
			}
		}
	}
	p := &check.Problem{Code: check.CodeZipBomb, Detail: "too much"}
	if got, want := p.Error(), "file.zip_bomb: too much"; got != want {
		t.Errorf("Error(): got %q, want %q", got, want)
	}
}

// bigDOCX writes a DOCX of about size bytes to w: the minimal parts, then incompressible stored
// media and deflated XML, each under the ratio and entry limits.
func bigDOCX(tb testing.TB, w io.Writer, size int) {
	tb.Helper()
	media := MustPNG(tb, 512, 512) // about 1 MB of noise
	entries := docxEntries(ctDocx)
	for i := 0; len(entries) < 900 && i*len(media) < size; i++ {
		entries = append(entries,
			Entry{Name: fmt.Sprintf("word/media/image%d.png", i), Data: media, Store: true},
			Entry{Name: fmt.Sprintf("customXml/item%d.xml", i), Data: bytes.Repeat([]byte("<a>текст обращения</a>"), 2000)})
	}
	entries = append(entries, Entry{Name: "word/_rels/document.xml.rels", Data: rels([]string{relImage, "media/image0.png"})})
	zw := zip.NewWriter(w)
	for _, e := range entries {
		if err := writeEntry(zw, e); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
}

func TestDetectMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 25 MB file")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "big.docx")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	bigDOCX(t, f, 25<<20)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, err = os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < 24<<20 {
		t.Fatalf("the file is %d bytes, want 25 MB", fi.Size())
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k, err := check.Detect(f, fi.Size(), check.Limits{})
	runtime.ReadMemStats(&after)
	if k != check.DOCX || err != nil {
		t.Fatalf("got %q, %v, want docx", k, err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Detect on %d bytes allocated %d bytes", fi.Size(), alloc)
	if alloc > 4<<20 {
		t.Errorf("Detect allocated %d bytes, want < 4 MiB", alloc)
	}
}
