// Package parse turns one raw RFC 5322 e-mail message into what the helpdesk
// needs: addresses, subject, date and threading IDs, the body as clean text
// (and its HTML as received), the part an agent reads first with quoted
// history folded away, every attachment, and a list of survivable defects.
//
// Parse accepts any input. It never panics, keeps memory within a small
// multiple of the message size, and where a message is broken (wrong or
// missing charsets, malformed encoded words, missing boundaries, junk in
// base64) it guesses, keeps going and says what it guessed in
// Message.Problems. It only fails when the message is too large, empty, or has
// no header at all.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Error codes: message keys a sender can be told about.
const (
	CodeTooLarge   = "message.too_large"
	CodeEmpty      = "message.empty"
	CodeUnreadable = "message.unreadable"
)

// Defaults for Options.
const (
	DefaultMaxMessageBytes    = 25 << 20
	DefaultMaxAttachmentBytes = 10 << 20
	DefaultMaxAttachments     = 100
)

// Options limit a parse. Zero values mean the defaults in brackets.
type Options struct {
	// MaxMessageBytes [25 MiB]: larger input is an Error with Code
	// CodeTooLarge after reading at most this many bytes plus one.
	MaxMessageBytes int64
	// MaxAttachmentBytes [10 MiB]: a larger attachment is still described
	// (name, size, type, digest) but marked TooLarge and its bytes not kept.
	MaxAttachmentBytes int64
	// MaxAttachments [100]: attachments past this many are dropped and noted
	// in Problems.
	MaxAttachments int
}

// withDefaults fills zero limits with the defaults.
func (o Options) withDefaults() Options {
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if o.MaxAttachments <= 0 {
		o.MaxAttachments = DefaultMaxAttachments
	}
	return o
}

// Address is a mailbox. Email has its domain lower-cased and its local part as
// written; Name is decoded (RFC 2047, raw 8-bit) and may be empty.
type Address struct {
	Name  string
	Email string
}

// Attachment is one non-body leaf part: a file, an inline image, an attached
// message (message/rfc822, named after its subject with ".eml"), a signature,
// a delivery report.
type Attachment struct {
	Filename    string // decoded (RFC 2047 and RFC 2231), as the sender named it; "" if none
	ContentType string // declared media type, lower case, without parameters
	ContentID   string // without <>
	Inline      bool   // Content-Disposition inline, or referenced by cid: in the HTML
	Size        int64  // decoded bytes
	SHA256      [32]byte
	TooLarge    bool   // Size is over Options.MaxAttachmentBytes; Data is nil
	Data        []byte // decoded bytes (nil when TooLarge); do not modify
}

// Message is a parsed e-mail message.
type Message struct {
	MessageID  string   // without <>; "" when absent or unusable
	InReplyTo  []string // message IDs without <>
	References []string // message IDs without <>
	From       Address  // when From has no usable address: Reply-To, Sender or Return-Path (noted in Problems)
	ReplyTo    []Address
	To, Cc     []Address
	Subject    string    // decoded, white space collapsed, trimmed
	Date       time.Time // zero when missing or unparseable

	// Text is the whole body as plain text: the text/plain part, or text made
	// from the HTML part when there is none. Line breaks are \n; it is valid
	// UTF-8 without control characters other than \n and \t.
	Text string
	// TextFromHTML reports that Text (or part of it) was made from HTML.
	TextFromHTML bool
	// HTML is the HTML body as received, decoded to UTF-8 (line breaks made
	// \n, control characters dropped); "" if none. Several HTML parts are
	// joined; plain parts beside them are escaped into <pre>. Never show it
	// without sanitising.
	HTML string
	// Visible is Text with trailing quoted history and signature folded away:
	// what an agent reads first. Quoted is the rest. Together they hold all
	// non-white-space content of Text.
	Visible string
	Quoted  string

	Attachments []Attachment
	// Header holds every top-level header field as received; see Get.
	Header []HeaderField
	// Problems lists what was wrong but survivable, in English, for logs and
	// the agent's "technical details".
	Problems []string

	hint string // declared (or guessed) charset, for raw 8-bit header text
}

// Get returns the first value of the named header field (case-insensitive),
// decoded for display: encoded words and raw 8-bit text are converted, white
// space is collapsed. It returns "" when the field is absent.
func (m *Message) Get(name string) string {
	for _, f := range m.Header {
		if strings.EqualFold(f.Name, name) {
			return m.decodeField(f)
		}
	}
	return ""
}

