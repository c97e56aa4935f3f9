package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCached asks the kernel to drop f's clean pages from the page cache. Advice only: an error
// changes nothing.
func dropCached(f *os.File) {
	if c, err := f.SyscallConn(); err == nil {
		_ = c.Control(func(fd uintptr) { _ = unix.Fadvise(int(fd), 0, 0, unix.FADV_DONTNEED) })
	}
}
