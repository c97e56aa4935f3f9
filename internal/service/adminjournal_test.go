package service_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// adminStory changes a calendar, its days and a policy as an administrator would, with a change that
// changes nothing and one refused among them; it returns the records the journal must then hold,
// oldest first, as "action object key: before → after" (∅ for none).
func (f *fixture) adminStory(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err, errArgs(err))
		}
	}
	ekb := otklik.Calendar{Name: "ekb", Title: "Екатеринбургский офис", Week: "mon-fri 07:00-16:00"}
	first, err := f.svc.PutCalendar(ctx, f.staff, ekb)
	must(err)
	f.clock.Add(time.Minute)
	other := f.staff
	other.Name = "Другой администратор"
	again, err := f.svc.PutCalendar(ctx, other, ekb) // the same again: nothing changed, nothing recorded
	must(err)
	if !again.UpdatedAt.Equal(first.UpdatedAt) || again.UpdatedBy != f.staff.Name {
		t.Errorf("a calendar saved as it was says it was changed at %v by %q; want %v by %q", again.UpdatedAt, again.UpdatedBy, first.UpdatedAt, f.staff.Name)
	}
	ekb.Week = "mon-fri 08:00-17:00"
	_, err = f.svc.PutCalendar(ctx, f.staff, ekb)
	must(err)
	must(f.svc.PutCalendarOverride(ctx, f.staff, "ekb", otklik.CalendarOverride{Day: "2026-12-30", Kind: "short"}))
	must(f.svc.PutCalendarOverride(ctx, f.staff, "ekb", otklik.CalendarOverride{Day: "2026-12-30", Kind: "holiday", Note: "Решение губернатора"}))
	if err := f.svc.PutCalendarOverride(ctx, f.staff, "ekb", otklik.CalendarOverride{Day: "2026-12-31", Kind: "feast"}); !otklik.IsCode(err, otklik.EINVALID) {
		t.Fatalf("a day of an unknown kind: %v, want EINVALID", err)
	}
	p := otklik.SLAPolicy{Code: "ekb", Name: "Екатеринбург", Position: 5, Channel: otklik.ChannelVisit, Resolution: "3d", Calendar: "ekb"}
	_, err = f.svc.PutSLAPolicy(ctx, f.staff, p)
	must(err)
	p.Resolution, p.Calendar = "5d", "office"
	_, err = f.svc.PutSLAPolicy(ctx, f.staff, p)
	must(err)
	must(f.svc.DeleteSLAPolicy(ctx, f.staff, "ekb"))
	must(f.svc.DeleteCalendarOverride(ctx, f.staff, "ekb", "2026-12-30"))
	must(f.svc.PutCalendarOverride(ctx, f.staff, "ekb", otklik.CalendarOverride{Day: "2027-02-06", Kind: "work"}))
	must(f.svc.DeleteCalendar(ctx, f.staff, "ekb"))
	return []string{
		`created calendar ekb: ∅ → {"title":"Екатеринбургский офис","week":"mon-fri 07:00-16:00"}`,
		`changed calendar ekb: {"title":"Екатеринбургский офис","week":"mon-fri 07:00-16:00"} → {"title":"Екатеринбургский офис","week":"mon-fri 08:00-17:00"}`,
		`created calendar_day ekb/2026-12-30: ∅ → {"kind":"short"}`,
		`changed calendar_day ekb/2026-12-30: {"kind":"short"} → {"kind":"holiday","note":"Решение губернатора"}`,
		`created sla_policy ekb: ∅ → {"name":"Екатеринбург","position":5,"channel":"visit","resolution":"3d","calendar":"ekb"}`,
		`changed sla_policy ekb: {"name":"Екатеринбург","position":5,"channel":"visit","resolution":"3d","calendar":"ekb"} → {"name":"Екатеринбург","position":5,"channel":"visit","resolution":"5d","calendar":"office"}`,
		`deleted sla_policy ekb: {"name":"Екатеринбург","position":5,"channel":"visit","resolution":"5d","calendar":"office"} → ∅`,
		`deleted calendar_day ekb/2026-12-30: {"kind":"holiday","note":"Решение губернатора"} → ∅`,
		`created calendar_day ekb/2027-02-06: ∅ → {"kind":"work"}`,
		`deleted calendar_day ekb/2027-02-06: {"kind":"work"} → ∅`,
		`deleted calendar ekb: {"title":"Екатеринбургский офис","week":"mon-fri 08:00-17:00"} → ∅`,
	}
}

// adminLine is a record as adminStory says it, ∅ for no object.
func adminLine(r *otklik.AdminRecord) string {
	return fmt.Sprintf("%s %s %s: %s → %s", r.Action, r.Object, r.Key, cmp.Or(r.Before, "∅"), cmp.Or(r.After, "∅"))
}

