package testkit

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DiskWatch samples the kernel's disk statistics (/proc/diskstats, Linux) every few milliseconds and
// keeps the stops of the disks: stretches in which a disk had requests in flight and completed none —
// no read, write, discard or flush. Nothing above the disk waits that way by its own doing: whatever
// waited for the disk then waited for the disk (though a virtual disk may be making durable what was
// written seconds before). Benchmarks use it to tell a request slowed by the disk from one slowed by
// the work they measure.
type DiskWatch struct {
	every time.Duration
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup

	mu    sync.Mutex
	stops []DiskStop
}

// DiskStop is one stop of one disk: from the last sample that saw it complete something to the first
// that did again.
type DiskStop struct {
	Device     string
	Start, End time.Time
}

// WatchDisks starts sampling every interval; it returns nil where /proc/diskstats cannot be read.
func WatchDisks(every time.Duration) *DiskWatch {
	first, err := readDiskStats()
	if err != nil {
		return nil
	}
	w := &DiskWatch{every: every, done: make(chan struct{})}
	w.wg.Add(1)
	go w.run(first)
	return w
}

// Stop ends the sampling; the stops seen stay readable.
func (w *DiskWatch) Stop() {
	if w == nil {
		return
	}
	w.once.Do(func() { close(w.done) })
	w.wg.Wait()
}

// Stopped returns how long, within [from, to], some disk was stopped (stops of several disks at
// once counted once).
func (w *DiskWatch) Stopped(from, to time.Time) time.Duration {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	stops := slices.Clone(w.stops)
	w.mu.Unlock()
	slices.SortFunc(stops, func(a, b DiskStop) int { return a.Start.Compare(b.Start) })
	var total time.Duration
	covered := from
	for _, s := range stops {
		start, end := s.Start, s.End
		if start.Before(covered) {
			start = covered
		}
		if end.After(to) {
			end = to
		}
		if end.After(start) {
			total += end.Sub(start)
			covered = end
		}
	}
	return total
}

type diskSample struct {
	done     uint64 // requests completed: reads, writes, discards, flushes
	inFlight uint64
}

func (w *DiskWatch) run(prev map[string]diskSample) {
	defer w.wg.Done()
	t := time.NewTicker(w.every)
	defer t.Stop()
	last := time.Now()
	open := map[string]time.Time{} // devices stopped since
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		}
		now := time.Now()
		cur, err := readDiskStats()
		if err != nil {
			return
		}
		w.observe(open, prev, cur, last, now)
		prev, last = cur, now
	}
}

// observe compares two samples taken at last and now: a device with requests in flight now that
// completed none since last is stopped since last (open holds the stops still going); one that
// completed something, or has nothing in flight, ends its stop now.
func (w *DiskWatch) observe(open map[string]time.Time, prev, cur map[string]diskSample, last, now time.Time) {
	for dev, c := range cur {
		p, ok := prev[dev]
		stopped := ok && c.inFlight > 0 && c.done == p.done
		since, opened := open[dev]
		switch {
		case stopped && !opened:
			open[dev] = last
		case !stopped && opened:
			delete(open, dev)
			w.mu.Lock()
			w.stops = append(w.stops, DiskStop{Device: dev, Start: since, End: now})
			w.mu.Unlock()
		}
	}
}

// readDiskStats reads each device's completed requests and requests in flight (the kernel's
// Documentation/admin-guide/iostats.rst: fields 1, 5, 9, 12 and 16 after the name completed, 9 in
// flight; the last two are missing on kernels before 4.18 and 5.5).
func readDiskStats() (map[string]diskSample, error) {
	raw, err := os.ReadFile("/proc/diskstats")
	if err != nil {
		return nil, err
	}
	out := map[string]diskSample{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 14 {
			continue
		}
		num := func(i int) uint64 {
			if i >= len(f) {
				return 0
			}
			n, _ := strconv.ParseUint(string(f[i]), 10, 64)
			return n
		}
		// f[0], f[1]: major and minor; f[2]: the name; the statistics from f[3].
		s := diskSample{done: num(3) + num(7) + num(14) + num(18), inFlight: num(11)}
		out[string(f[2])] = s
	}
	return out, sc.Err()
}
