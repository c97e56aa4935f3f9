// Package web serves Otklik's server-rendered pages: the citizen portal's feedback form at / and the
// staff workspace under /agent/ (sign-in with a second factor, queues, the ticket page, live updates). Pages are Go templates
// embedded in the binary, progressively enhanced by a little plain JavaScript under a strict
// Content-Security-Policy; every word on them comes from the i18n catalogue (Russian by default,
// English switchable).
package web

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Info is what the start page shows about the node.
type Info struct {
	Version string
	Engine  string
	Support string
}

// Bus hands out event subscriptions and publishes presence (internal/events).
type Bus interface {
	otklik.Publisher
	Subscribe(buf int) *events.Subscription
}

// Options configure the web pages.
type Options struct {
	Info    Info
	Service *service.Service // nil serves the start page only
	Events  Bus              // nil: no live updates
	Logger  *slog.Logger
	Now     func() time.Time
	// OIDC configures citizens' sign-in through an external OpenID Connect provider (no Issuer: off).
	OIDC OIDCOptions
}

// Web serves the pages.
type Web struct {
	info   Info
	svc    *service.Service
	bus    Bus
	log    *slog.Logger
	now    func() time.Time
	pages  map[string]*template.Template
	limits *limiter
	portal *portalLimits
	oidc   *oidcClient // nil: no OpenID Connect sign-in
	stop   chan struct{}
	// The portal form's captcha and its limits per address (portal.go).
	captcha                               *captcha
	challenges, submits, ariths, suggests *limiter
}

// New prepares the pages; a broken template panics at start, never at a request.
func New(o Options) *Web {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	wb := &Web{info: o.Info, svc: o.Service, bus: o.Events, log: o.Logger, now: o.Now, pages: parsePages(),
		limits: newLimiter(signInBurst, signInWindow), stop: make(chan struct{}),
		portal: newPortalLimits(), oidc: newOIDCClient(o.OIDC),
		challenges: newLimiter(challengeLimit.n, challengeLimit.w), submits: newLimiter(submitLimit.n, submitLimit.w),
		ariths: newLimiter(arithLimit.n, arithLimit.w), suggests: newLimiter(suggestLimit.n, suggestLimit.w)}
	wb.captcha = &captcha{key: wb.captchaKey()}
	return wb
}

// captchaKey is the key that signs the portal form's challenges: derived from the files' master key,
// the same on every node; without one (no vault), random for this process, and said so.
func (wb *Web) captchaKey() []byte {
	if wb.svc != nil {
		key, err := wb.svc.DeriveSecret("portal-captcha")
		if err == nil {
			return key
		}
		wb.log.Warn("the portal form's captcha key is random for this process: its challenges work on this node only until it restarts",
			"error", err)
	}
	return []byte(randomToken(32))
}

// Shutdown ends the live streams, so that a stopping server does not wait for them.
func (wb *Web) Shutdown() {
	select {
	case <-wb.stop:
	default:
		close(wb.stop)
	}
}

// Handler serves the web pages. Every response carries the security headers; every state-changing
// request must pass the cross-origin check and carry its CSRF token.
func Handler(info Info, log *slog.Logger) http.Handler {
	return New(Options{Info: info, Logger: log}).Handler()
}

// Handler returns the pages' routes.
func (wb *Web) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", cacheStatic(http.FileServerFS(staticFiles)))
	mux.HandleFunc("GET /lang/{lang}", wb.setLang)
	mux.HandleFunc("GET /agent/lang/{lang}", wb.setLang)
	if wb.svc != nil {
		wb.portalRoutes(mux)
		wb.agentRoutes(mux)
		wb.citizenRoutes(mux)
	} else {
		mux.HandleFunc("GET /{$}", wb.home) // a node without the registry shows what it is
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		wb.render(w, r, http.StatusNotFound, "notfound", &page{Title: "ui.notfound.title"})
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wb.fail(w, r, http.StatusForbidden, "ui.error.csrf")
	}))
	return secure(cop.Handler(mux))
}

