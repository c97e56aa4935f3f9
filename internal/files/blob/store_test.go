package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/otklik/otklik/internal/files/blob"
)

// MustPut stores content under key.
func MustPut(tb testing.TB, s blob.Store, key string, content []byte) {
	tb.Helper()
	if err := put(s, key, content); err != nil {
		tb.Fatal(err)
	}
}

func put(s blob.Store, key string, content []byte) error {
	w, err := s.Create(context.Background())
	if err != nil {
		return err
	}
	defer w.Abort()
	if _, err := w.Write(content); err != nil {
		return err
	}
	return w.Commit(key)
}

// MustRead returns the whole object under key.
func MustRead(tb testing.TB, s blob.Store, key string) []byte {
	tb.Helper()
	o, err := s.Open(context.Background(), key)
	if err != nil {
		tb.Fatal(err)
	}
	defer o.Close()
	b, err := io.ReadAll(io.NewSectionReader(o, 0, o.Size()))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func keyOf(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// randomBytes returns n bytes of a seeded generator: incompressible and different at every offset.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	r.Read(b)
	return b
}

// newStoreFunc returns an empty store for one test, and a function listing everything the store
// holds (objects, temporary files), to check that what was aborted or refused left nothing.
type newStoreFunc func(t *testing.T) (blob.Store, func() []string)

// testStore runs the conformance tests of blob.Store on the stores newStore returns: every backend
// must pass them.
func testStore(t *testing.T, newStore newStoreFunc) {
	ctx := context.Background()

	t.Run("Lifecycle", func(t *testing.T) {
		s, list := newStore(t)
		content := []byte("sealed bytes of a passport scan")
		key := keyOf(content)

		MustPut(t, s, key, content)
		if got := MustRead(t, s, key); !bytes.Equal(got, content) {
			t.Fatalf("read %q, want %q", got, content)
		}
		if got := list(); len(got) != 1 {
			t.Errorf("store holds %v, want the one object", got)
		}
		size, err := s.Stat(ctx, key)
		if err != nil || size != int64(len(content)) {
			t.Errorf("Stat = %d, %v; want %d", size, err, len(content))
		}
		o, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		if n, err := o.ReadAt(buf, 7); n != 6 || err != nil || string(buf) != "bytes " {
			t.Errorf("ReadAt = %d, %v, %q", n, err, buf)
		}
		if o.Size() != int64(len(content)) {
			t.Errorf("Size = %d, want %d", o.Size(), len(content))
		}
		// io.ReaderAt: a read crossing the end returns what there is and io.EOF; past it, io.EOF.
		buf = make([]byte, 10)
		if n, err := o.ReadAt(buf, int64(len(content))-4); n != 4 || err != io.EOF || string(buf[:n]) != "scan" {
			t.Errorf("ReadAt across the end = %d, %v, %q; want 4, EOF, scan", n, err, buf[:n])
		}
		if n, err := o.ReadAt(buf, int64(len(content))); n != 0 || err != io.EOF {
			t.Errorf("ReadAt at the end = %d, %v; want 0, EOF", n, err)
		}
		if n, err := o.ReadAt(buf, -1); n != 0 || err == nil {
			t.Errorf("ReadAt at -1 = %d, %v; want an error", n, err)
		}
		if err := o.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}

		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("second Delete = %v, want nil", err)
		}
		if _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open after Delete = %v, want ErrNotFound", err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
		}
		if got := list(); len(got) != 0 {
			t.Errorf("left after Delete: %v", got)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s, _ := newStore(t)
		key := "0123456789abcdef"
		if _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open = %v, want ErrNotFound", err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete = %v, want nil", err)
		}
	})

	t.Run("CommitExisting", func(t *testing.T) {
		s, list := newStore(t)
		key := "0123456789abcdef"
		MustPut(t, s, key, []byte("original"))
		if err := put(s, key, []byte("impostor")); !errors.Is(err, blob.ErrExists) {
			t.Fatalf("second Commit = %v, want ErrExists", err)
		}
		if got := MustRead(t, s, key); string(got) != "original" {
			t.Errorf("object is %q, want original", got)
		}
		if got := list(); len(got) != 1 {
			t.Errorf("store holds %v, want the one object", got)
		}
	})

	t.Run("Abort", func(t *testing.T) {
		s, list := newStore(t)
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("half"))
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("second Abort = %v", err)
		}
		if _, err := w.Write([]byte("more")); err == nil {
			t.Error("Write after Abort: no error")
		}
		if err := w.Commit("0123456789abcdef"); err == nil {
			t.Error("Commit after Abort: no error")
		}
		if _, err := s.Stat(ctx, "0123456789abcdef"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat = %v, want ErrNotFound", err)
		}
		if got := list(); len(got) != 0 {
			t.Errorf("left after Abort: %v", got)
		}
		// Abort after Commit is harmless and keeps the object.
		w, err = s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("whole"))
		if err := w.Commit("0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after Commit = %v", err)
		}
		if err := w.Commit("0123456789abcdef"); err == nil {
			t.Error("second Commit: no error")
		}
		if got := MustRead(t, s, "0123456789abcdef"); string(got) != "whole" {
			t.Errorf("object is %q, want whole", got)
		}
	})

	t.Run("Keys", func(t *testing.T) {
		s, list := newStore(t)
		for _, key := range []string{
			"../../../../etc/passwd", "ab/../cdefgh", "..", "abc", "ABCDEF0123", "abcdefgh\x00",
			"abcdefg.h", "", string(bytes.Repeat([]byte("a"), 129)), "abcdefgh/", "/abcdefgh",
		} {
			if err := put(s, key, []byte("x")); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Commit(%q) = %v, want ErrInvalidKey", key, err)
			}
			if _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
			}
			if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
			}
		}
		if got := list(); len(got) != 0 {
			t.Errorf("left after invalid keys: %v", got)
		}
		for _, key := range []string{"abcdefgh", string(bytes.Repeat([]byte("z"), 128))} {
			MustPut(t, s, key, []byte("ok"))
			if got := MustRead(t, s, key); string(got) != "ok" {
				t.Errorf("%q holds %q", key, got)
			}
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s, _ := newStore(t)
		MustPut(t, s, "0123456789abcdef", nil)
		o, err := s.Open(ctx, "0123456789abcdef")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if o.Size() != 0 {
			t.Errorf("Size = %d, want 0", o.Size())
		}
		if n, err := o.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
			t.Errorf("ReadAt = %d, %v; want 0, EOF", n, err)
		}
	})

	// A multi-MB object written in small pieces, read back at random offsets and lengths (as the
	// sealed reader and HTTP ranges do) and sequentially in chunks (as a download does).
	t.Run("LargeRandomReads", func(t *testing.T) {
		s, _ := newStore(t)
		content := randomBytes(6<<20+12345, 1)
		key := keyOf(content)
		w, err := s.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for rest := content; len(rest) > 0; {
			n := min(len(rest), 1+rand.IntN(100_000))
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := w.Commit(key); err != nil {
			t.Fatal(err)
		}
		if size, err := s.Stat(ctx, key); err != nil || size != int64(len(content)) {
			t.Fatalf("Stat = %d, %v; want %d", size, err, len(content))
		}
		o, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		for i := range 200 {
			off := rand.Int64N(int64(len(content)))
			buf := make([]byte, 1+rand.IntN(200_000))
			if i%10 == 0 {
				off = int64(len(content)) - int64(rand.IntN(100)) // reads across the end
			}
			n, err := o.ReadAt(buf, off)
			want := min(int64(len(buf)), int64(len(content))-off)
			if int64(n) != want || (n < len(buf) && err != io.EOF) || (n == len(buf) && err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d", len(buf), off, n, err, want)
			}
			if !bytes.Equal(buf[:n], content[off:off+int64(n)]) {
				t.Fatalf("ReadAt(%d bytes, %d): wrong bytes", len(buf), off)
			}
		}
		// Sequential reads in 64 KiB chunks, then a random one, then sequential again.
		var got bytes.Buffer
		buf := make([]byte, 64<<10+16)
		for off := int64(0); off < int64(len(content)); {
			if off == 3<<20 {
				if _, err := o.ReadAt(make([]byte, 100), 17); err != nil {
					t.Fatal(err)
				}
			}
			n, err := o.ReadAt(buf, off)
			got.Write(buf[:n])
			off += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got.Bytes(), content) {
			t.Fatal("sequential read differs")
		}
	})

	t.Run("ConcurrentReadAt", func(t *testing.T) {
		s, _ := newStore(t)
		content := randomBytes(2<<20, 2)
		key := keyOf(content)
		MustPut(t, s, key, content)
		o, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		const readers = 8
		var wg sync.WaitGroup
		errs := make(chan error, readers)
		for r := range readers {
			wg.Go(func() {
				buf := make([]byte, 64<<10)
				for i := range 40 {
					off := rand.Int64N(int64(len(content) - len(buf)))
					if r%2 == 0 { // half of them read sequentially, each its own stretch
						off = int64(r*128<<10 + i*len(buf)/4)
					}
					n, err := o.ReadAt(buf, off)
					if err != nil || n != len(buf) || !bytes.Equal(buf, content[off:off+int64(n)]) {
						errs <- errors.Join(errors.New("concurrent ReadAt: wrong result"), err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("Canceled", func(t *testing.T) {
		s, _ := newStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Create(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Create = %v, want context.Canceled", err)
		}
		if _, err := s.Open(ctx, "0123456789abcdef"); !errors.Is(err, context.Canceled) {
			t.Errorf("Open = %v, want context.Canceled", err)
		}
		if _, err := s.Stat(ctx, "0123456789abcdef"); !errors.Is(err, context.Canceled) {
			t.Errorf("Stat = %v, want context.Canceled", err)
		}
		if err := s.Delete(ctx, "0123456789abcdef"); !errors.Is(err, context.Canceled) {
			t.Errorf("Delete = %v, want context.Canceled", err)
		}
	})

	// Of concurrent Commits to one key exactly one wins and the others get ErrExists.
	t.Run("ConcurrentCommits", func(t *testing.T) {
		s, _ := newStore(t)
		const writers = 8
		content := bytes.Repeat([]byte("passport "), 100_000)
		key := keyOf(content)
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() { errs[i] = put(s, key, content) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, blob.ErrExists):
			default:
				t.Errorf("Commit = %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d commits won, want 1", won)
		}
		if got := MustRead(t, s, key); !bytes.Equal(got, content) {
			t.Error("object damaged")
		}
	})
}
