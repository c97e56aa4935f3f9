package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/testkit"
)

func TestResponseTemplateRows(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
		ctx := context.Background()
		write := func(fn func(tx otklik.Tx) error) error { return st.Write(ctx, fn) }

		rt := &otklik.ResponseTemplate{Code: "sms", Title: "СМС", Body: "Текст {name}", Position: 9}
		if err := write(func(tx otklik.Tx) error { return tx.InsertResponseTemplate(ctx, rt) }); err != nil || rt.ID == 0 {
			t.Fatalf("insert: id %d, %v", rt.ID, err)
		}
		dup := &otklik.ResponseTemplate{Code: "sms", Title: "x", Body: "x"}
		if err := write(func(tx otklik.Tx) error { return tx.InsertResponseTemplate(ctx, dup) }); !otklik.IsCode(err, otklik.ECONFLICT) {
			t.Errorf("duplicate code: %v, want ECONFLICT", err)
		}
		rt.Title, rt.Position = "СМС не приходит", 0
		if err := write(func(tx otklik.Tx) error { return tx.UpdateResponseTemplate(ctx, rt) }); err != nil {
			t.Fatal(err)
		}
		var inTx []otklik.ResponseTemplate
		if err := write(func(tx otklik.Tx) (err error) { inTx, err = tx.ResponseTemplatesTx(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		read, err := st.ResponseTemplates(ctx)
		if err != nil || len(read) != len(inTx) {
			t.Fatalf("read %d, in the transaction %d, %v", len(read), len(inTx), err)
		}
		if got := read[0]; got.ID != rt.ID || got.Title != "СМС не приходит" || got.Body != "Текст {name}" {
			t.Errorf("first template (position 0) = %+v", got)
		}
		gone := &otklik.ResponseTemplate{ID: 999_999, Code: "gone", Title: "x", Body: "x"}
		if err := write(func(tx otklik.Tx) error { return tx.UpdateResponseTemplate(ctx, gone) }); !otklik.IsCode(err, otklik.ENOTFOUND) {
			t.Errorf("update of a missing template: %v", err)
		}
		if err := write(func(tx otklik.Tx) error { return tx.DeleteResponseTemplate(ctx, rt.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := write(func(tx otklik.Tx) error { return tx.DeleteResponseTemplate(ctx, rt.ID) }); !otklik.IsCode(err, otklik.ENOTFOUND) {
			t.Errorf("second delete: %v", err)
		}
	})
}

func TestStaffAuthsAndDisabling(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
		ctx := context.Background()
		u := &otklik.User{Email: "op@example.ru", Name: "Оператор", Role: otklik.RoleOperator, CreatedAt: clock.Now()}
		locked := clock.Now().Add(time.Hour)
		err := st.Write(ctx, func(tx otklik.Tx) error {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			return tx.SetStaffAuth(ctx, &otklik.StaffAuth{UserID: u.ID, FailedLogins: 5, LockedUntil: &locked})
		})
		if err != nil {
			t.Fatal(err)
		}
		as, err := st.StaffAuths(ctx)
		if err != nil || len(as) != 1 || as[0].UserID != u.ID || as[0].FailedLogins != 5 || as[0].LockedUntil == nil || !as[0].LockedUntil.Equal(locked) || as[0].TOTPEnabled() {
			t.Fatalf("staff auths: %+v, %v", as, err)
		}
		u.Disabled = true
		if err := st.Write(ctx, func(tx otklik.Tx) error { return tx.UpdateUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		if got, err := st.UserByEmail(ctx, u.Email); err != nil || !got.Disabled {
			t.Errorf("after disabling: %+v, %v", got, err)
		}
	})
}
