package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCached asks the kernel to drop f's pages from the page cache once they are on disk. An object
// is read seldom (a download, one scan), so a stream of uploads would otherwise push the database's
// pages out of memory, and the kernel would go on taking fresh pages for them. Advice only: an error
// changes nothing.
func dropCached(f *os.File) {
	if c, err := f.SyscallConn(); err == nil {
		_ = c.Control(func(fd uintptr) { _ = unix.Fadvise(int(fd), 0, 0, unix.FADV_DONTNEED) })
	}
}
