package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

type ctxKey int

const (
	nonceKey ctxKey = iota
	sessionKey
)

// secure adds the security headers to every response and gives each one a fresh nonce for its
// scripts. The Content-Security-Policy allows only this site's own scripts, styles, images and
// connections: hostile HTML that slipped into a page (a citizen's mail) can run nothing.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := randomToken(16)
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'nonce-"+n+"'; style-src 'self'; "+
			"img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if secureRequest(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey, n)))
	})
}

func nonce(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey).(string)
	return n
}

// secureRequest reports whether the browser reached us over HTTPS (directly or through a proxy that
// says so): only then are cookies marked Secure and given the __Host- prefix.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CSRF protection has two layers. The cross-origin check (net/http's CrossOriginProtection, by
// Sec-Fetch-Site and Origin) refuses state-changing requests another site's page makes. Then every
// such request must carry a token only our own pages know: for a signed-in member the HMAC of their
// session secret (which lives in an HttpOnly cookie no script can read), before sign-in a random value
// also kept in a cookie (double submit).
const (
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
	preCSRFCookie = "otklik_csrf"
)

func sessionCSRF(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("otklik csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// preCSRF returns the staff sign-in forms' token, setting its cookie when there is none.
func preCSRF(w http.ResponseWriter, r *http.Request) string {
	return preSessionToken(w, r, preCSRFCookie, "/agent/")
}

// preSessionToken returns the double-submit token of forms shown before anyone is signed in, kept
// in the cookie name under path: the cookie's value when the browser has one, else a new one, set.
func preSessionToken(w http.ResponseWriter, r *http.Request, name, path string) string {
	if c, err := r.Cookie(name); err == nil && len(c.Value) >= 22 {
		return c.Value
	}
	v := randomToken(24)
	http.SetCookie(w, &http.Cookie{Name: name, Value: v, Path: path, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secureRequest(r)})
	// A check later in this same request must find it too.
	r.AddCookie(&http.Cookie{Name: name, Value: v})
	return v
}

// preSessionTokenValid reports whether got is the token in the cookie name.
func preSessionTokenValid(r *http.Request, name, got string) bool {
	c, err := r.Cookie(name)
	return err == nil && len(c.Value) >= 22 && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

// checkCSRF reports whether a state-changing request carries the token it must.
func checkCSRF(r *http.Request, want string) bool {
	got := formToken(r)
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// formToken is the CSRF token a request carries: in its header (scripts) or its form.
func formToken(r *http.Request) string {
	if got := r.Header.Get(csrfHeader); got != "" {
		return got
	}
	return r.PostFormValue(csrfField)
}

// checkPreCSRF checks a staff sign-in form's token against its cookie.
func checkPreCSRF(r *http.Request) bool {
	return preSessionTokenValid(r, preCSRFCookie, formToken(r))
}

// clientIP is the address a request came from (the proxy's, unless the server runs behind one that
// httpx trusts).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Sign-in attempts per address: signInBurst in signInWindow, on top of the per-account lockout, so
// that one address cannot guess across many accounts.
const (
	signInBurst  = 20
	signInWindow = 5 * time.Minute
)

// limiter counts events per key in fixed windows.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	start  time.Time
	counts map[string]int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, counts: map[string]int{}}
}

// allow counts one event for key and reports whether it is within the limit.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window || len(l.counts) > 100_000 {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	return l.counts[key] <= l.max
}