func (wb *Web) agentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /agent/login", wb.loginPage)
	mux.HandleFunc("POST /agent/login", wb.login)
	mux.HandleFunc("GET /agent/login/code", wb.codePage)
	mux.HandleFunc("POST /agent/login/code", wb.code)
	mux.HandleFunc("GET /agent/login/enrol", wb.enrolPage)
	mux.HandleFunc("POST /agent/login/enrol", wb.enrol)

	staff := func(h staffHandler) http.Handler { return wb.requireStaff(h) }
	mux.Handle("POST /agent/logout", staff(wb.logout))
	mux.Handle("POST /agent/logout/everywhere", staff(wb.logoutEverywhere))
	mux.Handle("GET /agent/{$}", staff(func(w http.ResponseWriter, r *http.Request, s *staffSession) {
		http.Redirect(w, r, "/agent/q/mine", http.StatusSeeOther)
	}))
	mux.Handle("GET /agent/q/{queue}", staff(wb.queue))
	mux.Handle("POST /agent/filters", staff(wb.saveFilter))
	mux.Handle("POST /agent/filters/{id}/delete", staff(wb.deleteFilter))
	mux.Handle("GET /agent/tickets/{number}", staff(wb.ticket))
	mux.Handle("POST /agent/tickets/{number}/reply", staff(wb.reply))
	mux.Handle("POST /agent/tickets/{number}/status", staff(wb.status))
	mux.Handle("POST /agent/tickets/{number}/assign", staff(wb.assign))
	mux.Handle("POST /agent/tickets/{number}/reveal", staff(wb.reveal))
	mux.Handle("POST /agent/tickets/{number}/link", staff(wb.link))
	mux.Handle("POST /agent/tickets/{number}/extend", staff(wb.extend))
	mux.Handle("GET /agent/call", staff(wb.callPage))
	mux.Handle("POST /agent/call", staff(wb.call))
	mux.Handle("GET /agent/events", staff(wb.events))
	mux.Handle("GET /agent/reveals", staff(wb.revealLog))
	mux.Handle("GET /agent/files/{id}", staff(wb.file))
	wb.adminRoutes(mux)
}

func (wb *Web) home(w http.ResponseWriter, r *http.Request) {
	wb.render(w, r, http.StatusOK, "home", &page{Title: "ui.home.title", Data: wb.info})
}

// page is what every template gets: the frame's data and the page's own in Data.
type page struct {
	Lang    string
	Title   string // a catalogue key
	Nonce   string // the CSP nonce of this response's scripts
	CSRF    string // the token state-changing forms carry
	Me      *otklik.User
	Nav     string // the current queue or section, for the menu
	Error   string // a catalogue key, shown above the content
	Notice  string // a catalogue key: the result of a change just made, shown above the content
	Section string // the administration section, for its menu
	Args    map[string]string
	Back    string // this page's address, to come back to after switching the language
	// Portal marks a page of the citizen portal (its own header and script); CitizenEmail is the
	// signed-in citizen's verified address, "" when nobody is signed in.
	Portal       bool
	CitizenEmail string
	Data         any
}

// T translates a catalogue key for the page's language; kv are the placeholders' names and values.
func (p *page) T(key string, kv ...string) string {
	var args map[string]string
	if len(kv) > 1 {
		args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			args[kv[i]] = kv[i+1]
		}
	}
	return i18n.T(p.Lang, key, args)
}

// TitleText is the page's title, with its arguments.
func (p *page) TitleText() string { return i18n.T(p.Lang, p.Title, p.Args) }

// ErrorText is the page's error message, with its arguments.
func (p *page) ErrorText() string { return i18n.T(p.Lang, p.Error, p.Args) }

// Can reports whether the signed-in member's role may do what the action names.
func (p *page) Can(action string) bool { return p.Me != nil && can(p.Me.Role, action) }

// parsePages parses every page with the layout: pages/X.html becomes the page "X".
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFiles, "templates/layout/*.html"))
	names, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		panic(err)
	}
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
		out[strings.TrimSuffix(n[len("templates/pages/"):], ".html")] = t
	}
	return out
}

