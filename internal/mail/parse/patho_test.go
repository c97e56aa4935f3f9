package parse

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestAdversarialInputs parses messages built to trip quadratic loops and
// memory blow-ups, and requires each to stay within a small multiple of its
// size in allocations and to finish quickly.
func TestAdversarialInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several MB of input")
	}
	const n = 2 << 20
	rep := func(head, unit string) []byte {
		return []byte(head + strings.Repeat(unit, n/len(unit)))
	}
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty lines", rep("From: a@b\n\n", "\n")},
		{"signature dashes", rep("From: a@b\n\nx\n", "--\n")},
		{"attribution lines", rep("From: a@b\n\nx\n", "On 1 Jan a@b wrote:\n")},
		{"outlook headers", rep("From: a@b\n\nx\n", "From: x\n\n")},
		{"quoted lines", rep("From: a@b\n\nx\n", "> q\nOn 1 Jan a@b wrote:\n")},
		{"header fields", rep("", "a:b\n")},
		{"broken header lines", rep("From: a@b\n", "xx\n")},
		{"encoded words", rep("From: a@b\nSubject: ", "=?utf-8?B?0JA=?= ")},
		{"unclosed encoded words", rep("From: a@b\nSubject: ", "=?utf-8?q?")},
		{"address list", rep("From: a@b\nTo: ", "a@b,")},
		{"many parts", rep("From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n", "--b\n\n")},
		{"part headers", rep("From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n", "--b\na:b\nc:d\n")},
		{"boundary prefixes", rep("From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n", "--bx\n")},
		{"dash lines without boundary", rep("From: a@b\nContent-Type: multipart/mixed\n\n", "--abc\n")},
		{"nested multiparts", rep("From: a@b\nContent-Type: multipart/mixed; boundary=b\n\n", "--b\nContent-Type: multipart/mixed; boundary=b\n\n")},
		{"html links", rep("From: a@b\nContent-Type: text/html\n\n", "<a href=x>")},
		{"html breaks", rep("From: a@b\nContent-Type: text/html\n\n", "a<br>")},
		{"html blockquotes", rep("From: a@b\nContent-Type: text/html\n\n", "<blockquote>")},
		{"html lists", rep("From: a@b\nContent-Type: text/html\n\n", "<ul><li>")},
		{"cid references", rep("From: a@b\nContent-Type: text/html\n\n", "cid:x ")},
		{"raw 8-bit body", rep("From: a@b\n\n", "\xe0\xe1 ")},
		{"raw 8-bit header", rep("From: a@b\nSubject: ", "\xe0\xe1 ")},
		{"flowed", rep("From: a@b\nContent-Type: text/plain; format=flowed\n\n", "a \n")},
		{"quoted-printable", rep("From: a@b\nContent-Transfer-Encoding: quoted-printable\n\n", "=\n")},
		{"base64 junk", rep("From: a@b\nContent-Transfer-Encoding: base64\n\n", "!=")},
		{"parameters", rep("From: a@b\nContent-Type: text/plain", "; a*1*=%41")},
		{"unclosed words in a parameter", rep("From: a@b\nContent-Type: text/plain; name=\"", "=?a?q?x ")},
		{"unclosed words in an address", rep("From: a@b\nTo: ", "=?a?q?x ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			m, err := Parse(bytes.NewReader(tt.msg), Options{})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			ratio := float64(alloc) / float64(len(tt.msg))
			t.Logf("%d bytes: %v, %.1f× allocated, err %v", len(tt.msg), elapsed, ratio, err)
			if err == nil {
				checkClean(t, "Text", m.Text, "\n\t")
			}
			if ratio > 12 {
				t.Errorf("allocated %.1f× the input, want at most 12×", ratio)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v, want under 5 s", elapsed)
			}
		})
	}
}
