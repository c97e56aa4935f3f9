package sla

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"
)

// DayKind is how the production calendar (or an administrator) marks a date. Dates it does not mark
// are ordinary: Monday to Friday working, Saturday and Sunday off.
type DayKind string

// The kinds of marked dates.
const (
	KindHoliday DayKind = "holiday" // a non-working public holiday (ТК РФ ст. 112)
	KindOff     DayKind = "off"     // a weekday off by a transfer of a day off (a decree or the ст. 112 shift)
	KindWork    DayKind = "work"    // a Saturday or Sunday made a working day; on a weekday, an ordinary working day
	KindShort   DayKind = "short"   // a working day one hour shorter (ст. 95); on a Saturday or Sunday it is also a working day
)

// Internal codes of the kinds, as stored in the per-day tables.
const (
	kOrdinary uint8 = iota
	kHoliday
	kOff
	kWork
	kShort
	numKinds
)

var kindNames = [numKinds]DayKind{"", KindHoliday, KindOff, KindWork, KindShort}

func kindCode(k DayKind) (uint8, bool) {
	for i, n := range kindNames {
		if n == k && i != int(kOrdinary) {
			return uint8(i), true
		}
	}
	return 0, false
}

// The range of the precomputed tables: 2000-01-01 to 2100-12-31.
const (
	firstYear = 2000
	lastYear  = 2100
)

var (
	firstDay = daysFromCivil(firstYear, time.January, 1)
	endDay   = daysFromCivil(lastYear+1, time.January, 1) // exclusive
	numDays  = endDay - firstDay
)

//go:embed data/ru/*.json
var dataFS embed.FS

// yearFile is the format of data/ru/YYYY.json: one year of the Russian production calendar for a
// five-day week, written from the government's decree and ТК РФ ст. 112.
type yearFile struct {
	Year      int       `json:"year"`
	Decree    string    `json:"decree"`
	Confirmed bool      `json:"confirmed"`
	Note      string    `json:"note,omitempty"` // a caveat about the year's data
	Days      []fileDay `json:"days"`
}

type fileDay struct {
	Date string  `json:"date"`
	Kind DayKind `json:"kind"`
	From string  `json:"from,omitempty"` // the date whose day off moved here
	Note string  `json:"note,omitempty"`
}

// production is the embedded production calendar, read once.
type production struct {
	years map[int]yearFile
	notes map[int]string // day number → note, for the dates in the files
	base  []uint8        // kind code of every day from firstDay to endDay: the files, else the ст. 112 rules
	// oldMidnight holds the Unix time of the start of every day from firstDay to zone.fixedDay (when
	// Moscow still changed its offset), or -1 on a day that is not 24 hours long.
	oldMidnight []int64
}

var loadProduction = sync.OnceValue(func() *production {
	p, err := readProduction(dataFS)
	if err != nil {
		// The files are part of the binary and checked by the tests: this is a build defect.
		panic(err)
	}
	return p
})

func readProduction(fsys fs.FS) (*production, error) {
	names, err := fs.Glob(fsys, "data/ru/*.json")
	if err != nil {
		return nil, err
	}
	p := &production{years: map[int]yearFile{}, notes: map[int]string{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		y, err := parseYear(b)
		if err != nil {
			return nil, fmt.Errorf("sla: %s: %w", name, err)
		}
		if _, dup := p.years[y.Year]; dup {
			return nil, fmt.Errorf("sla: %s: year %d given twice", name, y.Year)
		}
		if y.Year < firstYear || y.Year > lastYear {
			return nil, fmt.Errorf("sla: %s: year %d outside %d-%d", name, y.Year, firstYear, lastYear)
		}
		p.years[y.Year] = y
	}

	p.base = make([]uint8, numDays)
	for year := firstYear; year <= lastYear; year++ {
		if y, ok := p.years[year]; ok {
			for _, fd := range y.Days {
				d, _ := ParseDate(fd.Date) // checked by parseYear
				z := d.days()
				code, _ := kindCode(fd.Kind)
				p.base[z-firstDay] = code
				if fd.Note != "" {
					p.notes[z] = fd.Note
				}
			}
			continue
		}
		for _, s := range fallbackDays(year) {
			p.base[s.day-firstDay] = s.kind
		}
	}

	p.oldMidnight = make([]int64, max(0, zone.fixedDay-firstDay))
	for i := range p.oldMidnight {
		d := civil(firstDay + i)
		m := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Moscow).Unix()
		if time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, Moscow).Unix()-m != 86400 {
			m = -1
		}
		p.oldMidnight[i] = m
	}
	return p, nil
}

