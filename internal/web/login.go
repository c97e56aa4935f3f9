package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Sign-in: e-mail and password, then the second factor (a code from the authenticator app or a
// recovery code), or its enrolment when the role requires one and the member has none. Between the
// steps the browser holds only the pending sign-in's secret, which lets it do nothing but finish.

type loginForm struct {
	Email  string
	Back   string
	Secret string       // enrolment: the new TOTP secret, for typing in by hand
	QR     template.URL // enrolment: the QR code as a data: URL (a PNG we made, safe to embed)
	Codes  []string
}

func backOf(r *http.Request) string {
	b := r.FormValue("back")
	if !localPath(b) || strings.HasPrefix(b, "/agent/login") {
		return "/agent/"
	}
	return b
}

func (wb *Web) loginPage(w http.ResponseWriter, r *http.Request) {
	if u, _, err := wb.svc.SessionUser(r.Context(), cookieValue(r, sessionCookie)); err == nil && u != nil {
		http.Redirect(w, r, backOf(r), http.StatusSeeOther)
		return
	}
	wb.renderLogin(w, r, http.StatusOK, "login", &page{Title: "ui.login.title", Data: loginForm{Back: backOf(r)}})
}

func (wb *Web) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	form := loginForm{Email: strings.TrimSpace(r.PostFormValue("email")), Back: backOf(r)}
	again := func(code int, key string, args map[string]string) {
		wb.renderLogin(w, r, code, "login", &page{Title: "ui.login.title", Error: key, Args: args, Data: form})
	}
	if !checkPreCSRF(r) {
		again(http.StatusForbidden, "ui.error.csrf_login", nil)
		return
	}
	if !wb.limits.allow(clientIP(r), wb.now()) {
		again(http.StatusTooManyRequests, "ui.login.rate_limited", nil)
		return
	}
	res, err := wb.svc.SignIn(r.Context(), form.Email, r.PostFormValue("password"), clientIP(r))
	if err != nil {
		var e *otklik.Error
		if errors.As(err, &e) && e.Code != otklik.EINTERNAL && e.Code != otklik.EUNAVAILABLE {
			code := http.StatusUnauthorized
			if e.Code == otklik.ERATELIMITED {
				code = http.StatusTooManyRequests
			}
			again(code, e.Key, e.Args)
			return
		}
		wb.failErr(w, r, err)
		return
	}
	if res.Complete() {
		secret, err := wb.svc.CreateSession(r.Context(), res.User.ID, clientIP(r), r.UserAgent())
		if err != nil {
			wb.failErr(w, r, err)
			return
		}
		setCookie(w, r, sessionCookie, secret, 0)
		http.Redirect(w, r, form.Back, http.StatusSeeOther)
		return
	}
	setCookie(w, r, pendingCookie, res.Pending, int(service.PendingSignInTTL.Seconds()))
	next := "/agent/login/code"
	if res.NeedEnrol {
		next = "/agent/login/enrol"
	}
	http.Redirect(w, r, next+"?back="+url.QueryEscape(form.Back), http.StatusSeeOther)
}

// pendingUser is the member half-way through signing in, or nil (they are sent back to the start).
func (wb *Web) pendingUser(w http.ResponseWriter, r *http.Request) *otklik.User {
	u, err := wb.svc.PendingUser(r.Context(), cookieValue(r, pendingCookie))
	if err != nil {
		if !otklik.IsCode(err, otklik.EUNAUTHORIZED) && !otklik.IsCode(err, otklik.ENOTFOUND) {
			wb.failErr(w, r, err)
			return nil
		}
		wb.renderLogin(w, r, http.StatusUnauthorized, "login", &page{Title: "ui.login.title", Error: "ui.login.expired",
			Data: loginForm{Back: backOf(r)}})
		return nil
	}
	return u
}

// pendingPost checks a form posted during a pending sign-in (the second-factor code, the enrolment):
// a small body, the pre-sign-in CSRF token, a live pending sign-in. It returns the member, or nil
// having answered.
func (wb *Web) pendingPost(w http.ResponseWriter, r *http.Request) *otklik.User {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if !checkPreCSRF(r) {
		wb.renderLogin(w, r, http.StatusForbidden, "login", &page{Title: "ui.login.title", Error: "ui.error.csrf_login", Data: loginForm{Back: backOf(r)}})
		return nil
	}
	return wb.pendingUser(w, r)
}

