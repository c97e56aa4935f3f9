package main

import (
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSLADue runs `otklik sla due` (CONTRACT.md) as an operator would: where there is no database it
// computes on the calendars the build ships, says so, and creates nothing; on a database it takes an
// administrator's changes into account and never migrates it; wrong input is refused with the usage.
// The deadlines are the worked example of docs/OPERATIONS.md (received on the Friday before the 2026
// New Year holidays; 31 December 2025 a day off by transfer).
func TestSLADue(t *testing.T) {
	run := func(dir string, args ...string) (stdout, stderr string, err error) {
		cmd := exec.Command(binary, args...)
		cmd.Dir = dir
		tmp := t.TempDir()
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		var o, e strings.Builder
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("otklik %s left %s in its temporary directory", strings.Join(args, " "), left[0].Name())
		}
		return o.String(), e.String(), err
	}
	const start = "--start=2025-12-26T17:30:00+03:00"

	// No database: the shipped calendars, a note naming where it looked, nothing created.
	empty := t.TempDir()
	out, errOut, err := run(empty, "sla", "due", start, "--business-days", "5")
	if err != nil || out != "2026-01-14T18:00:00+03:00\n" {
		t.Errorf("5 business days without a database: %v %q %q", err, out, errOut)
	}
	if !strings.Contains(errOut, "no file data/otklik.db") || !strings.Contains(errOut, "calendars this build ships") {
		t.Errorf("the note on computing without a database: %q", errOut)
	}
	if left, _ := os.ReadDir(empty); len(left) > 0 {
		t.Errorf("sla due without a database created %s", left[0].Name())
	}
	if out, _, err := run(empty, "sla", "due", start, "--business-hours", "24"); err != nil || out != "2026-01-12T14:30:00+03:00\n" {
		t.Errorf("24 business hours without a database: %v %q", err, out)
	}

	// A database with a holiday an administrator added on the third working day after receipt.
	data := t.TempDir()
	if out, err := exec.Command(binary, "migrate", "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "otklik.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO calendar_overrides (calendar, day, kind, note, author, created_at)
		VALUES ('office', '2026-01-12', 'holiday', 'test', 'test', 0)`); err != nil {
		t.Fatal(err)
	}
	out, errOut, err = run(empty, "sla", "due", "--data", data, start, "--business-days", "5")
	if err != nil || out != "2026-01-15T18:00:00+03:00\n" || errOut != "" {
		t.Errorf("5 business days with a holiday added on 12 January: %v %q %q", err, out, errOut)
	}
	if _, errOut, err := run(empty, "sla", "due", "--data", data, start, "--business-days", "1", "--calendar", "nosuch"); err == nil || !strings.Contains(errOut, `"nosuch" does not exist`) {
		t.Errorf("an unknown calendar: %v %q", err, errOut)
	}

	// A database of an older schema is named, not migrated behind the operator's back.
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = run(empty, "sla", "due", "--data", data, start, "--business-days", "5")
	if err == nil || !strings.Contains(errOut, "`otklik migrate` brings it up to date") {
		t.Errorf("a database of an older schema: %v %q", err, errOut)
	}
	var applied int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = run(empty, "verify", "--data", data)
	if err == nil || !strings.Contains(errOut, "`otklik migrate` brings it up to date") {
		t.Errorf("verify of a database of an older schema: %v %q", err, errOut)
	}
	var after int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&after); err != nil || after != applied {
		t.Errorf("sla due and verify changed the schema's migrations: %d before, %d after (%v)", applied, after, err)
	}

	// verify and export where there is no database: an error naming it, nothing created.
	for _, cmd := range []string{"verify", "export"} {
		_, errOut, err := run(empty, cmd)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || !strings.Contains(errOut, "no Otklik database: no file data/otklik.db") {
			t.Errorf("%s without a database: %v %q", cmd, err, errOut)
		}
	}
	if left, _ := os.ReadDir(empty); len(left) > 0 {
		t.Errorf("verify or export without a database created %s", left[0].Name())
	}

	// Wrong input: the usage.
	for _, args := range [][]string{
		{"sla", "due", "--start", "yesterday", "--business-days", "1"},
		{"sla", "due", start},
		{"sla", "due", start, "--business-days", "1", "--business-hours", "8"},
		{"sla", "when"},
	} {
		if _, errOut, err := run(empty, args...); err == nil || !strings.Contains(errOut, "usage: otklik sla due") {
			t.Errorf("otklik %s: %v %q", strings.Join(args, " "), err, errOut)
		}
	}
}
