package check

import (
	"archive/zip"
	"bytes"
	"cmp"
	"compress/flate"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
)

const (
	ratioFloor  = 1 << 20  // entries up to 1 MiB may compress as well as they like
	maxXMLPart  = 1 << 20  // the most of [Content_Types].xml or of one .rels part we parse
	maxXMLTotal = 16 << 20 // the most of all of them together

	sigCentral     = 0x02014b50
	sigLocal       = 0x04034b50
	sigEnd64       = 0x06064b50
	sigEnd64Locate = 0x07064b50

	flagEncrypted = 0x1 | 0x40 // traditional and strong encryption
)

// Content types of main parts (ECMA-376 Part 1), lowercase.
const (
	docxMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	xlsxMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)

// Relationship types of the main part: transitional and strict OOXML.
var officeDocumentRels = []string{
	"http://schemas.openxmlformats.org/officedocument/2006/relationships/officedocument",
	"http://purl.oclc.org/ooxml/officedocument/relationships/officedocument",
}

// ooxml is the state of checking a DOCX or XLSX.
type ooxml struct {
	*detector
	dirOffset int64
	parts     []part         // in central directory order
	order     []int          // indices of parts by offset in the file
	byName    map[string]int // lowercase name → index in parts
	exts      map[string]bool
	types     contentTypes
	xmlBudget int64
	fr        io.ReadCloser // the inflater, reused
	crc       hash.Hash32
}

// part is one ZIP entry.
type part struct {
	f    *zip.File
	name string // lowercase: OPC part names compare case-insensitively
	hdr  int64  // offset of the local header
	data int64  // offset of the (compressed) data
}

// ooxml checks a file that starts with a ZIP local header. In order, cheapest first:
//   - the archive ends exactly at its end record, nothing appended, one disk, no data before it, and
//     at most MaxZipEntries entries (counted in the central directory before archive/zip reads it);
//   - each entry: a relative name without "..", "\" or a drive, no duplicate (ignoring case), not
//     encrypted, stored or deflated, declared sizes within MaxUncompressed in all and MaxRatio each;
//     no vbaProject.bin;
//   - local headers agree with the central directory, and entries neither overlap nor leave the
//     archive;
//   - [Content_Types].xml and _rels/.rels exist; the part that _rels/.rels names as the main document
//     exists and has the DOCX or XLSX main content type (macro-enabled and template types are
//     refused); no part is VBA, ActiveX, an OLE object or a macro-enabled document; no relationship
//     loads something remote (templates, frames, OLE links), hyperlinks excepted;
//   - every entry inflates to exactly its declared size and CRC, MaxUncompressed in all, and no XML
//     part has a DTD (OPC forbids them; they are how XML entity bombs and XXE work).
func (d *detector) ooxml() (Kind, error) {
	if err := d.readTail(); err != nil {
		return "", err
	}
	if p := d.foreignHead(false); p != nil {
		return "", p
	}
	o := &ooxml{detector: d, xmlBudget: maxXMLTotal, crc: crc32.NewIEEE()}
	if err := o.directory(); err != nil {
		return "", err
	}
	if err := o.entries(); err != nil {
		return "", err
	}
	if err := o.localHeaders(); err != nil {
		return "", err
	}
	k, err := o.opc()
	if err != nil {
		return "", err
	}
	if err := o.inflateAll(); err != nil {
		return "", err
	}
	return k, nil
}

// invalid makes a file.ooxml_invalid problem.
func invalid(format string, args ...any) *Problem {
	return problem(CodeOOXMLInvalid, format, args...)
}

