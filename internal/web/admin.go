package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/otklik/otklik/internal/otklik"
)

// Administration under /admin/: staff, groups and categories, response templates, calendars and SLA
// policies, the outbox and background jobs. Administrators change things; supervisors and auditors
// read what is harmless for them to see; everyone else is refused. Each change is a POST with the
// CSRF token that redirects back to its page with a notice ("?done=…"); a change refused for its
// data renders the page again with the message and what was typed.

func (wb *Web) adminRoutes(mux *http.ServeMux) {
	// admin wraps a handler so that only roles allowed the action reach it.
	admin := func(action string, h staffHandler) http.Handler {
		return wb.requireStaff(func(w http.ResponseWriter, r *http.Request, s *staffSession) {
			if !can(s.user.Role, action) {
				wb.fail(w, r, http.StatusForbidden, "ui.error.forbidden")
				return
			}
			h(w, r, s)
		})
	}
	mux.Handle("GET /admin/{$}", admin("admin.read", wb.adminHome))

	mux.Handle("GET /admin/staff", admin("admin.read", wb.adminStaff))
	mux.Handle("POST /admin/staff", admin("admin", wb.adminAddStaff))
	mux.Handle("POST /admin/staff/{id}/role", admin("admin", wb.adminStaffRole))
	mux.Handle("POST /admin/staff/{id}/disable", admin("admin", wb.adminStaffDisable(true)))
	mux.Handle("POST /admin/staff/{id}/enable", admin("admin", wb.adminStaffDisable(false)))
	mux.Handle("POST /admin/staff/{id}/reset-totp", admin("admin", wb.adminStaffResetTOTP))
	mux.Handle("POST /admin/staff/{id}/signout", admin("admin", wb.adminStaffSignOut))

	mux.Handle("GET /admin/groups", admin("admin.read", wb.adminGroups))
	mux.Handle("POST /admin/groups", admin("admin", wb.adminAddGroup))
	mux.Handle("GET /admin/categories", admin("admin.read", wb.adminCategories))
	mux.Handle("POST /admin/categories", admin("admin", wb.adminAddCategory))

	mux.Handle("GET /admin/templates", admin("admin.read", wb.adminTemplates))
	mux.Handle("POST /admin/templates", admin("admin", wb.adminCreateTemplate))
	mux.Handle("GET /admin/templates/{id}", admin("admin.read", wb.adminTemplate))
	mux.Handle("POST /admin/templates/{id}", admin("admin", wb.adminUpdateTemplate))
	mux.Handle("POST /admin/templates/{id}/delete", admin("admin", wb.adminDeleteTemplate))

	mux.Handle("GET /admin/sla", admin("admin.read", wb.adminSLA))
	mux.Handle("POST /admin/sla/calendars", admin("admin", wb.adminSaveCalendar))
	mux.Handle("POST /admin/sla/calendars/{name}", admin("admin", wb.adminSaveCalendar))
	mux.Handle("POST /admin/sla/calendars/{name}/delete", admin("admin", wb.adminDeleteCalendar))
	mux.Handle("POST /admin/sla/calendars/{name}/overrides", admin("admin", wb.adminAddOverride))
	mux.Handle("POST /admin/sla/calendars/{name}/overrides/{day}/delete", admin("admin", wb.adminDeleteOverride))
	mux.Handle("POST /admin/sla/policies", admin("admin", wb.adminAddPolicy))
	mux.Handle("GET /admin/sla/policies/{code}", admin("admin.read", wb.adminPolicy))
	mux.Handle("POST /admin/sla/policies/{code}", admin("admin", wb.adminSavePolicy))
	mux.Handle("POST /admin/sla/policies/{code}/delete", admin("admin", wb.adminDeletePolicy))

	mux.Handle("GET /admin/journal", admin("admin.read", wb.adminJournal))

	mux.Handle("GET /admin/outbox", admin("admin.ops", wb.adminOutbox))
	mux.Handle("GET /admin/jobs", admin("admin.ops", wb.adminJobs))
	mux.Handle("POST /admin/jobs/{id}/retry", admin("admin", wb.adminRetryJob))
}

// adminNotices are the results a change redirects with (?done=NAME); each is the catalogue key
// "ui.admin.done." + NAME.
var adminNotices = []string{
	"staff_added", "staff_saved", "staff_disabled", "staff_enabled", "staff_totp_reset", "staff_signed_out",
	"group_added", "category_added", "template_added", "template_saved", "template_deleted",
	"override_added", "override_removed", "calendar_saved", "calendar_deleted", "policy_added", "policy_saved", "policy_deleted", "job_retried",
}

// adminPage is the frame of an administration page, with the notice of a change just made.
func adminPage(r *http.Request, title, section string, data any) *page {
	p := &page{Title: title, Nav: "admin", Data: data, Back: r.URL.Path}
	if r.Method == http.MethodGet {
		p.Back = r.URL.RequestURI()
		if d := r.URL.Query().Get("done"); slices.Contains(adminNotices, d) {
			p.Notice = "ui.admin.done." + d
		}
	}
	p.Section = section
	return p
}

// done redirects back to an administration page after a change, with its notice.
func done(w http.ResponseWriter, r *http.Request, path, notice string) {
	http.Redirect(w, r, path+"?"+url.Values{"done": {notice}}.Encode(), http.StatusSeeOther)
}

// refused shows page p again with the message of a change refused for its data (invalid, in
// conflict, gone, not allowed); any other error is failErr's.
func (wb *Web) refused(w http.ResponseWriter, r *http.Request, err error, name string, p *page) {
	status, key, args, ok := refusalOf(err, otklik.EINVALID, otklik.ECONFLICT, otklik.ENOTFOUND, otklik.EFORBIDDEN)
	if !ok {
		wb.failErr(w, r, err)
		return
	}
	p.Error, p.Args = key, args
	wb.render(w, r, status, name, p)
}

// pathID is the numeric {id} of the address, or 0.
func pathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

type adminHomeData struct {
	FailedJobs int64
	Jobs       bool // the member may see the outbox and jobs
}

// adminHome is the overview: what each section is for.
func (wb *Web) adminHome(w http.ResponseWriter, r *http.Request, s *staffSession) {
	d := adminHomeData{Jobs: can(s.user.Role, "admin.ops")}
	if d.Jobs {
		counts, err := wb.svc.JobCounts(r.Context())
		if err != nil {
			wb.failErr(w, r, err)
			return
		}
		d.FailedJobs = counts[otklik.JobFailed]
	}
	wb.render(w, r, http.StatusOK, "admin_home", adminPage(r, "ui.admin.title", "home", d))
}
