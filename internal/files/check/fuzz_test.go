package check_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/otklik/otklik/internal/files/check"
)

// FuzzDetect feeds Detect arbitrary bytes: it must not panic, must answer either a kind or a
// *Problem (a bytes.Reader cannot fail), and must answer the same twice.
func FuzzDetect(f *testing.F) {
	for _, tc := range detectCases(f) {
		if len(tc.data) <= 64<<10 {
			f.Add(tc.data)
		}
	}
	kinds := map[check.Kind]bool{check.PDF: true, check.DOCX: true, check.XLSX: true, check.JPEG: true, check.PNG: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := check.Detect(bytes.NewReader(data), int64(len(data)), check.Limits{})
		if err != nil {
			if _, ok := errors.AsType[*check.Problem](err); !ok {
				t.Fatalf("not a *Problem: %v", err)
			}
			if k != "" {
				t.Fatalf("kind %q with error %v", k, err)
			}
		} else if !kinds[k] {
			t.Fatalf("unknown kind %q", k)
		}
		k2, err2 := check.Detect(bytes.NewReader(data), int64(len(data)), check.Limits{})
		if k2 != k || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %q, %v then %q, %v", k, err, k2, err2)
		}
	})
}
