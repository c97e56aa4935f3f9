package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/otklik/otklik/internal/config"
)

// exportCmd writes all data — tickets, messages, the journal with its hashes, requesters, staff,
// tokens' hashes, catalogue, jobs — as JSON lines, from either engine.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var out string
	c, _, err := loadConfig("export", args, config.ScopeData, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "-", "file to write (- for standard output)")
	})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, newLogger(c, stderr), true)
	if err != nil {
		return err
	}
	defer st.Close()
	w := stdout
	if out != "-" {
		f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	start := time.Now()
	if err := st.Export(ctx, w); err != nil {
		return err
	}
	if out != "-" {
		fmt.Fprintf(stderr, "exported %s (%s) to %s in %v\n", c.DatabaseURL(), st.Engine(), out, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// importCmd loads an export into an empty database of either engine, then verifies every journal.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var in string
	c, _, err := loadConfig("import", args, config.ScopeData, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&in, "in", "-", "export file to read (- for standard input)")
	})
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	st, err := openStore(ctx, c, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	var r io.Reader = os.Stdin
	if in != "-" {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	start := time.Now()
	counts, err := st.Import(ctx, r)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(stdout, "%-18s %d\n", t, counts[t])
	}
	fmt.Fprintf(stdout, "imported into %s in %v; verifying…\n", st.Engine(), time.Since(start).Round(time.Millisecond))
	rep, err := newService(c, st, log).Verify(ctx)
	if err != nil {
		return err
	}
	if rep.Broken != nil {
		where := "ticket " + rep.Broken.Number
		if rep.Broken.Admin {
			where = "the administration journal, record " + strconv.FormatInt(rep.Broken.Seq, 10)
		}
		return errors.New("the imported journal does not verify: " + where + ": " + rep.Broken.Reason)
	}
	fmt.Fprintf(stdout, "OK: %d tickets, %d journal records, %d messages and %d administration records verified\n",
		rep.Tickets, rep.Records, rep.Messages, rep.AdminRecords)
	return nil
}
