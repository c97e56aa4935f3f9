package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Queues are fixed views of the ticket list; filters given in the address narrow them further.
type queueDef struct {
	Name  string // in the address: /agent/q/{name}
	Title string // catalogue key
	query func(me *otklik.User, group string) service.ListQuery
}

const openStatuses = "new,in_progress,waiting,forwarded"

var queues = []queueDef{
	{"mine", "ui.queue.mine", func(*otklik.User, string) service.ListQuery {
		return service.ListQuery{Assignee: "me", Status: openStatuses}
	}},
	{"group", "ui.queue.group", func(_ *otklik.User, g string) service.ListQuery {
		return service.ListQuery{Group: g, Status: openStatuses}
	}},
	{"new", "ui.queue.new", func(*otklik.User, string) service.ListQuery { return service.ListQuery{Status: "new"} }},
	{"waiting", "ui.queue.waiting", func(*otklik.User, string) service.ListQuery { return service.ListQuery{Status: "waiting"} }},
	{"overdue", "ui.queue.overdue", func(*otklik.User, string) service.ListQuery { return service.ListQuery{Overdue: "true"} }},
	{"all", "ui.queue.all", func(*otklik.User, string) service.ListQuery { return service.ListQuery{} }},
}

// countCap is where a queue's badge stops counting ("999+").
const countCap = 999

type queueCount struct {
	Name, Title string
	Count       int
	More        bool
}

type queueRow struct {
	T         *otklik.Ticket
	Requester string
	SLA       slaBadge
}

type queueData struct {
	Queue   queueDef
	Counts  []queueCount
	Rows    []queueRow
	Filter  url.Values
	Next    string // the next page's address, "" on the last
	NoGroup bool
	Cats    []otklik.Category
	Saved   []savedLink
	Query   string // the filters as a query string, for saving
}

type savedLink struct {
	otklik.SavedFilter
	Href    string
	Current bool
}

// slaBadge is a ticket's nearest deadline as the list shows it: the working time left, coloured
// when it is close (a working day or less) or past.
type slaBadge struct {
	Set     bool
	Left    time.Duration
	State   string // "ok", "soon", "overdue", "paused"
	Due     time.Time
	IsFirst bool // the first-response deadline, not the resolution one
}

// soonWithin is how close a deadline is coloured as near: one working day.
const soonWithin = 8 * time.Hour

func (wb *Web) badge(ctx context.Context, t *otklik.Ticket) slaBadge {
	if !t.Status.Open() {
		return slaBadge{}
	}
	due, first := t.DueAt, false
	if t.FirstResponseAt == nil && t.FirstResponseDueAt != nil && (due == nil || t.FirstResponseDueAt.Before(*due)) {
		due, first = t.FirstResponseDueAt, true
	}
	left, ok := wb.svc.Remaining(ctx, t, due)
	if !ok {
		return slaBadge{}
	}
	b := slaBadge{Set: true, Left: left, Due: *due, IsFirst: first, State: "ok"}
	switch {
	case t.SLA.PausedAt != nil && !first:
		b.State = "paused"
	case left <= 0 || wb.now().After(*due):
		b.State = "overdue"
	case left <= soonWithin:
		b.State = "soon"
	}
	return b
}

func (wb *Web) groupCode(ctx context.Context, me *otklik.User) (string, error) {
	if me.GroupID == 0 {
		return "", nil
	}
	gs, err := wb.svc.Groups(ctx)
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if g.ID == me.GroupID {
			return g.Code, nil
		}
	}
	return "", nil
}

