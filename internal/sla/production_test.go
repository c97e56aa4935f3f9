package sla_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

// goldenYears restates DOMAIN.md §1's table for each year with a file: the weekdays off, the working
// Saturdays and the short days. It is written independently of data/ru so that the two check each
// other.
var goldenYears = []struct {
	year        int
	decree      string
	offWeekdays []string
	workingSat  []string
	short       []string
}{
	{
		year:   2025,
		decree: "Постановление Правительства РФ от 04.10.2024 № 1335",
		offWeekdays: []string{"01-01", "01-02", "01-03", "01-06", "01-07", "01-08", "05-01", "05-02", "05-08", "05-09",
			"06-12", "06-13", "11-03", "11-04", "12-31"},
		workingSat: []string{"11-01"},
		short:      []string{"03-07", "04-30", "06-11", "11-01"},
	},
	{
		year:   2026,
		decree: "Постановление Правительства РФ от 24.09.2025 № 1466",
		offWeekdays: []string{"01-01", "01-02", "01-05", "01-06", "01-07", "01-08", "01-09", "02-23", "03-09", "05-01",
			"05-11", "06-12", "11-04", "12-31"},
		short: []string{"04-30", "05-08", "06-11", "11-03"},
	},
	{
		year:   2027,
		decree: "Постановление Правительства РФ от 17.09.2026 № 1187",
		offWeekdays: []string{"01-01", "01-04", "01-05", "01-06", "01-07", "01-08", "02-22", "02-23", "03-08", "05-03",
			"05-10", "06-14", "11-04", "11-05", "12-31"},
		workingSat: []string{"02-20"},
		short:      []string{"02-20", "04-30", "06-11", "11-03"},
	},
}

// TestGoldenYears checks every date of 2025–2027 against DOMAIN.md on a 09:00–17:00 Monday-to-Friday
// calendar, and the golden totals: 247 working days and 1,972 working hours a year.
func TestGoldenYears(t *testing.T) {
	c := mustNew(t, sla.Options{Name: "8h", Week: mustWeek(t, "mon-fri 09:00-17:00")})
	for _, g := range goldenYears {
		t.Run(time.Date(g.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			set := func(days []string) map[string]bool {
				m := map[string]bool{}
				for _, d := range days {
					m[d] = true
				}
				return m
			}
			off, sat, short := set(g.offWeekdays), set(g.workingSat), set(g.short)
			days, hours := 0, time.Duration(0)
			for d := (sla.Date{Year: g.year, Month: time.January, Day: 1}); d.Year == g.year; d = d.Add(1) {
				md := d.String()[5:]
				wd := d.Weekday()
				weekend := wd == time.Saturday || wd == time.Sunday
				wantOpen := (!weekend && !off[md]) || sat[md]
				wantEnd := 17 * time.Hour
				if short[md] {
					wantEnd = 16 * time.Hour
				}
				start, end, ok := c.Day(d)
				if ok != wantOpen {
					t.Errorf("Day(%s, %s) ok = %v, want %v (kind %q)", d, wd, ok, wantOpen, c.Kind(d))
					continue
				}
				if !ok {
					continue
				}
				mid := d.Midnight()
				if got := start.Sub(mid); got != 9*time.Hour {
					t.Errorf("Day(%s) start = %s, want 09:00", d, start.Format("15:04"))
				}
				if got := end.Sub(mid); got != wantEnd {
					t.Errorf("Day(%s) end = %s, want %s", d, end.Format("15:04"), mid.Add(wantEnd).Format("15:04"))
				}
				if got, want := c.Kind(d) == sla.KindShort, short[md]; got != want {
					t.Errorf("Kind(%s) = %q, short %v", d, c.Kind(d), want)
				}
				days++
				hours += end.Sub(start)
			}
			if days != 247 {
				t.Errorf("%d working days, want 247", days)
			}
			if hours != 1972*time.Hour {
				t.Errorf("%v working hours by Day, want 1972h", hours)
			}
			a := time.Date(g.year, 1, 1, 0, 0, 0, 0, sla.Moscow)
			b := time.Date(g.year+1, 1, 1, 0, 0, 0, 0, sla.Moscow)
			if got := c.Between(a, b); got != 1972*time.Hour {
				t.Errorf("Between(year) = %v, want 1972h", got)
			}
			if !c.Confirmed(g.year) {
				t.Errorf("Confirmed(%d) = false", g.year)
			}
			if got := sla.Decree(g.year); got != g.decree {
				t.Errorf("Decree(%d) = %q, want %q", g.year, got, g.decree)
			}
		})
	}
}

