package service

// Staff sign-in for the browser workspace (PRODUCT.md F26): password, then a second factor (TOTP from
// an authenticator app, or a one-time recovery code), then a session cookie. A page handler drives it:
//
//	res, err := svc.SignIn(ctx, email, password, ip)     // auth.bad_credentials, auth.locked, auth.disabled
//	if res.Complete() {                                  // no second factor for this member
//		secret, err := svc.CreateSession(ctx, res.User.ID, ip, userAgent)   // → session cookie
//	}
//	// else keep res.Pending in a short-lived cookie and ask for the code (res.NeedTOTP) or enrol
//	// (res.NeedEnrol: BeginTOTP shows the QR code, ConfirmTOTP returns the recovery codes to show once):
//	u, err := svc.PendingUser(ctx, pending)
//	err = svc.VerifyTOTP(ctx, u.ID, code)                 // or UseRecoveryCode
//	secret, err := svc.RotateSession(ctx, pending, u.ID, ip, userAgent) // → session cookie
//
// Every request then calls SessionUser with the cookie. Failed passwords, codes and recovery codes
// count together: MaxFailedLogins in a row lock the account for LockoutDuration.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/otklik/otklik/internal/otklik"
)

// Sign-in limits.
const (
	// MaxFailedLogins failures in a row (passwords, codes, recovery codes) lock the account.
	MaxFailedLogins = 5
	// LockoutDuration is how long a locked account refuses every attempt, right or wrong.
	LockoutDuration = 15 * time.Minute
	// PendingSignInTTL is how long a member has for the second step after the password.
	PendingSignInTTL = 5 * time.Minute
	// SessionTouchEvery bounds how often a session's last activity is written: once a minute at most,
	// not once a request.
	SessionTouchEvery = time.Minute
	// RecoveryCodes is how many one-time recovery codes ConfirmTOTP issues.
	RecoveryCodes = 10
	// MaxRevealLimit caps Reveals.
	MaxRevealLimit = 1000
)

// TOTP parameters: those every authenticator app takes (RFC 6238 defaults).
const (
	TOTPIssuer = "Otklik"
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	totpAlgo   = otp.AlgorithmSHA1
)

// AuthOptions configure staff sign-in. Zero values take the defaults.
type AuthOptions struct {
	// TOTPRoles must enrol a second factor before they may work. Administrators and supervisors
	// always must, whatever the list says.
	TOTPRoles []otklik.Role
	// SessionIdle ends a session nobody used for this long (default 30 minutes).
	SessionIdle time.Duration
	// SessionLifetime ends a session this long after sign-in, however active (default 12 hours).
	SessionLifetime time.Duration
}

// Default session limits.
const (
	DefaultSessionIdle     = 30 * time.Minute
	DefaultSessionLifetime = 12 * time.Hour
)

func (o AuthOptions) withDefaults() AuthOptions {
	if o.SessionIdle <= 0 {
		o.SessionIdle = DefaultSessionIdle
	}
	if o.SessionLifetime <= 0 {
		o.SessionLifetime = DefaultSessionLifetime
	}
	return o
}

// TOTPRequired reports whether members of the role must have a second factor.
func (s *Service) TOTPRequired(r otklik.Role) bool {
	return r == otklik.RoleAdmin || r == otklik.RoleSupervisor || slices.Contains(s.auth.TOTPRoles, r)
}

// SignInResult is the outcome of a correct password.
type SignInResult struct {
	User *otklik.User
	// NeedTOTP: the member has a second factor; VerifyTOTP or UseRecoveryCode must pass before a session.
	NeedTOTP bool
	// NeedEnrol: the member's role requires a second factor and there is none yet; BeginTOTP and
	// ConfirmTOTP must pass before a session.
	NeedEnrol bool
	// Pending is the secret of the sign-in waiting for the second step (set when NeedTOTP or
	// NeedEnrol), valid for PendingSignInTTL. PendingUser tells whose it is; RotateSession turns it into
	// a session. It lets its holder do nothing else.
	Pending string
}

// Complete reports whether the sign-in needs no second step: CreateSession may follow at once.
func (r *SignInResult) Complete() bool { return !r.NeedTOTP && !r.NeedEnrol }

// dummyHash is spent on a sign-in with an unknown e-mail or a member without a password, so that
// neither answers faster than a wrong password (no timing oracle for who exists).
var dummyHash = sync.OnceValue(func() string { return HashPassword("otklik: nobody has this password") })

