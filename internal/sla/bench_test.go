package sla_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/sla"
)

// benchStarts returns random instants across 2026 in Moscow time, the same on every run.
func benchStarts() []time.Time {
	r := rand.New(rand.NewPCG(2026, 1))
	lo := time.Date(2026, 1, 1, 0, 0, 0, 0, sla.Moscow).UnixNano()
	hi := time.Date(2027, 1, 1, 0, 0, 0, 0, sla.Moscow).UnixNano()
	ts := make([]time.Time, 1024)
	for i := range ts {
		ts[i] = time.Unix(0, lo+r.Int64N(hi-lo)).In(sla.Moscow)
	}
	return ts
}

var sinkTime time.Time
var sinkDuration time.Duration

func BenchmarkAddHours(b *testing.B) {
	c := office(b)
	starts := benchStarts()
	for i := 0; b.Loop(); i++ {
		sinkTime = c.AddHours(starts[i%len(starts)], 72*time.Hour)
	}
}

func BenchmarkAddDays(b *testing.B) {
	c := office(b)
	starts := benchStarts()
	for _, n := range []int{5, 15} {
		b.Run(map[int]string{5: "5", 15: "15"}[n], func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				sinkTime = c.AddDays(starts[i%len(starts)], n)
			}
		})
	}
}

func BenchmarkBetween(b *testing.B) {
	c := office(b)
	starts := benchStarts()
	for i := 0; b.Loop(); i++ {
		sinkDuration = c.Between(starts[i%len(starts)], starts[(i+1)%len(starts)])
	}
}

func BenchmarkCalendarDays(b *testing.B) {
	c := office(b)
	starts := benchStarts()
	for i := 0; b.Loop(); i++ {
		sinkTime = c.CalendarDays(starts[i%len(starts)], 30, sla.Shift(i&1))
	}
}

func BenchmarkNew(b *testing.B) {
	o := sla.Options{Name: "office", Week: sla.OfficeWeek, Overrides: []sla.Override{
		{Date: sla.Date{Year: 2026, Month: 12, Day: 30}, Kind: sla.KindHoliday},
	}}
	sla.Years() // load the embedded files outside the loop; New shares them
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sla.New(o); err != nil {
			b.Fatal(err)
		}
	}
}
