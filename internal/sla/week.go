package sla

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Hours is one day's working interval, as durations since midnight: 9h and 18h for 09:00–18:00. End
// may be 24h (midnight at the end of the day). The zero value means closed.
type Hours struct {
	Start, End time.Duration
}

// Open reports whether h has any working time.
func (h Hours) Open() bool { return h.End > h.Start }

func (h Hours) valid() error {
	if h == (Hours{}) {
		return nil
	}
	if h.Start < 0 || h.Start >= h.End || h.End > 24*time.Hour {
		return &WeekError{Kind: WeekOrder, Part: clock(h.Start) + "-" + clock(h.End)}
	}
	if h.Start%time.Second != 0 || h.End%time.Second != 0 {
		return fmt.Errorf("%s-%s is not in whole seconds", clock(h.Start), clock(h.End)) // set in code, never parsed
	}
	return nil
}

// WeekError is why ParseWeek cannot read a week: what is wrong (Kind) with which part of it (Part),
// so that a person can be told in their own words.
type WeekError struct {
	Week string // the week as given
	Kind WeekErrorKind
	Part string // the group, day, hours or time at fault
}

// WeekErrorKind says what is wrong with a week.
type WeekErrorKind string

const (
	WeekEmpty WeekErrorKind = "empty" // nothing given
	WeekGroup WeekErrorKind = "group" // a group that is not days and hours
	WeekDay   WeekErrorKind = "day"   // an unknown day
	WeekHours WeekErrorKind = "hours" // hours that are not HH:MM-HH:MM (or HH:MM:SS)
	WeekLate  WeekErrorKind = "late"  // a time after 24:00
	WeekOrder WeekErrorKind = "order" // hours that do not start before they end
	WeekTwice WeekErrorKind = "twice" // a day named twice
)

var weekProblems = map[WeekErrorKind]string{
	WeekEmpty: "empty week", WeekGroup: "want days and hours, such as \"mon-fri 09:00-18:00\"",
	WeekDay: "unknown day", WeekHours: "want HH:MM-HH:MM", WeekLate: "after 24:00",
	WeekOrder: "want 00:00 <= start < end <= 24:00", WeekTwice: "day named twice",
}

func (e *WeekError) Error() string {
	if e.Kind == WeekEmpty {
		return "sla: empty week"
	}
	return fmt.Sprintf("sla: week %q: %q: %s", e.Week, e.Part, weekProblems[e.Kind])
}

// Week is a weekly schedule, indexed by time.Weekday (Sunday = 0).
type Week [7]Hours

// OfficeWeek is 09:00–18:00 Monday to Friday.
var OfficeWeek = Week{
	time.Monday:    {9 * time.Hour, 18 * time.Hour},
	time.Tuesday:   {9 * time.Hour, 18 * time.Hour},
	time.Wednesday: {9 * time.Hour, 18 * time.Hour},
	time.Thursday:  {9 * time.Hour, 18 * time.Hour},
	time.Friday:    {9 * time.Hour, 18 * time.Hour},
}

// allDay is every day 00:00–24:00: the week of a 24×7 calendar.
var allDay = Week{
	{0, 24 * time.Hour}, {0, 24 * time.Hour}, {0, 24 * time.Hour}, {0, 24 * time.Hour},
	{0, 24 * time.Hour}, {0, 24 * time.Hour}, {0, 24 * time.Hour},
}

// dayNames maps the names ParseWeek takes to weekdays: English and Russian abbreviations.
var dayNames = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
	"пн": time.Monday, "вт": time.Tuesday, "ср": time.Wednesday, "чт": time.Thursday,
	"пт": time.Friday, "сб": time.Saturday, "вс": time.Sunday,
}

var shortNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeek parses a weekly schedule: comma-separated groups of a day or a range of days and a
// working interval, such as "mon-fri 09:00-18:00" or "mon-thu 09:00-18:00, fri 09:00-16:45". Days are
// mon…sun (or пн…вс), case-insensitive; a range may wrap ("sat-sun", "fri-mon"); times are HH:MM or
// HH:MM:SS, and the end may be 24:00; a dash may be an en or em dash. Days not named are closed;
// naming a day twice is an error. "24x7" means every day 00:00–24:00, and a calendar with that week
// ignores the production calendar (see Options.AllHours).
func ParseWeek(s string) (Week, error) {
	w, err := parseWeek(s)
	if e, ok := err.(*WeekError); ok {
		e.Week = s
	}
	return w, err
}

func parseWeek(s string) (Week, error) {
	var w Week
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "24x7" || t == "24×7" || t == "24/7" {
		return allDay, nil
	}
	if t == "" {
		return w, &WeekError{Kind: WeekEmpty}
	}
	var seen [7]bool
	t = strings.NewReplacer("–", "-", "—", "-").Replace(t)
	for group := range strings.SplitSeq(t, ",") {
		f := strings.Fields(group)
		if len(f) < 2 {
			return Week{}, &WeekError{Kind: WeekGroup, Part: strings.TrimSpace(group)}
		}
		days, span := f[0], strings.Join(f[1:], "")
		from, to, err := parseDays(days)
		if err != nil {
			return Week{}, err
		}
		h, err := parseHours(span)
		if err != nil {
			return Week{}, err
		}
		for d := from; ; d = (d + 1) % 7 {
			if seen[d] {
				return Week{}, &WeekError{Kind: WeekTwice, Part: shortNames[d]}
			}
			seen[d] = true
			w[d] = h
			if d == to {
				break
			}
		}
	}
	return w, nil
}

func parseDays(s string) (from, to time.Weekday, err error) {
	a, b, isRange := strings.Cut(s, "-")
	from, ok := dayNames[a]
	if !ok {
		return 0, 0, &WeekError{Kind: WeekDay, Part: a}
	}
	if !isRange {
		return from, from, nil
	}
	if to, ok = dayNames[b]; !ok {
		return 0, 0, &WeekError{Kind: WeekDay, Part: b}
	}
	return from, to, nil
}

func parseHours(s string) (Hours, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Hours{}, &WeekError{Kind: WeekHours, Part: s}
	}
	var at [2]time.Duration
	for i, c := range []string{a, b} {
		d, err := parseClock(strings.TrimSpace(c))
		if err == errNotClock {
			return Hours{}, &WeekError{Kind: WeekHours, Part: s} // the hours named: clearer than one time
		} else if err != nil {
			return Hours{}, err
		}
		at[i] = d
	}
	h := Hours{at[0], at[1]}
	if err := h.valid(); err != nil {
		return Hours{}, err
	}
	return h, nil
}

var errNotClock = errors.New("not HH:MM")

// parseClock parses HH:MM or HH:MM:SS, up to 24:00.
func parseClock(s string) (time.Duration, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, errNotClock
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 2 || (i > 0 && (len(p) != 2 || n > 59)) {
			return 0, errNotClock
		}
		v[i] = n
	}
	d := time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second
	if d > 24*time.Hour {
		return 0, &WeekError{Kind: WeekLate, Part: s}
	}
	return d, nil
}

// clock formats a duration since midnight as HH:MM, or HH:MM:SS when it has seconds.
func clock(d time.Duration) string {
	s := int64(d / time.Second)
	if s%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/3600, s/60%60)
}

// String returns w in the form ParseWeek takes, grouping consecutive days (Monday first) with the same
// hours: "mon-fri 09:00-18:00". It returns "24x7" for a week that is open all day every day and ""
// for a week with no working day.
func (w Week) String() string {
	if w == allDay {
		return "24x7"
	}
	var groups []string
	order := [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	for i := 0; i < 7; {
		h := w[order[i]]
		j := i
		for j+1 < 7 && w[order[j+1]] == h {
			j++
		}
		if h.Open() {
			days := shortNames[order[i]]
			if j > i {
				days += "-" + shortNames[order[j]]
			}
			groups = append(groups, days+" "+clock(h.Start)+"-"+clock(h.End))
		}
		i = j + 1
	}
	return strings.Join(groups, ", ")
}
