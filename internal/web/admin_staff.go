package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// staffForm is the new member's form as typed (never the password).
type staffForm struct {
	Email, Name, Group string
	Role               otklik.Role
}

type staffData struct {
	Members []service.StaffMember
	Groups  []otklik.Group
	Roles   []otklik.Role
	Form    staffForm
	Self    int64
}

func (wb *Web) staffData(ctx context.Context, s *staffSession) (*staffData, error) {
	d := &staffData{Roles: otklik.Roles, Self: s.user.ID, Form: staffForm{Role: otklik.RoleOperator}}
	var err error
	if d.Members, err = wb.svc.StaffMembers(ctx); err != nil {
		return nil, err
	}
	if d.Groups, err = wb.svc.Groups(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func (wb *Web) adminStaff(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.staffPage(w, r, s, nil, nil)
}

// staffPage renders the staff page; after a refused change err is its reason and form what was typed.
func (wb *Web) staffPage(w http.ResponseWriter, r *http.Request, s *staffSession, err error, form *staffForm) {
	d, derr := wb.staffData(r.Context(), s)
	if derr != nil {
		wb.failErr(w, r, derr)
		return
	}
	if form != nil {
		d.Form = *form
	}
	p := adminPage(r, "ui.admin.staff.title", "staff", d)
	p.Back = "/admin/staff"
	if err != nil {
		wb.refused(w, r, err, "admin_staff", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_staff", p)
}

// adminAddStaff adds a member with an initial password (hashed with argon2id by the service).
func (wb *Web) adminAddStaff(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := staffForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"),
		Role: otklik.Role(r.PostFormValue("role")), Group: r.PostFormValue("group")}
	// AddUser allows a member without a password (automation signs in with a token); a member added
	// here must be able to sign in, so the page asks for one.
	password := r.PostFormValue("password")
	var err error
	if password == "" {
		err = otklik.Invalid(otklik.FieldError{Field: "password", Key: "ui.admin.staff.password_required"})
	} else {
		_, err = wb.svc.AddUser(r.Context(), service.NewUser{Email: f.Email, Name: f.Name, Role: f.Role, Group: f.Group,
			Password: password, By: s.user.Actor(otklik.ChannelAgent)})
	}
	if err != nil {
		wb.staffPage(w, r, s, err, &f)
		return
	}
	done(w, r, "/admin/staff", "staff_added")
}

// adminStaffRole changes a member's role and group.
func (wb *Web) adminStaffRole(w http.ResponseWriter, r *http.Request, s *staffSession) {
	_, err := wb.svc.ChangeUser(r.Context(), s.user, pathID(r), service.UserChange{
		Role: otklik.Role(r.PostFormValue("role")), Group: r.PostFormValue("group")})
	if err != nil {
		wb.staffPage(w, r, s, err, nil)
		return
	}
	done(w, r, "/admin/staff", "staff_saved")
}

// adminStaffDisable disables a member (ending their sessions) or enables them again.
func (wb *Web) adminStaffDisable(disabled bool) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, s *staffSession) {
		if err := wb.svc.SetUserDisabled(r.Context(), s.user, pathID(r), disabled); err != nil {
			wb.staffPage(w, r, s, err, nil)
			return
		}
		if disabled {
			done(w, r, "/admin/staff", "staff_disabled")
		} else {
			done(w, r, "/admin/staff", "staff_enabled")
		}
	}
}

// adminStaffResetTOTP removes a member's second factor (they lost the app) and signs them out
// everywhere: at the next sign-in a role that needs one enrols again.
func (wb *Web) adminStaffResetTOTP(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.ResetSecondFactor(r.Context(), s.user.Actor(otklik.ChannelAgent), pathID(r)); err != nil {
		wb.staffPage(w, r, s, err, nil)
		return
	}
	done(w, r, "/admin/staff", "staff_totp_reset")
}

// adminStaffSignOut ends every session of a member.
func (wb *Web) adminStaffSignOut(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.SignOutMember(r.Context(), s.user.Actor(otklik.ChannelAgent), pathID(r)); err != nil {
		wb.staffPage(w, r, s, err, nil)
		return
	}
	done(w, r, "/admin/staff", "staff_signed_out")
}