// SignIn checks a staff member's e-mail and password. An unknown e-mail and a wrong password give the
// same EUNAUTHORIZED "auth.bad_credentials" after the same work; a locked account gives ERATELIMITED
// "auth.locked" (minutes left in Args, the end in Data["locked_until"]) even with the right password;
// a disabled member gets EFORBIDDEN "auth.disabled". ip is logged with failures and kept on the
// pending sign-in.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (*SignInResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !otklik.IsCode(err, otklik.ENOTFOUND) {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	// The password hash runs outside the write transaction: it takes tens of milliseconds.
	hash := dummyHash()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok := CheckPassword(hash, password) && u != nil && u.PasswordHash != ""
	if u == nil {
		s.log.Info("sign-in refused", "reason", "unknown e-mail", "ip", ip)
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_credentials", nil)
	}
	res := &SignInResult{User: u}
	var refusal *otklik.Error
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		refusal, res.Pending = nil, ""
		a, err := tx.StaffAuthTx(ctx, u.ID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if refusal = lockedErr(a, now); refusal != nil {
			return nil
		}
		if !ok {
			refusal, err = s.countFailure(ctx, tx, a, now, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_credentials", nil))
			return err
		}
		if u.Disabled {
			refusal = otklik.Errorf(otklik.EFORBIDDEN, "auth.disabled", nil)
			return nil
		}
		if err := resetFailures(ctx, tx, a); err != nil {
			return err
		}
		res.NeedTOTP = a.TOTPEnabled()
		res.NeedEnrol = !res.NeedTOTP && s.TOTPRequired(u.Role)
		if res.Complete() {
			return nil
		}
		res.Pending, err = s.insertSession(ctx, tx, u.ID, ip, "", true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	if refusal != nil {
		s.log.Info("sign-in refused", "reason", refusal.Key, "user_id", u.ID, "ip", ip)
		return nil, refusal
	}
	return res, nil
}

// lockedErr returns the "auth.locked" error while a's lock lasts, else nil.
func lockedErr(a *otklik.StaffAuth, now time.Time) *otklik.Error {
	if a.LockedUntil == nil || !now.Before(*a.LockedUntil) {
		return nil
	}
	left := a.LockedUntil.Sub(now)
	return &otklik.Error{Code: otklik.ERATELIMITED, Key: "auth.locked",
		Args: map[string]string{"minutes": fmt.Sprint(int(math.Ceil(left.Minutes())))},
		Data: map[string]any{"locked_until": a.LockedUntil.UTC().Format(time.RFC3339)}}
}

// countFailure records a failed attempt and returns the refusal to give: why, or "auth.locked" when
// this failure locked the account. The count restarts after a lock.
func (s *Service) countFailure(ctx context.Context, tx otklik.Tx, a *otklik.StaffAuth, now time.Time, why *otklik.Error) (*otklik.Error, error) {
	a.FailedLogins++
	if a.FailedLogins >= MaxFailedLogins {
		until := now.Add(LockoutDuration)
		a.FailedLogins, a.LockedUntil = 0, &until
		s.log.Warn("staff account locked", "user_id", a.UserID, "until", until)
		why = lockedErr(a, now)
	}
	return why, tx.SetStaffAuth(ctx, a)
}

func resetFailures(ctx context.Context, tx otklik.Tx, a *otklik.StaffAuth) error {
	if a.FailedLogins == 0 && a.LockedUntil == nil {
		return nil
	}
	a.FailedLogins, a.LockedUntil = 0, nil
	return tx.SetStaffAuth(ctx, a)
}

// secondFactor runs a second-factor check for a member in one transaction: the lock and the member's
// state are checked, then check says whether the factor passed (and may change a); a pass resets the
// failure count, a failure counts towards the lock.
func (s *Service) secondFactor(ctx context.Context, userID int64, check func(tx otklik.Tx, a *otklik.StaffAuth, now time.Time) (*otklik.Error, error)) error {
	var refusal *otklik.Error
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		refusal = nil
		u, err := tx.UserByIDTx(ctx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			refusal = otklik.Errorf(otklik.EFORBIDDEN, "auth.disabled", nil)
			return nil
		}
		a, err := tx.StaffAuthTx(ctx, userID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if refusal = lockedErr(a, now); refusal != nil {
			return nil
		}
		why, err := check(tx, a, now)
		if err != nil {
			return err
		}
		if why != nil {
			refusal, err = s.countFailure(ctx, tx, a, now, why)
			return err
		}
		a.FailedLogins, a.LockedUntil = 0, nil
		return tx.SetStaffAuth(ctx, a)
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		s.log.Info("second factor refused", "reason", refusal.Key, "user_id", userID)
		return refusal
	}
	return nil
}

// VerifyTOTP checks a code from the member's authenticator app. A code of the previous or the next
// 30-second step is accepted too (clocks drift); a code whose step was already used — or any earlier
// one — is refused ("auth.code_used"), so a code seen over a shoulder cannot be replayed. Wrong and
// reused codes count towards the lock.
func (s *Service) VerifyTOTP(ctx context.Context, userID int64, code string) error {
	return s.secondFactor(ctx, userID, func(tx otklik.Tx, a *otklik.StaffAuth, now time.Time) (*otklik.Error, error) {
		if !a.TOTPEnabled() {
			return otklik.Errorf(otklik.ECONFLICT, "auth.totp_not_enabled", nil), nil
		}
		step, ok := matchTOTP(a.TOTPSecret, code, now)
		switch {
		case !ok:
			return otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_code", nil), nil
		case step <= a.TOTPLastStep:
			return otklik.Errorf(otklik.EUNAUTHORIZED, "auth.code_used", nil), nil
		}
		a.TOTPLastStep = step
		return nil, nil
	})
}

// matchTOTP returns the time step (now or one either side) whose code is code.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for _, d := range []int64{0, -1, 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step+d), hotp.ValidateOpts{Digits: totpDigits, Algorithm: totpAlgo})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// BeginTOTP starts enrolment: a new secret, its otpauth:// URL and that URL as a QR code (PNG) for the
// member's authenticator app. Nothing is stored: the caller keeps the secret until ConfirmTOTP. A
// member who has a second factor gets ECONFLICT "auth.totp_enabled" (an administrator's ResetSecondFactor
// comes first).
func (s *Service) BeginTOTP(ctx context.Context, userID int64) (secret, otpauthURL string, qrPNG []byte, err error) {
	var email string
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByIDTx(ctx, userID)
		if err != nil {
			return err
		}
		a, err := tx.StaffAuthTx(ctx, userID)
		if err != nil {
			return err
		}
		if a.TOTPEnabled() {
			return otklik.Errorf(otklik.ECONFLICT, "auth.totp_enabled", nil)
		}
		email = u.Email
		return nil
	})
	if err != nil {
		return "", "", nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email, Period: totpPeriod,
		Digits: totpDigits, Algorithm: totpAlgo})
	if err != nil {
		return "", "", nil, fmt.Errorf("begin totp: %w", err)
	}
	otpauthURL, qrPNG, err = TOTPQR(email, key.Secret())
	return key.Secret(), otpauthURL, qrPNG, err
}

