package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
)

// slaCmd is `otklik sla due`: the deadline Otklik would compute, so that an operator can explain any
// deadline (CONTRACT.md). It reads the calendars, with their overrides, from the database.
func slaCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	const use = "usage: otklik sla due --start RFC3339 (--business-hours N | --business-days N) [--calendar NAME]"
	if len(args) == 0 || args[0] != "due" {
		return errors.New(use)
	}
	var start, calendar string
	var hours, days int
	c, _, err := loadConfig("sla due", args[1:], config.ScopeData, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&start, "start", "", "when the request was received, RFC 3339 (e.g. 2025-12-26T17:30:00+03:00)")
		fs.IntVar(&hours, "business-hours", 0, "a target in working hours of the calendar, counted from the start")
		fs.IntVar(&days, "business-days", 0, "a target in working days: the close of the Nth working day after the day of the start")
		fs.StringVar(&calendar, "calendar", service.LegalCalendar, "the calendar's name")
	})
	if err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return fmt.Errorf("--start %q: want RFC 3339 such as 2025-12-26T17:30:00+03:00\n%s", start, use)
	}
	if (hours > 0) == (days > 0) {
		return errors.New("give exactly one of --business-hours and --business-days, a positive number\n" + use)
	}
	log := newLogger(c, stderr)
	// The database is read as it is: explaining a deadline never migrates a live database.
	st, err := openStore(ctx, c, log, true)
	if errors.Is(err, store.ErrNoDatabase) {
		fmt.Fprintf(stderr, "note: %v; computed on the calendars this build ships, without an administrator's changes\n", err)
		var dir string
		st, dir, err = shippedCalendars(ctx)
		defer os.RemoveAll(dir) // after the store is closed
	}
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(service.Options{Store: st, Logger: log})
	due, confirmed, err := svc.Due(ctx, calendar, at, hours, days)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, due.In(service.Moscow).Format(time.RFC3339))
	if !confirmed {
		fmt.Fprintln(stderr, "warning: a year involved has no production calendar in this build; its holidays follow ТК РФ ст. 112 without the government's transfers")
	}
	return nil
}

// shippedCalendars opens a new database in a directory of its own, which the caller removes once it has
// closed the store: it holds only what every new database holds, the calendars and policies this build
// ships. `sla due` run where there is no database computes on them instead of creating one.
func shippedCalendars(ctx context.Context) (*store.Store, string, error) {
	dir, err := os.MkdirTemp("", "otklik-sla-")
	if err != nil {
		return nil, "", err
	}
	st, err := store.Open(ctx, store.Options{URL: filepath.Join(dir, "otklik.db"), Synchronous: "normal"})
	return st, dir, err
}
