package mail_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/otklik/otklik/internal/mail"
)

// typicalMessage is a 30 KB citizen message: a text part and a small PDF attachment.
func typicalMessage(i int64) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Citizen %d <citizen%d@mail.example.ru>\r\nTo: support@%s\r\nSubject: %s\r\n", i%500, i%500, portal, mimeWord(fmt.Sprintf("Не загружается заявление %d", i)))
	fmt.Fprintf(&b, "Message-ID: <bench.%d.%d@mail.example.ru>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0300\r\nMIME-Version: 1.0\r\n", i, time.Now().UnixNano())
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	line := "Здравствуйте! При загрузке документов на портал появляется ошибка, заявление не отправляется.\r\n"
	for b.Len() < 22_000 {
		b.WriteString(line)
	}
	b.WriteString("--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef"), 360)...)
	enc := base64.StdEncoding.EncodeToString(pdf)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return b.Bytes()
}

// BenchmarkSMTPIntake delivers typical 30 KB messages with a small attachment over real SMTP
// conversations from 8 parallel clients, each message parsed, classified, authenticated and committed
// as a ticket with its acknowledgement in the outbox (SQLite).
func BenchmarkSMTPIntake(b *testing.B) {
	e := newEnvTB(b, "sqlite", false, slog.New(slog.DiscardHandler), mail.Limits{MaxMessageBytes: 2 << 20, MaxFileBytes: 512 << 10})
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c, err := smtp.Dial(e.addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			i := n.Add(1)
			if err := c.SendMail(fmt.Sprintf("citizen%d@mail.example.ru", i%500), []string{"support@" + portal}, bytes.NewReader(typicalMessage(i))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// largeMessage is a message just under the 25 MiB limit: a short text and two scanned documents of
// 9 MB each (PDFs, within the 10 MiB limit a file), base64-encoded as mail clients send them.
func largeMessage() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Citizen <citizen@mail.example.ru>\r\nTo: support@%s\r\nSubject: %s\r\n", portal, mimeWord("Сканы документов"))
	fmt.Fprintf(&b, "Message-ID: <large.%d@mail.example.ru>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0300\r\nMIME-Version: 1.0\r\n", time.Now().UnixNano())
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nЗдравствуйте! Прикладываю сканы документов.\r\n")
	for i := range 2 {
		fmt.Fprintf(&b, "--b1\r\nContent-Type: application/pdf; name=\"scan%d.pdf\"\r\nContent-Disposition: attachment; filename=\"scan%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i, i)
		pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef"), 9_000_000/16)...)
		enc := base64.StdEncoding.EncodeToString(pdf)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--b1--\r\n")
	return b.Bytes()
}

// BenchmarkSMTPIntakeLarge delivers one message of almost 25 MiB at a time over SMTP, to a committed
// ticket, and reports the memory it costs the process beyond what it held before: every byte
// allocated while it was delivered (an upper bound of the extra memory, whatever the garbage
// collector does), and the largest heap seen, sampled every millisecond, above the heap before — both
// as multiples of the message size. The client declares the message's size (RFC 1870) as Postfix does,
// or does not.
func BenchmarkSMTPIntakeLarge(b *testing.B) {
	b.Run("declared-size", func(b *testing.B) { benchLarge(b, true) })
	b.Run("no-size", func(b *testing.B) { benchLarge(b, false) })
}

func benchLarge(b *testing.B, declare bool) {
	e := newEnvTB(b, "sqlite", false, slog.New(slog.DiscardHandler), mail.Limits{MaxMessageBytes: 25 << 20, MaxFileBytes: 10 << 20})
	c, err := smtp.Dial(e.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var worstAlloc, worstPeak float64
	var size int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		msg := largeMessage()
		size = len(msg)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		peak := samplePeakHeap()
		b.StartTimer()
		err := sendSized(c, msg, declare)
		b.StopTimer()
		runtime.ReadMemStats(&after)
		top := peak()
		if err != nil {
			b.Fatal(err)
		}
		worstAlloc = max(worstAlloc, float64(after.TotalAlloc-before.TotalAlloc)/float64(size))
		worstPeak = max(worstPeak, float64(top-before.HeapAlloc)/float64(size))
		runtime.KeepAlive(msg)
		b.StartTimer()
	}
	b.ReportMetric(float64(size)/1e6, "MB/msg")
	b.ReportMetric(worstAlloc, "alloc/size")
	b.ReportMetric(worstPeak, "peakheap/size")
}

// sendSized sends msg, declaring its size in MAIL FROM (RFC 1870) as MTAs do when declare is true.
func sendSized(c *smtp.Client, msg []byte, declare bool) error {
	var opts *smtp.MailOptions
	if declare {
		opts = &smtp.MailOptions{Size: int64(len(msg))}
	}
	if err := c.Mail("citizen@mail.example.ru", opts); err != nil {
		return err
	}
	if err := c.Rcpt("support@"+portal, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

// samplePeakHeap samples the live heap every millisecond until the returned function is called,
// which returns the largest value seen.
func samplePeakHeap() func() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var top atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > top.Load() {
				top.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return top.Load()
	}
}