// directory finds the central directory the way archive/zip does, refuses what archive/zip would
// tolerate but Office would not (data before or after the archive, several disks), counts the
// entries before archive/zip allocates them, and then lets archive/zip read them.
func (o *ooxml) directory() error {
	t := o.tail
	i := zipEnd(t)
	if i < 0 {
		return invalid("no ZIP end of central directory record")
	}
	if n := len(t) - i - 22 - int(le16(t[i+20:])); n != 0 {
		return problem(CodePolyglot, "%d bytes of data after the end of the ZIP archive", n)
	}
	rec := t[i:]
	disk, dirDisk := uint32(le16(rec[4:])), uint32(le16(rec[6:]))
	here, records := uint64(le16(rec[8:])), uint64(le16(rec[10:]))
	dirSize, dirOffset := uint64(le32(rec[12:])), uint64(le32(rec[16:]))
	endOffset := o.size - int64(len(t)) + int64(i)
	// ZIP64, detected and located exactly as archive/zip does, so that both read the same directory.
	if records == 0xffff || dirSize == 0xffff || dirOffset == 0xffffffff {
		if loc := endOffset - 20; loc >= 0 {
			var b [20]byte
			if err := o.readAt(b[:], loc); err != nil {
				return invalid("ZIP64 locator: %v", err)
			}
			if le32(b[:]) == sigEnd64Locate && le32(b[4:]) == 0 && le32(b[16:]) == 1 {
				p := le64(b[8:])
				var r [56]byte
				if o.size < 56 || p > uint64(o.size-56) || o.readAt(r[:], int64(p)) != nil || le32(r[:]) != sigEnd64 {
					return invalid("no ZIP64 end of central directory record")
				}
				disk, dirDisk = le32(r[16:]), le32(r[20:])
				here, records = le64(r[24:]), le64(r[32:])
				dirSize, dirOffset = le64(r[40:]), le64(r[48:])
				endOffset = int64(p)
			}
		}
	}
	switch {
	case disk != 0 || dirDisk != 0 || here != records:
		return invalid("a multi-disk ZIP archive")
	case records > uint64(o.lim.MaxZipEntries):
		return problem(CodeZipBomb, "%d entries, more than %d", records, o.lim.MaxZipEntries)
	case records == 0:
		return invalid("an empty ZIP archive")
	case dirOffset > uint64(endOffset) || dirSize != uint64(endOffset)-dirOffset:
		return invalid("the central directory is not right before its end record (data before the archive?)")
	}
	o.dirOffset = int64(dirOffset)

	offsets, err := o.walkDirectory(int64(dirOffset), int64(dirSize), int(records))
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(o.r, o.size)
	if err != nil {
		return invalid("%v", err)
	}
	if len(zr.File) != len(offsets) {
		return invalid("archive/zip reads %d entries, the central directory has %d", len(zr.File), len(offsets))
	}
	o.parts = make([]part, len(zr.File))
	for i, f := range zr.File {
		o.parts[i] = part{f: f, name: strings.ToLower(f.Name), hdr: offsets[i]}
	}
	return nil
}

// zipEnd returns where archive/zip finds the end of central directory record in the tail of a file:
// the last signature with room for the record, provided its comment fits; or -1.
func zipEnd(t []byte) int {
	if len(t) < 22 {
		return -1
	}
	i := bytes.LastIndex(t[:len(t)-22+4], zipEndSignature)
	if i < 0 || i+22+int(le16(t[i+20:])) > len(t) {
		return -1
	}
	return i
}

// walkDirectory reads the n central directory headers in the size bytes at offset, and returns the
// offset of each local header. It reads no more than the directory, which must hold exactly n
// headers, so archive/zip, which reads headers until one is bad, will find the same ones.
func (o *ooxml) walkDirectory(offset, size int64, n int) ([]int64, error) {
	br := o.reader(io.NewSectionReader(o.r, offset, size))
	offsets := make([]int64, 0, n)
	var h [46]byte
	for range n {
		if _, err := io.ReadFull(br, h[:]); err != nil || le32(h[:]) != sigCentral {
			return nil, invalid("the central directory holds fewer entries than its end record declares")
		}
		csize, usize, off := le32(h[20:]), le32(h[24:]), le32(h[42:])
		nameLen, extraLen, commentLen := int(le16(h[28:])), int(le16(h[30:])), int(le16(h[32:]))
		extra := o.scratch(extraLen)
		if _, err := br.Discard(nameLen); err != nil {
			return nil, invalid("the central directory is truncated")
		}
		if _, err := io.ReadFull(br, extra); err != nil {
			return nil, invalid("the central directory is truncated")
		}
		if _, err := br.Discard(commentLen); err != nil {
			return nil, invalid("the central directory is truncated")
		}
		hdr := int64(off)
		if off == 0xffffffff {
			// The ZIP64 extra field holds, in order, those of the sizes and the offset that are
			// 0xffffffff above. As in archive/zip.
			needU, needC, needOff := usize == 0xffffffff, csize == 0xffffffff, true
			for x := extra; len(x) >= 4 && needOff; {
				tag, fsize := le16(x), int(le16(x[2:]))
				x = x[4:]
				if len(x) < fsize {
					break
				}
				field := x[:fsize]
				x = x[fsize:]
				if tag != 1 {
					continue
				}
				for _, need := range []*bool{&needU, &needC, &needOff} {
					if !*need {
						continue
					}
					if len(field) < 8 {
						return nil, invalid("a malformed ZIP64 extra field")
					}
					*need = false
					if need == &needOff {
						hdr = int64(le64(field))
					}
					field = field[8:]
				}
			}
			if needOff || hdr < 0 {
				return nil, invalid("a ZIP64 entry without its offset")
			}
		}
		offsets = append(offsets, hdr)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, invalid("the central directory holds more entries than its end record declares")
	}
	return offsets, nil
}

