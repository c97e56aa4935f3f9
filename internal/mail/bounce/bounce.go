// Package bounce tells the mail intake which inbound messages are noise that must never become a
// ticket or get an answer: delivery status notifications (bounces and delay warnings), auto-replies
// (vacation, out-of-office, auto-submitted), mailing-list and bulk mail, and feedback (ARF abuse)
// reports. For a bounce it extracts what the helpdesk needs to record the failure on the ticket of
// the message that bounced: the failed recipient, the status and reply codes, a short reason, whether
// the address itself is dead, and the Message-ID of the returned message.
//
// It reads standard reports (RFC 3464 multipart/report with message/delivery-status, RFC 5965
// feedback reports, RFC 3834 auto-replies) and the free-text notices of MTAs and providers that do
// not send them (qmail, Exim, Sendmail, Exchange, Gmail, Yandex, Mail.ru and others), in English,
// Russian, German, French and Japanese. Classification is a set of readable rules, not a model;
// Result.Evidence lists the rules that fired.
package bounce

import (
	"fmt"
	"io"
	"net/mail"
	"strings"
)

// DefaultMaxBytes is the read limit Classify uses when given a limit of zero or less: the largest
// message Otklik accepts.
const DefaultMaxBytes = 25 << 20

// Kind is what an inbound message is, as far as the intake is concerned.
type Kind string

// The kinds of inbound message. Only Normal may become a ticket or get an answer.
const (
	Normal    Kind = "normal"
	Bounce    Kind = "bounce"    // a DSN or a non-standard delivery failure notice
	Delay     Kind = "delay"     // a "still trying / delayed" notice (not a failure)
	Delivered Kind = "delivered" // a positive DSN (Action: delivered, relayed or expanded)
	AutoReply Kind = "autoreply" // vacation, out-of-office, auto-submitted, auto-responder, read receipt
	Bulk      Kind = "bulk"      // Precedence bulk/junk/list, List-Id/List-Unsubscribe mass mail
	Feedback  Kind = "feedback"  // ARF abuse/opt-out reports and other machine reports
)

// Noise reports whether a message of this kind must neither make a ticket nor get an answer.
func (k Kind) Noise() bool { return k != Normal && k != "" }

// RecipientStatus is the outcome for one recipient of a delivery status notification.
type RecipientStatus struct {
	Recipient  string // the failed address, lower-cased
	Action     string // failed, delayed, delivered, relayed or expanded (from the DSN or inferred)
	Status     string // enhanced status code, "5.1.1", when known
	ReplyCode  string // SMTP reply code, "550", when known
	Reason     string // short reason, see Result.Reason
	Hard       bool   // see Result.Hard
	Permanent  bool   // see Result.Permanent
	Diagnostic string // the remote server's words or the notice's sentence about this recipient
	RemoteMTA  string // the host that refused, when the DSN names it
}

// Result is the classification of one message.
type Result struct {
	Kind Kind
	// Hard reports that the address itself is dead: the recipient or its domain does not exist, has
	// moved, or accepts no mail, and the failure is permanent. A requester whose address bounced hard
	// should be asked for another contact. A permanent failure for any other reason (mailbox full,
	// content or policy rejection, spam filter) is Permanent but not Hard: the address may work
	// later or for another message.
	Hard bool
	// Permanent reports a permanent failure (a 5.x.x status, a 5xx reply, or permanent wording).
	Permanent bool
	Status    string // enhanced status code "5.1.1" when known
	ReplyCode string // SMTP reply code "550" when known
	// Reason is a short machine-friendly reason: userunknown, hostunknown, hasmoved, notaccept,
	// mailboxfull, mesgtoobig, exceedlimit, systemfull, suspend, filtered, rejected, blocked,
	// spamdetected, virusdetected, policyviolation, securityerror, authfailure, requireptr,
	// badreputation, notcompliantrfc, failedstarttls, norelaying, toomanyconn, speeding, expired,
	// networkerror, mailererror, systemerror, syntaxerror, contenterror, onhold, undefined; and
	// delivered, vacation, receipt (a read receipt) and feedback for the other kinds. The
	// vocabulary is sisimai's, whose corpus the tests compare with.
	Reason string
	// Recipient is the failed recipient address, lower-cased; for an AutoReply the address that
	// answered, for Feedback the complaining recipient when the report names one.
	Recipient string
	// OriginalMessageID is the Message-ID (without <>) of the message that bounced or was answered,
	// from the returned message or its headers, else from In-Reply-To/References; "" if unknown.
	OriginalMessageID string
	// Ticket is the X-Otklik-Ticket header of the returned message: set when the bounce is of a
	// message Otklik sent about a ticket. Anyone can forge a bounce, so treat it as a hint and
	// find the ticket by OriginalMessageID among the messages Otklik really sent.
	Ticket       string
	FeedbackType string // ARF Feedback-Type (abuse, opt-out, auth-failure...), or another report-type, for Feedback
	// SuppressAutoReply is set when the sender asked not to get automatic answers
	// (X-Auto-Response-Suppress: All, AutoReply or OOF) even though the message may be Normal: make
	// the ticket, but send no acknowledgement.
	SuppressAutoReply bool
	Recipients        []RecipientStatus // every recipient of a bounce, delay or delivery report
	Evidence          []string          // why it was classified so (header names, phrases)
}