// render writes a page in its frame. The page's language comes from the member's choice (a cookie)
// or the browser's Accept-Language.
func (wb *Web) render(w http.ResponseWriter, r *http.Request, code int, name string, p *page) {
	t, ok := wb.pages[name]
	if !ok {
		panic("web: no page " + name)
	}
	p.Lang = lang(r)
	p.Nonce = nonce(r)
	if p.Back == "" {
		p.Back = "/agent/"
		if r.Method == http.MethodGet {
			p.Back = r.URL.RequestURI()
		}
	}
	if s := sessionOf(r); s != nil {
		p.Me, p.CSRF = s.user, s.csrf
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := t.ExecuteTemplate(w, "layout", p); err != nil {
		wb.log.Error("render", "page", name, "error", err)
	}
}

// fail shows an error page with a catalogue message.
func (wb *Web) fail(w http.ResponseWriter, r *http.Request, code int, key string) {
	wb.render(w, r, code, "error", &page{Title: "ui.error.title", Error: key})
}

// failErr shows the error a use case returned, as its kind dictates.
func (wb *Web) failErr(w http.ResponseWriter, r *http.Request, err error) {
	code, key, args := wb.errorOf(r, err)
	wb.render(w, r, code, "error", &page{Title: "ui.error.title", Error: key, Args: args})
}

// statusOf is the HTTP status of each kind of error a use case returns.
var statusOf = map[otklik.Code]int{
	otklik.ENOTFOUND:     http.StatusNotFound,
	otklik.EINVALID:      http.StatusUnprocessableEntity,
	otklik.ECONFLICT:     http.StatusConflict,
	otklik.EFORBIDDEN:    http.StatusForbidden,
	otklik.EUNAUTHORIZED: http.StatusUnauthorized,
	otklik.ERATELIMITED:  http.StatusTooManyRequests,
	otklik.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// messageOf returns the use case's error in err (nil when it is none) and the message to show for
// it: the first invalid field's when there is one, else the error's own.
func messageOf(err error) (e *otklik.Error, key string, args map[string]string) {
	if !errors.As(err, &e) {
		return nil, "", nil
	}
	if len(e.Fields) > 0 {
		return e, e.Fields[0].Key, e.Fields[0].Args
	}
	return e, e.Key, e.Args
}

// refusalOf returns the status and message of an error the person can act on — one of the kinds
// given — and false for any other error.
func refusalOf(err error, kinds ...otklik.Code) (status int, key string, args map[string]string, ok bool) {
	e, key, args := messageOf(err)
	if e == nil || !slices.Contains(kinds, e.Code) {
		return 0, "", nil, false
	}
	return statusOf[e.Code], key, args, true
}

// errorOf returns the status and the message of the error a use case returned, as its kind dictates;
// an internal error (or a dependency away) is logged and shown as a generic message.
func (wb *Web) errorOf(r *http.Request, err error) (int, string, map[string]string) {
	code, key, args, ok := refusalOf(err, otklik.ENOTFOUND, otklik.EINVALID, otklik.ECONFLICT, otklik.EFORBIDDEN,
		otklik.EUNAUTHORIZED, otklik.ERATELIMITED)
	if !ok {
		if httpx.Abandoned(r, err) {
			wb.log.Debug("web: request abandoned", "path", r.URL.Path)
		} else {
			wb.log.Error("web", "path", r.URL.Path, "error", err)
		}
		return http.StatusInternalServerError, "ui.error.internal", nil
	}
	return code, key, args
}

// lang is the page language: Russian, unless the member switched to English (a cookie). The
// browser's Accept-Language is not asked: a Russian desk's screens stay Russian on a browser set up
// in English.
func lang(r *http.Request) string {
	if c, err := r.Cookie("otklik_lang"); err == nil && (c.Value == i18n.RU || c.Value == i18n.EN) {
		return c.Value
	}
	return i18n.RU
}

// setLang switches the language and goes back where the member was.
func (wb *Web) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if l != i18n.RU && l != i18n.EN {
		wb.fail(w, r, http.StatusNotFound, "ui.notfound.text")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "otklik_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
	back := r.URL.Query().Get("back")
	if !localPath(back) {
		back = "/" // the portal's
		if strings.HasPrefix(r.URL.Path, "/agent/") {
			back = "/agent/"
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// localPath reports whether p is a path on this site (not //host or a scheme), safe to redirect to.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") && !strings.ContainsAny(p, "\r\n")
}

// cacheStatic lets browsers keep the static files for an hour: they change only with the binary.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
