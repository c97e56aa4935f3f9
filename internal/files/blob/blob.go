// Package blob stores objects (sealed file content) under keys chosen by the caller: an interface a
// local directory or an object store can implement, and the local-directory backend, Dir.
package blob

import (
	"context"
	"errors"
	"io"
	"regexp"
)

// Errors of a Store.
var (
	ErrNotFound   = errors.New("blob: object not found")
	ErrExists     = errors.New("blob: object exists")
	ErrInvalidKey = errors.New("blob: invalid key: want 8 to 128 of [a-z0-9]")
)

// Store holds immutable objects under keys of 8 to 128 characters of [a-z0-9] (such as hex SHA-256
// sums). An object becomes visible whole or not at all.
type Store interface {
	// Create starts a new object. Nothing is visible under a key until the writer's Commit.
	Create(ctx context.Context) (Writer, error)
	// Open opens the object under key, or returns ErrNotFound.
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes the object under key; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// Stat returns the size of the object under key, or ErrNotFound.
	Stat(ctx context.Context, key string) (int64, error)
}

// Evicter is a Store that keeps what was written or read lately in memory — Dir, in the kernel's
// page cache — and can be told that an object will not be read again soon. An object is read seldom
// (a download, one scan); a stream of uploads left in memory would push out what is read often,
// such as the database's pages, and keep the kernel taking fresh pages.
type Evicter interface {
	// Evict lets go of what is kept in memory of the object under key. Advice only: it cannot fail.
	Evict(ctx context.Context, key string)
}

// Writer writes a new object.
type Writer interface {
	io.Writer
	// Commit makes what was written visible under key, durably and atomically. If key already holds
	// an object, Commit keeps it, discards the new one and returns ErrExists. The writer is finished
	// after Commit, whatever it returns.
	Commit(key string) error
	// Abort discards what was written. It is harmless after Commit, so it can be deferred.
	Abort() error
}

// Object is an open object.
type Object interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

var keyPattern = regexp.MustCompile(`^[a-z0-9]{8,128}$`)

// ValidKey reports whether key is a valid object key.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }
