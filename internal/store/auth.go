package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// StaffAuthTx returns a member's sign-in state, locked on PostgreSQL until the transaction ends, so
// that concurrent failed attempts on other nodes all count.
func (t *txn) StaffAuthTx(ctx context.Context, userID int64) (*otklik.StaffAuth, error) {
	a := &otklik.StaffAuth{}
	var enabled, locked dbTime
	err := t.ex.queryRow(ctx, t.s.q.StaffAuth, userID).Scan(&a.UserID, &a.TOTPSecret, &enabled, &a.TOTPLastStep,
		&a.FailedLogins, &locked)
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("user.not_found")
	}
	if err != nil {
		return nil, translate(err)
	}
	a.TOTPEnabledAt, a.LockedUntil = enabled.ptr(), locked.ptr()
	return a, nil
}

// SetStaffAuth stores a member's sign-in state.
func (t *txn) SetStaffAuth(ctx context.Context, a *otklik.StaffAuth) error {
	_, err := t.ex.exec(ctx, t.s.q.SetStaffAuth, a.TOTPSecret, t.s.tvp(a.TOTPEnabledAt), a.TOTPLastStep, a.FailedLogins,
		t.s.tvp(a.LockedUntil), a.UserID)
	return translate(err)
}

// InsertSession stores a new session.
func (t *txn) InsertSession(ctx context.Context, s *otklik.Session) error {
	_, err := t.ex.exec(ctx, t.s.q.InsertSession, s.Hash, s.UserID, boolInt(s.Pending), t.s.tv(s.CreatedAt),
		t.s.tv(s.LastSeenAt), t.s.tv(s.ExpiresAt), s.IP, s.UserAgent)
	return translate(err)
}

// TouchSession sets a live session's last activity.
func (t *txn) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	_, err := t.ex.exec(ctx, t.s.q.TouchSession, t.s.tv(at), hash)
	return translate(err)
}

// RevokeSession ends a session.
func (t *txn) RevokeSession(ctx context.Context, hash []byte, at time.Time) error {
	_, err := t.ex.exec(ctx, t.s.q.RevokeSession, t.s.tv(at), hash)
	return translate(err)
}

// RevokeUserSessions ends every live session of a member.
func (t *txn) RevokeUserSessions(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res, err := t.ex.exec(ctx, t.s.q.RevokeUserSession, t.s.tv(at), userID, t.s.tv(at))
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

// ReplaceRecoveryCodes replaces a member's recovery codes.
func (t *txn) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error {
	if _, err := t.ex.exec(ctx, t.s.q.DeleteRecovery, userID); err != nil {
		return translate(err)
	}
	for _, h := range hashes {
		if _, err := t.ex.exec(ctx, t.s.q.InsertRecovery, userID, h); err != nil {
			return translate(err)
		}
	}
	return nil
}

// UseRecoveryCode marks an unused recovery code used.
func (t *txn) UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) (bool, error) {
	res, err := t.ex.exec(ctx, t.s.q.UseRecovery, t.s.tv(at), userID, hash)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}

// InsertReveal stores a personal data reveal.
func (t *txn) InsertReveal(ctx context.Context, r *otklik.Reveal) error {
	var err error
	r.ID, err = t.insertID(ctx, t.s.q.InsertReveal, r.UserID, r.TicketID, r.Field, t.s.tv(r.At))
	return translate(err)
}

// SessionByHash returns a session with its staff member.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*otklik.Session, *otklik.User, error) {
	ss := &otklik.Session{}
	var pending int
	var created, seen, expires, revoked dbTime
	u := &otklik.User{}
	var group sql.NullInt64
	var ucreated dbTime
	err := s.read.QueryRowContext(ctx, s.rebind(s.q.SessionByHash), hash).Scan(&ss.Hash, &ss.UserID, &pending, &created,
		&seen, &expires, &ss.IP, &ss.UserAgent, &revoked,
		&u.ID, &u.Email, &u.Name, &u.Role, &group, &u.PasswordHash, &u.Disabled, &ucreated)
	if err == sql.ErrNoRows {
		return nil, nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.session_expired", nil)
	}
	if err != nil {
		return nil, nil, translate(err)
	}
	ss.Pending, ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt, ss.RevokedAt = pending != 0, created.T, seen.T, expires.T, revoked.ptr()
	u.GroupID, u.CreatedAt = group.Int64, ucreated.T
	return ss, u, nil
}

// Reveals returns personal data reveals matching f, newest first.
func (s *Store) Reveals(ctx context.Context, f otklik.RevealFilter) ([]otklik.Reveal, error) {
	var where []string
	var args []any
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if f.TicketID != 0 {
		where, args = append(where, "ticket_id = ?"), append(args, f.TicketID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, s.tv(f.Since))
	}
	q := s.q.RevealColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.read.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.Reveal
	for rows.Next() {
		var r otklik.Reveal
		var at dbTime
		if err := rows.Scan(&r.ID, &r.UserID, &r.TicketID, &r.Field, &at); err != nil {
			return nil, translate(err)
		}
		r.At = at.T
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// StaffAuths returns every staff member's sign-in state.
func (s *Store) StaffAuths(ctx context.Context) ([]otklik.StaffAuth, error) {
	rows, err := s.read.QueryContext(ctx, s.q.StaffAuths)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.StaffAuth
	for rows.Next() {
		var a otklik.StaffAuth
		var enabled, locked dbTime
		if err := rows.Scan(&a.UserID, &a.TOTPSecret, &enabled, &a.TOTPLastStep, &a.FailedLogins, &locked); err != nil {
			return nil, translate(err)
		}
		a.TOTPEnabledAt, a.LockedUntil = enabled.ptr(), locked.ptr()
		out = append(out, a)
	}
	return out, translate(rows.Err())
}