// TOTPQR returns the otpauth:// URL and its QR code (PNG) of a TOTP secret for the member with the
// e-mail: what an authenticator app scans. An enrolment page shows it again after a mistyped code.
func TOTPQR(email, secret string) (otpauthURL string, qrPNG []byte, err error) {
	v := url.Values{}
	v.Set("secret", strings.ToUpper(strings.TrimSpace(secret)))
	v.Set("issuer", TOTPIssuer)
	v.Set("algorithm", totpAlgo.String())
	v.Set("digits", totpDigits.String())
	v.Set("period", strconv.Itoa(totpPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + TOTPIssuer + ":" + email, RawQuery: v.Encode()}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return "", nil, fmt.Errorf("totp key: %w", err)
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return "", nil, fmt.Errorf("totp qr: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", nil, fmt.Errorf("totp qr: %w", err)
	}
	return key.URL(), b.Bytes(), nil
}

// ConfirmTOTP finishes enrolment: code must be the app's current code for secret (from BeginTOTP).
// Then the secret is stored and RecoveryCodes one-time recovery codes are returned — shown to the
// member once; only their hashes are kept. A wrong code is EINVALID on "code" and changes nothing.
func (s *Service) ConfirmTOTP(ctx context.Context, userID int64, secret, code string) (recoveryCodes []string, err error) {
	secret = strings.ToUpper(strings.TrimSpace(secret))
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil || len(raw) < 10 {
		return nil, otklik.Invalid(otklik.FieldError{Field: "secret", Key: "auth.totp_bad_secret"})
	}
	codes, hashes := newRecoveryCodes()
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByIDTx(ctx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return otklik.Errorf(otklik.EFORBIDDEN, "auth.disabled", nil)
		}
		a, err := tx.StaffAuthTx(ctx, userID)
		if err != nil {
			return err
		}
		if a.TOTPEnabled() {
			return otklik.Errorf(otklik.ECONFLICT, "auth.totp_enabled", nil)
		}
		now := tx.Now()
		step, ok := matchTOTP(secret, code, now)
		if !ok {
			return otklik.Invalid(otklik.FieldError{Field: "code", Key: "auth.bad_code"})
		}
		a.TOTPSecret, a.TOTPEnabledAt, a.TOTPLastStep = secret, &now, step
		if err := tx.SetStaffAuth(ctx, a); err != nil {
			return err
		}
		return tx.ReplaceRecoveryCodes(ctx, userID, hashes)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// newRecoveryCodes makes RecoveryCodes codes of 80 random bits each, as xxxx-xxxx-xxxx-xxxx in
// base32, and their stored hashes. 80 bits make a fast hash as safe as a password hash.
func newRecoveryCodes() (codes []string, hashes [][]byte) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range RecoveryCodes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		s := strings.ToLower(enc.EncodeToString(b))
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, recoveryHash(code))
	}
	return codes, hashes
}

