package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

func enqueue(t *testing.T, st otklik.Store, kind string, n int, runAt time.Time) []int64 {
	t.Helper()
	var ids []int64
	err := st.Write(context.Background(), func(tx otklik.Tx) error {
		for i := 0; i < n; i++ {
			j := &otklik.Job{Kind: kind, Payload: fmt.Sprintf(`{"i":%d}`, i), RunAt: runAt, MaxAttempts: 3}
			if err := tx.EnqueueJob(context.Background(), j); err != nil {
				return err
			}
			ids = append(ids, j.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// waitCounts polls until pred holds for the job counts, or fails after a timeout.
func waitCounts(t *testing.T, st otklik.Store, pred func(map[otklik.JobStatus]int64) bool) map[otklik.JobStatus]int64 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := st.JobCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if pred(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("job counts stuck at %v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoRunnersRunEveryJobOnce runs two runners — two nodes — over one store: every job runs
// exactly once.
func TestTwoRunnersRunEveryJobOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		st := testkit.MustOpenStoreEngine(t, engine, time.Now)
		var mu sync.Mutex
		runs := map[string]int{}
		h := jobs.Handler{Run: func(ctx context.Context, j *otklik.Job) error {
			mu.Lock()
			runs[j.Payload]++
			mu.Unlock()
			return nil
		}}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			r := jobs.New(jobs.Options{Store: st, Worker: fmt.Sprintf("node-%d", i), Concurrency: 8, Poll: 20 * time.Millisecond})
			r.Register("count", h)
			wg.Add(1)
			go func() { defer wg.Done(); _ = r.Run(ctx) }()
		}
		enqueue(t, st, "count", 500, time.Time{})
		waitCounts(t, st, func(c map[otklik.JobStatus]int64) bool { return c[otklik.JobDone] == 500 })
		cancel()
		wg.Wait()
		if len(runs) != 500 {
			t.Fatalf("%d distinct jobs ran, want 500", len(runs))
		}
		for p, n := range runs {
			if n != 1 {
				t.Errorf("job %s ran %d times", p, n)
			}
		}
	})
}

// TestRetriesThenFails: a job that fails twice succeeds on the third attempt; one that always fails
// ends failed with its error after MaxAttempts; a permanent error fails at once; an unknown kind fails.
func TestRetriesThenFails(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		st := testkit.MustOpenStoreEngine(t, engine, time.Now)
		var mu sync.Mutex
		tries := map[string]int{}
		r := jobs.New(jobs.Options{Store: st, Concurrency: 4, Poll: 10 * time.Millisecond, Backoff: time.Millisecond})
		r.Register("flaky", jobs.Handler{Run: func(ctx context.Context, j *otklik.Job) error {
			mu.Lock()
			defer mu.Unlock()
			tries[j.Payload]++
			if tries[j.Payload] < 3 {
				return errors.New("relay refused")
			}
			return nil
		}})
		r.Register("broken", jobs.Handler{Run: func(ctx context.Context, j *otklik.Job) error { return errors.New("always broken") }})
		r.Register("permanent", jobs.Handler{Run: func(ctx context.Context, j *otklik.Job) error {
			return jobs.Permanent(errors.New("address does not exist"))
		}})
		r.Register("panics", jobs.Handler{Run: func(ctx context.Context, j *otklik.Job) error { panic("bug") }})
		enqueue(t, st, "flaky", 1, time.Time{})
		enqueue(t, st, "broken", 1, time.Time{})
		enqueue(t, st, "permanent", 1, time.Time{})
		enqueue(t, st, "panics", 1, time.Time{})
		enqueue(t, st, "unknown", 1, time.Time{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = r.Run(ctx); close(done) }()
		waitCounts(t, st, func(c map[otklik.JobStatus]int64) bool { return c[otklik.JobDone] == 1 && c[otklik.JobFailed] == 4 })
		cancel()
		<-done
		failed, err := st.Jobs(context.Background(), otklik.JobFilter{Statuses: []otklik.JobStatus{otklik.JobFailed}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			attempts int
			err      string
		}{"broken": {3, "always broken"}, "permanent": {1, "address does not exist"}, "panics": {3, "panic: bug"}, "unknown": {1, "no handler"}}
		for _, j := range failed {
			w := want[j.Kind]
			if j.Attempts != w.attempts || !strings.Contains(j.LastError, w.err) {
				t.Errorf("%s: %d attempts, error %q; want %d, %q", j.Kind, j.Attempts, j.LastError, w.attempts, w.err)
			}
		}
		if tries[`{"i":0}`] != 3 {
			t.Errorf("flaky ran %d times, want 3", tries[`{"i":0}`])
		}
		// An administrator retries a failed job.
		if err := st.Write(context.Background(), func(tx otklik.Tx) error { return tx.RetryJob(context.Background(), failed[0].ID) }); err != nil {
			t.Fatal(err)
		}
		if c, _ := st.JobCounts(context.Background()); c[otklik.JobQueued] != 1 {
			t.Errorf("after retry: %v", c)
		}
	})
}

// TestLostClaimCannotFinish: a worker whose lease ended, and whose job another worker claimed, can no
// longer finish it (so the job's Commit changes are not made twice).
func TestLostClaimCannotFinish(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
		st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
		ctx := context.Background()
		enqueue(t, st, "slow", 1, clock.Now())
		claim := func(worker string) *otklik.Job {
			var js []*otklik.Job
			if err := st.Write(ctx, func(tx otklik.Tx) error {
				var err error
				js, err = tx.ClaimJobs(ctx, worker, 10, time.Minute)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(js) != 1 {
				t.Fatalf("%s claimed %d jobs", worker, len(js))
			}
			return js[0]
		}
		a := claim("a")
		var none []*otklik.Job
		_ = st.Write(ctx, func(tx otklik.Tx) error { none, _ = tx.ClaimJobs(ctx, "b", 10, time.Minute); return nil })
		if len(none) != 0 {
			t.Fatalf("a claimed job was claimed again within its lease")
		}
		clock.Add(2 * time.Minute)
		b := claim("b")
		if b.Attempts != 2 {
			t.Errorf("second claim is attempt %d", b.Attempts)
		}
		err := st.Write(ctx, func(tx otklik.Tx) error { return tx.FinishJob(ctx, a, otklik.JobOutcome{Status: otklik.JobDone}) })
		if !otklik.IsCode(err, otklik.ECONFLICT) {
			t.Errorf("finishing a lost claim: %v, want ECONFLICT", err)
		}
		if err := st.Write(ctx, func(tx otklik.Tx) error { return tx.FinishJob(ctx, b, otklik.JobOutcome{Status: otklik.JobDone}) }); err != nil {
			t.Errorf("finishing the current claim: %v", err)
		}
	})
}

// TestReclaim: a node that knows a claim's process is gone queues its job again at once, instead of
// at the lease's end — one worker's claims, or every claim — and the job's attempts stay counted; a
// finished or queued job is left alone, and the dead run can no longer finish it.
func TestReclaim(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
		st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
		ctx := context.Background()
		ids := enqueue(t, st, "work", 4, clock.Now())
		claim := func(worker string, n int) []*otklik.Job {
			var js []*otklik.Job
			if err := st.Write(ctx, func(tx otklik.Tx) error {
				var err error
				js, err = tx.ClaimJobs(ctx, worker, n, time.Hour)
				return err
			}); err != nil || len(js) != n {
				t.Fatalf("%s claimed %d jobs: %v", worker, len(js), err)
			}
			return js
		}
		a, b, done := claim("a", 1)[0], claim("b", 1)[0], claim("c", 1)[0]
		if err := st.Write(ctx, func(tx otklik.Tx) error { return tx.FinishJob(ctx, done, otklik.JobOutcome{Status: otklik.JobDone}) }); err != nil {
			t.Fatal(err)
		}
		status := func() map[int64]string {
			js, err := st.Jobs(ctx, otklik.JobFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			m := map[int64]string{}
			for _, j := range js {
				m[j.ID] = fmt.Sprintf("%s by %q, attempt %d", j.Status, j.LockedBy, j.Attempts)
			}
			return m
		}
		r := jobs.New(jobs.Options{Store: st, Worker: "d", Now: clock.Now})
		if n, err := r.Reclaim(ctx, "a"); err != nil || n != 1 {
			t.Fatalf("reclaiming a's claims: %d, %v", n, err)
		}
		want := map[int64]string{}
		for _, id := range ids {
			want[id] = `queued by "", attempt 0` // the one nobody claimed
		}
		want[a.ID], want[b.ID], want[done.ID] = `queued by "", attempt 1`, `running by "b", attempt 1`, `done by "c", attempt 1`
		if got := status(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after reclaiming a's claims:\n got %v\nwant %v", got, want)
		}
		if n, err := r.Reclaim(ctx, ""); err != nil || n != 1 {
			t.Fatalf("reclaiming every claim: %d, %v", n, err)
		}
		want[b.ID] = `queued by "", attempt 1`
		if got := status(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after reclaiming every claim:\n got %v\nwant %v", got, want)
		}
		// Due now, within the hour-long leases: a new claim takes all three, as second attempts where
		// they had run.
		again := claim("d", 3)
		if again[0].Attempts+again[1].Attempts+again[2].Attempts != 5 {
			t.Errorf("attempts after reclaiming: %d, %d, %d", again[0].Attempts, again[1].Attempts, again[2].Attempts)
		}
		for _, dead := range []*otklik.Job{a, b} {
			err := st.Write(ctx, func(tx otklik.Tx) error { return tx.FinishJob(ctx, dead, otklik.JobOutcome{Status: otklik.JobDone}) })
			if !otklik.IsCode(err, otklik.ECONFLICT) {
				t.Errorf("a reclaimed run finished its job: %v", err)
			}
		}
	})
}

// TestAutoClose: a resolved ticket closes by itself after the configured time, through a job, with a
// journal record; one reopened in the meantime stays open.
func TestAutoClose(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
		st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
		r := jobs.New(jobs.Options{Store: st, Poll: 10 * time.Millisecond, Now: clock.Now})
		svc := service.New(service.Options{Store: st, Now: clock.Now, AutoCloseAfter: 72 * time.Hour, JobsEnqueued: r.Poke,
			Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}})
		r.Register(service.JobAutoClose, jobs.Handler{Commit: func(ctx context.Context, tx otklik.Tx, j *otklik.Job) error {
			return svc.AutoClose(ctx, tx, j.Payload)
		}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		staff := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Оператор", Channel: otklik.ChannelAPI}
		var numbers []string
		for i := 0; i < 2; i++ {
			tk, _, err := svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: "web", Subject: "Вопрос", Body: "Текст",
				Requester: service.RequesterInput{Email: "a@example.ru"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []otklik.Status{otklik.StatusInProgress, otklik.StatusResolved} {
				if _, err := svc.ChangeStatus(ctx, staff, tk.Number, service.StatusChange{Status: s}); err != nil {
					t.Fatal(err)
				}
			}
			numbers = append(numbers, tk.Number)
		}
		clock.Add(time.Hour)
		if _, err := svc.ChangeStatus(ctx, staff, numbers[1], service.StatusChange{Status: otklik.StatusInProgress, Reason: "заявитель ответил"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(72 * time.Hour)
		r.Poke()
		waitCounts(t, st, func(c map[otklik.JobStatus]int64) bool { return c[otklik.JobDone] == 2 })
		v0, _ := svc.Ticket(ctx, numbers[0])
		v1, _ := svc.Ticket(ctx, numbers[1])
		if v0.Ticket.Status != otklik.StatusClosed || v1.Ticket.Status != otklik.StatusInProgress {
			t.Fatalf("statuses %s, %s; want closed, in_progress", v0.Ticket.Status, v1.Ticket.Status)
		}
		j, _ := svc.Journal(ctx, numbers[0])
		last := j[len(j)-1]
		if last.Actor.Type != otklik.ActorSystem || last.After != "closed" || !strings.Contains(last.Reason, "автоматически") {
			t.Errorf("closing record: %+v", last)
		}
	})
}
