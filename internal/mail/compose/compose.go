// Package compose builds Otklik's outbound e-mail: RFC 5322 messages with a plain-text and an HTML
// part, the ticket number in the subject as «[№ NUMBER]», Message-ID, In-Reply-To and References for
// threading, Auto-Submitted on automatic answers (RFC 3834), and optionally a DKIM signature. Every
// header value comes from data that citizens and staff control, so nothing they write can break out
// of its header: line breaks are removed and non-ASCII text is encoded.
package compose

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"
)

// Address is a mailbox with an optional display name.
type Address struct{ Name, Email string }

// Message is an outbound e-mail.
type Message struct {
	From       Address
	To         Address
	Subject    string
	Text       string // the plain-text body; the HTML part is made from it when HTML is empty
	HTML       string
	MessageID  string   // without <>; see NewMessageID
	InReplyTo  string   // without <>
	References []string // without <>
	// AutoSubmitted is "auto-replied" for acknowledgements, status answers and notices (so that
	// other systems' auto-responders do not answer them), "" for a person's reply.
	AutoSubmitted string
	Ticket        string // the ticket number, sent as X-Otklik-Ticket
	Date          time.Time
}

// NewMessageID returns a Message-ID (without <>) that carries the ticket number and is unguessable.
func NewMessageID(ticket, domain string, now time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	local := strconv.FormatInt(now.Unix(), 10) + "." + hex.EncodeToString(b[:])
	if ticket != "" {
		local = ticket + "." + local
	}
	return local + "@" + domain
}

// SubjectWithNumber puts «[№ NUMBER]» in front of a subject, once.
func SubjectWithNumber(number, subject string) string {
	tag := "[№ " + number + "]"
	if strings.Contains(subject, tag) {
		return subject
	}
	return tag + " " + subject
}

// ErrHeader is returned for an address that cannot be put in a header safely.
var ErrHeader = errors.New("compose: unsafe header value")

// oneLine removes line breaks and other control characters from a header value.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

func addr(a Address) (*mail.Address, error) {
	e := strings.TrimSpace(a.Email)
	if e == "" || strings.ContainsAny(e, "\r\n<>\",; \t") || strings.Count(e, "@") != 1 {
		return nil, fmt.Errorf("%w: address %q", ErrHeader, a.Email)
	}
	return &mail.Address{Name: strings.TrimSpace(oneLine(a.Name)), Address: e}, nil
}

func msgID(id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if strings.ContainsAny(id, "\r\n<> \t") || !strings.Contains(id, "@") {
		return "", fmt.Errorf("%w: message id %q", ErrHeader, id)
	}
	return id, nil
}

// Compose renders m as RFC 5322 bytes with CRLF line endings.
func Compose(m Message) ([]byte, error) {
	from, err := addr(m.From)
	if err != nil {
		return nil, err
	}
	to, err := addr(m.To)
	if err != nil {
		return nil, err
	}
	var h mail.Header
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	h.SetDate(date)
	h.SetAddressList("From", []*mail.Address{from})
	h.SetAddressList("To", []*mail.Address{to})
	h.SetSubject(oneLine(m.Subject))
	id, err := msgID(m.MessageID)
	if err != nil {
		return nil, err
	}
	if id != "" {
		h.SetMessageID(id)
	}
	// A correspondent's broken Message-ID is left out of the threading headers rather than stop the
	// answer.
	if irt, err := msgID(m.InReplyTo); err == nil && irt != "" {
		h.SetMsgIDList("In-Reply-To", []string{irt})
	}
	var refs []string
	for _, r := range m.References {
		if r, err := msgID(r); err == nil && r != "" {
			refs = append(refs, r)
		}
	}
	if len(refs) > 0 {
		h.SetMsgIDList("References", refs)
	}
	if m.AutoSubmitted != "" {
		h.Set("Auto-Submitted", oneLine(m.AutoSubmitted))
		h.Set("X-Auto-Response-Suppress", "All")
	}
	if m.Ticket != "" {
		h.Set("X-Otklik-Ticket", oneLine(m.Ticket))
	}
	h.Set("MIME-Version", "1.0")

	var buf bytes.Buffer
	alt, err := mail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	htmlBody := m.HTML
	if htmlBody == "" {
		htmlBody = TextToHTML(text)
	}
	for _, part := range []struct{ ct, body string }{{"text/plain", text}, {"text/html", htmlBody}} {
		var ph mail.InlineHeader
		ph.Set("Content-Type", part.ct+"; charset=utf-8")
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := alt.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := pw.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TextToHTML renders plain text as simple, escaped HTML: paragraphs and line breaks, nothing else.
func TextToHTML(text string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><body style="font-family:Arial,sans-serif;font-size:14px;line-height:1.5">`)
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

// Signer signs outbound mail with DKIM.
type Signer struct {
	Domain, Selector string
	key              crypto.Signer
}

// LoadSigner reads a PEM private key (RSA, PKCS#1 or PKCS#8, or Ed25519 PKCS#8) for DKIM.
func LoadSigner(domain, selector, keyPath string) (*Signer, error) {
	b, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("dkim key %s: not PEM", keyPath)
	}
	var key crypto.Signer
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		var k any
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		switch kk := k.(type) {
		case *rsa.PrivateKey:
			key = kk
		case ed25519.PrivateKey:
			key = kk
		default:
			if err == nil {
				err = fmt.Errorf("unsupported key type %T", k)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("dkim key %s: %w", keyPath, err)
	}
	if domain == "" || selector == "" {
		return nil, errors.New("dkim: domain and selector are required")
	}
	return &Signer{Domain: domain, Selector: selector, key: key}, nil
}

// NewSigner returns a signer for a key already in memory (tests, generated keys).
func NewSigner(domain, selector string, key crypto.Signer) *Signer {
	return &Signer{Domain: domain, Selector: selector, key: key}
}

// Sign returns raw with a DKIM-Signature header over the headers that matter for threading and trust.
func (s *Signer) Sign(raw []byte) ([]byte, error) {
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain: s.Domain, Selector: s.Selector, Signer: s.key,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Auto-Submitted"},
	})
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	return out.Bytes(), nil
}
