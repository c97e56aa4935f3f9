package mail_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/mail"
	"github.com/otklik/otklik/internal/mail/compose"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// fakeDNS stands in for DNS, which is outside this machine: TXT records by name.
type fakeDNS map[string][]string

func (f fakeDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if v, ok := f[strings.TrimSuffix(strings.ToLower(name), ".")]; ok {
		return v, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

type env struct {
	svc    *service.Service
	st     otklik.Store
	intake *mail.Intake
	addr   string // SMTP listener
	lmtp   string // LMTP listener
	dns    fakeDNS
	key    ed25519.PrivateKey
	files  string // the file vault's directory
}

const portal = "gosuslugi.example"

func newEnv(t *testing.T, engine string, relay bool) *env {
	return newEnvTB(t, engine, relay, testkit.Logger(t), mail.Limits{MaxMessageBytes: 2 << 20, MaxFileBytes: 512 << 10})
}

func newEnvTB(t testing.TB, engine string, relay bool, log *slog.Logger, limits mail.Limits) *env {
	t.Helper()
	st := testkit.MustOpenStoreEngine(t, engine, time.Now)
	vault, filesDir, _ := testkit.NewVault(t)
	svc := service.New(service.Options{Store: st, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30},
		Mail:  service.MailOptions{Address: "support@" + portal, Name: "Служба поддержки", Relay: relay},
		Files: service.FileOptions{Vault: vault, Scanning: true}})
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	dns := fakeDNS{
		"sel._domainkey.mail.example.ru": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"_dmarc." + portal:               {"v=DMARC1; p=reject"},
		"_dmarc.mail.example.ru":         {"v=DMARC1; p=none"},
	}
	e := &env{svc: svc, st: st, dns: dns, key: priv, files: filesDir}
	e.intake = mail.NewIntake(mail.Options{Service: svc, Address: "support@" + portal, Resolver: dns, Logger: log,
		Limits: limits, TrustedAuthServID: trustedMTA})
	for _, lmtp := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := mail.NewServer(mail.ServerOptions{Intake: e.intake, LMTP: lmtp, Domain: portal, MaxMessageBytes: limits.MaxMessageBytes,
			Recipients: []string{"support@" + portal, "help@" + portal}, Logger: log})
		go srv.Serve(ln)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		})
		if lmtp {
			e.lmtp = ln.Addr().String()
		} else {
			e.addr = ln.Addr().String()
		}
	}
	return e
}

// message builds a raw message.
func message(from, subject, body string, extra ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Иванова Мария <%s>\r\nTo: support@%s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0300\r\n", from, portal, mimeWord(subject))
	fmt.Fprintf(&b, "Message-ID: <%d.%s>\r\n", time.Now().UnixNano(), from)
	for i := 0; i+1 < len(extra); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", extra[i], extra[i+1])
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.Bytes()
}

func mimeWord(s string) string {
	return "=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
}

