//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// lockServing takes the lock that lets one `otklik serve` at a time serve the embedded database at
// db: a file beside it, held locked (flock) for as long as the process lives — the kernel lets it go
// when the process ends, however it ends — and holding the process's ID for the message another
// server gets. The tools (verify, user, migrate…) do not take it and run beside the server.
func lockServing(db string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(db), 0o750); err != nil {
		return nil, err
	}
	path := db + ".serve-lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		held := make([]byte, 32)
		n, _ := f.ReadAt(held, 0)
		f.Close()
		if err == syscall.EWOULDBLOCK {
			who := "another process"
			if pid, perr := strconv.Atoi(string(bytes.TrimSpace(held[:n]))); perr == nil {
				who = "process " + strconv.Itoa(pid)
			}
			return nil, fmt.Errorf("another otklik serve (%s) is serving %s: an embedded database has one server; "+
				"stop it first, or use PostgreSQL (--db postgres://…) for several nodes", who, db)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() { f.Close() }, nil
}