// TestTransfers names DOMAIN.md's transfer dates one by one.
func TestTransfers(t *testing.T) {
	c := office(t)
	tests := []struct {
		date    string
		kind    sla.DayKind
		working bool
		end     string // close on a working day
	}{
		// 2025: 4 Jan → 2 May, 5 Jan → 31 Dec, 23 Feb → 8 May, 8 Mar → 13 Jun, 1 Nov → 3 Nov.
		{"2025-01-04", sla.KindHoliday, false, ""},
		{"2025-01-05", sla.KindHoliday, false, ""},
		{"2025-02-23", sla.KindHoliday, false, ""},
		{"2025-02-24", "", true, "18:00"}, // not a day off: 23 Feb moved to 8 May
		{"2025-03-07", sla.KindShort, true, "17:00"},
		{"2025-03-08", sla.KindHoliday, false, ""},
		{"2025-03-10", "", true, "18:00"}, // not a day off: 8 Mar moved to 13 Jun
		{"2025-05-02", sla.KindOff, false, ""},
		{"2025-05-08", sla.KindOff, false, ""},
		{"2025-06-13", sla.KindOff, false, ""},
		{"2025-11-01", sla.KindShort, true, "17:00"}, // a working, short Saturday with Monday's hours
		{"2025-11-03", sla.KindOff, false, ""},
		{"2025-11-04", sla.KindHoliday, false, ""},
		{"2025-12-30", "", true, "18:00"}, // the last working day of 2025 is a full day
		{"2025-12-31", sla.KindOff, false, ""},
		// 2026: 3 Jan → 9 Jan, 4 Jan → 31 Dec; ст. 112: 8 Mar → 9 Mar, 9 May → 11 May.
		{"2026-01-09", sla.KindOff, false, ""},
		{"2026-01-12", "", true, "18:00"},
		{"2026-02-23", sla.KindHoliday, false, ""},
		{"2026-03-06", "", true, "18:00"}, // 7 Mar is a Saturday, not a holiday: a full day
		{"2026-03-09", sla.KindOff, false, ""},
		{"2026-04-30", sla.KindShort, true, "17:00"},
		{"2026-05-08", sla.KindShort, true, "17:00"},
		{"2026-05-11", sla.KindOff, false, ""},
		{"2026-06-11", sla.KindShort, true, "17:00"},
		{"2026-11-03", sla.KindShort, true, "17:00"},
		{"2026-12-30", "", true, "18:00"},
		{"2026-12-31", sla.KindOff, false, ""},
		// 2027: 2 Jan → 5 Nov, 3 Jan → 31 Dec, 20 Feb → 22 Feb; ст. 112: 1 May → 3 May, 9 May → 10 May,
		// 12 Jun → 14 Jun.
		{"2027-01-11", "", true, "18:00"},
		{"2027-02-20", sla.KindShort, true, "17:00"},
		{"2027-02-22", sla.KindOff, false, ""},
		{"2027-02-23", sla.KindHoliday, false, ""},
		{"2027-05-03", sla.KindOff, false, ""},
		{"2027-05-10", sla.KindOff, false, ""},
		{"2027-06-14", sla.KindOff, false, ""},
		{"2027-11-05", sla.KindOff, false, ""},
		{"2027-12-31", sla.KindOff, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d := mustDate(t, tt.date)
			if got := c.Kind(d); got != tt.kind {
				t.Errorf("Kind = %q, want %q", got, tt.kind)
			}
			_, end, ok := c.Day(d)
			if ok != tt.working {
				t.Fatalf("Day ok = %v, want %v", ok, tt.working)
			}
			if ok && end.Format("15:04") != tt.end {
				t.Errorf("Day end = %s, want %s", end.Format("15:04"), tt.end)
			}
		})
	}
}

