// Command otklik-load drives a running Otklik's JSON API, or its citizen portal's feedback form, with
// concurrent clients for a fixed time and prints throughput and latency percentiles, with the Go
// version, machine and exact command line, so that a figure can be pasted into docs/PERFORMANCE.md as
// it was made.
//
// Usage:
//
//	otklik-load -url http://127.0.0.1:8080 -token "$OTKLIK_ADMIN_TOKEN" -scenario create -c 32 -d 20s
//	otklik-load -url http://127.0.0.1:8080 -scenario form -c 50 -d 20s -file-size 1MB
//
// Scenarios: create, get, list, search and mixed (20 % create, 40 % get, 25 % list, 15 % search) over
// the API; form fills in the portal's form as citizens do (GET /, the captcha solved, POST / with a
// file), one citizen after another per client, each from an address of its own when the server is
// on this machine's loopback. It exits with status 1 if more than 1 % of the requests failed or the run could not start, and 2
// on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/otklik/otklik/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command: it parses args (args[0] is the program name), runs the load and writes
// the result to stdout and progress to stderr. It returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("otklik-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := loadtest.Config{}
	var scenario string
	var asJSON bool
	var fileSize string
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base `URL` of the Otklik server")
	fs.StringVar(&cfg.Token, "token", "", "API `token` sent as a bearer token (default $"+loadtest.TokenVariable+")")
	fs.StringVar(&scenario, "scenario", string(loadtest.ScenarioCreate), "what to send: create, get, list, search, mixed or form")
	fs.IntVar(&cfg.Concurrency, "c", 32, "number of concurrent clients")
	fs.DurationVar(&cfg.Duration, "d", 20*time.Second, "measured duration")
	fs.DurationVar(&cfg.Warmup, "warmup", 3*time.Second, "warm-up before the measured duration, not recorded")
	fs.StringVar(&cfg.Query, "q", "ошибка", "search `text` (search, mixed)")
	fs.StringVar(&cfg.Status, "status", "new", "status filter of list requests (list, mixed); empty lists all")
	fs.IntVar(&cfg.Limit, "limit", 50, "page size of list and search requests")
	fs.IntVar(&cfg.MaxTickets, "tickets", loadtest.DefaultMaxTickets, "ticket numbers to collect for reading (get, mixed)")
	fs.StringVar(&fileSize, "file-size", "1MB", "`size` of the file each submission attaches, up to 5MB; 0 for none (form)")
	fs.StringVar(&cfg.FileType, "file-type", loadtest.FilePNG, "kind of that file: png or pdf (form)")
	fs.BoolVar(&cfg.Waves, "waves", false, "move the clients in step: all open the form, then all submit at once, wave after wave (form)")
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: otklik-load [flags]\n\n"+
			"Drives a running Otklik's JSON API, or its portal's feedback form (-scenario form), with -c\n"+
			"concurrent clients for -d and prints throughput and latency percentiles. Exits with status 1\n"+
			"if more than 1%% of the requests failed.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "otklik-load: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if cfg.Token == "" {
		cfg.Token = getenv(loadtest.TokenVariable)
	}
	cfg.Scenario = loadtest.Scenario(scenario)
	var err error
	if cfg.FileSize, err = loadtest.ParseSize(fileSize); err != nil {
		fmt.Fprintf(stderr, "otklik-load: -file-size: %v\n", err)
		return 2
	}
	cfg.Command = loadtest.CommandLine(args, getenv(loadtest.TokenVariable))
	cfg.Log = stderr
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "otklik-load: %v\n", err)
		return 2
	}

	res, err := loadtest.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "otklik-load: %v\n", err)
		return 1
	}
	if asJSON {
		err = res.WriteJSON(stdout)
	} else {
		err = res.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "otklik-load: %v\n", err)
		return 1
	}
	if res.Failed() {
		fmt.Fprintf(stderr, "otklik-load: %d of %d requests failed (%.2f%%, more than %g%%)\n",
			res.Total.Failed(), res.Total.Requests(), 100*res.ErrorRate(), 100*loadtest.MaxErrorRate)
		return 1
	}
	return 0
}
