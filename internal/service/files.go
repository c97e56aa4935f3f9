package service

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/files/check"
	"github.com/otklik/otklik/internal/otklik"
)

// FileOptions configure attachments.
type FileOptions struct {
	// Vault stores contents; nil refuses every file ("file.unavailable").
	Vault *files.Vault
	// Scanning says a virus scanner is configured: new contents get a scan job. Without one they
	// wait «на проверке» and are served to nobody but their uploader.
	Scanning bool
	// Rules give the limits of a channel (nil: files.DefaultRules).
	Rules func(otklik.Channel) files.Rules
	// SecurityGroup is the code of the group that may open quarantined (infected) files ("security").
	SecurityGroup string
}

// JobScanFile is the kind of job that scans one content with the antivirus (payload: {"blob_id": N}).
const JobScanFile = "file.scan"

func (s *Service) rules(ch otklik.Channel) files.Rules {
	if s.files.Rules != nil {
		return s.files.Rules(ch)
	}
	return files.DefaultRules(ch)
}

// NewFile is a file to attach.
type NewFile struct {
	Name    string
	Channel otklik.Channel
	Content io.Reader
	// MessageID attaches the file to one of the ticket's messages (0: to the ticket).
	MessageID int64
}

// StoredFile is a file whose content is in the vault, not yet recorded on a ticket.
type StoredFile struct {
	Name   string
	Stored *files.Stored
}

// StoreFile puts one file's content into the vault under the channel's limit, outside any
// transaction. A refused file is an EINVALID error saying in Russian what is wrong; nothing of it
// remains.
func (s *Service) StoreFile(ctx context.Context, name string, ch otklik.Channel, content io.Reader) (*StoredFile, error) {
	if s.files.Vault == nil {
		return nil, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	max := s.rules(ch).MaxFile
	st, err := s.files.Vault.Put(ctx, content, max)
	if err != nil {
		return nil, fileError(err, name, max)
	}
	return &StoredFile{Name: name, Stored: st}, nil
}

// fileError turns a refusal of the vault into a validation error for the citizen or operator.
func fileError(err error, name string, max int64) error {
	args := map[string]string{"name": displayName(name), "max": HumanBytes(max)}
	var p *check.Problem
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return otklik.Invalid(otklik.FieldError{Field: "file", Key: "file.too_large", Args: args})
	case errors.As(err, &p):
		key := p.Code
		switch key {
		case "file.type_not_allowed", "file.ooxml_invalid", "file.zip_bomb", "file.polyglot", "file.image_bomb",
			"file.image_invalid", "file.empty":
		default:
			key = "file.type_not_allowed"
		}
		return otklik.Invalid(otklik.FieldError{Field: "file", Key: key, Args: args})
	}
	return err
}

func displayName(name string) string {
	if name == "" {
		return "без имени"
	}
	r := []rune(oneLineText(name))
	if len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return string(r)
}

// HumanBytes says a size as a person reads it in Russian: «10 МБ», «2,6 МБ», «512 КБ». A size that is
// not a whole number of units is rounded up, so that a size over a limit never reads as the limit.
func HumanBytes(n int64) string {
	const kb, mb = 1 << 10, 1 << 20
	switch {
	case n >= mb && n%mb == 0:
		return strconv.FormatInt(n/mb, 10) + " МБ"
	case n >= mb:
		tenths := (n*10 + mb - 1) / mb
		return strconv.FormatInt(tenths/10, 10) + "," + strconv.FormatInt(tenths%10, 10) + " МБ"
	case n >= kb:
		return strconv.FormatInt((n+kb-1)/kb, 10) + " КБ"
	}
	return strconv.FormatInt(n, 10) + " Б"
}

// DiscardStored removes stored contents that no record took (the transaction failed or was a
// duplicate). Best effort: an object left behind holds sealed bytes nobody can name.
func (s *Service) DiscardStored(ctx context.Context, fs []*StoredFile) {
	objects := make([]string, len(fs))
	for i, f := range fs {
		objects[i] = f.Stored.Object
	}
	s.deleteObjects(ctx, objects)
}

