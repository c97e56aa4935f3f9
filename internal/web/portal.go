package web

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// The citizen portal's feedback form at / (PRODUCT.md F2): category, service, subject, description,
// contacts, optional ФИО, СНИЛС, ИНН, up to portalMaxFiles attachments, consent to the processing of
// personal data and the captcha (captcha.go). It works without JavaScript; static/portal.js adds the
// proof of work, checks of each field as it is left, and knowledge-base suggestions.

const (
	portalMaxFiles = 5
	portalMaxFile  = 5 << 20
	// portalMaxBody bounds a submission: the files and the text fields with their multipart framing.
	portalMaxBody = portalMaxFiles*portalMaxFile + 256<<10
	portalMaxText = 64 << 10 // one text field
)

// Limits per address: form pages (each issues a challenge), submissions, and submissions through the
// captcha's weaker arithmetic fallback.
var (
	challengeLimit = struct {
		n int
		w time.Duration
	}{120, 10 * time.Minute}
	submitLimit = struct {
		n int
		w time.Duration
	}{20, 10 * time.Minute}
	arithLimit = struct {
		n int
		w time.Duration
	}{6, time.Hour}
	suggestLimit = struct {
		n int
		w time.Duration
	}{600, 10 * time.Minute}
)

// formTokenPattern is the shape of a one-time form token (randomToken(24)).
var formTokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

// portalFields are the form's fields in page order: the error summary lists them so.
var portalFields = []string{"category", "service", "subject", "body", "files", "name", "email", "phone", "snils", "inn", "consent", "captcha"}

// portalForm is the form as typed, with its errors.
type portalForm struct {
	Categories []otklik.Category
	Category   string
	Service    string
	Subject    string
	Body       string
	Name       string
	Email      string
	Phone      string
	SNILS      string
	INN        string
	Consent    bool
	Answer     string // the fallback's sum

	Token     string // the one-time form token
	Challenge challenge
	Nonce     string // a proof of work already found for this challenge

	Errors  map[string]string // field → message
	Summary []fieldProblem
	Problem string // a message about the whole form (its page expired), first in the summary
	// Messages are the texts portal.js shows when it checks a field, the server's own.
	Messages map[string]string
	// Again names the files that were chosen but must be chosen again (a browser never refills a file
	// field).
	Again []string
}

type fieldProblem struct {
	Field string
	Text  string
}

// Err returns the message of a field's error, "" when it has none.
func (f *portalForm) Err(field string) string { return f.Errors[field] }

// portalDone is the success page's data.
type portalDone struct {
	Ticket *otklik.Ticket
	Files  []string
	Email  string
}

func (wb *Web) portalRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", wb.portalPage)
	mux.HandleFunc("POST /{$}", wb.portalSubmit)
	mux.HandleFunc("GET /kb/suggest", wb.kbSuggest)
}

