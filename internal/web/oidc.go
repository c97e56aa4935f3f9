package web

// Citizens' sign-in through an external OpenID Connect provider (PRODUCT.md F26), so that a portal
// can plug in its identity system: the authorization code flow with PKCE, state and nonce; the ID
// token's verified e-mail claim signs the citizen in, exactly as a code sent to that address would.
// golang.org/x/oauth2 runs the flow and github.com/coreos/go-oidc/v3 discovers the provider and
// verifies its signed ID tokens (keys fetched and rotated from its JWKS).

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/otklik/otklik/internal/service"
)

// OIDCOptions configure the OpenID Connect sign-in; without an Issuer it is off.
type OIDCOptions struct {
	Issuer       string // the provider's issuer URL, where /.well-known/openid-configuration lives
	ClientID     string
	ClientSecret string
	RedirectURL  string // this site's https://…/login/oidc/callback, as registered with the provider
	// HTTPClient talks to the provider (nil: http.DefaultClient with a timeout).
	HTTPClient *http.Client
}

// oidcCookie carries the flow's state, nonce, PKCE verifier and where to go, for ten minutes, to the
// callback only.
const (
	oidcCookie   = "otklik_oidc"
	oidcFlowTTL  = 10 * time.Minute
	oidcCallback = "/login/oidc/callback"
)

// oidcClient discovers the provider on first use (not at start: the portal must run while the
// provider is away) and retries discovery after a failure.
type oidcClient struct {
	o    OIDCOptions
	mu   sync.Mutex
	conf *oauth2.Config
	ver  *oidc.IDTokenVerifier
}

func newOIDCClient(o OIDCOptions) *oidcClient {
	if o.Issuer == "" {
		return nil
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &oidcClient{o: o}
}

func (c *oidcClient) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.o.HTTPClient)
}

func (c *oidcClient) setup(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conf != nil {
		return c.conf, c.ver, nil
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.o.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("oidc discovery: %w", err)
	}
	c.conf = &oauth2.Config{ClientID: c.o.ClientID, ClientSecret: c.o.ClientSecret, RedirectURL: c.o.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email"}}
	c.ver = p.Verifier(&oidc.Config{ClientID: c.o.ClientID})
	return c.conf, c.ver, nil
}

// oidcStart sends the browser to the provider.
func (wb *Web) oidcStart(w http.ResponseWriter, r *http.Request) {
	conf, _, err := wb.oidc.setup(r.Context())
	if err != nil {
		wb.log.Error("oidc", "error", err)
		wb.oidcFailed(w, r)
		return
	}
	state, nonce, verifier := randomToken(24), randomToken(24), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier + "." +
		base64.RawURLEncoding.EncodeToString([]byte(citizenBack(r))),
		Path: oidcCallback, MaxAge: int(oidcFlowTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
	http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback takes the provider's answer: the state must match the cookie's, the code is exchanged
// for tokens, the ID token verified (issuer, audience, expiry, signature, nonce) and its e-mail must be
// verified by the provider.
func (wb *Web) oidcCallback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: oidcCallback, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
	parts := []string{}
	if err == nil {
		parts = strings.SplitN(c.Value, ".", 4)
	}
	q := r.URL.Query()
	if len(parts) != 4 || q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(q.Get("state"))) != 1 {
		wb.log.Info("oidc refused", "reason", "state")
		wb.oidcFailed(w, r)
		return
	}
	if e := q.Get("error"); e != "" {
		wb.log.Info("oidc refused by the provider", "error", e)
		wb.oidcFailed(w, r)
		return
	}
	email, err := wb.oidcEmail(r.Context(), q.Get("code"), parts[1], parts[2])
	if err != nil {
		wb.log.Info("oidc refused", "error", err)
		wb.oidcFailed(w, r)
		return
	}
	secret, err := wb.svc.SignInVerified(r.Context(), email, service.ViaOIDC, clientIP(r), r.UserAgent())
	if err != nil {
		wb.citizenFailErr(w, r, err)
		return
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[3])
	back := string(b)
	if !localPath(back) || !strings.HasPrefix(back, "/my") {
		back = "/my"
	}
	wb.startCitizenSession(w, r, secret, back)
}

// oidcEmail exchanges the code and returns the ID token's verified e-mail address.
func (wb *Web) oidcEmail(ctx context.Context, code, nonce, verifier string) (string, error) {
	conf, ver, err := wb.oidc.setup(ctx)
	if err != nil {
		return "", err
	}
	ctx = wb.oidc.ctx(ctx)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("no id_token")
	}
	idt, err := ver.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return "", errors.New("nonce mismatch")
	}
	var claims struct {
		Email    string          `json:"email"`
		Verified json.RawMessage `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	// Some providers send the flag as a string.
	if v := strings.Trim(string(claims.Verified), `"`); v != "true" || claims.Email == "" {
		return "", errors.New("e-mail not verified by the provider")
	}
	return claims.Email, nil
}

func (wb *Web) oidcFailed(w http.ResponseWriter, r *http.Request) {
	wb.renderCitizen(w, r, http.StatusUnauthorized, "portal_login", &page{Title: "ui.portal.login.title", Nav: "my",
		Error: "ui.portal.login.oidc_failed", Data: citizenLoginForm{Back: "/my", OIDC: true}})
}
