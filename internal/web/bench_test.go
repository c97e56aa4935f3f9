package web_test

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/demo"
	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
	"github.com/otklik/otklik/internal/web"
)

// benchDesk is a workspace over a SQLite database filled with OTKLIK_BENCH_TICKETS realistic tickets
// (default 20,000) registered over a year, and a signed-in operator's session cookie. With
// OTKLIK_BENCH_DB naming a file, the database is kept there and filled only when it has no tickets,
// so that a million-ticket database is filled once for many runs.
type benchDesk struct {
	h      http.Handler
	svc    *service.Service
	bus    *events.Local
	cookie string
}

func newBenchDesk(b *testing.B, tickets int) *benchDesk {
	b.Helper()
	if v, err := strconv.Atoi(os.Getenv("OTKLIK_BENCH_TICKETS")); err == nil && v > 0 {
		tickets = v
	}
	var st *store.Store
	if path := os.Getenv("OTKLIK_BENCH_DB"); path != "" && tickets > 0 {
		var err error
		if st, err = store.Open(context.Background(), store.Options{URL: path, Synchronous: "normal"}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		if n, err := st.CountTickets(context.Background()); err != nil {
			b.Fatal(err)
		} else if n > 0 {
			tickets = 0 // filled by an earlier run
		}
	} else {
		st = testkit.MustOpenStoreEngine(b, "sqlite", time.Now)
	}
	bus := events.NewLocal()
	b.Cleanup(func() { bus.Close() })
	svc := service.New(service.Options{Store: st, Events: bus, Node: "bench", Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	if tickets > 0 {
		if _, err := demo.Fill(ctx, svc, demo.FillOptions{Tickets: tickets, Batch: 1000, Workers: 2, Seed: 11, Days: 365}); err != nil {
			b.Fatal(err)
		}
	}
	u, err := svc.AddUser(ctx, service.NewUser{Email: "op@example.ru", Name: "Олег Операторов", Role: otklik.RoleOperator, Password: testPassword})
	if otklik.IsCode(err, otklik.EINVALID) { // a kept database has them from the run that filled it
		var us []otklik.User
		if us, err = svc.Users(ctx); err == nil {
			for i := range us {
				if us[i].Email == "op@example.ru" {
					u = &us[i]
				}
			}
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	secret, err := svc.CreateSession(ctx, u.ID, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	pages := web.New(web.Options{Info: testInfo, Service: svc, Events: bus, Logger: slog.New(slog.DiscardHandler)})
	b.Cleanup(pages.Shutdown)
	return &benchDesk{h: pages.Handler(), svc: svc, bus: bus, cookie: "otklik_session=" + secret}
}

// get renders a page in process (no network) and returns how long it took.
func (d *benchDesk) get(b *testing.B, path string) time.Duration {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Cookie", d.cookie)
	rec := httptest.NewRecorder()
	t0 := time.Now()
	d.h.ServeHTTP(rec, req)
	took := time.Since(t0)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d\n%.500s", path, rec.Code, rec.Body.String())
	}
	return took
}

func reportPercentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkQueuePage renders the queue pages (with their five counts) server-side, one after another,
// after ten unmeasured renders of each (a server's pages are warm).
func BenchmarkQueuePage(b *testing.B) {
	d := newBenchDesk(b, 20_000)
	queues := []string{"new", "all", "overdue", "waiting"}
	for range 10 {
		for _, q := range queues {
			d.get(b, "/agent/q/"+q)
		}
	}
	for _, q := range queues {
		b.Run(q, func(b *testing.B) {
			ds := make([]time.Duration, 0, b.N)
			for b.Loop() {
				ds = append(ds, d.get(b, "/agent/q/"+q))
			}
			reportPercentiles(b, ds)
		})
	}
}

// BenchmarkTicketPage renders a ticket page with 200 timeline entries (a registration record and 199
// messages), with the requester's other tickets and the response templates.
func BenchmarkTicketPage(b *testing.B) {
	d := newBenchDesk(b, 0)
	ctx := context.Background()
	t, _, err := d.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelEmail,
		Subject: "Долгая переписка", Body: "Первое письмо",
		Requester: service.RequesterInput{Name: "Иван Петров", Email: "ivan@example.ru", SNILS: "112-233-445 95"}})
	if err != nil {
		b.Fatal(err)
	}
	actor := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Олег Операторов", Channel: otklik.ChannelAgent}
	for i := 0; i < 198; i++ {
		body := "Ответ номер " + strconv.Itoa(i) + ". " + strings.Repeat("Проверьте, пожалуйста, настройки браузера. ", 8)
		if _, _, err := d.svc.AddMessage(ctx, actor, t.Number, service.Reply{Body: body, Internal: i%5 == 0}); err != nil {
			b.Fatal(err)
		}
	}
	path := "/agent/tickets/" + t.Number
	ds := make([]time.Duration, 0, b.N)
	for b.Loop() {
		ds = append(ds, d.get(b, path))
	}
	reportPercentiles(b, ds)
}

// BenchmarkLiveUpdate measures how long a committed new ticket takes to reach an open workspace
// page's event stream: from CreateTicket's call to the event's line arriving over HTTP.
func BenchmarkLiveUpdate(b *testing.B) {
	d := newBenchDesk(b, 0)
	srv := httptest.NewServer(d.h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/agent/events", nil)
	req.Header.Set("Cookie", d.cookie)
	res, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	lines := bufio.NewScanner(res.Body)
	ctx := context.Background()
	ds := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		i++
		t0 := time.Now()
		t, _, err := d.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
			Subject: "Не приходит код", Body: "Код не приходит.", Requester: service.RequesterInput{Email: "c" + strconv.Itoa(i) + "@example.ru"}})
		if err != nil {
			b.Fatal(err)
		}
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "data: ") && strings.Contains(lines.Text(), t.Number) {
				break
			}
		}
		ds = append(ds, time.Since(t0))
	}
	reportPercentiles(b, ds)
}

