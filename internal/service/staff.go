package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
)

// TokenPrefix starts every staff API token, so that a leaked one is easy to recognise and scan for.
const TokenPrefix = "otk_"

// Password length rules: long passphrases beat composition rules (NIST SP 800-63B).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// NewUser is a staff member to add.
type NewUser struct {
	Email    string
	Name     string
	Role     otklik.Role
	Group    string // a group code, optional
	Password string // optional: a member without a password signs in only after a reset
	// By is who adds them, for the administration journal; the zero actor is Otklik itself (the
	// command line, the demo).
	By otklik.Actor
}

// AddUser adds a staff member.
func (s *Service) AddUser(ctx context.Context, in NewUser) (*otklik.User, error) {
	var v otklik.Validation
	email := ""
	if e, err := identity.ParseEmail(strings.TrimSpace(in.Email)); err != nil {
		v.Add("email", identityKey(err, "email.format"), nil)
	} else {
		email = strings.ToLower(e)
	}
	name := cleanLine(&v, "name", in.Name, otklik.MaxNameLen, true)
	if !in.Role.Valid() {
		v.Add("role", "role.unknown", map[string]string{"value": string(in.Role)})
	}
	hash := ""
	if in.Password != "" {
		if key := passwordRule(in.Password); key != "" {
			v.Add("password", key, passwordArgs())
		} else {
			hash = HashPassword(in.Password)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := &otklik.User{Email: email, Name: name, Role: in.Role, PasswordHash: hash}
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		if _, err := tx.UserByEmailTx(ctx, email); err == nil {
			return otklik.Invalid(otklik.FieldError{Field: "email", Key: "user.exists"})
		}
		if in.Group != "" {
			g, err := tx.GroupByCodeTx(ctx, in.Group)
			if err != nil {
				return otklik.Invalid(otklik.FieldError{Field: "group", Key: "group.unknown", Args: map[string]string{"value": in.Group}})
			}
			u.GroupID = g.ID
		}
		u.CreatedAt = tx.Now()
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actorOr(in.By), otklik.AdminUser, u.Email, otklik.AdminCreated, nil, userFields(u, in.Group), "")
	})
	return u, err
}

// SetPassword sets a staff member's password.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if key := passwordRule(password); key != "" {
		return otklik.Invalid(otklik.FieldError{Field: "password", Key: key, Args: passwordArgs()})
	}
	hash := HashPassword(password)
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByEmailTx(ctx, strings.ToLower(strings.TrimSpace(email)))
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		return tx.UpdateUser(ctx, u)
	})
}

func passwordRule(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return "field.invalid_utf8"
	case n < MinPasswordLen:
		return "password.too_short"
	case n > MaxPasswordLen:
		return "password.too_long"
	}
	return ""
}

func passwordArgs() map[string]string {
	return map[string]string{"min": fmt.Sprint(MinPasswordLen), "max": fmt.Sprint(MaxPasswordLen)}
}

// argon2id parameters: the OWASP minimum (19 MiB, 2 passes, 1 lane), which keeps sign-in affordable
// on a small server while making offline guessing expensive.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches a hash made by HashPassword.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken makes a staff API token: 256 random bits. Only its SHA-256 is stored — the secret has the
// full entropy of a key, so a fast hash is as safe as a password hash and costs microseconds per
// request instead of tens of milliseconds.
func NewToken() (secret string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, TokenHash(secret)
}

// TokenHash returns the stored form of a token.
func TokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken creates an API token for the staff member with the e-mail and returns its secret, which
// is shown once and never stored.
func (s *Service) CreateToken(ctx context.Context, email, name string) (string, error) {
	secret, hash := NewToken()
	return secret, s.saveToken(ctx, email, name, hash)
}

func (s *Service) saveToken(ctx context.Context, email, name string, hash []byte) error {
	if strings.TrimSpace(name) == "" {
		name = "API"
	}
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByEmailTx(ctx, strings.ToLower(strings.TrimSpace(email)))
		if err != nil {
			return err
		}
		return tx.InsertToken(ctx, &otklik.Token{UserID: u.ID, Name: name, Hash: hash, CreatedAt: tx.Now()})
	})
}