func (wb *Web) codePage(w http.ResponseWriter, r *http.Request) {
	if u := wb.pendingUser(w, r); u != nil {
		wb.renderLogin(w, r, http.StatusOK, "code", &page{Title: "ui.code.title", Data: loginForm{Email: u.Email, Back: backOf(r)}})
	}
}

func (wb *Web) code(w http.ResponseWriter, r *http.Request) {
	u := wb.pendingPost(w, r)
	if u == nil {
		return
	}
	if !wb.limits.allow(clientIP(r), wb.now()) {
		wb.renderLogin(w, r, http.StatusTooManyRequests, "code", &page{Title: "ui.code.title", Error: "ui.login.rate_limited",
			Data: loginForm{Email: u.Email, Back: backOf(r)}})
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	var err error
	if strings.Contains(code, "-") || len(code) > 8 {
		err = wb.svc.UseRecoveryCode(r.Context(), u.ID, code)
	} else {
		err = wb.svc.VerifyTOTP(r.Context(), u.ID, code)
	}
	if err != nil {
		wb.codeError(w, r, "code", "ui.code.title", loginForm{Email: u.Email, Back: backOf(r)}, err)
		return
	}
	wb.finishSignIn(w, r, u, backOf(r))
}

func (wb *Web) codeError(w http.ResponseWriter, r *http.Request, name, title string, form loginForm, err error) {
	e, key, args := messageOf(err)
	if e == nil || e.Code == otklik.EINTERNAL || e.Code == otklik.EUNAVAILABLE {
		wb.failErr(w, r, err)
		return
	}
	code := http.StatusUnauthorized // a wrong code, whatever its kind
	if e.Code == otklik.ERATELIMITED {
		code = http.StatusTooManyRequests
	}
	wb.renderLogin(w, r, code, name, &page{Title: title, Error: key, Args: args, Data: form})
}

// finishSignIn turns the pending sign-in into a session: a new secret, never the one the browser
// held before (no session fixation).
func (wb *Web) finishSignIn(w http.ResponseWriter, r *http.Request, u *otklik.User, back string) bool {
	secret, err := wb.svc.RotateSession(r.Context(), cookieValue(r, pendingCookie), u.ID, clientIP(r), r.UserAgent())
	if err != nil {
		wb.failErr(w, r, err)
		return false
	}
	setCookie(w, r, pendingCookie, "", -1)
	setCookie(w, r, sessionCookie, secret, 0)
	if back != "" {
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
	return true
}

func (wb *Web) enrolPage(w http.ResponseWriter, r *http.Request) {
	u := wb.pendingUser(w, r)
	if u == nil {
		return
	}
	secret, _, png, err := wb.svc.BeginTOTP(r.Context(), u.ID)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	wb.renderLogin(w, r, http.StatusOK, "enrol", &page{Title: "ui.enrol.title", Data: loginForm{Email: u.Email, Back: backOf(r),
		Secret: secret, QR: qrURL(png)}})
}

func (wb *Web) enrol(w http.ResponseWriter, r *http.Request) {
	u := wb.pendingPost(w, r)
	if u == nil {
		return
	}
	secret := r.PostFormValue("secret")
	codes, err := wb.svc.ConfirmTOTP(r.Context(), u.ID, secret, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		// Show the same secret again: the app already holds it.
		_, png, qerr := service.TOTPQR(u.Email, secret)
		if qerr != nil {
			wb.failErr(w, r, err)
			return
		}
		wb.codeError(w, r, "enrol", "ui.enrol.title", loginForm{Email: u.Email, Back: backOf(r), Secret: secret,
			QR: qrURL(png)}, err)
		return
	}
	if !wb.finishSignIn(w, r, u, "") {
		return
	}
	wb.renderLogin(w, r, http.StatusOK, "recovery", &page{Title: "ui.recovery.title", Me: u,
		Data: loginForm{Email: u.Email, Back: backOf(r), Codes: codes}})
}

func (wb *Web) logout(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.RevokeSession(r.Context(), s.secret); err != nil {
		wb.failErr(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/agent/login", http.StatusSeeOther)
}

func (wb *Web) logoutEverywhere(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if _, err := wb.svc.RevokeAllSessions(r.Context(), s.user.ID); err != nil {
		wb.failErr(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/agent/login", http.StatusSeeOther)
}

// qrURL embeds a QR code PNG of our own making as a data: URL.
func qrURL(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// renderLogin renders a sign-in page, whose forms carry the pre-session CSRF token.
func (wb *Web) renderLogin(w http.ResponseWriter, r *http.Request, code int, name string, p *page) {
	p.CSRF = preCSRF(w, r)
	wb.render(w, r, code, name, p)
}