// TestFallback checks a year with no file (2028) against the ст. 112 rules.
func TestFallback(t *testing.T) {
	c := mustNew(t, sla.Options{Week: mustWeek(t, "mon-fri 09:00-17:00")})
	if c.Confirmed(2028) {
		t.Error("Confirmed(2028) = true")
	}
	if got := sla.Decree(2028); got != "" {
		t.Errorf("Decree(2028) = %q", got)
	}
	tests := []struct {
		date string
		kind sla.DayKind
		ok   bool
	}{
		{"2028-01-01", sla.KindHoliday, false}, // a Saturday: 1–8 Jan never move without a decree
		{"2028-01-03", sla.KindHoliday, false},
		{"2028-01-08", sla.KindHoliday, false},
		{"2028-01-10", "", true},
		{"2028-02-22", sla.KindShort, true},
		{"2028-02-23", sla.KindHoliday, false},
		{"2028-03-07", sla.KindShort, true},
		{"2028-04-28", "", true}, // 30 Apr is a Sunday: no working day immediately before 1 May
		{"2028-05-01", sla.KindHoliday, false},
		{"2028-05-08", sla.KindShort, true},
		{"2028-05-09", sla.KindHoliday, false},
		{"2028-06-12", sla.KindHoliday, false},
		{"2028-11-03", sla.KindShort, true},
		{"2028-11-04", sla.KindHoliday, false}, // a Saturday
		{"2028-11-06", sla.KindOff, false},     // 4 Nov moved to Monday
		{"2028-12-29", "", true},               // 31 Dec is a Sunday: no short day
	}
	for _, tt := range tests {
		d := mustDate(t, tt.date)
		if got := c.Kind(d); got != tt.kind {
			t.Errorf("Kind(%s) = %q, want %q", d, got, tt.kind)
		}
		if _, _, ok := c.Day(d); ok != tt.ok {
			t.Errorf("Day(%s) ok = %v, want %v", d, ok, tt.ok)
		}
	}
	// 2029-12-31 is a Monday: short, before 1 January.
	if got := c.Kind(mustDate(t, "2029-12-31")); got != sla.KindShort {
		t.Errorf("Kind(2029-12-31) = %q, want short", got)
	}
	// 249 working days (no decree moves 1 and 2 January), 4 short: 1988 hours.
	a := time.Date(2028, 1, 1, 0, 0, 0, 0, sla.Moscow)
	if got := c.Between(a, a.AddDate(1, 0, 0)); got != 1988*time.Hour {
		t.Errorf("Between(2028) = %v, want 1988h", got)
	}
	// Outside the tables the same rules apply, date by date.
	for _, tt := range []struct {
		date string
		kind sla.DayKind
	}{
		{"2150-11-04", sla.KindHoliday}, {"2150-11-03", sla.KindShort}, {"1990-05-09", sla.KindHoliday},
		{"2101-01-07", sla.KindHoliday}, {"2101-01-10", ""},
	} {
		if got := c.Kind(mustDate(t, tt.date)); got != tt.kind {
			t.Errorf("Kind(%s) = %q, want %q", tt.date, got, tt.kind)
		}
	}
}

// TestFallbackMatchesDecree runs the ст. 112 rules over 2026 and 2027 and checks that they differ from
// the files only on the dates the decrees transfer.
func TestFallbackMatchesDecree(t *testing.T) {
	c := mustNew(t, sla.Options{Week: sla.OfficeWeek})
	for _, tt := range []struct {
		year     int
		override []sla.Override // undo the decree's own transfers, leaving the ст. 112 ones
	}{
		{2026, []sla.Override{
			{Date: sla.Date{Year: 2026, Month: 1, Day: 9}, Kind: sla.KindWork},
			{Date: sla.Date{Year: 2026, Month: 12, Day: 31}, Kind: sla.KindShort},
		}},
		{2027, []sla.Override{
			{Date: sla.Date{Year: 2027, Month: 2, Day: 20}, Kind: sla.KindOff},
			{Date: sla.Date{Year: 2027, Month: 2, Day: 22}, Kind: sla.KindShort},
			{Date: sla.Date{Year: 2027, Month: 11, Day: 5}, Kind: sla.KindWork},
			{Date: sla.Date{Year: 2027, Month: 12, Day: 31}, Kind: sla.KindShort},
		}},
	} {
		undone := mustNew(t, sla.Options{Week: sla.OfficeWeek, Overrides: tt.override})
		// The same year with no file: the weekday pattern of a year in the future that repeats it.
		future := tt.year + 28*((2101-tt.year)/28) // the Gregorian calendar repeats every 28 years in 1901–2099
		if future > 2099 {
			future -= 28
		}
		for d := (sla.Date{Year: tt.year, Month: 1, Day: 1}); d.Year == tt.year; d = d.Add(1) {
			f := sla.Date{Year: future, Month: d.Month, Day: d.Day}
			_, e1, ok1 := undone.Day(d)
			_, e2, ok2 := c.Day(f)
			if ok1 != ok2 || (ok1 && e1.Format("15:04") != e2.Format("15:04")) {
				t.Errorf("%s (%s) vs %s: decree-less file says %v %s, ст. 112 rules say %v %s",
					d, c.Kind(d), f, ok1, e1.Format("15:04"), ok2, e2.Format("15:04"))
			}
		}
	}
}

