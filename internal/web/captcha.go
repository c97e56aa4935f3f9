package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/pow"
)

// The portal form's captcha is self-hosted and tracks nobody. The server signs a challenge; the
// browser (static/portal.js, SHA-256 through crypto.subtle) finds a nonce such that SHA-256 of
// "challenge:nonce" starts with powBits zero bits, about 2^powBits hashes — well under a second on a
// phone — and posts it with the form. A browser without JavaScript (or without crypto.subtle, as on a
// plain-HTTP address) answers a sum of two digits instead, asked in words on the page; that path is
// weaker, so it has a tighter limit per address (arithLimit).
//
// The challenge is bound to the form's one-time token, which makes at most one ticket (the
// idempotency key's unique index in the database, on every node): a solved challenge cannot file a
// second request, and the same form sent again (a double click, back and resubmit) returns the same
// ticket. It expires after challengeTTL. The signing key is derived from the files' master key
// (sealed.Keyring.Derive), which every node already shares to open each other's files, so a
// challenge issued by one node is accepted by another and survives a restart; without a vault (a node
// that stores no files) the key is random per process and challenges work on that node only.
const (
	powBits      = 14
	challengeTTL = 2 * time.Hour
)

// challenge is what the form page carries: the signed token and, for the fallback, the question.
type challenge struct {
	Token string
	A, B  int
	Bits  int
}

type captcha struct {
	key []byte
}

func (c *captcha) mac(parts ...string) string {
	m := hmac.New(sha256.New, c.key)
	for _, p := range parts {
		m.Write([]byte(strconv.Itoa(len(p))))
		m.Write([]byte{':'})
		m.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// issue makes a challenge for the form with the one-time token form.
func (c *captcha) issue(form string, now time.Time) challenge {
	a, b := smallRandom(2, 9), smallRandom(1, 9)
	payload := "1." + strconv.FormatInt(now.Add(challengeTTL).Unix(), 10) + "." + strconv.Itoa(powBits) + "." + randomToken(9)
	tok := payload + "." + c.mac("challenge", payload, form) + "." + c.mac("sum", payload, form, strconv.Itoa(a+b))
	return challenge{Token: tok, A: a, B: b, Bits: powBits}
}

// captchaResult is the verdict on a posted challenge.
type captchaResult int

const (
	captchaFailed  captchaResult = iota // forged, of another form, or neither solved nor answered
	captchaExpired                      // older than challengeTTL
	captchaPoW                          // the proof of work is right
	captchaSum                          // the fallback's sum is right
)

// verify checks a posted challenge for the form token form: the proof-of-work nonce, or else the
// answer to the question.
func (c *captcha) verify(tok, form, nonce, answer string, now time.Time) captchaResult {
	parts := strings.Split(tok, ".")
	if len(parts) != 6 || parts[0] != "1" {
		return captchaFailed
	}
	payload := strings.Join(parts[:4], ".")
	if subtle.ConstantTimeCompare([]byte(parts[4]), []byte(c.mac("challenge", payload, form))) != 1 {
		return captchaFailed
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return captchaFailed
	}
	if now.Unix() > exp {
		return captchaExpired
	}
	need, err := strconv.Atoi(parts[2])
	if err != nil || need < 1 || need > 32 {
		return captchaFailed
	}
	if nonce != "" && len(nonce) <= 32 && pow.Solved(tok, nonce, need) {
		return captchaPoW
	}
	answer = strings.TrimSpace(answer)
	if answer != "" && len(answer) <= 4 {
		if n, err := strconv.Atoi(answer); err == nil &&
			subtle.ConstantTimeCompare([]byte(parts[5]), []byte(c.mac("sum", payload, form, strconv.Itoa(n)))) == 1 {
			return captchaSum
		}
	}
	return captchaFailed
}

// smallRandom is a random integer in [lo, hi].
func smallRandom(lo, hi int) int {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(hi-lo+1)))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return lo + int(n.Int64())
}
