package mail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// Resolver looks up DNS TXT records; tests give a fake one (the real DNS is outside this machine).
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// AuthResults are the authentication verdicts of one inbound message, stored with it and shown to
// agents.
type AuthResults struct {
	SPF        string `json:"spf"` // pass, fail, softfail, neutral, none, temperror, permerror, or "none" without a client IP
	SPFDomain  string `json:"spf_domain,omitempty"`
	DKIM       string `json:"dkim"` // pass, fail, none, temperror
	DKIMDomain string `json:"dkim_domain,omitempty"`
	DMARC      string `json:"dmarc"` // pass, fail, none, temperror
	FromDomain string `json:"from_domain"`
	Policy     string `json:"dmarc_policy,omitempty"`
}

// JSON returns the results as stored.
func (a AuthResults) JSON() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// authenticator checks SPF, DKIM and DMARC, caching DNS answers for a few minutes.
type authenticator struct {
	resolver Resolver
	// authserv is the authserv-id of the MTA in front of Otklik: its Authentication-Results header
	// gives the SPF verdict when Otklik does not see the sending IP (LMTP, IMAP). Empty: trust none.
	authserv string
	mu       sync.Mutex
	cache    map[string]cached
}

type cached struct {
	txt   []string
	err   error
	until time.Time
}

const dnsTTL = 5 * time.Minute

func newAuthenticator(r Resolver, authserv string) *authenticator {
	if r == nil {
		r = net.DefaultResolver
	}
	return &authenticator{resolver: r, authserv: strings.ToLower(authserv), cache: map[string]cached{}}
}

func (a *authenticator) lookupTXT(name string) ([]string, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	a.mu.Lock()
	c, ok := a.cache[name]
	a.mu.Unlock()
	if ok && time.Now().Before(c.until) {
		return c.txt, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	txt, err := a.resolver.LookupTXT(ctx, name)
	a.mu.Lock()
	if len(a.cache) > 10_000 {
		a.cache = map[string]cached{}
	}
	a.cache[name] = cached{txt: txt, err: err, until: time.Now().Add(dnsTTL)}
	a.mu.Unlock()
	return txt, err
}

// check verifies raw's DKIM signatures, the client's SPF authorisation (when clientIP is known) and
// the From domain's DMARC policy with alignment.
func (a *authenticator) check(raw []byte, fromDomain, mailFrom, helo string, clientIP net.IP) AuthResults {
	res := AuthResults{SPF: "none", DKIM: "none", DMARC: "none", FromDomain: strings.ToLower(fromDomain)}

	var dkimPassDomains []string
	verifications, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: a.lookupTXT, MaxVerifications: 5})
	switch {
	case err != nil:
		res.DKIM = "permerror"
	case len(verifications) > 0:
		res.DKIM = "fail"
		for _, v := range verifications {
			switch {
			case v.Err == nil:
				res.DKIM, res.DKIMDomain = "pass", v.Domain
				dkimPassDomains = append(dkimPassDomains, strings.ToLower(v.Domain))
			case dkim.IsTempFail(v.Err) && res.DKIM != "pass":
				res.DKIM = "temperror"
			}
		}
	}

	spfDomain := domainOf(mailFrom)
	if spfDomain == "" {
		spfDomain = strings.ToLower(helo)
	}
	switch {
	case clientIP != nil && spfDomain != "":
		r, _ := spf.CheckHostWithSender(clientIP, helo, firstNonEmpty(mailFrom, "postmaster@"+spfDomain),
			spf.WithResolver(spfResolver{a}))
		res.SPF, res.SPFDomain = string(r), spfDomain
	case clientIP == nil && a.authserv != "":
		if v, d := a.trustedSPF(raw); v != "" {
			res.SPF, res.SPFDomain = v, d
		}
	}

	if res.FromDomain == "" {
		return res
	}
	rec, err := dmarc.LookupWithOptions(res.FromDomain, &dmarc.LookupOptions{LookupTXT: a.lookupTXT})
	if err != nil {
		if dmarc.IsTempFail(err) {
			res.DMARC = "temperror"
		}
		return res // no policy published: "none"
	}
	res.Policy = string(rec.Policy)
	aligned := func(d string, mode dmarc.AlignmentMode) bool {
		if d == "" {
			return false
		}
		if mode == dmarc.AlignmentStrict {
			return d == res.FromDomain
		}
		return orgDomain(d) == orgDomain(res.FromDomain)
	}
	res.DMARC = "fail"
	for _, d := range dkimPassDomains {
		if aligned(d, rec.DKIMAlignment) {
			res.DMARC = "pass"
		}
	}
	if res.SPF == "pass" && aligned(res.SPFDomain, rec.SPFAlignment) {
		res.DMARC = "pass"
	}
	return res
}

// trustedSPF returns the SPF verdict and domain that our own MTA recorded in an Authentication-Results
// header (RFC 8601) with our authserv-id. Only the header fields our MTA added count: those above the
// second Received field (the first is our MTA's own). A header further down with our authserv-id was
// written by someone else and is ignored — as is any verdict outside RFC 7208's words.
func (a *authenticator) trustedSPF(raw []byte) (verdict, domain string) {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return "", ""
	}
	received := 0
	for f := h.Fields(); f.Next(); {
		switch strings.ToLower(f.Key()) {
		case "received":
			if received++; received == 2 {
				return "", ""
			}
		case "authentication-results":
			id, results, err := authres.Parse(f.Value())
			if err != nil || strings.ToLower(id) != a.authserv {
				continue
			}
			for _, r := range results {
				spfRes, ok := r.(*authres.SPFResult)
				if !ok {
					continue
				}
				switch v := strings.ToLower(string(spfRes.Value)); v {
				case "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror":
					d := domainOf(spfRes.From)
					if d == "" && spfRes.From != "" && !strings.Contains(spfRes.From, "@") {
						d = strings.ToLower(spfRes.From) // smtp.mailfrom given as a bare domain
					}
					if d == "" {
						d = strings.ToLower(spfRes.Helo)
					}
					return v, d
				}
			}
		}
	}
	return "", ""
}

// orgDomain is the organisational domain (RFC 7489 3.2) by the Public Suffix List: mail.gosuslugi.ru →
// gosuslugi.ru, a.b.com.ru → b.com.ru.
func orgDomain(d string) string {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if o, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return o
	}
	return d
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.Trim(addr[i+1:], "> "))
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// spfResolver gives the SPF library our resolver for TXT and the system's for the rest (A, MX…).
type spfResolver struct{ a *authenticator }

func (r spfResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return r.a.lookupTXT(name)
}
func (r spfResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return net.DefaultResolver.LookupMX(ctx, name)
}
func (r spfResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return net.DefaultResolver.LookupIPAddr(ctx, host)
}
func (r spfResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return net.DefaultResolver.LookupAddr(ctx, addr)
}
