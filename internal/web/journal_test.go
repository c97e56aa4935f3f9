package web

import (
	"testing"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
)

// TestJournalText: the timeline's sentences for the journal's records, deadlines in Moscow time.
func TestJournalText(t *testing.T) {
	p := &page{Lang: i18n.RU}
	why := "пересчёт после изменения календаря или политики SLA"
	for _, tt := range []struct {
		r    otklik.JournalRecord
		want string
	}{
		{otklik.JournalRecord{Kind: otklik.KindStatus, Before: "new", After: "in_progress"}, "статус: Принято → В работе"},
		{otklik.JournalRecord{Kind: otklik.KindSLA, Field: "due_at", Before: "2026-11-24T18:00:00+03:00",
			After: `{"due":"2026-11-25T18:00:00+03:00","policy":"standard"}`, Reason: why},
			"срок решения: 24.11.2026 18:00 → 25.11.2026 18:00 — " + why},
		{otklik.JournalRecord{Kind: otklik.KindSLA, Field: "deadlines",
			Before: `{"first_response_due":"2026-11-24T12:00:00+03:00","due":"2026-11-30T18:00:00+03:00"}`,
			After:  `{"first_response_due":"2026-11-25T12:00:00+03:00","due":"2026-12-01T18:00:00+03:00","policy":"standard"}`, Reason: why},
			"новые сроки: срок первого ответа: 24.11.2026 12:00 → 25.11.2026 12:00; срок решения: 30.11.2026 18:00 → 01.12.2026 18:00 — " + why},
		{otklik.JournalRecord{Kind: otklik.KindSLA, Field: "deadlines", Before: `{"first_response_due":"","due":""}`,
			After: `{"first_response_due":"2026-11-25T12:00:00+03:00","due":"2026-12-01T18:00:00+03:00"}`},
			"новые сроки: срок первого ответа: 25.11.2026 12:00; срок решения: 01.12.2026 18:00"},
	} {
		if got := p.JournalText(&tt.r); got != tt.want {
			t.Errorf("%s/%s:\n got %q\nwant %q", tt.r.Kind, tt.r.Field, got, tt.want)
		}
	}
}
