package store

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/otklik/otklik/internal/otklik"
)

// TestRecomputedParamsAsPgx: store-recomputed's parameters, encoded by recomputedParams, are byte for
// byte what pgx's type map makes of the same values as slices (the form the statement took them in
// before), for each parameter type the encoder gives: NULL and present times, times before 2000
// and with nanoseconds, Cyrillic and empty text, a batch with records and one without.
func TestRecomputedParamsAsPgx(t *testing.T) {
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	ticket := func(id int64, fr, due, next, legal *time.Time, policy string) *otklik.Ticket {
		tk := &otklik.Ticket{ID: id, Version: id + 1, UpdatedAt: *at("2026-12-06T08:01:02.123456Z"),
			FirstResponseDueAt: fr, DueAt: due, JournalSeq: 3 * id, JournalHead: bytes.Repeat([]byte{byte(id)}, 32)}
		tk.SLA.Policy, tk.SLA.NextAt, tk.SLA.LegalDueAt = policy, next, legal
		tk.SLA.Flags = otklik.DueReminded | otklik.FirstResponseBreached
		return tk
	}
	ts := []*otklik.Ticket{
		ticket(1, at("2026-12-07T09:00:00+03:00"), at("2026-12-09T18:00:00+03:00"), at("2026-12-08T18:00:00+03:00"), nil, "доступ"),
		ticket(2, nil, at("1999-12-31T23:59:59.999999Z"), nil, at("2027-01-12T18:00:00.5Z"), ""),
		ticket(1<<40, at("1970-01-01T00:00:00Z"), nil, at("2100-03-01T00:00:00.000000999Z"), nil, "appeal-59fz"),
	}
	ts[2].SLA.Flags = 0
	record := func(tk *otklik.Ticket, field, before, after string) *otklik.JournalRecord {
		r := &otklik.JournalRecord{At: *at("2026-12-06T08:01:02Z"), Actor: otklik.SystemActor, Kind: otklik.KindSLA,
			Field: field, Before: before, After: after, Reason: "пересчёт после изменения календаря или политики SLA"}
		r.Seal(tk)
		return r
	}
	withRecords := [][]*otklik.JournalRecord{
		{record(ts[0], "first_response_due_at", "2026-12-07T09:00:00+03:00", "2026-12-08T09:00:00+03:00"),
			record(ts[0], "due_at", "", "2026-12-09T18:00:00+03:00")},
		nil,
		{record(ts[2], "due_at", "—", "")},
	}
	for name, recs := range map[string][][]*otklik.JournalRecord{"records": withRecords, "none": make([][]*otklik.JournalRecord, len(ts))} {
		t.Run(name, func(t *testing.T) {
			prev := []int64{7, 0, -1}
			const pass = 1796540462 // when the pass began
			shared, err := sharedRecord(recs)
			if err != nil {
				t.Fatal(err)
			}
			var p pgParams
			p.buf = append(p.buf, "left over from the last batch"...)
			p.ends = append(p.ends, 5)
			recomputedParams(&p, pass, ts, prev, recs, shared)
			got := p.values()
			want := asPgxArgs(pass, ts, prev, recs, shared)
			if len(got) != len(p.types) || len(want) != len(p.types) {
				t.Fatalf("%d parameters encoded, %d types, %d values", len(got), len(p.types), len(want))
			}
			m := pgtype.NewMap()
			for i, oid := range p.types {
				ref, err := m.Encode(oid, pgtype.BinaryFormatCode, want[i], nil)
				if err != nil {
					t.Fatalf("parameter %d: pgx: %v", i+1, err)
				}
				if !bytes.Equal(got[i], ref) {
					t.Errorf("parameter %d (type %d, %v):\n got %x\nwant %x", i+1, oid, fmt.Sprint(want[i]), got[i], ref)
				}
			}
		})
	}
}

