package service

import (
	"context"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/testkit"
)

// BenchmarkSetDeadlines is the SLA work of one ticket's registration with the default policies:
// matching, both deadlines, the appeal's statutory deadline and the next reminder.
func BenchmarkSetDeadlines(b *testing.B) {
	st := testkit.MustOpenStore(b, time.Now)
	svc := New(Options{Store: st})
	e, err := svc.slaEngine(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	cat, _ := svc.catalog(context.Background())
	access, _ := categoryByCode(cat.cats, "access.password")
	start := time.Date(2025, 12, 26, 14, 30, 0, 0, time.UTC)
	t := &otklik.Ticket{Channel: otklik.ChannelEmail, Priority: otklik.PriorityNormal, Status: otklik.StatusNew,
		Category: &otklik.CategoryRef{ID: access.ID, Code: access.Code}, SLA: otklik.TicketSLA{Appeal: true}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		t.CreatedAt = start.Add(time.Duration(i%10000) * 7 * time.Minute)
		t.SLA.Flags = 0
		e.setDeadlines(t)
	}
	if t.DueAt == nil || t.FirstResponseDueAt == nil || t.SLA.NextAt == nil {
		b.Fatalf("no deadlines: %+v", t)
	}
}
