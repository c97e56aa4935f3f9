package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing f's dirty pages to the disk now, without waiting for
// them (sync_file_range with SYNC_FILE_RANGE_WRITE), so that a later fsync of f finds little left to
// write. Advice only: it makes nothing durable.
func startWriteback(f *os.File) error {
	c, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var werr error
	if err := c.Control(func(fd uintptr) { werr = unix.SyncFileRange(int(fd), 0, 0, unix.SYNC_FILE_RANGE_WRITE) }); err != nil {
		return err
	}
	return werr
}

// syncData makes f's written data durable (fdatasync: its contents and its size, not its times).
func syncData(f *os.File) error {
	c, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := c.Control(func(fd uintptr) {
		for {
			if serr = unix.Fdatasync(int(fd)); serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return serr
}
