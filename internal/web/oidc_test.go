package web_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/testkit"
	"github.com/otklik/otklik/internal/web"
)

// standInProvider is a tiny OpenID Connect provider for tests only — not a real identity system: it
// discovers, serves its signing key, "authenticates" whoever the test names at once, and issues
// RS256-signed ID tokens carrying the nonce and, with PKCE, only to the verifier of the challenge.
type standInProvider struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	// callback is where /authorize sends the browser back (the site under test).
	callback string
	email    string
	verified bool

	mu    sync.Mutex
	codes map[string]url.Values // code → the authorize request
}

func newStandInProvider(t *testing.T) *standInProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &standInProvider{key: key, clientID: "otklik-portal", codes: map[string]url.Values{}, verified: true}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize",
			"token_endpoint": p.srv.URL + "/token", "jwks_uri": p.srv.URL + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		writeJSON(w, map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != p.clientID || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		code := base64.RawURLEncoding.EncodeToString([]byte(time.Now().String()))
		p.mu.Lock()
		p.codes[code] = q
		p.mu.Unlock()
		http.Redirect(w, r, p.callback+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		q, ok := p.codes[r.PostFormValue("code")]
		delete(p.codes, r.PostFormValue("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != q.Get("code_challenge") {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid_grant"})
			return
		}
		now := time.Now()
		idt := p.sign(t, map[string]any{"iss": p.srv.URL, "sub": "citizen-1", "aud": p.clientID, "iat": now.Unix(),
			"exp": now.Add(5 * time.Minute).Unix(), "nonce": q.Get("nonce"), "email": p.email, "email_verified": p.verified})
		writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *standInProvider) sign(t *testing.T, claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Error(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// TestOIDCSignInWithStandInProvider signs a citizen in through the OpenID Connect flow against
// standInProvider: the verified e-mail claim opens «Мои обращения»; an unverified one does not, and
// neither does a callback whose state is not the browser's.
func TestOIDCSignInWithStandInProvider(t *testing.T) {
	idp := newStandInProvider(t)
	d := newDesk(t, "sqlite", func(o *web.Options) {
		o.OIDC = web.OIDCOptions{Issuer: idp.srv.URL, ClientID: idp.clientID, ClientSecret: "s3cret",
			RedirectURL: "http://otklik.test/login/oidc/callback"}
	})
	idp.callback = d.srv.URL + "/login/oidc/callback"
	signIn := func(b *browser, email string, verified bool) reply {
		t.Helper()
		idp.email, idp.verified = email, verified
		start := b.do("GET", "/login/oidc?back=/my/"+d.number, nil)
		if start.code != http.StatusFound || !strings.HasPrefix(start.location, idp.srv.URL+"/authorize?") {
			t.Fatalf("start: %d → %q", start.code, start.location)
		}
		res, err := b.c.Get(start.location) // the provider "authenticates" at once
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		back, _ := url.Parse(res.Header.Get("Location"))
		return b.do("GET", back.RequestURI(), nil)
	}

	login := d.browser().do("GET", "/login", nil)
	if !strings.Contains(login.body, `href="/login/oidc?back=%2fmy"`) && !strings.Contains(login.body, `href="/login/oidc?back=/my"`) {
		t.Errorf("the sign-in page offers no external sign-in:\n%s", login.body)
	}
	testkit.CheckHTML(t, "login with oidc", []byte(login.body))

	ivan := d.browser()
	r := signIn(ivan, "Ivan.Petrov@example.ru", true)
	if r.code != http.StatusSeeOther || r.location != "/my/"+d.number {
		t.Fatalf("callback: %d → %q\n%s", r.code, r.location, r.body)
	}
	if my := ivan.do("GET", "/my", nil); my.code != http.StatusOK || !strings.Contains(my.body, d.number) {
		t.Fatalf("/my after OIDC sign-in: %d", my.code)
	}

	// An address the provider did not verify signs nobody in.
	eve := d.browser()
	if r := signIn(eve, "ivan.petrov@example.ru", false); r.code != http.StatusUnauthorized {
		t.Errorf("unverified e-mail: %d, want 401", r.code)
	}
	if r := eve.do("GET", "/my", nil); r.code != http.StatusSeeOther {
		t.Errorf("/my after a refused sign-in: %d", r.code)
	}
	// A callback with someone else's state (a forged link) is refused.
	if r := d.browser().do("GET", "/login/oidc/callback?code=x&state=forged", nil); r.code != http.StatusUnauthorized {
		t.Errorf("forged callback: %d, want 401", r.code)
	}
}
