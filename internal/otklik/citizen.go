package otklik

import (
	"context"
	"time"
)

// CitizenCode is the one-time code state of a citizen's e-mail address (PRODUCT.md F26): the code
// waiting to be typed in (only its hash) and the count of wrong codes that locks the address for a
// while. One row per address, whatever the code is for (signing in, a status lookup).
type CitizenCode struct {
	Address string // the e-mail address, lower case
	// Hash is the SHA-256 of the code bound to what it is for; nil when no code waits.
	Hash        []byte
	ExpiresAt   time.Time
	Failures    int // wrong codes in a row since the last success or lock
	LockedUntil *time.Time
	SentAt      time.Time
}

// CitizenSession is a citizen's browser session on the portal, separate from the staff's. Only the
// SHA-256 of its secret is stored.
type CitizenSession struct {
	Hash       []byte
	Email      string // the verified address, lower case
	Via        string // how the address was verified: "code" or "oidc"
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, however active the session is
	IP         string
	UserAgent  string
	RevokedAt  *time.Time
}

// CitizenReader reads citizens' sessions.
type CitizenReader interface {
	// CitizenSessionByHash returns the session whose secret has this SHA-256, or EUNAUTHORIZED. It
	// returns revoked and expired sessions too: judging them is the caller's job.
	CitizenSessionByHash(ctx context.Context, hash []byte) (*CitizenSession, error)
}

// CitizenTx changes citizens' one-time codes and sessions.
type CitizenTx interface {
	// CitizenCodeTx returns an address's code state, locked against concurrent writers, or ENOTFOUND.
	CitizenCodeTx(ctx context.Context, address string) (*CitizenCode, error)
	// SetCitizenCode stores an address's code state, creating it when there is none.
	SetCitizenCode(ctx context.Context, c *CitizenCode) error
	InsertCitizenSession(ctx context.Context, s *CitizenSession) error
	// TouchCitizenSession sets a live session's last activity.
	TouchCitizenSession(ctx context.Context, hash []byte, at time.Time) error
	// RevokeCitizenSession ends a session; ending an unknown or ended one does nothing.
	RevokeCitizenSession(ctx context.Context, hash []byte, at time.Time) error
}
