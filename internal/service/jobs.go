package service

import (
	"context"

	"github.com/otklik/otklik/internal/otklik"
)

// Jobs lists background jobs for administrators.
func (s *Service) Jobs(ctx context.Context, f otklik.JobFilter) ([]*otklik.Job, error) {
	return s.store.Jobs(ctx, f)
}

// JobCounts counts background jobs by status.
func (s *Service) JobCounts(ctx context.Context) (map[otklik.JobStatus]int64, error) {
	return s.store.JobCounts(ctx)
}

// RetryJob queues a failed job again.
func (s *Service) RetryJob(ctx context.Context, id int64) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error { return s.enqueueRetry(ctx, tx, id) })
}

func (s *Service) enqueueRetry(ctx context.Context, tx otklik.Tx, id int64) error {
	if err := tx.RetryJob(ctx, id); err != nil {
		return err
	}
	if s.jobsPoke != nil {
		tx.AfterCommit(s.jobsPoke)
	}
	return nil
}
