package service_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

const authPassword = "correct horse battery staple"

type authFixture struct {
	svc   *service.Service
	st    otklik.Store
	clock *testkit.Clock
	users map[otklik.Role]*otklik.User
}

// newAuthFixture opens a store of the engine with one member of each role, all with authPassword.
func newAuthFixture(t *testing.T, engine string, o service.AuthOptions) *authFixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
	svc := service.New(service.Options{Store: st, Now: clock.Now, Auth: o, Mail: service.MailOptions{Address: "support@example.ru"}})
	f := &authFixture{svc: svc, st: st, clock: clock, users: map[otklik.Role]*otklik.User{}}
	for _, r := range otklik.Roles {
		u, err := svc.AddUser(context.Background(), service.NewUser{Email: string(r) + "@example.ru", Name: "Сотрудник " + string(r),
			Role: r, Password: authPassword})
		if err != nil {
			t.Fatal(err)
		}
		f.users[r] = u
	}
	return f
}

// wantErr fails unless err is an *otklik.Error with the code and key.
func wantErr(t *testing.T, err error, code otklik.Code, key string) *otklik.Error {
	t.Helper()
	e, ok := err.(*otklik.Error)
	if !ok || e.Code != code || e.Key != key {
		t.Fatalf("got error %v, want %s %s", err, code, key)
	}
	return e
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// code returns the authenticator app's code for secret at the service clock plus d.
func (f *authFixture) code(t *testing.T, secret string, d time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, f.clock.Now().Add(d))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol signs the member in, enrols a second factor and returns its secret and recovery codes. The
// clock then moves to the next 30-second step, so that the next code is a new one.
func (f *authFixture) enrol(t *testing.T, r otklik.Role) (string, []string) {
	t.Helper()
	ctx := context.Background()
	u := f.users[r]
	secret, _, _, err := f.svc.BeginTOTP(ctx, u.ID)
	mustNoErr(t, err)
	codes, err := f.svc.ConfirmTOTP(ctx, u.ID, secret, f.code(t, secret, 0))
	mustNoErr(t, err)
	f.clock.Add(30 * time.Second)
	return secret, codes
}

func TestSignInPassword(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()

		_, err := f.svc.SignIn(ctx, "operator@example.ru", "wrong password!!", "192.0.2.1")
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.bad_credentials")
		_, err = f.svc.SignIn(ctx, "nobody@example.ru", authPassword, "192.0.2.1")
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.bad_credentials")

		res, err := f.svc.SignIn(ctx, "  Operator@Example.RU ", authPassword, "192.0.2.1")
		mustNoErr(t, err)
		if res.User.ID != f.users[otklik.RoleOperator].ID || !res.Complete() || res.Pending != "" {
			t.Fatalf("operator: got %+v, want a complete sign-in of the operator without a pending secret", res)
		}
		for _, r := range []otklik.Role{otklik.RoleAdmin, otklik.RoleSupervisor} {
			res, err := f.svc.SignIn(ctx, string(r)+"@example.ru", authPassword, "192.0.2.1")
			mustNoErr(t, err)
			if !res.NeedEnrol || res.NeedTOTP || res.Pending == "" {
				t.Errorf("%s: got %+v, want enrolment required with a pending secret", r, res)
			}
			// A pending sign-in is not a session.
			_, _, err = f.svc.SessionUser(ctx, res.Pending)
			wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
			if u, err := f.svc.PendingUser(ctx, res.Pending); err != nil || u.ID != f.users[r].ID {
				t.Errorf("%s: PendingUser = %v, %v", r, u, err)
			}
		}
		// A pending sign-in lasts PendingSignInTTL.
		res, err = f.svc.SignIn(ctx, "admin@example.ru", authPassword, "")
		mustNoErr(t, err)
		f.clock.Add(service.PendingSignInTTL)
		_, err = f.svc.PendingUser(ctx, res.Pending)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
	})
}