// fileRecord is a journal record's After for a file.
type fileRecord struct {
	Attachment int64  `json:"attachment"`
	Name       string `json:"name"`
	Type       string `json:"type,omitempty"`
	Size       int64  `json:"size,omitempty"`
	SHA256     string `json:"sha256,omitempty"`
	Signature  string `json:"signature,omitempty"`
}

func (r fileRecord) json() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// attachStored records stored files on ticket t in tx, one content once: a content already in the
// vault is reused (the new copy is removed after the commit). It returns the journal records to
// append and the attachments.
func (s *Service) attachStored(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, actor otklik.Actor, ch otklik.Channel,
	messageID int64, fs []*StoredFile) ([]*otklik.JournalRecord, []*otklik.Attachment, error) {
	var recs []*otklik.JournalRecord
	var out []*otklik.Attachment
	var duplicates []*StoredFile
	for _, f := range fs {
		b, err := tx.BlobBySHA256(ctx, f.Stored.SHA256)
		switch {
		case err == nil:
			duplicates = append(duplicates, f)
		case otklik.IsCode(err, otklik.ENOTFOUND):
			b = f.Stored.Blob()
			if err := tx.InsertBlob(ctx, b); err != nil {
				return nil, nil, err
			}
			if err := s.enqueueScan(ctx, tx, b); err != nil {
				return nil, nil, err
			}
		default:
			return nil, nil, err
		}
		a := &otklik.Attachment{TicketID: t.ID, MessageID: messageID, Blob: b, Name: truncateRunes(oneLineText(f.Name), 500),
			SafeName: check.SafeName(f.Name, files.KindOf(b.ContentType)), Channel: ch, Uploader: actor}
		if err := tx.InsertAttachment(ctx, a); err != nil {
			return nil, nil, err
		}
		out = append(out, a)
		recs = append(recs, &otklik.JournalRecord{Actor: actor, Kind: otklik.KindFile, Field: "attached",
			After: fileRecord{Attachment: a.ID, Name: a.Name, Type: b.ContentType, Size: b.Size, SHA256: hex.EncodeToString(b.SHA256)}.json()})
	}
	if len(duplicates) > 0 {
		tx.AfterCommit(func() { s.DiscardStored(context.Background(), duplicates) })
	}
	return recs, out, nil
}

func (s *Service) enqueueScan(ctx context.Context, tx otklik.Tx, b *otklik.Blob) error {
	if !s.files.Scanning {
		return nil
	}
	payload, _ := json.Marshal(map[string]int64{"blob_id": b.ID})
	return s.enqueue(ctx, tx, &otklik.Job{Kind: JobScanFile, Payload: string(payload), MaxAttempts: 40})
}

// Attach stores a file and attaches it to a ticket (and one of its messages), recording it in the
// journal. The file is checked by content against the channel's rules; it is scanned afterwards.
func (s *Service) Attach(ctx context.Context, actor otklik.Actor, number string, in NewFile) (*otklik.Attachment, error) {
	if err := s.TicketExists(ctx, number); err != nil {
		return nil, err // before reading the whole upload
	}
	ch := in.Channel
	if ch == "" {
		ch = actor.Channel
	}
	f, err := s.StoreFile(ctx, in.Name, ch, in.Content)
	if err != nil {
		return nil, err
	}
	return s.AttachStored(ctx, actor, number, ch, in.MessageID, f)
}

// TicketExists returns ENOTFOUND for a number no ticket has.
func (s *Service) TicketExists(ctx context.Context, number string) error {
	n, err := lookupNumber(number)
	if err != nil {
		return err
	}
	if _, err := s.store.TicketByNumber(ctx, n); err != nil {
		return notFoundNumber(err, number)
	}
	return nil
}

// AttachStored attaches a file already in the vault to a ticket, in one transaction with its journal
// record; on failure the stored content is removed.
func (s *Service) AttachStored(ctx context.Context, actor otklik.Actor, number string, ch otklik.Channel, messageID int64, f *StoredFile) (*otklik.Attachment, error) {
	return s.attachStoredWith(ctx, actor, number, ch, messageID, f, nil)
}

