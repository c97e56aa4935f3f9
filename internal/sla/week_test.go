package sla_test

import (
	"errors"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

func TestParseWeek(t *testing.T) {
	h := func(a, b time.Duration) sla.Hours { return sla.Hours{Start: a, End: b} }
	nine := h(9*time.Hour, 18*time.Hour)
	tests := []struct {
		in   string
		want sla.Week
		str  string
	}{
		{"mon-fri 09:00-18:00", sla.OfficeWeek, "mon-fri 09:00-18:00"},
		{"MON-FRI 9:00-18:00", sla.OfficeWeek, "mon-fri 09:00-18:00"},
		{"пн-пт 09:00-18:00", sla.OfficeWeek, "mon-fri 09:00-18:00"},
		{"Пн–Пт  09:00 – 18:00", sla.OfficeWeek, "mon-fri 09:00-18:00"},
		{"mon-thu 09:00-18:00, fri 09:00-16:45", sla.Week{
			time.Monday: nine, time.Tuesday: nine, time.Wednesday: nine, time.Thursday: nine,
			time.Friday: h(9*time.Hour, 16*time.Hour+45*time.Minute),
		}, "mon-thu 09:00-18:00, fri 09:00-16:45"},
		{"sat-sun 10:00-24:00", sla.Week{time.Saturday: h(10*time.Hour, 24*time.Hour), time.Sunday: h(10*time.Hour, 24*time.Hour)}, "sat-sun 10:00-24:00"},
		{"fri-mon 08:00-08:00:30", sla.Week{
			time.Friday: h(8*time.Hour, 8*time.Hour+30*time.Second), time.Saturday: h(8*time.Hour, 8*time.Hour+30*time.Second),
			time.Sunday: h(8*time.Hour, 8*time.Hour+30*time.Second), time.Monday: h(8*time.Hour, 8*time.Hour+30*time.Second),
		}, "mon 08:00-08:00:30, fri-sun 08:00-08:00:30"},
	}
	for _, tt := range tests {
		got, err := sla.ParseWeek(tt.in)
		if err != nil {
			t.Errorf("ParseWeek(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseWeek(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseWeek(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		if again, err := sla.ParseWeek(got.String()); err != nil || again != got {
			t.Errorf("ParseWeek(%q) does not round-trip: %v, %v", got.String(), again, err)
		}
	}
	all, err := sla.ParseWeek("24x7")
	if err != nil {
		t.Fatal(err)
	}
	for wd, h := range all {
		if h.Start != 0 || h.End != 24*time.Hour {
			t.Errorf("24x7 %s = %v", time.Weekday(wd), h)
		}
	}
	if all.String() != "24x7" {
		t.Errorf("24x7 String() = %q", all.String())
	}
}

// TestParseWeekErrors: each week that cannot be read says what is wrong with which part of it.
func TestParseWeekErrors(t *testing.T) {
	for _, tt := range []struct {
		in   string
		kind sla.WeekErrorKind
		part string
	}{
		{"", sla.WeekEmpty, ""},
		{"mon-fri", sla.WeekGroup, "mon-fri"},
		{"mon-fri 09:00", sla.WeekHours, "09:00"},
		{"mon-fri 18:00-09:00", sla.WeekOrder, "18:00-09:00"},
		{"mon-fri 09:00-09:00", sla.WeekOrder, "09:00-09:00"},
		{"mon-fri 09:00-25:00", sla.WeekLate, "25:00"},
		{"mon-fri 09:00-24:01", sla.WeekLate, "24:01"},
		{"mon-fri 9-18", sla.WeekHours, "9-18"},
		{"mon-fri 09:60-18:00", sla.WeekHours, "09:60-18:00"},
		{"mon-fri 09:00-18:0", sla.WeekHours, "09:00-18:0"},
		{"mon-fri -1:00-18:00", sla.WeekHours, "-1:00-18:00"},
		{"xyz 09:00-18:00", sla.WeekDay, "xyz"},
		{"mon-xyz 09:00-18:00", sla.WeekDay, "xyz"},
		{"пн-пт 09:00-18:00, пт 10:00-12:00", sla.WeekTwice, "fri"},
		{"каждый день с утра", sla.WeekDay, "каждый"},
	} {
		w, err := sla.ParseWeek(tt.in)
		var e *sla.WeekError
		if !errors.As(err, &e) || e.Kind != tt.kind || e.Part != tt.part || e.Week != tt.in {
			t.Errorf("ParseWeek(%q) = %v, %v; want a %s error on %q", tt.in, w, err, tt.kind, tt.part)
		}
	}
}

func TestDate(t *testing.T) {
	d := mustDate(t, "2026-01-09")
	if d != (sla.Date{Year: 2026, Month: time.January, Day: 9}) || d.String() != "2026-01-09" {
		t.Errorf("ParseDate = %+v %s", d, d)
	}
	for _, bad := range []string{"2026-02-30", "2026-1-9", "09.01.2026", ""} {
		if _, err := sla.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
	if got := d.Add(-9).String(); got != "2025-12-31" {
		t.Errorf("Add(-9) = %s", got)
	}
	if got := (sla.Date{Year: 2026, Month: 2, Day: 30}).Add(0).String(); got != "2026-03-02" {
		t.Errorf("normalised 2026-02-30 = %s", got)
	}
	if got := (sla.Date{Year: 2026, Month: 14, Day: 1}).Add(0).String(); got != "2027-02-01" {
		t.Errorf("normalised month 14 = %s", got)
	}
	if d.Weekday() != time.Friday {
		t.Errorf("Weekday = %s", d.Weekday())
	}
	if d.Compare(d.Add(1)) != -1 || d.Add(1).Compare(d) != 1 || d.Compare(d) != 0 {
		t.Error("Compare")
	}
	if got := d.Midnight(); !got.Equal(time.Date(2026, 1, 8, 21, 0, 0, 0, time.UTC)) || got.Location() != sla.Moscow {
		t.Errorf("Midnight = %s", fmtTime(got))
	}
	// DateOf uses Moscow time: 21:30 UTC is 00:30 the next day.
	if got := sla.DateOf(time.Date(2026, 3, 10, 21, 30, 0, 0, time.UTC)).String(); got != "2026-03-11" {
		t.Errorf("DateOf = %s", got)
	}
	if got := sla.DateOf(time.Date(2010, 7, 1, 20, 30, 0, 0, time.UTC)).String(); got != "2010-07-02" { // UTC+4 in summer 2010
		t.Errorf("DateOf(2010) = %s", got)
	}
	// Every day from 1900 to 2300 agrees with the time package.
	for tm := time.Date(1900, 1, 1, 12, 0, 0, 0, time.UTC); tm.Year() < 2300; tm = tm.AddDate(0, 0, 1) {
		got := sla.DateOf(tm)
		y, m, dd := tm.In(sla.Moscow).Date()
		if got != (sla.Date{Year: y, Month: m, Day: dd}) || got.Weekday() != tm.In(sla.Moscow).Weekday() {
			t.Fatalf("DateOf(%s) = %s %s", tm, got, got.Weekday())
		}
		if !got.Midnight().Equal(time.Date(y, m, dd, 0, 0, 0, 0, sla.Moscow)) {
			t.Fatalf("Midnight(%s) = %s", got, fmtTime(got.Midnight()))
		}
	}
}