func TestTOTPRolesOption(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{TOTPRoles: []otklik.Role{otklik.RoleOperator}})
		for r, want := range map[otklik.Role]bool{otklik.RoleOperator: true, otklik.RoleSenior: false, otklik.RoleAdmin: true} {
			res, err := f.svc.SignIn(context.Background(), string(r)+"@example.ru", authPassword, "")
			mustNoErr(t, err)
			if res.NeedEnrol != want {
				t.Errorf("%s: NeedEnrol = %v, want %v", r, res.NeedEnrol, want)
			}
		}
	})
}

func TestSignInLockout(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		signIn := func(pw string) error {
			_, err := f.svc.SignIn(ctx, "senior@example.ru", pw, "198.51.100.7")
			return err
		}
		// A success resets the count: four failures, a success, four failures do not lock.
		for range 4 {
			wantErr(t, signIn("wrong password!!"), otklik.EUNAUTHORIZED, "auth.bad_credentials")
		}
		mustNoErr(t, signIn(authPassword))
		for range 4 {
			wantErr(t, signIn("wrong password!!"), otklik.EUNAUTHORIZED, "auth.bad_credentials")
		}
		// The fifth failure in a row locks for 15 minutes.
		e := wantErr(t, signIn("wrong password!!"), otklik.ERATELIMITED, "auth.locked")
		if got := e.Args["minutes"]; got != "15" {
			t.Errorf("minutes left = %q, want 15", got)
		}
		if got, want := e.Data["locked_until"], f.clock.Now().Add(15*time.Minute).Format(time.RFC3339); got != want {
			t.Errorf("locked_until = %v, want %v", got, want)
		}
		// Locked: even the right password is refused.
		f.clock.Add(14*time.Minute + 10*time.Second)
		e = wantErr(t, signIn(authPassword), otklik.ERATELIMITED, "auth.locked")
		if got := e.Args["minutes"]; got != "1" {
			t.Errorf("minutes left = %q, want 1", got)
		}
		f.clock.Add(50 * time.Second)
		mustNoErr(t, signIn(authPassword))
		// Another member is not locked by this one's failures.
		if _, err := f.svc.SignIn(ctx, "operator@example.ru", authPassword, ""); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTOTPEnrolAndVerify(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		admin := f.users[otklik.RoleAdmin]

		res, err := f.svc.SignIn(ctx, admin.Email, authPassword, "203.0.113.5")
		mustNoErr(t, err)
		if !res.NeedEnrol {
			t.Fatalf("got %+v, want enrolment", res)
		}
		secret, url, qr, err := f.svc.BeginTOTP(ctx, admin.ID)
		mustNoErr(t, err)
		if !strings.HasPrefix(url, "otpauth://totp/Otklik:admin@example.ru?") || !strings.Contains(url, "issuer=Otklik") ||
			!strings.Contains(url, "period=30") || !strings.Contains(url, "digits=6") || !strings.Contains(url, "algorithm=SHA1") ||
			!strings.Contains(url, "secret="+secret) {
			t.Errorf("otpauth URL %q", url)
		}
		if !bytes.HasPrefix(qr, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("QR code is not a PNG")
		}
		// Nothing is stored before confirmation: the member still has to enrol.
		res2, err := f.svc.SignIn(ctx, admin.Email, authPassword, "")
		mustNoErr(t, err)
		if !res2.NeedEnrol {
			t.Fatalf("after BeginTOTP: got %+v, want enrolment still", res2)
		}

		_, err = f.svc.ConfirmTOTP(ctx, admin.ID, secret, f.code(t, secret, -2*time.Minute))
		if e := wantErr(t, err, otklik.EINVALID, "error.validation"); e.Fields[0].Key != "auth.bad_code" {
			t.Errorf("fields %+v", e.Fields)
		}
		confirmCode := f.code(t, secret, 0)
		codes, err := f.svc.ConfirmTOTP(ctx, admin.ID, secret, confirmCode)
		mustNoErr(t, err)
		seen := map[string]bool{}
		for _, c := range codes {
			seen[c] = true
		}
		if len(codes) != 10 || len(seen) != 10 || len(codes[0]) != 19 {
			t.Errorf("recovery codes %q: want 10 distinct xxxx-xxxx-xxxx-xxxx", codes)
		}
		_, _, _, err = f.svc.BeginTOTP(ctx, admin.ID)
		wantErr(t, err, otklik.ECONFLICT, "auth.totp_enabled")

		res, err = f.svc.SignIn(ctx, admin.Email, authPassword, "")
		mustNoErr(t, err)
		if !res.NeedTOTP || res.NeedEnrol || res.Complete() {
			t.Fatalf("after enrolment: got %+v, want the TOTP step", res)
		}
		// The code that confirmed enrolment cannot be used again, nor can any other of its step.
		wantErr(t, f.svc.VerifyTOTP(ctx, admin.ID, confirmCode), otklik.EUNAUTHORIZED, "auth.code_used")
		wantErr(t, f.svc.VerifyTOTP(ctx, admin.ID, "12345"), otklik.EUNAUTHORIZED, "auth.bad_code")

		f.clock.Add(30 * time.Second)
		c := f.code(t, secret, 0)
		mustNoErr(t, f.svc.VerifyTOTP(ctx, admin.ID, c))
		wantErr(t, f.svc.VerifyTOTP(ctx, admin.ID, c), otklik.EUNAUTHORIZED, "auth.code_used")

		// Skew: one step either side is accepted, two are not; a step before the last used is refused.
		f.clock.Add(5 * time.Minute)
		wantErr(t, f.svc.VerifyTOTP(ctx, admin.ID, f.code(t, secret, -60*time.Second)), otklik.EUNAUTHORIZED, "auth.bad_code")
		wantErr(t, f.svc.VerifyTOTP(ctx, admin.ID, f.code(t, secret, 60*time.Second)), otklik.EUNAUTHORIZED, "auth.bad_code")
		mustNoErr(t, f.svc.VerifyTOTP(ctx, admin.ID, f.code(t, secret, -30*time.Second)))
		mustNoErr(t, f.svc.VerifyTOTP(ctx, admin.ID, f.code(t, secret, 30*time.Second)))
		wantErr(t, f.svc.VerifyTOTP(ctx, admin.ID, f.code(t, secret, 0)), otklik.EUNAUTHORIZED, "auth.code_used")

		// The pending sign-in becomes a session; the pending secret is spent.
		f.clock.Add(30 * time.Second)
		mustNoErr(t, f.svc.VerifyTOTP(ctx, admin.ID, f.code(t, secret, 30*time.Second)))
		sess, err := f.svc.RotateSession(ctx, res.Pending, admin.ID, "203.0.113.5", "Firefox")
		mustNoErr(t, err)
		u, ss, err := f.svc.SessionUser(ctx, sess)
		mustNoErr(t, err)
		if u.ID != admin.ID || ss.IP != "203.0.113.5" || ss.UserAgent != "Firefox" {
			t.Errorf("session of %d from %q %q", u.ID, ss.IP, ss.UserAgent)
		}
		_, err = f.svc.PendingUser(ctx, res.Pending)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		// A member without a second factor cannot verify a code.
		wantErr(t, f.svc.VerifyTOTP(ctx, f.users[otklik.RoleOperator].ID, "123456"), otklik.ECONFLICT, "auth.totp_not_enabled")

		// An administrator's reset: enrolment again, old codes and recovery codes void.
		mustNoErr(t, f.svc.ResetSecondFactor(ctx, anAdmin, admin.ID))
		res, err = f.svc.SignIn(ctx, admin.Email, authPassword, "")
		mustNoErr(t, err)
		if !res.NeedEnrol {
			t.Errorf("after ResetSecondFactor: got %+v, want enrolment", res)
		}
		wantErr(t, f.svc.UseRecoveryCode(ctx, admin.ID, codes[0]), otklik.EUNAUTHORIZED, "auth.bad_recovery_code")
	})
}

