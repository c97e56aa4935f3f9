package bounce

import (
	"strings"
)

// analysis holds what one pass over a message found.
type analysis struct {
	h          header // the top-level header
	subject    string // decoded
	subj       string // normalised
	notice     string // the notice's own text: text parts outside the returned message
	noticeBuf  strings.Builder
	returned   header // the returned message's header, when found
	returnedPt *part  // the returned message, when a message/rfc822 part holds it
	inline     header // a returned header found pasted into the notice's text
	dsn        []dsnRecipient
	dsnPart    bool   // a message/delivery-status part was present
	reportType string // the report-type of a top-level multipart/report
	feedback   header // the fields of a message/feedback-report part
	isFeedback bool
	mdn        bool   // a message/disposition-notification part (a read receipt)
	mdnFields  header // its fields
	evidence   []string
}

// because records a piece of evidence.
func (a *analysis) because(s string) { a.evidence = append(a.evidence, s) }

// classify is Classify without the reading and the panic guard; the fuzz test calls it directly.
func classify(raw []byte) Result {
	raw = normalizeNewlines(raw)
	p := &parser{}
	a := analyze(p.parse(raw, 0))
	if len(a.h) == 0 {
		a.because("no header fields")
	}

	if r, ok := a.feedbackResult(); ok {
		return r
	}
	if r, ok := a.awsNotification(); ok {
		return r
	}
	if r, ok := a.bounceResult(); ok {
		return r
	}
	if r, ok := a.autoReplyResult(); ok {
		return r
	}
	return a.bulkOrNormal()
}

// analyze collects what a parsed message says about itself.
func analyze(top *part) *analysis {
	a := &analysis{h: top.header}
	a.subject = top.header.text("subject")
	a.subj = norm(a.subject)
	if top.mediaType == "multipart/report" {
		a.reportType = strings.ToLower(top.params["report-type"])
	}
	a.walk(top, true)
	a.notice = a.noticeBuf.String()
	if len(a.notice) > maxTextLen {
		a.notice = strings.ToValidUTF8(a.notice[:maxTextLen], "")
	}
	if a.returned == nil {
		// A MIME part with the returned message beats headers quoted in the text (Exchange
		// quotes them, sometimes differently).
		a.returned = a.inline
	}
	return a
}

// walk collects the notice text, the returned message, DSN and feedback fields from a part tree.
func (a *analysis) walk(pt *part, top bool) {
	switch mt := pt.mediaType; {
	case strings.HasPrefix(mt, "multipart/"):
		children := pt.children
		if mt == "multipart/alternative" {
			children = preferPlain(children)
		}
		for _, ch := range children {
			a.walk(ch, false)
		}
	case mt == "message/rfc822" || mt == "message/global":
		if pt.msg != nil && a.returned == nil {
			a.returned = pt.msg.header
			a.returnedPt = pt.msg
			if len(a.returned) == 0 {
				// Some MTAs put a blank line before the returned header.
				h, _ := parseHeader(trimLeadingBlankLines(pt.body))
				a.returned = h
			}
		}
	case mt == "text/rfc822-headers" || mt == "message/rfc822-headers" || mt == "text/rfc822-header" ||
		mt == "message/global-headers" || mt == "text/rfc822" || mt == "message/partial":
		if a.returned == nil {
			h, _ := parseHeader(trimLeadingBlankLines(pt.body))
			a.returned = h
		}
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		a.dsnPart = true
		a.dsn = append(a.dsn, parseDSN(decodeCharset(pt.params["charset"], pt.body))...)
	case mt == "message/feedback-report":
		a.isFeedback = true
		a.feedback, _ = parseHeader(trimLeadingBlankLines(pt.body))
	case mt == "message/disposition-notification":
		a.mdn = true
		a.mdnFields, _ = parseHeader(trimLeadingBlankLines(pt.body))
	case strings.HasPrefix(mt, "text/"):
		if !top && looksLikeMessageHeader(pt.header) {
			// A part without MIME headers whose "header" is the returned message's (a bounce
			// that attached the original without a Content-Type).
			if a.returned == nil {
				a.returned = pt.header
			}
			return
		}
		text := pt.text()
		notice, h, ok := splitInline(text)
		if ok && a.inline == nil {
			a.inline = h
		}
		if a.noticeBuf.Len() < maxTextLen {
			a.noticeBuf.WriteString(notice)
			a.noticeBuf.WriteByte('\n')
		}
	}
}

// preferPlain returns the text/plain alternatives when there are any, else all of them.
func preferPlain(children []*part) []*part {
	for _, ch := range children {
		if ch.mediaType == "text/plain" {
			var out []*part
			for _, c := range children {
				if c.mediaType != "text/html" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return children
}

// looksLikeMessageHeader reports whether a MIME part's header is in fact a message header.
func looksLikeMessageHeader(h header) bool {
	orig, common := 0, 0
	for _, f := range h {
		switch {
		case f.key == "received" || f.key == "message-id" || f.key == "return-path" || f.key == "dkim-signature":
			orig++
		case commonHeaderNames[f.key]:
			common++
		}
	}
	return orig >= 1 && common >= 2
}

// trimLeadingBlankLines drops the empty lines at the start of b.
func trimLeadingBlankLines(b []byte) []byte {
	for len(b) > 0 {
		line, rest := cutLine(b)
		if len(strings.TrimSpace(string(line))) != 0 {
			return b
		}
		b = rest
	}
	return b
}

// messageID returns a Message-ID header value without angle brackets and comments.
func messageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return strings.TrimSpace(v[i+1 : i+j])
		}
		return strings.TrimSpace(v[i+1:])
	}
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}

// lastMessageID returns the last Message-ID in a References-like list.
func lastMessageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		return messageID(v[i:])
	}
	if f := strings.Fields(v); len(f) > 0 {
		return f[len(f)-1]
	}
	return ""
}

// originalID returns the Message-ID of the message a notice is about, and where it came from.
func (a *analysis) originalID() (id, source string) {
	if a.returned != nil {
		if v := a.returned.get("message-id"); v != "" {
			return messageID(v), "returned message"
		}
		if v := a.returned.get("x-otklik-message-id"); v != "" {
			return messageID(v), "returned X-Otklik-Message-ID"
		}
	}
	if v := a.mdnFields.get("original-message-id"); v != "" {
		return messageID(v), "Original-Message-ID"
	}
	if v := a.h.get("x-otklik-message-id"); v != "" {
		return messageID(v), "X-Otklik-Message-ID"
	}
	if v := a.h.get("in-reply-to"); v != "" {
		return messageID(v), "In-Reply-To"
	}
	if v := a.h.get("references"); v != "" {
		return lastMessageID(v), "References"
	}
	return "", ""
}

// ticket returns the X-Otklik-Ticket of the returned message.
func (a *analysis) ticket() string {
	if a.returned == nil {
		return ""
	}
	return strings.TrimSpace(a.returned.get("x-otklik-ticket"))
}

// fill sets the fields every noise result shares.
func (a *analysis) fill(r *Result) {
	id, source := a.originalID()
	r.OriginalMessageID = id
	if id != "" {
		a.because("original Message-ID from " + source)
	}
	r.Ticket = a.ticket()
	r.SuppressAutoReply = suppressAutoReply(a.h)
	r.Evidence = a.evidence
}
