package otklik

import (
	"context"
	"time"
)

// StaffAuth is a staff member's sign-in state beside the password: the second factor (TOTP) and the
// count of failed attempts that locks the account for a while.
type StaffAuth struct {
	UserID int64
	// TOTPSecret is the base32 TOTP secret, "" until enrolment is confirmed.
	TOTPSecret    string
	TOTPEnabledAt *time.Time
	// TOTPLastStep is the 30-second step of the last accepted code; a code of that step or an earlier
	// one is refused, so an observed code cannot be replayed.
	TOTPLastStep int64
	FailedLogins int // consecutive failures of the password or of a second factor
	LockedUntil  *time.Time
}

// TOTPEnabled reports whether the member has a confirmed second factor.
func (a *StaffAuth) TOTPEnabled() bool { return a.TOTPEnabledAt != nil && a.TOTPSecret != "" }

// Session is a staff member's browser session. Only the SHA-256 of its secret is stored.
type Session struct {
	Hash   []byte
	UserID int64
	// Pending marks a sign-in that passed the password and waits for the second factor: it lets its
	// holder only complete that step, never work.
	Pending    bool
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, however active the session is
	IP         string
	UserAgent  string
	RevokedAt  *time.Time
}

// Reveal records that a staff member was shown a piece of personal data hidden by default (152-ФЗ:
// every action with personal data is logged), for the auditor.
type Reveal struct {
	ID       int64
	UserID   int64
	TicketID int64
	Field    string // what was shown, such as "requester.snils"
	At       time.Time
}

// RevealFilter selects reveals; zero fields select everything.
type RevealFilter struct {
	UserID   int64
	TicketID int64
	Since    time.Time // at or after
	Limit    int
}

// AuthReader reads sessions and the personal data reveal log.
type AuthReader interface {
	// SessionByHash returns the session whose secret has this SHA-256 with its staff member, or
	// EUNAUTHORIZED. It returns revoked and expired sessions too: judging them is the caller's job.
	SessionByHash(ctx context.Context, hash []byte) (*Session, *User, error)
	// StaffAuths returns every staff member's sign-in state, in the order of their IDs.
	StaffAuths(ctx context.Context) ([]StaffAuth, error)
	// Reveals returns up to f.Limit reveals matching f, newest first.
	Reveals(ctx context.Context, f RevealFilter) ([]Reveal, error)
}

// AuthTx changes sign-in state, sessions, recovery codes and the reveal log.
type AuthTx interface {
	// PurgeSignIns deletes staff and citizen sessions that ended (expired or revoked) before
	// sessionsBefore, and citizens' sign-in codes that expired before codesBefore on addresses not
	// locked at now; it returns how many rows went.
	PurgeSignIns(ctx context.Context, sessionsBefore, codesBefore, now time.Time) (int64, error)
	// StaffAuthTx returns a member's sign-in state, locked against concurrent writers, or ENOTFOUND.
	StaffAuthTx(ctx context.Context, userID int64) (*StaffAuth, error)
	// SetStaffAuth stores a member's sign-in state.
	SetStaffAuth(ctx context.Context, a *StaffAuth) error
	InsertSession(ctx context.Context, s *Session) error
	// TouchSession sets a live session's last activity.
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// RevokeSession ends a session; ending an unknown or ended one does nothing.
	RevokeSession(ctx context.Context, hash []byte, at time.Time) error
	// RevokeUserSessions ends every live session of a member and returns how many it ended.
	RevokeUserSessions(ctx context.Context, userID int64, at time.Time) (int64, error)
	// ReplaceRecoveryCodes drops a member's recovery codes and stores these SHA-256 hashes instead
	// (none: the member has no codes).
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error
	// UseRecoveryCode marks the member's unused code with this hash used and reports whether there
	// was one.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) (bool, error)
	// InsertReveal stores a reveal and sets its ID.
	InsertReveal(ctx context.Context, r *Reveal) error
}
