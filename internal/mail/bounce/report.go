package bounce

import (
	"encoding/json"
	"strings"
)

// dsnRecipient is one per-recipient block of a message/delivery-status part (RFC 3464 §2.3).
type dsnRecipient struct {
	final, original, actual string
	action, status, diag    string
	remoteMTA               string
}

// parseDSN reads the per-recipient fields of a delivery-status body. It is lenient: fields may
// come in any order, a block may lack the blank line before the next one (a field seen twice
// starts a new recipient), and lines that are not fields are skipped, so it can also read DSN
// fields pasted into a text part.
func parseDSN(text string) []dsnRecipient {
	var out []dsnRecipient
	var cur dsnRecipient
	var last *string // the field a continuation line belongs to
	flush := func() {
		if cur.final != "" || cur.original != "" || cur.action != "" || cur.status != "" {
			out = append(out, cur)
		}
		cur = dsnRecipient{}
		last = nil
	}
	// set stores a field, starting a new recipient when the current one already has it.
	set := func(dst *string, value string) {
		if *dst != "" {
			flush()
		}
		*dst = value
		last = dst
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last != nil && len(*last) < maxFieldLen {
				*last += " " + strings.TrimSpace(line)
			}
			continue
		}
		last = nil
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isFieldName(name) {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "final-recipient":
			set(&cur.final, value)
		case "original-recipient":
			set(&cur.original, value)
		case "x-actual-recipient":
			set(&cur.actual, value)
		case "action":
			set(&cur.action, strings.ToLower(value))
		case "status":
			set(&cur.status, value)
		case "diagnostic-code":
			set(&cur.diag, value)
		case "remote-mta":
			set(&cur.remoteMTA, value)
		}
	}
	flush()
	return out
}

// typedValue returns the value of a typed DSN field ("rfc822; a@b" → "a@b").
func typedValue(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	return strings.TrimSpace(v)
}

// dsnAddress returns the address in a typed recipient field, lower-cased, or "".
func dsnAddress(v string) string {
	v = typedValue(v)
	if a := findAddresses(v); len(a) > 0 {
		return a[0]
	}
	return ""
}

// feedbackResult recognises an ARF report (RFC 5965) and Apple Mail's unsubscribe requests.
func (a *analysis) feedbackResult() (Result, bool) {
	r := Result{Kind: Feedback, Reason: "feedback"}
	switch {
	case a.isFeedback || a.reportType == "feedback-report":
		a.because("report-type=feedback-report")
		r.FeedbackType = strings.ToLower(strings.TrimSpace(a.feedback.get("feedback-type")))
		for _, k := range []string{"original-rcpt-to", "removal-recipient"} {
			if v := findAddresses(a.feedback.get(k)); len(v) > 0 {
				r.Recipient = v[0]
				break
			}
		}
	case strings.EqualFold(strings.TrimSpace(a.h.get("x-apple-unsubscribe")), "true"):
		a.because("X-Apple-Unsubscribe: true")
		r.FeedbackType = "opt-out"
	case a.reportType != "" && a.reportType != "delivery-status" && a.reportType != "disposition-notification" &&
		!a.dsnPart && !a.mdn:
		// Another machine report (TLS-RPT and the like): noise, not a letter.
		a.because("report-type=" + a.reportType)
		r.FeedbackType = a.reportType
	default:
		return Result{}, false
	}
	if r.FeedbackType == "" {
		r.FeedbackType = "abuse"
	}
	if r.Recipient == "" && a.returned != nil {
		if v := findAddresses(a.returned.get("to")); len(v) > 0 {
			r.Recipient = v[0]
		}
	}
	a.fill(&r)
	return r, true
}