// recoveryHash hashes a recovery code as typed: case, spaces and dashes do not matter.
func recoveryHash(code string) []byte {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, code)
	return TokenHash("recovery:" + norm)
}

// UseRecoveryCode lets a member who lost the app pass the second step with one of the recovery codes,
// which is then used up. A wrong or used code is EUNAUTHORIZED "auth.bad_recovery_code" and counts
// towards the lock.
func (s *Service) UseRecoveryCode(ctx context.Context, userID int64, code string) error {
	hash := recoveryHash(code)
	return s.secondFactor(ctx, userID, func(tx otklik.Tx, a *otklik.StaffAuth, now time.Time) (*otklik.Error, error) {
		ok, err := tx.UseRecoveryCode(ctx, userID, hash, now)
		if err != nil || ok {
			return nil, err
		}
		return otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_recovery_code", nil), nil
	})
}

// Sessions.

// newSessionSecret returns a session secret of 256 random bits; only TokenHash of it is stored.
func newSessionSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// insertSession stores a new session (a pending sign-in when pending) and returns its secret.
func (s *Service) insertSession(ctx context.Context, tx otklik.Tx, userID int64, ip, userAgent string, pending bool) (string, error) {
	now := tx.Now()
	ttl := s.auth.SessionLifetime
	if pending {
		ttl = PendingSignInTTL
	}
	secret := newSessionSecret()
	return secret, tx.InsertSession(ctx, &otklik.Session{Hash: TokenHash(secret), UserID: userID, Pending: pending,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(ttl), IP: clip(ip, 64), UserAgent: clip(userAgent, 512)})
}

// clip returns s as valid UTF-8 of at most n bytes.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// CreateSession starts a session for a member who passed every sign-in step and returns its secret
// (for the cookie; only its SHA-256 is stored). A disabled member gets EFORBIDDEN "auth.disabled".
func (s *Service) CreateSession(ctx context.Context, userID int64, ip, userAgent string) (string, error) {
	var secret string
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		secret, err = s.startSession(ctx, tx, userID, ip, userAgent)
		return err
	})
	return secret, err
}

// startSession starts a working session for member userID unless the member is disabled
// (EFORBIDDEN "auth.disabled").
func (s *Service) startSession(ctx context.Context, tx otklik.Tx, userID int64, ip, userAgent string) (string, error) {
	u, err := tx.UserByIDTx(ctx, userID)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", otklik.Errorf(otklik.EFORBIDDEN, "auth.disabled", nil)
	}
	return s.insertSession(ctx, tx, userID, ip, userAgent, false)
}

// RotateSession ends the session (or pending sign-in) old and starts a new one for userID in one
// transaction: call it when a sign-in completes, so that a secret planted or seen before sign-in
// (session fixation) is worth nothing after it.
func (s *Service) RotateSession(ctx context.Context, old string, userID int64, ip, userAgent string) (string, error) {
	var secret string
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.RevokeSession(ctx, TokenHash(old), tx.Now()); err != nil {
			return err
		}
		var err error
		secret, err = s.startSession(ctx, tx, userID, ip, userAgent)
		return err
	})
	return secret, err
}

// liveSession returns the session of secret and its member if the session is neither revoked nor
// past its end and the member is enabled, else EUNAUTHORIZED "auth.session_expired".
func (s *Service) liveSession(ctx context.Context, secret string, pending bool, now time.Time) (*otklik.User, *otklik.Session, error) {
	expired := otklik.Errorf(otklik.EUNAUTHORIZED, "auth.session_expired", nil)
	if secret == "" {
		return nil, nil, expired
	}
	ss, u, err := s.store.SessionByHash(ctx, TokenHash(secret))
	if otklik.IsCode(err, otklik.EUNAUTHORIZED) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	if ss.Pending != pending || ss.RevokedAt != nil || !now.Before(ss.ExpiresAt) || u.Disabled {
		return nil, nil, expired
	}
	return u, ss, nil
}

