package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// MustParseFile parses a fixture from testdata.
func MustParseFile(tb testing.TB, name string) *Message {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	m, err := Parse(f, Options{})
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	return m
}

// MustParseString parses a message given as a string.
func MustParseString(tb testing.TB, s string) *Message {
	tb.Helper()
	m, err := Parse(strings.NewReader(s), Options{})
	if err != nil {
		tb.Fatalf("parse: %v", err)
	}
	return m
}

type wantAttachment struct {
	Filename    string
	ContentType string
	ContentID   string
	Inline      bool
	Size        int64
}

func attachmentsOf(m *Message) []wantAttachment {
	var out []wantAttachment
	for _, a := range m.Attachments {
		out = append(out, wantAttachment{a.Filename, a.ContentType, a.ContentID, a.Inline, a.Size})
	}
	return out
}

func msk(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.FixedZone("", 3*3600))
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file         string
		from         Address
		to           []Address
		subject      string
		date         time.Time
		messageID    string
		inReplyTo    []string
		references   []string
		text         string
		textFromHTML bool
		htmlHas      string // substring of HTML; "" means HTML must be empty
		visible      string
		quoted       string
		attachments  []wantAttachment
		problems     []string // substrings each found in some problem
	}{
		{
			file:      "koi8r_plain.eml",
			from:      Address{Name: "Иван Петров", Email: "Ivan.Petrov@example.ru"},
			to:        []Address{{Email: "support@otklik.example"}},
			subject:   "Не могу войти",
			date:      msk(2024, 1, 15, 10, 30),
			messageID: "koi8r-1@example.ru",
			text: "Здравствуйте!\n\nНе могу войти в личный кабинет на портале госуслуг:\n" +
				"после ввода СНИЛС появляется ошибка \"Сервис временно недоступен\".\n\nС уважением,\nИван Петров\n",
			visible: "Здравствуйте!\n\nНе могу войти в личный кабинет на портале госуслуг:\n" +
				"после ввода СНИЛС появляется ошибка \"Сервис временно недоступен\".\n\nС уважением,\nИван Петров\n",
		},
		{
			file:      "cp1251_html_only.eml",
			from:      Address{Name: "Anna Sidorova", Email: "anna@mail.example"},
			to:        []Address{{Email: "support@otklik.example"}},
			subject:   "Ошибка в заявлении",
			date:      msk(2024, 1, 16, 9, 0),
			messageID: "cp1251-html@mail.example",
			text: "Добрый день!\n\nПрошу исправить ошибку в заявлении № 12345:\n\n- неверная дата рождения;\n" +
				"- опечатка в фамилии.\n\nПодробнее на странице помощи (https://gosuslugi.example/faq).",
			textFromHTML: true,
			htmlHas:      "<script>alert(1)</script>",
			visible: "Добрый день!\n\nПрошу исправить ошибку в заявлении № 12345:\n\n- неверная дата рождения;\n" +
				"- опечатка в фамилии.\n\nПодробнее на странице помощи (https://gosuslugi.example/faq).",
			attachments: []wantAttachment{{Filename: "Заявление.pdf", ContentType: "application/pdf", Size: 93}},
		},
		{
			file:    "iso8859_5.eml",
			from:    Address{Name: "Петр", Email: "petr@example.org"},
			to:      []Address{{Email: "support@otklik.example"}},
			subject: "Статус обращения",
			date:    time.Date(2024, 1, 17, 20, 15, 0, 0, time.FixedZone("", 5*3600)),
			text:    "Добрый вечер.\nСтатус обращения № 2024-000123 не меняется уже неделю.\n",
			visible: "Добрый вечер.\nСтатус обращения № 2024-000123 не меняется уже неделю.\n",
		},
		{
			file:        "forwarded.eml",
			from:        Address{Name: "Olga", Email: "olga@example.net"},
			to:          []Address{{Email: "support@otklik.example"}},
			subject:     "Fwd: Отказ в услуге",
			date:        msk(2024, 1, 18, 12, 0),
			text:        "Пересылаю письмо с портала, почему отказ?",
			visible:     "Пересылаю письмо с портала, почему отказ?",
			attachments: []wantAttachment{{Filename: "Отказ в услуге.eml", ContentType: "message/rfc822", Size: 275}},
		},
		{
			file:       "outlook_reply_ru.eml",
			from:       Address{Name: "Мария Кузнецова", Email: "maria@example.ru"},
			to:         []Address{{Name: "Служба поддержки", Email: "support@otklik.example"}},
			subject:    "RE: [№ 2024-000777] Не приходит СМС",
			date:       msk(2024, 1, 19, 12, 30),
			inReplyTo:  []string{"t-777-2@otklik.example"},
			references: []string{"t-777-1@otklik.example", "t-777-2@otklik.example"},
			text: "Спасибо, теперь всё работает.\n\nМария\n\n________________________________\n" +
				"От: Служба поддержки <support@otklik.example>\nОтправлено: 19 января 2024 г. 11:02\n" +
				"Кому: Мария Кузнецова <maria@example.ru>\nТема: RE: [№ 2024-000777] Не приходит СМС\n\n" +
				"Здравствуйте! Попробуйте ещё раз.\n",
			visible: "Спасибо, теперь всё работает.\n\nМария",
			quoted: "________________________________\nОт: Служба поддержки <support@otklik.example>\n" +
				"Отправлено: 19 января 2024 г. 11:02\nКому: Мария Кузнецова <maria@example.ru>\n" +
				"Тема: RE: [№ 2024-000777] Не приходит СМС\n\nЗдравствуйте! Попробуйте ещё раз.\n",
		},
		{
			file:    "inline_cid.eml",
			from:    Address{Name: "Sergey", Email: "sergey@example.com"},
			to:      []Address{{Email: "support@otklik.example"}},
			subject: "Screenshot",
			date:    time.Date(2024, 1, 20, 14, 0, 0, 0, time.UTC),
			text:    "See the error below.\n[image: screenshot]",
			htmlHas: `<img src="cid:shot1@example.com"`,
			visible: "See the error below.\n[image: screenshot]",
			attachments: []wantAttachment{{
				Filename: "shot.png", ContentType: "image/png", ContentID: "shot1@example.com", Inline: true, Size: 70,
			}},
		},
		{
			file:      "broken_headers.eml",
			from:      Address{Name: "Citizen", Email: "citizen@example.net"},
			to:        []Address{{Email: "support@otklik.example"}},
			subject:   "Проблема с входом",
			messageID: "broken-1@example.net",
			text:      "Не могу войти.\n",
			visible:   "Не могу войти.\n",
			problems: []string{
				"broken header: no From", "sender taken from Reply-To", "unclosed encoded word in Subject",
				"unparseable Date", "unindented continuation line",
			},
		},
		{
			file:    "raw8bit_cyrillic.eml",
			from:    Address{Name: "Пётр", Email: "petr@example.ru"},
			to:      []Address{{Email: "support@otklik.example"}},
			subject: "Вопрос по оплате госпошлины",
			date:    msk(2024, 1, 21, 18, 45),
			text:    "Добрый день. Оплатил госпошлину, а статус не изменился.\n\n-- \nПётр\n",
			visible: "Добрый день. Оплатил госпошлину, а статус не изменился.",
			quoted:  "-- \nПётр\n",
			problems: []string{
				"raw 8-bit text in Subject treated as windows-1251",
				"no charset declared for text/plain part, treated as windows-1251",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := MustParseFile(t, tt.file)
			if got, want := m.From, tt.from; got != want {
				t.Errorf("From: got %+v, want %+v", got, want)
			}
			if got, want := m.To, tt.to; !reflect.DeepEqual(got, want) {
				t.Errorf("To: got %+v, want %+v", got, want)
			}
			if got, want := m.Subject, tt.subject; got != want {
				t.Errorf("Subject: got %q, want %q", got, want)
			}
			if got, want := m.Date, tt.date; !got.Equal(want) {
				t.Errorf("Date: got %v, want %v", got, want)
			}
			if got, want := m.MessageID, tt.messageID; got != want {
				t.Errorf("MessageID: got %q, want %q", got, want)
			}
			if got, want := m.InReplyTo, tt.inReplyTo; !reflect.DeepEqual(got, want) {
				t.Errorf("InReplyTo: got %q, want %q", got, want)
			}
			if got, want := m.References, tt.references; !reflect.DeepEqual(got, want) {
				t.Errorf("References: got %q, want %q", got, want)
			}
			if got, want := m.Text, tt.text; got != want {
				t.Errorf("Text: got %q, want %q", got, want)
			}
			if got, want := m.TextFromHTML, tt.textFromHTML; got != want {
				t.Errorf("TextFromHTML: got %v, want %v", got, want)
			}
			if tt.htmlHas == "" && m.HTML != "" {
				t.Errorf("HTML: got %q, want none", m.HTML)
			}
			if !strings.Contains(m.HTML, tt.htmlHas) {
				t.Errorf("HTML: got %q, want it to contain %q", m.HTML, tt.htmlHas)
			}
			if got, want := m.Visible, tt.visible; got != want {
				t.Errorf("Visible: got %q, want %q", got, want)
			}
			if got, want := m.Quoted, tt.quoted; got != want {
				t.Errorf("Quoted: got %q, want %q", got, want)
			}
			if got, want := attachmentsOf(m), tt.attachments; !reflect.DeepEqual(got, want) {
				t.Errorf("Attachments: got %+v, want %+v", got, want)
			}
			for _, want := range tt.problems {
				found := false
				for _, p := range m.Problems {
					found = found || strings.Contains(p, want)
				}
				if !found {
					t.Errorf("Problems: got %q, want one containing %q", m.Problems, want)
				}
			}
			if len(tt.problems) == 0 && len(m.Problems) > 0 {
				t.Errorf("Problems: got %q, want none", m.Problems)
			}
		})
	}
}

