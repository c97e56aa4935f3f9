package sealed_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	mrand "math/rand/v2"
	"sync"
	"testing"

	"github.com/otklik/otklik/internal/files/sealed"
)

// MustDataKey returns a new data key.
func MustDataKey(tb testing.TB) []byte {
	tb.Helper()
	k, err := sealed.NewDataKey()
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// MustSeal encrypts plain in chunks of chunkSize bytes.
func MustSeal(tb testing.TB, plain, dek, ad []byte, chunkSize int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := sealed.NewWriterSize(&buf, dek, ad, chunkSize)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// open decrypts all of ct, returning the first error.
func open(ct, dek, ad []byte) ([]byte, error) {
	r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, ad)
	if err != nil {
		return nil, err
	}
	out := make([]byte, r.Size())
	n, err := r.ReadAt(out, 0)
	if err == io.EOF && n == len(out) {
		err = nil
	}
	return out[:n], err
}

func TestRoundTrip(t *testing.T) {
	const cs = sealed.DefaultChunkSize
	dek, ad := MustDataKey(t), []byte("file-42")
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"chunk-1", cs - 1},
		{"chunk", cs},
		{"chunk+1", cs + 1},
		{"3 chunks+17", 3*cs + 17},
		{"5 MB", 5 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := randomBytes(t, tt.size)
			var buf bytes.Buffer
			w, err := sealed.NewWriter(&buf, dek, ad)
			if err != nil {
				t.Fatal(err)
			}
			// Uneven writes cross chunk boundaries in every way.
			for p := plain; len(p) > 0; {
				n := min(len(p), 1+mrand.IntN(3*cs))
				if _, err := w.Write(p[:n]); err != nil {
					t.Fatal(err)
				}
				p = p[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ct := buf.Bytes()
			if got, want := int64(len(ct)), sealed.CiphertextSize(int64(tt.size), cs); got != want {
				t.Errorf("ciphertext size = %d, want %d", got, want)
			}
			r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, ad)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := r.Size(), int64(tt.size); got != want {
				t.Fatalf("Size() = %d, want %d", got, want)
			}
			got, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatal("plaintext differs")
			}
			checkReadAt(t, r, plain, 200)
		})
	}
}

// checkReadAt compares reads at random offsets and lengths with bytes.Reader's.
func checkReadAt(t *testing.T, r io.ReaderAt, plain []byte, reads int) {
	t.Helper()
	want := bytes.NewReader(plain)
	size := len(plain)
	for range reads {
		off := int64(mrand.IntN(size + 10))
		n := mrand.IntN(size/2 + 10)
		switch mrand.IntN(4) {
		case 0: // read to the very end, exactly
			if off > int64(size) {
				off = int64(size)
			}
			n = size - int(off)
		case 1: // small reads
			n = mrand.IntN(100)
		}
		got, wantBuf := make([]byte, n), make([]byte, n)
		gn, gerr := r.ReadAt(got, off)
		wn, werr := want.ReadAt(wantBuf, off)
		if gn != wn || gerr != werr || !bytes.Equal(got[:gn], wantBuf[:wn]) {
			t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d, %v (equal content: %v)",
				n, off, gn, gerr, wn, werr, bytes.Equal(got[:gn], wantBuf[:wn]))
		}
	}
}

func TestReadAtSmallChunks(t *testing.T) {
	dek, ad := MustDataKey(t), []byte("f")
	for _, size := range []int{0, 1, 99, 100, 101, 1037, 10000} {
		plain := randomBytes(t, size)
		ct := MustSeal(t, plain, dek, ad, 100)
		if got, want := int64(len(ct)), sealed.CiphertextSize(int64(size), 100); got != want {
			t.Errorf("size %d: ciphertext size = %d, want %d", size, got, want)
		}
		r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, ad)
		if err != nil {
			t.Fatal(err)
		}
		checkReadAt(t, r, plain, 2000)
	}
}

func TestReadAtNegative(t *testing.T) {
	dek := MustDataKey(t)
	ct := MustSeal(t, []byte("hello"), dek, nil, 64)
	r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt at -1: no error")
	}
}