// attachStoredWith is AttachStored that also runs also, if not nil, in the same transaction.
func (s *Service) attachStoredWith(ctx context.Context, actor otklik.Actor, number string, ch otklik.Channel, messageID int64,
	f *StoredFile, also func(otklik.Tx) error) (*otklik.Attachment, error) {
	var att *otklik.Attachment
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		att = nil
		_, _, err := s.applyChange(ctx, tx, number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			if messageID != 0 && !s.messageOf(ctx, t.ID, messageID) {
				return nil, otklik.Invalid(otklik.FieldError{Field: "message_id", Key: "file.message_not_found"})
			}
			if also != nil {
				if err := also(tx); err != nil {
					return nil, err
				}
			}
			recs, atts, err := s.attachStored(ctx, tx, t, actor, ch, messageID, []*StoredFile{f})
			if err != nil {
				return nil, err
			}
			att = atts[0]
			return recs, nil
		})
		return err
	})
	if err != nil {
		s.DiscardStored(ctx, []*StoredFile{f})
		return nil, err
	}
	return att, nil
}

// messageOf reports whether message id belongs to the ticket.
func (s *Service) messageOf(ctx context.Context, ticketID, id int64) bool {
	msgs, err := s.store.Messages(ctx, ticketID)
	if err != nil {
		return false
	}
	for _, m := range msgs {
		if m.ID == id {
			return true
		}
	}
	return false
}

// Attachments returns a ticket's attachments, deleted ones included (as records).
func (s *Service) Attachments(ctx context.Context, number string) ([]*otklik.Attachment, error) {
	n, err := lookupNumber(number)
	if err != nil {
		return nil, err
	}
	t, err := s.store.TicketByNumber(ctx, n)
	if err != nil {
		return nil, notFoundNumber(err, number)
	}
	return s.store.Attachments(ctx, t.ID)
}

// AttachmentView is an attachment with its ticket's number.
type AttachmentView struct {
	*otklik.Attachment
	Number string
}

// Attachment returns one attachment's description.
func (s *Service) Attachment(ctx context.Context, id int64) (*AttachmentView, error) {
	a, err := s.store.Attachment(ctx, id)
	if err != nil {
		return nil, err
	}
	number, err := s.store.TicketNumberByID(ctx, a.TicketID)
	if err != nil {
		return nil, err
	}
	return &AttachmentView{Attachment: a, Number: number}, nil
}

// Viewer is who asks to open a file.
type Viewer struct {
	Actor otklik.Actor
	Role  otklik.Role // staff only
	Group string      // the staff member's main group code
	// Citizen marks the requester of the file's ticket on the portal (the caller checked that the
	// ticket is theirs): they may open its clean files.
	Citizen bool
}

// mayOpen decides whether v may open a: the uploader always (even before the scan); staff who work
// tickets (not auditors) once it is clean; the security group alone while it is infected; nobody
// once its content is deleted.
func (s *Service) mayOpen(v Viewer, a *otklik.Attachment) error {
	if !a.DeletedAt.IsZero() || !a.Blob.DeletedAt.IsZero() {
		return otklik.Errorf(otklik.ENOTFOUND, "file.deleted", map[string]string{"when": a.DeletedAt.In(Moscow).Format("02.01.2006")})
	}
	uploader := v.Actor.Type == a.Uploader.Type && v.Actor.ID == a.Uploader.ID && a.Uploader.Type != otklik.ActorSystem
	staff := v.Actor.Type == otklik.ActorStaff && v.Role.CanWriteTickets()
	security := s.files.SecurityGroup
	if security == "" {
		security = "security"
	}
	switch a.Blob.Scan {
	case otklik.ScanClean:
		if staff || uploader || (v.Citizen && v.Actor.Type == otklik.ActorRequester) {
			return nil
		}
	case otklik.ScanInfected:
		if staff && v.Group == security {
			return nil
		}
		return otklik.Errorf(otklik.EFORBIDDEN, "file.infected", map[string]string{"signature": a.Blob.Signature})
	default: // pending, error
		if uploader {
			return nil
		}
		return otklik.Errorf(otklik.EFORBIDDEN, "file.not_scanned", nil)
	}
	return otklik.Errorf(otklik.EFORBIDDEN, "file.forbidden", nil)
}

