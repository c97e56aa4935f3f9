package bounce_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/otklik/otklik/internal/mail/bounce"
)

// MustClassify classifies a message and fails the test on an error.
func MustClassify(tb testing.TB, raw []byte) bounce.Result {
	tb.Helper()
	res, err := bounce.Classify(bytes.NewReader(raw), bounce.DefaultMaxBytes)
	if err != nil {
		tb.Fatalf("Classify: %v", err)
	}
	return res
}

// MustReadFixture reads a file of testdata/.
func MustReadFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// TestClassifyFixtures checks the package's own fixtures: Russian bounces and auto-replies, a
// mailing list, and people's letters that look a little like noise but must stay Normal.
func TestClassifyFixtures(t *testing.T) {
	tests := []struct {
		file       string
		kind       bounce.Kind
		recipient  string
		status     string
		reason     string
		hard       bool
		originalID string
		ticket     string
		suppress   bool
	}{
		{file: "yandex-ru-bounce.eml", kind: bounce.Bounce, recipient: "petrov.a@example.ru", status: "5.1.1",
			reason: "userunknown", hard: true, originalID: "26-100007-1.1736752530@otklik.example", ticket: "26-100007"},
		{file: "mailru-autoreply.eml", kind: bounce.AutoReply, recipient: "ivan.petrov@mail.ru", reason: "vacation",
			originalID: "26-100001-1.1736834400@otklik.example"},
		{file: "outlook-ooo-ru.eml", kind: bounce.AutoReply, recipient: "o.smirnova@gov.example", reason: "vacation",
			originalID: "26-100002-3.1736928000@otklik.example", suppress: true},
		{file: "list-digest.eml", kind: bounce.Bulk},
		{file: "citizen-documents.eml", kind: bounce.Normal},
		{file: "citizen-forwarded-bounce.eml", kind: bounce.Normal},
		{file: "citizen-no-place.eml", kind: bounce.Normal},
		{file: "outlook-person-suppress.eml", kind: bounce.Normal, suppress: true},
		{file: "ours-mailru-bounce.eml", kind: bounce.Bounce, recipient: "n.volkov@example.com", status: "5.1.1",
			reason: "userunknown", hard: true, originalID: "26-100001-2.1700000000@otklik.example", ticket: "26-100001"},
		{file: "ours-postfix-dsn.eml", kind: bounce.Bounce, recipient: "e.orlova@example.net", status: "5.2.2",
			reason: "mailboxfull", originalID: "26-100001-2.1700000000@otklik.example", ticket: "26-100001"},
		{file: "koi8r-bounce.eml", kind: bounce.Bounce, recipient: "m.ivanova@old-isp.example", status: "5.2.2",
			reason: "mailboxfull", originalID: "26-100003-1.1737262740@otklik.example", ticket: "26-100003"},
		{file: "postfix-delay.eml", kind: bounce.Delay, recipient: "k.belova@slow.example", status: "4.4.1",
			reason: "networkerror", originalID: "26-100004-1.1737615520@otklik.example", ticket: "26-100004"},
		{file: "read-receipt.eml", kind: bounce.AutoReply, recipient: "d.sokolov@gov.example", reason: "receipt",
			originalID: "26-100005-1.1737702000@otklik.example"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := MustClassify(t, MustReadFixture(t, tt.file))
			if got.Kind != tt.kind {
				t.Fatalf("Kind: got %s, want %s (evidence %q)", got.Kind, tt.kind, got.Evidence)
			}
			if got.Recipient != tt.recipient {
				t.Errorf("Recipient: got %q, want %q", got.Recipient, tt.recipient)
			}
			if got.Status != tt.status {
				t.Errorf("Status: got %q, want %q", got.Status, tt.status)
			}
			if got.Reason != tt.reason {
				t.Errorf("Reason: got %q, want %q", got.Reason, tt.reason)
			}
			if got.Hard != tt.hard {
				t.Errorf("Hard: got %v, want %v", got.Hard, tt.hard)
			}
			if got.OriginalMessageID != tt.originalID {
				t.Errorf("OriginalMessageID: got %q, want %q", got.OriginalMessageID, tt.originalID)
			}
			if got.Ticket != tt.ticket {
				t.Errorf("Ticket: got %q, want %q", got.Ticket, tt.ticket)
			}
			if got.SuppressAutoReply != tt.suppress {
				t.Errorf("SuppressAutoReply: got %v, want %v", got.SuppressAutoReply, tt.suppress)
			}
			if len(got.Evidence) == 0 {
				t.Error("Evidence is empty")
			}
			if got.Kind.Noise() == (tt.kind == bounce.Normal) {
				t.Errorf("Noise: got %v for kind %s", got.Kind.Noise(), got.Kind)
			}
		})
	}
}

