package loadtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"github.com/otklik/otklik/internal/files/check"
)

// The kinds of file the form scenario attaches.
const (
	FilePNG = "png"
	FilePDF = "pdf"
)

// MaxFileSize is the largest file the portal takes (internal/web portalMaxFile).
const MaxFileSize = 5 << 20

// pngRowPixels is the width of a generated PNG: a row is 1 + 3·1024 bytes, so the file comes within
// a row (3 KiB) of the size asked.
const pngRowPixels = 1024

// serialDigitsHex is the width of the serial number that makes each copy of an attachment unique.
const serialDigitsHex = 16

// attachment is a generated file whose copies differ in a serial number near its start: the server
// stores one object per distinct content (blobs are deduplicated by SHA-256), so each submission must
// send a file of its own, as citizens do. A copy is the head, with the serial written into it, then
// the shared rest of data.
type attachment struct {
	kind     string
	data     []byte // with serial 0
	serialAt int    // where the serialDigitsHex hexadecimal digits go
	// PNG only: the serial is in a tEXt chunk whose CRC covers data[crcFrom:crcAt] and is at crcAt.
	crcFrom, crcAt int
	headLen        int // the bytes a copy changes: data[:headLen]
}

// head returns the first headLen bytes of the copy with the serial n.
func (a *attachment) head(n uint64) []byte {
	h := bytes.Clone(a.data[:a.headLen])
	const hexDigits = "0123456789abcdef"
	for i := serialDigitsHex - 1; i >= 0; i-- {
		h[a.serialAt+i] = hexDigits[n&0xf]
		n >>= 4
	}
	if a.crcAt > 0 {
		binary.BigEndian.PutUint32(h[a.crcAt:], crc32.ChecksumIEEE(h[a.crcFrom:a.crcAt]))
	}
	return h
}

// copyOf returns the whole copy with the serial n.
func (a *attachment) copyOf(n uint64) []byte {
	return append(a.head(n), a.data[a.headLen:]...)
}

// makeAttachment returns a real file of the kind (FilePNG or FilePDF) and about size bytes whose
// content is noise from rng, so that it neither compresses nor repeats: a PNG photo of noise stored
// without compression, or a one-page PDF that shows a grey image of noise, as a scan would. Every
// file passes internal/files/check as its kind; the noise makes a chance ZIP or HTML signature
// possible in theory, so the file is checked and made again if it ever does not.
func makeAttachment(kind string, size int64, rng *rand.Rand) (*attachment, error) {
	if size <= 0 || size > MaxFileSize {
		return nil, fmt.Errorf("attachment size %d: want 1 to %d bytes", size, MaxFileSize)
	}
	want, gen := check.PNG, makePNG
	switch kind {
	case FilePNG, "":
	case FilePDF:
		want, gen = check.PDF, makePDF
	default:
		return nil, fmt.Errorf("attachment kind %q: want %s or %s", kind, FilePNG, FilePDF)
	}
	var err error
	for range 3 {
		var a *attachment
		if a, err = gen(size, rng); err != nil {
			return nil, err
		}
		a.kind = kind
		b := a.copyOf(0)
		var got check.Kind
		if got, err = check.Detect(bytes.NewReader(b), int64(len(b)), check.Limits{}); err == nil && got == want {
			return a, nil
		}
		if err == nil {
			err = fmt.Errorf("detected as %s", got)
		}
	}
	return nil, fmt.Errorf("make a %s of %d bytes: %w", want, size, err)
}