// entries checks each entry's name, flags, method and declared sizes.
func (o *ooxml) entries() error {
	o.byName = make(map[string]int, len(o.parts))
	o.exts = make(map[string]bool)
	var declared uint64
	limit := uint64(o.lim.MaxUncompressed)
	for i := range o.parts {
		p := &o.parts[i]
		f := p.f
		if err := checkEntryName(f.Name); err != nil {
			return err
		}
		if _, dup := o.byName[p.name]; dup {
			return invalid("two entries named %q (ignoring case)", f.Name)
		}
		o.byName[p.name] = i
		if path.Base(p.name) == "vbaproject.bin" {
			return problem(CodeTypeNotAllowed, "VBA macros (%s)", f.Name)
		}
		if f.Flags&flagEncrypted != 0 {
			return invalid("entry %q is encrypted", f.Name)
		}
		u, c := f.UncompressedSize64, f.CompressedSize64
		switch f.Method {
		case zip.Store:
			if u != c {
				return invalid("stored entry %q declares %d bytes in %d", f.Name, u, c)
			}
		case zip.Deflate:
		default:
			return invalid("entry %q uses compression method %d", f.Name, f.Method)
		}
		if strings.HasSuffix(p.name, "/") && u != 0 {
			return invalid("directory entry %q has data", f.Name)
		}
		if u > limit-declared {
			return problem(CodeZipBomb, "the entries declare more than %d bytes in all", limit)
		}
		declared += u
		if u > ratioFloor && (c == 0 || float64(u) > o.lim.MaxRatio*float64(c)) {
			return problem(CodeZipBomb, "entry %q declares %d bytes from %d, a ratio over %g", f.Name, u, c, o.lim.MaxRatio)
		}
		if ext := path.Ext(p.name); ext != "" {
			o.exts[ext[1:]] = true
		}
	}
	return nil
}

// checkEntryName refuses names that are not plain relative paths: they would escape a directory if
// extracted, and Office never writes them.
func checkEntryName(name string) error {
	n := strings.TrimSuffix(name, "/")
	switch {
	case name == "":
		return invalid("an entry without a name")
	case strings.ContainsAny(name, "\\\x00"):
		return invalid("entry name %q has a backslash or NUL", name)
	case n == "." || !fs.ValidPath(n):
		return invalid("entry name %q is not a relative path", name)
	case len(name) >= 2 && name[1] == ':':
		return invalid("entry name %q starts with a drive", name)
	}
	return nil
}

