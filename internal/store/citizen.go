package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// CitizenCodeTx returns an address's one-time code state, locked on PostgreSQL until the transaction
// ends, so that wrong codes typed on several nodes at once all count.
func (t *txn) CitizenCodeTx(ctx context.Context, address string) (*otklik.CitizenCode, error) {
	c := &otklik.CitizenCode{}
	var expires, locked, sent dbTime
	err := t.ex.queryRow(ctx, t.s.q.CitizenCode, address).Scan(&c.Address, &c.Hash, &expires, &c.Failures, &locked, &sent)
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("citizen.no_code")
	}
	if err != nil {
		return nil, translate(err)
	}
	c.ExpiresAt, c.LockedUntil, c.SentAt = expires.T, locked.ptr(), sent.T
	return c, nil
}

// SetCitizenCode stores an address's code state.
func (t *txn) SetCitizenCode(ctx context.Context, c *otklik.CitizenCode) error {
	var hash any
	if c.Hash != nil {
		hash = c.Hash
	}
	_, err := t.ex.exec(ctx, t.s.q.SetCitizenCode, c.Address, hash, t.s.tv(c.ExpiresAt), c.Failures, t.s.tvp(c.LockedUntil),
		t.s.tv(c.SentAt))
	return translate(err)
}

// InsertCitizenSession stores a new citizen session.
func (t *txn) InsertCitizenSession(ctx context.Context, s *otklik.CitizenSession) error {
	_, err := t.ex.exec(ctx, t.s.q.InsertCitizenSess, s.Hash, s.Email, s.Via, t.s.tv(s.CreatedAt), t.s.tv(s.LastSeenAt),
		t.s.tv(s.ExpiresAt), s.IP, s.UserAgent)
	return translate(err)
}

// TouchCitizenSession sets a live citizen session's last activity.
func (t *txn) TouchCitizenSession(ctx context.Context, hash []byte, at time.Time) error {
	_, err := t.ex.exec(ctx, t.s.q.TouchCitizenSess, t.s.tv(at), hash)
	return translate(err)
}

// RevokeCitizenSession ends a citizen session.
func (t *txn) RevokeCitizenSession(ctx context.Context, hash []byte, at time.Time) error {
	_, err := t.ex.exec(ctx, t.s.q.RevokeCitizenSess, t.s.tv(at), hash)
	return translate(err)
}

// CitizenSessionByHash returns a citizen session, or EUNAUTHORIZED.
func (s *Store) CitizenSessionByHash(ctx context.Context, hash []byte) (*otklik.CitizenSession, error) {
	ss := &otklik.CitizenSession{}
	var created, seen, expires, revoked dbTime
	err := s.read.QueryRowContext(ctx, s.rebind(s.q.CitizenSessByHash), hash).Scan(&ss.Hash, &ss.Email, &ss.Via, &created,
		&seen, &expires, &ss.IP, &ss.UserAgent, &revoked)
	if err == sql.ErrNoRows {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.session_expired", nil)
	}
	if err != nil {
		return nil, translate(err)
	}
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt, ss.RevokedAt = created.T, seen.T, expires.T, revoked.ptr()
	return ss, nil
}

// PurgeSignIns deletes ended sessions (staff and citizens') and spent sign-in codes.
func (t *txn) PurgeSignIns(ctx context.Context, sessionsBefore, codesBefore, now time.Time) (int64, error) {
	s := t.s
	var total int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"DELETE FROM staff_sessions WHERE expires_at < ? OR revoked_at < ?", []any{s.tv(sessionsBefore), s.tv(sessionsBefore)}},
		{"DELETE FROM citizen_sessions WHERE expires_at < ? OR revoked_at < ?", []any{s.tv(sessionsBefore), s.tv(sessionsBefore)}},
		{"DELETE FROM citizen_codes WHERE expires_at < ? AND (locked_until IS NULL OR locked_until < ?)", []any{s.tv(codesBefore), s.tv(now)}},
	} {
		res, err := t.ex.exec(ctx, q.sql, q.args...)
		if err != nil {
			return total, translate(err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