// makePNG encodes an opaque RGB image of noise, pngRowPixels wide, without compression, so that its
// size is its pixels', with a tEXt comment after the header that holds the serial. A file smaller
// than one row is a narrower single row.
func makePNG(size int64, rng *rand.Rand) (*attachment, error) {
	const text = 12 + len("Comment\x00") + serialDigitsHex
	// signature, IHDR, the comment, IDAT framing, zlib header and checksum, IEND
	const overhead = int64(8 + 25 + text + 12 + 6 + 12)
	w, h := pngRowPixels, 1
	if rowBytes := int64(1 + 3*pngRowPixels); size-overhead >= rowBytes {
		raw := size - overhead
		raw -= 5 * (raw/65535 + 2) // a stored deflate block's header per 64 KiB, and an empty last one
		h = max(1, int(raw/rowBytes))
	} else {
		w = max(1, int(size-overhead-10-1)/3)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		v := rng.Uint32()
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(v), byte(v>>8), byte(v>>16), 0xff
	}
	var b bytes.Buffer
	b.Grow(int(size) + 4<<10)
	enc := png.Encoder{CompressionLevel: png.NoCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	// The comment goes right after IHDR (8 bytes of signature and 25 of IHDR).
	enc1 := b.Bytes()
	chunk := binary.BigEndian.AppendUint32(nil, uint32(text-12))
	chunk = append(chunk, "tEXtComment\x00"...)
	chunk = append(chunk, strings.Repeat("0", serialDigitsHex)...)
	chunk = binary.BigEndian.AppendUint32(chunk, 0) // the CRC, written by head
	data := make([]byte, 0, len(enc1)+len(chunk))
	data = append(append(append(data, enc1[:33]...), chunk...), enc1[33:]...)
	a := &attachment{data: data, crcFrom: 33 + 4, crcAt: 33 + len(chunk) - 4, headLen: 33 + len(chunk)}
	a.serialAt = a.crcAt - serialDigitsHex
	return a, nil
}

// makePDF writes a one-page A4 PDF 1.7 whose page shows a grey image of noise, with a correct
// cross-reference table, padded with a comment to exactly size bytes. The serial is a comment line
// after the header.
func makePDF(size int64, rng *rand.Rand) (*attachment, error) {
	const width = 1000
	var b bytes.Buffer
	b.Grow(int(size))
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n%")
	serialAt := b.Len()
	b.WriteString(strings.Repeat("0", serialDigitsHex) + "\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>")
	draw := "q 595 0 0 842 0 0 cm /Im0 Do Q"
	obj("<< /Length " + strconv.Itoa(len(draw)) + " >>\nstream\n" + draw + "\nendstream")
	// What follows the image's pixels: the end of its object, the table and the trailer, ~400 bytes.
	const rest = 512
	pixels := max(width, int(size)-b.Len()-200-rest) / width * width
	offsets = append(offsets, b.Len())
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n",
		len(offsets), width, pixels/width, pixels)
	noise := make([]byte, pixels)
	for i := 0; i+8 <= len(noise); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			noise[i+j] = byte(v >> (8 * j))
		}
	}
	b.Write(noise)
	b.WriteString("\nendstream\nendobj\n")
	// A comment pads the file to its size: the table and the trailer after it have a known length.
	tail := func(xref int) string {
		var t strings.Builder
		fmt.Fprintf(&t, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
		for _, o := range offsets {
			fmt.Fprintf(&t, "%010d 00000 n \n", o)
		}
		fmt.Fprintf(&t, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
		return t.String()
	}
	// The table starts at x such that x + len(tail(x)) = size; tail's length depends only on the
	// number of digits of x.
	x := int(size) - len(tail(int(size)))
	x = int(size) - len(tail(x))
	if pad := x - b.Len() - 2; pad >= 0 {
		b.WriteByte('%')
		b.WriteString(strings.Repeat("0", pad))
		b.WriteByte('\n')
	}
	b.WriteString(tail(b.Len()))
	return &attachment{data: b.Bytes(), serialAt: serialAt, headLen: serialAt + serialDigitsHex}, nil
}

// ParseSize reads a size as people write it: "1MB", "512KB", "1.5MiB", "300000" or "0". The units
// are binary (1 MB = 1,048,576 bytes), as the portal counts its 5 MB limit.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20}[unit]
	n, err := strconv.ParseFloat(num, 64)
	switch {
	case mult == 0:
		return 0, fmt.Errorf("size %q: unknown unit %q (want B, KB or MB)", s, unit)
	case err != nil || n < 0:
		return 0, errors.New("size " + strconv.Quote(s) + ": want a number of bytes, KB or MB, e.g. 1MB")
	}
	return int64(n * mult), nil
}