// TestClassifyRecipients checks a DSN with two recipients: each gets its own outcome.
func TestClassifyRecipients(t *testing.T) {
	got := MustClassify(t, MustReadFixture(t, "yandex-ru-bounce.eml"))
	want := []bounce.RecipientStatus{
		{Recipient: "petrov.a@example.ru", Action: "failed", Status: "5.1.1", ReplyCode: "550", Reason: "userunknown",
			Hard: true, Permanent: true, RemoteMTA: "mx.example.ru"},
		{Recipient: "sidorova@example.org", Action: "failed", Status: "4.2.2", ReplyCode: "452", Reason: "mailboxfull",
			RemoteMTA: "mx.example.org"},
	}
	if len(got.Recipients) != len(want) {
		t.Fatalf("got %d recipients, want %d: %+v", len(got.Recipients), len(want), got.Recipients)
	}
	for i, w := range want {
		g := got.Recipients[i]
		if g.Diagnostic == "" {
			t.Errorf("recipient %d: empty Diagnostic", i)
		}
		g.Diagnostic = ""
		if g != w {
			t.Errorf("recipient %d: got %+v, want %+v", i, g, w)
		}
	}
}

// TestClassifyHeaders covers the header rules on small synthetic messages.
func TestClassifyHeaders(t *testing.T) {
	const person = "From: Ivan <ivan@example.ru>\nTo: priemnaya@otklik.example\nMessage-ID: <m1@example.ru>\n"
	tests := []struct {
		name string
		msg  string
		want bounce.Kind
	}{
		{"plain letter", person + "Subject: Вопрос\n\nЗдравствуйте!\n", bounce.Normal},
		{"Auto-Submitted auto-generated", person + "Auto-Submitted: auto-generated\nSubject: Уведомление\n\nТекст\n", bounce.AutoReply},
		{"Auto-Submitted no", person + "Auto-Submitted: no\nSubject: Вопрос\n\nТекст\n", bounce.Normal},
		{"X-Autoreply", person + "X-Autoreply: yes\nSubject: Re: Вопрос\n\nТекст\n", bounce.AutoReply},
		{"X-Autorespond", person + "X-Autorespond: Re: Вопрос\nSubject: Re: Вопрос\n\nТекст\n", bounce.AutoReply},
		{"Precedence auto_reply", person + "Precedence: auto_reply\nSubject: Re: Вопрос\n\nТекст\n", bounce.AutoReply},
		{"Precedence bulk", person + "Precedence: bulk\nSubject: Акция\n\nТекст\n", bounce.Bulk},
		{"X-Precedence junk", person + "X-Precedence: junk\nSubject: Акция\n\nТекст\n", bounce.Bulk},
		{"Precedence list", person + "Precedence: list\nSubject: [list] тема\n\nТекст\n", bounce.Bulk},
		{"List-Unsubscribe", person + "List-Unsubscribe: <mailto:u@example.ru>\nSubject: Новости\n\nТекст\n", bounce.Bulk},
		{"subject Автоответ", person + "Subject: Автоответ: Re: Вопрос\n\nЯ в отпуске\n", bounce.AutoReply},
		{"subject Auto:", person + "Subject: Auto: Вопрос\n\nТекст\n", bounce.AutoReply},
		{"subject Out of Office", person + "Subject: Out of Office: Question\n\nText\n", bounce.AutoReply},
		{"subject Automatic reply", person + "Subject: Automatic reply: Question\n\nText\n", bounce.AutoReply},
		{"subject Нет на месте with suppress", person + "X-Auto-Response-Suppress: All\nSubject: Нет на месте\n\nТекст\n", bounce.AutoReply},
		{"subject Нет на месте alone", person + "Subject: Нет на месте остановки\n\nСняли остановку\n", bounce.Normal},
		{"X-Auto-Response-Suppress alone", person + "X-Auto-Response-Suppress: All\nSubject: Вопрос\n\nТекст\n", bounce.Normal},
		{"bounce subject from a person", person + "Subject: Undeliverable: ваше письмо\n\nПочему не доставлено?\n", bounce.Normal},
		{"person quoting an error", person + "Subject: Письмо не доставлено\n\nПишет: 550 5.1.1 user unknown, не удалось доставить\n", bounce.Normal},
		{"X-Failed-Recipients", "From: Mail Delivery System <Mailer-Daemon@mx.example.ru>\nX-Failed-Recipients: a@example.org\nSubject: Mail delivery failed\n\n  a@example.org\n    Unrouteable address\n", bounce.Bounce},
		{"MAILER-DAEMON German", "From: MAILER-DAEMON@mx.example.de\nSubject: Unzustellbar: Anfrage\n\nIhre Nachricht konnte nicht zugestellt werden.\n\nkunde@example.de: 550 5.1.1 unbekannt\n", bounce.Bounce},
		{"postmaster Japanese", "From: postmaster@example.jp\nSubject: =?UTF-8?B?44Ko44Op44O844Oh44O844Or?=\n\n送信できませんでした。\n<neko@example.jp>: 550 5.1.1 User unknown\n", bounce.Bounce},
		{"null Return-Path and Russian notice", "Return-Path: <>\nFrom: robot@example.ru\nSubject: Уведомление\n\nВаше письмо не может быть доставлено: 550 5.2.2 ящик переполнен\n", bounce.Bounce},
		{"delay by subject", "From: MAILER-DAEMON@mx.example.org\nSubject: Warning: could not send message for past 4 hours\n\n<a@example.org>... Deferred: Connection timed out\n", bounce.Delay},
		{"feedback report", "From: fbl@example.net\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\n\n--b\nContent-Type: text/plain\n\nabuse\n--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nOriginal-Rcpt-To: <c@example.net>\n--b--\n", bounce.Feedback},
		{"delivered DSN", "From: postmaster@example.org\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n\nDelivered.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; c@example.org\nAction: delivered\nStatus: 2.0.0\n--b--\n", bounce.Delivered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MustClassify(t, []byte(tt.msg))
			if got.Kind != tt.want {
				t.Errorf("got %s, want %s (evidence %q)", got.Kind, tt.want, got.Evidence)
			}
		})
	}
}