// TestAdminJournal: every administrator's change to calendars, their days and policies is one record of
// the administration journal, with its author, before and after; a change that changes nothing and a
// refused one are none; the records are read newest first, by object and a page at a time, and verify.
func TestAdminJournal(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ctx := context.Background()
		want := f.adminStory(t)
		recs, err := f.svc.AdminJournal(ctx, otklik.AdminJournalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(want) {
			t.Errorf("%d records, want %d", len(recs), len(want))
		}
		for i, r := range recs {
			j := len(recs) - 1 - i // newest first
			if j < len(want) && adminLine(r) != want[j] {
				t.Errorf("record %d: %s\nwant       %s", r.Seq, adminLine(r), want[j])
			}
			at := f.clock.Now() // all but the first made a minute after it
			if j == 0 {
				at = at.Add(-time.Minute)
			}
			if r.Seq != int64(j+1) || r.Actor != f.staff || !r.At.Equal(at) {
				t.Errorf("record %d: seq %d, by %+v at %v", j+1, r.Seq, r.Actor, r.At)
			}
		}
		days, err := f.svc.AdminJournal(ctx, otklik.AdminJournalFilter{Object: otklik.AdminCalendarDay, Key: "ekb/2026-12-30"})
		if err != nil || len(days) != 3 || days[0].Action != otklik.AdminDeleted || days[2].Action != otklik.AdminCreated {
			t.Errorf("a day's records: %d, %v", len(days), err)
		}
		page, err := f.svc.AdminJournal(ctx, otklik.AdminJournalFilter{Before: 4, Limit: 2})
		if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 2 {
			t.Errorf("the page before record 4: %d records, %v", len(page), err)
		}
		rep, err := f.svc.Verify(ctx)
		if err != nil || rep.Broken != nil || rep.AdminRecords != int64(len(want)) {
			t.Errorf("verify: %v, %+v, %d administration records; want %d and none broken", err, rep.Broken, rep.AdminRecords, len(want))
		}
	})
}

// TestAdminJournalTampering alters the administration journal behind the application's back and checks
// that the database refuses the plain ways and verify names the first broken record of the others.
func TestAdminJournalTampering(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		drop := `DROP TRIGGER admin_journal_no_update; DROP TRIGGER admin_journal_no_delete;`
		if engine == "postgres" {
			drop = `DROP TRIGGER admin_journal_no_update ON admin_journal; DROP TRIGGER admin_journal_no_delete ON admin_journal;`
		}
		refused := []string{`UPDATE admin_journal SET after = '{}' WHERE seq = 2`, `DELETE FROM admin_journal WHERE seq = 11`}
		if engine == "postgres" {
			refused = append(refused, `TRUNCATE admin_journal`)
		}
		f := newFixture(t, engine)
		f.adminStory(t)
		for _, q := range refused {
			if _, err := f.raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want the append-only refusal", q, err)
			}
		}
		for _, tt := range []struct {
			name, tamper, want string
			seq                int64
		}{
			{"edited after", drop + `UPDATE admin_journal SET after = '{"kind":"work"}' WHERE seq = 4`, "altered", 4},
			{"edited author", drop + `UPDATE admin_journal SET actor_name = 'Кто-то другой' WHERE seq = 7`, "altered", 7},
			{"removed middle record", drop + `DELETE FROM admin_journal WHERE seq = 5`, "missing", 6},
			{"removed last record", drop + `DELETE FROM admin_journal WHERE seq = 11`, "removed from the end", 11},
			{"added beyond the head", `INSERT INTO admin_journal (seq, at, actor_type, actor_name, channel, object, key, action, hash)
				SELECT 12, at, actor_type, actor_name, channel, object, key, action, hash FROM admin_journal WHERE seq = 11`, "previous-hash", 12},
			{"head moved back", `UPDATE admin_journal_head SET seq = 10`, "added behind", 11},
		} {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, engine)
				f.adminStory(t)
				f.exec(t, tt.tamper)
				rep, err := f.svc.Verify(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				b := rep.Broken
				if b == nil || !b.Admin || b.Seq != tt.seq || !strings.Contains(b.Reason, tt.want) {
					t.Fatalf("broken: %+v, want record %d of the administration journal, %q", b, tt.seq, tt.want)
				}
			})
		}
	})
}

