package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

func TestAddDays(t *testing.T) {
	c := office(t)
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{"friday evening before the new year holidays", "2025-12-26 17:30", 5, "2026-01-14 18:00"},
		{"friday evening, one day", "2025-12-26 17:30", 1, "2025-12-29 18:00"},
		{"last working day of 2025", "2025-12-30 10:00", 1, "2026-01-12 18:00"},
		{"last working day of 2025, late", "2025-12-30 23:59", 2, "2026-01-13 18:00"},
		{"received on a holiday", "2026-01-03 12:00", 1, "2026-01-12 18:00"},
		{"received at 03:00 on a working day", "2026-03-10 03:00", 1, "2026-03-11 18:00"},
		{"received on a Sunday", "2026-03-15 03:00", 1, "2026-03-16 18:00"},
		{"received on a holiday at 03:00", "2026-06-12 03:00", 1, "2026-06-15 18:00"},
		{"may holidays: short day counts", "2026-05-07 12:00", 1, "2026-05-08 17:00"},
		{"may holidays: over 9–11 May", "2026-05-07 12:00", 2, "2026-05-12 18:00"},
		{"may holidays: from the short day", "2026-04-30 10:00", 1, "2026-05-04 18:00"},
		{"2026 → 2027", "2026-12-30 12:00", 1, "2027-01-11 18:00"},
		{"2026 → 2027, 15 days", "2026-12-18 09:00", 15, "2027-01-19 18:00"},
		{"2027 → 2028 (unconfirmed)", "2027-12-30 12:00", 1, "2028-01-10 18:00"},
		{"working short saturday 2025-11-01", "2025-10-31 12:00", 1, "2025-11-01 17:00"},
		{"after the working saturday", "2025-11-01 12:00", 1, "2025-11-05 18:00"},
		{"working short saturday 2027-02-20", "2027-02-19 12:00", 2, "2027-02-24 18:00"},
		{"n below 1 counts as 1", "2026-03-10 12:00", 0, "2026-03-11 18:00"},
		{"midnight belongs to its day", "2026-03-11 00:00", 1, "2026-03-12 18:00"},
		{"a start given in UTC", "2026-03-10T21:30:00Z", 1, "2026-03-12 18:00"}, // 00:30 on the 11th in Moscow
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddDays(mustTime(t, tt.start), tt.n)
			if want := mustTime(t, tt.want); !got.Equal(want) {
				t.Errorf("AddDays(%s, %d) = %s, want %s", tt.start, tt.n, fmtTime(got), fmtTime(want))
			}
			if got.Location() != sla.Moscow {
				t.Errorf("AddDays result in %s, want Moscow", got.Location())
			}
		})
	}
}

