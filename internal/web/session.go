package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/otklik/otklik/internal/otklik"
)

// Cookies. Over HTTPS the session cookie takes the __Host- prefix: Secure, path /, no Domain, so no
// other host or path can set or read it.
const (
	sessionCookie = "otklik_session"
	pendingCookie = "otklik_pending"
)

func cookieName(r *http.Request, base string) string {
	if secureRequest(r) {
		return "__Host-" + base
	}
	return base
}

func setCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
}

func cookieValue(r *http.Request, base string) string {
	if c, err := r.Cookie(cookieName(r, base)); err == nil {
		return c.Value
	}
	return ""
}

// staffSession is the signed-in member of a request.
type staffSession struct {
	user   *otklik.User
	secret string
	csrf   string
}

func sessionOf(r *http.Request) *staffSession {
	s, _ := r.Context().Value(sessionKey).(*staffSession)
	return s
}

type staffHandler func(w http.ResponseWriter, r *http.Request, s *staffSession)

// requireStaff lets through only a signed-in member with a live session; others go to the sign-in
// page (and come back afterwards). State-changing requests must carry the session's CSRF token.
func (wb *Web) requireStaff(h staffHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := cookieValue(r, sessionCookie)
		var u *otklik.User
		if secret != "" {
			var err error
			u, _, err = wb.svc.SessionUser(r.Context(), secret)
			if err != nil && !otklik.IsCode(err, otklik.EUNAUTHORIZED) {
				wb.failErr(w, r, err)
				return
			}
		}
		if u == nil {
			if r.Method == http.MethodGet && r.Header.Get("Accept") != "text/event-stream" {
				http.Redirect(w, r, "/agent/login?back="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			wb.fail(w, r, http.StatusUnauthorized, "ui.login.expired")
			return
		}
		s := &staffSession{user: u, secret: secret, csrf: sessionCSRF(secret)}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey, s))
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if !checkCSRF(r, s.csrf) {
				wb.fail(w, r, http.StatusForbidden, "ui.error.csrf")
				return
			}
		}
		h(w, r, s)
	})
}

// maxFormBytes bounds a form: a reply of the longest allowed body and its fields.
const maxFormBytes = 1 << 20

// Actions and the roles that may take them. The auditor reads and never changes anything; personal
// data is revealed only to those who answer citizens.
var permissions = map[string][]otklik.Role{
	"reply":   {otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor, otklik.RoleAdmin},
	"status":  {otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor, otklik.RoleAdmin},
	"assign":  {otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor, otklik.RoleAdmin},
	"extend":  {otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor, otklik.RoleAdmin},
	"call":    {otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor, otklik.RoleAdmin},
	"reveal":  {otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor},
	"reveals": {otklik.RoleAuditor, otklik.RoleAdmin, otklik.RoleSupervisor},
	// Administration: administrators change; supervisors and auditors read staff, the catalogue,
	// templates and SLA settings. The outbox shows citizens' addresses and the jobs their errors:
	// administrators and the auditor only.
	"admin":      {otklik.RoleAdmin},
	"admin.read": {otklik.RoleAdmin, otklik.RoleSupervisor, otklik.RoleAuditor},
	"admin.ops":  {otklik.RoleAdmin, otklik.RoleAuditor},
}

func can(role otklik.Role, action string) bool { return slices.Contains(permissions[action], role) }