// localHeaders checks each local header against the central directory (a ZIP read from the start,
// as some scanners do, must show the same entries) and that entries do not overlap (the way a zip
// bomb reuses data) and lie between the start of the file and the central directory.
func (o *ooxml) localHeaders() error {
	o.order = make([]int, len(o.parts))
	for i := range o.order {
		o.order[i] = i
	}
	slices.SortStableFunc(o.order, func(a, b int) int { return cmp.Compare(o.parts[a].hdr, o.parts[b].hdr) })
	if o.parts[o.order[0]].hdr != 0 {
		return invalid("the first entry does not start the file")
	}
	var end int64
	var lh [30]byte
	for _, i := range o.order {
		p := &o.parts[i]
		f := p.f
		if p.hdr < end {
			return problem(CodeZipBomb, "entry %q overlaps the entry before it", f.Name)
		}
		if p.hdr > o.dirOffset-30 || o.readAt(lh[:], p.hdr) != nil || le32(lh[:]) != sigLocal {
			return invalid("no local header for entry %q", f.Name)
		}
		flags, method := le16(lh[6:]), le16(lh[8:])
		nameLen, extraLen := int64(le16(lh[26:])), int64(le16(lh[28:]))
		name := o.scratch(int(nameLen))
		if o.readAt(name, p.hdr+30) != nil || string(name) != f.Name {
			return invalid("the local header of entry %q names %q", f.Name, name)
		}
		if method != f.Method || flags&flagEncrypted != 0 {
			return invalid("the local header of entry %q disagrees with the central directory", f.Name)
		}
		p.data = p.hdr + 30 + nameLen + extraLen
		if f.CompressedSize64 > uint64(o.dirOffset) || p.data+int64(f.CompressedSize64) > o.dirOffset {
			return invalid("the data of entry %q runs into the central directory", f.Name)
		}
		end = p.data + int64(f.CompressedSize64)
	}
	return nil
}

// contentTypes is what [Content_Types].xml says of the parts present (lowercase keys and values).
type contentTypes struct {
	defaults  map[string]string // extension without dot → type
	overrides map[string]string // part name without leading slash → type
}

// of returns the content type of a part, or "".
func (t contentTypes) of(name string) string {
	if ct, ok := t.overrides[name]; ok {
		return ct
	}
	if ext := path.Ext(name); ext != "" {
		return t.defaults[ext[1:]]
	}
	return ""
}

// opc reads the content types and the relationships, finds the main part and tells the kind.
func (o *ooxml) opc() (Kind, error) {
	ct, ok := o.byName["[content_types].xml"]
	if !ok {
		return "", invalid("no [Content_Types].xml: a ZIP archive, not an Office document")
	}
	rels, ok := o.byName["_rels/.rels"]
	if !ok {
		return "", invalid("no _rels/.rels")
	}
	if err := o.readContentTypes(&o.parts[ct]); err != nil {
		return "", err
	}
	main, err := o.mainPart(&o.parts[rels])
	if err != nil {
		return "", err
	}
	i, ok := o.byName[main]
	if !ok || strings.HasSuffix(main, "/") {
		return "", invalid("the main part %q is missing", main)
	}
	var k Kind
	switch mct := o.types.of(main); mct {
	case docxMain:
		k = DOCX
	case xlsxMain:
		k = XLSX
	case "":
		return "", invalid("the main part %q has no content type", o.parts[i].f.Name)
	default:
		return "", problem(CodeTypeNotAllowed, "the main part %q is %s", o.parts[i].f.Name, mct)
	}
	for i := range o.parts {
		p := &o.parts[i]
		if err := activeType(p.f.Name, o.types.of(p.name)); err != nil {
			return "", err
		}
	}
	for i := range o.parts {
		p := &o.parts[i]
		if i == rels || !strings.HasSuffix(p.name, ".rels") {
			continue
		}
		if err := o.readXML(p, func(se xml.StartElement) error { return externalRel(p.f.Name, se) }); err != nil {
			return "", err
		}
	}
	return k, nil
}

// readContentTypes reads [Content_Types].xml, keeping only what concerns the parts present.
func (o *ooxml) readContentTypes(p *part) error {
	o.types = contentTypes{defaults: map[string]string{}, overrides: map[string]string{}}
	root := true
	return o.readXML(p, func(se xml.StartElement) error {
		if root {
			root = false
			if se.Name.Local != "Types" {
				return invalid("[Content_Types].xml has no Types element")
			}
			return nil
		}
		ct := strings.ToLower(strings.TrimSpace(attr(se, "ContentType")))
		switch se.Name.Local {
		case "Default":
			ext := strings.ToLower(attr(se, "Extension"))
			if !o.exts[ext] {
				return nil
			}
			if _, dup := o.types.defaults[ext]; dup {
				return invalid("[Content_Types].xml declares extension %q twice", ext)
			}
			o.types.defaults[ext] = ct
		case "Override":
			name := attr(se, "PartName")
			if u, err := url.PathUnescape(name); err == nil {
				name = u
			}
			name = strings.ToLower(strings.TrimPrefix(name, "/"))
			if _, ok := o.byName[name]; !ok {
				return nil
			}
			if _, dup := o.types.overrides[name]; dup {
				return invalid("[Content_Types].xml declares part %q twice", name)
			}
			o.types.overrides[name] = ct
		}
		return nil
	})
}

