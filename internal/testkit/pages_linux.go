package testkit

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ResidentPages returns how many pages of the file at path are in the kernel's page cache.
func ResidentPages(tb testing.TB, path string) int {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	if fi.Size() == 0 {
		return 0
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		tb.Fatal(err)
	}
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (len(m)+page-1)/page)
	// mincore(2): mapping it does not read the file in; the vector says which pages are cached.
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)),
		uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		tb.Fatal(errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// NeedPageCache skips the test unless a file written in dir stays in the page cache (not so on
// some file systems), so that a test can see pages leave it.
func NeedPageCache(tb testing.TB, dir string) {
	tb.Helper()
	p := filepath.Join(dir, "page-cache-probe")
	if err := os.WriteFile(p, make([]byte, 64<<10), 0o600); err != nil {
		tb.Fatal(err)
	}
	defer os.Remove(p)
	if ResidentPages(tb, p) == 0 {
		tb.Skipf("the file system under %s keeps no written pages in the page cache; set TMPDIR to a directory on ext4 or XFS", dir)
	}
}
