package web

// The citizen portal's sign-in and status lookup (PRODUCT.md F19, F26, F28): a one-time code by
// e-mail instead of a password, or an external OpenID Connect provider (oidc.go); a citizen session
// apart from the staff's; the status of a ticket by its number and a code, without an account.
// «Мои обращения» is in my.go.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// citizenCookie holds the citizen session's secret (HttpOnly, SameSite=Lax, __Host- over HTTPS:
// setCookie); portalCSRFCookie the token of every portal form shown before sign-in — the feedback
// form's, the sign-in's, the status lookup's (double submit).
const (
	citizenCookie    = "otklik_citizen"
	portalCSRFCookie = "otklik_form"
)

const citizenKey ctxKey = iota + 16

// Portal rate limits, per client address and per e-mail address, on top of the service's durable
// ones (CitizenCodesPerHour, the lockout after three wrong codes): codes sent (sign-in and status
// lookups together) and codes checked.
const (
	portalSendPerIP   = 10
	portalSendPerAddr = 5
	portalCheckPerIP  = 30
	portalWindow      = 10 * time.Minute
)

type portalLimits struct {
	sendIP, sendAddr, checkIP *limiter
}

func newPortalLimits() *portalLimits {
	return &portalLimits{sendIP: newLimiter(portalSendPerIP, portalWindow), sendAddr: newLimiter(portalSendPerAddr, portalWindow),
		checkIP: newLimiter(portalCheckPerIP, portalWindow)}
}

// citizen is the signed-in citizen of a request.
type citizen struct {
	email  string
	secret string
	csrf   string
}

func citizenOf(r *http.Request) *citizen {
	c, _ := r.Context().Value(citizenKey).(*citizen)
	return c
}

type citizenHandler func(w http.ResponseWriter, r *http.Request, c *citizen)

// withCitizen puts the signed-in citizen, if any, in the request's context (the portal's header
// shows who is signed in on every portal page).
func (wb *Web) withCitizen(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if secret := cookieValue(r, citizenCookie); secret != "" {
			if ss, err := wb.svc.CitizenSession(r.Context(), secret); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), citizenKey,
					&citizen{email: ss.Email, secret: secret, csrf: sessionCSRF(secret)}))
			} else if !otklik.IsCode(err, otklik.EUNAUTHORIZED) {
				wb.citizenFailErr(w, r, err)
				return
			}
		}
		h(w, r)
	})
}

// requireCitizen lets through only a signed-in citizen; others go to the sign-in page (and come back
// afterwards). State-changing requests must carry the session's CSRF token; their bodies are bounded
// by limit.
func (wb *Web) requireCitizen(limit int64, h citizenHandler) http.Handler {
	return wb.withCitizen(func(w http.ResponseWriter, r *http.Request) {
		c := citizenOf(r)
		if c == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?back="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			wb.citizenFail(w, r, http.StatusUnauthorized, "ui.portal.login.expired")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if !checkCSRF(r, c.csrf) {
				wb.citizenFail(w, r, http.StatusForbidden, "ui.error.csrf")
				return
			}
		}
		h(w, r, c)
	})
}

// portalPreCSRF returns the token of the portal's forms before sign-in, setting its cookie when there
// is none.
func portalPreCSRF(w http.ResponseWriter, r *http.Request) string {
	return preSessionToken(w, r, portalCSRFCookie, "/")
}

// checkPortalCSRF checks a portal form's token: the session's for a signed-in citizen, else the
// pre-session cookie's.
func checkPortalCSRF(r *http.Request) bool {
	if c := citizenOf(r); c != nil && checkCSRF(r, c.csrf) {
		return true
	}
	return preSessionTokenValid(r, portalCSRFCookie, formToken(r))
}

// renderCitizen renders a page of the signed-in portal: its own header, the signed-in citizen, the forms' token.
func (wb *Web) renderCitizen(w http.ResponseWriter, r *http.Request, code int, name string, p *page) {
	p.Portal = true
	if c := citizenOf(r); c != nil {
		p.CitizenEmail, p.CSRF = c.email, c.csrf
	} else {
		p.CSRF = portalPreCSRF(w, r)
	}
	if p.Back == "" {
		p.Back = "/my"
		if r.Method == http.MethodGet {
			p.Back = r.URL.RequestURI()
		}
	}
	wb.render(w, r, code, name, p)
}

