package service_test

import (
	"cmp"
	"context"
	"log/slog"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/demo"
	"github.com/otklik/otklik/internal/demo/content"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// BenchmarkRecomputeAfterCalendarChange fills a database with OTKLIK_BENCH_TICKETS realistic open
// tickets (default 20,000) registered over the last day, then, each iteration, makes a day a
// holiday (or a working day again) and runs the recompute job the change queued to the end, while a
// client keeps registering tickets (each a citizen's request from the demo's generator, as long as
// a real one: the search index's work for it is part of a registration's wait). "tomorrow" changes
// Tuesday 24 November 2026: every open ticket's deadline moves across that day, so each iteration
// recomputes and rewrites them all (the worst case). "next-month" changes 24 December 2026, past
// every deadline: the job reads only the tickets that could move and changes none. "idle" is the
// control: no change and no job, the same intake for as long as this process's last "tomorrow" pass
// took (2 s if none ran), so that a run of tomorrow and idle together tells the recomputation's share
// of the intake's waits from the machine's own. Reported: open tickets a second (not for idle), and
// the longest a registration waited meanwhile (the intake's pause), its p99 and how many waited over
// 50 ms; how long this process's goroutines waited for a thread (sched-p99-ms: the upper bound of the
// Go scheduler's histogram bucket that holds the 99th percentile; sched-max-ms: the lower bound of
// the highest one used), which tells a registration slowed in Go from one slowed in the database; and
// the Go heap's objects after a collection before a pass and at most during one, read after each
// registration (heap-start-MB, heap-max-MB).
// Engines: SQLite, and PostgreSQL with OTKLIK_TEST_POSTGRES. With OTKLIK_BENCH_DB naming a file,
// the SQLite database is kept there, and with OTKLIK_BENCH_PG_DB naming a PostgreSQL database URL
// (an existing database, migrated on open) the PostgreSQL one is; a kept database is filled only
// when it has no tickets, and each run leaves its calendar as it found it (an even -benchtime).
// OTKLIK_BENCH_SQLITE_SYNC=full opens a kept SQLite database as otklik serve does by default, every
// commit synced to the disk (normal otherwise, as the tests). OTKLIK_BENCH_PG_BULK sets a kept
// PostgreSQL store's bulk writers, the recomputation's transactions at once (otklik serve
// --db-bulk-writers). OTKLIK_BENCH_SLOW_MS=n logs every registration that waited over n ms with its
// start (Unix time in microseconds), its length and how long the disk was stopped meanwhile.
// On Linux the disks are watched meanwhile (testkit.WatchDisks): of the registrations over 50 ms,
// intake-over-50ms-disk is how many were within it but for the time a disk had requests in flight and
// completed none; intake-beyond-disk-max-ms is the longest a registration waited beyond such stops.
// On SQLite, where this process writes the database itself, written-MB is what it wrote an iteration
// (a pass, or idle's window: the checkpointer finishing the pass before): the WAL's frames and the
// checkpoints' pages, as /proc/self/io counts the bytes of its write calls.
func BenchmarkRecomputeAfterCalendarChange(b *testing.B) {
	n := 20_000
	slowLog := time.Hour // OTKLIK_BENCH_SLOW_MS: log registrations over it
	if v, err := strconv.Atoi(os.Getenv("OTKLIK_BENCH_SLOW_MS")); err == nil && v > 0 {
		slowLog = time.Duration(v) * time.Millisecond
	}
	if v, err := strconv.Atoi(os.Getenv("OTKLIK_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	testkit.BenchEachEngine(b, func(b *testing.B, engine string) {
		// As otklik serve runs SQLite: with store.SQLiteProcs processors unless GOMAXPROCS is set.
		if prev := store.EnsureSQLiteProcs(engine, os.Getenv("GOMAXPROCS")); prev != 0 {
			defer runtime.GOMAXPROCS(prev)
		}
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // Monday, 15:00 Moscow
		clock := func() time.Time { return now }
		var st *store.Store
		fill := n
		kept := map[string]string{"sqlite": os.Getenv("OTKLIK_BENCH_DB"), "postgres": os.Getenv("OTKLIK_BENCH_PG_DB")}[engine]
		openKept := func() *store.Store {
			bulk, _ := strconv.Atoi(os.Getenv("OTKLIK_BENCH_PG_BULK")) // otklik serve --db-bulk-writers
			// SQLite's durability: normal (the tests' and the fill's) unless OTKLIK_BENCH_SQLITE_SYNC says
			// full, otklik serve's default, which syncs every commit to the disk.
			durability := cmp.Or(os.Getenv("OTKLIK_BENCH_SQLITE_SYNC"), "normal")
			st, err := store.Open(context.Background(), store.Options{URL: kept, Synchronous: durability, BulkWriters: bulk, Now: clock})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return st
		}
		if kept != "" {
			st = openKept()
			if have, err := st.CountTickets(context.Background()); err != nil {
				b.Fatal(err)
			} else if have > 0 {
				fill = 0 // filled by an earlier run
			}
		} else {
			st = testkit.MustOpenStoreEngine(b, engine, clock)
		}
		svc := service.New(service.Options{Store: st, Now: clock, Logger: slog.New(slog.DiscardHandler)})
		ctx := context.Background()
		if fill > 0 {
			if _, err := demo.Fill(ctx, svc, demo.FillOptions{Tickets: fill, Batch: 1000, Workers: 2, Seed: 7, Days: 1, Now: clock, Open: true}); err != nil {
				b.Fatal(err)
			}
			if kept != "" && engine == "sqlite" {
				// Measured on the database at rest, as after a restart: closing checkpoints the
				// fill's gigabytes of WAL, which the first run would otherwise write back meanwhile.
				if err := st.Close(); err != nil {
					b.Fatal(err)
				}
				st = openKept()
				svc = service.New(service.Options{Store: st, Now: clock, Logger: slog.New(slog.DiscardHandler)})
			}
		}
		open := len(allOpen(b, st))
		// A server's write connections have registered tickets before: the first registration on each
		// prepares its statements (a few milliseconds of planning on PostgreSQL), which is no part of
		// a recomputation's cost but would fall on the first registration measured. A few at once
		// reach every request writer.
		var warm sync.WaitGroup
		for k := range 4 {
			warm.Go(func() {
				if _, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
					Subject: "Не приходит код подтверждения", Body: "Не приходит код подтверждения при входе.",
					Requester: service.RequesterInput{Email: "bench-warm-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.Itoa(k) + "@example.ru"}}); err != nil {
					b.Error(err)
				}
			})
		}
		warm.Wait()
		admin := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Администратор", Channel: otklik.ChannelAPI}
		holiday := map[string]bool{} // the benchmark's days that are holidays now
		cals, err := st.Calendars(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cals {
			for _, o := range c.Overrides {
				if c.Name == "office" && o.Kind == "holiday" {
					holiday[o.Day] = true
				}
			}
		}
		window := 2 * time.Second // idle's length: the last tomorrow pass's
		for _, sc := range []struct{ name, day string }{{"tomorrow", "2026-11-24"}, {"next-month", "2026-12-24"}, {"idle", ""}} {
			b.Run(sc.name, func(b *testing.B) {
				var waits []time.Duration     // every registration's, written by the intake goroutine only
				var heapStart, heapMax uint64 // the heap's objects after a collection before a pass, and during passes
				type span struct {
					start time.Time
					wait  time.Duration
				}
				var slow []span // registrations over 20 ms (or slowLog), written by the intake goroutine only
				disks := testkit.WatchDisks(10 * time.Millisecond)
				defer disks.Stop()
				sched0 := schedLatencies()
				written0, countsWrites := writtenBytes()
				b.ResetTimer()
				for i := range b.N {
					b.StopTimer()
					var payload string
					if sc.day != "" {
						payload = queueRecompute(b, svc, st, admin, holiday, sc.day)
					}
					runtime.GC() // each pass starts from the live heap, not the garbage of the last one or of the count
					heapStart = max(heapStart, heapObjects())
					stop := make(chan struct{})
					var wg sync.WaitGroup
					wg.Add(1)
					go func() { // intake goes on meanwhile: citizens' requests as the demo writes them
						defer wg.Done()
						g := content.NewGenerator(uint64(time.Now().UnixNano()))
						for k := 0; ; k++ {
							select {
							case <-stop:
								return
							default:
							}
							r := g.Request()
							t0 := time.Now()
							_, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
								Subject: r.Subject, Body: r.Body,
								Requester: service.RequesterInput{Email: "bench-" + sc.name + strconv.Itoa(i) + "-" + strconv.Itoa(len(holiday)) + "-" + strconv.Itoa(k) + "@example.ru"}})
							if err != nil {
								b.Error(err)
								return
							}
							wait := time.Since(t0)
							if wait > min(20*time.Millisecond, slowLog) {
								slow = append(slow, span{t0, wait})
							}
							waits = append(waits, wait)
							heapMax = max(heapMax, heapObjects())
							time.Sleep(2 * time.Millisecond)
						}
					}()
					b.StartTimer()
					t0 := time.Now()
					if sc.day == "" {
						time.Sleep(window)
					} else if err := svc.RecomputeDeadlines(ctx, payload); err != nil {
						b.Fatal(err)
					}
					if sc.name == "tomorrow" {
						window = time.Since(t0)
					}
					b.StopTimer()
					close(stop)
					wg.Wait()
					b.StartTimer()
				}
				if sc.day != "" {
					b.ReportMetric(float64(open)*float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
					b.ReportMetric(float64(open), "open")
				}
				slices.Sort(waits)
				over := len(waits) - sort.Search(len(waits), func(i int) bool { return waits[i] > 50*time.Millisecond })
				if len(waits) > 0 {
					b.ReportMetric(float64(waits[len(waits)-1])/1e6, "intake-max-ms")
					b.ReportMetric(float64(waits[len(waits)*99/100])/1e6, "intake-p99-ms")
				}
				b.ReportMetric(float64(over), "intake-over-50ms")
				disks.Stop()
				for _, sp := range slow {
					if sp.wait > slowLog {
						b.Logf("slow registration: start %d µs, %.1f ms, the disk stopped for %.1f ms of it",
							sp.start.UnixMicro(), float64(sp.wait)/1e6, float64(disks.Stopped(sp.start, sp.start.Add(sp.wait)))/1e6)
					}
				}
				if disks != nil {
					// What the disk's stops explain: a registration over 50 ms that would have been
					// within it but for the time the disk was stopped meanwhile, and the longest any
					// registration waited beyond such stops.
					var held int
					var beyond time.Duration
					for _, w := range waits {
						if w <= 20*time.Millisecond {
							beyond = max(beyond, w)
						}
					}
					for _, sp := range slow {
						stopped := disks.Stopped(sp.start, sp.start.Add(sp.wait))
						beyond = max(beyond, sp.wait-stopped)
						if sp.wait > 50*time.Millisecond && sp.wait-stopped <= 50*time.Millisecond {
							held++
						}
					}
					b.ReportMetric(float64(held), "intake-over-50ms-disk")
					b.ReportMetric(float64(beyond)/1e6, "intake-beyond-disk-max-ms")
				}
				if written, ok := writtenBytes(); ok && countsWrites && engine == "sqlite" {
					b.ReportMetric(float64(written-written0)/float64(b.N)/(1<<20), "written-MB")
				}
				p99, most := schedLatencies().since(sched0)
				b.ReportMetric(p99*1e3, "sched-p99-ms")
				b.ReportMetric(most*1e3, "sched-max-ms")
				b.ReportMetric(float64(len(waits)), "registrations")
				b.ReportMetric(float64(heapStart)/(1<<20), "heap-start-MB")
				b.ReportMetric(float64(heapMax)/(1<<20), "heap-max-MB")
			})
		}
	})
}

// queueRecompute makes day a holiday in the office calendar, or a working day again if the benchmark
// made it one before (holiday says which), and returns the payload of the recompute job that queued.
func queueRecompute(b *testing.B, svc *service.Service, st *store.Store, admin otklik.Actor, holiday map[string]bool, day string) string {
	ctx := context.Background()
	var err error
	if holiday[day] = !holiday[day]; holiday[day] { // alternates, across runs too
		err = svc.PutCalendarOverride(ctx, admin, "office", otklik.CalendarOverride{Day: day, Kind: "holiday"})
	} else {
		err = svc.DeleteCalendarOverride(ctx, admin, "office", day)
	}
	if err != nil {
		b.Fatal(err)
	}
	jobs, err := st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA})
	if err != nil || len(jobs) == 0 {
		b.Fatal("no recompute job queued", err)
	}
	newest := jobs[0]
	for _, j := range jobs {
		if j.ID > newest.ID {
			newest = j
		}
	}
	return newest.Payload
}

// writtenBytes is how many bytes this process has passed to write calls (wchar in /proc/self/io, on
// Linux; false elsewhere).
func writtenBytes() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "wchar:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// heapObjects is the bytes of the heap's objects, live or not yet collected.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// schedHist is the Go scheduler's histogram of how long goroutines waited, runnable, for a thread.
type schedHist struct {
	counts  []uint64
	buckets []float64
}

func schedLatencies() schedHist {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	h := s[0].Value.Float64Histogram()
	return schedHist{slices.Clone(h.Counts), h.Buckets}
}

// since returns, of the waits since h0, the upper bound of the bucket that holds the 99th percentile
// and the lower bound of the highest bucket used.
func (h schedHist) since(h0 schedHist) (p99, most float64) {
	var total uint64
	d := make([]uint64, len(h.counts))
	for i := range h.counts {
		d[i] = h.counts[i] - h0.counts[i]
		total += d[i]
	}
	var run uint64
	for i, c := range d {
		run += c
		if p99 == 0 && run*100 >= total*99 {
			p99 = h.buckets[i+1]
		}
		if c > 0 {
			most = h.buckets[i]
		}
	}
	return p99, most
}