// SessionUser returns the member and the session of a session secret, or EUNAUTHORIZED
// "auth.session_expired" when the session is unknown, pending, revoked, idle for SessionIdle, older
// than SessionLifetime, or its member is disabled. The last activity is written at most once per
// SessionTouchEvery.
func (s *Service) SessionUser(ctx context.Context, secret string) (*otklik.User, *otklik.Session, error) {
	now := s.now()
	u, ss, err := s.liveSession(ctx, secret, false, now)
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(ss.LastSeenAt) >= s.auth.SessionIdle {
		return nil, nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.session_expired", nil)
	}
	if now.Sub(ss.LastSeenAt) >= SessionTouchEvery {
		err := s.store.Write(ctx, func(tx otklik.Tx) error { return tx.TouchSession(ctx, ss.Hash, now) })
		if err != nil {
			return nil, nil, fmt.Errorf("session: %w", err)
		}
		ss.LastSeenAt = now
	}
	return u, ss, nil
}

// PendingUser returns the member of a pending sign-in (SignInResult.Pending) still within
// PendingSignInTTL, or EUNAUTHORIZED "auth.session_expired".
func (s *Service) PendingUser(ctx context.Context, pending string) (*otklik.User, error) {
	u, _, err := s.liveSession(ctx, pending, true, s.now())
	return u, err
}

// RevokeSession ends a session (sign out). An unknown or ended one is no error.
func (s *Service) RevokeSession(ctx context.Context, secret string) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error { return tx.RevokeSession(ctx, TokenHash(secret), tx.Now()) })
}

// ResetSecondFactor removes a member's second factor and recovery codes (they lost the app) and ends
// every session of theirs, as administrator actor, in one transaction recorded in the administration
// journal. A member whose role requires a second factor enrols again at the next sign-in.
func (s *Service) ResetSecondFactor(ctx context.Context, actor otklik.Actor, userID int64) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByIDTx(ctx, userID)
		if err != nil {
			return err
		}
		a, err := tx.StaffAuthTx(ctx, userID)
		if err != nil {
			return err
		}
		a.TOTPSecret, a.TOTPEnabledAt, a.TOTPLastStep = "", nil, 0
		if err := tx.SetStaffAuth(ctx, a); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, userID, nil); err != nil {
			return err
		}
		if _, err := tx.RevokeUserSessions(ctx, userID, tx.Now()); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actor, otklik.AdminUser, u.Email, otklik.AdminChanged, nil, nil, ReasonSecondFactorReset)
	})
}

// SignOutMember ends every session of a member, as administrator actor, recorded in the
// administration journal (a member signing themselves out everywhere is RevokeAllSessions).
func (s *Service) SignOutMember(ctx context.Context, actor otklik.Actor, userID int64) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByIDTx(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.RevokeUserSessions(ctx, userID, tx.Now()); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actor, otklik.AdminUser, u.Email, otklik.AdminChanged, nil, nil, ReasonSignedOut)
	})
}

// The reasons of the administration records of a member's changes that their fields do not show.
const (
	ReasonSecondFactorReset = "второй фактор и коды восстановления сброшены, все сеансы завершены"
	ReasonSignedOut         = "все сеансы завершены"
)

// RevokeAllSessions ends every session of a member (sign out everywhere) and returns how many it ended.
func (s *Service) RevokeAllSessions(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		n, err = tx.RevokeUserSessions(ctx, userID, tx.Now())
		return err
	})
	return n, err
}

// Personal data reveals.

// MaxRevealFieldLen bounds the name of a revealed field.
const MaxRevealFieldLen = 100

// RecordReveal logs that a member was shown a hidden piece of a ticket's personal data (field names
// it, such as "requester.snils"), for the auditor.
func (s *Service) RecordReveal(ctx context.Context, userID, ticketID int64, field string) error {
	var v otklik.Validation
	field = cleanLine(&v, "field", field, MaxRevealFieldLen, true)
	if err := v.Err(); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		return tx.InsertReveal(ctx, &otklik.Reveal{UserID: userID, TicketID: ticketID, Field: field, At: tx.Now()})
	})
}

// Reveals returns the reveals matching f, newest first: 100 when f.Limit is 0, at most MaxRevealLimit.
func (s *Service) Reveals(ctx context.Context, f otklik.RevealFilter) ([]otklik.Reveal, error) {
	f.Limit = readLimit(f.Limit, MaxRevealLimit)
	return s.store.Reveals(ctx, f)
}
