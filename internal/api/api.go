// Package api is Otklik's JSON REST API under /api/v1 and its OpenAPI document at /api/openapi.json.
// Every route is declared once, in the route table below, with its documentation: the table registers
// the handler and generates the document, so a route cannot exist undocumented.
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Options configure the API.
type Options struct {
	Service *service.Service
	Logger  *slog.Logger
	// MaxBodyBytes limits a JSON request body (default 1 MiB).
	MaxBodyBytes int64
	// Version is reported in the OpenAPI document.
	Version string
	// Events serves /api/v1/events (nil: the route answers 503).
	Events Subscriber
	// FileRules gives the upload limits of a channel (nil: files.DefaultRules).
	FileRules func(otklik.Channel) files.Rules
}

// API serves the REST API.
type API struct {
	svc     *service.Service
	log     *slog.Logger
	maxBody int64
	version string
	mux     *http.ServeMux
	routes  []route
	spec    []byte
	events  Subscriber
	stop    chan struct{}

	fileRules func(otklik.Channel) files.Rules
	stopped   sync.Once
}

// perm is what a route requires of the caller.
type perm int

const (
	public      perm = iota // no token
	staffRead               // any staff member
	staffWrite              // staff who may change tickets (not auditors)
	adminOnly               // administrators
	supervision             // supervisors, administrators and auditors
)

// route is one entry of the route table: the handler and its documentation.
type route struct {
	method, path string
	perm         perm
	handler      func(w http.ResponseWriter, r *http.Request, me *otklik.User)
	doc          doc
}

// New builds the API.
func New(o Options) *API {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{svc: o.Service, log: o.Logger, maxBody: o.MaxBodyBytes, version: o.Version, mux: http.NewServeMux(),
		events: o.Events, stop: make(chan struct{}), fileRules: o.FileRules}
	for _, rt := range a.table() {
		a.handle(rt)
	}
	a.spec = a.openAPI()
	a.mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(a.spec)
	})
	// Anything else under /api/ is a problem document, not the HTML 404 of the web UI.
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.Error(w, r, a.log, otklik.NotFound("error.route_not_found"))
	})
	return a
}

// Shutdown ends the open event streams, so that the server's graceful shutdown does not wait for them.
func (a *API) Shutdown() { a.stopped.Do(func() { close(a.stop) }) }

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Routes returns "METHOD PATH" of every route, for tests.
func (a *API) Routes() []string {
	out := make([]string, len(a.routes))
	for i, rt := range a.routes {
		out[i] = rt.method + " " + rt.path
	}
	return out
}

// handle registers one route with its permission check.
func (a *API) handle(rt route) {
	a.routes = append(a.routes, rt)
	h := rt.handler
	a.mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) {
		var me *otklik.User
		if rt.perm != public {
			var err error
			if me, err = a.authenticate(r); err != nil {
				httpx.Error(w, r, a.log, err)
				return
			}
			if !allowed(rt.perm, me.Role) {
				httpx.Error(w, r, a.log, otklik.Errorf(otklik.EFORBIDDEN, "auth.forbidden", map[string]string{"role": string(me.Role)}))
				return
			}
		}
		h(w, r, me)
	})
}

func allowed(p perm, role otklik.Role) bool {
	switch p {
	case staffWrite:
		return role.CanWriteTickets()
	case adminOnly:
		return role.CanAdminister()
	case supervision:
		return role == otklik.RoleAdmin || role == otklik.RoleSupervisor || role == otklik.RoleAuditor
	}
	return true
}

// authenticate reads the bearer token.
func (a *API) authenticate(r *http.Request) (*otklik.User, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.required", nil)
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_scheme", nil)
	}
	return a.svc.Authenticate(r.Context(), strings.TrimSpace(token))
}

// actor is the staff member acting through the API.
func actor(me *otklik.User) otklik.Actor { return me.Actor(otklik.ChannelAPI) }
