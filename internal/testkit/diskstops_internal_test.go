package testkit

import (
	"os"
	"testing"
	"time"
)

// TestDiskWatchStopped: the time stopped within a span counts overlapping stops (a disk and its
// partition stop together) once and only what falls inside the span.
func TestDiskWatchStopped(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	w := &DiskWatch{stops: []DiskStop{ // in the order they ended
		{Device: "vda1", Start: ms(50), End: ms(150)},
		{Device: "vda", Start: ms(0), End: ms(160)},
		{Device: "vda", Start: ms(300), End: ms(400)},
	}}
	for _, c := range []struct {
		from, to int
		want     time.Duration
	}{
		{0, 1000, 260 * time.Millisecond},
		{120, 350, 90 * time.Millisecond},
		{170, 290, 0},
		{350, 360, 10 * time.Millisecond},
	} {
		if got := w.Stopped(ms(c.from), ms(c.to)); got != c.want {
			t.Errorf("Stopped(%d ms, %d ms) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	var none *DiskWatch // where /proc/diskstats cannot be read
	if none.Stopped(ms(0), ms(1000)) != 0 {
		t.Error("a nil watch reports stops")
	}
	none.Stop()
}

// TestDiskWatchObserve: a stop begins at the last sample that saw the disk complete something and
// ends at the first that does again; a busy disk that completes requests, or an idle one, is not
// stopped.
func TestDiskWatchObserve(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC)
	w := &DiskWatch{}
	open := map[string]time.Time{}
	samples := []map[string]diskSample{
		{"vda": {done: 10}, "vdb": {done: 5, inFlight: 4}},
		{"vda": {done: 10, inFlight: 2}, "vdb": {done: 9, inFlight: 4}},  // vda stops; vdb busy, completing
		{"vda": {done: 10, inFlight: 3}, "vdb": {done: 12, inFlight: 1}}, // vda still
		{"vda": {done: 13, inFlight: 0}, "vdb": {done: 12, inFlight: 0}}, // vda completes; vdb idle
		{"vda": {done: 13, inFlight: 0}, "vdb": {done: 12, inFlight: 0}},
	}
	for i := 1; i < len(samples); i++ {
		w.observe(open, samples[i-1], samples[i], t0.Add(time.Duration(i-1)*10*time.Millisecond), t0.Add(time.Duration(i)*10*time.Millisecond))
	}
	want := DiskStop{Device: "vda", Start: t0, End: t0.Add(30 * time.Millisecond)}
	if len(w.stops) != 1 || w.stops[0] != want || len(open) != 0 {
		t.Errorf("stops %v (still open %v), want only %v", w.stops, open, want)
	}
}

// TestReadDiskStats: on Linux every block device is read, with its counters.
func TestReadDiskStats(t *testing.T) {
	if _, err := os.Stat("/proc/diskstats"); err != nil {
		t.Skip("no /proc/diskstats: not Linux")
	}
	got, err := readDiskStats()
	if err != nil || len(got) == 0 {
		t.Fatalf("readDiskStats: %d devices, %v", len(got), err)
	}
	var done uint64
	for _, s := range got {
		done += s.done
	}
	if done == 0 {
		t.Errorf("no request ever completed on %d devices: %v", len(got), got)
	}
	w := WatchDisks(time.Millisecond)
	if w == nil {
		t.Fatal("WatchDisks: nil on Linux")
	}
	time.Sleep(20 * time.Millisecond)
	w.Stop()
	w.Stop() // twice is harmless
}