// OpenAttachment checks that v may open the file, records the download (or the preview) for the
// auditor, and returns the attachment and its content. The caller closes the content.
func (s *Service) OpenAttachment(ctx context.Context, v Viewer, id int64, preview bool) (*otklik.Attachment, *files.Content, error) {
	if s.files.Vault == nil {
		return nil, nil, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	a, err := s.store.Attachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.mayOpen(v, a); err != nil {
		return nil, nil, err
	}
	if preview && a.Blob.ContentType != "image/jpeg" && a.Blob.ContentType != "image/png" {
		return nil, nil, otklik.Errorf(otklik.ENOTFOUND, "file.no_preview", nil)
	}
	c, err := s.files.Vault.Open(ctx, a.Blob)
	if err != nil {
		return nil, nil, err
	}
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		return tx.InsertDownload(ctx, &otklik.Download{AttachmentID: a.ID, Actor: v.Actor, Preview: preview})
	})
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return a, c, nil
}

// Downloads returns who opened an attachment, for auditors and administrators.
func (s *Service) Downloads(ctx context.Context, id int64) ([]otklik.Download, error) {
	if _, err := s.store.Attachment(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Downloads(ctx, id)
}

// DeleteAttachment removes a file's content for a reason (retention, a citizen's request, a
// mistake), leaving the record of what was deleted, when, by whom and why, and a journal record on
// the ticket. The content itself goes when no other attachment uses it.
func (s *Service) DeleteAttachment(ctx context.Context, actor otklik.Actor, id int64, reason string) error {
	reason = truncateRunes(oneLineText(reason), 500)
	if reason == "" {
		return otklik.Invalid(otklik.FieldError{Field: "reason", Key: "field.required"})
	}
	a, err := s.store.Attachment(ctx, id)
	if err != nil {
		return err
	}
	number, err := s.store.TicketNumberByID(ctx, a.TicketID)
	if err != nil {
		return err
	}
	var gone string
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		gone = ""
		_, _, err := s.applyChange(ctx, tx, number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			cur, err := tx.AttachmentByIDTx(ctx, id)
			if err != nil {
				return nil, err
			}
			if !cur.DeletedAt.IsZero() {
				return nil, otklik.Errorf(otklik.ECONFLICT, "file.deleted", map[string]string{"when": cur.DeletedAt.In(Moscow).Format("02.01.2006")})
			}
			if err := tx.MarkAttachmentDeleted(ctx, id, actor.Name, reason); err != nil {
				return nil, err
			}
			others, err := tx.AttachmentsOfBlob(ctx, cur.Blob.ID)
			if err != nil {
				return nil, err
			}
			if len(others) == 0 {
				if err := tx.MarkBlobDeleted(ctx, cur.Blob.ID); err != nil {
					return nil, err
				}
				gone = cur.Blob.Object
			}
			return []*otklik.JournalRecord{{Actor: actor, Kind: otklik.KindFile, Field: "deleted", Reason: reason,
				Before: fileRecord{Attachment: id, Name: cur.Name, Type: cur.Blob.ContentType, Size: cur.Blob.Size}.json()}}, nil
		})
		return err
	})
	if err != nil {
		return err
	}
	if gone != "" {
		if err := s.files.Vault.Delete(ctx, gone); err != nil {
			s.log.Warn("the deleted file's content could not be removed from the store; its key is gone, so it cannot be read",
				"object", gone, "error", err)
		}
	}
	return nil
}

