// Package files keeps citizens' files: the rules of each channel, checks of what a file really is,
// encryption at rest and the blob store it lives in. The use cases around it (who may attach, see or
// delete a file, the antivirus, the journal) are in internal/service.
//
// A file's content is sealed (internal/files/sealed) under a data key of its own, which is stored
// wrapped by a master key of the keyring; its object in the store has a random name, so the store
// alone tells nothing about what it holds.
package files

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/otklik/otklik/internal/files/blob"
	"github.com/otklik/otklik/internal/files/check"
	"github.com/otklik/otklik/internal/files/sealed"
	"github.com/otklik/otklik/internal/otklik"
)

// Rules limit the files of one channel.
type Rules struct {
	MaxFile  int64 // bytes a file
	MaxTotal int64 // bytes of all files of one message or request
	MaxFiles int   // files in one message or request
}

// DefaultRules are PRODUCT.md's: e-mail 10 MB a file and 25 MB a message; the web form and the API
// 5 MB a file; chat 2 MB.
func DefaultRules(ch otklik.Channel) Rules {
	switch ch {
	case otklik.ChannelEmail:
		return Rules{MaxFile: 10 << 20, MaxTotal: 25 << 20, MaxFiles: 20}
	case otklik.ChannelChat, otklik.ChannelTelegram, otklik.ChannelVK:
		return Rules{MaxFile: 2 << 20, MaxTotal: 10 << 20, MaxFiles: 10}
	default:
		return Rules{MaxFile: 5 << 20, MaxTotal: 25 << 20, MaxFiles: 10}
	}
}

// KindOf returns the kind whose content type is ct ("" for none).
func KindOf(ct string) check.Kind {
	for _, k := range []check.Kind{check.PDF, check.DOCX, check.XLSX, check.JPEG, check.PNG} {
		if k.ContentType() == ct {
			return k
		}
	}
	return ""
}

// ErrTooLarge is returned by Put for content over its limit.
var ErrTooLarge = errors.New("files: content over the limit")

// Vault stores and opens file contents.
type Vault struct {
	Store  blob.Store
	Keys   *sealed.Keyring
	Limits check.Limits
	// KeysDir, when set, is read again when a content's key is wrapped by a master key this
	// keyring lacks (another process rotated the keys).
	KeysDir string

	mu sync.RWMutex
}

// keyring returns the current keyring.
func (v *Vault) keyring() *sealed.Keyring {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.Keys
}

// Derive returns a secret for one purpose derived from the current master key (sealed.Keyring.Derive).
func (v *Vault) Derive(purpose string) ([]byte, error) {
	k := v.keyring()
	if k == nil {
		return nil, sealed.ErrNoKeys
	}
	return k.Derive(purpose)
}

// unwrap unwraps a data key, reloading the keyring once if it lacks the master key.
func (v *Vault) unwrap(keyID string, wrapped []byte) ([]byte, error) {
	dek, err := v.keyring().Unwrap(keyID, wrapped)
	if !errors.Is(err, sealed.ErrUnknownKey) || v.KeysDir == "" {
		return dek, err
	}
	k, lerr := sealed.LoadKeyring(v.KeysDir)
	if lerr != nil {
		return nil, fmt.Errorf("%w (reloading the keys: %v)", err, lerr)
	}
	v.mu.Lock()
	v.Keys = k
	v.mu.Unlock()
	return k.Unwrap(keyID, wrapped)
}

// CurrentKey is the ID of the master key that wraps new data keys.
func (v *Vault) CurrentKey() string { return v.keyring().Current }

// Stored is content put into the vault, not yet referenced by any record.
type Stored struct {
	Object     string
	SHA256     []byte
	Size       int64
	KeyID      string
	WrappedKey []byte
	Kind       check.Kind
}

// Blob returns the record of the stored content, waiting for its scan.
func (s *Stored) Blob() *otklik.Blob {
	return &otklik.Blob{SHA256: s.SHA256, Size: s.Size, Object: s.Object, KeyID: s.KeyID, WrappedKey: s.WrappedKey,
		ContentType: s.Kind.ContentType(), Scan: otklik.ScanPending}
}

