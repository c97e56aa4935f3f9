package blob_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/files/blob"
	"github.com/otklik/otklik/internal/testkit"
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

func TestDir(t *testing.T) {
	testStore(t, func(t *testing.T) (blob.Store, func() []string) {
		d, root := MustDir(t)
		return d, func() []string { return files(t, root) }
	})
}

// TestDirLayout checks where Dir keeps an object and that its temporary file goes.
func TestDirLayout(t *testing.T) {
	d, root := MustDir(t)
	content := []byte("sealed bytes of a passport scan")
	key := keyOf(content)
	MustPut(t, d, key, content)
	if _, err := os.Stat(filepath.Join(root, "objects", key[:2], key[2:4], key)); err != nil {
		t.Errorf("object not at its sharded path: %v", err)
	}
	if got := files(t, filepath.Join(root, "tmp")); len(got) != 0 {
		t.Errorf("temporary files left: %v", got)
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

// TestDirEvict checks that Evict drops a committed object's pages from the page cache.
func TestDirEvict(t *testing.T) {
	d, root := MustDir(t)
	testkit.NeedPageCache(t, root)
	content := randomBytes(1<<20, 7)
	key := keyOf(content)
	MustPut(t, d, key, content)
	p := testkit.ObjectPath(root, key)
	if n := testkit.ResidentPages(t, p); n == 0 {
		t.Fatal("a just committed object has no pages cached: nothing to evict")
	}
	d.Evict(context.Background(), key)
	if n := testkit.ResidentPages(t, p); n != 0 {
		t.Errorf("%d pages of the object still cached after Evict, want none", n)
	}
	d.Evict(context.Background(), "0123456789abcdef") // a missing object: nothing happens
	d.Evict(context.Background(), "../escape")        // an invalid key: nothing happens
}
