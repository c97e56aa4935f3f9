// Package sealed encrypts file content at rest with AES-256-GCM under a per-file data key, in a
// chunked format that can be read at random offsets, and wraps the data keys with master keys.
//
// A sealed stream is a 16-byte header followed by chunks, in the manner of age's STREAM and Tink's
// streaming AEAD:
//
//	header = "OTKF" | version (1 byte, 1) | chunk size (uint32 big-endian) | nonce prefix (7 random bytes)
//	chunk i = AES-256-GCM(dek, nonce_i, plaintext_i, header | ad)
//	nonce_i = nonce prefix | i (uint32 big-endian) | 0x01 for the last chunk, else 0x00
//
// Every chunk holds chunk-size plaintext bytes except the last, which holds from 1 to chunk-size
// bytes; only an empty stream has an empty (last) chunk. The counter stops reordering, the last-chunk
// flag stops truncation at a chunk boundary, and the header and the caller's additional data (the
// file's identity) in every chunk's authentication stop a chunk or a whole stream being moved to
// another file. The layout follows from the ciphertext's length alone, so a reader can find and
// authenticate any chunk without reading the others.
//
// A data key must encrypt one file only (NewDataKey for each file).
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// KeySize is the size of data keys and master keys in bytes (AES-256).
const KeySize = 32

// DefaultChunkSize is the number of plaintext bytes in each chunk the Writer makes.
const DefaultChunkSize = 64 << 10

const (
	magic      = "OTKF"
	version    = 1
	prefixSize = 7
	headerSize = len(magic) + 1 + 4 + prefixSize // 16
	tagSize    = 16
	nonceSize  = 12

	// The bounds a Reader accepts for the chunk size in a header: the upper one caps the memory a
	// hostile header can make a Reader allocate.
	minChunkSize = 16
	maxChunkSize = 4 << 20

	maxChunks = math.MaxUint32 + 1 // the counter is 32 bits
)

// ErrCorrupt reports a sealed stream that does not authenticate: it was truncated, reordered,
// modified, belongs to another file (other additional data) or is read with the wrong key.
var ErrCorrupt = errors.New("sealed: corrupt or not authentic")

var errClosed = errors.New("sealed: writer closed")

// NewDataKey returns a new random data key for one file.
func NewDataKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("sealed: data key: %w", err)
	}
	return k, nil
}

// CiphertextSize returns the size of the sealed stream of plain bytes in chunks of chunkSize
// plaintext bytes (DefaultChunkSize for streams made by NewWriter).
func CiphertextSize(plain int64, chunkSize int) int64 {
	cs := int64(chunkSize)
	chunks := max(1, (plain+cs-1)/cs)
	return int64(headerSize) + plain + chunks*tagSize
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealed: key is %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	return cipher.NewGCM(b)
}

// putNonce writes the nonce of chunk i into n, which is nonceSize bytes.
func putNonce(n, prefix []byte, i uint64, last bool) {
	copy(n[:prefixSize], prefix)
	binary.BigEndian.PutUint32(n[prefixSize:], uint32(i))
	n[nonceSize-1] = 0
	if last {
		n[nonceSize-1] = 1
	}
}

// additionalData returns header | ad, the additional data of every chunk.
func additionalData(header, ad []byte) []byte {
	out := make([]byte, 0, len(header)+len(ad))
	return append(append(out, header...), ad...)
}

// Writer encrypts a stream. It holds one chunk in memory; a full chunk is sealed once more data
// arrives or at Close, so that the last chunk carries the last flag.
type Writer struct {
	dst     io.Writer
	aead    cipher.AEAD
	ad      []byte // header | caller's ad
	prefix  []byte
	buf     []byte // chunk plaintext, with room for the tag to seal in place
	nonce   []byte
	n       int // plaintext bytes in buf
	cs      int
	counter uint64
	err     error // sticky
}

// NewWriter returns a Writer that encrypts to dst under the data key dek, binding every chunk to ad
// (the file's identity, which the Reader must be given too). It writes the header at once. Close
// writes the last chunk.
func NewWriter(dst io.Writer, dek, ad []byte) (*Writer, error) {
	return newWriter(dst, dek, ad, DefaultChunkSize)
}

