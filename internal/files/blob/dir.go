package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// tmpMaxAge is the age past which NewDir takes a temporary file for one left by a crash.
const tmpMaxAge = time.Hour

// Dir is a Store in a local directory: objects at objects/<key[0:2]>/<key[2:4]>/<key>, objects
// being written in tmp/. Commit syncs the file, hard-links it under its key (which fails, atomically,
// if the key exists) and syncs the directory, so a crash leaves either the whole object or nothing.
// It is safe for concurrent use, also by several processes sharing the directory.
type Dir struct {
	objects, tmp string
}

var (
	_ Store   = (*Dir)(nil)
	_ Evicter = (*Dir)(nil)
)

// NewDir returns the store in root, creating root/objects and root/tmp (mode 0700) if missing, and
// removes temporary files older than an hour, which a crash left behind.
func NewDir(root string) (*Dir, error) {
	d := &Dir{objects: filepath.Join(root, "objects"), tmp: filepath.Join(root, "tmp")}
	for _, dir := range []string{d.objects, d.tmp} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("blob: %w", err)
		}
	}
	if err := d.removeTmp(time.Now().Add(-tmpMaxAge)); err != nil {
		return nil, err
	}
	return d, nil
}

// removeTmp removes the temporary files last modified before cutoff.
func (d *Dir) removeTmp(cutoff time.Time) error {
	entries, err := os.ReadDir(d.tmp)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("blob: %w", err)
		}
		if fi.ModTime().Before(cutoff) {
			if err := os.RemoveAll(filepath.Join(d.tmp, e.Name())); err != nil {
				return fmt.Errorf("blob: remove stale temporary file: %w", err)
			}
		}
	}
	return nil
}

func (d *Dir) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return filepath.Join(d.objects, key[0:2], key[2:4], key), nil
}

// Create starts a new object in a temporary file.
func (d *Dir) Create(ctx context.Context) (Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(d.tmp, "obj-*")
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &dirWriter{d: d, f: f}, nil
}

// Open opens the object under key.
func (d *Dir) Open(ctx context.Context, key string) (Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &fileObject{File: f, size: fi.Size()}, nil
}

// Delete removes the object under key.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("blob: %w", err)
	}
	return syncDir(filepath.Dir(p))
}

// Evict drops the object's pages from the kernel's page cache (Linux; elsewhere it does nothing).
func (d *Dir) Evict(ctx context.Context, key string) {
	p, err := d.path(key)
	if err != nil {
		return
	}
	f, err := os.Open(p)
	if err != nil {
		return
	}
	dropCached(f)
	f.Close()
}

// Stat returns the size of the object under key.
func (d *Dir) Stat(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p, err := d.path(key)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, notFound(key, err)
	}
	return fi.Size(), nil
}

func notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: %w", err)
}

type fileObject struct {
	*os.File
	size int64
}

func (o *fileObject) Size() int64 { return o.size }

// dirWriter writes an object to a temporary file.
type dirWriter struct {
	d    *Dir
	f    *os.File
	done bool
}

func (w *dirWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("blob: write after commit or abort")
	}
	return w.f.Write(p)
}

func (w *dirWriter) Commit(key string) error {
	if w.done {
		return errors.New("blob: commit after commit or abort")
	}
	defer w.Abort() // the temporary name goes, whatever happens
	p, err := w.d.path(key)
	if err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if err := w.d.mkdirs(filepath.Dir(p)); err != nil {
		return err
	}
	// A hard link never replaces an existing file: of concurrent commits to one key, one wins.
	if err := os.Link(w.f.Name(), p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, key)
		}
		return fmt.Errorf("blob: %w", err)
	}
	return syncDir(filepath.Dir(p))
}

func (w *dirWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}

// mkdirs creates the shard directories of an object path below objects/, syncing the parent of each
// it creates so that the new entry survives a crash.
func (d *Dir) mkdirs(dir string) error {
	parent := filepath.Dir(dir)
	for _, p := range []string{parent, dir} {
		err := os.Mkdir(p, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("blob: %w", err)
		}
		if err := syncDir(filepath.Dir(p)); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" { // directories cannot be synced there
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	return nil
}
