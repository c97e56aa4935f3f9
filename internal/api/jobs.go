package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
)

// JobJSON is a background job as administrators see it.
type JobJSON struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Payload     string `json:"payload" doc:"the job's parameters, JSON"`
	Status      string `json:"status" enum:"queued,running,done,failed"`
	Attempts    int    `json:"attempts"`
	MaxAttempts int    `json:"max_attempts"`
	RunAt       Time   `json:"run_at" doc:"queued: when it is due; running: when its claim ends"`
	LockedBy    string `json:"locked_by" doc:"the node running it, or the node that finished it"`
	LastError   string `json:"last_error"`
	CreatedAt   Time   `json:"created_at"`
	UpdatedAt   Time   `json:"updated_at"`
}

// JobPageJSON is one page of jobs with the counts by status.
type JobPageJSON struct {
	Items      []JobJSON        `json:"items"`
	Counts     map[string]int64 `json:"counts" doc:"jobs by status"`
	NextCursor *string          `json:"next_cursor"`
}

func (a *API) listJobs(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	q := r.URL.Query()
	f := otklik.JobFilter{Kind: q.Get("kind"), Limit: 50}
	var v otklik.Validation
	for _, s := range splitComma(q.Get("status")) {
		st := otklik.JobStatus(s)
		if !validJobStatus(st) {
			v.Add("status", "job.status_unknown", map[string]string{"value": s})
		}
		f.Statuses = append(f.Statuses, st)
	}
	f.Limit, f.AfterID = pageOf(q, &v, 50, 500)
	if err := v.Err(); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	limit := f.Limit
	f.Limit++
	js, err := a.svc.Jobs(r.Context(), f)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	counts, err := a.svc.JobCounts(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := JobPageJSON{Items: []JobJSON{}, Counts: map[string]int64{}}
	for st, n := range counts {
		out.Counts[string(st)] = n
	}
	for i, j := range js {
		if i == limit {
			next := strconv.FormatInt(js[limit-1].ID, 10)
			out.NextCursor = &next
			break
		}
		out.Items = append(out.Items, JobJSON{ID: j.ID, Kind: j.Kind, Payload: j.Payload, Status: string(j.Status),
			Attempts: j.Attempts, MaxAttempts: j.MaxAttempts, RunAt: msk(j.RunAt), LockedBy: j.LockedBy,
			LastError: j.LastError, CreatedAt: msk(j.CreatedAt), UpdatedAt: msk(j.UpdatedAt)})
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (a *API) retryJob(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		httpx.Error(w, r, a.log, otklik.NotFound("job.not_failed"))
		return
	}
	if err := a.svc.RetryJob(r.Context(), id); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func validJobStatus(s otklik.JobStatus) bool {
	for _, v := range otklik.JobStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// pageOf reads a keyset-paged list's limit (1–max; def when absent) and cursor (the positive ID the
// page goes on from; 0 when absent) from q, adding what is wrong with either to v.
func pageOf(q url.Values, v *otklik.Validation, def, max int) (limit int, cursor int64) {
	limit = def
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > max {
			v.Add("limit", "list.limit", map[string]string{"max": strconv.Itoa(max)})
		}
		limit = n
	}
	if c := q.Get("cursor"); c != "" {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil || id <= 0 {
			v.Add("cursor", "list.cursor", nil)
		}
		cursor = id
	}
	return limit, cursor
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if part := s[start:i]; part != "" {
				out = append(out, part)
			}
			start = i + 1
		}
	}
	return out
}
