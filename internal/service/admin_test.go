package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// fieldKey returns the key of the first field an EINVALID error names, or "" for any other error.
func fieldKey(err error) string {
	var e *otklik.Error
	if !errors.As(err, &e) || e.Code != otklik.EINVALID || len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0].Key
}

func TestResponseTemplateChanges(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		before, err := f.svc.ResponseTemplates(ctx)
		mustNoErr(t, err)

		refused := []struct {
			name string
			in   service.TemplateInput
			key  string
		}{
			{"empty code", service.TemplateInput{Title: "Т", Body: "Текст"}, "template.code"},
			{"capitals", service.TemplateInput{Code: "Greeting2", Title: "Т", Body: "Текст"}, "template.code"},
			{"Cyrillic", service.TemplateInput{Code: "приветствие", Title: "Т", Body: "Текст"}, "template.code"},
			{"dot", service.TemplateInput{Code: "a.b", Title: "Т", Body: "Текст"}, "template.code"},
			{"41 characters", service.TemplateInput{Code: strings.Repeat("a", 41), Title: "Т", Body: "Текст"}, "template.code"},
			{"no title", service.TemplateInput{Code: "x", Body: "Текст"}, "field.required"},
			{"long title", service.TemplateInput{Code: "x", Title: strings.Repeat("я", 201), Body: "Текст"}, "field.too_long"},
			{"no body", service.TemplateInput{Code: "x", Title: "Т", Body: "  \n "}, "field.required"},
			{"long body", service.TemplateInput{Code: "x", Title: "Т", Body: strings.Repeat("я", 20_001)}, "field.too_long"},
			{"control characters", service.TemplateInput{Code: "x", Title: "Т\u202e", Body: "Текст"}, "field.control_chars"},
			{"negative position", service.TemplateInput{Code: "x", Title: "Т", Body: "Текст", Position: -1}, "template.position"},
			{"taken code", service.TemplateInput{Code: before[0].Code, Title: "Т", Body: "Текст"}, "template.exists"},
		}
		for _, tt := range refused {
			_, err := f.svc.CreateResponseTemplate(ctx, tt.in)
			if got := fieldKey(err); got != tt.key {
				t.Errorf("%s: got %v (%q), want %s", tt.name, err, got, tt.key)
			}
		}
		if after, _ := f.svc.ResponseTemplates(ctx); len(after) != len(before) {
			t.Fatalf("refused templates were stored: %d → %d", len(before), len(after))
		}

		// Limits are inclusive; a new template goes last.
		long := strings.Repeat("я", 20_000)
		tp, err := f.svc.CreateResponseTemplate(ctx, service.TemplateInput{Code: strings.Repeat("a", 40), Title: strings.Repeat("т", 200), Body: long})
		mustNoErr(t, err)
		if got, want := tp.Position, before[len(before)-1].Position+1; got != want {
			t.Errorf("position = %d, want %d", got, want)
		}
		got, err := f.svc.ResponseTemplate(ctx, tp.ID)
		mustNoErr(t, err)
		if got.Body != long || got.Code != strings.Repeat("a", 40) {
			t.Errorf("stored template differs: code %q, body of %d bytes", got.Code, len(got.Body))
		}

		// Update: the code may stay, may not take another's; the position stays unless given.
		_, err = f.svc.UpdateResponseTemplate(ctx, tp.ID, service.TemplateInput{Code: before[0].Code, Title: "Т", Body: "Текст"})
		if fieldKey(err) != "template.exists" {
			t.Errorf("update to a taken code: %v", err)
		}
		up, err := f.svc.UpdateResponseTemplate(ctx, tp.ID, service.TemplateInput{Code: "sms", Title: " СМС ", Body: "Текст\r\nвторая строка"})
		mustNoErr(t, err)
		if up.Title != "СМС" || up.Body != "Текст\nвторая строка" || up.Position != tp.Position {
			t.Errorf("updated: %+v", up)
		}
		_, err = f.svc.UpdateResponseTemplate(ctx, 999_999, service.TemplateInput{Code: "zzz", Title: "Т", Body: "Текст"})
		wantErr(t, err, otklik.ENOTFOUND, "template.not_found")

		// Delete.
		mustNoErr(t, f.svc.DeleteResponseTemplate(ctx, anAdmin, tp.ID))
		wantErr(t, f.svc.DeleteResponseTemplate(ctx, anAdmin, tp.ID), otklik.ENOTFOUND, "template.not_found")
		_, err = f.svc.ResponseTemplate(ctx, tp.ID)
		wantErr(t, err, otklik.ENOTFOUND, "template.not_found")
		if after, _ := f.svc.ResponseTemplates(ctx); len(after) != len(before) {
			t.Errorf("after delete: %d templates, want %d", len(after), len(before))
		}
	})
}

