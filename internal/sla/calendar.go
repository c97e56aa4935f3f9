// Package sla computes the deadlines Otklik promises citizens: working time and working days on
// business calendars in Moscow time, over the Russian production calendar (производственный
// календарь).
//
// A Calendar is a weekly schedule (Week) laid over the production calendar: public holidays and
// transferred days off close the office, a Saturday made working opens it with Monday's hours, and a
// short pre-holiday day closes it an hour early. The production calendar comes from embedded files,
// one per year (data/ru/YYYY.json, written from the government's decrees); a year without a file
// follows the rules of ТК РФ ст. 112 and is reported as unconfirmed. An administrator's Override wins
// over both.
//
// Everything is pure computation over tables precomputed by New for 2000–2100, so a deadline costs
// tens of nanoseconds (BenchmarkAddHours). Inside that range the results are exact to the nanosecond; see
// Calendar for what happens outside it. All times returned are in Moscow time.
package sla

import (
	"fmt"
	"time"
)

// Override is an administrator's change to the production calendar for one date; it wins over the
// embedded file and the ст. 112 rules. KindWork on a weekday makes it an ordinary working day (to undo
// a day off). An override changes only its own date: making a date a holiday does not shorten the day
// before it; add a KindShort override for that.
type Override struct {
	Date Date
	Kind DayKind
	Note string
}

// Options configures New.
type Options struct {
	// Name identifies the calendar (such as "office" or "24x7"); Otklik's settings refer to it.
	Name string
	// Week is the regular schedule. A Saturday or Sunday made working (KindWork or KindShort) uses
	// Monday's hours, or those of the first open day after Monday when Monday is closed; a weekday of
	// kind KindWork or KindShort keeps its own hours and stays closed if the week closes it.
	Week Week
	// AllHours makes every minute of every day count: the production calendar, the overrides and Week
	// are ignored. A Week that is open 00:00–24:00 on all seven days (ParseWeek("24x7")) sets it too.
	AllHours bool
	// Overrides are administrators' changes to the production calendar, at most one per date.
	Overrides []Override
}

// Calendar is a business calendar: which instants are working time. It is immutable and safe for
// concurrent use.
//
// The interval arithmetic (AddHours, AddDays, Between) uses tables that cover 2000-01-01 00:00 to
// 2101-01-01 00:00 Moscow time. It sees no working time outside that range: Between counts only the
// part of [a, b) inside it, and a deadline that would fall after it is the later of the range end and
// the start. The date functions (Day, Kind, Note, PrevWorkingDay, NextWorkingDay, CalendarDays) work
// for any year. A calendar with AllHours has no range limits.
type Calendar struct {
	name      string
	week      Week
	all       bool
	overrides map[int]Override // by day number

	// The tables, indexed by day number minus firstDay.
	slots  []slot             // the distinct working intervals; slots[0] is closed
	class  []uint8            // the slot of each day
	prefix []uint32           // prefix[i]: working seconds before day i (len numDays+1)
	work   []uint16           // the days with working time, ascending
	slotOf [7][numKinds]uint8 // the slot of a day by weekday and kind
}

// slot is a working interval in seconds since midnight; start == end means closed.
type slot struct{ start, end int32 }

const nsPerSec = int64(time.Second)

var (
	rangeStart = midnight(firstDay) // Unix seconds
	rangeEnd   = midnight(endDay)
)

