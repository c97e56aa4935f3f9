package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Response templates: the list with a form for a new one, and a page to edit or delete one.

type templateForm struct {
	ID                          int64
	Code, Title, Body, Position string
}

type templatesData struct {
	Templates []otklik.ResponseTemplate
	Form      templateForm
}

func (wb *Web) adminTemplates(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.templatesPage(w, r, nil, templateForm{})
}

func (wb *Web) templatesPage(w http.ResponseWriter, r *http.Request, err error, f templateForm) {
	ts, terr := wb.svc.ResponseTemplates(r.Context())
	if terr != nil {
		wb.failErr(w, r, terr)
		return
	}
	p := adminPage(r, "ui.admin.templates.title", "templates", templatesData{Templates: ts, Form: f})
	p.Back = "/admin/templates"
	if err != nil {
		wb.refused(w, r, err, "admin_templates", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_templates", p)
}

// templateInput reads the template form posted by s's member; a position that is not a number is
// refused.
func templateInput(r *http.Request, s *staffSession) (templateForm, service.TemplateInput, error) {
	f := templateForm{Code: strings.TrimSpace(r.PostFormValue("code")), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), Position: strings.TrimSpace(r.PostFormValue("position"))}
	in := service.TemplateInput{Code: f.Code, Title: f.Title, Body: f.Body, By: s.user.Actor(otklik.ChannelAgent)}
	if f.Position != "" {
		n, err := strconv.Atoi(f.Position)
		if err != nil || n < 0 {
			return f, in, otklik.Invalid(otklik.FieldError{Field: "position", Key: "ui.admin.position_invalid"})
		}
		in.Position = n
	}
	return f, in, nil
}

func (wb *Web) adminCreateTemplate(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f, in, err := templateInput(r, s)
	if err == nil {
		_, err = wb.svc.CreateResponseTemplate(r.Context(), in)
	}
	if err != nil {
		wb.templatesPage(w, r, err, f)
		return
	}
	done(w, r, "/admin/templates", "template_added")
}

// adminTemplate shows one template in its edit form.
func (wb *Web) adminTemplate(w http.ResponseWriter, r *http.Request, s *staffSession) {
	t, err := wb.svc.ResponseTemplate(r.Context(), pathID(r))
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	f := templateForm{ID: t.ID, Code: t.Code, Title: t.Title, Body: t.Body, Position: strconv.Itoa(t.Position)}
	wb.render(w, r, http.StatusOK, "admin_template", adminPage(r, "ui.admin.templates.edit", "templates", f))
}

func (wb *Web) adminUpdateTemplate(w http.ResponseWriter, r *http.Request, s *staffSession) {
	id := pathID(r)
	f, in, err := templateInput(r, s)
	f.ID = id
	if err == nil {
		_, err = wb.svc.UpdateResponseTemplate(r.Context(), id, in)
	}
	if err != nil {
		p := adminPage(r, "ui.admin.templates.edit", "templates", f)
		p.Back = "/admin/templates/" + strconv.FormatInt(id, 10)
		wb.refused(w, r, err, "admin_template", p)
		return
	}
	done(w, r, "/admin/templates", "template_saved")
}

func (wb *Web) adminDeleteTemplate(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if err := wb.svc.DeleteResponseTemplate(r.Context(), s.user.Actor(otklik.ChannelAgent), pathID(r)); err != nil {
		wb.templatesPage(w, r, err, templateForm{})
		return
	}
	done(w, r, "/admin/templates", "template_deleted")
}
