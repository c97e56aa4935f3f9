package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/testkit"
)

// BenchmarkJobs measures jobs end to end: enqueued in transactions of 100 while a runner with 32
// workers claims them, runs an empty handler and marks them done. It reports jobs/s from the first
// enqueue to the last completion. Run with -benchtime=20000x (b.N is the number of jobs).
func BenchmarkJobs(b *testing.B) {
	testkit.BenchEachEngine(b, func(b *testing.B, engine string) {
		st := testkit.MustOpenStoreEngine(b, engine, time.Now)
		r := jobs.New(jobs.Options{Store: st, Concurrency: 32, Poll: 5 * time.Millisecond})
		r.Register("noop", jobs.Handler{Run: func(ctx context.Context, j *otklik.Job) error { return nil }})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		b.ResetTimer()
		start := time.Now()
		go func() { _ = r.Run(ctx); close(done) }()
		for left := b.N; left > 0; left -= 100 {
			n := min(100, left)
			if err := st.Write(ctx, func(tx otklik.Tx) error {
				for i := 0; i < n; i++ {
					if err := tx.EnqueueJob(ctx, &otklik.Job{Kind: "noop"}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			r.Poke()
		}
		for {
			c, err := st.JobCounts(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if c[otklik.JobDone] == int64(b.N) {
				break
			}
			time.Sleep(50 * time.Millisecond) // counting is not free: look rarely
		}
		el := time.Since(start)
		b.StopTimer()
		cancel()
		<-done
		b.ReportMetric(float64(b.N)/el.Seconds(), "jobs/s")
	})
}