// Classify reads a raw message (at most maxBytes; DefaultMaxBytes when maxBytes <= 0) and classifies
// it. It never panics and never returns an error for malformed input: a message it cannot make
// sense of is Normal, with Evidence saying so. The error is only for I/O errors of r. A message
// longer than maxBytes is classified by its first maxBytes.
func Classify(r io.Reader, maxBytes int64) (res Result, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return Result{Kind: Normal, Evidence: []string{"read error"}}, fmt.Errorf("bounce: read: %w", err)
	}
	return ClassifyBytes(raw, maxBytes), nil
}

// ClassifyBytes classifies a raw message already in memory, looking at its first maxBytes bytes
// (DefaultMaxBytes when maxBytes <= 0). A report's parts that tell what happened come before the
// returned message (RFC 3464), so a caller may classify a large message by its beginning.
func ClassifyBytes(raw []byte, maxBytes int64) (res Result) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	truncated := int64(len(raw)) > maxBytes
	if truncated {
		raw = raw[:maxBytes]
	}
	defer func() {
		// classify has no known panic (it is fuzzed), but a mail intake must not stop on one
		// message: report it as unclassifiable instead.
		if p := recover(); p != nil {
			res = Result{Kind: Normal, Evidence: []string{fmt.Sprintf("unclassifiable: internal error: %v", p)}}
		}
	}()
	res = classify(raw)
	if truncated {
		res.Evidence = append(res.Evidence, fmt.Sprintf("classified by the first %d bytes", maxBytes))
	}
	return res
}

// FromSelf reports whether an address header value (From, Sender or Return-Path) names one of our
// own addresses, so that mail from ourselves is never answered (loop prevention). An entry of ours
// is either an address (matched case-insensitively, ignoring a "+tag" in the local part) or a
// domain written as "@example.org" (every address in that domain).
func FromSelf(from string, ours []string) bool {
	for _, addr := range addressesIn(from) {
		local, domain, ok := strings.Cut(addr, "@")
		if !ok {
			continue
		}
		if i := strings.IndexByte(local, '+'); i > 0 {
			local = local[:i]
		}
		for _, o := range ours {
			o = strings.ToLower(strings.TrimSpace(o))
			if o == "" {
				continue
			}
			if strings.HasPrefix(o, "@") {
				if domain == o[1:] {
					return true
				}
				continue
			}
			ol, od, ok := strings.Cut(o, "@")
			if !ok {
				continue
			}
			if i := strings.IndexByte(ol, '+'); i > 0 {
				ol = ol[:i]
			}
			if ol == local && od == domain {
				return true
			}
		}
	}
	return false
}

// addressesIn returns the lower-cased addresses in an address header value: parsed as an address
// list when it is one, else every word that looks like an address.
func addressesIn(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []string
	if list, err := mail.ParseAddressList(v); err == nil {
		for _, a := range list {
			out = append(out, strings.ToLower(a.Address))
		}
		return out
	}
	for _, m := range findAddresses(v) {
		out = append(out, m)
	}
	return out
}
