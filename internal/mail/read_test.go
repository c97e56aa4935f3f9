package mail_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"testing/iotest"

	"github.com/otklik/otklik/internal/mail"
)

func TestReadLimited(t *testing.T) {
	const limit = 1 << 20
	for _, size := range []int{0, 1, 65535, 65536, 65537, 300_000, limit, limit + 1, 3 * limit} {
		msg := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		for _, hint := range []int64{0, int64(size), int64(size) / 2, int64(size) * 2, limit * 100} {
			t.Run(fmt.Sprintf("size %d hint %d", size, hint), func(t *testing.T) {
				// Half a buffer a read: the buffer must grow correctly whatever the reads' sizes.
				r := bytes.NewReader(msg)
				got, err := mail.ReadLimited(iotest.HalfReader(r), limit, hint)
				if size > limit {
					if !errors.Is(err, mail.ErrTooLarge) {
						t.Fatalf("err = %v, want ErrTooLarge", err)
					}
					if !bytes.HasPrefix(msg, got) || len(got) != limit+1 {
						t.Fatalf("a too large message returns its first %d bytes, got %d", limit+1, len(got))
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, msg) {
					t.Fatalf("read %d bytes, want the %d sent", len(got), size)
				}
			})
		}
	}
}

// A sender that declares a large size and sends little cannot make Otklik hold more than eight
// times what it sent.
func TestReadLimitedLyingHint(t *testing.T) {
	got, err := mail.ReadLimited(bytes.NewReader(make([]byte, 100)), 25<<20, 25<<20)
	if err != nil || len(got) != 100 {
		t.Fatalf("got %d bytes, %v", len(got), err)
	}
	if cap(got) > 64<<10 {
		t.Errorf("100 bytes sent under a declared 25 MiB took a %d-byte buffer", cap(got))
	}
	got, _ = mail.ReadLimited(bytes.NewReader(make([]byte, 1<<20)), 25<<20, 25<<20)
	if cap(got) > 8<<20 {
		t.Errorf("1 MiB sent under a declared 25 MiB took a %d-byte buffer", cap(got))
	}
}

func TestReadLimitedReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, hint := range []int64{0, 100} {
		_, err := mail.ReadLimited(iotest.TimeoutReader(bytes.NewReader(make([]byte, 100))), 1<<20, hint)
		if err == nil || errors.Is(err, mail.ErrTooLarge) {
			t.Errorf("hint %d: a read error must come back, got %v", hint, err)
		}
		_, err = mail.ReadLimited(iotest.ErrReader(boom), 1<<20, hint)
		if !errors.Is(err, boom) {
			t.Errorf("hint %d: err = %v, want %v", hint, err, boom)
		}
	}
}
