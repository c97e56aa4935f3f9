package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"time"

	"github.com/otklik/otklik/internal/api"
	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/demo"
	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/files/clamd"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/jobs"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/sla"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/web"
)

// registerJobs sets the handler of every kind of background job.
func registerJobs(r *jobs.Runner, svc *service.Service) {
	r.Register(service.JobAutoClose, jobs.Handler{Commit: func(ctx context.Context, tx otklik.Tx, j *otklik.Job) error {
		return svc.AutoClose(ctx, tx, j.Payload)
	}})
	r.Register(service.JobRecomputeSLA, jobs.Handler{Timeout: 10 * time.Minute, Run: func(ctx context.Context, j *otklik.Job) error {
		return svc.RecomputeDeadlines(ctx, j.Payload)
	}})
}

// serve runs Otklik until ctx ends, then stops in order: stop accepting requests and end event
// streams, finish the requests in flight, let running jobs finish, close the event bus and the
// database.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c, _, err := loadConfig("serve", args, config.ScopeServe, stderr, getenv, nil)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	start := time.Now()
	// Before the store opens, which sizes its SQLite readers by GOMAXPROCS (as the benchmarks measured it).
	engine := "sqlite"
	if store.IsPostgres(c.DatabaseURL()) {
		engine = "postgres"
	}
	if engine == "sqlite" {
		unlock, err := lockServing(store.SQLitePath(c.DatabaseURL()))
		if err != nil {
			return err
		}
		defer unlock()
	}
	if prev := store.EnsureSQLiteProcs(engine, getenv("GOMAXPROCS")); prev != 0 {
		log.Info("GOMAXPROCS raised for the embedded SQLite (set GOMAXPROCS to choose)", "from", prev, "to", store.SQLiteProcs)
	}

	if c.Demo {
		n, err := demo.LoadIfEmpty(ctx, demo.Options{DatabaseURL: c.DatabaseURL(), Synchronous: c.SQLiteSync, Logger: log})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(stdout, "Demo data loaded: %d tickets. Staff sign in at /agent/login with the password %q: "+
				"an operator, e.g. a.smirnova@%s, at once; the administrator %s and the supervisor after setting up a second factor (TOTP).\n",
				n, demo.Password, demo.Domain, demo.AdminEmail)
		}
	}

	st, err := openStore(ctx, c, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if advice, err := st.ServerAdvice(ctx); err != nil {
		log.Warn("could not read the database server's settings", "error", err)
	} else {
		for _, a := range advice {
			log.Warn(a)
		}
	}
	node := c.Node
	if node == "" {
		host, _ := os.Hostname()
		node = host + ":" + strconv.Itoa(os.Getpid())
	}
	var bus events.Bus = events.NewLocal()
	if store.IsPostgres(c.DatabaseURL()) {
		bus = events.NewPostgres(c.DatabaseURL(), log) // changes reach the screens of every node
	}
	defer bus.Close()
	runner := jobs.New(jobs.Options{Store: st, Worker: node, Concurrency: c.Workers, Logger: log})
	// Jobs whose runs died with a process wait for their lease (5 minutes) unless this node knows that
	// process is gone: on SQLite every claim left is a stopped server's (lockServing), and a node named
	// with --node owns the claims of that name. A recomputation of deadlines or a mail cut short by a
	// crash so runs again at once.
	if engine == "sqlite" || c.Node != "" {
		of := c.Node
		if engine == "sqlite" {
			of = ""
		}
		n, err := runner.Reclaim(ctx, of)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("jobs left running by a stopped server are queued again", "jobs", n)
		}
	}
	vault, err := openVault(c, true, log)
	if err != nil {
		return err
	}
	var scanner *clamd.Client
	if c.Clamd != "" {
		if scanner, err = clamd.New(c.Clamd); err != nil {
			return fmt.Errorf("--clamd: %w", err)
		}
		if err := scanner.Ping(ctx); err != nil {
			// Not fatal: files wait «на проверке» and their scan jobs retry until clamd answers.
			log.Warn("clamd does not answer yet; files wait for their scan", "clamd", c.Clamd, "error", err)
		}
	} else {
		log.Warn("no --clamd: files are stored but not scanned, and nobody but their uploader can open them")
	}
	svc := service.New(service.Options{
		Store: st, Logger: log, Lifecycle: otklik.Lifecycle{ReopenClosedDays: c.ReopenDays},
		Events: bus, Node: node, JobsEnqueued: runner.Poke, AutoCloseAfter: time.Duration(c.AutoClose) * 24 * time.Hour,
		Mail:  service.MailOptions{Address: c.SupportAddress, Name: c.SupportName, Relay: c.SMTPRelay != "", PublicURL: c.PublicURL},
		Files: service.FileOptions{Vault: vault, Scanning: scanner != nil, Rules: fileRules(c)},
		SLA:   service.SLAOptions{LegalShiftForward: c.LegalShift == "forward", ReminderLead: time.Duration(c.RemindMins) * time.Minute},
		Auth:  service.AuthOptions{TOTPRoles: c.TOTPRoles(), SessionIdle: c.SessionIdle, SessionLifetime: c.SessionLifetime},
	})
	warnCalendar(time.Now(), log)
	registerJobs(runner, svc)
	if scanner != nil {
		runner.Register(service.JobScanFile, scanHandler(svc, scanner))
		if n, err := svc.QueuePendingScans(ctx); err != nil {
			return err
		} else if n > 0 {
			log.Info("files waiting for their scan are queued", "files", n)
		}
	}
	mailCh, err := startMail(ctx, c, svc, runner, log)
	if err != nil {
		return err
	}
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() { _ = runner.Run(jobsCtx); close(jobsDone) }()
	// Intake stops before the jobs, so that nothing it commits waits for a runner that is gone.
	defer func() { mailCh.stop(); stopJobs(); <-jobsDone }()
	go expireUploads(jobsCtx, svc, log)
	go slaTimers(jobsCtx, svc, log)

	if c.AdminToken != "" {
		if err := svc.EnsureAdminToken(ctx, c.AdminToken); err != nil {
			return err
		}
	} else if ok, err := svc.HasUsers(ctx); err != nil {
		return err
	} else if !ok {
		fmt.Fprint(stdout, `There are no staff members yet. Create the first administrator and an API token:
  otklik user add --email admin@example.ru --name "Фамилия Имя" --role admin
  otklik user token --email admin@example.ru
or start with OTKLIK_ADMIN_TOKEN set to a random secret (for example: openssl rand -hex 32).
`)
	}

	apiHandler := api.New(api.Options{Service: svc, Logger: log, MaxBodyBytes: c.MaxBody, Version: Version(), Events: bus,
		FileRules: fileRules(c)})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/api/", apiHandler)
	pages := web.New(web.Options{Info: web.Info{Version: Version(), Engine: st.Engine(), Support: c.SupportAddress},
		Service: svc, Events: bus, Logger: log, OIDC: web.OIDCOptions{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID,
			ClientSecret: c.OIDCClientSecret, RedirectURL: c.OIDCRedirectURL}})
	mux.Handle("/", pages.Handler())

	if c.DebugAddr != "" {
		dln, err := net.Listen("tcp", c.DebugAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", c.DebugAddr, err)
		}
		dmux := http.NewServeMux()
		dmux.HandleFunc("/debug/pprof/", pprof.Index)
		dmux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		dmux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() { _ = httpx.Serve(ctx, dln, dmux, log, time.Second, nil) }()
		log.Info("profiling endpoints", "url", "http://"+dln.Addr().String()+"/debug/pprof/")
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	log.Info("otklik is serving", "url", "http://"+ln.Addr().String(), "version", Version(),
		"database", st.Engine(), "started_in", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "Otklik %s is serving http://%s (API: http://%s/api/openapi.json)\n", Version(), ln.Addr(), ln.Addr())
	err = httpx.Serve(ctx, ln, httpx.Middleware(log, mux), log, 20*time.Second, func() {
		apiHandler.Shutdown()
		pages.Shutdown()
	})
	if ctx.Err() != nil {
		log.Info("otklik stopped", slog.String("reason", context.Cause(ctx).Error()))
	}
	return err
}