// DeleteTicketFiles deletes the content of every file of ticket number that is not deleted yet, each
// with its record, as DeleteAttachment does, and returns how many. It is the retention hook: files
// follow their ticket, and a retention period that ends (or a citizen's request to erase) calls it.
// Run again after a failure, it goes on where it stopped.
func (s *Service) DeleteTicketFiles(ctx context.Context, actor otklik.Actor, number, reason string) (int, error) {
	atts, err := s.Attachments(ctx, number)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range atts {
		if !a.DeletedAt.IsZero() {
			continue
		}
		if err := s.DeleteAttachment(ctx, actor, a.ID, reason); err != nil && !otklik.IsCode(err, otklik.ECONFLICT) {
			return n, err
		}
		n++
	}
	return n, nil
}

// ScanVerdict is what the antivirus said of one content.
type ScanVerdict struct {
	Scan      otklik.ScanStatus
	Signature string
}

// ScanFunc scans a stream: infected with the signature's name, or an error when it could not scan.
type ScanFunc func(ctx context.Context, r io.Reader) (infected bool, signature string, err error)

// ErrScanImpossible wraps a scanner's refusal that retrying cannot change (e.g. over its size limit).
var ErrScanImpossible = errors.New("the scanner cannot scan this content")

// ScanBlob scans a blob's content (the scan job's Run). A blob already scanned is not scanned again.
func (s *Service) ScanBlob(ctx context.Context, blobID int64, scan ScanFunc) (ScanVerdict, error) {
	var b *otklik.Blob
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		b, err = tx.BlobByIDTx(ctx, blobID)
		return err
	})
	if err != nil {
		return ScanVerdict{}, err
	}
	if b.Scan != otklik.ScanPending || !b.DeletedAt.IsZero() {
		return ScanVerdict{Scan: b.Scan, Signature: b.Signature}, nil
	}
	c, err := s.files.Vault.Open(ctx, b)
	if err != nil {
		return ScanVerdict{}, err
	}
	defer s.files.Vault.Evict(ctx, b.Object) // read once, for the scan
	defer c.Close()
	infected, sig, err := scan(ctx, c)
	switch {
	case errors.Is(err, ErrScanImpossible):
		return ScanVerdict{Scan: otklik.ScanError, Signature: err.Error()}, nil
	case err != nil:
		return ScanVerdict{}, err
	case infected:
		return ScanVerdict{Scan: otklik.ScanInfected, Signature: sig}, nil
	}
	return ScanVerdict{Scan: otklik.ScanClean}, nil
}