func (wb *Web) topCategories(r *http.Request) ([]otklik.Category, error) {
	cats, err := wb.svc.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]otklik.Category, 0, 16)
	for _, c := range cats {
		if c.ParentID == 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

func (wb *Web) portalPage(w http.ResponseWriter, r *http.Request) {
	if !wb.challenges.allow(clientIP(r), wb.now()) {
		wb.portalFail(w, r, http.StatusTooManyRequests, "ui.portal.rate_limited")
		return
	}
	cats, err := wb.topCategories(r)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	token := randomToken(24)
	wb.renderPortal(w, r, http.StatusOK, &portalForm{Categories: cats, Token: token, Challenge: wb.captcha.issue(token, wb.now())})
}

func (wb *Web) renderPortal(w http.ResponseWriter, r *http.Request, code int, f *portalForm) {
	f.Messages = scriptMessages[lang(r)]
	p := &page{Title: "ui.portal.form.title", Portal: true, Nav: "form", Back: "/", Data: f}
	p.CSRF = portalPreCSRF(w, r)
	wb.render(w, r, code, "portal_form", p)
}

// portalFail shows an error page in the portal's frame.
func (wb *Web) portalFail(w http.ResponseWriter, r *http.Request, code int, key string) {
	wb.render(w, r, code, "error", &page{Title: "ui.error.title", Error: key, Portal: true, Back: "/"})
}

func (wb *Web) portalSubmit(w http.ResponseWriter, r *http.Request) {
	ip, now := clientIP(r), wb.now()
	if !wb.submits.allow(ip, now) {
		wb.portalFail(w, r, http.StatusTooManyRequests, "ui.portal.rate_limited")
		return
	}
	if r.ContentLength > portalMaxBody {
		wb.portalFail(w, r, http.StatusRequestEntityTooLarge, "ui.portal.too_large")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, portalMaxBody)
	lang := lang(r)
	f := &portalForm{Errors: map[string]string{}}
	var stored []*service.StoredFile
	discard := func() {
		if len(stored) > 0 {
			wb.svc.DiscardStored(r.Context(), stored)
			stored = nil
		}
	}
	csrfOK, err := wb.readPortalForm(r, f, &stored)
	if err != nil {
		discard()
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			wb.portalFail(w, r, http.StatusRequestEntityTooLarge, "ui.portal.too_large")
			return
		}
		wb.portalFail(w, r, http.StatusBadRequest, "ui.portal.broken")
		return
	}
	if f.Categories, err = wb.topCategories(r); err != nil {
		discard()
		wb.failErr(w, r, err)
		return
	}
	if !formTokenPattern.MatchString(f.Token) {
		f.Token = randomToken(24)
		f.Challenge.Token = ""
	}
	// again re-renders the form with everything typed (never the files: the page says which to
	// choose again) and nothing stored.
	again := func(code int) {
		discard()
		for _, name := range portalFields {
			if t, ok := f.Errors[name]; ok {
				f.Summary = append(f.Summary, fieldProblem{Field: name, Text: t})
			}
		}
		if f.Challenge.Token == "" || f.Errors["captcha"] != "" {
			f.Challenge, f.Nonce, f.Answer = wb.captcha.issue(f.Token, now), "", ""
		}
		wb.renderPortal(w, r, code, f)
	}
	if !csrfOK {
		f.Problem = i18n.T(lang, "ui.portal.csrf", nil)
		again(http.StatusForbidden)
		return
	}

	// Captcha: the proof of work, or the fallback's sum under its own limit.
	switch wb.captcha.verify(f.Challenge.Token, f.Token, f.Nonce, f.Answer, now) {
	case captchaPoW:
	case captchaSum:
		if !wb.ariths.allow(ip, now) {
			discard()
			wb.portalFail(w, r, http.StatusTooManyRequests, "ui.portal.rate_limited")
			return
		}
	case captchaExpired:
		f.Errors["captcha"] = i18n.T(lang, "ui.portal.captcha.expired", nil)
	default:
		f.Errors["captcha"] = i18n.T(lang, "ui.portal.captcha.failed", nil)
	}
	f.Challenge.Bits = powBits
	wb.checkPortalForm(lang, f)
	if len(f.Errors) > 0 {
		// The service's checks too, so that every mistake is shown at once.
		wb.serviceErrors(r, lang, f, nil)
		again(http.StatusUnprocessableEntity)
		return
	}
	body := f.Body
	if f.Service != "" {
		body = i18n.T(i18n.RU, "ui.portal.body_service", map[string]string{"service": f.Service}) + "\n\n" + body
	}
	sub, err := wb.svc.SubmitWebForm(r.Context(), service.WebForm{Subject: f.Subject, Body: body, Category: f.Category,
		Requester: service.RequesterInput{Name: f.Name, Email: f.Email, Phone: f.Phone, SNILS: f.SNILS, INN: f.INN},
		Token:     f.Token, Files: stored})
	stored = nil // SubmitWebForm took them, or discarded them
	if err != nil {
		if wb.serviceErrors(r, lang, f, err) {
			again(http.StatusUnprocessableEntity)
			return
		}
		wb.failErr(w, r, err)
		return
	}
	t := sub.Ticket
	done := portalDone{Ticket: t}
	for _, a := range sub.Files {
		done.Files = append(done.Files, a.Name)
	}
	if t.Requester != nil {
		done.Email = t.Requester.Email
	}
	wb.render(w, r, http.StatusOK, "portal_done", &page{Title: "ui.portal.done.title", Portal: true, Nav: "form", Back: "/", Data: done})
}