func TestSecondFactorFailuresLock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		sup := f.users[otklik.RoleSupervisor]
		secret, _ := f.enrol(t, otklik.RoleSupervisor)

		// Wrong codes, a reused one and a wrong recovery code count with wrong passwords.
		wantErr(t, f.svc.VerifyTOTP(ctx, sup.ID, "000000"), otklik.EUNAUTHORIZED, "auth.bad_code")
		good := f.code(t, secret, 0)
		mustNoErr(t, f.svc.VerifyTOTP(ctx, sup.ID, good)) // a success resets the count
		wantErr(t, f.svc.VerifyTOTP(ctx, sup.ID, good), otklik.EUNAUTHORIZED, "auth.code_used")
		wantErr(t, f.svc.VerifyTOTP(ctx, sup.ID, "000000"), otklik.EUNAUTHORIZED, "auth.bad_code")
		wantErr(t, f.svc.UseRecoveryCode(ctx, sup.ID, "aaaa-bbbb-cccc-dddd"), otklik.EUNAUTHORIZED, "auth.bad_recovery_code")
		_, err := f.svc.SignIn(ctx, sup.Email, "wrong password!!", "")
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.bad_credentials")
		wantErr(t, f.svc.VerifyTOTP(ctx, sup.ID, "000000"), otklik.ERATELIMITED, "auth.locked")

		// Locked: a right code and a right password are refused until the lock ends.
		f.clock.Add(30 * time.Second)
		wantErr(t, f.svc.VerifyTOTP(ctx, sup.ID, f.code(t, secret, 0)), otklik.ERATELIMITED, "auth.locked")
		_, err = f.svc.SignIn(ctx, sup.Email, authPassword, "")
		wantErr(t, err, otklik.ERATELIMITED, "auth.locked")
		f.clock.Add(15 * time.Minute)
		mustNoErr(t, f.svc.VerifyTOTP(ctx, sup.ID, f.code(t, secret, 0)))
	})
}

