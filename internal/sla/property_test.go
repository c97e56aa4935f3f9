package sla_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

// propertyCalendars are the calendars the property tests run on.
func propertyCalendars(tb testing.TB) []*sla.Calendar {
	return []*sla.Calendar{
		office(tb),
		mustNew(tb, sla.Options{Name: "8h", Week: mustWeek(tb, "mon-fri 09:00-17:00")}),
		mustNew(tb, sla.Options{Name: "split", Week: mustWeek(tb, "mon-thu 08:30-17:15, fri 08:30-16:00, sat 10:00-14:00")}),
		mustNew(tb, sla.Options{Name: "late", Week: mustWeek(tb, "mon-fri 12:00-24:00, sun 00:00-06:00")}),
		mustNew(tb, sla.Options{Name: "overrides", Week: sla.OfficeWeek, Overrides: []sla.Override{
			{Date: sla.Date{Year: 2026, Month: 12, Day: 30}, Kind: sla.KindHoliday},
			{Date: sla.Date{Year: 2026, Month: 12, Day: 26}, Kind: sla.KindWork},
			{Date: sla.Date{Year: 2027, Month: 3, Day: 5}, Kind: sla.KindShort},
		}}),
		mustNew(tb, sla.Options{Name: "24x7", AllHours: true}),
	}
}

// randTime returns a random instant from 2025-01-01 to 2028-12-31 in Moscow time; a quarter of them fall
// on a whole hour, where openings and closes are.
func randTime(r *rand.Rand) time.Time {
	lo := time.Date(2025, 1, 1, 0, 0, 0, 0, sla.Moscow).UnixNano()
	hi := time.Date(2029, 1, 1, 0, 0, 0, 0, sla.Moscow).UnixNano()
	t := time.Unix(0, lo+r.Int64N(hi-lo)).In(sla.Moscow)
	if r.IntN(4) == 0 {
		t = t.Truncate(time.Hour)
	}
	return t
}

// randDuration returns a random working-time target up to 300 hours, often whole hours.
func randDuration(r *rand.Rand) time.Duration {
	switch r.IntN(4) {
	case 0:
		return time.Duration(r.IntN(300)) * time.Hour
	case 1:
		return time.Duration(r.IntN(300*60)) * time.Minute
	default:
		return time.Duration(r.Int64N(int64(300 * time.Hour)))
	}
}