// mainPart reads _rels/.rels and returns the lowercase name of the one main part it names.
func (o *ooxml) mainPart(p *part) (string, error) {
	var targets []string
	err := o.readXML(p, func(se xml.StartElement) error {
		if se.Name.Local != "Relationship" {
			return nil
		}
		if slices.Contains(officeDocumentRels, strings.ToLower(attr(se, "Type"))) {
			if strings.EqualFold(attr(se, "TargetMode"), "External") {
				return invalid("the main part is external")
			}
			if len(targets) < 2 {
				targets = append(targets, attr(se, "Target"))
			}
		}
		return externalRel(p.f.Name, se)
	})
	if err != nil {
		return "", err
	}
	if len(targets) != 1 {
		return "", invalid("_rels/.rels names %d main parts", len(targets))
	}
	t := targets[0]
	if u, err := url.PathUnescape(t); err == nil {
		t = u
	}
	t = strings.TrimPrefix(t, "/")
	if !fs.ValidPath(t) || t == "." {
		return "", invalid("the main part %q is not a part name", targets[0])
	}
	return strings.ToLower(t), nil
}

// activeType refuses a part whose content type is code or loads code.
func activeType(name, ct string) error {
	switch {
	case strings.Contains(ct, "vbaproject"):
		return problem(CodeTypeNotAllowed, "VBA macros (%s)", name)
	case strings.Contains(ct, "macroenabled"):
		return problem(CodeActiveContent, "an embedded macro-enabled document %q", name)
	case strings.Contains(ct, "activex"):
		return problem(CodeActiveContent, "an ActiveX control %q", name)
	case strings.Contains(ct, "oleobject"):
		return problem(CodeActiveContent, "an embedded OLE object %q", name)
	}
	return nil
}

// externalRel refuses a relationship to something remote that Office loads when the document
// opens: a template (the usual way to fetch macros into a macro-free DOCX), a frame, an OLE link, a
// subdocument. Hyperlinks are followed only on a click, and pictures linked from the web are common
// in text pasted from a browser, so those two are allowed.
func externalRel(rels string, se xml.StartElement) error {
	if se.Name.Local != "Relationship" || !strings.EqualFold(attr(se, "TargetMode"), "External") {
		return nil
	}
	typ := strings.ToLower(attr(se, "Type"))
	typ = typ[strings.LastIndexByte(typ, '/')+1:]
	target := strings.TrimSpace(attr(se, "Target"))
	switch {
	case typ == "hyperlink":
		return nil
	case typ == "image" && webURL(target):
		return nil
	case remoteTarget(target):
		return problem(CodeActiveContent, "%s links a remote %s %q", rels, typ, target)
	}
	return nil
}