func TestRecoveryCodes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		admin, sup := f.users[otklik.RoleAdmin], f.users[otklik.RoleSupervisor]
		_, codes := f.enrol(t, otklik.RoleAdmin)
		_, supCodes := f.enrol(t, otklik.RoleSupervisor)

		mustNoErr(t, f.svc.UseRecoveryCode(ctx, admin.ID, codes[0]))
		wantErr(t, f.svc.UseRecoveryCode(ctx, admin.ID, codes[0]), otklik.EUNAUTHORIZED, "auth.bad_recovery_code")
		// Typed in capitals with spaces instead of dashes: the same code.
		mustNoErr(t, f.svc.UseRecoveryCode(ctx, admin.ID, strings.ToUpper(strings.ReplaceAll(codes[1], "-", " "))))
		// Another member's code is not this member's.
		wantErr(t, f.svc.UseRecoveryCode(ctx, admin.ID, supCodes[0]), otklik.EUNAUTHORIZED, "auth.bad_recovery_code")
		mustNoErr(t, f.svc.UseRecoveryCode(ctx, sup.ID, supCodes[0]))
	})
}

func TestSessionExpiry(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		op := f.users[otklik.RoleOperator]
		secret, err := f.svc.CreateSession(ctx, op.ID, "192.0.2.9", "curl")
		mustNoErr(t, err)
		start := f.clock.Now()

		// Last activity is written at most once a minute.
		f.clock.Add(30 * time.Second)
		_, ss, err := f.svc.SessionUser(ctx, secret)
		mustNoErr(t, err)
		stored, _, err := f.st.SessionByHash(ctx, service.TokenHash(secret))
		mustNoErr(t, err)
		if !ss.LastSeenAt.Equal(start) || !stored.LastSeenAt.Equal(start) {
			t.Errorf("after 30 s: last seen %v (stored %v), want %v", ss.LastSeenAt, stored.LastSeenAt, start)
		}
		f.clock.Add(31 * time.Second)
		_, _, err = f.svc.SessionUser(ctx, secret)
		mustNoErr(t, err)
		stored, _, err = f.st.SessionByHash(ctx, service.TokenHash(secret))
		mustNoErr(t, err)
		if !stored.LastSeenAt.Equal(f.clock.Now()) {
			t.Errorf("after 61 s: stored last seen %v, want %v", stored.LastSeenAt, f.clock.Now())
		}

		// Idle timeout: 29 minutes of silence are fine, 30 are not.
		f.clock.Add(29 * time.Minute)
		_, _, err = f.svc.SessionUser(ctx, secret)
		mustNoErr(t, err)
		f.clock.Add(30 * time.Minute)
		_, _, err = f.svc.SessionUser(ctx, secret)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		// Absolute lifetime: a session used every 20 minutes still ends 12 hours after sign-in.
		secret, err = f.svc.CreateSession(ctx, op.ID, "", "")
		mustNoErr(t, err)
		start = f.clock.Now()
		for f.clock.Now().Before(start.Add(12*time.Hour - 20*time.Minute)) {
			f.clock.Add(20 * time.Minute)
			if _, _, err := f.svc.SessionUser(ctx, secret); err != nil {
				t.Fatalf("at %v: %v", f.clock.Now().Sub(start), err)
			}
		}
		f.clock.Add(start.Add(12 * time.Hour).Sub(f.clock.Now()))
		_, _, err = f.svc.SessionUser(ctx, secret)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		_, _, err = f.svc.SessionUser(ctx, "no-such-session")
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
	})
}

