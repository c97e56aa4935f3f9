package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

const uploadColumns = "SELECT id, name, size, received, channel, owner_type, owner_id, owner_name, key_id, wrapped_key, created_at, expires_at FROM uploads"

func scanUpload(sc scanner) (*otklik.Upload, error) {
	u := &otklik.Upload{}
	var created, expires dbTime
	err := sc.Scan(&u.ID, &u.Name, &u.Size, &u.Received, &u.Channel, &u.Owner.Type, &u.Owner.ID, &u.Owner.Name, &u.KeyID,
		&u.WrappedKey, &created, &expires)
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("upload.not_found")
	}
	u.Owner.Channel, u.CreatedAt, u.ExpiresAt = u.Channel, created.T, expires.T
	return u, translate(err)
}

// InsertUpload stores a new upload.
func (t *txn) InsertUpload(ctx context.Context, u *otklik.Upload) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = t.now
	}
	_, err := t.ex.exec(ctx, `INSERT INTO uploads (id, name, size, received, channel, owner_type, owner_id, owner_name, key_id,
		wrapped_key, created_at, expires_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Name, u.Size, string(u.Channel), string(u.Owner.Type), u.Owner.ID, u.Owner.Name, u.KeyID, u.WrappedKey,
		t.s.tv(u.CreatedAt), t.s.tv(u.ExpiresAt))
	return translate(err)
}

// UploadTx returns an upload.
func (t *txn) UploadTx(ctx context.Context, id string) (*otklik.Upload, error) {
	return scanUpload(t.ex.queryRow(ctx, uploadColumns+" WHERE id = ?", id))
}

// AddUploadPart records a part and advances the upload's received bytes, if they still end where the
// part starts.
func (t *txn) AddUploadPart(ctx context.Context, p otklik.UploadPart) (bool, error) {
	res, err := t.ex.exec(ctx, "UPDATE uploads SET received = received + ? WHERE id = ? AND received = ? AND received + ? <= size",
		p.Size, p.UploadID, p.Start, p.Size)
	if err != nil {
		return false, translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, translate(err)
	}
	_, err = t.ex.exec(ctx, "INSERT INTO upload_parts (upload_id, start, size, object) VALUES (?, ?, ?, ?)",
		p.UploadID, p.Start, p.Size, p.Object)
	return err == nil, translate(err)
}

// DeleteUpload removes an upload and its parts' records.
func (t *txn) DeleteUpload(ctx context.Context, id string) (bool, error) {
	if _, err := t.ex.exec(ctx, "DELETE FROM upload_parts WHERE upload_id = ?", id); err != nil {
		return false, translate(err)
	}
	res, err := t.ex.exec(ctx, "DELETE FROM uploads WHERE id = ?", id)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}

// Upload returns an upload.
func (s *Store) Upload(ctx context.Context, id string) (*otklik.Upload, error) {
	return scanUpload(s.read.QueryRowContext(ctx, s.rebind(uploadColumns+" WHERE id = ?"), id))
}

// UploadParts returns an upload's parts in order.
func (s *Store) UploadParts(ctx context.Context, id string) ([]otklik.UploadPart, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind("SELECT upload_id, start, size, object FROM upload_parts WHERE upload_id = ? ORDER BY start"), id)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.UploadPart
	for rows.Next() {
		var p otklik.UploadPart
		if err := rows.Scan(&p.UploadID, &p.Start, &p.Size, &p.Object); err != nil {
			return nil, translate(err)
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// ExpiredUploads returns uploads that expired before t, oldest first.
func (s *Store) ExpiredUploads(ctx context.Context, t time.Time, limit int) ([]*otklik.Upload, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(uploadColumns+" WHERE expires_at < ? ORDER BY expires_at LIMIT ?"), s.tv(t), limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, translate(rows.Err())
}
