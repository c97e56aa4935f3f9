package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/otklik/otklik/internal/config"
)

// migrateCmd applies pending migrations and reports the schema version.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c, _, err := loadConfig("migrate", args, config.ScopeData, stderr, getenv, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c, newLogger(c, stderr), false)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, known, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at schema version %d of %d\n", st.Engine(), applied, known)
	return nil
}

// verifyCmd checks every journal chain and message hash; it exits with status 2 when something is
// broken, naming the first broken record.
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c, _, err := loadConfig("verify", args, config.ScopeData, stderr, getenv, nil)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	st, err := openStore(ctx, c, log, true)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	rep, err := newService(c, st, log).Verify(ctx)
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Millisecond)
	if b := rep.Broken; b != nil {
		where := "ticket " + b.Number
		switch {
		case b.Admin:
			where = "the administration journal"
		case b.Number == "":
			where = "the journal"
		}
		fmt.Fprintf(stdout, "BROKEN: %s, record %d", where, b.Seq)
		if b.ID != 0 {
			fmt.Fprintf(stdout, " (journal id %d)", b.ID)
		}
		fmt.Fprintf(stdout, ": %s\nchecked %d tickets, %d records, %d messages before it in %v\n", b.Reason, rep.Tickets, rep.Records, rep.Messages, took)
		return exitCode(2)
	}
	fmt.Fprintf(stdout, "OK: %d tickets, %d journal records, %d messages and %d administration records verified in %v\n",
		rep.Tickets, rep.Records, rep.Messages, rep.AdminRecords, took)
	return nil
}
