package store

import (
	"context"
	"database/sql"

	"github.com/otklik/otklik/internal/otklik"
)

func scanBlob(sc scanner, b *otklik.Blob) error {
	var scanned, deleted, created dbTime
	err := sc.Scan(&b.ID, &b.SHA256, &b.Size, &b.Object, &b.KeyID, &b.WrappedKey, &b.ContentType, &b.Scan, &b.Signature,
		&scanned, &deleted, &created)
	b.ScannedAt, b.DeletedAt, b.CreatedAt = scanned.T, deleted.T, created.T
	return err
}

func scanAttachment(sc scanner) (*otklik.Attachment, error) {
	a := &otklik.Attachment{Blob: &otklik.Blob{}}
	var message sql.NullInt64
	var created, deleted, bScanned, bDeleted, bCreated dbTime
	b := a.Blob
	err := sc.Scan(&a.ID, &a.TicketID, &message, &a.Name, &a.SafeName, &a.Channel, &a.Uploader.Type, &a.Uploader.ID,
		&a.Uploader.Name, &created, &deleted, &a.DeletedBy, &a.DeleteReason,
		&b.ID, &b.SHA256, &b.Size, &b.Object, &b.KeyID, &b.WrappedKey, &b.ContentType, &b.Scan, &b.Signature, &bScanned,
		&bDeleted, &bCreated)
	a.MessageID, a.CreatedAt, a.DeletedAt = message.Int64, created.T, deleted.T
	a.Uploader.Channel = a.Channel
	b.ScannedAt, b.DeletedAt, b.CreatedAt = bScanned.T, bDeleted.T, bCreated.T
	return a, err
}

func scanAttachments(rows *sql.Rows, err error) ([]*otklik.Attachment, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, a)
	}
	return out, translate(rows.Err())
}

func scanBlobs(rows *sql.Rows, err error) ([]*otklik.Blob, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Blob
	for rows.Next() {
		b := &otklik.Blob{}
		if err := scanBlob(rows, b); err != nil {
			return nil, translate(err)
		}
		out = append(out, b)
	}
	return out, translate(rows.Err())
}

func (t *txn) oneBlob(ctx context.Context, where string, args ...any) (*otklik.Blob, error) {
	b := &otklik.Blob{}
	err := scanBlob(t.ex.queryRow(ctx, t.s.q.BlobColumns+" WHERE "+where, args...), b)
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("file.not_found")
	}
	return b, translate(err)
}

// BlobBySHA256 returns the live blob with this content hash.
func (t *txn) BlobBySHA256(ctx context.Context, sum []byte) (*otklik.Blob, error) {
	return t.oneBlob(ctx, "sha256 = ? AND deleted_at IS NULL", sum)
}

// BlobByIDTx returns a blob.
func (t *txn) BlobByIDTx(ctx context.Context, id int64) (*otklik.Blob, error) {
	return t.oneBlob(ctx, "id = ?", id)
}

// InsertBlob stores a blob and sets its ID.
func (t *txn) InsertBlob(ctx context.Context, b *otklik.Blob) error {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = t.now
	}
	var err error
	b.ID, err = t.insertID(ctx, t.s.q.InsertBlob, b.SHA256, b.Size, b.Object, b.KeyID, b.WrappedKey, b.ContentType,
		string(b.Scan), b.Signature, t.s.tv(b.CreatedAt))
	return translate(err)
}

// SetBlobScan records a verdict.
func (t *txn) SetBlobScan(ctx context.Context, id int64, scan otklik.ScanStatus, signature string) error {
	_, err := t.ex.exec(ctx, "UPDATE blobs SET scan = ?, signature = ?, scanned_at = ? WHERE id = ?", string(scan), signature,
		t.s.tv(t.now), id)
	return translate(err)
}

// RewrapBlob stores a data key wrapped by another master key.
func (t *txn) RewrapBlob(ctx context.Context, id int64, keyID string, wrapped []byte) error {
	_, err := t.ex.exec(ctx, "UPDATE blobs SET key_id = ?, wrapped_key = ? WHERE id = ?", keyID, wrapped, id)
	return translate(err)
}

// MarkBlobDeleted records that a blob's content is gone; its key goes with it.
func (t *txn) MarkBlobDeleted(ctx context.Context, id int64) error {
	_, err := t.ex.exec(ctx, "UPDATE blobs SET deleted_at = ?, wrapped_key = ? WHERE id = ?", t.s.tv(t.now), []byte{}, id)
	return translate(err)
}

