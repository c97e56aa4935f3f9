package compose_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"

	"github.com/otklik/otklik/internal/mail/compose"
)

func sample() compose.Message {
	return compose.Message{
		From:      compose.Address{Name: "Служба поддержки", Email: "support@otklik.example"},
		To:        compose.Address{Name: "Иванова Мария", Email: "maria@example.ru"},
		Subject:   compose.SubjectWithNumber("26-100001-2", "Не могу войти"),
		Text:      "Здравствуйте, Мария!\n\nВаше обращение зарегистрировано.\nС уважением,\nслужба поддержки",
		MessageID: compose.NewMessageID("26-100001-2", "otklik.example", time.Unix(1700000000, 0)),
		InReplyTo: "abc@mail.example.ru", References: []string{"root@mail.example.ru", "abc@mail.example.ru"},
		AutoSubmitted: "auto-replied", Ticket: "26-100001-2", Date: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	}
}

func read(t *testing.T, raw []byte) (*mail.Reader, string, string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var text, html string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		ct, _, _ := p.Header.(*mail.InlineHeader).ContentType()
		if ct == "text/plain" {
			text = string(b)
		} else {
			html = string(b)
		}
	}
	return r, text, html
}

func TestComposeRoundTrip(t *testing.T) {
	m := sample()
	raw, err := compose.Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	r, text, html := read(t, raw)
	if got, _ := r.Header.Subject(); got != "[№ 26-100001-2] Не могу войти" {
		t.Errorf("subject %q", got)
	}
	if got, _ := r.Header.MessageID(); got != m.MessageID {
		t.Errorf("Message-ID %q, want %q", got, m.MessageID)
	}
	if got, _ := r.Header.MsgIDList("References"); strings.Join(got, " ") != "root@mail.example.ru abc@mail.example.ru" {
		t.Errorf("References %v", got)
	}
	if got, _ := r.Header.MsgIDList("In-Reply-To"); len(got) != 1 || got[0] != "abc@mail.example.ru" {
		t.Errorf("In-Reply-To %v", got)
	}
	if r.Header.Get("Auto-Submitted") != "auto-replied" || r.Header.Get("X-Otklik-Ticket") != "26-100001-2" {
		t.Errorf("headers: %v", r.Header)
	}
	if !strings.Contains(strings.ReplaceAll(text, "\r\n", "\n"), "Ваше обращение зарегистрировано.\nС уважением") {
		t.Errorf("text part %q", text)
	}
	if !strings.Contains(html, "Здравствуйте, Мария!</p>") || !strings.Contains(html, "<br>") {
		t.Errorf("html part %q", html)
	}
	if !strings.HasPrefix(m.MessageID, "26-100001-2.1700000000.") || !strings.HasSuffix(m.MessageID, "@otklik.example") {
		t.Errorf("Message-ID %q", m.MessageID)
	}
	if compose.SubjectWithNumber("26-100001-2", m.Subject) != m.Subject {
		t.Errorf("the number is added twice")
	}
}

// TestHeaderInjection: nothing a citizen or an agent writes can add a header.
func TestHeaderInjection(t *testing.T) {
	m := sample()
	m.Subject = "Вопрос\r\nBcc: victim@example.com\r\n\r\nподделка"
	m.To.Name = "Иван\r\nBcc: x@example.com"
	raw, err := compose.Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	head := raw[:bytes.Index(raw, []byte("\r\n\r\n"))]
	if bytes.Contains(bytes.ToLower(head), []byte("\r\nbcc:")) {
		t.Fatalf("a header was injected:\n%s", head)
	}
	for _, bad := range []compose.Address{{Email: "a@b.ru\r\nBcc: c@d.ru"}, {Email: "a@b.ru, c@d.ru"}, {Email: "<a@b.ru>"}, {Email: ""}} {
		m := sample()
		m.To = bad
		if _, err := compose.Compose(m); err == nil {
			t.Errorf("address %q accepted", bad.Email)
		}
	}
	m = sample()
	m.InReplyTo = "x@y>\r\nBcc: z@w"
	raw, err = compose.Compose(m)
	if err != nil || bytes.Contains(raw, []byte("In-Reply-To")) || bytes.Contains(bytes.ToLower(raw), []byte("\r\nbcc:")) {
		t.Errorf("a broken In-Reply-To: %v\n%s", err, raw)
	}
}

func TestDKIMSignatureVerifies(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := compose.Compose(sample())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := compose.NewSigner("otklik.example", "mail", priv).Sign(raw)
	if err != nil {
		t.Fatal(err)
	}
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	verifications, err := dkim.VerifyWithOptions(bytes.NewReader(signed), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) { return []string{record}, nil },
	})
	if err != nil || len(verifications) != 1 || verifications[0].Err != nil || verifications[0].Domain != "otklik.example" {
		t.Fatalf("verify: %v %+v", err, verifications)
	}
	tampered := bytes.Replace(signed, []byte("Subject:"), []byte("Subject: X"), 1)
	v2, _ := dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) { return []string{record}, nil },
	})
	if len(v2) == 1 && v2[0].Err == nil {
		t.Error("a changed subject still verifies")
	}
}