// asPgxArgs are store-recomputed's parameters as Go values that pgx encodes: a slice a column.
func asPgxArgs(pass int64, ts []*otklik.Ticket, prev []int64, recs [][]*otklik.JournalRecord, shared *otklik.JournalRecord) []any {
	var (
		id, ver, seq         []int64
		fr, due, next, legal []*time.Time
		policy               []string
		flags                []int32
		updated              []time.Time
		head                 [][]byte
	)
	for _, tk := range ts {
		id, ver, seq = append(id, tk.ID), append(ver, tk.Version), append(seq, tk.JournalSeq)
		fr, due = append(fr, tk.FirstResponseDueAt), append(due, tk.DueAt)
		next, legal = append(next, tk.SLA.NextAt), append(legal, tk.SLA.LegalDueAt)
		policy, flags = append(policy, tk.SLA.Policy), append(flags, int32(tk.SLA.Flags))
		updated, head = append(updated, tk.UpdatedAt), append(head, tk.JournalHead)
	}
	rTicket, rSeq := []int64{}, []int64{}
	field, before, after := []string{}, []string{}, []string{}
	prevHash, hash := [][]byte{}, [][]byte{}
	for _, rs := range recs {
		for _, r := range rs {
			rTicket, rSeq, field = append(rTicket, r.TicketID), append(rSeq, r.Seq), append(field, r.Field)
			before, after = append(before, r.Before), append(after, r.After)
			prevHash, hash = append(prevHash, r.PrevHash), append(hash, r.Hash)
		}
	}
	return []any{id, prev, fr, due, policy, next, flags, legal, ver, updated, seq, head,
		shared.At, string(shared.Actor.Type), shared.Actor.ID, shared.Actor.Name, string(shared.Actor.Channel),
		string(shared.Kind), shared.Reason, pass, rTicket, rSeq, field, before, after, prevHash, hash}
}

// BenchmarkRecomputedParams: encoding a recomputation's batch of 1,000 tickets, a record each, as
// recomputedParams does and as pgx's type map did (the statement's parameters given as slices).
func BenchmarkRecomputedParams(b *testing.B) {
	now := otklik.Truncate(time.Now())
	ts := make([]*otklik.Ticket, 1000)
	prev := make([]int64, len(ts))
	recs := make([][]*otklik.JournalRecord, len(ts))
	for i := range ts {
		fr, due := now.Add(time.Hour), now.Add(50*time.Hour)
		tk := &otklik.Ticket{ID: int64(i + 1), Number: fmt.Sprintf("2026-%06d", i+1), Version: 4, UpdatedAt: now,
			FirstResponseDueAt: &fr, DueAt: &due, JournalSeq: 3, JournalHead: bytes.Repeat([]byte{1}, 32)}
		tk.SLA.Policy, tk.SLA.NextAt = "diagnostics", &fr
		r := &otklik.JournalRecord{At: now, Actor: otklik.SystemActor, Kind: otklik.KindSLA, Field: "due_at",
			Before: "2026-12-08T18:00:00+03:00", After: "2026-12-09T18:00:00+03:00",
			Reason: "пересчёт после изменения календаря или политики SLA"}
		r.Seal(tk)
		ts[i], prev[i], recs[i] = tk, 3, []*otklik.JournalRecord{r}
	}
	const pass = 1796540462
	shared, err := sharedRecord(recs)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pgParams", func(b *testing.B) {
		b.ReportAllocs()
		var p pgParams
		for b.Loop() {
			recomputedParams(&p, pass, ts, prev, recs, shared)
			_ = p.values()
		}
	})
	b.Run("pgx", func(b *testing.B) {
		b.ReportAllocs()
		m := pgtype.NewMap()
		var buf []byte
		var p pgParams
		recomputedParams(&p, pass, ts, prev, recs, shared) // for the parameters' types
		for b.Loop() {
			buf = buf[:0]
			for i, v := range asPgxArgs(pass, ts, prev, recs, shared) {
				if buf, err = m.Encode(p.types[i], pgtype.BinaryFormatCode, v, buf); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