func TestSessionOptions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{SessionIdle: 5 * time.Minute, SessionLifetime: time.Hour})
		ctx := context.Background()
		secret, err := f.svc.CreateSession(ctx, f.users[otklik.RoleOperator].ID, "", "")
		mustNoErr(t, err)
		f.clock.Add(5 * time.Minute)
		_, _, err = f.svc.SessionUser(ctx, secret)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
		stored, _, err := f.st.SessionByHash(ctx, service.TokenHash(secret))
		mustNoErr(t, err)
		if got, want := stored.ExpiresAt.Sub(stored.CreatedAt), time.Hour; got != want {
			t.Errorf("lifetime %v, want %v", got, want)
		}
	})
}

func TestRevokeSessions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		op, senior := f.users[otklik.RoleOperator], f.users[otklik.RoleSenior]
		a, err := f.svc.CreateSession(ctx, op.ID, "", "laptop")
		mustNoErr(t, err)
		b, err := f.svc.CreateSession(ctx, op.ID, "", "phone")
		mustNoErr(t, err)
		other, err := f.svc.CreateSession(ctx, senior.ID, "", "")
		mustNoErr(t, err)

		mustNoErr(t, f.svc.RevokeSession(ctx, a))
		_, _, err = f.svc.SessionUser(ctx, a)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
		if _, _, err := f.svc.SessionUser(ctx, b); err != nil {
			t.Fatalf("the other session: %v", err)
		}
		mustNoErr(t, f.svc.RevokeSession(ctx, a)) // again: no error

		c, err := f.svc.CreateSession(ctx, op.ID, "", "tablet")
		mustNoErr(t, err)
		n, err := f.svc.RevokeAllSessions(ctx, op.ID)
		mustNoErr(t, err)
		if n != 2 {
			t.Errorf("revoked %d sessions, want 2", n)
		}
		for _, s := range []string{b, c} {
			_, _, err = f.svc.SessionUser(ctx, s)
			wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
		}
		if u, _, err := f.svc.SessionUser(ctx, other); err != nil || u.ID != senior.ID {
			t.Fatalf("another member's session: %v, %v", u, err)
		}
		d, err := f.svc.CreateSession(ctx, op.ID, "", "")
		mustNoErr(t, err)
		if _, _, err := f.svc.SessionUser(ctx, d); err != nil {
			t.Fatalf("a new session after revoking all: %v", err)
		}
	})
}

func TestDisabledMember(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		op := f.users[otklik.RoleOperator]
		secret, err := f.svc.CreateSession(ctx, op.ID, "", "")
		mustNoErr(t, err)
		mustNoErr(t, f.st.Write(ctx, func(tx otklik.Tx) error {
			u, err := tx.UserByIDTx(ctx, op.ID)
			if err != nil {
				return err
			}
			u.Disabled = true
			return tx.UpdateUser(ctx, u)
		}))
		_, _, err = f.svc.SessionUser(ctx, secret)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
		_, err = f.svc.SignIn(ctx, op.Email, authPassword, "")
		wantErr(t, err, otklik.EFORBIDDEN, "auth.disabled")
		// A wrong password still says only that the credentials are wrong.
		_, err = f.svc.SignIn(ctx, op.Email, "wrong password!!", "")
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.bad_credentials")
		_, err = f.svc.CreateSession(ctx, op.ID, "", "")
		wantErr(t, err, otklik.EFORBIDDEN, "auth.disabled")
	})
}

