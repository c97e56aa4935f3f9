package sla_test

import (
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

// mustTime parses "2006-01-02 15:04" (or with seconds) in Moscow time.
func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.ParseInLocation(layout, s, sla.Moscow); err == nil {
			return t
		}
	}
	tb.Fatalf("bad time %q", s)
	return time.Time{}
}

func mustDate(tb testing.TB, s string) sla.Date {
	tb.Helper()
	d, err := sla.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustNew(tb testing.TB, o sla.Options) *sla.Calendar {
	tb.Helper()
	c, err := sla.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func mustWeek(tb testing.TB, s string) sla.Week {
	tb.Helper()
	w, err := sla.ParseWeek(s)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// office returns the 09:00–18:00 Monday-to-Friday calendar.
func office(tb testing.TB) *sla.Calendar {
	tb.Helper()
	return mustNew(tb, sla.Options{Name: "office", Week: sla.OfficeWeek})
}

// fmtTime formats t for messages: RFC 3339 in Moscow time.
func fmtTime(t time.Time) string { return t.In(sla.Moscow).Format(time.RFC3339Nano) }