// readPortalForm reads the multipart form into f, storing its files in the vault as they arrive
// (each checked by content: type and size). It reports whether the CSRF token matched its cookie;
// files are read only after it did. An error means a broken or oversized request.
func (wb *Web) readPortalForm(r *http.Request, f *portalForm, stored *[]*service.StoredFile) (csrfOK bool, err error) {
	ct, params, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		// A form posted urlencoded (a test, a tool) has no files.
		if perr == nil && ct == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				return false, err
			}
			for k, vs := range r.PostForm {
				f.set(k, vs[0])
			}
			return wb.checkFormCSRF(r, r.PostFormValue(csrfField)), nil
		}
		return false, errors.New("portal: not a form")
	}
	// multipart reads in 4 KB steps; a larger buffer below it reads the upload in far fewer system
	// calls (a megabyte in about sixteen instead of 256).
	mr := multipart.NewReader(bufio.NewReaderSize(r.Body, 64<<10), params["boundary"])
	var csrf string
	csrfOK = false
	lang := lang(r)
	count := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csrfOK, err
		}
		name := p.FormName()
		if name != "files" {
			v, err := io.ReadAll(io.LimitReader(p, portalMaxText+1))
			if err != nil {
				return csrfOK, err
			}
			if name == csrfField {
				csrf = string(v)
				csrfOK = wb.checkFormCSRF(r, csrf)
				continue
			}
			f.set(name, string(v))
			continue
		}
		fileName := sentName(p)
		if fileName == "" { // an empty file field
			if _, err := io.Copy(io.Discard, p); err != nil {
				return csrfOK, err
			}
			continue
		}
		if !csrfOK {
			return false, nil // no file of a forged request goes anywhere
		}
		count++
		if count > portalMaxFiles {
			if _, err := io.Copy(io.Discard, p); err != nil {
				return csrfOK, err
			}
			f.Again = append(f.Again, fileName)
			f.Errors["files"] = i18n.T(lang, "file.too_many", map[string]string{"max": strconv.Itoa(portalMaxFiles)})
			continue
		}
		sf, err := wb.svc.StoreFile(r.Context(), fileName, otklik.ChannelWeb, p)
		if err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return csrfOK, err
			}
			var e *otklik.Error
			if !errors.As(err, &e) || len(e.Fields) == 0 {
				return csrfOK, err
			}
			msg := i18n.T(lang, e.Fields[0].Key, e.Fields[0].Args)
			if prev := f.Errors["files"]; prev != "" {
				msg = prev + " " + msg
			}
			f.Errors["files"] = msg
			// The rest of a refused file is read past, bounded by the request's limit.
			if _, err := io.Copy(io.Discard, p); err != nil {
				return csrfOK, err
			}
			f.Again = append(f.Again, fileName)
			continue
		}
		*stored = append(*stored, sf)
		f.Again = append(f.Again, fileName)
	}
	return csrfOK, nil
}

func (wb *Web) checkFormCSRF(r *http.Request, got string) bool {
	return preSessionTokenValid(r, portalCSRFCookie, got)
}

// set takes one posted field.
func (f *portalForm) set(name, v string) {
	switch name {
	case "category":
		f.Category = strings.TrimSpace(v)
	case "service":
		f.Service = strings.TrimSpace(v)
	case "subject":
		f.Subject = v
	case "body":
		f.Body = v
	case "name":
		f.Name = v
	case "email":
		f.Email = strings.TrimSpace(v)
	case "phone":
		f.Phone = strings.TrimSpace(v)
	case "snils":
		f.SNILS = strings.TrimSpace(v)
	case "inn":
		f.INN = strings.TrimSpace(v)
	case "consent":
		f.Consent = v == "yes"
	case "answer":
		f.Answer = v
	case "token":
		f.Token = v
	case "challenge":
		f.Challenge.Token = v
	case "qa":
		f.Challenge.A, _ = strconv.Atoi(v)
	case "qb":
		f.Challenge.B, _ = strconv.Atoi(v)
	case "pow":
		f.Nonce = v
	}
}