func newWriter(dst io.Writer, dek, ad []byte, chunkSize int) (*Writer, error) {
	if chunkSize < minChunkSize || chunkSize > maxChunkSize {
		return nil, fmt.Errorf("sealed: chunk size %d out of range", chunkSize)
	}
	aead, err := newAEAD(dek)
	if err != nil {
		return nil, err
	}
	header := make([]byte, headerSize)
	copy(header, magic)
	header[4] = version
	binary.BigEndian.PutUint32(header[5:9], uint32(chunkSize))
	if _, err := rand.Read(header[9:]); err != nil {
		return nil, fmt.Errorf("sealed: nonce prefix: %w", err)
	}
	if _, err := dst.Write(header); err != nil {
		return nil, fmt.Errorf("sealed: write header: %w", err)
	}
	return &Writer{
		dst:    dst,
		aead:   aead,
		ad:     additionalData(header, ad),
		prefix: header[9:],
		buf:    make([]byte, chunkSize+tagSize),
		nonce:  make([]byte, nonceSize),
		cs:     chunkSize,
	}, nil
}

// Write encrypts p. Errors are sticky.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if w.n == w.cs {
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
		c := copy(w.buf[w.n:w.cs], p)
		w.n += c
		n += c
		p = p[c:]
	}
	return n, nil
}

// Close writes the last chunk. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err == errClosed {
		return nil
	}
	if w.err != nil {
		return w.err
	}
	if err := w.flush(true); err != nil {
		return err
	}
	clear(w.buf)
	w.err = errClosed
	return nil
}

func (w *Writer) flush(last bool) error {
	if w.counter >= maxChunks {
		w.err = errors.New("sealed: stream too long for its chunk size")
		return w.err
	}
	putNonce(w.nonce, w.prefix, w.counter, last)
	ct := w.aead.Seal(w.buf[:0], w.nonce, w.buf[:w.n], w.ad)
	if _, err := w.dst.Write(ct); err != nil {
		w.err = fmt.Errorf("sealed: write chunk %d: %w", w.counter, err)
		return w.err
	}
	w.counter++
	w.n = 0
	return nil
}

// Reader decrypts a sealed stream at random offsets. It is safe for concurrent ReadAt calls. It keeps
// the last chunk it decrypted for a partial read, so that small sequential reads decrypt each chunk
// once; a read that covers whole chunks decrypts them straight into the caller's buffer.
type Reader struct {
	src     io.ReaderAt
	aead    cipher.AEAD
	ad      []byte
	prefix  []byte
	cs      int64
	chunks  int64
	lastLen int64
	size    int64
	bufs    sync.Pool // *[]byte: a chunk's ciphertext (cs+tagSize bytes), then its nonce

	mu       sync.Mutex
	cacheIdx int64 // -1: none
	cache    []byte
	cacheBuf *[]byte
}

// NewReader returns a Reader of the sealed stream of size bytes in src, under the data key dek and
// the additional data ad given to NewWriter. It checks the header and authenticates the last chunk,
// so a truncated stream, the wrong key or the wrong ad fail here with ErrCorrupt.
func NewReader(src io.ReaderAt, size int64, dek, ad []byte) (*Reader, error) {
	aead, err := newAEAD(dek)
	if err != nil {
		return nil, err
	}
	if size < int64(headerSize+tagSize) {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, size)
	}
	header := make([]byte, headerSize)
	if err := readFull(src, header, 0); err != nil {
		return nil, readErr("header", err)
	}
	if string(header[:4]) != magic {
		return nil, fmt.Errorf("%w: not a sealed stream", ErrCorrupt)
	}
	if header[4] != version {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorrupt, header[4])
	}
	cs := int64(binary.BigEndian.Uint32(header[5:9]))
	if cs < minChunkSize || cs > maxChunkSize {
		return nil, fmt.Errorf("%w: chunk size %d out of range", ErrCorrupt, cs)
	}
	body := size - int64(headerSize)
	full := cs + tagSize
	chunks, rem := body/full, body%full
	lastLen := cs
	if rem != 0 {
		if rem < tagSize {
			return nil, fmt.Errorf("%w: size %d does not fit the chunk layout", ErrCorrupt, size)
		}
		chunks++
		lastLen = rem - tagSize
		if lastLen == 0 && chunks > 1 { // only an empty stream ends with an empty chunk
			return nil, fmt.Errorf("%w: empty last chunk", ErrCorrupt)
		}
	}
	if chunks > maxChunks {
		return nil, fmt.Errorf("%w: too many chunks", ErrCorrupt)
	}
	r := &Reader{
		src:      src,
		aead:     aead,
		ad:       additionalData(header, ad),
		prefix:   header[9:],
		cs:       cs,
		chunks:   chunks,
		lastLen:  lastLen,
		size:     (chunks-1)*cs + lastLen,
		cacheIdx: -1,
	}
	r.bufs.New = func() any { b := make([]byte, cs+tagSize+nonceSize); return &b }
	// Authenticate the last chunk now (and keep it: a ZIP's central directory is there).
	bp := r.bufs.Get().(*[]byte)
	pt, err := r.open((*bp)[:0], *bp, chunks-1)
	if err != nil {
		return nil, err
	}
	r.keep(chunks-1, pt, bp)
	return r, nil
}