// Put streams r into the vault: hashed, sealed under a new data key and written under a new random
// object name, then checked for what it really is. Content over max bytes is ErrTooLarge; a file of
// a refused kind is a *check.Problem. On any error nothing of it remains in the store. Memory stays
// small whatever the size: the content is never held whole. A store that keeps objects in memory
// (blob.Evicter) is told to let go of it once checked.
func (v *Vault) Put(ctx context.Context, r io.Reader, max int64) (*Stored, error) {
	dek, keyID, wrapped, err := v.NewKey()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	keep := keptPool.Get().(*kept)
	defer keptPool.Put(keep)
	keep.b, keep.over = keep.b[:0], false
	object, n, err := v.seal(ctx, dek, io.TeeReader(r, io.MultiWriter(h, keep)), max)
	if err != nil {
		return nil, err
	}
	st := &Stored{Object: object, SHA256: h.Sum(nil), Size: n, KeyID: keyID, WrappedKey: wrapped}
	var kind check.Kind
	if !keep.over && int64(len(keep.b)) == n {
		// A small file was kept as it went by: checked from memory, not read back and decrypted.
		kind, err = check.Detect(bytes.NewReader(keep.b), n, v.Limits)
	} else {
		kind, err = v.detect(ctx, st, dek)
	}
	if err != nil {
		_ = v.Store.Delete(context.WithoutCancel(ctx), object)
		return nil, err
	}
	st.Kind = kind
	v.Evict(ctx, object) // checked: nothing reads it again soon
	return st, nil
}

// Evict tells a store that keeps objects in memory (blob.Evicter) that nothing will read the object
// again soon: after the check of a new file, after its scan.
func (v *Vault) Evict(ctx context.Context, object string) {
	if e, ok := v.Store.(blob.Evicter); ok {
		e.Evict(ctx, object)
	}
}

// keptMax is the size up to which Put keeps a file's plaintext in memory as it streams by, to check
// it without reading it back: a form's or a chat's typical photo or scan. Larger files are read back
// from the store, so memory stays bounded whatever the size.
const keptMax = 2 << 20

// kept collects the first keptMax bytes written to it, and then stops keeping (len < the size).
type kept struct {
	b    []byte
	over bool
}

func (k *kept) Write(p []byte) (int, error) {
	if len(k.b)+len(p) > keptMax {
		k.b = k.b[:0:0] // over the limit: keep nothing (and give the memory back)
		k.over = true
	}
	if !k.over {
		k.b = append(k.b, p...)
	}
	return len(p), nil
}

var keptPool = sync.Pool{New: func() any { return new(kept) }}

// NewKey makes a new data key, and returns it with its wrapping by the current master key.
func (v *Vault) NewKey() (dek []byte, keyID string, wrapped []byte, err error) {
	dek, err = sealed.NewDataKey()
	if err != nil {
		return nil, "", nil, err
	}
	keyID, wrapped, err = v.keyring().Wrap(dek)
	return dek, keyID, wrapped, err
}

// UnwrapKey returns the data key that keyID wraps as wrapped.
func (v *Vault) UnwrapKey(keyID string, wrapped []byte) ([]byte, error) {
	return v.unwrap(keyID, wrapped)
}

// seal streams r, at most max bytes (more is ErrTooLarge), into a new object under a new random name,
// sealed under dek. On any error nothing remains.
func (v *Vault) seal(ctx context.Context, dek []byte, r io.Reader, max int64) (object string, n int64, err error) {
	var name [16]byte
	if _, err := rand.Read(name[:]); err != nil {
		return "", 0, err
	}
	object = hex.EncodeToString(name[:])
	w, err := v.Store.Create(ctx)
	if err != nil {
		return "", 0, err
	}
	sw, err := sealed.NewWriter(w, dek, []byte(object))
	if err != nil {
		w.Abort()
		return "", 0, err
	}
	n, err = io.Copy(sw, io.LimitReader(r, max+1))
	switch {
	case err == nil && n > max:
		err = ErrTooLarge
	case err == nil:
		err = sw.Close()
	}
	if err == nil {
		err = w.Commit(object)
	}
	if err != nil {
		w.Abort()
		return "", 0, err
	}
	return object, n, nil
}

