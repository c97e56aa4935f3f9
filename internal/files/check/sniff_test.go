package check

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// zipEndBackward is how zipEndIn searched before, from the end with bytes.LastIndex: the reference
// its forward search must agree with.
func zipEndBackward(tail []byte, tailOff int64) (int64, bool) {
	end := len(tail)
	for {
		i := bytes.LastIndex(tail[:end], zipEndSignature)
		if i < 0 {
			return 0, false
		}
		end = i + len(zipEndSignature) - 1
		if i+22 > len(tail) {
			continue
		}
		rec := tail[i : i+22]
		if binary.LittleEndian.Uint16(rec[4:]) != 0 || binary.LittleEndian.Uint16(rec[6:]) != 0 ||
			binary.LittleEndian.Uint16(rec[8:]) != binary.LittleEndian.Uint16(rec[10:]) {
			continue
		}
		dirSize, dirOff := binary.LittleEndian.Uint32(rec[12:]), binary.LittleEndian.Uint32(rec[16:])
		if pos := tailOff + int64(i); dirOff == 0xFFFFFFFF || int64(dirOff)+int64(dirSize) <= pos {
			return pos, true
		}
	}
}

// endRecord returns an end of central directory record: plausible, or not (two disks).
func endRecord(plausible bool, dirSize, dirOff uint32) []byte {
	rec := make([]byte, 22)
	copy(rec, zipEndSignature)
	if !plausible {
		binary.LittleEndian.PutUint16(rec[4:], 1)
	}
	binary.LittleEndian.PutUint16(rec[8:], 3)
	binary.LittleEndian.PutUint16(rec[10:], 3)
	binary.LittleEndian.PutUint32(rec[12:], dirSize)
	binary.LittleEndian.PutUint32(rec[16:], dirOff)
	return rec
}

func TestZipEndIn(t *testing.T) {
	plain := bytes.Repeat([]byte{'P', 'K', 0}, 100)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, c := range []struct {
		name  string
		tail  []byte
		at    int64
		found bool
	}{
		{"none", plain, 0, false},
		{"one", cat(plain, endRecord(true, 10, 5)), 300, true},
		{"the last of two", cat(plain, endRecord(true, 10, 5), plain, endRecord(true, 10, 5)), 622, true},
		{"an implausible one after", cat(plain, endRecord(true, 10, 5), endRecord(false, 10, 5)), 300, true},
		{"a directory after the record", cat(plain, endRecord(true, 10, 295)), 0, false},
		{"ZIP64", cat(plain, endRecord(true, 10, 0xFFFFFFFF)), 300, true},
		{"cut short", cat(plain, endRecord(true, 10, 5)[:21]), 0, false},
		{"overlapping signatures", cat([]byte("PK\x05\x06PK"), endRecord(true, 0, 0)), 6, true},
	} {
		at, found := zipEndIn(c.tail, 0)
		if at != c.at || found != c.found {
			t.Errorf("%s: %d, %v; want %d, %v", c.name, at, found, c.at, c.found)
		}
	}

	// Random tails with records of both kinds scattered in them agree with the backward search.
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		tail := make([]byte, r.IntN(4096))
		for i := range tail {
			tail[i] = "PK\x05\x06\x00\x01"[r.IntN(6)] // signatures and their parts, often
		}
		for k := r.IntN(4); k > 0 && len(tail) > 0; k-- {
			rec := endRecord(r.IntN(2) == 0, uint32(r.IntN(64)), uint32(r.IntN(4096)))
			copy(tail[r.IntN(len(tail)):], rec)
		}
		off := int64(r.IntN(1 << 20))
		wantAt, wantFound := zipEndBackward(tail, off)
		if at, found := zipEndIn(tail, off); at != wantAt || found != wantFound {
			t.Fatalf("tail %q at %d: %d, %v; backward search: %d, %v", tail, off, at, found, wantAt, wantFound)
		}
	}
}

// BenchmarkZipEndIn searches the last 65 KiB of a file of random bytes, as every check of an image or
// a PDF does.
func BenchmarkZipEndIn(b *testing.B) {
	tail := make([]byte, tailLen)
	rand.NewChaCha8([32]byte{3, 4}).Read(tail)
	b.Run("forward", func(b *testing.B) {
		b.SetBytes(int64(len(tail)))
		for b.Loop() {
			zipEndIn(tail, 0)
		}
	})
	b.Run("backward", func(b *testing.B) {
		b.SetBytes(int64(len(tail)))
		for b.Loop() {
			zipEndBackward(tail, 0)
		}
	})
}
