package sla_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

// TestSubHours: the reminder "one working day before" a deadline; SubHours undoes AddHours.
func TestSubHours(t *testing.T) {
	c := mustNew(t, sla.Options{Name: "office", Week: sla.OfficeWeek})
	for _, tc := range []struct {
		end  string
		d    time.Duration
		want string
	}{
		// Due Tuesday 18:00: a working day before is Tuesday's morning, not Monday's evening.
		{"2026-03-17T18:00:00+03:00", 9 * time.Hour, "2026-03-17T09:00:00+03:00"},
		{"2026-03-17T12:00:00+03:00", 9 * time.Hour, "2026-03-16T12:00:00+03:00"},
		// Across the New Year holidays (31 December 2025 is off): back to 30 December.
		{"2026-01-12T14:30:00+03:00", 9 * time.Hour, "2025-12-30T14:30:00+03:00"},
		// One hour of 4 May, then all eight of the short 30 April (09:00–17:00): its opening.
		{"2026-05-04T10:00:00+03:00", 9 * time.Hour, "2026-04-30T09:00:00+03:00"},
		{"2026-03-17T18:00:00+03:00", 0, "2026-03-17T18:00:00+03:00"},
	} {
		got := c.SubHours(mustTime(t, tc.end), tc.d)
		if !got.Equal(mustTime(t, tc.want)) {
			t.Errorf("SubHours(%s, %v) = %s, want %s", tc.end, tc.d, got.Format(time.RFC3339), tc.want)
		}
	}
	if got := c.TypicalDay(); got != 9*time.Hour {
		t.Errorf("TypicalDay = %v, want 9h", got)
	}
	all := mustNew(t, sla.Options{Name: "24x7", AllHours: true})
	if got := all.SubHours(mustTime(t, "2026-01-02T10:00:00+03:00"), 24*time.Hour); !got.Equal(mustTime(t, "2026-01-01T10:00:00+03:00")) {
		t.Errorf("24x7 SubHours = %s", got)
	}
	r := rand.New(rand.NewPCG(5, 6))
	base := mustTime(t, "2025-01-01T00:00:00+03:00")
	for range 4000 {
		end := base.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		d := time.Duration(r.Int64N(int64(200 * time.Hour)))
		s := c.SubHours(end, d)
		if s.After(end) || c.Between(s, end) != d {
			t.Fatalf("SubHours(%s, %v) = %s: Between = %v", end, d, s, c.Between(s, end))
		}
		if e := c.AddHours(s, d); c.Between(e, end) != 0 {
			t.Fatalf("AddHours(SubHours(%s, %v)) = %s", end, d, e)
		}
	}
}