// webURL tells an http or https URL.
func webURL(t string) bool {
	l := strings.ToLower(t)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// remoteTarget tells whether an external target is somewhere else than the reader's own disk: a URL
// of any scheme, a UNC path, or a file URL with a host.
func remoteTarget(t string) bool {
	l := strings.ToLower(t)
	if strings.HasPrefix(l, `\\`) || strings.HasPrefix(l, "//") || strings.HasPrefix(l, `/\`) || strings.HasPrefix(l, `\/`) {
		return true
	}
	if len(l) >= 2 && l[1] == ':' && 'a' <= l[0] && l[0] <= 'z' {
		return false // C:\…
	}
	if rest, ok := strings.CutPrefix(l, "file:"); ok {
		slashes := len(rest) - len(strings.TrimLeft(rest, `/\`))
		rest = rest[slashes:]
		local := slashes == 3 || (slashes == 1 && rest != "")
		drive := len(rest) >= 2 && rest[1] == ':'
		return !(local || (drive && slashes <= 3))
	}
	if i := strings.IndexByte(l, ':'); i > 0 && !strings.ContainsAny(l[:i], `/\`) {
		return true // some scheme
	}
	return false // a relative path
}

// attr returns the value of the attribute with the given local name, or "".
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// readXML parses a small XML part (at most maxXMLPart, maxXMLTotal for all), calling fn for each
// start element. A DTD is refused.
func (o *ooxml) readXML(p *part, fn func(xml.StartElement) error) error {
	u := p.f.UncompressedSize64
	if u > maxXMLPart {
		return invalid("%q declares %d bytes, more than %d", p.f.Name, u, maxXMLPart)
	}
	if o.xmlBudget -= int64(u); o.xmlBudget < 0 {
		return invalid("the relationship parts declare more than %d bytes in all", maxXMLTotal)
	}
	dec := xml.NewDecoder(o.open(p))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pr *Problem
			if errors.As(err, &pr) {
				return pr
			}
			return invalid("%s: %v", p.f.Name, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return invalid("%s has a DTD", p.f.Name)
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

// inflateAll inflates every entry, in file order, checking sizes and CRCs against the central
// directory and the running total against MaxUncompressed, and looking for DTDs in XML parts.
func (o *ooxml) inflateAll() error {
	var total int64
	buf := o.scratch(32 << 10)
	doctype := []byte("<!DOCTYPE")
	for _, i := range o.order {
		p := &o.parts[i]
		if strings.HasSuffix(p.name, "/") {
			continue
		}
		r := o.open(p)
		isXML := strings.HasSuffix(p.name, ".xml") || strings.HasSuffix(p.name, ".rels")
		var carry [16]byte // the end of the previous read, for a DTD split between reads
		nc := 0
		for {
			n, err := r.Read(buf)
			if total += int64(n); total > o.lim.MaxUncompressed {
				return problem(CodeZipBomb, "the entries inflate to more than %d bytes in all", o.lim.MaxUncompressed)
			}
			if isXML && n > 0 {
				k := copy(carry[nc:], buf[:min(n, len(doctype)-1)])
				if bytes.Contains(carry[:nc+k], doctype) || bytes.Contains(buf[:n], doctype) {
					return invalid("%s has a DTD", p.f.Name)
				}
				if n >= len(doctype)-1 {
					nc = copy(carry[:], buf[n-(len(doctype)-1):n])
				} else {
					// Keep the last len(doctype)-1 bytes of carry+buf.
					all := carry[:nc+k]
					nc = copy(carry[:], all[max(0, len(all)-(len(doctype)-1)):])
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// open returns a reader of the inflated content of p that checks it against the central directory.
// The inflater and the buffered reader are reused: one entry is open at a time.
func (o *ooxml) open(p *part) *entryReader {
	br := o.reader(io.NewSectionReader(o.r, p.data, int64(p.f.CompressedSize64)))
	var src io.Reader = br
	if p.f.Method == zip.Deflate {
		if o.fr == nil {
			o.fr = flate.NewReader(br)
		} else {
			o.fr.(flate.Resetter).Reset(br, nil)
		}
		src = o.fr
	}
	o.crc.Reset()
	return &entryReader{src: src, f: p.f, crc: o.crc}
}

// entryReader reads an entry's content and refuses it as soon as it goes past its declared size
// (a lying central directory, the size-check bypass of some zip bombs), or at its end if it is
// shorter or has another CRC.
type entryReader struct {
	src io.Reader
	f   *zip.File
	crc hash.Hash32
	n   uint64
	err error
}

// Read reads the inflated content.
func (e *entryReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	want := e.f.UncompressedSize64
	if left := want + 1 - e.n; uint64(len(p)) > left {
		p = p[:left]
	}
	n, err := e.src.Read(p)
	e.n += uint64(n)
	if e.n > want {
		e.err = problem(CodeZipBomb, "entry %q inflates to more than its declared %d bytes", e.f.Name, want)
		return 0, e.err
	}
	e.crc.Write(p[:n])
	switch {
	case err == io.EOF && e.n != want:
		e.err = invalid("entry %q inflates to %d bytes, not the declared %d", e.f.Name, e.n, want)
	case err == io.EOF && e.crc.Sum32() != e.f.CRC32:
		e.err = invalid("entry %q has a bad CRC", e.f.Name)
	case err == io.EOF:
		e.err = io.EOF
	case err != nil:
		e.err = invalid("entry %q: %v", e.f.Name, err)
	}
	return n, e.err
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