// RecordScan records a verdict in tx (the scan job's Commit). An infected file is blocked: every
// ticket it is attached to gets a journal record, and a citizen who sent it by e-mail is told why in
// Russian.
func (s *Service) RecordScan(ctx context.Context, tx otklik.Tx, blobID int64, v ScanVerdict) error {
	b, err := tx.BlobByIDTx(ctx, blobID)
	if err != nil {
		return err
	}
	if b.Scan != otklik.ScanPending {
		return nil // recorded before (a job run twice)
	}
	if err := tx.SetBlobScan(ctx, blobID, v.Scan, truncateRunes(v.Signature, 300)); err != nil {
		return err
	}
	if v.Scan != otklik.ScanInfected && v.Scan != otklik.ScanError {
		return nil
	}
	atts, err := tx.AttachmentsOfBlob(ctx, blobID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		number, err := tx.TicketNumber(ctx, a.TicketID)
		if err != nil {
			return err
		}
		field := "infected"
		if v.Scan == otklik.ScanError {
			field = "scan_failed"
		}
		t, _, err := s.applyChange(ctx, tx, number, 0, func(tx otklik.Tx, t *otklik.Ticket, now time.Time) ([]*otklik.JournalRecord, error) {
			return []*otklik.JournalRecord{{Actor: otklik.SystemActor, Kind: otklik.KindFile, Field: field,
				After: fileRecord{Attachment: a.ID, Name: a.Name, Signature: v.Signature}.json()}}, nil
		})
		if err != nil {
			return err
		}
		if v.Scan == otklik.ScanInfected && a.Uploader.Type == otklik.ActorRequester && t.Requester != nil && t.Requester.Email != "" {
			if err := s.noticeInfected(ctx, tx, t, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// noticeInfected tells the citizen that a file they sent was blocked.
func (s *Service) noticeInfected(ctx context.Context, tx otklik.Tx, t *otklik.Ticket, a *otklik.Attachment) error {
	if s.mail.Address == "" {
		return nil
	}
	body := "Здравствуйте!\n\nФайл «" + displayName(a.Name) + "», приложенный к обращению № " + t.Number +
		", не принят: антивирусная проверка обнаружила в нём вредоносное содержимое. Файл заблокирован, сотрудники его не откроют.\n\n" +
		"Обращение продолжает рассматриваться. Если файл нужен для ответа, проверьте устройство антивирусом и пришлите файл заново в ответ на это письмо.\n\n" +
		"С уважением,\n" + s.mail.Name
	return s.autoAnswer(ctx, tx, InboundMail{FromEmail: t.Requester.Email, FromName: t.Requester.Name}, t, otklik.MailNotice,
		"Файл не принят", body)
}

// QueuePendingScans enqueues a scan of every content still waiting for one (serve calls it at start
// when a scanner is configured: contents stored while there was none get scanned then).
func (s *Service) QueuePendingScans(ctx context.Context) (int, error) {
	if !s.files.Scanning {
		return 0, nil
	}
	// Contents whose scan job waits already (queued, or retrying while clamd was away) keep it.
	waiting := map[string]bool{}
	var jobAfter int64
	for {
		js, err := s.store.Jobs(ctx, otklik.JobFilter{Kind: JobScanFile, Statuses: []otklik.JobStatus{otklik.JobQueued, otklik.JobRunning},
			AfterID: jobAfter, Limit: 500})
		if err != nil {
			return 0, err
		}
		for _, j := range js {
			waiting[j.Payload] = true
		}
		if len(js) < 500 {
			break
		}
		jobAfter = js[len(js)-1].ID
	}
	total := 0
	var after int64
	for {
		bs, err := s.store.PendingBlobs(ctx, after, 500)
		if err != nil || len(bs) == 0 {
			return total, err
		}
		var queued int
		err = s.store.Write(ctx, func(tx otklik.Tx) error {
			queued = 0
			for _, b := range bs {
				payload, _ := json.Marshal(map[string]int64{"blob_id": b.ID})
				if waiting[string(payload)] {
					continue
				}
				if err := s.enqueueScan(ctx, tx, b); err != nil {
					return err
				}
				queued++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += queued
		after = bs[len(bs)-1].ID
	}
}

// RewrapKeys wraps every content's data key anew with the keyring's current master key, so that the
// old master key can be retired. Contents are not re-encrypted. It returns how many keys it rewrapped.
func (s *Service) RewrapKeys(ctx context.Context) (int, error) {
	if s.files.Vault == nil {
		return 0, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	current := s.files.Vault.CurrentKey()
	total := 0
	var after int64
	for {
		bs, err := s.store.BlobsByKey(ctx, current, after, 500)
		if err != nil || len(bs) == 0 {
			return total, err
		}
		type rewrapped struct {
			id      int64
			keyID   string
			wrapped []byte
		}
		var rs []rewrapped
		for _, b := range bs {
			keyID, wrapped, err := s.files.Vault.Rewrap(b)
			if err != nil {
				return total, fmt.Errorf("rewrap the key of content %d (wrapped by %q): %w", b.ID, b.KeyID, err)
			}
			rs = append(rs, rewrapped{b.ID, keyID, wrapped})
		}
		err = s.store.Write(ctx, func(tx otklik.Tx) error {
			for _, r := range rs {
				if err := tx.RewrapBlob(ctx, r.id, r.keyID, r.wrapped); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(rs)
		after = bs[len(bs)-1].ID
	}
}

// ViewerOf describes a staff member as a viewer of files.
func (s *Service) ViewerOf(ctx context.Context, u *otklik.User, ch otklik.Channel) (Viewer, error) {
	v := Viewer{Actor: u.Actor(ch), Role: u.Role}
	if u.GroupID == 0 {
		return v, nil
	}
	gs, err := s.store.Groups(ctx)
	if err != nil {
		return v, err
	}
	for _, g := range gs {
		if g.ID == u.GroupID {
			v.Group = g.Code
		}
	}
	return v, nil
}
