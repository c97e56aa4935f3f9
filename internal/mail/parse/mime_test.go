package parse

import (
	"reflect"
	"strings"
	"testing"
)

// lf turns a readable message literal into one with CRLF line endings when
// crlf is set.
func lf(s string, crlf bool) string {
	if crlf {
		return strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

func TestMIMEStructures(t *testing.T) {
	const head = "From: a@example.com\nSubject: s\n"
	tests := []struct {
		name         string
		msg          string
		text         string
		textFromHTML bool
		html         string
		attachments  []string // "filename|content type|inline"
		problems     []string
	}{
		{
			name: "alternative prefers plain, keeps HTML",
			msg: head + "Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/plain\n\nplain\n" +
				"--x\nContent-Type: text/html\n\n<b>html</b>\n--x--\n",
			text: "plain",
			html: "<b>html</b>",
		},
		{
			name: "empty plain alternative falls back to HTML",
			msg: head + "Content-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/plain\n\n \n" +
				"--x\nContent-Type: text/html\n\n<p>real</p>\n--x--\n",
			text: "real", textFromHTML: true, html: "<p>real</p>",
		},
		{
			name: "mixed with alternative, related image and a file",
			msg: head + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/alternative; boundary=a\n\n" +
				"--a\nContent-Type: text/plain; charset=utf-8\n\nтекст\n--a\nContent-Type: multipart/related; boundary=r\n\n" +
				"--r\nContent-Type: text/html; charset=utf-8\n\n<p>текст</p><img src=\"cid:i1\">\n" +
				"--r\nContent-Type: image/gif\nContent-ID: <i1>\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n--r--\n" +
				"--a--\n--m\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Disposition: attachment\n" +
				"Content-Transfer-Encoding: base64\n\nJVBERg==\n--m--\n",
			text:        "текст",
			html:        "<p>текст</p><img src=\"cid:i1\">",
			attachments: []string{"|image/gif|true", "a.pdf|application/pdf|false"},
		},
		{
			name: "Apple Mail body split around an inline image",
			msg: head + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nbefore\n" +
				"--m\nContent-Type: image/png; name=p.png\nContent-Disposition: inline; filename=p.png\n\nPNG\n" +
				"--m\nContent-Type: text/plain\n\nafter\n--m--\n",
			text:        "before\nafter",
			attachments: []string{"p.png|image/png|true"},
		},
		{
			name: "attached message is not the body",
			msg: head + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nsee attached\n" +
				"--m\nContent-Type: message/rfc822\n\nFrom: b@example.com\nSubject: inner\n\ninner body\n--m--\n",
			text:        "see attached",
			attachments: []string{"inner.eml|message/rfc822|false"},
		},
		{
			name: "signed message",
			msg: head + "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=s\n\n" +
				"--s\nContent-Type: text/plain\n\nsigned text\n--s\nContent-Type: application/pgp-signature; name=signature.asc\n\n" +
				"-----BEGIN PGP SIGNATURE-----\n--s--\n",
			text:        "signed text",
			attachments: []string{"signature.asc|application/pgp-signature|false"},
		},
		{
			name: "delivery report",
			msg: head + "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n" +
				"--r\nContent-Type: text/plain\n\nDelivery failed.\n--r\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n" +
				"--r\nContent-Type: text/rfc822-headers\n\nSubject: original\n--r--\n",
			text:        "Delivery failed.",
			attachments: []string{"|message/delivery-status|false", "|text/rfc822-headers|false"},
		},
		{
			name:     "missing boundary parameter",
			msg:      head + "Content-Type: multipart/mixed\n\n--zzz123\nContent-Type: text/plain\n\nfound\n--zzz123--\n",
			text:     "found",
			problems: []string{"boundary missing or wrong"},
		},
		{
			name:     "wrong boundary parameter",
			msg:      head + "Content-Type: multipart/mixed; boundary=\"nope\"\n\n--real_b\nContent-Type: text/plain\n\nfound\n--real_b--\n",
			text:     "found",
			problems: []string{"boundary missing or wrong"},
		},
		{
			name:     "no parts at all",
			msg:      head + "Content-Type: multipart/mixed; boundary=b\n\njust text\n",
			text:     "just text\n",
			problems: []string{"without parts treated as text"},
		},
		{
			name:     "truncated multipart",
			msg:      head + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\ncut off here",
			text:     "cut off here",
			problems: []string{"truncated multipart"},
		},
		{
			name: "boundary prefix of a nested boundary",
			msg: head + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=b_1\n\n" +
				"--b_1\nContent-Type: text/plain\n\ninner\n--b_1--\n--b\nContent-Type: text/csv; name=x.csv\n\na,b\n--b--\n",
			text:        "inner",
			attachments: []string{"x.csv|text/csv|false"},
		},
		{
			name: "quoted-printable soft breaks and lower-case hex",
			msg: head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"=D0=9F=d1=80=D0=B8=\n=D0=B2=D0=B5=D1=82 wor=  \nld=3D \n",
			text: "Привет world=\n",
		},
		{
			name: "base64 with junk and missing padding",
			msg: head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" +
				"0J/RgNC4\n0LLQtdGC!\n IQ\n",
			text: "Привет!",
		},
		{
			name:     "declared base64 but plain text",
			msg:      head + "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nThis is, in fact, plain text.\n",
			text:     "This is, in fact, plain text.\n",
			problems: []string{"declared base64 is not"},
		},
		{
			name:     "unknown transfer encoding",
			msg:      head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: utf-8\n\nтекст\n",
			text:     "текст\n",
			problems: []string{"unknown Content-Transfer-Encoding"},
		},
		{
			name: "uuencoded attachment",
			msg: head + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n" +
				"--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\n" +
				"begin 644 hello.txt\n,2&5L;&\\@6F%M;6%D\n`\nend\n--b--\n",
			text:        "hi",
			attachments: []string{"hello.txt|application/octet-stream|false"},
		},
		{
			name: "format=flowed",
			msg: head + "Content-Type: text/plain; charset=utf-8; format=flowed\n\n" +
				"This is a long \nline.\n> quoted \n> on.\n-- \nsig\n",
			text: "This is a long line.\n> quoted on.\n-- \nsig\n",
		},
		{
			name:     "unknown charset",
			msg:      head + "Content-Type: text/plain; charset=x-klingon\n\nhello\n",
			text:     "hello\n",
			problems: nil,
		},
		{
			name:     "unknown charset with 8-bit Cyrillic",
			msg:      head + "Content-Type: text/plain; charset=x-klingon\n\n" + toCP1251("Привет, мир") + "\n",
			text:     "Привет, мир\n",
			problems: []string{"unknown charset x-klingon treated as windows-1251"},
		},
		{
			name:     "utf-8 label on windows-1251 text",
			msg:      head + "Content-Type: text/plain; charset=utf-8\n\n" + toCP1251("Здравствуйте") + "\n",
			text:     "Здравствуйте\n",
			problems: []string{"declared utf-8 but is not, treated as windows-1251"},
		},
		{
			name:     "windows-1251 label on UTF-8 text",
			msg:      head + "Content-Type: text/plain; charset=windows-1251\n\nЗдравствуйте\n",
			text:     "Здравствуйте\n",
			problems: []string{"declared windows-1251 but is UTF-8"},
		},
		{
			name:     "gb2312 label on UTF-8 and Latin-1 text pasted together",
			msg:      head + "Content-Type: text/plain; charset=gb2312\n\nПривет, 你好 - \xe4\xf6\xfc\n",
			text:     "Привет, 你好 - äöü\n",
			problems: []string{"declared gbk but is mixed UTF-8 and 8-bit text"},
		},
		{
			name: "cp866, koi8-u and gb2312",
			msg: head + "Content-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: text/plain; charset=cp866\nContent-Transfer-Encoding: base64\n\nj+Cu4eKuqQ==\n" +
				"--b\nContent-Type: text/plain; charset=koi8-u\nContent-Transfer-Encoding: base64\n\nt7e3\n" +
				"--b\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: base64\n\nxOO6ww==\n--b--\n",
			text: "Простой\nЇЇЇ\n你好",
		},
		{
			name:     "CR-only line endings",
			msg:      "From: a@example.com\rSubject: s\r\rbody line\r",
			text:     "body line\n",
			problems: nil,
		},
		{
			name: "control characters removed",
			msg:  head + "\nA\x00B\x01C\x7F\tD\x1b[31m\n",
			text: "ABC\tD[31m\n",
		},
		{
			name: "only an attachment",
			msg:  head + "Content-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\nJVBERg==\n",
			text: "", attachments: []string{"x.pdf|application/pdf|false"},
		},
		{
			name: "text part with a file name is an attachment",
			msg: head + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nbody\n" +
				"--b\nContent-Type: text/plain; name=\"log.txt\"\n\nlog line\n--b--\n",
			text:        "body",
			attachments: []string{"log.txt|text/plain|false"},
		},
	}
	for _, tt := range tests {
		for _, crlf := range []bool{false, true} {
			name := tt.name
			if crlf {
				name += " (CRLF)"
			}
			t.Run(name, func(t *testing.T) {
				m := MustParseString(t, lf(tt.msg, crlf && !strings.Contains(tt.msg, "\r")))
				if got, want := m.Text, tt.text; got != want {
					t.Errorf("Text: got %q, want %q", got, want)
				}
				if got, want := m.TextFromHTML, tt.textFromHTML; got != want {
					t.Errorf("TextFromHTML: got %v, want %v", got, want)
				}
				if got, want := strings.TrimRight(m.HTML, "\n"), tt.html; got != want {
					t.Errorf("HTML: got %q, want %q", got, want)
				}
				var atts []string
				for _, a := range m.Attachments {
					atts = append(atts, a.Filename+"|"+a.ContentType+"|"+map[bool]string{true: "true", false: "false"}[a.Inline])
				}
				if !reflect.DeepEqual(atts, tt.attachments) {
					t.Errorf("Attachments: got %q, want %q", atts, tt.attachments)
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
			})
		}
	}
}

// toCP1251 encodes s in windows-1251.
func toCP1251(s string) string {
	var b []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r >= 'А' && r <= 'я':
			b = append(b, byte(r-'А'+0xC0))
		case r == 'ё':
			b = append(b, 0xB8)
		case r == 'Ё':
			b = append(b, 0xA8)
		default:
			b = append(b, '?')
		}
	}
	return string(b)
}
