package service

import (
	"context"
	"encoding/json"
	"runtime/debug"
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

// TestCollectLess: a recomputation raises the collector's target while it runs and puts the previous
// one back when the last of those running at once ends; a higher target, or the collector off, stays.
func TestCollectLess(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	percent := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	first := collectLess()
	if got := percent(); got != recomputeGCPercent {
		t.Fatalf("while a recomputation runs: GC percent %d, want %d", got, recomputeGCPercent)
	}
	second := collectLess()
	first()
	first() // a second call changes nothing
	if got := percent(); got != recomputeGCPercent {
		t.Fatalf("while another recomputation still runs: GC percent %d, want %d", got, recomputeGCPercent)
	}
	second()
	if got := percent(); got != 100 {
		t.Fatalf("after the last recomputation: GC percent %d, want 100 again", got)
	}
	for _, before := range []int{800, -1} {
		debug.SetGCPercent(before)
		restore := collectLess()
		if got := percent(); got != before {
			t.Errorf("started at %d: GC percent %d while a recomputation runs, want it left alone", before, got)
		}
		restore()
		if got := percent(); got != before {
			t.Errorf("started at %d: GC percent %d after, want it left alone", before, got)
		}
	}
}

// TestRecordJSON: the SLA records' before and after are what encoding/json makes of them, for plain
// values and for any it escapes.
func TestRecordJSON(t *testing.T) {
	values := []string{"", "2027-01-13T18:00:00+03:00", "access.password_sms", "1h30m0s", `a "quoted" \ path`,
		"<b>", "a & b", "x>y", "срок", "tab\there", "\x00\x1f\x7f", "\xff\xfe invalid", "line\u2028separator", "😀"}
	for _, a := range values {
		for _, b := range values {
			for _, c := range []string{"", "access", "<x>"} {
				for _, v := range []any{slaRecord{Due: a, Policy: b, Paused: c}, DeadlinesRecord{FirstResponseDue: a, Due: b, Policy: c}} {
					want, err := json.Marshal(v)
					if err != nil {
						t.Fatal(err)
					}
					var got string
					switch r := v.(type) {
					case slaRecord:
						got = r.json()
					case DeadlinesRecord:
						got = r.json()
					}
					if got != string(want) {
						t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
					}
				}
			}
		}
	}
}
