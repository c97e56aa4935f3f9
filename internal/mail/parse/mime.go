package parse

import (
	"bytes"
	"crypto/sha256"
	"strings"
)

// Limits on the MIME tree.
const (
	maxDepth      = 20
	maxParts      = 5000
	maxPartFields = 20000 // header fields in all parts together
)

// walker walks the MIME tree, collecting body segments and attachments.
type walker struct {
	o       Options
	p       *problems
	d       decoder
	hint    string
	atts    []Attachment
	dropped int
	nparts  int
	// fieldBudget is how many more header fields the parts may have, so
	// that memory stays proportional to the message whatever its shape.
	fieldBudget int
}

// entity is one MIME entity: its header and raw (still encoded) body.
type entity struct {
	h       header
	body    []byte
	ctype   string
	params  map[string]string
	disp    string
	dparams map[string]string
	cte     string
}

// newEntity reads the MIME fields of a part; defType is the media type when
// none (or none usable) is declared.
func (w *walker) newEntity(h header, body []byte, defType string) *entity {
	e := &entity{h: h, body: body}
	if ct := clipHeader(h.get("Content-Type")); ct != "" {
		e.ctype, e.params = parseMediaHeader(ct, w.hint, w.d, "Content-Type")
		if e.ctype != "" && !strings.Contains(e.ctype, "/") {
			switch {
			case e.params["boundary"] != "" || e.ctype == "multipart":
				e.ctype = "multipart/mixed"
			case e.ctype == "text":
				e.ctype = "text/plain"
			default:
				w.p.addf("broken header: Content-Type %q treated as %s", clip(e.ctype, 40), defType)
				e.ctype = ""
			}
		}
	}
	if e.ctype == "" {
		e.ctype = defType
	}
	if cd := clipHeader(h.get("Content-Disposition")); cd != "" {
		e.disp, e.dparams = parseMediaHeader(cd, w.hint, w.d, "Content-Disposition")
	}
	cte := strings.ToLower(strings.TrimSpace(h.get("Content-Transfer-Encoding")))
	cte = strings.Trim(cte, "\"'")
	if i := strings.IndexAny(cte, " \t;("); i >= 0 {
		cte = cte[:i]
	}
	e.cte = cte
	return e
}

// filename is the part's file name: Content-Disposition's, else Content-Type's.
func (e *entity) filename() string {
	name := e.dparams["filename"]
	if strings.TrimSpace(name) == "" {
		name = e.params["name"]
	}
	return cleanFilename(name)
}

// cleanFilename drops control characters and surrounding blanks, keeping the
// name otherwise as the sender wrote it.
func cleanFilename(s string) string {
	if s == "" {
		return ""
	}
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			sb.WriteByte(' ')
		case isControl(r) || r == '\uFEFF':
		default:
			sb.WriteRune(r)
		}
	}
	return strings.TrimSpace(sb.String())
}

// segment is one piece of the body: plain text, HTML, or both (the two sides
// of a multipart/alternative).
type segment struct {
	plain, html       string
	hasPlain, hasHTML bool
}

// walk visits e and its descendants, recording attachments and returning the
// body segments found. bodyOK says whether a text part here may be body; inAlt
// that e is an alternative rendering inside multipart/alternative.
func (w *walker) walk(e *entity, depth int, bodyOK, inAlt bool) []segment {
	w.nparts++
	if w.nparts > maxParts {
		if w.nparts == maxParts+1 {
			w.p.addf("more than %d MIME parts, rest ignored", maxParts)
		}
		return nil
	}
	major, sub, _ := strings.Cut(e.ctype, "/")
	if major == "multipart" {
		if depth >= maxDepth {
			w.p.addf("MIME nesting deeper than %d kept as an attachment", maxDepth)
			w.attach(e)
			return nil
		}
		if children := w.children(e, sub); children != nil {
			return w.walkMultipart(children, sub, e.params["start"], depth, bodyOK)
		}
		e.ctype, major, sub = "text/plain", "text", "plain"
	}
	isBody := e.ctype == "text/plain" || e.ctype == "text/html"
	if isBody && bodyOK && e.disp != "attachment" && (depth == 0 || e.filename() == "") {
		return []segment{w.textSegment(e)}
	}
	if inAlt && major == "text" && e.ctype != "text/calendar" && e.filename() == "" {
		return nil // another rendering of the same body (text/enriched, text/watch-html …)
	}
	w.attach(e)
	return nil
}