func (wb *Web) citizenFail(w http.ResponseWriter, r *http.Request, code int, key string) {
	wb.renderCitizen(w, r, code, "error", &page{Title: "ui.error.title", Error: key})
}

func (wb *Web) citizenFailErr(w http.ResponseWriter, r *http.Request, err error) {
	code, key, args := wb.errorOf(r, err)
	wb.renderCitizen(w, r, code, "error", &page{Title: "ui.error.title", Error: key, Args: args})
}

// refusal returns the status and message of a use case's refusal a form shows above itself, or
// ok=false for an error the error page shows.
func refusal(err error) (code int, key string, args map[string]string, ok bool) {
	return refusalOf(err, otklik.EINVALID, otklik.EUNAUTHORIZED, otklik.ERATELIMITED, otklik.ECONFLICT, otklik.EUNAVAILABLE)
}

func (wb *Web) citizenRoutes(mux *http.ServeMux) {
	mux.Handle("GET /login", wb.withCitizen(wb.citizenLoginPage))
	mux.Handle("POST /login", wb.withCitizen(wb.citizenLogin))
	mux.Handle("POST /login/code", wb.withCitizen(wb.citizenCode))
	mux.Handle("POST /logout", wb.requireCitizen(16<<10, wb.citizenLogout))
	if wb.oidc != nil {
		mux.Handle("GET /login/oidc", wb.withCitizen(wb.oidcStart))
		mux.Handle("GET /login/oidc/callback", wb.withCitizen(wb.oidcCallback))
	}
	mux.Handle("GET /status", wb.withCitizen(wb.statusPage))
	mux.Handle("POST /status", wb.withCitizen(wb.statusSend))
	mux.Handle("POST /status/code", wb.withCitizen(wb.statusCheck))
	wb.myRoutes(mux)
}

// Sign-in.

type citizenLoginForm struct {
	Email string
	Back  string
	OIDC  bool
}

// citizenBack is where to go after sign-in: a page of «Мои обращения», else its list.
func citizenBack(r *http.Request) string {
	b := r.FormValue("back")
	if localPath(b) && (b == "/my" || strings.HasPrefix(b, "/my/") || strings.HasPrefix(b, "/my?")) {
		return b
	}
	return "/my"
}

func (wb *Web) citizenLoginPage(w http.ResponseWriter, r *http.Request) {
	if citizenOf(r) != nil {
		http.Redirect(w, r, citizenBack(r), http.StatusSeeOther)
		return
	}
	wb.renderCitizen(w, r, http.StatusOK, "portal_login", &page{Title: "ui.portal.login.title", Nav: "my",
		Data: citizenLoginForm{Back: citizenBack(r), OIDC: wb.oidc != nil}})
}

func (wb *Web) citizenLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	form := citizenLoginForm{Email: strings.TrimSpace(r.PostFormValue("email")), Back: citizenBack(r), OIDC: wb.oidc != nil}
	again := func(code int, key string, args map[string]string) {
		wb.renderCitizen(w, r, code, "portal_login", &page{Title: "ui.portal.login.title", Nav: "my", Error: key, Args: args, Data: form})
	}
	if !wb.portalGuard(r, again, limitKey{wb.portal.sendIP, clientIP(r)}, limitKey{wb.portal.sendAddr, strings.ToLower(form.Email)}) {
		return
	}
	if err := wb.svc.SendSignInCode(r.Context(), form.Email); err != nil {
		wb.refuse(w, r, again, err)
		return
	}
	wb.renderCitizen(w, r, http.StatusOK, "portal_code", &page{Title: "ui.portal.code.title", Nav: "my", Data: form})
}

func (wb *Web) citizenCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	form := citizenLoginForm{Email: strings.TrimSpace(r.PostFormValue("email")), Back: citizenBack(r)}
	again := func(code int, key string, args map[string]string) {
		wb.renderCitizen(w, r, code, "portal_code", &page{Title: "ui.portal.code.title", Nav: "my", Error: key, Args: args, Data: form})
	}
	if !wb.portalGuard(r, again, limitKey{wb.portal.checkIP, clientIP(r)}) {
		return
	}
	secret, err := wb.svc.SignInByCode(r.Context(), form.Email, r.PostFormValue("code"), clientIP(r), r.UserAgent())
	if err != nil {
		wb.refuse(w, r, again, err)
		return
	}
	wb.startCitizenSession(w, r, secret, form.Back)
}