func TestConcurrentReadAt(t *testing.T) {
	dek := MustDataKey(t)
	plain := randomBytes(t, 50_000)
	ct := MustSeal(t, plain, dek, nil, 1000)
	r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				off := mrand.IntN(len(plain))
				n := min(mrand.IntN(3000), len(plain)-off)
				got := make([]byte, n)
				if _, err := r.ReadAt(got, int64(off)); err != nil && err != io.EOF {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, plain[off:off+n]) {
					t.Errorf("ReadAt(%d, %d): content differs", n, off)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestTamper(t *testing.T) {
	const cs = 64
	dek, ad := MustDataKey(t), []byte("file-1")
	plain := randomBytes(t, 3*cs+17) // chunks of 64, 64, 64 and 17 bytes
	ct := MustSeal(t, plain, dek, ad, cs)
	full := cs + sealed.TagSize
	chunk := func(i int) []byte { return ct[sealed.HeaderSize+i*full:][:full] }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	header := ct[:sealed.HeaderSize]

	other := MustSeal(t, plain, dek, []byte("file-2"), cs) // same key, another file
	tests := []struct {
		name string
		ct   []byte
		dek  []byte
		ad   []byte
	}{
		{"last chunk dropped", ct[:len(ct)-(17+sealed.TagSize)], dek, ad},
		{"last two chunks dropped", ct[:sealed.HeaderSize+2*full], dek, ad},
		{"last byte dropped", ct[:len(ct)-1], dek, ad},
		{"truncated into a tag", ct[:sealed.HeaderSize+full+5], dek, ad},
		{"header only", header, dek, ad},
		{"nothing", nil, dek, ad},
		{"chunks swapped", cat(header, chunk(1), chunk(0), chunk(2), ct[sealed.HeaderSize+3*full:]), dek, ad},
		{"chunk duplicated", cat(header, chunk(0), chunk(0), chunk(2), ct[sealed.HeaderSize+3*full:]), dek, ad},
		{"chunk from another file", cat(header, chunk(0), other[sealed.HeaderSize+full:]), dek, ad},
		{"empty chunk appended", cat(ct, ct[len(ct)-sealed.TagSize:]), dek, ad},
		{"wrong ad", ct, dek, []byte("file-2")},
		{"no ad", ct, dek, nil},
		{"wrong key", ct, MustDataKey(t), ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := open(tt.ct, tt.dek, tt.ad); !errors.Is(err, sealed.ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
		})
	}
	if got, err := open(ct, dek, ad); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("untouched stream: %v", err)
	}
}

// TestBitFlips flips every bit of a sealed stream in turn.
func TestBitFlips(t *testing.T) {
	dek, ad := MustDataKey(t), []byte("f")
	ct := MustSeal(t, randomBytes(t, 70), dek, ad, 32)
	for i := range len(ct) * 8 {
		bad := bytes.Clone(ct)
		bad[i/8] ^= 1 << (i % 8)
		if _, err := open(bad, dek, ad); !errors.Is(err, sealed.ErrCorrupt) {
			t.Fatalf("bit %d of byte %d flipped: err = %v, want ErrCorrupt", i%8, i/8, err)
		}
	}
}

func TestEmptyIsOneChunk(t *testing.T) {
	dek := MustDataKey(t)
	ct := MustSeal(t, nil, dek, nil, sealed.DefaultChunkSize)
	if got, want := len(ct), sealed.HeaderSize+sealed.TagSize; got != want {
		t.Errorf("empty stream is %d bytes, want %d", got, want)
	}
	r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt = %d, %v; want 0, EOF", n, err)
	}
}

func TestKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := sealed.NewWriter(io.Discard, make([]byte, n), nil); err == nil {
			t.Errorf("NewWriter with a %d-byte key: no error", n)
		}
		if _, err := sealed.NewReader(bytes.NewReader(nil), 100, make([]byte, n), nil); err == nil {
			t.Errorf("NewReader with a %d-byte key: no error", n)
		}
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk full")
	}
	f.after--
	return len(p), nil
}

func TestWriterErrorsAreSticky(t *testing.T) {
	w, err := sealed.NewWriterSize(&failWriter{after: 1}, MustDataKey(t), nil, 16)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 40)); err == nil {
		t.Fatal("Write: no error")
	}
	if _, err := w.Write([]byte{1}); err == nil {
		t.Error("second Write: no error")
	}
	if err := w.Close(); err == nil {
		t.Error("Close: no error")
	}
}

func TestWriteAfterClose(t *testing.T) {
	w, err := sealed.NewWriter(io.Discard, MustDataKey(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, err := w.Write([]byte{1}); err == nil {
		t.Error("Write after Close: no error")
	}
}

const benchSize = 25 << 20

// BenchmarkSealHash encrypts a 25 MB stream written 32 KiB at a time while hashing its plaintext
// with SHA-256, as an upload does. Run with -cpu 1.
func BenchmarkSealHash(b *testing.B) {
	plain := randomBytes(b, benchSize)
	dek := MustDataKey(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		h := sha256.New()
		w, err := sealed.NewWriter(io.Discard, dek, []byte("file-1"))
		if err != nil {
			b.Fatal(err)
		}
		for p := plain; len(p) > 0; p = p[min(len(p), 32<<10):] {
			block := p[:min(len(p), 32<<10)]
			h.Write(block)
			if _, err := w.Write(block); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		h.Sum(nil)
	}
}

// BenchmarkOpen decrypts a 25 MB stream sequentially through io.Copy, as a download does.
func BenchmarkOpen(b *testing.B) {
	dek := MustDataKey(b)
	ct := MustSeal(b, randomBytes(b, benchSize), dek, []byte("file-1"), sealed.DefaultChunkSize)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		r, err := sealed.NewReader(bytes.NewReader(ct), int64(len(ct)), dek, []byte("file-1"))
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, io.NewSectionReader(r, 0, r.Size())); err != nil || n != benchSize {
			b.Fatalf("copied %d bytes: %v", n, err)
		}
	}
}
