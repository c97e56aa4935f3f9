package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/otklik"
)

// UploadLifetime is how long an unfinished upload is kept: long enough to resume after a night
// without a connection, short enough that abandoned parts do not pile up.
const UploadLifetime = 24 * time.Hour

// maxUploadName bounds a declared file name (bytes); the name is sanitised for storage anyway.
const maxUploadName = 1024

// StartUpload begins a resumable upload of a file of size bytes through channel ch. The size is
// checked against the channel's limit now, so that nobody sends megabytes only to be refused.
func (s *Service) StartUpload(ctx context.Context, actor otklik.Actor, ch otklik.Channel, name string, size int64) (*otklik.Upload, error) {
	if s.files.Vault == nil {
		return nil, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	name = strings.TrimSpace(name)
	var v otklik.Validation
	switch {
	case name == "":
		v.Add("name", "field.required", nil)
	case !utf8.ValidString(name):
		v.Add("name", "field.invalid_utf8", nil)
	case len(name) > maxUploadName:
		v.Add("name", "field.too_long", map[string]string{"max": strconv.Itoa(maxUploadName), "len": strconv.Itoa(len(name))})
	}
	max := s.rules(ch).MaxFile
	switch {
	case size <= 0:
		v.Add("size", "upload.size_invalid", nil)
	case size > max:
		v.Add("size", "file.too_large", map[string]string{"name": displayName(name), "max": HumanBytes(max)})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, keyID, wrapped, err := s.files.Vault.NewKey()
	if err != nil {
		return nil, err
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	now := s.now()
	u := &otklik.Upload{ID: hex.EncodeToString(id[:]), Name: name, Size: size, Channel: ch, Owner: actor, KeyID: keyID,
		WrappedKey: wrapped, CreatedAt: now, ExpiresAt: now.Add(UploadLifetime)}
	err = s.store.Write(ctx, func(tx otklik.Tx) error { return tx.InsertUpload(ctx, u) })
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Upload returns an upload of actor's. Another's upload is not found: its id reveals nothing.
func (s *Service) Upload(ctx context.Context, actor otklik.Actor, id string) (*otklik.Upload, error) {
	u, err := s.store.Upload(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Owner.Type != actor.Type || u.Owner.ID != actor.ID || !s.now().Before(u.ExpiresAt) {
		return nil, otklik.NotFound("upload.not_found")
	}
	return u, nil
}

// AppendUpload adds the part r to upload id at offset, which must be where the received bytes end
// (else a conflict that says where they end: the client resumes from there). A part is kept whole or
// not at all: one cut short is discarded, and the client sends it again.
func (s *Service) AppendUpload(ctx context.Context, actor otklik.Actor, id string, offset int64, r io.Reader) (*otklik.Upload, error) {
	if s.files.Vault == nil {
		return nil, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	u, err := s.Upload(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if offset != u.Received {
		return nil, offsetConflict(u)
	}
	dek, err := s.files.Vault.UnwrapKey(u.KeyID, u.WrappedKey)
	if err != nil {
		return nil, err
	}
	object, n, err := s.files.Vault.PutPart(ctx, dek, r, u.Size-u.Received)
	if errors.Is(err, files.ErrTooLarge) {
		return nil, otklik.Errorf(otklik.ETOOLARGE, "upload.over_size", map[string]string{"size": strconv.FormatInt(u.Size, 10),
			"received": strconv.FormatInt(u.Received, 10)})
	}
	if err != nil {
		return nil, err
	}
	if n == 0 {
		_ = s.files.Vault.Delete(context.WithoutCancel(ctx), object)
		return u, nil
	}
	var taken bool
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		taken, err = tx.AddUploadPart(ctx, otklik.UploadPart{UploadID: id, Start: offset, Size: n, Object: object})
		return err
	})
	if err != nil || !taken {
		_ = s.files.Vault.Delete(context.WithoutCancel(ctx), object)
		if err != nil {
			return nil, err
		}
		// Another request's part came first.
		if u, err = s.Upload(ctx, actor, id); err != nil {
			return nil, err
		}
		return nil, offsetConflict(u)
	}
	u.Received += n
	return u, nil
}

func offsetConflict(u *otklik.Upload) error {
	e := otklik.Errorf(otklik.ECONFLICT, "upload.offset_mismatch", map[string]string{"offset": strconv.FormatInt(u.Received, 10)})
	e.Data = map[string]any{"offset": u.Received}
	return e
}

// FinishUpload attaches a completely received upload to ticket number (and to one of its messages,
// if messageID is not 0): its parts are read as one file, checked, stored and recorded like any
// other file, and the upload goes in the same transaction. A file refused by the checks takes its
// upload with it: nothing of it remains.
func (s *Service) FinishUpload(ctx context.Context, actor otklik.Actor, number string, messageID int64, id string) (*otklik.Attachment, error) {
	if s.files.Vault == nil {
		return nil, otklik.Errorf(otklik.EUNAVAILABLE, "file.unavailable", nil)
	}
	if err := s.TicketExists(ctx, number); err != nil {
		return nil, err
	}
	u, err := s.Upload(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if u.Received != u.Size {
		e := otklik.Errorf(otklik.ECONFLICT, "upload.incomplete", map[string]string{"received": strconv.FormatInt(u.Received, 10),
			"size": strconv.FormatInt(u.Size, 10)})
		e.Data = map[string]any{"offset": u.Received}
		return nil, e
	}
	parts, err := s.store.UploadParts(ctx, id)
	if err != nil {
		return nil, err
	}
	dek, err := s.files.Vault.UnwrapKey(u.KeyID, u.WrappedKey)
	if err != nil {
		return nil, err
	}
	objects := partObjects(parts)
	content := s.files.Vault.OpenParts(ctx, dek, objects)
	stored, err := s.StoreFile(ctx, u.Name, u.Channel, content)
	content.Close()
	if err != nil {
		if otklik.IsCode(err, otklik.EINVALID) {
			// Refused for what it is: the upload can never become a file.
			_ = s.dropUpload(context.WithoutCancel(ctx), u.ID, objects)
		}
		return nil, err
	}
	var gone bool
	att, err := s.attachStoredWith(ctx, actor, number, u.Channel, messageID, stored, func(tx otklik.Tx) error {
		var err error
		gone, err = tx.DeleteUpload(ctx, u.ID)
		if err == nil && !gone {
			err = otklik.NotFound("upload.not_found") // finished or cancelled meanwhile
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.deleteObjects(ctx, objects)
	return att, nil
}

// CancelUpload removes an upload of actor's and its parts.
func (s *Service) CancelUpload(ctx context.Context, actor otklik.Actor, id string) error {
	if _, err := s.Upload(ctx, actor, id); err != nil {
		return err
	}
	parts, err := s.store.UploadParts(ctx, id)
	if err != nil {
		return err
	}
	objects := partObjects(parts)
	return s.dropUpload(ctx, id, objects)
}

// dropUpload removes an upload's records, then its parts' contents.
func (s *Service) dropUpload(ctx context.Context, id string, objects []string) error {
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		_, err := tx.DeleteUpload(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	s.deleteObjects(ctx, objects)
	return nil
}

// deleteObjects removes contents no record refers to. Best effort: an object left behind holds sealed
// bytes nobody can name.
func (s *Service) deleteObjects(ctx context.Context, objects []string) {
	for _, o := range objects {
		if err := s.files.Vault.Delete(context.WithoutCancel(ctx), o); err != nil {
			s.log.Warn("removing an unreferenced file content failed", "object", o, "error", err)
		}
	}
}

// partObjects lists the objects of an upload's parts.
func partObjects(parts []otklik.UploadPart) []string {
	objects := make([]string, len(parts))
	for i, p := range parts {
		objects[i] = p.Object
	}
	return objects
}

// ExpireUploads removes the uploads left unfinished past their lifetime, with their parts, and
// returns how many it removed. Several nodes may run it at once.
func (s *Service) ExpireUploads(ctx context.Context) (int, error) {
	if s.files.Vault == nil {
		return 0, nil
	}
	removed := 0
	for {
		us, err := s.store.ExpiredUploads(ctx, s.now(), 100)
		if err != nil || len(us) == 0 {
			return removed, err
		}
		for _, u := range us {
			parts, err := s.store.UploadParts(ctx, u.ID)
			if err != nil {
				return removed, err
			}
			objects := partObjects(parts)
			if err := s.dropUpload(ctx, u.ID, objects); err != nil {
				return removed, err
			}
			removed++
		}
	}
}
