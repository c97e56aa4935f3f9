// Package jobs runs Otklik's durable background work: jobs stored in the database (enqueued in the
// same transaction as the change that causes them), claimed by one worker at a time on any node,
// retried with exponential backoff, and visible to administrators.
//
// A handler has two parts. Run does work outside the database (sending mail, calling an agency); after
// a crash it may run again for the same job, so it must be safe to repeat (mail carries a stable
// Message-ID for that). Commit makes the job's database changes in the very transaction that marks
// the job done, so those happen exactly once: if the worker dies, or its lease ends and another worker
// takes the job over, the transaction does not commit.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// Handler does the work of one kind of job.
type Handler struct {
	// Run does the job's work outside the database, if any. It may run more than once for a job.
	Run func(ctx context.Context, j *otklik.Job) error
	// Commit, if set, makes the job's database changes in the transaction that marks it done.
	Commit func(ctx context.Context, tx otklik.Tx, j *otklik.Job) error
	// Timeout bounds one run (default: the runner's lease minus a margin).
	Timeout time.Duration
}

// Permanent wraps an error after which retrying is pointless: the job fails at once.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Options configure a Runner.
type Options struct {
	Store otklik.Store
	// Worker names this node's workers in the jobs table (default: hostname and process ID).
	Worker string
	// Concurrency is how many jobs run at once on this node (default 16).
	Concurrency int
	// Poll is how often the runner looks for due jobs when nobody pokes it (default 1 s).
	Poll time.Duration
	// Lease is how long a claim lasts; a job still running after it may be claimed by another worker
	// (default 5 min).
	Lease time.Duration
	// Backoff is the first retry delay; each further attempt doubles it, with jitter, up to an hour
	// (default 5 s).
	Backoff time.Duration
	// Retention is how long finished jobs stay visible before they are purged (default 7 days).
	Retention time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// Runner claims and runs jobs until its context ends.
type Runner struct {
	o        Options
	handlers map[string]Handler
	poke     chan struct{}
	log      *slog.Logger
}

// New returns a Runner; register handlers before Run.
func New(o Options) *Runner {
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Backoff <= 0 {
		o.Backoff = 5 * time.Second
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Worker == "" {
		host, _ := os.Hostname()
		o.Worker = host + ":" + strconv.Itoa(os.Getpid())
	}
	return &Runner{o: o, handlers: map[string]Handler{}, poke: make(chan struct{}, 1), log: o.Logger}
}

// Reclaim queues the jobs that worker claimed (every claimed job, when worker is "") again, due now
// instead of at their lease's end, and returns how many: for a node that knows those runs died with
// their process — on SQLite, whose database one `otklik serve` serves, every claim left when it
// starts; with a name of its own (--node), its own claims from before a restart. Their attempts stay
// counted.
func (r *Runner) Reclaim(ctx context.Context, worker string) (int64, error) {
	var n int64
	err := r.o.Store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		n, err = tx.ReleaseClaims(ctx, worker)
		return err
	})
	return n, err
}

// Register sets the handler of a kind of job.
func (r *Runner) Register(kind string, h Handler) { r.handlers[kind] = h }

// Poke makes the runner look for due jobs now (after this node enqueued one).
func (r *Runner) Poke() {
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

// Run claims due jobs and runs them, up to Concurrency at once, until ctx ends; then it waits for the
// jobs in progress to finish (their contexts are not cancelled: a job stopped halfway would only be
// run again) up to the lease. While jobs are plentiful it claims them a quarter of Concurrency at a
// time or more, so that claiming costs few transactions.
func (r *Runner) Run(ctx context.Context) error {
	var (
		wg       sync.WaitGroup
		inflight atomic.Int64
		freed    = make(chan struct{}, 1)
	)
	defer wg.Wait()
	minClaim := int64(max(1, r.o.Concurrency/4))
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-purge.C:
			r.purge(ctx)
			continue
		case <-timer.C:
		case <-r.poke:
		}
		for ctx.Err() == nil {
			free := int64(r.o.Concurrency) - inflight.Load()
			if free < minClaim {
				select {
				case <-freed:
				case <-ctx.Done():
					return nil
				}
				continue
			}
			claimed, err := r.claim(ctx, int(free))
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("claiming jobs failed", "error", err)
				}
				break
			}
			for _, j := range claimed {
				inflight.Add(1)
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.runOne(context.WithoutCancel(ctx), j)
					inflight.Add(-1)
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
			if int64(len(claimed)) < free {
				break // nothing more is due now
			}
		}
		timer.Reset(r.o.Poll)
	}
}

