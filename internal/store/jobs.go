package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

func scanJob(sc scanner) (*otklik.Job, error) {
	j := &otklik.Job{}
	var runAt, created, updated dbTime
	err := sc.Scan(&j.ID, &j.Kind, &j.Payload, &j.Status, &j.Attempts, &j.MaxAttempts, &runAt, &j.LockedBy,
		&j.LastError, &created, &updated)
	j.RunAt, j.CreatedAt, j.UpdatedAt = runAt.T, created.T, updated.T
	return j, err
}

// scanJobs reads every job of a query's rows.
func scanJobs(rows *sql.Rows, err error) ([]*otklik.Job, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*otklik.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, j)
	}
	return out, translate(rows.Err())
}

// EnqueueJob stores a new queued job.
func (t *txn) EnqueueJob(ctx context.Context, j *otklik.Job) error {
	if j.Payload == "" {
		j.Payload = "{}"
	}
	if j.RunAt.IsZero() {
		j.RunAt = t.now
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = 10
	}
	j.Status, j.CreatedAt, j.UpdatedAt = otklik.JobQueued, t.now, t.now
	var err error
	j.ID, err = t.insertID(ctx, t.s.q.InsertJob, j.Kind, j.Payload, j.MaxAttempts, t.s.tv(otklik.Truncate(j.RunAt)),
		t.s.tv(t.now), t.s.tv(t.now))
	return translate(err)
}

// ClaimJobs claims up to n due jobs for worker.
func (t *txn) ClaimJobs(ctx context.Context, worker string, n int, lease time.Duration) ([]*otklik.Job, error) {
	until := otklik.Truncate(t.now.Add(lease))
	rows, err := t.ex.query(ctx, t.s.q.ClaimJobs, worker, t.s.tv(until), t.s.tv(t.now), t.s.tv(t.now), n)
	return scanJobs(rows, err)
}

// FinishJob records the outcome of the job's current claim.
func (t *txn) FinishJob(ctx context.Context, j *otklik.Job, o otklik.JobOutcome) error {
	runAt := t.now
	if o.Status == otklik.JobQueued {
		runAt = otklik.Truncate(o.RetryAt)
	}
	// A finished job keeps the name of the worker that finished it; a requeued one is nobody's.
	by := j.LockedBy
	if o.Status == otklik.JobQueued {
		by = ""
	}
	res, err := t.ex.exec(ctx, t.s.q.FinishJob, string(o.Status), t.s.tv(runAt), by, o.LastError, t.s.tv(t.now),
		j.ID, j.LockedBy, j.Attempts)
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return otklik.Errorf(otklik.ECONFLICT, "job.claim_lost", nil)
	}
	j.Status, j.RunAt, j.LockedBy, j.LastError, j.UpdatedAt = o.Status, runAt, by, o.LastError, t.now
	return nil
}

// RetryJob queues a failed job again.
func (t *txn) RetryJob(ctx context.Context, id int64) error {
	res, err := t.ex.exec(ctx, t.s.q.RetryJob, t.s.tv(t.now), t.s.tv(t.now), id)
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return otklik.NotFound("job.not_failed")
	}
	return nil
}

// PurgeJobs removes done jobs last updated before the time.
func (t *txn) PurgeJobs(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.ex.exec(ctx, t.s.q.PurgeJobs, t.s.tv(before))
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

// ReleaseClaims queues running jobs claimed by worker (by anyone when "") again, due now.
func (t *txn) ReleaseClaims(ctx context.Context, worker string) (int64, error) {
	res, err := t.ex.exec(ctx, t.s.q.ReleaseClaims, t.s.tv(t.now), t.s.tv(t.now), worker, worker)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, translate(err)
}

// Jobs lists jobs for administrators, newest first.
func (s *Store) Jobs(ctx context.Context, f otklik.JobFilter) ([]*otklik.Job, error) {
	q := s.q.JobColumns + " WHERE 1=1"
	var args []any
	if len(f.Statuses) > 0 {
		q += " AND status IN (" + placeholders(len(f.Statuses)) + ")"
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.Kind != "" {
		q += " AND kind = ?"
		args = append(args, f.Kind)
	}
	if f.AfterID > 0 {
		q += " AND id < ?"
		args = append(args, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.read.QueryContext(ctx, s.rebind(q), args...)
	return scanJobs(rows, err)
}

// JobCounts counts jobs by status.
func (s *Store) JobCounts(ctx context.Context) (map[otklik.JobStatus]int64, error) {
	rows, err := s.read.QueryContext(ctx, s.q.JobCounts)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[otklik.JobStatus]int64{}
	for _, st := range otklik.JobStatuses {
		out[st] = 0
	}
	for rows.Next() {
		var st otklik.JobStatus
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, translate(err)
		}
		out[st] = n
	}
	return out, translate(rows.Err())
}