func (wb *Web) queue(w http.ResponseWriter, r *http.Request, s *staffSession) {
	ctx := r.Context()
	var q *queueDef
	for i := range queues {
		if queues[i].Name == r.PathValue("queue") {
			q = &queues[i]
		}
	}
	if q == nil {
		wb.fail(w, r, http.StatusNotFound, "ui.notfound.text")
		return
	}
	group, err := wb.groupCode(ctx, s.user)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	d := queueData{Queue: *q, Filter: url.Values{}, NoGroup: q.Name == "group" && group == ""}
	for _, qd := range queues {
		if qd.Name == "all" || (qd.Name == "group" && group == "") {
			d.Counts = append(d.Counts, queueCount{Name: qd.Name, Title: qd.Title, Count: -1})
			continue
		}
		n, err := wb.svc.CountTickets(ctx, s.user, qd.query(s.user, group), countCap+1)
		if err != nil {
			wb.failErr(w, r, err)
			return
		}
		d.Counts = append(d.Counts, queueCount{Name: qd.Name, Title: qd.Title, Count: min(n, countCap), More: n > countCap})
	}
	lq := q.query(s.user, group)
	form := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *string
	}{{"q", &lq.Q}, {"status", &lq.Status}, {"channel", &lq.Channel}, {"category", &lq.Category}, {"order", &lq.Order}} {
		if v := form.Get(f.name); v != "" {
			*f.dst = v
			d.Filter.Set(f.name, v)
		}
	}
	lq.Cursor = form.Get("cursor")
	d.Query = d.Filter.Encode()
	saved, err := wb.svc.SavedFilters(ctx, s.user.ID)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	for _, f := range saved {
		href := "/agent/q/" + f.Queue
		if f.Query != "" {
			href += "?" + f.Query
		}
		d.Saved = append(d.Saved, savedLink{SavedFilter: f, Href: href, Current: f.Queue == q.Name && f.Query == d.Query})
	}
	if d.NoGroup {
		wb.render(w, r, http.StatusOK, "queue", &page{Title: q.Title, Nav: q.Name, Data: d})
		return
	}
	pg, err := wb.svc.ListTickets(ctx, s.user, lq)
	if err != nil {
		if status, key, args, ok := refusalOf(err, otklik.EINVALID); ok {
			wb.render(w, r, status, "queue", &page{Title: q.Title, Nav: q.Name, Error: key, Args: args, Data: d})
			return
		}
		wb.failErr(w, r, err)
		return
	}
	for _, t := range pg.Items {
		row := queueRow{T: t, SLA: wb.badge(ctx, t)}
		if t.Requester != nil {
			row.Requester = t.Requester.Name
			if row.Requester == "" {
				row.Requester = maskEmail(t.Requester.Email)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if pg.Next != "" {
		next := url.Values{}
		for k, v := range d.Filter {
			next[k] = v
		}
		next.Set("cursor", pg.Next)
		d.Next = "/agent/q/" + q.Name + "?" + next.Encode()
	}
	if d.Cats, err = wb.svc.Categories(ctx); err != nil {
		wb.failErr(w, r, err)
		return
	}
	wb.render(w, r, http.StatusOK, "queue", &page{Title: q.Title, Nav: q.Name, Data: d})
}

// countText is a badge's number: "999+" past the cap.
func (c queueCount) Text() string {
	if c.More {
		return strconv.Itoa(c.Count) + "+"
	}
	return strconv.Itoa(c.Count)
}

// saveFilter saves the queue page's filters under a name the member gives.
func (wb *Web) saveFilter(w http.ResponseWriter, r *http.Request, s *staffSession) {
	queue := r.PostFormValue("queue")
	known := false
	for _, q := range queues {
		known = known || q.Name == queue
	}
	if !known {
		wb.fail(w, r, http.StatusNotFound, "ui.notfound.text")
		return
	}
	// Keep only the filters the queue page reads.
	in, _ := url.ParseQuery(r.PostFormValue("query"))
	out := url.Values{}
	for _, k := range []string{"q", "status", "channel", "category", "order"} {
		if v := in.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	f, err := wb.svc.SaveFilter(r.Context(), s.user.ID, r.PostFormValue("name"), queue, out.Encode())
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	href := "/agent/q/" + f.Queue
	if f.Query != "" {
		href += "?" + f.Query
	}
	http.Redirect(w, r, href, http.StatusSeeOther)
}

func (wb *Web) deleteFilter(w http.ResponseWriter, r *http.Request, s *staffSession) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		wb.fail(w, r, http.StatusNotFound, "ui.notfound.text")
		return
	}
	if err := wb.svc.DeleteFilter(r.Context(), s.user.ID, id); err != nil {
		wb.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/q/all", http.StatusSeeOther)
}