func (r *Runner) claim(ctx context.Context, n int) ([]*otklik.Job, error) {
	var claimed []*otklik.Job
	err := r.o.Store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		claimed, err = tx.ClaimJobs(ctx, r.o.Worker, n, r.o.Lease)
		return err
	})
	return claimed, err
}

// runOne runs a claimed job and records its outcome.
func (r *Runner) runOne(ctx context.Context, j *otklik.Job) {
	log := r.log.With(slog.Group("job", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts))
	h, ok := r.handlers[j.Kind]
	var err error
	switch {
	case !ok:
		err = Permanent(fmt.Errorf("no handler for job kind %q on this node", j.Kind))
	case j.Attempts > j.MaxAttempts:
		err = Permanent(fmt.Errorf("claimed %d times without finishing (the workers running it stopped)", j.Attempts-1))
	default:
		err = r.run(ctx, h, j)
	}
	if err == nil {
		err = r.finish(ctx, h, j)
		if err == nil {
			log.Debug("job done")
			return
		}
		if otklik.IsCode(err, otklik.ECONFLICT) && isClaimLost(err) {
			log.Warn("job's claim was lost before it finished; another worker runs it", "error", err)
			return
		}
	}
	o := otklik.JobOutcome{Status: otklik.JobQueued, LastError: truncate(err.Error(), 2000)}
	var perm permanentError
	if errors.As(err, &perm) || j.Attempts >= j.MaxAttempts {
		o.Status = otklik.JobFailed
		log.Error("job failed", "error", err)
	} else {
		o.RetryAt = r.o.Now().Add(r.backoff(j.Attempts))
		log.Warn("job will be retried", "error", err, "retry_at", o.RetryAt)
	}
	if ferr := r.o.Store.Write(ctx, func(tx otklik.Tx) error { return tx.FinishJob(ctx, j, o) }); ferr != nil {
		log.Warn("recording the job's outcome failed; its lease will end and it runs again", "error", ferr)
	}
}

// run calls the handler's Run with a timeout, recovering from panics.
func (r *Runner) run(ctx context.Context, h Handler, j *otklik.Job) (err error) {
	if h.Run == nil {
		return nil
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = r.o.Lease * 9 / 10
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h.Run(ctx, j)
}

// finish marks the job done together with its Commit changes.
func (r *Runner) finish(ctx context.Context, h Handler, j *otklik.Job) error {
	return r.o.Store.Write(ctx, func(tx otklik.Tx) error {
		if h.Commit != nil {
			if err := h.Commit(ctx, tx, j); err != nil {
				return err
			}
		}
		return tx.FinishJob(ctx, j, otklik.JobOutcome{Status: otklik.JobDone})
	})
}

func isClaimLost(err error) bool {
	var e *otklik.Error
	return errors.As(err, &e) && e.Key == "job.claim_lost"
}

// backoff is the delay before retry number attempt: Backoff·2^(attempt−1) ± 20 %, at most an hour.
func (r *Runner) backoff(attempt int) time.Duration {
	d := r.o.Backoff << min(attempt-1, 20)
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

func (r *Runner) purge(ctx context.Context) {
	var n int64
	err := r.o.Store.Write(ctx, func(tx otklik.Tx) error {
		var err error
		n, err = tx.PurgeJobs(ctx, r.o.Now().Add(-r.o.Retention))
		return err
	})
	if err != nil {
		r.log.Warn("purging finished jobs failed", "error", err)
	} else if n > 0 {
		r.log.Info("purged finished jobs", "count", n)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
