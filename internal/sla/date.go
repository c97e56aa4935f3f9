package sla

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Moscow must load on hosts without a zoneinfo database
)

// Moscow is Europe/Moscow, the zone every deadline is computed and reported in. It comes from the
// host's zoneinfo database or, failing that, from the copy embedded by time/tzdata, so it loads on any
// host.
var Moscow = loadMoscow()

func loadMoscow() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		// Unreachable with time/tzdata linked in; UTC+3 has been Moscow's offset since 2014.
		return time.FixedZone("MSK", 3*60*60)
	}
	return loc
}

// Date is a calendar date: no time of day, no zone. The zero Date is not a valid date. Functions that
// take a Date normalise an out-of-range month or day the way time.Date does (2026-02-30 is
// 2026-03-02).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a date in the form "2026-01-09".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("sla: date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String returns the date in the form "2026-01-09".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// DateOf returns the date of t in Moscow time.
func DateOf(t time.Time) Date {
	return civil(dayOf(t))
}

// Add returns the date n days after d (before it when n is negative).
func (d Date) Add(n int) Date {
	return civil(d.days() + n)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return weekday(d.days())
}

// Compare returns -1 if d is before e, 0 if they are the same date and +1 if d is after e.
func (d Date) Compare(e Date) int {
	a, b := d.days(), e.days()
	switch {
	case a < b:
		return -1
	case a > b:
		return +1
	}
	return 0
}

// Midnight returns the start (00:00) of d in Moscow time.
func (d Date) Midnight() time.Time {
	return time.Unix(midnight(d.days()), 0).In(Moscow)
}

// days returns d as a day number: days since 1970-01-01 in the proleptic Gregorian calendar.
func (d Date) days() int {
	return daysFromCivil(d.Year, d.Month, d.Day)
}

// daysFromCivil converts a date to its day number (H. Hinnant's algorithm). It is linear in the day,
// so an out-of-range day rolls into the neighbouring months, and it normalises the month first.
func daysFromCivil(y int, month time.Month, d int) int {
	m := int(month) - 1
	y += floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12 + 1
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civil converts a day number back to a date.
func civil(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), d}
}

// weekday returns the day of the week of day number z (1970-01-01 was a Thursday).
func weekday(z int) time.Weekday {
	return time.Weekday(z - floorDiv(z+4, 7)*7 + 4)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// The zone. Moscow's offset has been fixed (UTC+3) since 26 October 2014, so from then on a day's
// midnight and the day of an instant are plain arithmetic; before, they go through the time package.
// zone finds the last offset change before the end of the precomputed range from the zone data itself
// rather than trusting a constant.
var zone = findZone()

type zoneInfo struct {
	fixedFrom   int64 // Unix seconds of the last offset change before fixedUntil
	fixedUntil  int64 // Unix seconds of the end of the precomputed range
	fixedDay    int   // the first day number whose midnight is at or after fixedFrom
	endDay      int   // the day number of the end of the precomputed range
	fixedOffset int64 // seconds east of UTC from fixedFrom to fixedUntil
}

func findZone() zoneInfo {
	first := time.Date(firstYear, time.January, 1, 0, 0, 0, 0, Moscow)
	until := time.Date(lastYear+1, time.January, 1, 0, 0, 0, 0, Moscow)
	from := first
	for t := first; ; {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(until) {
			break
		}
		from, t = end, end
	}
	_, off := from.Zone()
	local := from.In(Moscow)
	fixedDay := daysFromCivil(local.Year(), local.Month(), local.Day())
	if local.Hour() != 0 || local.Minute() != 0 || local.Second() != 0 || local.Nanosecond() != 0 {
		fixedDay++
	}
	return zoneInfo{
		fixedFrom:   from.Unix(),
		fixedUntil:  until.Unix(),
		fixedDay:    fixedDay,
		endDay:      daysFromCivil(lastYear+1, time.January, 1),
		fixedOffset: int64(off),
	}
}

// dayOf returns the day number of t's date in Moscow time.
func dayOf(t time.Time) int {
	if s := t.Unix(); s >= zone.fixedFrom && s < zone.fixedUntil {
		return int(floorDiv64(s+zone.fixedOffset, 86400))
	}
	y, m, d := t.In(Moscow).Date()
	return daysFromCivil(y, m, d)
}

// midnight returns the Unix time of the start of day z in Moscow.
func midnight(z int) int64 {
	if z >= zone.fixedDay && z <= zone.endDay {
		return int64(z)*86400 - zone.fixedOffset
	}
	d := civil(z)
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Moscow).Unix()
}