// MinAdminTokenLen is the shortest OTKLIK_ADMIN_TOKEN accepted.
const MinAdminTokenLen = 32

// AdminEmail is the administrator EnsureAdminToken creates when there is none.
const AdminEmail = "admin@localhost"

// EnsureAdminToken makes sure an administrator's API token with exactly this secret exists, creating
// the administrator (AdminEmail) if needed. It is how automation and a first start get in.
func (s *Service) EnsureAdminToken(ctx context.Context, secret string) error {
	if len(secret) < MinAdminTokenLen {
		return fmt.Errorf("OTKLIK_ADMIN_TOKEN must be at least %d characters long (use a random secret, e.g. `openssl rand -hex 32`)", MinAdminTokenLen)
	}
	hash := TokenHash(secret)
	if u, err := s.store.UserByTokenHash(ctx, hash); err == nil {
		if u.Role != otklik.RoleAdmin {
			return fmt.Errorf("OTKLIK_ADMIN_TOKEN belongs to %s, who is not an administrator", u.Email)
		}
		return nil
	}
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByEmailTx(ctx, AdminEmail)
		if otklik.IsCode(err, otklik.ENOTFOUND) {
			u = &otklik.User{Email: AdminEmail, Name: "Администратор", Role: otklik.RoleAdmin, CreatedAt: tx.Now()}
			err = tx.InsertUser(ctx, u)
		}
		if err != nil {
			return err
		}
		return tx.InsertToken(ctx, &otklik.Token{UserID: u.ID, Name: "OTKLIK_ADMIN_TOKEN", Hash: hash, CreatedAt: tx.Now()})
	})
}

// Authenticate returns the staff member who owns an API token, or EUNAUTHORIZED. Successful look-ups
// are remembered for TokenCacheTTL, so that a busy integration does not cost a database read per
// request; a disabled member or a revoked token stops working within that time.
func (s *Service) Authenticate(ctx context.Context, secret string) (*otklik.User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) && len(secret) < MinAdminTokenLen {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_token", nil)
	}
	hash := TokenHash(secret)
	if u := s.tokens.get(hash, s.now()); u != nil {
		return u, nil
	}
	u, err := s.store.UserByTokenHash(ctx, hash)
	if err != nil {
		if otklik.IsCode(err, otklik.EUNAUTHORIZED) {
			return nil, err
		}
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	s.tokens.put(hash, u, s.now())
	return u, nil
}

// TokenCacheTTL is how long a verified API token is trusted without asking the database again.
const TokenCacheTTL = 10 * time.Second

// tokenCache remembers recently verified tokens by hash.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedUser
}

type cachedUser struct {
	u     otklik.User
	until time.Time
}

func (c *tokenCache) get(hash []byte, now time.Time) *otklik.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[string(hash)]
	if !ok || now.After(e.until) {
		return nil
	}
	u := e.u
	return &u
}

func (c *tokenCache) put(hash []byte, u *otklik.User, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= 10_000 {
		c.m = make(map[string]cachedUser)
	}
	c.m[string(hash)] = cachedUser{u: *u, until: now.Add(TokenCacheTTL)}
}

// HasUsers reports whether any staff member exists.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	us, err := s.store.Users(ctx)
	return len(us) > 0, err
}

// Users returns every staff member.
func (s *Service) Users(ctx context.Context) ([]otklik.User, error) { return s.store.Users(ctx) }

// StaffMember is a staff member as administrators see them: the member, their group and their
// sign-in state (never the second factor's secret).
type StaffMember struct {
	otklik.User
	Group       otklik.Group // zero when the member has none
	TOTP        bool         // a second factor is set up
	LockedUntil *time.Time   // set while failed sign-ins lock the account
}