// sesNotification is the part of an Amazon SES event (sent by SNS as JSON mail) that we read.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		Recipients            []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Delivery struct {
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
	} `json:"delivery"`
	Mail struct {
		MessageID     string `json:"messageId"`
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
		Headers []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"mail"`
}

// awsNotification reads an Amazon SES bounce, complaint or delivery event delivered by mail.
func (a *analysis) awsNotification() (Result, bool) {
	body := strings.TrimSpace(a.notice)
	if !strings.HasPrefix(body, "{") || !strings.Contains(body, "notificationType") && !strings.Contains(body, "eventType") {
		return Result{}, false
	}
	// The JSON object may be followed by SNS's footer; read the first value only.
	var n sesNotification
	if err := json.NewDecoder(strings.NewReader(body)).Decode(&n); err != nil {
		// Mail software folds long lines, even inside JSON strings.
		body = strings.ReplaceAll(strings.ReplaceAll(body, "\n ", ""), "\n", "")
		if json.NewDecoder(strings.NewReader(body)).Decode(&n) != nil {
			return Result{}, false
		}
	}
	if n.NotificationType == "" && n.EventType == "" {
		// An SNS envelope carries the event as a JSON string in "Message".
		var env struct{ Message string }
		if json.NewDecoder(strings.NewReader(body)).Decode(&env) != nil ||
			json.NewDecoder(strings.NewReader(env.Message)).Decode(&n) != nil {
			return Result{}, false
		}
	}
	typ := n.NotificationType
	if typ == "" {
		typ = n.EventType
	}
	var r Result
	switch strings.ToLower(typ) {
	case "complaint":
		r = Result{Kind: Feedback, Reason: "feedback", FeedbackType: strings.ToLower(n.Complaint.ComplaintFeedbackType)}
		if r.FeedbackType == "" {
			r.FeedbackType = "abuse"
		}
		if len(n.Complaint.Recipients) > 0 {
			r.Recipient = strings.ToLower(n.Complaint.Recipients[0].EmailAddress)
		}
	case "delivery":
		r = Result{Kind: Delivered, Reason: "delivered", Status: findStatus(n.Delivery.SMTPResponse), ReplyCode: findReplyCode(n.Delivery.SMTPResponse)}
		if len(n.Delivery.Recipients) > 0 {
			r.Recipient = strings.ToLower(n.Delivery.Recipients[0])
		}
	case "bounce":
		r = Result{Kind: Bounce}
		for _, br := range n.Bounce.BouncedRecipients {
			rs := RecipientStatus{Recipient: strings.ToLower(br.EmailAddress), Action: "failed", Diagnostic: br.DiagnosticCode}
			rs.Status = findStatus(br.Status)
			if rs.Status == "" {
				rs.Status = findStatus(br.DiagnosticCode)
			}
			rs.ReplyCode = findReplyCode(br.DiagnosticCode)
			rs.Permanent = strings.EqualFold(n.Bounce.BounceType, "permanent")
			rs.Reason = reasonFor(br.DiagnosticCode, rs.Status, "")
			rs.Hard = rs.Permanent && hardReasons[rs.Reason]
			r.Recipients = append(r.Recipients, rs)
		}
		r.setFirst()
	default:
		return Result{}, false
	}
	a.because("Amazon SES " + typ + " notification")
	a.fill(&r)
	for _, h := range n.Mail.Headers {
		switch strings.ToLower(h.Name) {
		case "message-id":
			r.OriginalMessageID = messageID(h.Value)
		case "x-otklik-ticket":
			r.Ticket = strings.TrimSpace(h.Value)
		}
	}
	if r.OriginalMessageID == "" && n.Mail.CommonHeaders.MessageID != "" {
		r.OriginalMessageID = messageID(n.Mail.CommonHeaders.MessageID)
	}
	return r, true
}

// setFirst copies the first recipient's outcome into the result's own fields.
func (r *Result) setFirst() {
	if len(r.Recipients) == 0 {
		return
	}
	f := r.Recipients[0]
	r.Recipient, r.Status, r.ReplyCode, r.Reason = f.Recipient, f.Status, f.ReplyCode, f.Reason
	r.Hard, r.Permanent = f.Hard, f.Permanent
}