// InsertAttachment stores an attachment and sets its ID.
func (t *txn) InsertAttachment(ctx context.Context, a *otklik.Attachment) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = t.now
	}
	var err error
	a.ID, err = t.insertID(ctx, t.s.q.InsertAttachment, a.TicketID, nullID(a.MessageID), a.Blob.ID, a.Name, a.SafeName,
		string(a.Channel), string(a.Uploader.Type), a.Uploader.ID, a.Uploader.Name, t.s.tv(a.CreatedAt))
	return translate(err)
}

// AttachmentsOfBlob returns a blob's live attachments.
func (t *txn) AttachmentsOfBlob(ctx context.Context, blobID int64) ([]*otklik.Attachment, error) {
	rows, err := t.ex.query(ctx, t.s.q.AttachmentColumns+" WHERE a.blob_id = ? AND a.deleted_at IS NULL ORDER BY a.id", blobID)
	return scanAttachments(rows, err)
}

// AttachmentByIDTx returns an attachment.
func (t *txn) AttachmentByIDTx(ctx context.Context, id int64) (*otklik.Attachment, error) {
	a, err := scanAttachment(t.ex.queryRow(ctx, t.s.q.AttachmentColumns+" WHERE a.id = ?", id))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("file.not_found")
	}
	return a, translate(err)
}

// MarkAttachmentDeleted records an attachment's deletion.
func (t *txn) MarkAttachmentDeleted(ctx context.Context, id int64, by, reason string) error {
	_, err := t.ex.exec(ctx, "UPDATE attachments SET deleted_at = ?, deleted_by = ?, delete_reason = ? WHERE id = ?",
		t.s.tv(t.now), by, reason, id)
	return translate(err)
}

// InsertDownload records a download.
func (t *txn) InsertDownload(ctx context.Context, d *otklik.Download) error {
	if d.At.IsZero() {
		d.At = t.now
	}
	_, err := t.ex.exec(ctx, t.s.q.InsertDownload, d.AttachmentID, string(d.Actor.Type), d.Actor.ID, d.Actor.Name,
		boolInt(d.Preview), t.s.tv(d.At))
	return translate(err)
}

// Attachment returns an attachment with its blob.
func (s *Store) Attachment(ctx context.Context, id int64) (*otklik.Attachment, error) {
	a, err := scanAttachment(s.read.QueryRowContext(ctx, s.rebind(s.q.AttachmentColumns+" WHERE a.id = ?"), id))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("file.not_found")
	}
	return a, translate(err)
}

// Attachments returns a ticket's attachments, oldest first.
func (s *Store) Attachments(ctx context.Context, ticketID int64) ([]*otklik.Attachment, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.AttachmentColumns+" WHERE a.ticket_id = ? ORDER BY a.id"), ticketID)
	return scanAttachments(rows, err)
}

// BlobsByKey returns live blobs whose key is wrapped by another master key than keyID.
func (s *Store) BlobsByKey(ctx context.Context, notKeyID string, afterID int64, limit int) ([]*otklik.Blob, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.BlobColumns+" WHERE key_id <> ? AND id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?"),
		notKeyID, afterID, limit)
	return scanBlobs(rows, err)
}

// PendingBlobs returns live blobs not scanned yet.
func (s *Store) PendingBlobs(ctx context.Context, afterID int64, limit int) ([]*otklik.Blob, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(s.q.BlobColumns+" WHERE scan = 'pending' AND id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?"),
		afterID, limit)
	return scanBlobs(rows, err)
}

// Downloads returns who opened an attachment.
func (s *Store) Downloads(ctx context.Context, attachmentID int64) ([]otklik.Download, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(
		"SELECT attachment_id, actor_type, actor_id, actor_name, preview, at FROM attachment_downloads WHERE attachment_id = ? ORDER BY id"),
		attachmentID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.Download
	for rows.Next() {
		var d otklik.Download
		var preview int
		var at dbTime
		if err := rows.Scan(&d.AttachmentID, &d.Actor.Type, &d.Actor.ID, &d.Actor.Name, &preview, &at); err != nil {
			return nil, translate(err)
		}
		d.Preview, d.At = preview != 0, at.T
		out = append(out, d)
	}
	return out, translate(rows.Err())
}