// expireUploads removes abandoned resumable uploads (service.UploadLifetime), and ended sessions and spent
// sign-in codes (service.KeepEndedSessions, KeepSpentCodes), every quarter of an hour.
func expireUploads(ctx context.Context, svc *service.Service, log *slog.Logger) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		if n, err := svc.ExpireUploads(ctx); err != nil && ctx.Err() == nil {
			log.Warn("removing expired uploads failed", "error", err)
		} else if n > 0 {
			log.Info("expired uploads removed", "uploads", n)
		}
		if n, err := svc.PurgeSignIns(ctx); err != nil && ctx.Err() == nil {
			log.Warn("removing ended sessions failed", "error", err)
		} else if n > 0 {
			log.Info("ended sessions and spent sign-in codes removed", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// slaTimers sends due deadline reminders and escalations every 20 seconds. When each is due is in the
// database (sla_timers), and which were made in its ticket's row (SLAFlags), so a restart never skips
// one and several nodes never double one.
func slaTimers(ctx context.Context, svc *service.Service, log *slog.Logger) {
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		if n, err := svc.RunSLATimers(ctx); err != nil && ctx.Err() == nil {
			log.Warn("deadline reminders failed; retrying", "error", err)
		} else if n > 0 {
			log.Info("deadline reminders and escalations handled", "tickets", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// warnCalendar warns when the production calendar built in lacks this year, or next year from
// September (sla.MissingYears): deadlines in such a year follow ТК РФ ст. 112 without the decree's
// transfers until a release or an override adds them. «Календари и сроки» says so too.
func warnCalendar(now time.Time, log *slog.Logger) {
	for _, y := range sla.MissingYears(now) {
		if y == now.In(sla.Moscow).Year() {
			log.Warn("the built-in production calendar has no data for this year: deadlines ignore the government's day transfers; add them as calendar overrides or upgrade", "year", y)
		} else {
			log.Warn("the built-in production calendar has no data for next year yet: when the decree is out, upgrade or add its transfers as calendar overrides", "year", y)
		}
	}
}
