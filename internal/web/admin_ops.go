package web

import (
	"net/http"
	"slices"

	"github.com/otklik/otklik/internal/otklik"
)

// The outbox (outbound mail not yet delivered) and the background jobs, with a retry for a failed one.

// outboxStatuses are the outbound mail statuses the outbox shows: not (yet) delivered.
var outboxStatuses = []string{otklik.MailHeld, otklik.MailQueued, otklik.MailFailed, otklik.MailBounced}

// adminListLimit is how many rows an administration list shows, newest first.
const adminListLimit = 200

type outboxRow struct {
	M      *otklik.MailRecord
	Number string
}

type outboxData struct {
	Rows     []outboxRow
	Statuses []string
	Status   string // the chosen filter, "" for all of Statuses
}

func (wb *Web) adminOutbox(w http.ResponseWriter, r *http.Request, s *staffSession) {
	ctx := r.Context()
	d := outboxData{Statuses: outboxStatuses}
	f := otklik.MailFilter{Direction: otklik.MailOut, Statuses: outboxStatuses, Limit: adminListLimit}
	if st := r.URL.Query().Get("status"); slices.Contains(outboxStatuses, st) {
		d.Status, f.Statuses = st, []string{st}
	}
	ms, err := wb.svc.Mails(ctx, f)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	numbers, err := wb.svc.TicketNumbers(ctx, ms)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	for _, m := range ms {
		d.Rows = append(d.Rows, outboxRow{M: m, Number: numbers[m.TicketID]})
	}
	wb.render(w, r, http.StatusOK, "admin_outbox", adminPage(r, "ui.admin.outbox.title", "outbox", d))
}

type jobCount struct {
	Status otklik.JobStatus
	Count  int64
}

type jobsData struct {
	Jobs   []*otklik.Job
	Counts []jobCount
	Status otklik.JobStatus
}

func (wb *Web) adminJobs(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.jobsPage(w, r, nil)
}

func (wb *Web) jobsPage(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	d := jobsData{Status: otklik.JobFailed}
	if st := otklik.JobStatus(r.URL.Query().Get("status")); slices.Contains(otklik.JobStatuses, st) {
		d.Status = st
	}
	counts, lerr := wb.svc.JobCounts(ctx)
	if lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	for _, st := range otklik.JobStatuses {
		d.Counts = append(d.Counts, jobCount{Status: st, Count: counts[st]})
	}
	if d.Jobs, lerr = wb.svc.Jobs(ctx, otklik.JobFilter{Statuses: []otklik.JobStatus{d.Status}, Limit: adminListLimit}); lerr != nil {
		wb.failErr(w, r, lerr)
		return
	}
	p := adminPage(r, "ui.admin.jobs.title", "jobs", d)
	if err != nil {
		p.Back = "/admin/jobs"
		wb.refused(w, r, err, "admin_jobs", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_jobs", p)
}

// adminRetryJob queues a failed job again.
func (wb *Web) adminRetryJob(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.RetryJob(r.Context(), pathID(r)); err != nil {
		wb.jobsPage(w, r, err)
		return
	}
	done(w, r, "/admin/jobs", "job_retried")
}
