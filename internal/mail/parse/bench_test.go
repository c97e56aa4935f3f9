package parse

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// testMessage builds a message with a Russian text/plain and text/html body
// and one base64 attachment of attSize pseudo-random bytes.
func testMessage(attSize int) []byte {
	var sb strings.Builder
	sb.WriteString("Return-Path: <ivan@example.ru>\r\n" +
		"Received: from mx.example.ru (mx.example.ru [192.0.2.1]) by mx.otklik.example with ESMTPS id 1234;\r\n" +
		"\tMon, 15 Jan 2024 10:30:00 +0300\r\n" +
		"From: =?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.ru>\r\n" +
		"To: support@otklik.example\r\n" +
		"Subject: =?utf-8?B?0J3QtSDQvNC+0LPRgyDQstC+0LnRgtC4INCyINC70LjRh9C90YvQuSDQutCw0LHQuNC90LXRgg==?=\r\n" +
		"Date: Mon, 15 Jan 2024 10:30:00 +0300\r\n" +
		"Message-ID: <bench-1@example.ru>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
		"--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	para := "Здравствуйте! Не могу войти в личный кабинет: после ввода СНИЛС и пароля появляется ошибка.\r\n"
	for i := 0; i < 8; i++ {
		sb.WriteString(para)
	}
	sb.WriteString("\r\n15.01.2024 09:00, Служба поддержки пишет:\r\n> Опишите, пожалуйста, проблему.\r\n")
	sb.WriteString("--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<html><body>")
	for i := 0; i < 8; i++ {
		sb.WriteString("<p>" + strings.TrimSpace(para) + "</p>")
	}
	sb.WriteString("<blockquote>Опишите, пожалуйста, проблему.</blockquote></body></html>\r\n--alt--\r\n")
	att := make([]byte, attSize)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range att {
		att[i] = byte(r.Uint32())
	}
	sb.WriteString("--outer\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	sb.WriteString(strings.ReplaceAll(encodeBase64Lines(att), "\n", "\r\n"))
	sb.WriteString("--outer--\r\n")
	return []byte(sb.String())
}

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name    string
		attSize int
		opts    Options
	}{
		{"30KB", 20_000, Options{}},
		// 18.5 MB of data is about 25 MB in base64: over the default 10 MiB
		// attachment limit, so it is hashed while streaming and not kept …
		{"25MB", 18_500_000, Options{}},
		// … and with the limit raised, decoded and kept.
		{"25MB-kept", 18_500_000, Options{MaxAttachmentBytes: 25 << 20}},
	}
	for _, c := range cases {
		msg := testMessage(c.attSize)
		b.Run(fmt.Sprintf("%s/%dB", c.name, len(msg)), func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				m, err := Parse(bytes.NewReader(msg), c.opts)
				if err != nil || len(m.Attachments) != 1 {
					b.Fatalf("parse: %v", err)
				}
			}
		})
	}
}

func BenchmarkHTMLToText(b *testing.B) {
	html := strings.Repeat("<div><p>Здравствуйте! <a href=\"https://example.com/x\">ссылка</a></p><ul><li>один</li></ul></div>", 200)
	b.SetBytes(int64(len(html)))
	b.ReportAllocs()
	for b.Loop() {
		HTMLToText(html)
	}
}

// TestParseMemory measures the bytes allocated while parsing a 25 MB message
// with one large attachment (an upper bound of the extra heap it needs) and
// requires it to stay under three times the message size, whether the
// attachment is kept or only hashed.
func TestParseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 25 MB message")
	}
	msg := testMessage(18_500_000)
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"attachment over the limit, hashed", Options{}},
		{"attachment kept", Options{MaxAttachmentBytes: 25 << 20}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := Parse(bytes.NewReader(msg), c.opts)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			ratio := float64(alloc) / float64(len(msg))
			t.Logf("message %d bytes: %d bytes allocated during the parse (%.2f× the message), attachment %d bytes kept=%v",
				len(msg), alloc, ratio, m.Attachments[0].Size, m.Attachments[0].Data != nil)
			if ratio >= 3 {
				t.Errorf("allocated %.2f× the message size, want under 3×", ratio)
			}
			runtime.KeepAlive(m)
		})
	}
}