// PutPart stores one part of an upload: r, at most max bytes (more is ErrTooLarge), sealed under the
// upload's data key as a new object. Nothing is checked yet: the parts are checked as one file by Put
// when the last has come. On any error nothing of the part remains.
func (v *Vault) PutPart(ctx context.Context, dek []byte, r io.Reader, max int64) (object string, n int64, err error) {
	return v.seal(ctx, dek, r, max)
}

// OpenParts returns the plaintext of an upload's parts, one after another, as one stream. Each part is
// opened only when the stream reaches it.
func (v *Vault) OpenParts(ctx context.Context, dek []byte, objects []string) io.ReadCloser {
	return &partsReader{ctx: ctx, v: v, dek: dek, objects: objects}
}

type partsReader struct {
	ctx     context.Context
	v       *Vault
	dek     []byte
	objects []string
	cur     *io.SectionReader
	obj     blob.Object
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.cur == nil {
			if len(p.objects) == 0 {
				return 0, io.EOF
			}
			obj, err := p.v.Store.Open(p.ctx, p.objects[0])
			if err != nil {
				return 0, fmt.Errorf("files: open part %s: %w", p.objects[0], err)
			}
			r, err := sealed.NewReader(obj, obj.Size(), p.dek, []byte(p.objects[0]))
			if err != nil {
				obj.Close()
				return 0, fmt.Errorf("files: part %s: %w", p.objects[0], err)
			}
			p.obj, p.cur, p.objects = obj, io.NewSectionReader(r, 0, r.Size()), p.objects[1:]
		}
		n, err := p.cur.Read(b)
		if err == io.EOF {
			p.obj.Close()
			p.cur, p.obj = nil, nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (p *partsReader) Close() error {
	if p.obj != nil {
		p.cur = nil
		return p.obj.Close()
	}
	return nil
}

func (v *Vault) detect(ctx context.Context, st *Stored, dek []byte) (check.Kind, error) {
	obj, err := v.Store.Open(ctx, st.Object)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	r, err := sealed.NewReader(obj, obj.Size(), dek, []byte(st.Object))
	if err != nil {
		return "", err
	}
	return check.Detect(r, r.Size(), v.Limits)
}

// Content is an opened file: its plaintext, read at random or as a stream.
type Content struct {
	*io.SectionReader
	obj blob.Object
}

// Close releases the stored object.
func (c *Content) Close() error { return c.obj.Close() }

// Open returns a blob's plaintext.
func (v *Vault) Open(ctx context.Context, b *otklik.Blob) (*Content, error) {
	if !b.DeletedAt.IsZero() {
		return nil, otklik.Errorf(otklik.ENOTFOUND, "file.deleted", nil)
	}
	dek, err := v.unwrap(b.KeyID, b.WrappedKey)
	if err != nil {
		return nil, fmt.Errorf("files: unwrap the key of blob %d: %w", b.ID, err)
	}
	obj, err := v.Store.Open(ctx, b.Object)
	if err != nil {
		return nil, fmt.Errorf("files: open blob %d: %w", b.ID, err)
	}
	r, err := sealed.NewReader(obj, obj.Size(), dek, []byte(b.Object))
	if err != nil {
		obj.Close()
		return nil, fmt.Errorf("files: blob %d: %w", b.ID, err)
	}
	return &Content{SectionReader: io.NewSectionReader(r, 0, r.Size()), obj: obj}, nil
}

// Delete removes an object; deleting a missing one is not an error.
func (v *Vault) Delete(ctx context.Context, object string) error {
	return v.Store.Delete(ctx, object)
}

// Rewrap returns b's data key wrapped by the keyring's current master key.
func (v *Vault) Rewrap(b *otklik.Blob) (keyID string, wrapped []byte, err error) {
	dek, err := v.unwrap(b.KeyID, b.WrappedKey)
	if err != nil {
		return "", nil, err
	}
	return v.keyring().Wrap(dek)
}