// TestAdminJournalStaffAndCatalog: the staff members, groups, categories and response templates an
// administrator adds and changes are in the administration journal too, a member's password never.
func TestAdminJournalStaffAndCatalog(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		admin, err := f.svc.AddUser(ctx, service.NewUser{Email: "Admin@Example.ru", Name: "Анна Админова", Role: otklik.RoleAdmin, Password: "correct horse battery"})
		must(err)
		by := admin.Actor(otklik.ChannelAgent)
		_, err = f.svc.AddGroup(ctx, by, "second", "Вторая линия")
		must(err)
		_, err = f.svc.AddCategory(ctx, service.NewCategory{Code: "access.esia", Name: "Вход через ЕСИА", Parent: "access", Group: "second", By: by})
		must(err)
		op, err := f.svc.AddUser(ctx, service.NewUser{Email: "op@example.ru", Name: "Олег Операторов", Role: otklik.RoleOperator,
			Password: "another long secret", By: by})
		must(err)
		_, err = f.svc.ChangeUser(ctx, admin, op.ID, service.UserChange{Role: otklik.RoleSupervisor, Group: "second"})
		must(err)
		must(f.svc.SetUserDisabled(ctx, admin, op.ID, true))
		must(f.svc.ResetSecondFactor(ctx, by, op.ID))
		must(f.svc.SignOutMember(ctx, by, op.ID))
		tp, err := f.svc.CreateResponseTemplate(ctx, service.TemplateInput{Code: "docs", Title: "Документы", Body: "Приложите, пожалуйста, скан.", By: by})
		must(err)
		_, err = f.svc.UpdateResponseTemplate(ctx, tp.ID, service.TemplateInput{Code: "docs", Title: "Документы", Body: "Приложите скан паспорта.", By: by})
		must(err)
		must(f.svc.DeleteResponseTemplate(ctx, by, tp.ID))
		id := strconv.FormatInt(tp.ID, 10)
		want := []string{
			`created user admin@example.ru: ∅ → {"name":"Анна Админова","role":"admin"}`,
			`created group second: ∅ → {"name":"Вторая линия"}`,
			`created category access.esia: ∅ → {"name":"Вход через ЕСИА","parent":"access","group":"second"}`,
			`created user op@example.ru: ∅ → {"name":"Олег Операторов","role":"operator"}`,
			`changed user op@example.ru: {"name":"Олег Операторов","role":"operator"} → {"name":"Олег Операторов","role":"supervisor","group":"second"}`,
			`changed user op@example.ru: {"name":"Олег Операторов","role":"supervisor","group":"second"} → {"name":"Олег Операторов","role":"supervisor","group":"second","disabled":true}`,
			`changed user op@example.ru: ∅ → ∅ (` + service.ReasonSecondFactorReset + `)`,
			`changed user op@example.ru: ∅ → ∅ (` + service.ReasonSignedOut + `)`,
			`created template ` + id + `: ∅ → {"code":"docs","title":"Документы","body":"Приложите, пожалуйста, скан."}`,
			`changed template ` + id + `: {"code":"docs","title":"Документы","body":"Приложите, пожалуйста, скан."} → {"code":"docs","title":"Документы","body":"Приложите скан паспорта."}`,
			`deleted template ` + id + `: {"code":"docs","title":"Документы","body":"Приложите скан паспорта."} → ∅`,
		}
		recs, err := f.svc.AdminJournal(ctx, otklik.AdminJournalFilter{})
		must(err)
		slices.Reverse(recs)
		var got []string
		for _, r := range recs {
			line := adminLine(r)
			if r.Reason != "" {
				line += " (" + r.Reason + ")"
			}
			got = append(got, line)
			if strings.Contains(r.Before+r.After, "secret") || strings.Contains(r.Before+r.After, "argon2") {
				t.Errorf("record %d keeps a password: %s", r.Seq, line)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("records:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if recs[0].Actor != otklik.SystemActor || recs[1].Actor != by || recs[4].Actor != by {
			t.Errorf("authors: %+v, %+v, %+v; want Otklik itself for the first member, then the administrator", recs[0].Actor, recs[1].Actor, recs[4].Actor)
		}
	})
}

// TestAdminJournalConcurrent: administrators changing things at once (PostgreSQL writes them on
// several connections) get one record each, in one unbroken chain.
func TestAdminJournalConcurrent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 28)
		for i := range 28 {
			wg.Go(func() {
				// Groups: nothing else two of them lock in common (two days of one calendar would wait
				// for each other on the calendar's row).
				_, err := f.svc.AddGroup(ctx, f.staff, fmt.Sprintf("group%02d", i), fmt.Sprintf("Группа %d", i))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := f.svc.Verify(ctx)
		if err != nil || rep.Broken != nil || rep.AdminRecords != 28 {
			t.Errorf("verify: %v, %+v, %d administration records; want 28 and none broken", err, rep.Broken, rep.AdminRecords)
		}
	})
}