// parseYear decodes and checks one year file.
func parseYear(b []byte) (yearFile, error) {
	var y yearFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&y); err != nil {
		return y, err
	}
	if y.Decree == "" {
		return y, fmt.Errorf("no decree")
	}
	seen := map[Date]bool{}
	for _, fd := range y.Days {
		d, err := ParseDate(fd.Date)
		if err != nil {
			return y, err
		}
		if d.Year != y.Year {
			return y, fmt.Errorf("%s is not in %d", d, y.Year)
		}
		if seen[d] {
			return y, fmt.Errorf("%s given twice", d)
		}
		seen[d] = true
		if _, ok := kindCode(fd.Kind); !ok {
			return y, fmt.Errorf("%s: unknown kind %q", d, fd.Kind)
		}
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		switch {
		case fd.Kind == KindOff && weekend:
			return y, fmt.Errorf("%s: kind off on a %s", d, d.Weekday())
		case fd.Kind == KindWork && !weekend:
			return y, fmt.Errorf("%s: kind work on a %s", d, d.Weekday())
		}
		if fd.From != "" {
			if _, err := ParseDate(fd.From); err != nil {
				return y, err
			}
		}
	}
	return y, nil
}

// Years returns the years that have a production-calendar file, in order.
func Years() []int {
	p := loadProduction()
	ys := make([]int, 0, len(p.years))
	for y := range p.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Decree returns the decree that sets the production calendar of year, or "" when the year has no
// file.
func Decree(year int) string {
	return loadProduction().years[year].Decree
}

// Year is one year of the production calendar built in: the decree that sets it, the days it makes
// other than a plain Monday-to-Friday week, and the norm of a five-day, forty-hour week it gives.
type Year struct {
	Year        int
	Decree      string
	Note        string // a caveat about the year's data; "" when none
	Days        []YearDay
	WorkingDays int // days worked in a five-day week
	Hours       int // hours worked in a forty-hour week: eight a day, seven on a short one
}

// YearDay is a day the production calendar marks.
type YearDay struct {
	Date Date
	Kind DayKind
	From string // a day off moved here: the date it moved from (YYYY-MM-DD); else ""
	Note string
}

// ProductionYear returns year's production calendar as built in; ok is false for a year without its
// file, whose days follow ТК РФ ст. 112 without the government's transfers.
func ProductionYear(year int) (y Year, ok bool) {
	f, ok := loadProduction().years[year]
	if !ok {
		return Year{}, false
	}
	y = Year{Year: year, Decree: f.Decree, Note: f.Note}
	for _, d := range f.Days {
		date, err := ParseDate(d.Date)
		if err != nil {
			continue // checked when the files were read
		}
		y.Days = append(y.Days, YearDay{Date: date, Kind: d.Kind, From: d.From, Note: d.Note})
	}
	for z := daysFromCivil(year, time.January, 1); civil(z).Year == year; z++ {
		switch k := baseKind(z); {
		case k == kHoliday, k == kOff:
		case k == kWork, k == kShort, civil(z).Weekday() != time.Saturday && civil(z).Weekday() != time.Sunday:
			y.WorkingDays++
			y.Hours += 8
			if k == kShort {
				y.Hours--
			}
		}
	}
	return y, true
}

// MissingYears returns the years whose production calendar is not built in but deadlines reach now:
// this year, and from September next year as well (the government's decree usually comes out between
// August and October). Deadlines in such a year follow ТК РФ ст. 112 without the decree's transfers
// until a release or an administrator's overrides add them.
func MissingYears(now time.Time) []int {
	y := now.In(Moscow).Year()
	var out []int
	if !hasFile(y) {
		out = append(out, y)
	}
	if now.In(Moscow).Month() >= time.September && !hasFile(y+1) {
		out = append(out, y+1)
	}
	return out
}

// hasFile reports whether year has a production-calendar file.
func hasFile(year int) bool {
	_, ok := loadProduction().years[year]
	return ok
}

// baseKind returns the production calendar's kind code of day number z: from the tables in their
// range, else by the ст. 112 rules.
func baseKind(z int) uint8 {
	if z >= firstDay && z < endDay {
		return loadProduction().base[z-firstDay]
	}
	for _, s := range fallbackDays(civil(z).Year) {
		if s.day == z {
			return s.kind
		}
	}
	return kOrdinary
}

// baseNote returns the production calendar's note for day number z, if any.
func baseNote(z int) string {
	d := civil(z)
	if hasFile(d.Year) {
		return loadProduction().notes[z]
	}
	for _, s := range fallbackDays(d.Year) {
		if s.day == z {
			return s.note
		}
	}
	return ""
}

// holidays are the non-working public holidays of ТК РФ ст. 112 ч. 1.
var holidays = []struct {
	month time.Month
	day   int
	note  string
}{
	{time.January, 1, "Новогодние каникулы"},
	{time.January, 2, "Новогодние каникулы"},
	{time.January, 3, "Новогодние каникулы"},
	{time.January, 4, "Новогодние каникулы"},
	{time.January, 5, "Новогодние каникулы"},
	{time.January, 6, "Новогодние каникулы"},
	{time.January, 7, "Рождество Христово"},
	{time.January, 8, "Новогодние каникулы"},
	{time.February, 23, "День защитника Отечества"},
	{time.March, 8, "Международный женский день"},
	{time.May, 1, "Праздник Весны и Труда"},
	{time.May, 9, "День Победы"},
	{time.June, 12, "День России"},
	{time.November, 4, "День народного единства"},
}

// special is one marked day of a year without a file.
type special struct {
	day  int // day number
	kind uint8
	note string
}

// fallbackDays returns the marked days of a year that has no file, by the rules of the Labour Code
// alone: the ст. 112 holidays; a holiday on a Saturday or Sunday moves its day off to the next working
// day, except 1–8 January, which move only by decree (and no decree is known); and the working day
// immediately before a holiday is one hour shorter (ст. 95), including 31 December. The days are in
// date order.
func fallbackDays(year int) []special {
	var out []special
	marked := map[int]bool{}
	isWeekend := func(z int) bool { w := weekday(z); return w == time.Saturday || w == time.Sunday }
	for _, h := range holidays {
		z := daysFromCivil(year, h.month, h.day)
		out = append(out, special{z, kHoliday, h.note})
		marked[z] = true
	}
	for _, h := range holidays {
		z := daysFromCivil(year, h.month, h.day)
		if h.month == time.January || !isWeekend(z) {
			continue
		}
		to := z + 1
		for isWeekend(to) || marked[to] {
			to++
		}
		out = append(out, special{to, kOff, fmt.Sprintf("перенос выходного с %s (ст. 112 ТК РФ)", civil(z))})
		marked[to] = true
	}
	next := daysFromCivil(year+1, time.January, 1)
	for _, h := range holidays {
		z := daysFromCivil(year, h.month, h.day)
		if h.month == time.January && h.day == 1 {
			z = next // 31 December precedes next year's 1 January
		}
		before := z - 1
		if civil(before).Year == year && !isWeekend(before) && !marked[before] {
			out = append(out, special{before, kShort, "предпраздничный день"})
			marked[before] = true
		}
	}
	slices.SortFunc(out, func(a, b special) int { return a.day - b.day })
	return out
}