// naiveBetween sums working time day by day from Day: the reference the tables must agree with.
func naiveBetween(c *sla.Calendar, a, b time.Time) time.Duration {
	if b.Before(a) {
		return -naiveBetween(c, b, a)
	}
	var sum time.Duration
	for d := sla.DateOf(a); d.Compare(sla.DateOf(b)) <= 0; d = d.Add(1) {
		s, e, ok := c.Day(d)
		if !ok {
			continue
		}
		s = later(s, a)
		if b.Before(e) {
			e = b
		}
		if e.After(s) {
			sum += e.Sub(s)
		}
	}
	return sum
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestProperties(t *testing.T) {
	const cases = 4000
	for _, c := range propertyCalendars(t) {
		t.Run(c.Name(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			for range cases {
				s := randTime(r)
				d := randDuration(r)
				due := c.AddHours(s, d)

				// The deadline is never before the start, and exactly d of working time lies between.
				if due.Before(s) {
					t.Fatalf("AddHours(%s, %v) = %s, before the start", fmtTime(s), d, fmtTime(due))
				}
				if got := c.Between(s, due); got != d {
					t.Fatalf("Between(%s, AddHours(…, %v) = %s) = %v", fmtTime(s), d, fmtTime(due), got)
				}
				// The earliest such moment: one nanosecond earlier is short of d.
				if d > 0 && c.Between(s, due.Add(-1)) >= d {
					t.Fatalf("AddHours(%s, %v) = %s is not the earliest", fmtTime(s), d, fmtTime(due))
				}

				// A later start never gives an earlier deadline.
				s2 := s.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
				if due2 := c.AddHours(s2, d); due2.Before(due) {
					t.Fatalf("AddHours(%s, %v) = %s is before AddHours(%s, …) = %s", fmtTime(s2), d, fmtTime(due2), fmtTime(s), fmtTime(due))
				}
				n := 1 + r.IntN(30)
				dd := c.AddDays(s, n)
				if dd2 := c.AddDays(s2, n); dd2.Before(dd) {
					t.Fatalf("AddDays(%s, %d) = %s is before AddDays(%s, …) = %s", fmtTime(s2), n, fmtTime(dd2), fmtTime(s), fmtTime(dd))
				}

				// AddDays ends at a close, after n working days, none of them the day of receipt.
				if !dd.After(s) {
					t.Fatalf("AddDays(%s, %d) = %s, not after the start", fmtTime(s), n, fmtTime(dd))
				}
				if _, end, ok := c.Day(sla.DateOf(dd.Add(-1))); !ok || !end.Equal(dd) {
					t.Fatalf("AddDays(%s, %d) = %s is not a close", fmtTime(s), n, fmtTime(dd))
				}
				count := 0
				for day := sla.DateOf(s).Add(1); day.Compare(sla.DateOf(dd.Add(-1))) <= 0; day = day.Add(1) {
					if _, _, ok := c.Day(day); ok {
						count++
					}
				}
				if count != n {
					t.Fatalf("AddDays(%s, %d) = %s spans %d working days", fmtTime(s), n, fmtTime(dd), count)
				}

				// Adding in two steps is adding once.
				a, b := randDuration(r), randDuration(r)
				if x, y := c.AddHours(c.AddHours(s, a), b), c.AddHours(s, a+b); !x.Equal(y) {
					t.Fatalf("AddHours(AddHours(%s, %v), %v) = %s, AddHours(…, %v) = %s", fmtTime(s), a, b, fmtTime(x), a+b, fmtTime(y))
				}

				// Pausing never shortens: resuming with the working time that was left never ends before
				// the original deadline.
				if due.After(s) {
					pause := s.Add(time.Duration(r.Int64N(int64(due.Sub(s)))))
					resume := pause.Add(time.Duration(r.Int64N(int64(20 * 24 * time.Hour))))
					left := c.Between(pause, due)
					if left < 0 {
						t.Fatalf("Between(%s, %s) = %v < 0", fmtTime(pause), fmtTime(due), left)
					}
					if got := c.AddHours(resume, left); got.Before(due) {
						t.Fatalf("paused %s–%s: resumed deadline %s is before %s", fmtTime(pause), fmtTime(resume), fmtTime(got), fmtTime(due))
					}
				}

				// The tables agree with adding up Day day by day.
				if got, want := c.Between(s, s2), naiveBetween(c, s, s2); got != want {
					t.Fatalf("Between(%s, %s) = %v, day by day %v", fmtTime(s), fmtTime(s2), got, want)
				}
				if got := c.Between(s2, s); got != -c.Between(s, s2) {
					t.Fatalf("Between is not antisymmetric at %s, %s", fmtTime(s), fmtTime(s2))
				}

				// CalendarDays lands on a close of a working day, on the right side of the target date.
				cd := 1 + r.IntN(60)
				target := sla.DateOf(s).Add(cd)
				for _, shift := range []sla.Shift{sla.ShiftBack, sla.ShiftForward} {
					got := c.CalendarDays(s, cd, shift)
					day := sla.DateOf(got.Add(-1))
					if _, end, ok := c.Day(day); !ok || !end.Equal(got) {
						t.Fatalf("CalendarDays(%s, %d, %v) = %s is not a close", fmtTime(s), cd, shift, fmtTime(got))
					}
					switch cmp := day.Compare(target); {
					case shift == sla.ShiftBack && cmp > 0, shift == sla.ShiftForward && cmp < 0:
						t.Fatalf("CalendarDays(%s, %d, %v) = %s, target %s", fmtTime(s), cd, shift, fmtTime(got), target)
					case cmp != 0:
						if _, _, ok := c.Day(target); ok {
							t.Fatalf("CalendarDays(%s, %d, %v) moved off a working day %s", fmtTime(s), cd, shift, target)
						}
					}
				}
			}
		})
	}
}

// TestNeighboursAgree checks PrevWorkingDay and NextWorkingDay against Day, date by date, from 2024 to
// 2029 and across the ends of the tables.
func TestNeighboursAgree(t *testing.T) {
	for _, c := range propertyCalendars(t) {
		for _, span := range [][2]string{{"2024-01-01", "2029-01-01"}, {"1999-11-01", "2000-02-01"}, {"2100-11-01", "2101-02-01"}} {
			from, to := mustDate(t, span[0]), mustDate(t, span[1])
			for d := from; d.Compare(to) < 0; d = d.Add(1) {
				next := d.Add(1)
				for ; ; next = next.Add(1) {
					if _, _, ok := c.Day(next); ok {
						break
					}
				}
				if got := c.NextWorkingDay(d); got != next {
					t.Fatalf("%s: NextWorkingDay(%s) = %s, want %s", c.Name(), d, got, next)
				}
				prev := d.Add(-1)
				for ; ; prev = prev.Add(-1) {
					if _, _, ok := c.Day(prev); ok {
						break
					}
				}
				if got := c.PrevWorkingDay(d); got != prev {
					t.Fatalf("%s: PrevWorkingDay(%s) = %s, want %s", c.Name(), d, got, prev)
				}
			}
		}
	}
}