func TestDisableAndChangeUser(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		admin, op := f.users[otklik.RoleAdmin], f.users[otklik.RoleOperator]
		secret, err := f.svc.CreateSession(ctx, op.ID, "192.0.2.1", "test")
		mustNoErr(t, err)
		other, err := f.svc.CreateSession(ctx, op.ID, "192.0.2.2", "test")
		mustNoErr(t, err)

		// Disabling ends every session and refuses new ones.
		mustNoErr(t, f.svc.SetUserDisabled(ctx, admin, op.ID, true))
		for _, s := range []string{secret, other} {
			_, _, err := f.svc.SessionUser(ctx, s)
			wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")
		}
		_, err = f.svc.CreateSession(ctx, op.ID, "192.0.2.1", "test")
		wantErr(t, err, otklik.EFORBIDDEN, "auth.disabled")
		ms, err := f.svc.StaffMembers(ctx)
		mustNoErr(t, err)
		for _, m := range ms {
			if m.ID == op.ID && !m.Disabled {
				t.Error("the staff list shows the operator enabled")
			}
			if m.PasswordHash != "" {
				t.Errorf("the staff list carries %s's password hash", m.Email)
			}
		}
		// Enabled again, the member signs in; the old sessions stay ended.
		mustNoErr(t, f.svc.SetUserDisabled(ctx, admin, op.ID, false))
		_, err = f.svc.CreateSession(ctx, op.ID, "192.0.2.1", "test")
		mustNoErr(t, err)
		_, _, err = f.svc.SessionUser(ctx, secret)
		wantErr(t, err, otklik.EUNAUTHORIZED, "auth.session_expired")

		// An administrator neither disables nor demotes themselves; another administrator may.
		if err := f.svc.SetUserDisabled(ctx, admin, admin.ID, true); fieldKey(err) != "user.self_disable" {
			t.Errorf("self-disable: %v", err)
		}
		if _, err := f.svc.ChangeUser(ctx, admin, admin.ID, service.UserChange{Role: otklik.RoleOperator}); fieldKey(err) != "user.self_demote" {
			t.Errorf("self-demotion: %v", err)
		}
		if _, err := f.svc.ChangeUser(ctx, admin, admin.ID, service.UserChange{Role: otklik.RoleAdmin, Group: "line2"}); err != nil {
			t.Errorf("an administrator changes their own group: %v", err)
		}
		if err := f.svc.SetUserDisabled(ctx, admin, 999_999, true); !otklik.IsCode(err, otklik.ENOTFOUND) {
			t.Errorf("disabling nobody: %v", err)
		}

		// Role and group.
		if _, err := f.svc.ChangeUser(ctx, admin, op.ID, service.UserChange{Role: "boss"}); fieldKey(err) != "role.unknown" {
			t.Errorf("unknown role: %v", err)
		}
		if _, err := f.svc.ChangeUser(ctx, admin, op.ID, service.UserChange{Role: otklik.RoleSenior, Group: "nope"}); fieldKey(err) != "group.unknown" {
			t.Errorf("unknown group: %v", err)
		}
		u, err := f.svc.ChangeUser(ctx, admin, op.ID, service.UserChange{Role: otklik.RoleSenior, Group: "line2"})
		mustNoErr(t, err)
		stored, err := f.st.UserByEmail(ctx, op.Email)
		mustNoErr(t, err)
		if stored.Role != otklik.RoleSenior || stored.GroupID == 0 || stored.GroupID != u.GroupID || stored.PasswordHash == "" {
			t.Errorf("stored after the change: %+v", stored)
		}
		u, err = f.svc.ChangeUser(ctx, admin, op.ID, service.UserChange{Role: otklik.RoleSenior})
		mustNoErr(t, err)
		if u.GroupID != 0 {
			t.Errorf("an empty group left %d", u.GroupID)
		}
	})
}

// The staff list shows who has a second factor and who is locked out.
func TestStaffMembers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		f := newAuthFixture(t, engine, service.AuthOptions{})
		ctx := context.Background()
		f.enrol(t, otklik.RoleSupervisor)
		for i := 0; i < 10; i++ {
			_, _ = f.svc.SignIn(ctx, f.users[otklik.RoleOperator].Email, "wrong password!!", "192.0.2.1")
		}
		ms, err := f.svc.StaffMembers(ctx)
		mustNoErr(t, err)
		if len(ms) != len(otklik.Roles) {
			t.Fatalf("%d members, want %d", len(ms), len(otklik.Roles))
		}
		for _, m := range ms {
			if got, want := m.TOTP, m.Role == otklik.RoleSupervisor; got != want {
				t.Errorf("%s: TOTP = %v, want %v", m.Role, got, want)
			}
			if got, want := m.LockedUntil != nil, m.Role == otklik.RoleOperator; got != want {
				t.Errorf("%s: locked = %v, want %v", m.Role, got, want)
			}
		}
	})
}
