package bounce

import (
	"strings"
)

// forwardPrefixes start the subject of a person's forward or reply: a citizen who forwards a bounce
// to the helpdesk and asks for help writes a Normal message.
var forwardPrefixes = []string{"fwd:", "fw:", "fwd ", "tr:", "wg:", "rv:", "enc:", "пересл:", "пересылка:", "re:", "ответ:", "отв:", "aw:", "sv:", "vs:"}

// senderKind tells how machine-like the sender of a message is.
type senderKind int

const (
	person    senderKind = iota
	automated            // no-reply, list owners and the like
	daemon               // MAILER-DAEMON, postmaster, "Mail Delivery Subsystem"
)

// senderOf classifies the From, Sender and Return-Path of a header.
func senderOf(h header) (senderKind, string) {
	kind, why := person, ""
	for _, key := range []string{"from", "sender", "return-path"} {
		v := h.get(key)
		if v == "" {
			continue
		}
		name := norm(decodeWords(v))
		addrs := findAddresses(v)
		locals := []string{}
		for _, a := range addrs {
			locals = append(locals, a[:strings.IndexByte(a, '@')])
		}
		if len(addrs) == 0 {
			// "MAILER-DAEMON" without a domain.
			locals = append(locals, strings.Trim(name, "<>\" "))
		}
		for _, l := range locals {
			for _, d := range daemonLocalParts {
				if l == d || strings.HasPrefix(l, d+"-") || strings.HasPrefix(l, d+"+") || strings.HasPrefix(l, d+"=") {
					return daemon, key + " " + l
				}
			}
		}
		if key != "return-path" {
			if p := containsAny(name, daemonNames); p != "" && (len(addrs) == 0 || !strings.Contains(addrs[0], p)) {
				return daemon, key + " name \"" + p + "\""
			}
		}
		for _, l := range locals {
			for _, p := range automatedLocalParts {
				if strings.HasPrefix(p, "-") && strings.HasSuffix(l, p) ||
					(strings.HasSuffix(p, "-") || strings.HasSuffix(p, "+")) && strings.HasPrefix(l, p) || l == p {
					kind, why = automated, key+" "+l
				}
			}
		}
	}
	return kind, why
}

// nullReturnPath reports whether the envelope sender was null (Return-Path: <>), as it is for
// bounces and for RFC 3834 auto-replies.
func nullReturnPath(h header) bool {
	for _, f := range h {
		if f.key == "return-path" && strings.ReplaceAll(f.value, " ", "") == "<>" {
			return true
		}
	}
	return false
}

// bounceResult decides whether the message is a delivery status notification and, if it is,
// reads its recipients.
func (a *analysis) bounceResult() (Result, bool) {
	notice := norm(clipText(a.notice))
	sender, senderWhy := senderOf(a.h)
	null := nullReturnPath(a.h)
	forwarded := hasPrefixAny(a.subj, forwardPrefixes) != ""
	subject := ""
	if !forwarded || sender == daemon {
		subject = containsAny(a.subj, bounceSubjects)
	}
	body := containsAny(notice, bounceBody)
	failedHdr := a.h.get("x-failed-recipients")
	autoSub := autoSubmitted(a.h)
	inline := []dsnRecipient(nil)
	if !a.dsnPart {
		inline = parseDSN(a.notice)
		inline = keepRecipients(inline)
	}
	status := findStatus(a.notice)

	var why []string
	isDSN := a.dsnPart || a.reportType == "delivery-status"
	switch {
	case isDSN:
		why = append(why, "DSN (multipart/report delivery-status)")
	case failedHdr != "":
		why = append(why, "X-Failed-Recipients")
	case sender == daemon && (subject != "" || body != "" || a.returned != nil || len(inline) > 0):
		why = append(why, "sender "+senderWhy)
	case subject != "" && (null || sender == automated || a.returned != nil || autoSub != "" || len(inline) > 0):
		// Body wording and status codes do not count here: a citizen who writes «Письмо не
		// доставлено» may quote the error in the text too.
		why = append(why, "subject \""+subject+"\"")
	case body != "" && (null || sender == automated || autoSub != "") && (a.returned != nil || status != "" || len(inline) > 0):
		why = append(why, "text \""+body+"\"")
	default:
		return Result{}, false
	}
	if subject != "" && !strings.HasPrefix(why[0], "subject") {
		why = append(why, "subject \""+subject+"\"")
	}
	if body != "" && !strings.HasPrefix(why[0], "text") {
		why = append(why, "text \""+body+"\"")
	}
	if null {
		why = append(why, "Return-Path: <>")
	}
	if a.returned != nil {
		why = append(why, "returned message")
	}
	a.evidence = append(a.evidence, why...)

	var r Result
	recs := keepRecipients(a.dsn)
	if len(recs) == 0 && len(inline) > 0 {
		recs = inline
		a.because("DSN fields in text")
	}
	if len(recs) > 0 {
		r.Recipients = a.dsnRecipients(recs)
	}
	if len(r.Recipients) == 0 {
		r.Recipients = a.textRecipients()
	}
	if inner := a.innerReport(r.Recipients); inner != nil {
		r.Recipients = inner
	}
	r.Kind = a.bounceKind(r.Recipients)
	if r.Kind != Bounce {
		for i := range r.Recipients {
			r.Recipients[i].Hard = false
		}
	}
	r.setFirst()
	if r.Kind == Delivered {
		r.Reason = "delivered"
	}
	a.fill(&r)
	return r, true
}

