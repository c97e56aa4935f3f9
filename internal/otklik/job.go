package otklik

import (
	"context"
	"time"
)

// JobStatus is where a background job is.
type JobStatus string

// Job statuses.
const (
	JobQueued  JobStatus = "queued"  // waiting for its time (RunAt)
	JobRunning JobStatus = "running" // claimed by a worker until RunAt (its lease)
	JobDone    JobStatus = "done"
	JobFailed  JobStatus = "failed" // gave up; LastError says why; an administrator may retry it
)

// JobStatuses lists every job status.
var JobStatuses = []JobStatus{JobQueued, JobRunning, JobDone, JobFailed}

// Job is a durable piece of background work: stored in the database, enqueued in the same
// transaction as the change that causes it, claimed by one worker at a time, retried with backoff.
//
// A claimed job is "running" until RunAt, its lease; a worker that dies leaves it to be claimed again
// when the lease ends. Attempts counts claims and doubles as a fencing token: only the worker holding
// the latest claim can finish the job.
type Job struct {
	ID          int64
	Kind        string
	Payload     string // JSON
	Status      JobStatus
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LockedBy    string
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// JobOutcome is how a claimed job ends its run.
type JobOutcome struct {
	Status    JobStatus // JobDone, JobQueued (retry at RetryAt) or JobFailed
	RetryAt   time.Time
	LastError string
}

// JobTx enqueues, claims and finishes jobs inside a write transaction.
type JobTx interface {
	// EnqueueJob stores a new queued job and sets its ID.
	EnqueueJob(ctx context.Context, j *Job) error
	// ClaimJobs marks up to n due jobs (queued, or running with an ended lease) as running for worker
	// until now+lease, and returns them. No two transactions can claim one job.
	ClaimJobs(ctx context.Context, worker string, n int, lease time.Duration) ([]*Job, error)
	// FinishJob records the outcome of j's current claim; ECONFLICT when the claim was lost (the lease
	// ended and another worker claimed the job).
	FinishJob(ctx context.Context, j *Job, o JobOutcome) error
	// RetryJob queues a failed job again now; ENOTFOUND if there is no failed job with that ID.
	RetryJob(ctx context.Context, id int64) error
	// PurgeJobs removes finished (done) jobs last updated before t and returns how many.
	PurgeJobs(ctx context.Context, before time.Time) (int64, error)
	// ReleaseClaims makes the running jobs claimed by worker (by any worker when worker is "") queued
	// and due now, for a node that knows those workers are gone, and returns how many. Their attempts
	// stay counted.
	ReleaseClaims(ctx context.Context, worker string) (int64, error)
}

// JobFilter selects jobs for administrators.
type JobFilter struct {
	Statuses []JobStatus
	Kind     string
	AfterID  int64 // newest first; continue below this ID
	Limit    int
}

// JobReader reads jobs for administrators.
type JobReader interface {
	Jobs(ctx context.Context, f JobFilter) ([]*Job, error)
	JobCounts(ctx context.Context) (map[JobStatus]int64, error)
}
