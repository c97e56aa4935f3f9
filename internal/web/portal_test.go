package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/bits"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// portalForm is the feedback form as a page served it: its hidden fields.
type portalForm struct {
	csrf, token, challenge string
	bits, a, b             int
}

var (
	formTokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)
	challengeRe = regexp.MustCompile(`name="challenge" id="challenge" value="([^"]+)" data-bits="(\d+)"`)
	qaRe        = regexp.MustCompile(`name="qa" value="(\d+)"`)
	qbRe        = regexp.MustCompile(`name="qb" value="(\d+)"`)
	numberRe    = regexp.MustCompile(`id="ticket-number">([0-9-]+)<`)
)

// portal opens the feedback form.
func (b *browser) portal() portalForm {
	t := b.d.t
	t.Helper()
	r := b.do("GET", "/", nil)
	if r.code != http.StatusOK {
		t.Fatalf("GET /: %d\n%s", r.code, r.body)
	}
	ch := challengeRe.FindStringSubmatch(r.body)
	if ch == nil {
		t.Fatalf("no challenge in the form:\n%s", r.body)
	}
	f := portalForm{csrf: field(t, csrfRe, r.body), token: field(t, formTokenRe, r.body), challenge: html.UnescapeString(ch[1])}
	f.bits, _ = strconv.Atoi(ch[2])
	f.a, _ = strconv.Atoi(field(t, qaRe, r.body))
	f.b, _ = strconv.Atoi(field(t, qbRe, r.body))
	return f
}

// solve finds the proof of work for the form's challenge, as portal.js does.
func (f portalForm) solve() string {
	for n := 0; ; n++ {
		s := strconv.Itoa(n)
		h := sha256.Sum256([]byte(f.challenge + ":" + s))
		z := 0
		for _, c := range h {
			if c != 0 {
				z += bits.LeadingZeros8(c)
				break
			}
			z += 8
		}
		if z >= f.bits {
			return s
		}
	}
}

// fields are a valid submission of the form, with its proof of work.
func (f portalForm) fields() map[string]string {
	return map[string]string{"csrf": f.csrf, "token": f.token, "challenge": f.challenge, "pow": f.solve(),
		"qa": strconv.Itoa(f.a), "qb": strconv.Itoa(f.b),
		"category": "access", "service": "Замена паспорта", "subject": "Не приходит код подтверждения",
		"body": "Жду СМС с кодом уже час, код не приходит.", "email": "maria.smirnova@example.ru", "phone": "8 (916) 123-45-67",
		"name": "Мария Смирнова", "snils": "112-233-445 95", "inn": "500100732259", "consent": "yes"}
}

type upload struct {
	name    string
	content []byte
}

// submit posts the form as a browser does: multipart, the files last.
func (b *browser) submit(fields map[string]string, files ...upload) reply {
	t := b.d.t
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range []string{"csrf", "token", "challenge", "pow", "qa", "qb", "category", "service", "subject", "body",
		"email", "phone", "name", "snils", "inn", "consent", "answer"} {
		if v, ok := fields[k]; ok {
			_ = mw.WriteField(k, v)
		}
	}
	if len(files) == 0 {
		w, _ := mw.CreateFormFile("files", "")
		_, _ = w.Write(nil)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.name)
		_, _ = w.Write(f.content)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.d.srv.URL+"/", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return reply{code: res.StatusCode, body: string(raw), location: res.Header.Get("Location")}
}