// GetAll returns every value of the named header field, decoded as by Get.
func (m *Message) GetAll(name string) []string {
	var out []string
	for _, f := range m.Header {
		if strings.EqualFold(f.Name, name) {
			out = append(out, m.decodeField(f))
		}
	}
	return out
}

// decodeField decodes a field's value for display.
func (m *Message) decodeField(f HeaderField) string {
	return sanitizeLine(decodeHeader(clipHeader(f.Value), m.hint, decoder{}, f.Name))
}

// maxHeaderText bounds the header text decoded for display; longer values
// are cut (the raw value stays in Header).
const maxHeaderText = 64 << 10

// clipHeader cuts s to maxHeaderText bytes.
func clipHeader(s string) string {
	if len(s) <= maxHeaderText {
		return s
	}
	return s[:maxHeaderText]
}

// Error is a parse failure a sender can be told about. Code is a message key:
// CodeTooLarge, CodeEmpty or CodeUnreadable.
type Error struct {
	Code string
	Err  error
}

// Error describes the failure with its code.
func (e *Error) Error() string {
	if e.Err == nil {
		return "parse: " + e.Code
	}
	return "parse: " + e.Code + ": " + e.Err.Error()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// recoverPanics is switched off by the fuzz test so that bugs surface.
var recoverPanics = true

// Parse reads one raw RFC 5322 message from r and parses it. It fails only
// with an *Error (too large, empty, no header) or with r's read error.
func Parse(r io.Reader, o Options) (*Message, error) {
	o = o.withDefaults()
	raw, err := readMessage(r, o.MaxMessageBytes)
	if err != nil {
		return nil, err
	}
	return parseBytes(raw, o)
}

// ParseBytes parses a message already in memory without copying it: a
// caller that has read the message keeps one copy of it, not two. raw must
// not change while the Message is in use (attachments' Data may share it).
func ParseBytes(raw []byte, o Options) (*Message, error) {
	o = o.withDefaults()
	if int64(len(raw)) > o.MaxMessageBytes {
		return nil, &Error{Code: CodeTooLarge, Err: fmt.Errorf("message exceeds %d bytes", o.MaxMessageBytes)}
	}
	return parseBytes(raw, o)
}

// readMessage reads at most limit+1 bytes, sizing the buffer from the
// reader's length when it knows it, so that a message costs one allocation.
func readMessage(r io.Reader, limit int64) ([]byte, error) {
	lr := io.LimitReader(r, limit+1)
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	tooLarge := func() error {
		return &Error{Code: CodeTooLarge, Err: fmt.Errorf("message exceeds %d bytes", limit)}
	}
	var buf []byte
	if size >= 0 {
		// The length is a hint for the buffer only: a file's size is not
		// what is left to read from its current offset.
		buf = make([]byte, 0, min(size, limit)+1)
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := lr.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("parse: read: %w", err)
			}
		}
	} else {
		// Unknown length: read into growing chunks, then join once.
		var chunks [][]byte
		total := 0
		next := 64 << 10
		for {
			c := make([]byte, next)
			n, err := io.ReadFull(lr, c)
			if n > 0 {
				chunks = append(chunks, c[:n])
				total += n
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("parse: read: %w", err)
			}
			if next < 4<<20 {
				next *= 2
			}
		}
		switch len(chunks) {
		case 0:
		case 1:
			buf = chunks[0]
		default:
			buf = make([]byte, 0, total)
			for _, c := range chunks {
				buf = append(buf, c...)
			}
		}
	}
	if int64(len(buf)) > limit {
		return nil, tooLarge()
	}
	return buf, nil
}

