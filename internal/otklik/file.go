package otklik

import (
	"context"
	"time"
)

// ScanStatus is what the antivirus said of a file's content.
type ScanStatus string

// Scan statuses. A file is served to anyone but its uploader only when it is clean.
const (
	ScanPending  ScanStatus = "pending"  // «на проверке»: not scanned yet (no scanner, or it is unreachable)
	ScanClean    ScanStatus = "clean"    // scanned, nothing found
	ScanInfected ScanStatus = "infected" // blocked; kept in quarantine for the security group
	ScanError    ScanStatus = "error"    // the scanner could not scan it (e.g. over its size limit): not served
)

// Blob is one distinct file content, stored once however many times it is attached. Its content is
// encrypted under its own data key, which is stored wrapped by a master key.
type Blob struct {
	ID          int64
	SHA256      []byte // of the plaintext
	Size        int64  // plaintext bytes
	Object      string // its key in the blob store
	KeyID       string // the master key that wraps WrappedKey
	WrappedKey  []byte
	ContentType string // detected from the content
	Scan        ScanStatus
	Signature   string // what the antivirus found, when infected
	ScannedAt   time.Time
	DeletedAt   time.Time // content removed (retention); the row stays as the record of it
	CreatedAt   time.Time
}

// Attachment is a file attached to a ticket, and to one of its messages when it came with one.
type Attachment struct {
	ID        int64
	TicketID  int64
	MessageID int64 // 0: attached to the ticket itself
	Blob      *Blob
	Name      string // as the sender named it, for display only
	SafeName  string // sanitised, for storage and downloads
	Channel   Channel
	Uploader  Actor
	CreatedAt time.Time
	// Deletion leaves the row: what was deleted, when, by whom and why.
	DeletedAt    time.Time
	DeletedBy    string
	DeleteReason string
}

// Download records that someone opened a file (for the auditor).
type Download struct {
	AttachmentID int64
	Actor        Actor
	Preview      bool // the inline preview of an image, not the file
	At           time.Time
}

// Upload is a file sent in parts, so that a broken connection costs only the part under way (a
// resumable upload). Each part is sealed under the upload's own data key as it comes; when all Size
// bytes have come, the parts become one file, checked and stored like any other.
type Upload struct {
	ID         string // random, unguessable
	Name       string // as the sender named the file
	Size       int64  // declared at the start
	Received   int64  // bytes received so far: the offset the next part starts at
	Channel    Channel
	Owner      Actor // only the one who started it may continue, finish or cancel it
	KeyID      string
	WrappedKey []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time // an unfinished upload is removed after this
}

// UploadPart is one received part of an upload.
type UploadPart struct {
	UploadID string
	Start    int64 // its offset in the file
	Size     int64
	Object   string // its sealed content in the blob store
}

// FileTx stores files inside a write transaction.
type FileTx interface {
	// BlobBySHA256 returns the live (not deleted) blob with this content hash, or ENOTFOUND.
	BlobBySHA256(ctx context.Context, sum []byte) (*Blob, error)
	// BlobByIDTx returns a blob, or ENOTFOUND.
	BlobByIDTx(ctx context.Context, id int64) (*Blob, error)
	InsertBlob(ctx context.Context, b *Blob) error
	// SetBlobScan records a scan verdict.
	SetBlobScan(ctx context.Context, id int64, scan ScanStatus, signature string) error
	// RewrapBlob stores a data key wrapped anew by another master key.
	RewrapBlob(ctx context.Context, id int64, keyID string, wrapped []byte) error
	// MarkBlobDeleted records that a blob's content was removed.
	MarkBlobDeleted(ctx context.Context, id int64) error
	InsertAttachment(ctx context.Context, a *Attachment) error
	// AttachmentsOfBlob returns the live attachments of a blob.
	AttachmentsOfBlob(ctx context.Context, blobID int64) ([]*Attachment, error)
	// AttachmentByIDTx returns an attachment with its blob, or ENOTFOUND.
	AttachmentByIDTx(ctx context.Context, id int64) (*Attachment, error)
	// MarkAttachmentDeleted records the deletion of an attachment.
	MarkAttachmentDeleted(ctx context.Context, id int64, by, reason string) error
	InsertDownload(ctx context.Context, d *Download) error
	InsertUpload(ctx context.Context, u *Upload) error
	// UploadTx returns an upload, or ENOTFOUND.
	UploadTx(ctx context.Context, id string) (*Upload, error)
	// AddUploadPart records a part that starts where the upload's received bytes end, and advances
	// them; it returns false, recording nothing, when they have moved on (another request's part).
	AddUploadPart(ctx context.Context, p UploadPart) (bool, error)
	// DeleteUpload removes an upload and its parts' records; it returns false if there was none.
	DeleteUpload(ctx context.Context, id string) (bool, error)
}

// FileReader reads files' records.
type FileReader interface {
	// Attachment returns an attachment with its blob, or ENOTFOUND.
	Attachment(ctx context.Context, id int64) (*Attachment, error)
	// Attachments returns a ticket's attachments, oldest first, deleted ones included.
	Attachments(ctx context.Context, ticketID int64) ([]*Attachment, error)
	// BlobsByKey returns up to limit live blobs whose data key is not wrapped by keyID, after afterID.
	BlobsByKey(ctx context.Context, notKeyID string, afterID int64, limit int) ([]*Blob, error)
	// PendingBlobs returns up to limit live blobs not scanned yet, after afterID.
	PendingBlobs(ctx context.Context, afterID int64, limit int) ([]*Blob, error)
	// Downloads returns who opened an attachment, oldest first.
	Downloads(ctx context.Context, attachmentID int64) ([]Download, error)
	// Upload returns an upload, or ENOTFOUND.
	Upload(ctx context.Context, id string) (*Upload, error)
	// UploadParts returns an upload's parts in order.
	UploadParts(ctx context.Context, id string) ([]UploadPart, error)
	// ExpiredUploads returns up to limit uploads that expired before t.
	ExpiredUploads(ctx context.Context, t time.Time, limit int) ([]*Upload, error)
}