// screenshot is a small real PNG.
func screenshot(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stored counts what the registry and the vault hold: tickets and file objects.
func (d *desk) stored() (tickets int64, objects int) {
	d.t.Helper()
	n, err := d.st.CountTickets(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return n, testkit.CountObjects(d.t, d.blobs)
}

func TestPortalForm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		b := d.browser()
		ctx := context.Background()

		page := b.do("GET", "/", nil)
		if page.code != http.StatusOK {
			t.Fatalf("GET /: %d", page.code)
		}
		testkit.CheckHTML(t, "portal form", []byte(page.body))
		for _, want := range []string{`<h1>Обращение в поддержку портала госуслуг</h1>`, `<option value="access">`, `name="consent"`,
			`type="file" multiple`, `src="/static/portal.js"`, `class="portal-top"`, "<legend>Как с вами связаться</legend>"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the form lacks %q", want)
			}
		}

		// A valid submission with a screenshot: one web ticket with the file, the number on the page,
		// the acknowledgement with the number in the outbox.
		tickets0, objects0 := d.stored()
		f := b.portal()
		fields := f.fields()
		png := screenshot(t)
		r := b.submit(fields, upload{"ошибка.png", png})
		if r.code != http.StatusOK {
			t.Fatalf("submission: %d\n%s", r.code, r.body)
		}
		testkit.CheckHTML(t, "portal success", []byte(r.body))
		number := field(t, numberRe, r.body)
		for _, want := range []string{"Обращение зарегистрировано", "(МСК)", "ошибка.png", "maria.smirnova@example.ru"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the success page lacks %q", want)
			}
		}
		v, err := d.svc.Ticket(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		if v.Ticket.Channel != otklik.ChannelWeb || v.Ticket.Category.Code != "access" || v.Ticket.Requester.Phone != "+79161234567" ||
			v.Ticket.Requester.SNILS != "11223344595" {
			t.Errorf("the ticket: channel %s, category %s, requester %+v", v.Ticket.Channel, v.Ticket.Category.Code, v.Ticket.Requester)
		}
		if v.Ticket.DueAt == nil || !strings.Contains(r.body, v.Ticket.DueAt.In(service.Moscow).Format("02.01.2006 15:04")) {
			t.Errorf("the success page does not show the deadline %v", v.Ticket.DueAt)
		}
		if !strings.HasPrefix(v.Messages[0].Body, "Услуга: Замена паспорта\n\n") {
			t.Errorf("the first message: %q", v.Messages[0].Body)
		}
		atts, err := d.svc.Attachments(ctx, number)
		if err != nil || len(atts) != 1 || atts[0].Name != "ошибка.png" || atts[0].Blob.ContentType != "image/png" || atts[0].Channel != otklik.ChannelWeb {
			t.Fatalf("attachments: %+v, %v", atts, err)
		}
		tickets1, objects1 := d.stored()
		if tickets1 != tickets0+1 || objects1 != objects0+1 {
			t.Errorf("after one submission: %d tickets, %d objects; want %d and %d", tickets1, objects1, tickets0+1, objects0+1)
		}
		mails, err := d.svc.Mails(ctx, otklik.MailFilter{Direction: otklik.MailOut})
		if err != nil {
			t.Fatal(err)
		}
		acks := 0
		for _, m := range mails {
			if m.Kind == otklik.MailAck && m.To == "maria.smirnova@example.ru" && strings.Contains(m.Subject, "[№ "+number+"]") {
				acks++
			}
		}
		if acks != 1 {
			t.Errorf("acknowledgements with the number: %d, want 1", acks)
		}

		// The same form again (a double click, back and resubmit — even edited): the same ticket.
		again := b.submit(fields, upload{"ошибка.png", png})
		if again.code != http.StatusOK || field(t, numberRe, again.body) != number {
			t.Errorf("resubmission: %d, want the same number %s\n%s", again.code, number, again.body)
		}
		fields2 := f.fields()
		fields2["subject"] = "Исправленная тема"
		if again := b.submit(fields2); again.code != http.StatusOK || field(t, numberRe, again.body) != number {
			t.Errorf("edited resubmission: %d, want the same number %s", again.code, number)
		} else if !strings.Contains(again.body, "ошибка.png") {
			t.Error("the resubmission's page does not list the file the ticket has (sent the first time)")
		}
		if tk, obj := d.stored(); tk != tickets1 || obj != objects1 {
			t.Errorf("after resubmissions: %d tickets, %d objects; want %d and %d", tk, obj, tickets1, objects1)
		}

		// Mistakes: each refused with its message next to the field, everything typed kept, nothing
		// stored.
		tests := []struct {
			name   string
			change map[string]string
			field  string
			want   string
		}{
			{"snils checksum", map[string]string{"snils": "112-233-445 96"}, "snils", "Контрольное число СНИЛС не сходится"},
			{"snils format", map[string]string{"snils": "11223344595"}, "snils", "СНИЛС нужно указать в формате XXX-XXX-XXX YY"},
			{"phone", map[string]string{"phone": "позвоните мне"}, "phone", "Не удалось распознать номер телефона"},
			{"e-mail", map[string]string{"email": "maria@"}, "email", "Адрес электронной почты указан неверно"},
			{"no e-mail", map[string]string{"email": ""}, "email", "Укажите адрес электронной почты"},
			{"inn", map[string]string{"inn": "500100732258"}, "inn", "Контрольные цифры ИНН не сходятся"},
			{"no consent", map[string]string{"consent": ""}, "consent", "Без согласия на обработку персональных данных"},
			{"no category", map[string]string{"category": ""}, "category", "Выберите тему обращения"},
			{"bad captcha", map[string]string{"pow": "1", "answer": "1000"}, "captcha", "Проверка не пройдена"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := b.portal()
				fs := f.fields()
				for k, v := range tt.change {
					fs[k] = v
				}
				r := b.submit(fs, upload{"скан.png", png})
				if r.code != http.StatusUnprocessableEntity {
					t.Fatalf("got %d, want 422\n%s", r.code, r.body)
				}
				body := html.UnescapeString(r.body)
				if !strings.Contains(body, `id="`+tt.field+`-error">`+tt.want) {
					t.Errorf("no message %q at %s:\n%s", tt.want, tt.field, r.body)
				}
				if !strings.Contains(r.body, `role="alert"`) || !strings.Contains(r.body, `href="#`+tt.field+`"`) {
					t.Errorf("no error summary linking to #%s", tt.field)
				}
				if tt.field != "captcha" && !regexp.MustCompile(`id="`+tt.field+`"[^>]*aria-invalid="true"`).MatchString(r.body) {
					t.Errorf("#%s is not marked aria-invalid", tt.field)
				}
				if !strings.Contains(body, `value="Не приходит код подтверждения"`) || !strings.Contains(body, "Жду СМС с кодом уже час") {
					t.Error("what was typed is not kept")
				}
				if !strings.Contains(body, "Выберите их снова: «скан.png»") {
					t.Error("the page does not say which files to choose again")
				}
				testkit.CheckHTML(t, "portal errors", []byte(r.body))
				if tk, obj := d.stored(); tk != tickets1 || obj != objects1 {
					t.Errorf("a refused form stored something: %d tickets, %d objects", tk, obj)
				}
			})
		}

		// A file that is not what its name says, by content.
		f = b.portal()
		r = b.submit(f.fields(), upload{"заявление.pdf", []byte("MZ\x90\x00 this is not a PDF at all")})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(r.body), "Файл «заявление.pdf» не принят") {
			t.Errorf("a disguised file: %d\n%s", r.code, r.body)
		}
		if tk, obj := d.stored(); tk != tickets1 || obj != objects1 {
			t.Errorf("a refused file stored something: %d tickets, %d objects", tk, obj)
		}

		// A wrong CSRF token: refused, nothing stored.
		f = b.portal()
		fs := f.fields()
		fs["csrf"] = "forged-token-forged-token-forged"
		if r := b.submit(fs, upload{"ошибка.png", png}); r.code != http.StatusForbidden {
			t.Errorf("wrong CSRF: %d, want 403", r.code)
		}
		if r := d.browser().submit(fs); r.code != http.StatusForbidden {
			t.Errorf("no CSRF cookie: %d, want 403", r.code)
		}
		if tk, obj := d.stored(); tk != tickets1 || obj != objects1 {
			t.Errorf("a forged form stored something: %d tickets, %d objects", tk, obj)
		}

		// Without JavaScript: the sum instead of the proof of work.
		f = b.portal()
		fs = f.fields()
		delete(fs, "pow")
		fs["answer"] = strconv.Itoa(f.a + f.b)
		fs["email"] = "petrov@example.ru"
		r = b.submit(fs)
		if r.code != http.StatusOK {
			t.Fatalf("the sum: %d\n%s", r.code, r.body)
		}
		if n := field(t, numberRe, r.body); n == number {
			t.Errorf("a new form made no new ticket: %s", n)
		}

		// The knowledge-base seam answers an empty list.
		if r := b.do("GET", "/kb/suggest?q="+"пароль", nil); r.code != http.StatusOK || strings.TrimSpace(r.body) != "[]" {
			t.Errorf("/kb/suggest: %d %q", r.code, r.body)
		}
	})
}
