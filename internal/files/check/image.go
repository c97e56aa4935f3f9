package check

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image/jpeg"
	"image/png"
	"io"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// png checks a file that starts with the PNG signature: IHDR first with a sane size under the pixel
// limit (read before anything else), a header image/png accepts, then every chunk in order with its
// CRC, IDAT present, and IEND exactly at the end of the file. It does not inflate the pixels.
func (d *detector) png() (Kind, error) {
	if err := d.readTail(); err != nil {
		return "", err
	}
	if p := d.foreign(false); p != nil {
		return "", p
	}
	h := d.head
	if len(h) < 33 || binary.BigEndian.Uint32(h[8:]) != 13 || string(h[12:16]) != "IHDR" {
		return "", problem(CodeImageInvalid, "PNG does not start with an IHDR chunk")
	}
	w, ht := binary.BigEndian.Uint32(h[16:]), binary.BigEndian.Uint32(h[20:])
	if w == 0 || ht == 0 || w > 1<<31-1 || ht > 1<<31-1 {
		return "", problem(CodeImageInvalid, "PNG size %d×%d out of range", w, ht)
	}
	if p := d.pixels(int64(w), int64(ht)); p != nil {
		return "", p
	}
	cfg, err := png.DecodeConfig(d.reader(io.NewSectionReader(d.r, 0, d.size)))
	if err != nil {
		return "", problem(CodeImageInvalid, "PNG header: %v", err)
	}
	if cfg.Width != int(w) || cfg.Height != int(ht) {
		return "", problem(CodeImageInvalid, "PNG size disagrees with the decoder")
	}
	return PNG, d.pngChunks()
}

// pngChunks walks the chunks after the signature, checking each CRC.
func (d *detector) pngChunks() error {
	br := d.reader(io.NewSectionReader(d.r, 8, d.size-8))
	crc := crc32.NewIEEE()
	buf := d.scratch(32 << 10)
	var hdr [8]byte
	var typ, prev [4]byte
	var sum [4]byte
	off := int64(8)
	idat := false
	for n := 0; ; n++ {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return problem(CodeImageInvalid, "PNG truncated: no IEND chunk")
		}
		length := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ = [4]byte(hdr[4:])
		if length > 1<<31-1 || !chunkTypeOK(typ) {
			return problem(CodeImageInvalid, "PNG chunk at offset %d is malformed", off)
		}
		if n == 0 && string(typ[:]) != "IHDR" {
			return problem(CodeImageInvalid, "PNG does not start with an IHDR chunk")
		}
		if off+12+length > d.size {
			return problem(CodeImageInvalid, "PNG truncated in chunk %s at offset %d", typ[:], off)
		}
		crc.Reset()
		crc.Write(typ[:])
		for rem := length; rem > 0; {
			k := min(rem, int64(len(buf)))
			if _, err := io.ReadFull(br, buf[:k]); err != nil {
				return problem(CodeImageInvalid, "PNG truncated in chunk %s at offset %d", typ[:], off)
			}
			crc.Write(buf[:k])
			rem -= k
		}
		if _, err := io.ReadFull(br, sum[:]); err != nil {
			return problem(CodeImageInvalid, "PNG truncated in chunk %s at offset %d", typ[:], off)
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return problem(CodeImageInvalid, "PNG chunk %s at offset %d has a bad CRC", typ[:], off)
		}
		off += 12 + length
		switch string(typ[:]) {
		case "IHDR":
			if n != 0 {
				return problem(CodeImageInvalid, "PNG has a second IHDR")
			}
		case "IDAT":
			if idat && string(prev[:]) != "IDAT" {
				return problem(CodeImageInvalid, "PNG IDAT chunks are not consecutive")
			}
			idat = true
		case "IEND":
			if !idat {
				return problem(CodeImageInvalid, "PNG has no IDAT chunk")
			}
			if off != d.size {
				return problem(CodePolyglot, "%d bytes of data after the PNG IEND chunk", d.size-off)
			}
			return nil
		case "PLTE":
			if idat {
				return problem(CodeImageInvalid, "PNG PLTE after IDAT")
			}
		default:
			if typ[0]&0x20 == 0 {
				return problem(CodeImageInvalid, "PNG has an unknown critical chunk %q", typ[:])
			}
		}
		prev = typ
	}
}