// startCitizenSession ends the session the browser had, if any (a new secret at every sign-in: no
// session fixation), sets the new one's cookie and goes on to back.
func (wb *Web) startCitizenSession(w http.ResponseWriter, r *http.Request, secret, back string) {
	if old := cookieValue(r, citizenCookie); old != "" {
		if err := wb.svc.EndCitizenSession(r.Context(), old); err != nil {
			wb.log.Warn("citizen sign-in: ending the old session", "error", err)
		}
	}
	setCookie(w, r, citizenCookie, secret, 0)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (wb *Web) citizenLogout(w http.ResponseWriter, r *http.Request, c *citizen) {
	if err := wb.svc.EndCitizenSession(r.Context(), c.secret); err != nil {
		wb.citizenFailErr(w, r, err)
		return
	}
	setCookie(w, r, citizenCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// limitKey is a request counted against a limiter under a key (an IP, an address).
type limitKey struct {
	l   *limiter
	key string
}

// portalGuard checks a portal form's CSRF token and counts the request against each limit; false
// when the form went out again with the reason instead.
func (wb *Web) portalGuard(r *http.Request, again func(code int, key string, args map[string]string), limits ...limitKey) bool {
	if !checkPortalCSRF(r) {
		again(http.StatusForbidden, "ui.error.csrf_login", nil)
		return false
	}
	now := wb.now()
	for _, l := range limits {
		if !l.l.allow(l.key, now) {
			again(http.StatusTooManyRequests, "ui.portal.rate_limited", nil)
			return false
		}
	}
	return true
}

// refuse shows the form again with a refusal the citizen can act on, or the error page for the rest.
func (wb *Web) refuse(w http.ResponseWriter, r *http.Request, again func(code int, key string, args map[string]string), err error) {
	if code, key, args, ok := refusal(err); ok {
		again(code, key, args)
		return
	}
	wb.citizenFailErr(w, r, err)
}

// Status by number.

type statusForm struct {
	Number  string
	Contact string
	Result  *service.TicketStatus
}

func (wb *Web) statusPage(w http.ResponseWriter, r *http.Request) {
	wb.renderCitizen(w, r, http.StatusOK, "status", &page{Title: "ui.portal.status.title", Nav: "status",
		Data: statusForm{Number: strings.TrimSpace(r.URL.Query().Get("number"))}})
}

func (wb *Web) statusSend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	form := statusForm{Number: strings.TrimSpace(r.PostFormValue("number")), Contact: strings.TrimSpace(r.PostFormValue("contact"))}
	again := func(code int, key string, args map[string]string) {
		wb.renderCitizen(w, r, code, "status", &page{Title: "ui.portal.status.title", Nav: "status", Error: key, Args: args, Data: form})
	}
	if !wb.portalGuard(r, again, limitKey{wb.portal.sendIP, clientIP(r)}, limitKey{wb.portal.sendAddr, strings.ToLower(form.Contact)}) {
		return
	}
	if err := wb.svc.SendStatusCode(r.Context(), form.Number, form.Contact); err != nil {
		wb.refuse(w, r, again, err)
		return
	}
	wb.renderCitizen(w, r, http.StatusOK, "status_code", &page{Title: "ui.portal.status.title", Nav: "status", Data: form})
}

func (wb *Web) statusCheck(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	form := statusForm{Number: strings.TrimSpace(r.PostFormValue("number")), Contact: strings.TrimSpace(r.PostFormValue("contact"))}
	again := func(code int, key string, args map[string]string) {
		wb.renderCitizen(w, r, code, "status_code", &page{Title: "ui.portal.status.title", Nav: "status", Error: key, Args: args, Data: form})
	}
	if !wb.portalGuard(r, again, limitKey{wb.portal.checkIP, clientIP(r)}) {
		return
	}
	st, err := wb.svc.StatusByCode(r.Context(), form.Number, form.Contact, r.PostFormValue("code"))
	if err != nil {
		wb.refuse(w, r, again, err)
		return
	}
	form.Result = st
	wb.renderCitizen(w, r, http.StatusOK, "status_result", &page{Title: "ui.portal.status.title", Nav: "status", Data: form})
}
