package sealed

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"
)

// ErrNoKeys reports a key directory that holds no master keys (or does not exist).
var ErrNoKeys = errors.New("sealed: no master keys")

// ErrUnknownKey reports a master key ID that is not in the keyring.
var ErrUnknownKey = errors.New("sealed: unknown master key")

const (
	wrapNonceSize = 12
	wrappedSize   = wrapNonceSize + KeySize + tagSize
	wrapADPrefix  = "otklik-dek:"
	keySuffix     = ".key"
	currentFile   = "current"
)

var keyIDPattern = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// Keyring holds master keys by ID. They wrap data keys; Current is the one that wraps new ones, the
// others stay to unwrap what they wrapped until it is wrapped anew. Wrap and Unwrap are safe for
// concurrent use; Add and SetCurrent are not safe to call concurrently with anything else.
type Keyring struct {
	Current string
	keys    map[string][]byte
}

// NewKeyring returns an empty keyring.
func NewKeyring() *Keyring {
	return &Keyring{keys: make(map[string][]byte)}
}

// IDs returns the IDs of the keys, sorted.
func (k *Keyring) IDs() []string {
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Add adds a master key of KeySize bytes under id, which is 1 to 32 of [a-z0-9-].
func (k *Keyring) Add(id string, key []byte) error {
	if !keyIDPattern.MatchString(id) {
		return fmt.Errorf("sealed: invalid key ID %q: want 1 to 32 of [a-z0-9-]", id)
	}
	if len(key) != KeySize {
		return fmt.Errorf("sealed: key %s is %d bytes, want %d", id, len(key), KeySize)
	}
	if _, ok := k.keys[id]; ok {
		return fmt.Errorf("sealed: key %s added twice", id)
	}
	k.keys[id] = append([]byte(nil), key...)
	return nil
}

// Derive returns a 32-byte secret for one purpose (such as "portal-captcha"), derived from the current
// master key by HMAC-SHA-256: every node that reads the same key directory derives the same secret,
// and the master key itself never leaves the keyring. The secret changes when the current key does.
func (k *Keyring) Derive(purpose string) ([]byte, error) {
	key, ok := k.keys[k.Current]
	if !ok {
		return nil, fmt.Errorf("%w: no current key", ErrNoKeys)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("otklik-derive:" + purpose))
	return m.Sum(nil), nil
}

// SetCurrent makes the key id the one that wraps new data keys.
func (k *Keyring) SetCurrent(id string) error {
	if _, ok := k.keys[id]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	k.Current = id
	return nil
}

// Wrap encrypts the data key dek under the current master key: AES-256-GCM with a random 12-byte
// nonce and the additional data "otklik-dek:" + keyID. It returns the key's ID and nonce | ciphertext.
func (k *Keyring) Wrap(dek []byte) (keyID string, wrapped []byte, err error) {
	if len(dek) != KeySize {
		return "", nil, fmt.Errorf("sealed: data key is %d bytes, want %d", len(dek), KeySize)
	}
	master, ok := k.keys[k.Current]
	if !ok {
		return "", nil, fmt.Errorf("%w: current key %q", ErrUnknownKey, k.Current)
	}
	aead, err := newAEAD(master)
	if err != nil {
		return "", nil, err
	}
	out := make([]byte, wrapNonceSize, wrappedSize)
	if _, err := rand.Read(out); err != nil {
		return "", nil, fmt.Errorf("sealed: wrap nonce: %w", err)
	}
	out = aead.Seal(out, out[:wrapNonceSize], dek, []byte(wrapADPrefix+k.Current))
	return k.Current, out, nil
}

// Unwrap decrypts a data key that Wrap wrapped under the master key keyID. A wrapped key that does not
// authenticate (altered, or stored with another key ID) gives ErrCorrupt.
func (k *Keyring) Unwrap(keyID string, wrapped []byte) ([]byte, error) {
	master, ok := k.keys[keyID]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, keyID)
	}
	if len(wrapped) != wrappedSize {
		return nil, fmt.Errorf("%w: wrapped key is %d bytes, want %d", ErrCorrupt, len(wrapped), wrappedSize)
	}
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	dek, err := aead.Open(nil, wrapped[:wrapNonceSize], wrapped[wrapNonceSize:], []byte(wrapADPrefix+keyID))
	if err != nil {
		return nil, fmt.Errorf("%w: wrapped key under %s", ErrCorrupt, keyID)
	}
	return dek, nil
}

// LoadKeyring reads the master keys in dir: each file "<id>.key" holds KeySize random bytes in
// standard base64 (a trailing newline allowed) and must not be accessible to group or others; the
// file "current" names the current key. Other files are ignored. A directory without keys gives an
// error wrapping ErrNoKeys.
func LoadKeyring(dir string) (*Keyring, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrNoKeys, err)
		}
		return nil, fmt.Errorf("sealed: key directory: %w", err)
	}
	k := NewKeyring()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, keySuffix) || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		id := strings.TrimSuffix(name, keySuffix)
		if !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("sealed: key file %s: the ID must be 1 to 32 of [a-z0-9-]", path)
		}
		key, err := readKeyFile(path)
		if err != nil {
			return nil, err
		}
		if err := k.Add(id, key); err != nil {
			return nil, err
		}
	}
	if len(k.keys) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoKeys, dir)
	}
	cur, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return nil, fmt.Errorf("sealed: current key: %w", err)
	}
	id := strings.TrimSpace(string(cur))
	if _, ok := k.keys[id]; !ok {
		return nil, fmt.Errorf("%w: %s names %q, which has no key file", ErrUnknownKey, filepath.Join(dir, currentFile), id)
	}
	k.Current = id
	return k, nil
}

// readKeyFile reads one key file, refusing one that group or others may access.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sealed: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("sealed: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("sealed: key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("sealed: key file %s has mode %04o: it must not be accessible to group or others (chmod 600)", path, perm)
	}
	b, err := io.ReadAll(io.LimitReader(f, 128))
	if err != nil {
		return nil, fmt.Errorf("sealed: key file %s: %w", path, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	key, err := base64.StdEncoding.DecodeString(s)
	clear(b)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("sealed: key file %s must hold %d random bytes in standard base64", path, KeySize)
	}
	return key, nil
}

// CreateKey writes a new random master key in dir (created if missing), named like
// "k20261123-a1b2c3" after the UTC date, and makes it current. The key file is created with mode 0600
// and never overwrites another; "current" is replaced atomically.
func CreateKey(dir string) (id string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("sealed: key directory: %w", err)
	}
	var rnd [3]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("sealed: key ID: %w", err)
	}
	id = "k" + time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(rnd[:])
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("sealed: key: %w", err)
	}
	defer clear(key)
	path := filepath.Join(dir, id+keySuffix)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("sealed: create key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("sealed: write key: %w", err)
	}
	if err := writeCurrent(dir, id); err != nil {
		return "", err
	}
	return id, nil
}

// writeCurrent replaces dir/current with id: a temporary file, synced, renamed over it.
func writeCurrent(dir, id string) error {
	f, err := os.CreateTemp(dir, ".current-*")
	if err != nil {
		return fmt.Errorf("sealed: write current: %w", err)
	}
	_, err = f.WriteString(id + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, currentFile))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("sealed: write current: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sealed: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sealed: sync %s: %w", dir, err)
	}
	return nil
}