// chunkTypeOK tells whether a PNG chunk type is four ASCII letters.
func chunkTypeOK(t [4]byte) bool {
	for _, c := range t {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// maxJPEGScans bounds the scans of a JPEG: each is a pass over the whole image for the decoder, so a
// progressive file with thousands of tiny scans is a CPU bomb (camera and web encoders write ≤ 20).
const maxJPEGScans = 256

// jpeg checks a file that starts with a JPEG SOI marker: a frame header image/jpeg accepts under the
// pixel limit, then every marker segment and entropy-coded scan up to an EOI marker. Data after EOI
// is allowed (phones append HDR gain maps, MPF images and motion-photo videos) unless it is a ZIP.
func (d *detector) jpeg() (Kind, error) {
	if err := d.readTail(); err != nil {
		return "", err
	}
	if p := d.foreign(false); p != nil {
		return "", p
	}
	cfg, err := jpeg.DecodeConfig(io.NewSectionReader(d.r, 0, d.size))
	if err != nil {
		return "", problem(CodeImageInvalid, "JPEG header: %v", err)
	}
	if p := d.pixels(int64(cfg.Width), int64(cfg.Height)); p != nil {
		return "", p
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return "", problem(CodeImageInvalid, "JPEG size %d×%d", cfg.Width, cfg.Height)
	}
	return JPEG, d.jpegSegments()
}

// jpegSegments walks the markers after SOI up to EOI.
func (d *detector) jpegSegments() error {
	br := d.reader(io.NewSectionReader(d.r, 2, d.size-2))
	truncated := problem(CodeImageInvalid, "JPEG truncated: no EOI marker")
	var lenBuf [2]byte
	sof, scans := false, 0
	m, err := nextMarker(br)
	for {
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return truncated
			}
			return err
		}
		switch {
		case m == 0xD9: // EOI
			if scans == 0 {
				return problem(CodeImageInvalid, "JPEG has no scan")
			}
			return nil
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // RSTn, TEM: no length
			m, err = nextMarker(br)
			continue
		case m == 0xD8 || m == 0x00:
			return problem(CodeImageInvalid, "JPEG has a misplaced marker 0x%02X", m)
		}
		if _, err = io.ReadFull(br, lenBuf[:]); err != nil {
			continue
		}
		n := int(binary.BigEndian.Uint16(lenBuf[:]))
		if n < 2 {
			return problem(CodeImageInvalid, "JPEG segment 0x%02X has length %d", m, n)
		}
		if isSOF(m) {
			sof = true
		}
		if _, err = br.Discard(n - 2); err != nil {
			continue
		}
		if m != 0xDA { // not SOS: the next marker follows at once
			m, err = nextMarker(br)
			continue
		}
		if !sof {
			return problem(CodeImageInvalid, "JPEG scan before the frame header")
		}
		if scans++; scans > maxJPEGScans {
			return problem(CodeImageBomb, "JPEG has more than %d scans", maxJPEGScans)
		}
		m, err = skipEntropy(br)
	}
}

// isSOF tells the start-of-frame markers (C0–CF except DHT, JPG and DAC).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

// nextMarker reads a marker that must follow at once: 0xFF, optional fill bytes 0xFF, the code.
func nextMarker(br *bufio.Reader) (byte, error) {
	c, err := br.ReadByte()
	if err != nil {
		return 0, err
	}
	if c != 0xFF {
		return 0, problem(CodeImageInvalid, "JPEG has 0x%02X where a marker should be", c)
	}
	for c == 0xFF {
		if c, err = br.ReadByte(); err != nil {
			return 0, err
		}
	}
	return c, nil
}

// skipEntropy skips entropy-coded data, where 0xFF is followed by 0x00 (a stuffed byte), a restart
// marker or fill bytes, and returns the first other marker.
func skipEntropy(br *bufio.Reader) (byte, error) {
	for {
		_, err := br.ReadSlice(0xFF)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return 0, err
		}
		c, err := br.ReadByte()
		for err == nil && c == 0xFF {
			c, err = br.ReadByte()
		}
		if err != nil {
			return 0, err
		}
		if c == 0x00 || (c >= 0xD0 && c <= 0xD7) {
			continue
		}
		return c, nil
	}
}

// pixels refuses an image larger than the pixel limit.
func (d *detector) pixels(w, h int64) *Problem {
	if w > 0 && h > 0 && w > d.lim.MaxImagePixels/h {
		return problem(CodeImageBomb, "%d×%d pixels, more than %d", w, h, d.lim.MaxImagePixels)
	}
	return nil
}
