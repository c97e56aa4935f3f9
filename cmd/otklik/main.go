// Command otklik is the one binary of Otklik, the citizen-support desk: `otklik serve` runs everything;
// the other subcommands manage data (migrate, verify, user, fill) and print the version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // Moscow time on any host, with or without a zoneinfo database

	"github.com/otklik/otklik/internal/config"
	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes from the module
// build information.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "otklik:", describe(err))
		}
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		os.Exit(1)
	}
}

// exitCode is an error that asks for a specific exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `Otklik — citizen-support desk

Usage:
  otklik serve   [flags]   run the web UI, the API and background work
  otklik migrate [flags]   apply pending database migrations and exit
  otklik verify  [flags]   check the integrity of every ticket's journal
  otklik user    add|passwd|token|list [flags]   manage staff members and API tokens
  otklik fill    [flags]   add many realistic tickets (for benchmarks and demos)
  otklik export  [--out F] write all data as JSON lines (either database engine)
  otklik import  [--in F]  load an export into an empty database, then verify it
  otklik keys    rotate|rewrap|list   new master key for the files / rewrap file keys / list keys
  otklik sla due --start T (--business-hours N | --business-days N) [--calendar NAME]   a deadline as Otklik computes it
  otklik version           print the version

Run "otklik <command> -h" for the flags of a command. Every flag can also be set as OTKLIK_<FLAG>.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, getenv)
	case "migrate":
		return migrateCmd(ctx, rest, stdout, stderr, getenv)
	case "verify":
		return verifyCmd(ctx, rest, stdout, stderr, getenv)
	case "user":
		return userCmd(ctx, rest, stdout, stderr, getenv)
	case "fill":
		return fillCmd(ctx, rest, stdout, stderr, getenv)
	case "export":
		return exportCmd(ctx, rest, stdout, stderr, getenv)
	case "import":
		return importCmd(ctx, rest, stdout, stderr, getenv)
	case "keys":
		return keysCmd(ctx, rest, stdout, stderr, getenv)
	case "sla":
		return slaCmd(ctx, rest, stdout, stderr, getenv)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "otklik", Version())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// describe says an error in words: an application error by its catalogue message (field by field).
func describe(err error) string {
	var e *otklik.Error
	if !errors.As(err, &e) || e.Code == otklik.EINTERNAL {
		return err.Error()
	}
	if len(e.Fields) == 0 {
		return i18n.T("en", e.Key, e.Args)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + i18n.T("en", f.Key, f.Args)
	}
	return strings.Join(parts, "; ")
}

// Version returns the build's version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// loadConfig parses a subcommand's flags and environment into a validated Config.
func loadConfig(name string, args []string, scope config.Scope, stderr io.Writer, getenv func(string) string, extra func(*flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	c := config.Default()
	fs := flag.NewFlagSet("otklik "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.Bind(fs, scope)
	if extra != nil {
		extra(fs)
	}
	if err := c.Parse(fs, args, getenv); err != nil {
		return nil, nil, err
	}
	if err := c.Validate(scope); err != nil {
		return nil, nil, err
	}
	return &c, fs, nil
}

func newLogger(c *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the configured database, applying migrations unless noMigrate.
func openStore(ctx context.Context, c *config.Config, log *slog.Logger, noMigrate bool) (*store.Store, error) {
	return store.Open(ctx, store.Options{URL: c.DatabaseURL(), Synchronous: c.SQLiteSync, MmapBytes: c.SQLiteMmap, Writers: c.DBWriters, BulkWriters: c.DBBulk, Logger: log, NoMigrate: noMigrate})
}

func newService(c *config.Config, st otklik.Store, log *slog.Logger) *service.Service {
	return service.New(service.Options{Store: st, Logger: log, Lifecycle: otklik.Lifecycle{ReopenClosedDays: c.ReopenDays}})
}