// innerReport reads the recipients of a report that returns another report (a relay that bounced
// a bounce back), when the outer one says nothing definite about them.
func (a *analysis) innerReport(recs []RecipientStatus) []RecipientStatus {
	if a.returnedPt == nil || a.returnedPt.mediaType != "multipart/report" {
		return nil
	}
	for _, r := range recs {
		if r.Status != "" || r.ReplyCode != "" {
			return nil
		}
	}
	in := analyze(a.returnedPt)
	if !in.dsnPart {
		return nil
	}
	out := in.dsnRecipients(keepRecipients(in.dsn))
	if len(out) == 0 {
		return nil
	}
	a.because("report returned inside the report")
	return out
}

// maxRecipients bounds the recipients read from one report.
const maxRecipients = 100

// keepRecipients drops DSN blocks that name no recipient.
func keepRecipients(recs []dsnRecipient) []dsnRecipient {
	var out []dsnRecipient
	for _, d := range recs {
		if (d.final != "" || d.original != "") && len(out) < maxRecipients {
			out = append(out, d)
		}
	}
	return out
}

// bounceKind tells a failure from a delay or a success report.
func (a *analysis) bounceKind(recs []RecipientStatus) Kind {
	failed, delayed, delivered := 0, 0, 0
	for _, r := range recs {
		switch r.Action {
		case "failed":
			failed++
		case "delayed":
			delayed++
		case "delivered", "relayed", "expanded":
			delivered++
		}
	}
	switch {
	case failed > 0:
		return Bounce
	case delayed > 0:
		a.because("Action: delayed")
		return Delay
	case delivered > 0:
		a.because("Action: delivered")
		return Delivered
	}
	if p := containsAny(a.subj, delaySubjects); p != "" {
		a.because("delay subject \"" + p + "\"")
		return Delay
	}
	return Bounce
}

// dsnRecipients turns DSN blocks into recipient outcomes, reading what the DSN lacks from the
// notice's text about the same address.
func (a *analysis) dsnRecipients(recs []dsnRecipient) []RecipientStatus {
	lines := strings.Split(a.notice, "\n")
	var out []RecipientStatus
	for _, d := range recs {
		addr := dsnAddress(d.final)
		if addr == "" {
			addr = dsnAddress(d.original)
		}
		if addr == "" {
			addr = dsnAddress(d.actual)
		}
		block := ""
		if addr != "" {
			block = blockFor(lines, addr)
		}
		if len(recs) == 1 && (block == "" || findReplyCode(block) == "" && findReplyCode(d.diag) == "") {
			block = strings.TrimSpace(block + "\n" + a.notice)
		}
		rs := a.recipient(addr, d.action, d.status, typedValue(d.diag), block)
		rs.RemoteMTA = typedValue(d.remoteMTA)
		out = append(out, rs)
	}
	return out
}