// New validates o and builds the calendar's tables (about 250 KB).
func New(o Options) (*Calendar, error) {
	c := &Calendar{name: o.Name, week: o.Week, all: o.AllHours || o.Week == allDay}
	overrides := make(map[int]Override, len(o.Overrides))
	for _, ov := range o.Overrides {
		z := ov.Date.days()
		if civil(z) != ov.Date {
			return nil, fmt.Errorf("sla: calendar %q: override: invalid date %d-%02d-%02d", o.Name, ov.Date.Year, int(ov.Date.Month), ov.Date.Day)
		}
		if _, ok := kindCode(ov.Kind); !ok {
			return nil, fmt.Errorf("sla: calendar %q: override %s: unknown kind %q", o.Name, ov.Date, ov.Kind)
		}
		if _, dup := overrides[z]; dup {
			return nil, fmt.Errorf("sla: calendar %q: override %s given twice", o.Name, ov.Date)
		}
		overrides[z] = ov
	}
	if c.all {
		c.week = allDay
		return c, nil
	}
	open := false
	for wd, h := range o.Week {
		if err := h.valid(); err != nil {
			return nil, fmt.Errorf("sla: calendar %q: %s: %w", o.Name, time.Weekday(wd), err)
		}
		open = open || h.Open()
	}
	if !open {
		return nil, fmt.Errorf("sla: calendar %q: the week has no working day", o.Name)
	}
	c.overrides = overrides

	c.slots = []slot{{}}
	for wd := range 7 {
		for k := range numKinds {
			h := c.hoursFor(time.Weekday(wd), k)
			if !h.Open() {
				continue
			}
			s := slot{int32(h.Start / time.Second), int32(h.End / time.Second)}
			idx := -1
			for i, t := range c.slots {
				if t == s {
					idx = i
				}
			}
			if idx < 0 {
				idx = len(c.slots)
				c.slots = append(c.slots, s)
			}
			c.slotOf[wd][k] = uint8(idx)
		}
	}

	base := loadProduction().base
	c.class = make([]uint8, numDays)
	wd := int(weekday(firstDay))
	for i, k := range base {
		c.class[i] = c.slotOf[wd][k]
		if wd++; wd == 7 {
			wd = 0
		}
	}
	for z, ov := range c.overrides {
		if z >= firstDay && z < endDay {
			k, _ := kindCode(ov.Kind)
			c.class[z-firstDay] = c.slotOf[weekday(z)][k]
		}
	}

	c.prefix = make([]uint32, numDays+1)
	c.work = make([]uint16, 0, numDays*5/7)
	var sum int64
	for i, cl := range c.class {
		c.prefix[i] = uint32(sum)
		if cl == 0 {
			continue
		}
		open, end := c.bounds(i)
		if n := (end - open) / nsPerSec; n > 0 {
			sum += n
			c.work = append(c.work, uint16(i))
		}
	}
	c.prefix[numDays] = uint32(sum)
	return c, nil
}

// hoursFor returns the working hours of a day by its weekday and kind code.
func (c *Calendar) hoursFor(wd time.Weekday, k uint8) Hours {
	switch k {
	case kHoliday, kOff:
		return Hours{}
	case kOrdinary:
		return c.week[wd]
	}
	h := c.week[wd]
	if wd == time.Saturday || wd == time.Sunday {
		h = Hours{}
		for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
			if c.week[d].Open() {
				h = c.week[d]
				break
			}
		}
	}
	if k == kShort && h.Open() {
		h.End = max(h.Start, h.End-time.Hour)
	}
	if !h.Open() {
		return Hours{}
	}
	return h
}

// kindOf returns the kind code of day number z: an override, else the production calendar.
func (c *Calendar) kindOf(z int) uint8 {
	if ov, ok := c.overrides[z]; ok {
		k, _ := kindCode(ov.Kind)
		return k
	}
	return baseKind(z)
}

// hoursOf returns the working hours of day number z, for any day.
func (c *Calendar) hoursOf(z int) Hours {
	if c.all {
		return allDay[0]
	}
	if z >= firstDay && z < endDay {
		s := c.slots[c.class[z-firstDay]]
		return Hours{time.Duration(s.start) * time.Second, time.Duration(s.end) * time.Second}
	}
	return c.hoursFor(weekday(z), c.kindOf(z))
}

// bounds returns the opening and the close of day i of the tables as Unix nanoseconds (equal on a
// closed day).
func (c *Calendar) bounds(i int) (open, close int64) {
	s := c.slots[c.class[i]]
	z := i + firstDay
	var m int64
	if z >= zone.fixedDay {
		m = int64(z)*86400 - zone.fixedOffset
	} else if m = loadProduction().oldMidnight[i]; m < 0 {
		// A day when Moscow changed its offset: let the time package place the wall-clock hours.
		d := civil(z)
		open := time.Date(d.Year, d.Month, d.Day, 0, 0, int(s.start), 0, Moscow).UnixNano()
		close := time.Date(d.Year, d.Month, d.Day, 0, 0, int(s.end), 0, Moscow).UnixNano()
		return open, max(open, close)
	}
	return (m + int64(s.start)) * nsPerSec, (m + int64(s.end)) * nsPerSec
}