func TestYears(t *testing.T) {
	if got, want := sla.Years(), []int{2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v, want %v", got, want)
	}
}

// TestDataFiles checks the files themselves: their shape, their weekdays and the 2027 caveat.
func TestDataFiles(t *testing.T) {
	names, err := filepath.Glob("data/ru/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no data files: %v", err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Year      int    `json:"year"`
			Decree    string `json:"decree"`
			Confirmed bool   `json:"confirmed"`
			Note      string `json:"note"`
			Days      []struct {
				Date, Kind, From, Note string
			} `json:"days"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !f.Confirmed || f.Decree == "" {
			t.Errorf("%s: confirmed %v, decree %q", name, f.Confirmed, f.Decree)
		}
		if f.Year == 2027 && f.Note == "" {
			t.Errorf("%s: the caveat about the unseen decree text is missing", name)
		}
		holidays := 0
		for _, d := range f.Days {
			date := mustDate(t, d.Date)
			if d.Kind == "off" && d.From == "" {
				t.Errorf("%s: %s: off without from", name, d.Date)
			}
			if d.Kind == "holiday" {
				holidays++
			}
			if d.From != "" && mustDate(t, d.From).Year != date.Year {
				t.Errorf("%s: %s: from %s is in another year", name, d.Date, d.From)
			}
		}
		if holidays != 14 {
			t.Errorf("%s: %d holidays, want the 14 of ст. 112", name, holidays)
		}
	}
}

// TestProductionYear: each year built in gives its decree, its marked days as its file has them, and
// the golden norm of a five-day, forty-hour week; a year without a file gives none; the years missing
// are this one, and next one from September.
func TestProductionYear(t *testing.T) {
	for _, g := range goldenYears {
		y, ok := sla.ProductionYear(g.year)
		if !ok || y.Decree != g.decree || y.WorkingDays != 247 || y.Hours != 1972 {
			t.Errorf("ProductionYear(%d) = %v, %q, %d days, %d hours; want %q, 247, 1972", g.year, ok, y.Decree, y.WorkingDays, y.Hours, g.decree)
		}
		short := 0
		for _, d := range y.Days {
			if d.Date.Year != g.year {
				t.Errorf("%d lists %s", g.year, d.Date)
			}
			if d.Kind == sla.KindShort {
				short++
			}
		}
		if short != len(g.short) {
			t.Errorf("%d: %d short days listed, want %d", g.year, short, len(g.short))
		}
	}
	if y, ok := sla.ProductionYear(2031); ok || y.Decree != "" {
		t.Errorf("ProductionYear(2031) = %+v, %v; want none", y, ok)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02", s, sla.Moscow)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := sla.Years()[len(sla.Years())-1]
	for _, c := range []struct {
		now  time.Time
		want []int
	}{
		{at(fmt.Sprint(last) + "-08-31"), nil},
		{at(fmt.Sprint(last) + "-09-01"), []int{last + 1}},
		{at(fmt.Sprint(last+1) + "-01-10"), []int{last + 1}},
		{at(fmt.Sprint(last+1) + "-10-01"), []int{last + 1, last + 2}},
	} {
		if got := sla.MissingYears(c.now); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("MissingYears(%s) = %v, want %v", c.now.Format("2006-01-02"), got, c.want)
		}
	}
}