// checkPortalForm checks what the form requires beyond the service: a category, an e-mail, the
// consent, and a СНИЛС written as «XXX-XXX-XXX YY».
func (wb *Web) checkPortalForm(lang string, f *portalForm) {
	req := func(field, v, key string) {
		if strings.TrimSpace(v) == "" && f.Errors[field] == "" {
			f.Errors[field] = i18n.T(lang, key, nil)
		}
	}
	req("category", f.Category, "ui.portal.err.category")
	req("subject", f.Subject, "ui.portal.err.subject")
	req("body", f.Body, "ui.portal.err.body")
	req("email", f.Email, "ui.portal.err.email")
	if len([]rune(f.Service)) > 200 {
		f.Errors["service"] = i18n.T(lang, "field.too_long", map[string]string{"max": "200", "len": strconv.Itoa(len([]rune(f.Service)))})
	}
	if f.SNILS != "" && !snilsPattern.MatchString(f.SNILS) {
		f.Errors["snils"] = i18n.T(lang, "ui.portal.err.snils_format", nil)
	}
	if !f.Consent {
		f.Errors["consent"] = i18n.T(lang, "ui.portal.err.consent", nil)
	}
}

// scriptMessages are the messages portal.js needs, by language: the same keys the server uses, with
// the file limits filled in ({name} is left for the script).
var scriptMessages = func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range []string{i18n.RU, i18n.EN} {
		m := map[string]string{}
		for _, k := range []string{"snils.format", "snils.checksum", "snils.zero", "inn.format", "inn.checksum", "inn.zero",
			"email.format", "phone.format", "ui.portal.err.category", "ui.portal.err.subject", "ui.portal.err.body",
			"ui.portal.err.email", "ui.portal.err.consent", "ui.portal.err.snils_format", "ui.portal.captcha.working", "ui.portal.captcha.done"} {
			m[k] = i18n.T(l, k, nil)
		}
		m["file.too_many"] = i18n.T(l, "file.too_many", map[string]string{"max": strconv.Itoa(portalMaxFiles)})
		m["file.too_large"] = i18n.T(l, "file.too_large", map[string]string{"max": service.HumanBytes(portalMaxFile), "name": "{name}"})
		m["file.type_not_allowed"] = i18n.T(l, "file.type_not_allowed", map[string]string{"name": "{name}"})
		out[l] = m
	}
	return out
}()

// snilsPattern is the form the portal asks СНИЛС in; the service's parser then checks the number.
var snilsPattern = regexp.MustCompile(`^\d{3}-\d{3}-\d{3} \d{2}$`)

// serviceFields maps the service's field names to the form's.
var serviceFields = map[string]string{
	"subject": "subject", "body": "body", "category": "category", "requester.name": "name",
	"requester.email": "email", "requester.phone": "phone", "requester.snils": "snils", "requester.inn": "inn",
	"requester": "email",
}

// serviceErrors puts the service's field errors on the form's fields (not over the form's own) and
// reports whether err was such an error. With a nil err it asks the service to check the form.
func (wb *Web) serviceErrors(r *http.Request, lang string, f *portalForm, err error) bool {
	if err == nil {
		err = wb.svc.ValidateTicket(r.Context(), service.NewTicket{Channel: otklik.ChannelWeb, Subject: f.Subject, Body: f.Body,
			Category: f.Category, Requester: service.RequesterInput{Name: f.Name, Email: f.Email, Phone: f.Phone, SNILS: f.SNILS, INN: f.INN}})
		if err == nil {
			return false
		}
	}
	var e *otklik.Error
	if !errors.As(err, &e) || e.Code != otklik.EINVALID || len(e.Fields) == 0 {
		return false
	}
	for _, fe := range e.Fields {
		field, ok := serviceFields[fe.Field]
		if !ok {
			continue
		}
		if _, have := f.Errors[field]; !have {
			f.Errors[field] = i18n.T(lang, fe.Key, fe.Args)
		}
	}
	return true
}

// kbSuggest is the seam for knowledge-base suggestions while the subject is typed: a JSON list of
// {title, url}, empty until the knowledge base exists.
func (wb *Web) kbSuggest(w http.ResponseWriter, r *http.Request) {
	if !wb.suggests.allow(clientIP(r), wb.now()) {
		http.Error(w, "[]", http.StatusTooManyRequests)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "[]\n")
}

// sentName is a part's file name as the browser sent it (display only: the stored name is sanitised).
func sentName(p *multipart.Part) string {
	if _, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return p.FileName()
}

// Describe is a field's aria-describedby: its hint, when it has one, and its error, when there is one.
func (f *portalForm) Describe(field string, hint bool) string {
	var ids []string
	if hint {
		ids = append(ids, field+"-hint")
	}
	if f.Errors[field] != "" {
		ids = append(ids, field+"-error")
	}
	return strings.Join(ids, " ")
}
