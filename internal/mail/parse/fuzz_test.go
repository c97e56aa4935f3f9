package parse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// checkClean fails when s is not valid UTF-8 or holds a control character
// other than those allowed.
func checkClean(t *testing.T, what, s, allowed string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	for _, r := range s {
		if isControl(r) && !strings.ContainsRune(allowed, r) {
			t.Fatalf("%s holds control character %U: %q", what, r, s)
		}
	}
}

func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.eml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"From: a@b\n\nhi",
		"Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--b--",
		"Content-Type: multipart/mixed\n\n--x\nContent-Type: multipart/alternative; boundary=y\n\n--y\n--y--\n--x",
		"Subject: =?utf-8?B?0J/R?= =?koi8-r?Q?=F0?=\nContent-Type: text/html\n\n<blockquote><ul><li><a href=x>y",
		"Content-Type: text/plain; charset=utf-7\nContent-Transfer-Encoding: base64\n\nKwBBAEIALQ==",
		"Content-Type: message/rfc822\n\nSubject: inner\n\nbody",
		"Content-Type: text/plain; format=flowed; delsp=yes\n\n> a \n> b\n-- \nx",
		"Content-Disposition: attachment; filename*0*=koi8-r''%F0; filename*1=x\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n#86)C\n`\nend\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		old := recoverPanics
		recoverPanics = false // let a panic fail the fuzz run
		defer func() { recoverPanics = old }()
		// A parse that does not finish is a failure too (an endless or
		// quadratic loop), reported with the input.
		type result struct {
			m   *Message
			err error
		}
		done := make(chan result, 1)
		go func() {
			m, err := Parse(bytes.NewReader(data), Options{MaxMessageBytes: 1 << 20, MaxAttachmentBytes: 1 << 16})
			done <- result{m, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parse of %d bytes did not finish in 10 s", len(data))
		}
		m, err := r.m, r.err
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want an *Error", err)
			}
			return
		}
		checkClean(t, "Text", m.Text, "\n\t")
		checkClean(t, "Visible", m.Visible, "\n\t")
		checkClean(t, "Quoted", m.Quoted, "\n\t")
		if v, q, tx := nonSpace(m.Visible), nonSpace(m.Quoted), nonSpace(m.Text); v > tx || v+q < tx {
			t.Fatalf("folding changed the text: visible %d + quoted %d non-space runes, text %d", v, q, tx)
		}
		checkClean(t, "Subject", m.Subject, "")
		checkClean(t, "From.Name", m.From.Name, "")
		checkClean(t, "From.Email", m.From.Email, "")
		checkClean(t, "HTML", m.HTML, "\n\t")
		for _, a := range m.Attachments {
			checkClean(t, "Filename", a.Filename, "")
			if !a.TooLarge && int64(len(a.Data)) != a.Size {
				t.Fatalf("attachment %q: %d bytes of data, Size %d", a.Filename, len(a.Data), a.Size)
			}
		}
		for _, f := range m.Header {
			checkClean(t, "Get("+f.Name+")", m.Get(f.Name), "")
		}
		checkClean(t, "HTMLToText", HTMLToText(string(data)), "\n\t")
	})
}