func TestAddHours(t *testing.T) {
	c := office(t)
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"friday evening before the new year holidays", "2025-12-26 17:30", 24 * time.Hour, "2026-01-12 14:30"},
		{"last working day of 2025", "2025-12-30 17:00", 2 * time.Hour, "2026-01-12 10:00"},
		{"exactly to the close", "2025-12-26 17:30", 30 * time.Minute, "2025-12-26 18:00"},
		{"one second past the close", "2025-12-26 17:30", 30*time.Minute + time.Second, "2025-12-29 09:00:01"},
		{"03:00 on a working day", "2026-03-10 03:00", 2 * time.Hour, "2026-03-10 11:00"},
		{"03:00 on a Sunday", "2026-03-15 03:00", 2 * time.Hour, "2026-03-16 11:00"},
		{"03:00 on a holiday", "2026-06-12 03:00", 2 * time.Hour, "2026-06-15 11:00"},
		{"after the close", "2026-03-10 19:00", time.Hour, "2026-03-11 10:00"},
		{"short day ends at 17:00", "2026-04-30 16:00", 2 * time.Hour, "2026-05-04 10:00"},
		{"may holidays: 8 May short, 11 May off", "2026-05-08 16:30", time.Hour, "2026-05-12 09:30"},
		{"72 hours", "2026-03-02 09:00", 72 * time.Hour, "2026-03-12 18:00"}, // 8 days, 9 Mar off
		{"2026 → 2027", "2026-12-30 17:00", 3 * time.Hour, "2027-01-11 11:00"},
		{"2027 → 2028 (unconfirmed)", "2027-12-30 17:00", 3 * time.Hour, "2028-01-10 11:00"},
		{"zero is the start itself", "2026-03-15 03:00", 0, "2026-03-15 03:00"},
		{"negative counts as zero", "2026-03-15 03:00", -time.Hour, "2026-03-15 03:00"},
		{"nanoseconds", "2026-03-10T17:59:59.999999999+03:00", 2 * time.Nanosecond, "2026-03-11T09:00:00.000000001+03:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := mustTime(t, tt.start)
			got := c.AddHours(start, tt.d)
			if want := mustTime(t, tt.want); !got.Equal(want) {
				t.Errorf("AddHours(%s, %v) = %s, want %s", tt.start, tt.d, fmtTime(got), fmtTime(want))
			}
			if got.Location() != sla.Moscow {
				t.Errorf("AddHours result in %s, want Moscow", got.Location())
			}
			if tt.d > 0 {
				if b := c.Between(start, got); b != tt.d {
					t.Errorf("Between(start, AddHours) = %v, want %v", b, tt.d)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	c := office(t)
	tests := []struct {
		a, b string
		want time.Duration
	}{
		{"2026-03-10 09:00", "2026-03-10 18:00", 9 * time.Hour},
		{"2026-03-10 18:00", "2026-03-10 09:00", -9 * time.Hour},
		{"2026-03-10 10:00", "2026-03-10 10:00", 0},
		{"2026-03-14 00:00", "2026-03-15 23:59", 0},                              // a weekend
		{"2025-12-30 00:00", "2026-01-12 00:00", 9 * time.Hour},                  // 30 Dec only
		{"2026-04-30 00:00", "2026-05-12 00:00", (8 + 4*9 + 8) * time.Hour},      // 30 Apr, 4–7 May, 8 May
		{"2026-01-01 00:00", "2027-01-01 00:00", (247*9 - 4) * time.Hour},        // the whole of 2026
		{"2026-03-10 17:00", "2026-03-11T06:30:00Z", time.Hour + 30*time.Minute}, // 09:30 on the 11th in Moscow
	}
	for _, tt := range tests {
		if got := c.Between(mustTime(t, tt.a), mustTime(t, tt.b)); got != tt.want {
			t.Errorf("Between(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCalendarDays(t *testing.T) {
	c := office(t)
	tests := []struct {
		name  string
		start string
		n     int
		shift sla.Shift
		want  string
	}{
		{"30th day on a Sunday, back", "2026-02-13 15:00", 30, sla.ShiftBack, "2026-03-13 18:00"},
		{"30th day on a Sunday, forward", "2026-02-13 15:00", 30, sla.ShiftForward, "2026-03-16 18:00"},
		{"30th day in the January holidays, back", "2025-12-05 10:00", 30, sla.ShiftBack, "2025-12-30 18:00"},
		{"30th day in the January holidays, forward", "2025-12-05 10:00", 30, sla.ShiftForward, "2026-01-12 18:00"},
		{"30th day a working day", "2026-03-02 10:00", 30, sla.ShiftBack, "2026-04-01 18:00"},
		{"30th day a short day", "2026-03-31 10:00", 30, sla.ShiftForward, "2026-04-30 17:00"},
		{"7 days onto a transferred day off, forward", "2026-05-04 10:00", 7, sla.ShiftForward, "2026-05-12 18:00"},
		{"7 days onto a transferred day off, back", "2026-05-04 10:00", 7, sla.ShiftBack, "2026-05-08 17:00"},
		{"onto an unconfirmed year", "2027-12-10 10:00", 30, sla.ShiftForward, "2028-01-10 18:00"},
		{"far outside the tables", "2150-10-05 10:00", 30, sla.ShiftBack, "2150-11-03 17:00"},
		{"the hour does not matter", "2026-02-13 23:59", 30, sla.ShiftBack, "2026-03-13 18:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.CalendarDays(mustTime(t, tt.start), tt.n, tt.shift)
			if want := mustTime(t, tt.want); !got.Equal(want) {
				t.Errorf("CalendarDays(%s, %d, %v) = %s, want %s", tt.start, tt.n, tt.shift, fmtTime(got), fmtTime(want))
			}
		})
	}
}

func TestWorkingDayNeighbours(t *testing.T) {
	c := office(t)
	tests := []struct{ d, prev, next string }{
		{"2026-01-01", "2025-12-30", "2026-01-12"},
		{"2025-12-30", "2025-12-29", "2026-01-12"},
		{"2025-11-03", "2025-11-01", "2025-11-05"}, // the working Saturday
		{"2026-05-11", "2026-05-08", "2026-05-12"},
		{"2027-12-31", "2027-12-30", "2028-01-10"},
		{"2000-01-01", "1999-12-31", "2000-01-10"}, // across the start of the tables (fallback rules)
		{"2101-01-01", "2100-12-31", "2101-01-10"}, // across the end
		{"2200-06-12", "2200-06-11", "2200-06-13"},
	}
	for _, tt := range tests {
		d := mustDate(t, tt.d)
		if got := c.PrevWorkingDay(d).String(); got != tt.prev {
			t.Errorf("PrevWorkingDay(%s) = %s, want %s", tt.d, got, tt.prev)
		}
		if got := c.NextWorkingDay(d).String(); got != tt.next {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", tt.d, got, tt.next)
		}
	}
}

func TestShortDay(t *testing.T) {
	c := office(t)
	start, end, ok := c.Day(mustDate(t, "2026-04-30"))
	if !ok || start.Format("15:04") != "09:00" || end.Format("15:04") != "17:00" {
		t.Errorf("Day(2026-04-30) = %s–%s %v, want 09:00–17:00", start.Format("15:04"), end.Format("15:04"), ok)
	}
	// A day shorter than an hour is closed on a short day: the close never comes before the opening.
	tiny := mustNew(t, sla.Options{Week: mustWeek(t, "mon-fri 09:00-09:30")})
	if _, _, ok := tiny.Day(mustDate(t, "2026-04-30")); ok {
		t.Error("Day(2026-04-30) on a 30-minute calendar is open")
	}
	if got, want := tiny.AddDays(mustTime(t, "2026-04-29 09:00"), 1), mustTime(t, "2026-05-04 09:30"); !got.Equal(want) {
		t.Errorf("AddDays over an empty short day = %s, want %s", fmtTime(got), fmtTime(want))
	}
	// A week ending at 24:00 shortens to 23:00.
	late := mustNew(t, sla.Options{Week: mustWeek(t, "mon-fri 08:00-24:00")})
	if _, end, _ := late.Day(mustDate(t, "2026-04-30")); end.Format("15:04") != "23:00" {
		t.Errorf("short day on an 08:00-24:00 week ends at %s, want 23:00", end.Format("15:04"))
	}
}

func TestOverrides(t *testing.T) {
	c := mustNew(t, sla.Options{
		Name: "office",
		Week: sla.OfficeWeek,
		Overrides: []sla.Override{
			{Date: sla.Date{Year: 2026, Month: time.December, Day: 30}, Kind: sla.KindHoliday, Note: "приказ № 1"},
			{Date: sla.Date{Year: 2026, Month: time.December, Day: 26}, Kind: sla.KindWork, Note: "рабочая суббота"},
			{Date: sla.Date{Year: 2150, Month: time.March, Day: 2}, Kind: sla.KindOff},
		},
	})
	if got := c.Kind(mustDate(t, "2026-12-30")); got != sla.KindHoliday {
		t.Errorf("Kind(2026-12-30) = %q, want holiday", got)
	}
	if got := c.Note(mustDate(t, "2026-12-30")); got != "приказ № 1" {
		t.Errorf("Note(2026-12-30) = %q", got)
	}
	if got := c.Note(mustDate(t, "2026-01-07")); got != "Рождество Христово" {
		t.Errorf("Note(2026-01-07) = %q", got)
	}
	start, end, ok := c.Day(mustDate(t, "2026-12-26"))
	if !ok || start.Format("15:04") != "09:00" || end.Format("15:04") != "18:00" {
		t.Errorf("Day(2026-12-26) = %s–%s %v, want Monday's hours", start.Format("15:04"), end.Format("15:04"), ok)
	}
	tests := []struct {
		start string
		n     int
		want  string
	}{
		{"2026-12-25 12:00", 1, "2026-12-26 18:00"},
		{"2026-12-25 12:00", 2, "2026-12-28 18:00"},
		{"2026-12-29 10:00", 1, "2027-01-11 18:00"},
	}
	for _, tt := range tests {
		if got := c.AddDays(mustTime(t, tt.start), tt.n); !got.Equal(mustTime(t, tt.want)) {
			t.Errorf("AddDays(%s, %d) = %s, want %s", tt.start, tt.n, fmtTime(got), tt.want)
		}
	}
	if got, want := c.AddHours(mustTime(t, "2026-12-29 17:00"), 2*time.Hour), mustTime(t, "2027-01-11 10:00"); !got.Equal(want) {
		t.Errorf("AddHours over the overridden holiday = %s, want %s", fmtTime(got), fmtTime(want))
	}
	if got, want := c.AddHours(mustTime(t, "2026-12-25 17:00"), 2*time.Hour), mustTime(t, "2026-12-26 10:00"); !got.Equal(want) {
		t.Errorf("AddHours onto the working Saturday = %s, want %s", fmtTime(got), fmtTime(want))
	}
	// Outside the tables overrides apply too.
	if _, _, ok := c.Day(mustDate(t, "2150-03-02")); ok {
		t.Error("Day(2150-03-02) open despite the override")
	}
	// The calendar without overrides is unchanged.
	plain := office(t)
	if _, _, ok := plain.Day(mustDate(t, "2026-12-26")); ok {
		t.Error("Saturday 2026-12-26 open without an override")
	}
}

func TestAllHours(t *testing.T) {
	for _, o := range []sla.Options{
		{Name: "24x7", AllHours: true, Overrides: []sla.Override{{Date: sla.Date{Year: 2026, Month: 3, Day: 10}, Kind: sla.KindHoliday}}},
		{Name: "24x7", Week: mustWeek(t, "24x7")},
	} {
		c := mustNew(t, o)
		if !c.AllHours() {
			t.Fatalf("%+v: AllHours() = false", o)
		}
		start := mustTime(t, "2025-12-31 17:30")
		if got, want := c.AddHours(start, 72*time.Hour), mustTime(t, "2026-01-03 17:30"); !got.Equal(want) {
			t.Errorf("AddHours = %s, want %s", fmtTime(got), fmtTime(want))
		}
		if got, want := c.AddDays(start, 1), mustTime(t, "2026-01-02 00:00"); !got.Equal(want) {
			t.Errorf("AddDays = %s, want %s (the end of 1 January)", fmtTime(got), fmtTime(want))
		}
		if got := c.Between(start, mustTime(t, "2026-01-09 17:30")); got != 9*24*time.Hour {
			t.Errorf("Between = %v, want 216h", got)
		}
		if got, want := c.CalendarDays(mustTime(t, "2025-12-05 10:00"), 30, sla.ShiftBack), mustTime(t, "2026-01-05 00:00"); !got.Equal(want) {
			t.Errorf("CalendarDays = %s, want %s", fmtTime(got), fmtTime(want))
		}
		s, e, ok := c.Day(mustDate(t, "2026-01-01"))
		if !ok || e.Sub(s) != 24*time.Hour {
			t.Errorf("Day(2026-01-01) = %s–%s %v", fmtTime(s), fmtTime(e), ok)
		}
		if _, _, ok := c.Day(mustDate(t, "2026-03-10")); !ok {
			t.Error("AllHours calendar honours an override")
		}
		if got := c.Kind(mustDate(t, "2026-01-01")); got != "" {
			t.Errorf("Kind(2026-01-01) = %q, want \"\"", got)
		}
		if !c.Confirmed(2099) {
			t.Error("Confirmed(2099) = false")
		}
		if got := c.NextWorkingDay(mustDate(t, "2025-12-31")); got.String() != "2026-01-01" {
			t.Errorf("NextWorkingDay = %s", got)
		}
	}
}

func TestOutsideTables(t *testing.T) {
	c := office(t)
	end := mustTime(t, "2101-01-01 00:00")
	tests := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"AddHours past the end", c.AddHours(mustTime(t, "2100-12-30 12:00"), 1000*time.Hour), end},
		{"AddHours after the end", c.AddHours(mustTime(t, "2150-01-01 12:00"), time.Hour), mustTime(t, "2150-01-01 12:00")},
		{"AddHours huge", c.AddHours(mustTime(t, "2026-01-01 12:00"), 1<<62), end},
		{"AddDays past the end", c.AddDays(mustTime(t, "2100-12-30 12:00"), 10), end},
		{"AddDays huge", c.AddDays(mustTime(t, "2026-01-01 12:00"), 1<<62), end},
		{"AddHours before the start", c.AddHours(mustTime(t, "1999-12-31 12:00"), time.Hour), mustTime(t, "2000-01-10 10:00")},
		{"AddDays before the start", c.AddDays(mustTime(t, "1990-06-01 12:00"), 1), mustTime(t, "2000-01-10 18:00")},
	}
	for _, tt := range tests {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s: got %s, want %s", tt.name, fmtTime(tt.got), fmtTime(tt.want))
		}
	}
	if got := c.Between(mustTime(t, "2100-12-31 10:00"), mustTime(t, "2200-01-01 00:00")); got != 7*time.Hour {
		t.Errorf("Between past the end = %v, want 7h (31 Dec 2100 is short: 10:00-17:00)", got)
	}
	// Dates far outside the tables go by the ст. 112 rules.
	if _, end, ok := c.Day(mustDate(t, "2150-11-03")); !ok || end.Format("15:04") != "17:00" {
		t.Errorf("Day(2150-11-03) = %s %v, want a short day", end.Format("15:04"), ok)
	}
}

// TestMoscowBefore2014 checks the tables in the years when Moscow still changed its offset: a Sunday
// of the 2010 change to summer time has 23 hours.
func TestMoscowBefore2014(t *testing.T) {
	c := mustNew(t, sla.Options{Week: mustWeek(t, "sun 00:00-24:00")})
	a := time.Date(2010, 3, 28, 0, 0, 0, 0, sla.Moscow)
	b := time.Date(2010, 3, 29, 0, 0, 0, 0, sla.Moscow)
	if got := c.Between(a, b); got != 23*time.Hour {
		t.Errorf("Between over 2010-03-28 = %v, want 23h", got)
	}
	if got := c.AddHours(a, 23*time.Hour); !got.Equal(b) {
		t.Errorf("AddHours(2010-03-28, 23h) = %s, want %s", fmtTime(got), fmtTime(b))
	}
	o := office(t)
	if got, want := o.AddHours(time.Date(2013, 6, 3, 17, 0, 0, 0, sla.Moscow), 2*time.Hour), time.Date(2013, 6, 4, 10, 0, 0, 0, sla.Moscow); !got.Equal(want) {
		t.Errorf("AddHours in 2013 (UTC+4) = %s, want %s", fmtTime(got), fmtTime(want))
	}
	if _, off := o.AddDays(time.Date(2013, 6, 3, 12, 0, 0, 0, time.UTC), 1).Zone(); off != 4*3600 {
		t.Errorf("2013 offset = %d, want UTC+4", off)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		o    sla.Options
		want string
	}{
		{"no working day", sla.Options{Name: "x"}, "no working day"},
		{"start after end", sla.Options{Week: sla.Week{time.Monday: {18 * time.Hour, 9 * time.Hour}}}, "start < end"},
		{"end after 24h", sla.Options{Week: sla.Week{time.Monday: {9 * time.Hour, 25 * time.Hour}}}, "start < end"},
		{"negative start", sla.Options{Week: sla.Week{time.Monday: {-time.Hour, 9 * time.Hour}}}, "start < end"},
		{"fractions of a second", sla.Options{Week: sla.Week{time.Monday: {9 * time.Hour, 10*time.Hour + time.Millisecond}}}, "whole seconds"},
		{"bad kind", sla.Options{Week: sla.OfficeWeek, Overrides: []sla.Override{{Date: sla.Date{Year: 2026, Month: 1, Day: 1}, Kind: "vacation"}}}, "unknown kind"},
		{"empty kind", sla.Options{Week: sla.OfficeWeek, Overrides: []sla.Override{{Date: sla.Date{Year: 2026, Month: 1, Day: 1}}}}, "unknown kind"},
		{"bad date", sla.Options{Week: sla.OfficeWeek, Overrides: []sla.Override{{Date: sla.Date{Year: 2026, Month: 2, Day: 30}, Kind: sla.KindOff}}}, "invalid date"},
		{"twice", sla.Options{Week: sla.OfficeWeek, Overrides: []sla.Override{
			{Date: sla.Date{Year: 2026, Month: 2, Day: 3}, Kind: sla.KindOff},
			{Date: sla.Date{Year: 2026, Month: 2, Day: 3}, Kind: sla.KindWork},
		}}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sla.New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCustomWeeks(t *testing.T) {
	// Monday to Thursday 09:00–18:00, Friday 09:00–16:45.
	c := mustNew(t, sla.Options{Week: mustWeek(t, "mon-thu 09:00-18:00, fri 09:00-16:45")})
	tests := []struct{ date, start, end string }{
		{"2026-03-13", "09:00", "16:45"},
		{"2026-05-08", "09:00", "15:45"}, // a short Friday
		{"2025-11-01", "09:00", "17:00"}, // a working Saturday takes Monday's hours, shortened
	}
	for _, tt := range tests {
		s, e, ok := c.Day(mustDate(t, tt.date))
		if !ok || s.Format("15:04") != tt.start || e.Format("15:04") != tt.end {
			t.Errorf("Day(%s) = %s–%s %v, want %s–%s", tt.date, s.Format("15:04"), e.Format("15:04"), ok, tt.start, tt.end)
		}
	}
	// A Tuesday-to-Saturday office: an ordinary Saturday works, a holiday Saturday does not, and a
	// working Saturday by transfer takes the hours of the first open day (Tuesday).
	ts := mustNew(t, sla.Options{Week: mustWeek(t, "tue-fri 10:00-19:00, sat 10:00-15:00")})
	for _, tt := range []struct {
		date string
		ok   bool
		end  string
	}{
		{"2026-03-14", true, "15:00"},
		{"2026-03-16", false, ""}, // Monday
		{"2027-05-01", false, ""}, // a holiday Saturday
		{"2027-02-20", true, "18:00"},
	} {
		_, e, ok := ts.Day(mustDate(t, tt.date))
		if ok != tt.ok || (ok && e.Format("15:04") != tt.end) {
			t.Errorf("Day(%s) = %s %v, want %s %v", tt.date, e.Format("15:04"), ok, tt.end, tt.ok)
		}
	}
}