// Size returns the plaintext size.
func (r *Reader) Size() int64 { return r.size }

// ReadAt reads plaintext at off, with the semantics of io.ReaderAt: it returns io.EOF when it reads
// fewer than len(p) bytes because the stream ends. A chunk that does not authenticate gives
// ErrCorrupt.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("sealed: negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(p)
	if rem := r.size - off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		i := pos / r.cs
		in := int(pos - i*r.cs)
		clen := int(r.chunkLen(i))
		if in == 0 && len(p)-n >= clen {
			if err := r.openInto(p[n:n+clen], i); err != nil {
				return n, err
			}
			n += clen
			continue
		}
		c, err := r.copyChunk(p[n:], i, in)
		n += c
		if err != nil {
			return n, err
		}
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

func (r *Reader) chunkLen(i int64) int64 {
	if i == r.chunks-1 {
		return r.lastLen
	}
	return r.cs
}

// open reads chunk i's ciphertext into buf, a buffer from r.bufs, and decrypts it into dst[:0] (which
// may be buf[:0]).
func (r *Reader) open(dst, buf []byte, i int64) ([]byte, error) {
	clen := r.chunkLen(i)
	ct := buf[:clen+tagSize]
	nonce := buf[len(buf)-nonceSize:]
	if err := readFull(r.src, ct, int64(headerSize)+i*(r.cs+tagSize)); err != nil {
		return nil, readErr(fmt.Sprintf("chunk %d", i), err)
	}
	putNonce(nonce, r.prefix, uint64(i), i == r.chunks-1)
	pt, err := r.aead.Open(dst[:0], nonce, ct, r.ad)
	if err != nil {
		return nil, fmt.Errorf("%w: chunk %d", ErrCorrupt, i)
	}
	return pt, nil
}

// openInto decrypts the whole chunk i into dst, which is exactly its length.
func (r *Reader) openInto(dst []byte, i int64) error {
	bp := r.bufs.Get().(*[]byte)
	defer r.bufs.Put(bp)
	_, err := r.open(dst, *bp, i)
	return err
}

// copyChunk copies chunk i from offset in into p, from the cached chunk or by decrypting it and
// keeping it as the cached chunk.
func (r *Reader) copyChunk(p []byte, i int64, in int) (int, error) {
	r.mu.Lock()
	if r.cacheIdx == i {
		n := copy(p, r.cache[in:])
		r.mu.Unlock()
		return n, nil
	}
	r.mu.Unlock()
	bp := r.bufs.Get().(*[]byte)
	pt, err := r.open((*bp)[:0], *bp, i)
	if err != nil {
		r.bufs.Put(bp)
		return 0, err
	}
	n := copy(p, pt[in:])
	r.keep(i, pt, bp)
	return n, nil
}

// keep makes pt, chunk i decrypted in *bp, the cached chunk.
func (r *Reader) keep(i int64, pt []byte, bp *[]byte) {
	r.mu.Lock()
	old := r.cacheBuf
	r.cacheIdx, r.cache, r.cacheBuf = i, pt, bp
	r.mu.Unlock()
	if old != nil {
		r.bufs.Put(old)
	}
}

// readFull fills p from src at off; a full read that also reports io.EOF is a success.
func readFull(src io.ReaderAt, p []byte, off int64) error {
	n, err := src.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readErr reports a failed read of the source: a short read means the stream is shorter than its
// declared size, which is corruption; other errors are the source's own.
func readErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("sealed: read %s: %w", what, err)
}