// walkMultipart walks the children of a multipart of subtype sub. An
// alternative yields one segment: the first rendering with plain text and the
// last with HTML. Other multiparts concatenate their children's segments,
// except that only the first part of signed and report, and only the root of
// related, may be body, and nothing in encrypted is.
func (w *walker) walkMultipart(children []*entity, sub, start string, depth int, bodyOK bool) []segment {
	if sub == "alternative" {
		var plainSegs, htmlSegs []segment
		hp, hh := false, false
		for _, c := range children {
			segs := w.walk(c, depth+1, bodyOK, true)
			if !hp && anySeg(segs, func(s segment) bool { return s.hasPlain }) {
				plainSegs, hp = segs, true
			}
			if anySeg(segs, func(s segment) bool { return s.hasHTML }) {
				htmlSegs, hh = segs, true
			}
		}
		if !hp && !hh {
			return nil
		}
		var seg segment
		if hp {
			seg.plain, _ = joinText(plainSegs)
			seg.hasPlain = true
		}
		if hh {
			seg.html = joinHTML(htmlSegs)
			seg.hasHTML = true
		}
		return []segment{seg}
	}
	var segs []segment
	root := 0
	if sub == "related" {
		root = relatedRoot(children, start)
	}
	for i, c := range children {
		ok := bodyOK
		switch sub {
		case "signed", "report":
			ok = bodyOK && i == 0
		case "related":
			// Only the root is body; the rest are its resources.
			ok = bodyOK && i == root
		case "encrypted":
			ok = false
		}
		segs = append(segs, w.walk(c, depth+1, ok, false)...)
	}
	return segs
}

// relatedRoot returns the index of a multipart/related root part: the one
// whose Content-ID is the start parameter, else the first.
func relatedRoot(children []*entity, start string) int {
	start = strings.Trim(strings.TrimSpace(start), "<>")
	if start == "" {
		return 0
	}
	for i, c := range children {
		if strings.Trim(strings.TrimSpace(c.h.get("Content-ID")), "<>") == start {
			return i
		}
	}
	return 0
}

// anySeg reports whether f holds for some segment.
func anySeg(segs []segment, f func(segment) bool) bool {
	for _, s := range segs {
		if f(s) {
			return true
		}
	}
	return false
}

// children splits a multipart entity. It returns nil when the body has no
// parts at all, after trying to recover a missing or wrong boundary.
func (w *walker) children(e *entity, sub string) []*entity {
	boundary := e.params["boundary"]
	var parts [][]byte
	closed := false
	if boundary != "" {
		parts, closed = splitMultipart(e.body, boundary)
	}
	if parts == nil {
		if g := guessBoundary(e.body); g != "" && g != boundary {
			parts, closed = splitMultipart(e.body, g)
			if parts != nil {
				w.p.addf("multipart boundary missing or wrong, used %q found in the body", clip(g, 70))
			}
		}
	}
	if parts == nil {
		w.p.addf("multipart/%s without parts treated as text", clip(sub, 30))
		return nil
	}
	if !closed {
		w.p.addf("truncated multipart")
	}
	defType := "text/plain"
	if sub == "digest" {
		defType = "message/rfc822"
	}
	if room := maxParts - w.nparts; len(parts) > room {
		w.p.addf("more than %d MIME parts, rest ignored", maxParts)
		parts = parts[:max(room, 0)]
	}
	children := make([]*entity, 0, len(parts))
	for _, part := range parts {
		h, start := splitHeader(part, w.p, false, min(maxHeaderFields, w.fieldBudget))
		w.fieldBudget -= len(h)
		children = append(children, w.newEntity(h, part[start:], defType))
	}
	return children
}

// splitMultipart returns the bodies between delimiter lines ("--boundary",
// trailing blanks allowed) up to the close delimiter ("--boundary--"). closed
// reports whether the close delimiter was found; parts is nil when no
// delimiter was.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start := -1 // start of the current part
	pos := 0
	for pos < len(body) {
		k := bytes.Index(body[pos:], delim)
		if k < 0 {
			break
		}
		at := pos + k
		pos = at + len(delim)
		if at > 0 && body[at-1] != '\n' {
			continue
		}
		rest, next := nextLine(body, pos)
		isClose := bytes.HasPrefix(rest, []byte("--"))
		if !isClose && len(bytes.Trim(rest, " \t")) != 0 {
			continue // a longer boundary sharing this prefix
		}
		if len(parts) >= maxParts {
			return parts, false
		}
		if start >= 0 {
			end := at
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			parts = append(parts, body[start:end])
		} else if isClose {
			// A close delimiter with no part before it: no parts at all.
			return nil, false
		}
		if isClose {
			return parts, true
		}
		start = next
		pos = next
	}
	if start < 0 {
		return nil, false
	}
	end := len(body)
	parts = append(parts, body[start:end])
	return parts, false
}

// guessBoundary finds a line that looks like a delimiter ("--token") and
// occurs at least twice.
func guessBoundary(body []byte) string {
	tried := 0
	for i := 0; i < len(body) && tried < 10; {
		line, next := nextLine(body, i)
		i = next
		if len(line) < 4 || len(line) > 300 || line[0] != '-' || line[1] != '-' {
			continue
		}
		cand := strings.TrimRight(string(line[2:]), " \t")
		cand = strings.TrimSuffix(cand, "--")
		if cand == "" || len(cand) > 200 || strings.ContainsAny(cand, " \t") || !strings.ContainsAny(strings.ToLower(cand), "abcdefghijklmnopqrstuvwxyz0123456789") {
			continue
		}
		tried++
		if bytes.Count(body, []byte("--"+cand)) >= 2 {
			return cand
		}
	}
	return ""
}