func TestAttachmentData(t *testing.T) {
	m := MustParseFile(t, "cp1251_html_only.eml")
	if len(m.Attachments) != 1 {
		t.Fatalf("got %d attachments, want 1", len(m.Attachments))
	}
	a := m.Attachments[0]
	want := "%PDF-1.4\n% test document\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	if got := string(a.Data); got != want {
		t.Errorf("Data: got %q, want %q", got, want)
	}
	if got, want := a.SHA256, sha256.Sum256([]byte(want)); got != want {
		t.Errorf("SHA256: got %x, want %x", got, want)
	}
	fwd := MustParseFile(t, "forwarded.eml")
	if got := string(fwd.Attachments[0].Data); !strings.HasPrefix(got, "From: Portal <noreply@portal.example>\n") ||
		!strings.HasSuffix(got, "Ваше заявление отклонено.") {
		t.Errorf("attached message: got %q", got)
	}
	if strings.Contains(fwd.Text, "отклонено") {
		t.Errorf("the attached message's text leaked into Text: %q", fwd.Text)
	}
}

func TestHeaderAccess(t *testing.T) {
	m := MustParseFile(t, "outlook_reply_ru.eml")
	tests := []struct{ name, want string }{
		{"subject", "RE: [№ 2024-000777] Не приходит СМС"},
		{"FROM", "Мария Кузнецова <maria@example.ru>"},
		{"References", "<t-777-1@otklik.example> <t-777-2@otklik.example>"},
		{"X-Missing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Get(tt.name); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got, want := len(m.GetAll("content-type")), 1; got != want {
		t.Errorf("GetAll: got %d values, want %d", got, want)
	}
	if got, want := m.Header[0].Name, "From"; got != want {
		t.Errorf("Header[0].Name: got %q, want %q", got, want)
	}
	if got := m.Header[0].Value; !strings.HasPrefix(got, "=?utf-8?Q?") {
		t.Errorf("Header[0].Value: got %q, want it raw", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		opts  Options
		code  string
	}{
		{"empty", "", Options{}, CodeEmpty},
		{"blank", " \r\n\r\n\t", Options{}, CodeEmpty},
		{"no header", "just some text\nwithout any header\n", Options{}, CodeUnreadable},
		{"binary", "\x00\x01\x02\xff\xfe", Options{}, CodeUnreadable},
		{"too large", "Subject: x\n\n" + strings.Repeat("a", 100), Options{MaxMessageBytes: 50}, CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.input), tt.opts)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if got, want := pe.Code, tt.code; got != want {
				t.Errorf("Code: got %q, want %q", got, want)
			}
		})
	}
}