// sendSMTP has a real SMTP conversation with addr.
func sendSMTP(addr, from string, to []string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

func tickets(t *testing.T, svc *service.Service) []*otklik.Ticket {
	t.Helper()
	p, err := svc.ListTickets(context.Background(), nil, service.ListQuery{Limit: "500"})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func TestSMTPIntake(t *testing.T) { testkit.ForEachEngine(t, testSMTPIntake) }

func testSMTPIntake(t *testing.T, engine string) {
	e := newEnv(t, engine, false)
	raw := message("maria@mail.example.ru", "Не могу войти в личный кабинет", "Здравствуйте!\nПосле ввода пароля ошибка.")
	if err := sendSMTP(e.addr, "maria@mail.example.ru", []string{"support@" + portal}, raw); err != nil {
		t.Fatal(err)
	}
	ts := tickets(t, e.svc)
	if len(ts) != 1 || ts[0].Channel != otklik.ChannelEmail || ts[0].Subject != "Не могу войти в личный кабинет" {
		t.Fatalf("tickets after one message: %+v", ts)
	}
	// The MTA did not get our 250 and delivers again: still one ticket.
	if err := sendSMTP(e.addr, "maria@mail.example.ru", []string{"support@" + portal}, raw); err != nil {
		t.Fatal(err)
	}
	if n := len(tickets(t, e.svc)); n != 1 {
		t.Errorf("a redelivered message made %d tickets", n)
	}
	// A recipient that is not ours is refused at RCPT.
	var se *smtp.SMTPError
	if err := sendSMTP(e.addr, "x@example.com", []string{"boss@" + portal}, raw); !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("unknown recipient: %v", err)
	}
	// Too large: nothing registered; the sender is told in Russian what to reduce.
	big := message("big@example.com", "Большое письмо", strings.Repeat(strings.Repeat("а", 70)+"\n", 20000))
	if err := sendSMTP(e.addr, "big@example.com", []string{"support@" + portal}, big); err != nil {
		t.Errorf("too large: %v", err)
	}
	notice := false
	outs, _ := e.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailOut})
	for _, m := range outs {
		notice = notice || (m.To == "big@example.com" && m.Kind == otklik.MailNotice)
	}
	if !notice {
		t.Errorf("no notice to the sender of a too large message")
	}
	if n := len(tickets(t, e.svc)); n != 1 {
		t.Errorf("a too large message made a ticket")
	}
	// LMTP answers every recipient; two support addresses still make one ticket.
	conn, err := net.Dial("tcp", e.lmtp)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	if err := c.SendMail("lena@example.com", []string{"support@" + portal, "help@" + portal}, bytes.NewReader(message("lena@example.com", "Через LMTP", "Текст"))); err != nil {
		t.Fatalf("LMTP: %v", err)
	}
	c.Quit()
	if n := len(tickets(t, e.svc)); n != 2 {
		t.Errorf("%d tickets after LMTP delivery to two addresses, want 2", n)
	}
	// An auto-reply never makes a ticket.
	if err := sendSMTP(e.addr, "robot@example.com", []string{"support@" + portal}, message("robot@example.com", "Автоответ", "Я в отпуске", "Auto-Submitted", "auto-replied")); err != nil {
		t.Fatal(err)
	}
	if n := len(tickets(t, e.svc)); n != 2 {
		t.Errorf("an auto-reply made a ticket")
	}
}

// withFiles builds a raw multipart message with a text part and attachments (name → content).
func withFiles(from, subject, body string, files ...[2]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <%s>\r\nTo: support@%s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0300\r\n", from, portal, mimeWord(subject))
	fmt.Fprintf(&b, "Message-ID: <%d.%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n", time.Now().UnixNano(), from)
	fmt.Fprintf(&b, "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", body)
	for _, f := range files {
		fmt.Fprintf(&b, "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''%s\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", url.PathEscape(f[0]), base64.StdEncoding.EncodeToString([]byte(f[1])))
	}
	b.WriteString("--b1--\r\n")
	return b.Bytes()
}

const mailPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// TestMailFiles: files that come by e-mail are attached to the ticket; a message with a refused file
// or with more files than a message may carry makes no ticket, keeps no file and gets a notice that
// says what to change.
func TestMailFiles(t *testing.T) {
	e := newEnvTB(t, "sqlite", false, testkit.Logger(t), mail.Limits{MaxMessageBytes: 25 << 20, MaxFileBytes: 10 << 20})
	ctx := context.Background()
	if err := sendSMTP(e.addr, "maria@mail.example.ru", []string{"support@" + portal},
		withFiles("maria@mail.example.ru", "Скан заявления", "Прилагаю скан.", [2]string{"заявление.pdf", mailPDF})); err != nil {
		t.Fatal(err)
	}
	ts := tickets(t, e.svc)
	if len(ts) != 1 {
		t.Fatalf("%d tickets", len(ts))
	}
	atts, err := e.svc.Attachments(ctx, ts[0].Number)
	if err != nil || len(atts) != 1 || atts[0].Name != "заявление.pdf" || atts[0].Blob.ContentType != "application/pdf" {
		t.Fatalf("attachments: %v %+v", err, atts)
	}

	many := make([][2]string, 10000)
	for i := range many {
		many[i] = [2]string{fmt.Sprintf("скан-%d.pdf", i), mailPDF}
	}
	for _, c := range []struct {
		name, from string
		raw        []byte
		want       string
	}{
		{"a renamed program", "oleg@example.com", withFiles("oleg@example.com", "Справка", "См. вложение",
			[2]string{"справка.pdf", "MZ\x90\x00\x03 This program cannot be run in DOS mode."}, [2]string{"скан.pdf", mailPDF}), "не является документом"},
		{"10,000 tiny files", "lena@example.com", withFiles("lena@example.com", "Сканы", "Все страницы", many...), "слишком много файлов"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := sendSMTP(e.addr, c.from, []string{"support@" + portal}, c.raw); err != nil {
				t.Fatal(err)
			}
			if n := len(tickets(t, e.svc)); n != 1 {
				t.Errorf("%d tickets, want still 1", n)
			}
			ins, _ := e.st.Mails(ctx, otklik.MailFilter{Direction: otklik.MailIn})
			rejected := false
			for _, m := range ins {
				rejected = rejected || (m.From == c.from && m.Kind == otklik.MailRejected && strings.Contains(m.Error, c.want))
			}
			outs, _ := e.st.Mails(ctx, otklik.MailFilter{Direction: otklik.MailOut})
			notice := false
			for _, m := range outs {
				notice = notice || (m.To == c.from && m.Kind == otklik.MailNotice)
			}
			if !rejected || !notice {
				t.Errorf("rejected %v, notice %v: want a rejection of %s saying %q, and a notice", rejected, notice, c.from, c.want)
			}
			if n := testkit.CountObjects(t, e.files); n != 1 {
				t.Errorf("%d stored contents, want the first message's one", n)
			}
		})
	}
}

// TestAuthenticity: DKIM and DMARC verdicts are stored; mail claiming the portal's domain without
// proving it is flagged as possible phishing and gets no automatic answer.
func TestAuthenticity(t *testing.T) {
	e := newEnv(t, "sqlite", false)
	raw := message("maria@mail.example.ru", "Подписанное письмо", "Текст")
	var signed bytes.Buffer
	if err := dkim.Sign(&signed, bytes.NewReader(raw), &dkim.SignOptions{Domain: "mail.example.ru", Selector: "sel", Signer: e.key}); err != nil {
		t.Fatal(err)
	}
	if err := sendSMTP(e.addr, "maria@mail.example.ru", []string{"support@" + portal}, signed.Bytes()); err != nil {
		t.Fatal(err)
	}
	fake := message("security@"+portal, "Подтвердите данные", "Перейдите по ссылке")
	if err := sendSMTP(e.addr, "security@"+portal, []string{"support@" + portal}, fake); err != nil {
		t.Fatal(err)
	}
	ms, _ := e.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailIn})
	byFrom := map[string]*otklik.MailRecord{}
	for _, m := range ms {
		byFrom[m.From] = m
	}
	if m := byFrom["maria@mail.example.ru"]; m == nil || !strings.Contains(m.Auth, `"dkim":"pass"`) || !strings.Contains(m.Auth, `"dmarc":"pass"`) || m.Phishing {
		t.Errorf("signed mail: %+v", m)
	}
	if m := byFrom["security@"+portal]; m == nil || !m.Phishing || !strings.Contains(m.Auth, `"dmarc":"fail"`) {
		t.Errorf("fake portal mail: %+v", m)
	}
	out, _ := e.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailOut})
	for _, m := range out {
		if m.To == "security@"+portal {
			t.Errorf("possible phishing got an automatic answer")
		}
	}
}

// trustedMTA is the authserv-id of the MTA in front of Otklik in these tests.
const trustedMTA = "mx.otklik.test"