// dayBounds returns the working interval of day number z as times, for any day.
func (c *Calendar) dayBounds(z int) (start, end time.Time, ok bool) {
	if z >= firstDay && z < endDay && !c.all {
		open, close := c.bounds(z - firstDay)
		if close <= open {
			return time.Time{}, time.Time{}, false
		}
		return time.Unix(0, open).In(Moscow), time.Unix(0, close).In(Moscow), true
	}
	h := c.hoursOf(z)
	if !h.Open() {
		return time.Time{}, time.Time{}, false
	}
	d := civil(z)
	start = time.Date(d.Year, d.Month, d.Day, 0, 0, int(h.Start/time.Second), 0, Moscow)
	end = time.Date(d.Year, d.Month, d.Day, 0, 0, int(h.End/time.Second), 0, Moscow)
	return start, end, true
}

// working reports whether day number z has working time.
func (c *Calendar) working(z int) bool {
	if c.all {
		return true
	}
	if z >= firstDay && z < endDay {
		return c.class[z-firstDay] != 0 && c.prefix[z-firstDay+1] > c.prefix[z-firstDay]
	}
	return c.hoursOf(z).Open()
}

// cum returns the working time from the start of the tables to t, in nanoseconds.
func (c *Calendar) cum(t time.Time) int64 {
	s := t.Unix()
	if s < rangeStart {
		return 0
	}
	if s >= rangeEnd {
		return int64(c.prefix[numDays]) * nsPerSec
	}
	i := dayOf(t) - firstDay
	open, close := c.bounds(i)
	return int64(c.prefix[i])*nsPerSec + min(max(t.UnixNano(), open), close) - open
}

// endOfRange returns the later of t and the end of the tables.
func endOfRange(t time.Time) time.Time {
	if t.Unix() >= rangeEnd {
		return t.In(Moscow)
	}
	return time.Unix(rangeEnd, 0).In(Moscow)
}

// Name returns the calendar's name.
func (c *Calendar) Name() string { return c.name }

// Week returns the calendar's weekly schedule (every day 00:00–24:00 for an AllHours calendar).
func (c *Calendar) Week() Week { return c.week }

// AllHours reports whether every minute of every day counts (a 24×7 calendar).
func (c *Calendar) AllHours() bool { return c.all }

// Day returns the working interval of date d in Moscow time; ok is false on a day off (or a day left
// with no working time). A short day ends one hour earlier, but never before it starts.
func (c *Calendar) Day(d Date) (start, end time.Time, ok bool) {
	return c.dayBounds(d.days())
}

// Kind returns how the production calendar, or an override, marks d: "" for an ordinary day. It
// returns "" for every day of an AllHours calendar, which ignores the production calendar.
func (c *Calendar) Kind(d Date) DayKind {
	if c.all {
		return ""
	}
	return kindNames[c.kindOf(d.days())]
}

// Note returns the note on d from an override or the production calendar ("Новогодние каникулы",
// "перенос выходного"), or "".
func (c *Calendar) Note(d Date) string {
	if c.all {
		return ""
	}
	z := d.days()
	if ov, ok := c.overrides[z]; ok {
		return ov.Note
	}
	return baseNote(z)
}

// Confirmed reports whether year has a production-calendar file, that is whether its holidays and
// transfers come from a decree rather than from the ст. 112 rules alone. An AllHours calendar does not
// depend on the production calendar, so every year is confirmed for it.
func (c *Calendar) Confirmed(year int) bool {
	return c.all || hasFile(year)
}

// AddHours returns the moment when d of working time has passed, counting from start: the earliest
// instant t ≥ start with Between(start, t) == d. A start outside working hours therefore counts from
// the next opening, and a deadline that uses up a day's working time exactly falls at its close (18:00),
// not at the next opening. AddHours(start, 0) is start; a negative d counts as 0.
func (c *Calendar) AddHours(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start.In(Moscow)
	}
	if c.all {
		return start.Add(d).In(Moscow)
	}
	w := c.cum(start)
	total := int64(c.prefix[numDays]) * nsPerSec
	if int64(d) > total-w {
		return endOfRange(start)
	}
	w += int64(d)
	target := uint32((w + nsPerSec - 1) / nsPerSec) // the day that holds w has prefix[j+1] >= target

	// Gallop forward from the day of start, then bisect: targets are usually days, not years, away.
	lo := 0
	if s := start.Unix(); s >= rangeStart {
		lo = dayOf(start) - firstDay
	}
	hi, step := lo, 1
	for c.prefix[hi+1] < target {
		lo = hi + 1
		hi = min(hi+step, numDays-1)
		step *= 2
	}
	for lo < hi { // the smallest j in [lo, hi] with prefix[j+1] >= target
		mid := int(uint(lo+hi) >> 1)
		if c.prefix[mid+1] < target {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	open, _ := c.bounds(lo)
	return time.Unix(0, open+w-int64(c.prefix[lo])*nsPerSec).In(Moscow)
}

// AddDays returns the close of the nth working day after the day of start: the day of receipt itself
// never counts, whatever the hour (CONTRACT.md, otklik sla due --business-days). A ticket received on
// Friday at 17:30 with n = 1 is due at Monday's close. An n below 1 counts as 1. On an AllHours
// calendar it returns the end (24:00) of the nth calendar day after the day of start.
func (c *Calendar) AddDays(start time.Time, n int) time.Time {
	n = max(n, 1)
	if c.all {
		return time.Unix(midnight(dayOf(start)+n+1), 0).In(Moscow)
	}
	s := start.Unix()
	if s >= rangeEnd || n > len(c.work) {
		return endOfRange(start)
	}
	k := 0 // working days on or before the day of start
	if s >= rangeStart {
		i := dayOf(start) - firstDay
		lo, hi := 0, len(c.work)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if int(c.work[mid]) <= i {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		k = lo
	}
	if k+n > len(c.work) {
		return endOfRange(start)
	}
	_, close := c.bounds(int(c.work[k+n-1]))
	return time.Unix(0, close).In(Moscow)
}

// Between returns the working time in [a, b): negative if b is before a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if c.all {
		return b.Sub(a)
	}
	return time.Duration(c.cum(b) - c.cum(a))
}