// limitedReader hides the length of its source, forcing the chunked read.
type limitedReader struct{ r *bytes.Reader }

func (l limitedReader) Read(p []byte) (int, error) { return l.r.Read(p) }

func TestReadLimit(t *testing.T) {
	msg := "Subject: x\n\n" + strings.Repeat("a", 200_000)
	tests := []struct {
		name  string
		limit int64
		code  string
	}{
		{"exactly at the limit", int64(len(msg)), ""},
		{"one byte over", int64(len(msg)) - 1, CodeTooLarge},
	}
	for _, tt := range tests {
		for _, unknown := range []bool{false, true} {
			var r interface{ Read([]byte) (int, error) } = bytes.NewReader([]byte(msg))
			if unknown {
				r = limitedReader{bytes.NewReader([]byte(msg))}
			}
			m, err := Parse(r, Options{MaxMessageBytes: tt.limit})
			var pe *Error
			switch {
			case tt.code == "" && err != nil:
				t.Errorf("%s (unknown length %v): got %v, want success", tt.name, unknown, err)
			case tt.code == "" && len(m.Text) != 200_000:
				t.Errorf("%s: got %d bytes of text, want 200000", tt.name, len(m.Text))
			case tt.code != "" && (!errors.As(err, &pe) || pe.Code != tt.code):
				t.Errorf("%s (unknown length %v): got %v, want code %s", tt.name, unknown, err, tt.code)
			}
		}
	}
}