// TestTrustedAuthenticationResults: over LMTP Otklik does not see the sending IP, so the SPF verdict
// comes from the Authentication-Results header our own MTA added on top — never from one with
// another authserv-id or one below our MTA's Received field, which the sender could have written.
func TestTrustedAuthenticationResults(t *testing.T) {
	e := newEnv(t, "sqlite", false)
	ours := "Received: from relay.example.net ([192.0.2.7]) by mx.otklik.test with ESMTP; Mon, 23 Nov 2026 10:00:00 +0300\r\n"
	theirs := "Received: from evil.example.net ([198.51.100.9]) by relay.example.net; Mon, 23 Nov 2026 09:59:00 +0300\r\n"
	ar := func(id string) string {
		return "Authentication-Results: " + id + "; spf=pass smtp.mailfrom=security@" + portal + "\r\n"
	}
	cases := []struct {
		name, header string
		spf          string
		phishing     bool
	}{
		{"ours on top", ar(trustedMTA) + ours + theirs, "pass", false},
		{"ours below our Received", ours + ar(trustedMTA) + theirs, "pass", false},
		{"forged below the sender's Received", ours + theirs + ar(trustedMTA), "none", true},
		{"another authserv-id", ar("mx.evil.example") + ours + theirs, "none", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := fmt.Sprintf("security%d@%s", i, portal)
			raw := append([]byte(strings.ReplaceAll(c.header, "security@", fmt.Sprintf("security%d@", i))), message(from, "Проверка", "Текст")...)
			conn, err := net.Dial("tcp", e.lmtp)
			if err != nil {
				t.Fatal(err)
			}
			lc := smtp.NewClientLMTP(conn)
			defer lc.Close()
			if err := lc.SendMail(from, []string{"support@" + portal}, bytes.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
			ms, _ := e.st.Mails(context.Background(), otklik.MailFilter{Direction: otklik.MailIn})
			var got *otklik.MailRecord
			for _, m := range ms {
				if m.From == from {
					got = m
				}
			}
			if got == nil {
				t.Fatal("not taken in")
			}
			if !strings.Contains(got.Auth, `"spf":"`+c.spf+`"`) || got.Phishing != c.phishing {
				t.Errorf("auth %s, phishing %v; want spf %s, phishing %v", got.Auth, got.Phishing, c.spf, c.phishing)
			}
		})
	}
}

// TestOutboundThroughRelay: acknowledgements go out through the relay by the send job, DKIM-signed,
// and are marked sent.
func TestOutboundThroughRelay(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, true)
		relay := startRelay(t)
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		sender := &mail.Sender{Service: e.svc, Relay: relay.addr, Signer: compose.NewSigner(portal, "otklik", priv)}
		r := jobs.New(jobs.Options{Store: e.st, Poll: 20 * time.Millisecond})
		r.Register(service.JobSendMail, sender.Handler())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		if err := sendSMTP(e.addr, "maria@mail.example.ru", []string{"support@" + portal}, message("maria@mail.example.ru", "Вопрос", "Текст")); err != nil {
			t.Fatal(err)
		}
		got := relay.wait(t, 1)
		if got[0].from != "support@"+portal || got[0].to[0] != "maria@mail.example.ru" {
			t.Errorf("relayed envelope: %+v", got[0])
		}
		v, err := dkim.VerifyWithOptions(bytes.NewReader(got[0].data), &dkim.VerifyOptions{LookupTXT: func(string) ([]string, error) {
			return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}})
		if err != nil || len(v) != 1 || v[0].Err != nil {
			t.Errorf("DKIM of the relayed ack: %v %+v", err, v)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			ms, _ := e.st.Mails(ctx, otklik.MailFilter{Direction: otklik.MailOut})
			if len(ms) == 1 && ms[0].Status == otklik.MailSent {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ack not marked sent: %+v", ms)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// relay is an SMTP server standing in for the organisation's MTA; it keeps what it receives.
type relay struct {
	addr string
	mu   sync.Mutex
	got  []relayed
}

type relayed struct {
	from string
	to   []string
	data []byte
}

func startRelay(t *testing.T) *relay {
	t.Helper()
	r := &relay{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	srv.Domain = "relay.local"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *relay) wait(t *testing.T, n int) []relayed {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := append([]relayed(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("relay got %d messages, want %d", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type relaySession struct {
	r    *relay
	from string
	to   []string
}

func (s *relaySession) Reset()                                      {}
func (s *relaySession) Logout() error                               { return nil }
func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	s.r.got = append(s.r.got, relayed{from: s.from, to: s.to, data: b})
	s.r.mu.Unlock()
	return nil
}