// TestClassifyMalformed feeds broken input: it must come back Normal (or whatever it is) without
// an error.
func TestClassifyMalformed(t *testing.T) {
	tests := []struct {
		name string
		msg  string
	}{
		{"empty", ""},
		{"no header", "just some text\nwithout any header\n"},
		{"binary", "\x00\x01\x02\xff\xfe\n\n\x00"},
		{"header only", "From: a@example.org\nSubject: x"},
		{"unterminated multipart", "Content-Type: multipart/report; report-type=delivery-status; boundary=zz\n\n--zz\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822;"},
		{"bad base64", "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!====****\n"},
		{"bad quoted-printable", "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=ZZ=\n=4"},
		{"unknown charset", "Content-Type: text/plain; charset=x-nonsense\nSubject: =?x-nonsense?B?AAAA?=\n\n\xc0\xc1\n"},
		{"deep nesting", strings.Repeat("Content-Type: message/rfc822\n\n", 200) + "Subject: deep\n\nbody\n"},
		{"mac line endings", "From: MAILER-DAEMON@example.org\rSubject: failure notice\r\r<a@example.org>:\r550 5.1.1 no such user\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bounce.Classify(strings.NewReader(tt.msg), 0)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got.Kind == "" || len(got.Evidence) == 0 {
				t.Errorf("got kind %q and evidence %q, want both set", got.Kind, got.Evidence)
			}
		})
	}
}

// TestClassifyReadError returns the reader's error.
func TestClassifyReadError(t *testing.T) {
	errBroken := errors.New("broken pipe")
	_, err := bounce.Classify(iotest.ErrReader(errBroken), 0)
	if !errors.Is(err, errBroken) {
		t.Errorf("got %v, want %v", err, errBroken)
	}
}

// TestClassifyLimit reads no more than maxBytes and says so.
func TestClassifyLimit(t *testing.T) {
	raw := MustReadFixture(t, "ours-postfix-dsn.eml")
	got, err := bounce.Classify(bytes.NewReader(raw), 600)
	if err != nil {
		t.Fatal(err)
	}
	last := got.Evidence[len(got.Evidence)-1]
	if want := "classified by the first 600 bytes"; last != want {
		t.Errorf("got last evidence %q, want %q", last, want)
	}
	if got.Kind != bounce.Bounce {
		t.Errorf("got %s, want %s: the first 600 bytes hold the header", got.Kind, bounce.Bounce)
	}
}

// TestFromSelf checks addresses and domains of ours, with names, tags and encoded words.
func TestFromSelf(t *testing.T) {
	ours := []string{"Priemnaya@Otklik.example", "@notify.otklik.example"}
	tests := []struct {
		from string
		want bool
	}{
		{"priemnaya@otklik.example", true},
		{`"Отклик" <PRIEMNAYA@otklik.example>`, true},
		{"=?utf-8?B?0J7RgtC60LvQuNC6?= <priemnaya@otklik.example>", true},
		{"<priemnaya+26-100001@otklik.example>", true},
		{"robot@notify.otklik.example", true},
		{"robot@sub.notify.otklik.example", false},
		{"priemnaya@otklik.example.evil.example", false},
		{"ivan@example.ru", false},
		{"<>", false},
		{"", false},
		{"not an address", false},
		{"ivan@example.ru, priemnaya@otklik.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			if got := bounce.FromSelf(tt.from, ours); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