func TestAttachmentLimits(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 2000) // 20 000 bytes
	var sb strings.Builder
	sb.WriteString("From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n")
	for i := 0; i < 3; i++ {
		sb.WriteString("--B\nContent-Type: application/octet-stream; name=f.bin\nContent-Transfer-Encoding: base64\n\n")
		sb.WriteString(encodeBase64Lines(big))
	}
	sb.WriteString("--B--\n")
	m, err := Parse(strings.NewReader(sb.String()), Options{MaxAttachmentBytes: 10_000, MaxAttachments: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.Attachments), 2; got != want {
		t.Fatalf("got %d attachments, want %d", got, want)
	}
	a := m.Attachments[0]
	if !a.TooLarge || a.Data != nil || a.Size != int64(len(big)) || a.SHA256 != sha256.Sum256(big) {
		t.Errorf("got TooLarge=%v Data=%d bytes Size=%d, want TooLarge, no data, size %d and the digest",
			a.TooLarge, len(a.Data), a.Size, len(big))
	}
	found := false
	for _, p := range m.Problems {
		found = found || strings.Contains(p, "too many attachments: 1 dropped")
	}
	if !found {
		t.Errorf("Problems: got %q, want the dropped attachment noted", m.Problems)
	}
}

// encodeBase64Lines encodes b as base64 in 76-character lines.
func encodeBase64Lines(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76])
		sb.WriteByte('\n')
		enc = enc[76:]
	}
	sb.WriteString(enc)
	sb.WriteByte('\n')
	return sb.String()
}