// parseBytes parses a message held in memory; raw is kept and aliased by
// attachments that needed no decoding.
func parseBytes(raw []byte, o Options) (m *Message, err error) {
	if recoverPanics {
		defer func() {
			if v := recover(); v != nil {
				m, err = nil, &Error{Code: CodeUnreadable, Err: fmt.Errorf("internal error: %v", v)}
			}
		}()
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &Error{Code: CodeEmpty, Err: errors.New("no content")}
	}
	if bytes.IndexByte(raw, '\n') < 0 && bytes.IndexByte(raw, '\r') >= 0 {
		// Old Mac line endings: bare CR.
		raw = bytes.ReplaceAll(raw, []byte("\r"), []byte("\n"))
	}
	p := &problems{}
	h, bodyStart := splitHeader(raw, p, true, maxHeaderFields)
	if len(h) == 0 {
		return nil, &Error{Code: CodeUnreadable, Err: errors.New("no header fields")}
	}
	// From here on the header is known: a defect in any later stage costs
	// that stage's result, noted in Problems, never the message.
	m = &Message{Header: h}
	body := raw[bodyStart:]
	safely(p, "charset detection", func() {
		m.hint = declaredCharset(h, body)
		if m.hint == "" {
			m.hint = headerCharset(h)
		}
	})
	d := decoder{problems: p, hint: m.hint}
	safely(p, "header", func() { m.fillHeader(h, d, p) })
	w := &walker{o: o, p: p, d: d, hint: m.hint, fieldBudget: maxPartFields}
	var segs []segment
	safely(p, "body", func() {
		segs = w.walk(w.newEntity(h, body, "text/plain"), 0, true, false)
	})
	safely(p, "body text", func() {
		m.Text, m.HTML, m.TextFromHTML = assemble(segs)
	})
	m.Visible = m.Text
	safely(p, "quote folding", func() { m.Visible, m.Quoted = foldQuoted(m.Text) })
	safely(p, "inline images", func() {
		if m.HTML != "" {
			markReferenced(w.atts, m.HTML)
		}
	})
	m.Attachments = w.atts
	if w.dropped > 0 {
		p.addf("too many attachments: %d dropped (limit %d)", w.dropped, o.MaxAttachments)
	}
	m.Problems = p.list
	return m, nil
}

// safely runs f, turning a panic into a problem so that the rest of the
// message survives a defect in one stage.
func safely(p *problems, stage string, f func()) {
	if recoverPanics {
		defer func() {
			if v := recover(); v != nil {
				p.addf("internal error in %s, result incomplete: %v", stage, v)
			}
		}()
	}
	f()
}

// fillHeader sets the fields that come from the top-level header.
func (m *Message) fillHeader(h header, d decoder, p *problems) {
	all := func(name string) string {
		var vals []string
		for _, f := range h {
			if strings.EqualFold(f.Name, name) {
				vals = append(vals, f.Value)
			}
		}
		return clipHeader(strings.Join(vals, ", "))
	}
	if ids := parseMessageIDs(clipHeader(h.get("Message-ID"))); len(ids) > 0 {
		m.MessageID = ids[0]
	} else if h.has("Message-ID") {
		p.addf("broken header: unusable Message-ID")
	}
	m.InReplyTo = parseMessageIDs(all("In-Reply-To"))
	m.References = parseMessageIDs(strings.Join(strings.Split(all("References"), ","), " "))

	from := bestAddress(h, "From", m.hint, d)
	if from.Email == "" {
		if h.has("From") {
			p.addf("broken header: unusable From %q", clip(sanitizeLine(h.get("From")), 80))
		} else {
			p.addf("broken header: no From")
		}
		for _, alt := range []string{"Reply-To", "Sender", "Return-Path"} {
			if a := bestAddress(h, alt, m.hint, d); strings.Contains(a.Email, "@") {
				if from.Name != "" && a.Name == "" {
					a.Name = from.Name
				}
				from = a
				p.addf("sender taken from %s", alt)
				break
			}
		}
	}
	m.From = from
	m.ReplyTo = parseAddressList(all("Reply-To"), m.hint, d, "Reply-To")
	m.To = parseAddressList(all("To"), m.hint, d, "To")
	m.Cc = parseAddressList(all("Cc"), m.hint, d, "Cc")
	m.Subject = sanitizeLine(decodeHeader(clipHeader(h.get("Subject")), m.hint, d, "Subject"))
	if h.has("Date") {
		if t, ok := parseDate(clipHeader(h.get("Date"))); ok {
			m.Date = t
		} else {
			p.addf("broken header: unparseable Date %q", clip(sanitizeLine(h.get("Date")), 80))
		}
	}
}

// bestAddress returns the first address with an "@" in the named fields, or
// failing that the first address at all.
func bestAddress(h header, name, hint string, d decoder) Address {
	var first Address
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		for _, a := range parseAddressList(clipHeader(f.Value), hint, d, name) {
			if strings.Contains(a.Email, "@") {
				return a
			}
			if first.Email == "" {
				first = a
			}
		}
	}
	return first
}