// blockFor returns the lines of a notice that talk about addr: from its first mention to the
// next blank-line-separated address, at most a dozen lines.
func blockFor(lines []string, addr string) string {
	i := lineOf(lines, addr)
	if i < 0 {
		return ""
	}
	end := min(len(lines), i+12)
	for j := i + 1; j < end; j++ {
		if addrs := findAddresses(lines[j]); len(addrs) > 0 && !contains(addrs, addr) && !skipAddressLine(lines[j]) {
			end = j
			break
		}
	}
	return strings.Join(lines[i:end], "\n")
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// excluded returns the addresses a notice mentions that are not failed recipients: the notice's
// own sender and recipient (the original sender) and the returned message's sender.
func (a *analysis) excluded() map[string]bool {
	ex := map[string]bool{}
	for _, h := range []header{a.h, a.returned} {
		for _, k := range []string{"from", "sender", "return-path", "reply-to", "errors-to"} {
			for _, addr := range findAddresses(h.get(k)) {
				ex[addr] = true
			}
		}
	}
	for _, k := range []string{"to", "cc", "delivered-to", "x-original-to", "envelope-to"} {
		for _, addr := range findAddresses(a.h.get(k)) {
			ex[addr] = true
		}
	}
	return ex
}

// textRecipients finds the failed recipients of a notice without DSN fields: the addresses its
// text names, less the sender's, narrowed by X-Failed-Recipients or the returned message's To.
func (a *analysis) textRecipients() []RecipientStatus {
	lines := strings.Split(a.notice, "\n")
	ex := a.excluded()
	type cand struct {
		addr string
		line int
	}
	var cands []cand
	seen := map[string]bool{}
	for i, line := range lines {
		if skipAddressLine(line) {
			continue
		}
		for _, addr := range findAddresses(line) {
			local := addr[:strings.IndexByte(addr, '@')]
			if seen[addr] || ex[addr] || local == "mailer-daemon" {
				continue
			}
			seen[addr] = true
			if len(cands) < maxRecipients {
				cands = append(cands, cand{addr, i})
			}
		}
	}
	narrow := func(set []string) {
		if len(set) == 0 {
			return
		}
		var kept []cand
		for _, c := range cands {
			if contains(set, c.addr) {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 {
			cands = kept
		}
	}
	failed := findAddresses(a.h.get("x-failed-recipients"))
	var retTo []string
	if a.returned != nil {
		retTo = append(findAddresses(a.returned.get("to")), findAddresses(a.returned.get("cc"))...)
	}
	if len(failed) > 0 {
		narrow(failed)
		for _, f := range failed {
			if !seen[f] {
				cands = append(cands, cand{f, -1})
			}
		}
	} else {
		narrow(retTo)
	}
	if len(cands) == 0 {
		addr := ""
		if len(retTo) > 0 {
			addr = retTo[0]
		}
		return []RecipientStatus{a.recipient(addr, "", "", "", a.notice)}
	}
	var out []RecipientStatus
	for k, c := range cands {
		block := a.notice
		if c.line >= 0 {
			end := min(len(lines), c.line+12)
			for _, n := range cands[k+1:] {
				if n.line > c.line && n.line < end {
					end = n.line
					break
				}
			}
			block = strings.Join(lines[c.line:end], "\n")
		}
		if len(cands) == 1 && findStatus(block) == "" && findReplyCode(block) == "" {
			block = a.notice
		}
		out = append(out, a.recipient(c.addr, "", "", "", block))
	}
	return out
}

// recipient builds one recipient's outcome from a DSN's fields (any may be empty) and the text
// about it.
func (a *analysis) recipient(addr, action, statusField, diag, block string) RecipientStatus {
	rs := RecipientStatus{Recipient: addr, Action: action}
	diag, block = clip(diag), clip(block)
	st := findStatus(statusField)
	// The reporting MTA's Status is its own summary; the remote server's code in the diagnostic
	// (of the same class) says more: "5.2.2 Over quota" under Status 5.1.1, the cause under
	// 4.4.7 "expired". A bare x.y.0 there adds nothing.
	if ds := preferredStatus(diag); ds != "" && (st == "" || ds[0] == st[0] && ds != st && !strings.HasSuffix(ds, ".0")) {
		st = ds
	}
	if bs := preferredStatus(block); bs != "" && (st == "" || genericStatus(st) && bs[0] == st[0]) {
		st = bs
	}
	rs.Status = st
	rs.ReplyCode = findReplyCode(diag)
	if rs.ReplyCode == "" {
		rs.ReplyCode = findReplyCode(block)
	}
	text := diag
	if strings.TrimSpace(text) == "" {
		text = block
	}
	rs.Diagnostic = shorten(text)
	rs.Reason = reasonFor(text, st, block+"\n"+a.subject)
	switch {
	case st != "":
		rs.Permanent = st[0] == '5'
	case rs.ReplyCode != "":
		rs.Permanent = rs.ReplyCode[0] == '5'
	default:
		rs.Permanent = action == "failed" || action == "" && containsAny(a.subj, delaySubjects) == ""
	}
	if rs.Action == "" {
		switch {
		case st != "" && st[0] == '2':
			rs.Action = "delivered"
		case containsAny(a.subj, delaySubjects) != "" && !rs.Permanent:
			rs.Action = "delayed"
		default:
			rs.Action = "failed"
		}
	}
	if rs.Action == "failed" && rs.Reason == "networkerror" && (st == "" || st[0] == '4') {
		// Temporary at every attempt, final because the retry period ran out.
		rs.Reason = "expired"
	}
	rs.Hard = rs.Permanent && hardReasons[rs.Reason] && rs.Action == "failed"
	return rs
}

// preferredStatus returns the most specific enhanced status code in s: the first whose detail is
// not 0, else the first.
func preferredStatus(s string) string {
	first, specific := "", ""
	for i := 0; i < len(s) && i < 4096; {
		st := findStatus(s[i:])
		if st == "" {
			break
		}
		if first == "" {
			first = st
		}
		// "Message expired" (x.4.7) only says that retries ended; the cause, when given, is
		// more use.
		if !strings.HasSuffix(st, ".0") && (specific == "" || strings.HasSuffix(specific, ".4.7")) {
			specific = st
		}
		i += strings.Index(s[i:], st) + len(st)
	}
	if specific != "" {
		return specific
	}
	return first
}

// maxScan bounds the text searched for a notice's sentences: they are near its top.
const maxScan = 256 << 10

// clipText cuts s to maxScan bytes.
func clipText(s string) string {
	if len(s) > maxScan {
		return strings.ToValidUTF8(s[:maxScan], "")
	}
	return s
}

// maxBlock bounds the text read about one recipient.
const maxBlock = 16 << 10

// clip cuts s to maxBlock bytes.
func clip(s string) string {
	if len(s) > maxBlock {
		return strings.ToValidUTF8(s[:maxBlock], "")
	}
	return s
}

// genericStatus reports whether an enhanced status code says nothing beyond its class (x.0.0).
func genericStatus(s string) bool {
	return strings.HasSuffix(s, ".0.0")
}

// shorten trims a diagnostic to one line of reasonable length.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300]
		for len(s) > 0 && s[len(s)-1]&0xc0 == 0x80 {
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] >= 0xc0 {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// reasonFor names the reason of a failure from its diagnostic text, its status code and, when
// they say nothing, the text around it.
func reasonFor(text, status, around string) string {
	t := norm(text)
	at := norm(around)
	if status != "" {
		if r, ok := decisiveStatus["x"+status[1:]]; ok {
			return r
		}
	}
	if r := matchRules(specificReasons, t); r != "" {
		return refineUserUnknown(r, status, t+" "+at)
	}
	if status != "" && !genericStatus(status) {
		if r, ok := statusReasons["x"+status[1:]]; ok {
			return r
		}
	}
	if r := matchRules(genericReasons, t); r != "" {
		return r
	}
	if at != "" {
		if r := matchRules(specificReasons, at); r != "" {
			return refineUserUnknown(r, status, at)
		}
		if r := matchRules(genericReasons, at); r != "" {
			return r
		}
	}
	if status != "" && status[0] == '4' {
		return "expired"
	}
	if status != "" {
		return "onhold"
	}
	return "undefined"
}

// refineUserUnknown settles a weak "user unknown": it is userunknown when the server said so in
// answer to RCPT TO or with a x.1.x status, and filtered otherwise (after DATA it is a content
// filter's answer; with no context at all we do not call an address dead on such thin ground).
func refineUserUnknown(r, status, context string) string {
	if r != userUnknownWeak {
		return r
	}
	if strings.HasPrefix(status[min(len(status), 1):], ".1.") {
		return "userunknown"
	}
	if containsAny(context, dataContext) != "" {
		return "filtered"
	}
	if containsAny(context, rcptContext) != "" {
		return "userunknown"
	}
	return "filtered"
}

// matchRules returns the reason of the first rule with a phrase in t, or "".
func matchRules(rules []reasonRule, t string) string {
	for _, rule := range rules {
		if containsAny(t, rule.phrases) != "" {
			return rule.reason
		}
	}
	return ""
}
