package sealed_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/otklik/otklik/internal/files/sealed"
)

// MustKeyring returns a keyring with random keys under ids, the first current.
func MustKeyring(tb testing.TB, ids ...string) *sealed.Keyring {
	tb.Helper()
	k := sealed.NewKeyring()
	for _, id := range ids {
		if err := k.Add(id, MustDataKey(tb)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := k.SetCurrent(ids[0]); err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestWrapUnwrap(t *testing.T) {
	k := MustKeyring(t, "a", "b")
	dek := MustDataKey(t)
	id, wrapped, err := k.Wrap(dek)
	if err != nil {
		t.Fatal(err)
	}
	if id != "a" {
		t.Errorf("key ID = %q, want a", id)
	}
	got, err := k.Unwrap(id, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, dek) {
		t.Fatal("unwrapped key differs")
	}

	flipped := bytes.Clone(wrapped)
	flipped[len(flipped)-1] ^= 1
	tests := []struct {
		name    string
		id      string
		wrapped []byte
		want    error
	}{
		{"other key ID in the ring", "b", wrapped, sealed.ErrCorrupt},
		{"unknown key ID", "c", wrapped, sealed.ErrUnknownKey},
		{"flipped bit", "a", flipped, sealed.ErrCorrupt},
		{"short", "a", wrapped[:len(wrapped)-1], sealed.ErrCorrupt},
		{"empty", "a", nil, sealed.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Unwrap(tt.id, tt.wrapped); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}

	// The same master key under another ID does not unwrap it either: the ID is authenticated.
	master := MustDataKey(t)
	k1, k2 := sealed.NewKeyring(), sealed.NewKeyring()
	k1.Add("x", master)
	k2.Add("y", master)
	k1.SetCurrent("x")
	_, wrapped, err = k1.Wrap(dek)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k2.Unwrap("y", wrapped); !errors.Is(err, sealed.ErrCorrupt) {
		t.Errorf("unwrap under a renamed key: err = %v, want ErrCorrupt", err)
	}
}

func TestKeyringAdd(t *testing.T) {
	tests := []struct {
		id      string
		keySize int
		ok      bool
	}{
		{"k20261123-a1b2c3", 32, true},
		{"a", 32, true},
		{"", 32, false},
		{"UPPER", 32, false},
		{"../x", 32, false},
		{"a b", 32, false},
		{"abcdefghijabcdefghijabcdefghijabc", 32, false}, // 33 characters
		{"short-key", 16, false},
		{"long-key", 33, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			err := sealed.NewKeyring().Add(tt.id, make([]byte, tt.keySize))
			if got := err == nil; got != tt.ok {
				t.Errorf("Add(%q, %d bytes) = %v, want ok %v", tt.id, tt.keySize, err, tt.ok)
			}
		})
	}
	k := MustKeyring(t, "a")
	if err := k.Add("a", make([]byte, 32)); err == nil {
		t.Error("adding a key twice: no error")
	}
	if err := k.SetCurrent("b"); !errors.Is(err, sealed.ErrUnknownKey) {
		t.Errorf("SetCurrent(unknown) = %v, want ErrUnknownKey", err)
	}
	if _, _, err := sealed.NewKeyring().Wrap(MustDataKey(t)); !errors.Is(err, sealed.ErrUnknownKey) {
		t.Errorf("Wrap without a current key = %v, want ErrUnknownKey", err)
	}
	if _, _, err := k.Wrap(make([]byte, 16)); err == nil {
		t.Error("Wrap of a 16-byte key: no error")
	}
}

func TestCreateAndLoadKeyring(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := sealed.LoadKeyring(dir); !errors.Is(err, sealed.ErrNoKeys) {
		t.Fatalf("missing directory: err = %v, want ErrNoKeys", err)
	}
	a, err := sealed.CreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^k[0-9]{8}-[0-9a-f]{6}$`).MatchString(a) {
		t.Errorf("key ID %q, want like k20261123-a1b2c3", a)
	}
	if runtime.GOOS != "windows" {
		for _, name := range []string{a + ".key", "current"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("%s mode = %04o, want 0600", name, got)
			}
		}
	}
	k, err := sealed.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.Current != a {
		t.Errorf("current = %q, want %q", k.Current, a)
	}
	dek := MustDataKey(t)
	idA, wrappedA, err := k.Wrap(dek)
	if err != nil {
		t.Fatal(err)
	}

	// Rotation: B becomes current; what A wrapped still unwraps while A stays in the ring.
	b, err := sealed.CreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err = sealed.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.Current != b {
		t.Errorf("current = %q, want %q", k.Current, b)
	}
	got, err := k.Unwrap(idA, wrappedA)
	if err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("unwrap under the old key after rotation: %v", err)
	}
	idB, wrappedB, err := k.Wrap(got)
	if err != nil {
		t.Fatal(err)
	}
	if idB != b {
		t.Errorf("rewrapped under %q, want %q", idB, b)
	}
	if got, err := k.Unwrap(idB, wrappedB); err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("unwrap under the new key: %v", err)
	}
}

func TestLoadKeyringRefuses(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	type file struct {
		name, content string
		mode          os.FileMode
	}
	tests := []struct {
		name  string
		files []file
		want  error // nil: any error
		unix  bool  // permission checks do not apply on Windows
	}{
		{"empty directory", nil, sealed.ErrNoKeys, false},
		{"only other files", []file{{"README", "x", 0o600}, {"current", "a", 0o600}}, sealed.ErrNoKeys, false},
		{"readable by others", []file{{"a.key", key, 0o644}, {"current", "a", 0o600}}, nil, true},
		{"readable by group", []file{{"a.key", key, 0o640}, {"current", "a", 0o600}}, nil, true},
		{"not base64", []file{{"a.key", "not base64!", 0o600}, {"current", "a", 0o600}}, nil, false},
		{"16 bytes", []file{{"a.key", base64.StdEncoding.EncodeToString(make([]byte, 16)), 0o600}, {"current", "a", 0o600}}, nil, false},
		{"bad ID", []file{{"A_B.key", key, 0o600}, {"current", "A_B", 0o600}}, nil, false},
		{"no current", []file{{"a.key", key, 0o600}}, nil, false},
		{"current unknown", []file{{"a.key", key, 0o600}, {"current", "b", 0o600}}, sealed.ErrUnknownKey, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && runtime.GOOS == "windows" {
				t.Skip("no Unix permissions")
			}
			dir := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(dir, f.name)
				if err := os.WriteFile(p, []byte(f.content), f.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, f.mode); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			_, err := sealed.LoadKeyring(dir)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}

func TestLoadKeyringFormats(t *testing.T) {
	master := MustDataKey(t)
	b64 := base64.StdEncoding.EncodeToString(master)
	for _, content := range []string{b64, b64 + "\n", b64 + "\r\n"} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "main.key"), []byte(content), 0o600)
		os.WriteFile(filepath.Join(dir, "current"), []byte("main\n"), 0o600)
		k, err := sealed.LoadKeyring(dir)
		if err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		want := sealed.NewKeyring()
		want.Add("main", master)
		want.SetCurrent("main")
		_, wrapped, err := want.Wrap(master)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Unwrap("main", wrapped); err != nil {
			t.Errorf("%q: the loaded key differs: %v", content, err)
		}
	}
}

// Derive gives the same secret from the same key directory (two nodes), different secrets for
// different purposes and keys, and refuses a keyring without a current key.
func TestKeyringDerive(t *testing.T) {
	dir := t.TempDir()
	if _, err := sealed.CreateKey(dir); err != nil {
		t.Fatal(err)
	}
	a, err := sealed.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sealed.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := a.Derive("portal-captcha")
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := b.Derive("portal-captcha")
	if len(sa) != 32 || !bytes.Equal(sa, sb) {
		t.Errorf("two loads of one directory derive %x and %x, want the same 32 bytes", sa, sb)
	}
	if other, _ := a.Derive("other"); bytes.Equal(other, sa) {
		t.Error("two purposes derive the same secret")
	}
	if other, _ := MustKeyring(t, "k1").Derive("portal-captcha"); bytes.Equal(other, sa) {
		t.Error("two keys derive the same secret")
	}
	if _, err := sealed.NewKeyring().Derive("portal-captcha"); !errors.Is(err, sealed.ErrNoKeys) {
		t.Errorf("empty keyring: got %v, want ErrNoKeys", err)
	}
}
