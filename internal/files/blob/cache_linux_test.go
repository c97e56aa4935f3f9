package blob_test

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// resident returns how many of the file's pages are in the page cache.
func resident(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (len(m)+page-1)/page)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// TestDirDropsCommittedPages checks that a committed object's pages leave the page cache: a stream of
// uploads must not push the database's pages out of memory.
func TestDirDropsCommittedPages(t *testing.T) {
	d, root := MustDir(t)
	content := randomBytes(1<<20, 7)

	// The same bytes written and synced by hand stay cached: the check below can see pages.
	plain := filepath.Join(root, "plain")
	if err := os.WriteFile(plain, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := resident(t, plain); n == 0 {
		t.Skipf("the file system under %s keeps no written pages in the page cache; TMPDIR on another file system runs this test", root)
	}

	key := keyOf(content)
	MustPut(t, d, key, content)
	if n := resident(t, filepath.Join(root, "objects", key[:2], key[2:4], key)); n != 0 {
		t.Errorf("%d pages of the committed object are still in the page cache, want none", n)
	}
}
