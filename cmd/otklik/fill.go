package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/demo"
)

// fillCmd adds many realistic tickets through the import path, for benchmarks: a million in a few
// minutes on a small machine.
func fillCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var o demo.FillOptions
	c, _, err := loadConfig("fill", args, config.ScopeData, stderr, getenv, func(fs *flag.FlagSet) {
		fs.IntVar(&o.Tickets, "tickets", 100_000, "how many tickets to add")
		fs.IntVar(&o.Batch, "batch", 1000, "tickets per transaction")
		fs.IntVar(&o.Workers, "workers", 2, "goroutines generating tickets")
		fs.Uint64Var(&o.Seed, "seed", 1, "random seed (the same seed gives the same tickets)")
		fs.IntVar(&o.Days, "days", 365, "spread the tickets' registration times over this many past days")
	})
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	// Bulk loading needs no fsync per transaction: a crash mid-fill loses only unfinished batches.
	c.SQLiteSync = "normal"
	st, err := openStore(ctx, c, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := newService(c, st, log)
	start := time.Now()
	last := start
	o.Progress = func(done int) {
		if time.Since(last) >= 5*time.Second || done == o.Tickets {
			last = time.Now()
			el := time.Since(start).Seconds()
			fmt.Fprintf(stdout, "%d/%d tickets, %.0f tickets/s\n", done, o.Tickets, float64(done)/el)
		}
	}
	n, err := demo.Fill(ctx, svc, o)
	el := time.Since(start)
	fmt.Fprintf(stdout, "added %d tickets in %v (%.0f tickets/s)\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	return err
}