func TestReveals(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		var tickets []int64
		for range 2 {
			tk, _, err := f.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
				Subject: "Не могу войти", Body: "После ввода пароля ошибка.",
				Requester: service.RequesterInput{Name: "Иванова Мария", Email: "maria@mail.example.ru"}})
			mustNoErr(t, err)
			tickets = append(tickets, tk.ID)
		}
		op, aud := f.users[otklik.RoleOperator], f.users[otklik.RoleAuditor]
		start := f.clock.Now()
		mustNoErr(t, f.svc.RecordReveal(ctx, op.ID, tickets[0], "requester.snils"))
		f.clock.Add(time.Minute)
		mustNoErr(t, f.svc.RecordReveal(ctx, op.ID, tickets[1], "requester.phone"))
		f.clock.Add(time.Minute)
		mustNoErr(t, f.svc.RecordReveal(ctx, aud.ID, tickets[0], "requester.email"))
		err := f.svc.RecordReveal(ctx, op.ID, tickets[0], "  ")
		wantErr(t, err, otklik.EINVALID, "error.validation")

		fields := func(fl otklik.RevealFilter) string {
			t.Helper()
			rs, err := f.svc.Reveals(ctx, fl)
			mustNoErr(t, err)
			var out []string
			for _, r := range rs {
				out = append(out, r.Field)
			}
			return strings.Join(out, " ")
		}
		for _, tt := range []struct {
			name string
			f    otklik.RevealFilter
			want string
		}{
			{"all, newest first", otklik.RevealFilter{}, "requester.email requester.phone requester.snils"},
			{"by member", otklik.RevealFilter{UserID: op.ID}, "requester.phone requester.snils"},
			{"by ticket", otklik.RevealFilter{TicketID: tickets[0]}, "requester.email requester.snils"},
			{"since", otklik.RevealFilter{Since: start.Add(time.Minute)}, "requester.email requester.phone"},
			{"member and ticket", otklik.RevealFilter{UserID: op.ID, TicketID: tickets[1]}, "requester.phone"},
			{"limit", otklik.RevealFilter{Limit: 1}, "requester.email"},
		} {
			if got := fields(tt.f); got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
			}
		}
		rs, err := f.svc.Reveals(ctx, otklik.RevealFilter{UserID: aud.ID})
		mustNoErr(t, err)
		if len(rs) != 1 || rs[0].TicketID != tickets[0] || !rs[0].At.Equal(start.Add(2*time.Minute)) {
			t.Errorf("auditor's reveal %+v", rs)
		}
	})
}

// Ended sessions and spent codes are deleted after their keeping time; live ones stay.
func TestPurgeSignIns(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		op := f.users[otklik.RoleOperator]
		ended, err := f.svc.CreateSession(ctx, op.ID, "10.0.0.1", "old browser")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RevokeSession(ctx, ended); err != nil {
			t.Fatal(err)
		}
		citizen, err := f.svc.SignInVerified(ctx, "maria@example.ru", service.ViaCode, "10.0.0.2", "phone")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SendSignInCode(ctx, "ivan@example.ru"); err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.PurgeSignIns(ctx); err != nil || n != 0 {
			t.Fatalf("purge right away: %d rows, %v; want nothing yet", n, err)
		}
		f.clock.Add(service.KeepEndedSessions + 13*time.Hour) // past the citizen session's 12-hour life too
		live, err := f.svc.CreateSession(ctx, op.ID, "10.0.0.3", "new browser")
		if err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.PurgeSignIns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 { // the revoked staff session, the expired citizen session, the spent code
			t.Errorf("purged %d rows, want 3", n)
		}
		if u, _, err := f.svc.SessionUser(ctx, live); err != nil || u.ID != op.ID {
			t.Errorf("the live session went: %v", err)
		}
		if _, err := f.svc.CitizenSession(ctx, citizen); err == nil {
			t.Error("the purged citizen session still works")
		}
	})
}
