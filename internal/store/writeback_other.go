//go:build !linux

package store

import "os"

// startWriteback does nothing where the kernel has no sync_file_range (see writeback_linux.go).
func startWriteback(*os.File) error { return nil }

// syncData makes f's written data durable (fsync where there is no fdatasync).
func syncData(f *os.File) error { return f.Sync() }