// maxScan bounds the day-by-day search for a working day outside the tables. Only overrides can close
// a long stretch, and no real calendar closes a year; past the bound the search gives up and returns
// the date where it stopped.
const maxScan = 366

// NextWorkingDay returns the nearest working day strictly after d.
func (c *Calendar) NextWorkingDay(d Date) Date {
	return civil(c.next(d.days()))
}

// PrevWorkingDay returns the nearest working day strictly before d.
func (c *Calendar) PrevWorkingDay(d Date) Date {
	return civil(c.prev(d.days()))
}

func (c *Calendar) next(z int) int {
	if c.all {
		return z + 1
	}
	from := z + 1
	if from >= firstDay && from < endDay {
		i := from - firstDay
		lo, hi := 0, len(c.work)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if int(c.work[mid]) < i {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo < len(c.work) {
			return int(c.work[lo]) + firstDay
		}
		from = endDay
	}
	for y := from; y < from+maxScan; y++ {
		if y >= firstDay && y < endDay {
			return c.next(y - 1)
		}
		if c.working(y) {
			return y
		}
	}
	return from + maxScan
}

func (c *Calendar) prev(z int) int {
	if c.all {
		return z - 1
	}
	from := z - 1
	if from >= firstDay && from < endDay {
		i := from - firstDay
		lo, hi := 0, len(c.work)
		for lo < hi { // the number of working days on or before i
			mid := int(uint(lo+hi) >> 1)
			if int(c.work[mid]) <= i {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > 0 {
			return int(c.work[lo-1]) + firstDay
		}
		from = firstDay - 1
	}
	for y := from; y > from-maxScan; y-- {
		if y >= firstDay && y < endDay {
			return c.prev(y + 1)
		}
		if c.working(y) {
			return y
		}
	}
	return from - maxScan
}

// Shift says which way CalendarDays moves a deadline that falls on a day off.
type Shift int

// The directions of Shift. Regulations differ: some move such a deadline to the preceding working day,
// others (and ГК РФ ст. 193 for civil-law terms) to the next one.
const (
	ShiftForward Shift = iota // to the next working day
	ShiftBack                 // to the previous working day
)

// CalendarDays returns the end (the working close) of the day n calendar days after the date of start,
// moved to the previous (ShiftBack) or next (ShiftForward) working day of c when that day is not one.
// Statutory deadlines under 59-ФЗ count calendar days: an appeal registered on 13 February 2026 with
// 30 days is due on Sunday 15 March, so at the close of Friday 13 March (ShiftBack) or Monday 16 March
// (ShiftForward). On an AllHours calendar it is the end (24:00) of that day.
func (c *Calendar) CalendarDays(start time.Time, n int, shift Shift) time.Time {
	z := dayOf(start) + n
	if c.all {
		return time.Unix(midnight(z+1), 0).In(Moscow)
	}
	if !c.working(z) {
		if shift == ShiftBack {
			z = c.prev(z)
		} else {
			z = c.next(z)
		}
	}
	if _, end, ok := c.dayBounds(z); ok {
		return end
	}
	return time.Unix(midnight(z+1), 0).In(Moscow) // the scan gave up: the end of the date it reached
}
