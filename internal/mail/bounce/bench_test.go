package bounce_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/mail/bounce"
)

// BenchmarkClassify classifies every message of the shared corpus; it reports the time per
// message (µs/msg) besides the time per pass over the corpus.
func BenchmarkClassify(b *testing.B) {
	var msgs [][]byte
	for _, dir := range []string{"bsd", "dos", "mac", "not"} {
		files, _ := filepath.Glob(filepath.Join(corpusDir, dir, "*.eml"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			msgs = append(msgs, raw)
		}
	}
	if len(msgs) == 0 {
		b.Skipf("bounce corpus not found at %s", corpusDir)
	}
	size := 0
	for _, m := range msgs {
		size += len(m)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		for _, m := range msgs {
			if _, err := bounce.Classify(bytes.NewReader(m), bounce.DefaultMaxBytes); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N*len(msgs)), "µs/msg")
}
