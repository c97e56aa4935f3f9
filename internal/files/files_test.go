package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/files/check"
	"github.com/otklik/otklik/internal/testkit"
)

// pdfOf returns a PDF-shaped content of about n bytes: a header, random bytes, a trailer.
func pdfOf(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	copy(b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 0 >>\nstream\n")
	trailer := "\nendstream\nendobj\n%%EOF\n"
	copy(b[n-len(trailer):], trailer)
	return b
}

// TestVaultPutOpen: what goes in comes out, with its hash and kind; over the limit and refused kinds
// leave no object behind.
func TestVaultPutOpen(t *testing.T) {
	v, dir, _ := testkit.NewVault(t)
	ctx := context.Background()
	content := pdfOf(t, 3<<20+17)
	st, err := v.Put(ctx, bytes.NewReader(content), 5<<20)
	if err != nil {
		t.Fatal(err)
	}
	if st.Kind != check.PDF || st.Size != int64(len(content)) || len(st.SHA256) != 32 {
		t.Fatalf("stored %+v", st)
	}
	b := st.Blob()
	c, err := v.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	c.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}

	if _, err := v.Put(ctx, bytes.NewReader(content), 1<<20); !errors.Is(err, files.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	var p *check.Problem
	if _, err := v.Put(ctx, bytes.NewReader([]byte("MZ\x90\x00 This program cannot be run in DOS mode")), 5<<20); !errors.As(err, &p) {
		t.Errorf("a program: %v", err)
	}
	// Small files are checked from memory as they stream by, large ones read back: both ways agree.
	small, err := v.Put(ctx, bytes.NewReader(pdfOf(t, 100<<10)), 5<<20)
	if err != nil || small.Kind != check.PDF {
		t.Errorf("a small PDF: %+v, %v", small, err)
	}
	program := make([]byte, 3<<20)
	copy(program, "MZ\x90\x00 This program cannot be run in DOS mode")
	if _, err := v.Put(ctx, bytes.NewReader(program), 5<<20); !errors.As(err, &p) {
		t.Errorf("a large program: %v", err)
	}
	if n := testkit.CountObjects(t, dir); n != 2 {
		t.Errorf("%d objects in the store, want the two good files", n)
	}
}

// TestVaultPutEvicts: a stored file leaves the page cache once checked — a small one checked from
// memory as it streamed by, and a large one read back for its check.
func TestVaultPutEvicts(t *testing.T) {
	v, dir, _ := testkit.NewVault(t)
	testkit.NeedPageCache(t, dir)
	for _, size := range []int{100 << 10, 3 << 20} {
		st, err := v.Put(context.Background(), bytes.NewReader(pdfOf(t, size)), 5<<20)
		if err != nil {
			t.Fatal(err)
		}
		if n := testkit.ResidentPages(t, testkit.ObjectPath(dir, st.Object)); n != 0 {
			t.Errorf("%d bytes: %d pages of the object still cached after Put, want none", size, n)
		}
	}
}

// BenchmarkVaultPut stores a 25 MB PDF as an upload does, scan excluded: SHA-256, a new data key,
// AES-256-GCM sealing, the directory store (fsync at commit) and the type check that reads it back.
// Run with -cpu 1: the figure is one core's.
func BenchmarkVaultPut(b *testing.B) {
	v, _, _ := testkit.NewVault(b)
	content := pdfOf(b, 25<<20)
	ctx := context.Background()
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := v.Put(ctx, bytes.NewReader(content), 30<<20)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := v.Delete(ctx, st.Object); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkVaultPutConcurrent stores 1 MB files as fifty portal submissions at once do (each file
// different, kept in memory for its check, committed with fsync), and reports the CPU a file took
// (user and system, the whole process) beside the wall time.
func BenchmarkVaultPutConcurrent(b *testing.B) {
	v, _, _ := testkit.NewVault(b)
	const size = 1 << 20
	content := pdfOf(b, size)
	ctx := context.Background()
	b.SetBytes(size)
	b.SetParallelism(25) // 50 goroutines on two cores
	cpu0 := testkit.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			st, err := v.Put(ctx, bytes.NewReader(content), 5<<20)
			if err != nil {
				b.Error(err)
				return
			}
			if err := v.Delete(ctx, st.Object); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((testkit.ProcessCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
