package bounce

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzClassify checks that no input makes the classifier panic. It calls classify directly, so
// that Classify's panic guard cannot hide a bug.
func FuzzClassify(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, dir := range []string{"bsd", "dos", "mac", "not"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "shared", "corpus", "bounces", dir, "*.eml"))
		if len(files) > 12 {
			files = files[:12]
		}
		seeds = append(seeds, files...)
	}
	for _, name := range seeds {
		if raw, err := os.ReadFile(name); err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte("Content-Type: multipart/report; boundary=a\n\n--a\nContent-Type: message/delivery-status\n\nFinal-Recipient: x\n--a--"))
	f.Add([]byte("From: MAILER-DAEMON\n\n550 5.1.1 <a@b.c>... User unknown\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := classify(raw)
		if r.Kind == "" {
			t.Fatal("empty Kind")
		}
		if r.Hard && !r.Permanent {
			t.Fatalf("hard but not permanent: %+v", r)
		}
	})
}