// BenchmarkPortalForm renders the citizen portal's feedback form server-side (the top-level
// categories and a freshly signed captcha challenge), each request from another address, as
// citizens' are (one address would meet the form's limit per address).
func BenchmarkPortalForm(b *testing.B) {
	d := newBenchDesk(b, 0)
	get := func(i int) time.Duration {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255) + ":40000"
		rec := httptest.NewRecorder()
		t0 := time.Now()
		d.h.ServeHTTP(rec, req)
		took := time.Since(t0)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /: %d\n%.500s", rec.Code, rec.Body.String())
		}
		return took
	}
	for i := range 10 {
		get(i)
	}
	ds := make([]time.Duration, 0, b.N)
	i := 10
	for b.Loop() {
		ds = append(ds, get(i))
		i++
	}
	reportPercentiles(b, ds)
}

// BenchmarkMyTickets renders «Мои обращения» for a signed-in citizen with 50 tickets (a full page),
// among the benchmark database's other tickets, after ten unmeasured renders. Target: p99 ≤ 30 ms.
func BenchmarkMyTickets(b *testing.B) {
	d := newBenchDesk(b, 2_000)
	ctx := context.Background()
	for i := range 50 {
		if _, _, err := d.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.Channels[i%4],
			Subject: "Обращение гражданина номер " + strconv.Itoa(i), Body: "Не могу войти в личный кабинет.",
			Requester: service.RequesterInput{Name: "Мария Смирнова", Email: "maria.bench@example.ru"}}); err != nil {
			b.Fatal(err)
		}
	}
	secret, err := d.svc.SignInVerified(ctx, "maria.bench@example.ru", service.ViaCode, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	cd := *d
	cd.cookie = "otklik_citizen=" + secret
	for range 10 {
		cd.get(b, "/my")
	}
	ds := make([]time.Duration, 0, b.N)
	for b.Loop() {
		ds = append(ds, cd.get(b, "/my"))
	}
	reportPercentiles(b, ds)
}
