package otklik_test

import (
	"encoding/hex"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

func TestNumberRoundTripAndTypos(t *testing.T) {
	for _, tc := range []struct {
		year int
		seq  int64
	}{{2026, 100001}, {2025, 999999}, {2027, 1000000}, {2099, 123456789}} {
		n := otklik.FormatNumber(tc.year, tc.seq)
		for _, typed := range []string{n, "№ " + n, " " + n + " ", stripHyphens(n), "№" + stripHyphens(n)} {
			got, err := otklik.ParseNumber(typed)
			if err != nil || got != n {
				t.Errorf("ParseNumber(%q) = %q, %v; want %q", typed, got, err, n)
			}
		}
		digits := []byte(stripHyphens(n))
		// Every single wrong digit and every swap of neighbours is caught by the check digit.
		for i := range digits {
			for d := byte('0'); d <= '9'; d++ {
				if d == digits[i] {
					continue
				}
				typo := slices.Clone(digits)
				typo[i] = d
				if _, err := otklik.ParseNumber(string(typo)); err == nil {
					t.Errorf("%s: the typo %s is accepted", n, typo)
				}
			}
			if i+1 < len(digits) && digits[i] != digits[i+1] {
				swap := slices.Clone(digits)
				swap[i], swap[i+1] = swap[i+1], swap[i]
				if _, err := otklik.ParseNumber(string(swap)); err == nil {
					t.Errorf("%s: the swap %s is accepted", n, swap)
				}
			}
		}
	}
	for _, bad := range []string{"", "26", "26-1-1", "abc", "26-012345-6", "26-100001-2x", "26—100001—2—" + strconv.Itoa(1)} {
		if _, err := otklik.ParseNumber(bad); err == nil {
			t.Errorf("ParseNumber(%q) accepted", bad)
		}
	}
}

func stripHyphens(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

func TestLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	l := otklik.Lifecycle{ReopenClosedDays: 30}
	closedAt := func(daysAgo int) *time.Time { t := now.AddDate(0, 0, -daysAgo); return &t }
	tests := []struct {
		from     otklik.Status
		closed   *time.Time
		to       otklik.Status
		ok       bool
		wantCode otklik.Code
	}{
		{otklik.StatusNew, nil, otklik.StatusInProgress, true, ""},
		{otklik.StatusInProgress, nil, otklik.StatusWaiting, true, ""},
		{otklik.StatusWaiting, nil, otklik.StatusInProgress, true, ""},
		{otklik.StatusInProgress, nil, otklik.StatusForwarded, true, ""},
		{otklik.StatusForwarded, nil, otklik.StatusResolved, true, ""},
		{otklik.StatusResolved, nil, otklik.StatusClosed, true, ""},
		{otklik.StatusResolved, nil, otklik.StatusInProgress, true, ""},
		{otklik.StatusClosed, closedAt(29), otklik.StatusInProgress, true, ""},
		{otklik.StatusClosed, closedAt(31), otklik.StatusInProgress, false, otklik.ECONFLICT},
		{otklik.StatusClosed, closedAt(1), otklik.StatusWaiting, false, otklik.ECONFLICT},
		{otklik.StatusNew, nil, otklik.StatusClosed, false, otklik.ECONFLICT},
		{otklik.StatusNew, nil, otklik.StatusNew, false, otklik.ECONFLICT},
		{otklik.StatusInProgress, nil, "done", false, otklik.EINVALID},
	}
	for _, tt := range tests {
		tk := &otklik.Ticket{Status: tt.from, ClosedAt: tt.closed}
		err := l.CheckTransition(tk, tt.to, now)
		if (err == nil) != tt.ok || otklik.ErrorCode(err) != tt.wantCode {
			t.Errorf("%s → %s: %v", tt.from, tt.to, err)
		}
	}
	never := otklik.Lifecycle{}
	if err := never.CheckTransition(&otklik.Ticket{Status: otklik.StatusClosed, ClosedAt: closedAt(0)}, otklik.StatusInProgress, now); err == nil {
		t.Errorf("with ReopenClosedDays 0 a closed ticket reopened")
	}
	// ApplyStatus keeps resolved/closed times in step.
	tk := &otklik.Ticket{Status: otklik.StatusInProgress}
	otklik.ApplyStatus(tk, otklik.StatusResolved, now)
	otklik.ApplyStatus(tk, otklik.StatusClosed, now)
	if tk.ResolvedAt == nil || tk.ClosedAt == nil {
		t.Errorf("resolved/closed times not set")
	}
	otklik.ApplyStatus(tk, otklik.StatusInProgress, now)
	if tk.ResolvedAt != nil || tk.ClosedAt != nil {
		t.Errorf("reopening kept resolved/closed times")
	}
}

func TestJournalChain(t *testing.T) {
	tk := &otklik.Ticket{ID: 1, Number: otklik.FormatNumber(2026, 100001)}
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	var recs []*otklik.JournalRecord
	for i, k := range []otklik.Kind{otklik.KindCreated, otklik.KindMessage, otklik.KindStatus} {
		r := &otklik.JournalRecord{At: at.Add(time.Duration(i) * time.Minute), Actor: otklik.SystemActor, Kind: k, After: "x"}
		r.Seal(tk)
		recs = append(recs, r)
	}
	if recs[0].PrevHash != nil || recs[0].At.Nanosecond()%1000 != 0 {
		t.Errorf("first record: prev %x, at %v (want no link, microsecond precision)", recs[0].PrevHash, recs[0].At)
	}
	var v otklik.ChainVerifier
	v.Reset(tk.Number)
	for _, r := range recs {
		if reason := v.Check(r); reason != "" {
			t.Fatalf("sound chain: %s", reason)
		}
	}
	if seq, head := v.Head(); seq != 3 || string(head) != string(tk.JournalHead) {
		t.Errorf("head %d %x, ticket %d %x", seq, head, tk.JournalSeq, tk.JournalHead)
	}
	// Every field is covered by the hash.
	for name, mutate := range map[string]func(r *otklik.JournalRecord){
		"number": func(r *otklik.JournalRecord) { r.Number = "26-100002-x" },
		"seq":    func(r *otklik.JournalRecord) { r.Seq++ },
		"at":     func(r *otklik.JournalRecord) { r.At = r.At.Add(time.Microsecond) },
		"actor":  func(r *otklik.JournalRecord) { r.Actor.Name = "Другой" },
		"id":     func(r *otklik.JournalRecord) { r.Actor.ID = 99 },
		"chan":   func(r *otklik.JournalRecord) { r.Actor.Channel = otklik.ChannelWeb },
		"kind":   func(r *otklik.JournalRecord) { r.Kind = otklik.KindField },
		"field":  func(r *otklik.JournalRecord) { r.Field = "subject" },
		"before": func(r *otklik.JournalRecord) { r.Before = "y" },
		"after":  func(r *otklik.JournalRecord) { r.After = "y" },
		"reason": func(r *otklik.JournalRecord) { r.Reason = "y" },
		"prev":   func(r *otklik.JournalRecord) { r.PrevHash = []byte{1} },
	} {
		r := *recs[1]
		mutate(&r)
		if string(r.ComputeHash()) == string(recs[1].Hash) {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
	// Length prefixes keep field boundaries: moving text between fields changes the hash.
	a := otklik.JournalRecord{Before: "ab", After: "c"}
	b := otklik.JournalRecord{Before: "a", After: "bc"}
	if string(a.ComputeHash()) == string(b.ComputeHash()) {
		t.Errorf("field boundaries are not hashed")
	}
}

func TestCategoryTree(t *testing.T) {
	cats := []otklik.Category{
		{ID: 1, Code: "access", GroupID: 10}, {ID: 2, Code: "access.password", ParentID: 1},
		{ID: 3, Code: "access.password.sms", ParentID: 2}, {ID: 4, Code: "fraud", GroupID: 20},
		{ID: 5, Code: "fraud.calls", ParentID: 4, GroupID: 21},
	}
	if got := otklik.Descendants(cats, 1); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("Descendants(access) = %v", got)
	}
	for id, want := range map[int64]int64{3: 10, 5: 21, 4: 20, 99: 0} {
		if got := otklik.RouteGroup(cats, id); got != want {
			t.Errorf("RouteGroup(%d) = %d, want %d", id, got, want)
		}
	}
}

// TestJournalHashFormat pins the hash of a record: journals already stored are verified against it, so
// an implementation of ComputeHash that encodes a field differently fails here, not in a customer's
// `otklik verify`. (The values were computed apart from Go, by hashing the encoding ComputeHash
// describes: "otklik-journal-v1", then each field as "\n", its length in bytes, ":" and the field.)
func TestJournalHashFormat(t *testing.T) {
	r := otklik.JournalRecord{Number: "26-100042-7", Seq: 12, At: time.Date(2026, 12, 31, 21, 5, 6, 123456789, time.FixedZone("MSK", 3*3600)),
		Actor: otklik.Actor{Type: otklik.ActorStaff, ID: 42, Name: "Ирина Петрова", Channel: otklik.ChannelWeb}, Kind: otklik.KindSLA,
		Field: "deadlines", Before: `{"first_response_due":"2027-01-11T09:00:00+03:00","due":""}`,
		After:  `{"first_response_due":"2027-01-12T09:00:00+03:00","due":"2027-01-13T18:00:00+03:00","policy":"access"}`,
		Reason: "пересчёт после изменения календаря или политики SLA", PrevHash: []byte{0x00, 0x01, 0xfe, 0xff}}
	for _, c := range []struct {
		r    otklik.JournalRecord
		want string
	}{
		{r, "0a296a30a5db3de38b71e964b7af5dcd582a5e7ce302784f6fe4dec2f1f4a5f2"},
		{otklik.JournalRecord{Seq: -1, At: time.Date(1999, 1, 2, 3, 4, 5, 999, time.UTC), Actor: otklik.Actor{ID: -7}}, "4109fe1aa5459d077d22b2bd264fe13d60394bf10527fd9d60e48d41581ffee6"},
	} {
		if got := hex.EncodeToString(c.r.ComputeHash()); got != c.want {
			t.Errorf("hash of %+v:\n got %s\nwant %s", c.r, got, c.want)
		}
	}
}

// BenchmarkComputeHash: a recomputation's record (a deadline moved), as Seal hashes it.
func BenchmarkComputeHash(b *testing.B) {
	r := otklik.JournalRecord{Number: "26-100042-7", Seq: 4, At: time.Now(), Actor: otklik.SystemActor, Kind: otklik.KindSLA,
		Field: "due_at", Before: "2026-12-08T18:00:00+03:00", After: `{"due":"2026-12-09T18:00:00+03:00","policy":"diagnostics"}`,
		Reason: "пересчёт после изменения календаря или политики SLA", PrevHash: make([]byte, 32)}
	b.ReportAllocs()
	for b.Loop() {
		r.ComputeHash()
	}
}
