package sla_test

import (
	"fmt"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

// A ticket received on the last Friday evening before the 2026 New Year holidays, with targets of
// five working days and 24 working hours on an office calendar.
func Example() {
	week, err := sla.ParseWeek("mon-fri 09:00-18:00")
	if err != nil {
		panic(err)
	}
	office, err := sla.New(sla.Options{Name: "office", Week: week})
	if err != nil {
		panic(err)
	}
	received := time.Date(2025, 12, 26, 17, 30, 0, 0, sla.Moscow)
	fmt.Println(office.AddDays(received, 5).Format(time.RFC3339))
	fmt.Println(office.AddHours(received, 24*time.Hour).Format(time.RFC3339))
	fmt.Println(office.CalendarDays(received, 30, sla.ShiftForward).Format(time.RFC3339))
	// Output:
	// 2026-01-14T18:00:00+03:00
	// 2026-01-12T14:30:00+03:00
	// 2026-01-26T18:00:00+03:00
}

func ExampleCalendar_Day() {
	office, _ := sla.New(sla.Options{Week: sla.OfficeWeek})
	for _, s := range []string{"2026-04-30", "2026-05-01", "2025-11-01"} {
		d, _ := sla.ParseDate(s)
		start, end, ok := office.Day(d)
		if !ok {
			fmt.Printf("%s %s: closed (%s)\n", d, d.Weekday(), office.Kind(d))
			continue
		}
		fmt.Printf("%s %s: %s–%s (%s)\n", d, d.Weekday(), start.Format("15:04"), end.Format("15:04"), office.Kind(d))
	}
	// Output:
	// 2026-04-30 Thursday: 09:00–17:00 (short)
	// 2026-05-01 Friday: closed (holiday)
	// 2025-11-01 Saturday: 09:00–17:00 (short)
}
