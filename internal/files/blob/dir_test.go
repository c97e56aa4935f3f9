package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/files/blob"
)

// MustDir returns a Dir in a temporary directory, and that directory.
func MustDir(tb testing.TB) (*blob.Dir, string) {
	tb.Helper()
	root := tb.TempDir()
	d, err := blob.NewDir(root)
	if err != nil {
		tb.Fatal(err)
	}
	return d, root
}

// MustPut stores content under key.
func MustPut(tb testing.TB, s blob.Store, key string, content []byte) {
	tb.Helper()
	if err := put(s, key, content); err != nil {
		tb.Fatal(err)
	}
}

func put(s blob.Store, key string, content []byte) error {
	w, err := s.Create(context.Background())
	if err != nil {
		return err
	}
	defer w.Abort()
	if _, err := w.Write(content); err != nil {
		return err
	}
	return w.Commit(key)
}

// MustRead returns the whole object under key.
func MustRead(tb testing.TB, s blob.Store, key string) []byte {
	tb.Helper()
	o, err := s.Open(context.Background(), key)
	if err != nil {
		tb.Fatal(err)
	}
	defer o.Close()
	b, err := io.ReadAll(io.NewSectionReader(o, 0, o.Size()))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func keyOf(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// files returns the regular files under dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	return out
}

func TestDirLifecycle(t *testing.T) {
	ctx := context.Background()
	d, root := MustDir(t)
	content := []byte("sealed bytes of a passport scan")
	key := keyOf(content)

	MustPut(t, d, key, content)
	if got := MustRead(t, d, key); !bytes.Equal(got, content) {
		t.Fatalf("read %q, want %q", got, content)
	}
	if _, err := os.Stat(filepath.Join(root, "objects", key[:2], key[2:4], key)); err != nil {
		t.Errorf("object not at its sharded path: %v", err)
	}
	size, err := d.Stat(ctx, key)
	if err != nil || size != int64(len(content)) {
		t.Errorf("Stat = %d, %v; want %d", size, err, len(content))
	}
	o, err := d.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if n, err := o.ReadAt(buf, 7); n != 6 || err != nil || string(buf) != "bytes " {
		t.Errorf("ReadAt = %d, %v, %q", n, err, buf)
	}
	if o.Size() != int64(len(content)) {
		t.Errorf("Size = %d, want %d", o.Size(), len(content))
	}
	o.Close()
	if got := files(t, filepath.Join(root, "tmp")); len(got) != 0 {
		t.Errorf("temporary files left: %v", got)
	}

	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	if _, err := d.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after Delete = %v, want ErrNotFound", err)
	}
	if _, err := d.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
}

func TestDirCommitExisting(t *testing.T) {
	d, root := MustDir(t)
	key := "0123456789abcdef"
	MustPut(t, d, key, []byte("original"))
	if err := put(d, key, []byte("impostor")); !errors.Is(err, blob.ErrExists) {
		t.Fatalf("second Commit = %v, want ErrExists", err)
	}
	if got := MustRead(t, d, key); string(got) != "original" {
		t.Errorf("object is %q, want original", got)
	}
	if got := files(t, filepath.Join(root, "tmp")); len(got) != 0 {
		t.Errorf("temporary files left: %v", got)
	}
}

func TestDirAbort(t *testing.T) {
	d, root := MustDir(t)
	w, err := d.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("half"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort = %v", err)
	}
	if err := w.Commit("0123456789abcdef"); err == nil {
		t.Error("Commit after Abort: no error")
	}
	if got := files(t, root); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
}

func TestDirKeys(t *testing.T) {
	ctx := context.Background()
	d, root := MustDir(t)
	for _, key := range []string{
		"../../../../etc/passwd", "ab/../cdefgh", "..", "abc", "ABCDEF0123", "abcdefgh\x00",
		"abcdefg.h", "", string(bytes.Repeat([]byte("a"), 129)),
	} {
		if err := put(d, key, []byte("x")); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Commit(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := d.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := d.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := d.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if got := files(t, root); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
	for _, key := range []string{"abcdefgh", string(bytes.Repeat([]byte("z"), 128))} {
		MustPut(t, d, key, []byte("ok"))
	}
}

func TestDirOpenMissing(t *testing.T) {
	d, _ := MustDir(t)
	if _, err := d.Open(context.Background(), "0123456789abcdef"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open = %v, want ErrNotFound", err)
	}
}

func TestDirConcurrentCommits(t *testing.T) {
	d, _ := MustDir(t)
	const writers = 16
	content := bytes.Repeat([]byte("passport "), 100_000)
	key := keyOf(content)
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() { errs[i] = put(d, key, content) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, blob.ErrExists):
		default:
			t.Errorf("Commit = %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d commits won, want 1", won)
	}
	if got := MustRead(t, d, key); !bytes.Equal(got, content) {
		t.Error("object damaged")
	}
}

func TestDirRemovesStaleTmp(t *testing.T) {
	d, root := MustDir(t)
	tmp := filepath.Join(root, "tmp")
	stale, fresh := filepath.Join(tmp, "obj-stale"), filepath.Join(tmp, "obj-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	// An object being written when another process starts stays.
	w, err := d.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()

	if _, err := blob.NewDir(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale file: %v, want removed", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh file: %v, want kept", err)
	}
	w.Write([]byte("still here"))
	if err := w.Commit("0123456789abcdef"); err != nil {
		t.Errorf("Commit of the writer started before: %v", err)
	}
}

func TestDirCanceled(t *testing.T) {
	d, _ := MustDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Create(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Create = %v, want context.Canceled", err)
	}
}
