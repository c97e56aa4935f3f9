-- Durable background jobs (internal/jobs). A queued job waits for run_at; a claimed ("running") job
-- holds a lease until run_at, after which another worker may claim it again. attempts counts claims
-- and fences a worker whose lease ended from finishing the job.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    locked_by    TEXT NOT NULL DEFAULT '',
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- Due jobs in time order; finished jobs are not in it.
CREATE INDEX jobs_due ON jobs(run_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_status ON jobs(status, id);