// decodeBody undoes the Content-Transfer-Encoding of a body part.
func (w *walker) decodeBody(e *entity) []byte {
	switch e.cte {
	case "base64":
		if looksBase64(e.body) {
			return decodeBase64(e.body)
		}
		w.p.addf("part declared base64 is not, kept as is")
		return e.body
	case "quoted-printable", "quoted_printable", "qp":
		return decodeQP(e.body)
	case "x-uuencode", "uuencode", "x-uue":
		if data, _, ok := uudecode(e.body); ok {
			return data
		}
		return e.body
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return e.body
	}
	w.p.addf("unknown Content-Transfer-Encoding %q treated as 8bit", clip(e.cte, 30))
	return e.body
}

// textSegment decodes a text/plain or text/html body part.
func (w *walker) textSegment(e *entity) segment {
	data := w.decodeBody(e)
	cs := e.params["charset"]
	isHTML := e.ctype == "text/html"
	if isHTML && cs == "" {
		cs = sniffHTMLCharset(data)
	}
	s := sanitizeText(w.d.bytesToUTF8(data, cs, e.ctype+" part"))
	if isHTML {
		return segment{html: s, hasHTML: true}
	}
	if strings.EqualFold(e.params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(e.params["delsp"], "yes"))
	}
	return segment{plain: s, hasPlain: true}
}

// attach records e as an attachment.
func (w *walker) attach(e *entity) {
	if len(w.atts) >= w.o.MaxAttachments {
		w.dropped++
		return
	}
	a := Attachment{
		Filename:    e.filename(),
		ContentType: e.ctype,
		ContentID:   sanitizeLine(strings.Trim(strings.TrimSpace(e.h.get("Content-ID")), "<>")),
		Inline:      e.disp == "inline",
	}
	w.fillData(&a, e)
	if a.Filename == "" && (e.ctype == "message/rfc822" || e.ctype == "message/global") {
		a.Filename = emlName(a.Data, e.body)
	}
	w.atts = append(w.atts, a)
}

// emlName names an attached message after its subject.
func emlName(data, raw []byte) string {
	if data == nil {
		data = raw
	}
	h, _ := splitHeader(data, nil, false, 100)
	subj := sanitizeLine(decodeHeader(clipHeader(h.get("Subject")), "", decoder{}, "Subject"))
	subj = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' {
			return '-'
		}
		return r
	}, subj)
	if subj == "" {
		subj = "message"
	}
	return clip(subj, 200) + ".eml"
}

// fillData decodes an attachment's bytes, keeping them only within the size
// limit. Over the limit, the bytes are decoded in chunks through the digest
// and never held.
func (w *walker) fillData(a *Attachment, e *entity) {
	limit := w.o.MaxAttachmentBytes
	set := func(data []byte) {
		a.Size = int64(len(data))
		a.SHA256 = sha256.Sum256(data)
		if a.Size > limit {
			a.TooLarge = true
			return
		}
		if data == nil {
			data = []byte{}
		}
		a.Data = data
	}
	stream := func(run func(emit func([]byte))) bool {
		h := sha256.New()
		var size int64
		run(func(p []byte) {
			h.Write(p)
			size += int64(len(p))
		})
		if size <= limit {
			return false
		}
		a.Size, a.TooLarge = size, true
		h.Sum(a.SHA256[:0])
		return true
	}
	switch e.cte {
	case "base64":
		if !looksBase64(e.body) {
			w.p.addf("part declared base64 is not, kept as is")
			set(e.body)
			return
		}
		if int64(len(e.body)/4*3+3) > limit && stream(func(emit func([]byte)) {
			b64stream(e.body, emit)
		}) {
			return
		}
		set(decodeBase64(e.body))
	case "quoted-printable", "quoted_printable", "qp":
		if int64(len(e.body)) > limit && stream(func(emit func([]byte)) {
			qpRun(e.body, make([]byte, 0, sinkBuf), emit)
		}) {
			return
		}
		set(decodeQP(e.body))
	case "x-uuencode", "uuencode", "x-uue":
		data, name, ok := uudecode(e.body)
		if !ok {
			set(e.body)
			return
		}
		if a.Filename == "" {
			a.Filename = cleanFilename(name)
		}
		set(data)
	default:
		if e.cte != "" && e.cte != "7bit" && e.cte != "8bit" && e.cte != "binary" {
			w.p.addf("unknown Content-Transfer-Encoding %q treated as 8bit", clip(e.cte, 30))
		}
		if !strings.HasPrefix(e.ctype, "text/") && !strings.HasPrefix(e.ctype, "message/") && looksLikeBareBase64(e.body) {
			w.p.addf("attachment without Content-Transfer-Encoding decoded as base64")
			set(decodeBase64(e.body))
			return
		}
		set(e.body)
	}
}