// StaffMembers returns every staff member with their group and sign-in state, in the order they
// were added.
func (s *Service) StaffMembers(ctx context.Context) ([]StaffMember, error) {
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	auths, err := s.store.StaffAuths(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]otklik.StaffAuth, len(auths))
	for _, a := range auths {
		byID[a.UserID] = a
	}
	now := s.now()
	out := make([]StaffMember, 0, len(users))
	for _, u := range users {
		m := StaffMember{User: u}
		m.PasswordHash = ""
		if g, ok := c.group(u.GroupID); ok {
			m.Group = g
		}
		if a, ok := byID[u.ID]; ok {
			m.TOTP = a.TOTPEnabled()
			if a.LockedUntil != nil && a.LockedUntil.After(now) {
				m.LockedUntil = a.LockedUntil
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// UserChange is what an administrator changes about a member's work: their role and main group.
type UserChange struct {
	Role  otklik.Role
	Group string // a group code; "" for none
}

// ChangeUser sets a member's role and group, as the administrator by. An administrator cannot take
// the administrator's role from themselves (EINVALID "user.self_demote"): another administrator
// must, so that the desk is never left without one by a slip of the hand.
func (s *Service) ChangeUser(ctx context.Context, by *otklik.User, id int64, c UserChange) (*otklik.User, error) {
	if !c.Role.Valid() {
		return nil, otklik.Invalid(otklik.FieldError{Field: "role", Key: "role.unknown", Args: map[string]string{"value": string(c.Role)}})
	}
	if by != nil && by.ID == id && c.Role != otklik.RoleAdmin {
		return nil, otklik.Invalid(otklik.FieldError{Field: "role", Key: "user.self_demote"})
	}
	codes, err := s.groupCodes(ctx)
	if err != nil {
		return nil, err
	}
	var u *otklik.User
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		if u, err = tx.UserByIDTx(ctx, id); err != nil {
			return err
		}
		before := userFields(u, codes[u.GroupID])
		u.Role, u.GroupID = c.Role, 0
		if c.Group != "" {
			g, err := tx.GroupByCodeTx(ctx, c.Group)
			if err != nil {
				return otklik.Invalid(otklik.FieldError{Field: "group", Key: "group.unknown", Args: map[string]string{"value": c.Group}})
			}
			u.GroupID = g.ID
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, byActor(by), otklik.AdminUser, u.Email, otklik.AdminChanged, before, userFields(u, c.Group), "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetUserDisabled disables or enables a member, as the administrator by. Disabling ends every
// session of the member in the same transaction, so that they are signed out at their next
// request; their API tokens stop working within TokenCacheTTL. An administrator cannot disable
// themselves (EINVALID "user.self_disable").
func (s *Service) SetUserDisabled(ctx context.Context, by *otklik.User, id int64, disabled bool) error {
	if disabled && by != nil && by.ID == id {
		return otklik.Invalid(otklik.FieldError{Field: "id", Key: "user.self_disable"})
	}
	codes, err := s.groupCodes(ctx)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		u, err := tx.UserByIDTx(ctx, id)
		if err != nil {
			return err
		}
		before := userFields(u, codes[u.GroupID])
		u.Disabled = disabled
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if disabled {
			if _, err = tx.RevokeUserSessions(ctx, id, tx.Now()); err != nil {
				return err
			}
		}
		return journalAdmin(ctx, tx, byActor(by), otklik.AdminUser, u.Email, otklik.AdminChanged, before, userFields(u, codes[u.GroupID]), "")
	})
}

// groupCodes maps the groups' IDs to their codes, as the administration journal names a member's group.
func (s *Service) groupCodes(ctx context.Context) (map[int64]string, error) {
	gs, err := s.store.Groups(ctx)
	if err != nil {
		return nil, err
	}
	codes := make(map[int64]string, len(gs))
	for _, g := range gs {
		codes[g.ID] = g.Code
	}
	return codes, nil
}

// byActor is the administrator by as the actor of a change made on the staff pages; Otklik itself
// for none.
func byActor(by *otklik.User) otklik.Actor {
	if by == nil {
		return otklik.SystemActor
	}
	return by.Actor(otklik.ChannelAgent)
}

// actorOr is a, or Otklik itself for the zero actor.
func actorOr(a otklik.Actor) otklik.Actor {
	if a == (otklik.Actor{}) {
		return otklik.SystemActor
	}
	return a
}
