package web

// «Мои обращения» (PRODUCT.md F19): the signed-in citizen's tickets, each with its public
// conversation, files, a reply form and «Повторное уведомление». Every route names a ticket through
// the service's citizen calls, which answer «not found» for a ticket that is not the citizen's, exactly
// as for a missing one.

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// maxCitizenUpload bounds a request adding files: a few files within the web channel's per-file limit.
const maxCitizenUpload = 26 << 20

func (wb *Web) myRoutes(mux *http.ServeMux) {
	mux.Handle("GET /my", wb.requireCitizen(0, wb.myList))
	mux.Handle("GET /my/{number}", wb.requireCitizen(0, wb.myTicket))
	mux.Handle("POST /my/{number}/reply", wb.requireCitizen(maxFormBytes, wb.myReply))
	mux.Handle("POST /my/{number}/files", wb.requireCitizen(maxCitizenUpload, wb.myFiles))
	mux.Handle("POST /my/{number}/remind", wb.requireCitizen(16<<10, wb.myRemind))
	mux.Handle("GET /my/files/{id}", wb.requireCitizen(0, wb.myFile))
}

type myListData struct {
	Query      service.MyQuery
	Items      []*otklik.Ticket
	Next       string
	Categories []otklik.Category // the top level, for the filter
	Filtered   bool
}

func (wb *Web) myList(w http.ResponseWriter, r *http.Request, c *citizen) {
	qv := r.URL.Query()
	q := service.MyQuery{Status: qv.Get("status"), Category: qv.Get("category"), From: qv.Get("from"), To: qv.Get("to"),
		Cursor: qv.Get("cursor")}
	d := myListData{Query: q, Filtered: q.Status != "" || q.Category != "" || q.From != "" || q.To != ""}
	cats, err := wb.svc.Categories(r.Context())
	if err != nil {
		wb.citizenFailErr(w, r, err)
		return
	}
	for _, cat := range cats {
		if cat.ParentID == 0 {
			d.Categories = append(d.Categories, cat)
		}
	}
	p := &page{Title: "ui.portal.my.title", Nav: "my", Data: &d}
	pg, err := wb.svc.MyTickets(r.Context(), c.email, q)
	if err != nil {
		code, key, args, ok := refusal(err)
		if !ok {
			wb.citizenFailErr(w, r, err)
			return
		}
		p.Error, p.Args = key, args
		wb.renderCitizen(w, r, code, "my", p)
		return
	}
	d.Items, d.Next = pg.Items, pg.Next
	wb.renderCitizen(w, r, http.StatusOK, "my", p)
}

// myTicketData is a ticket's page in «Мои обращения».
type myTicketData struct {
	*service.MyTicketView
	Body      string // the reply being written, kept after a refusal
	CanRemind bool
}

// StaffName is how the portal names a message's author: staff as «Служба поддержки», the citizen as
// «Вы».
func (p *page) StaffName(a otklik.Actor) string {
	if a.Type == otklik.ActorRequester {
		return p.T("ui.portal.ticket.you")
	}
	return p.T("ui.portal.ticket.support")
}

// MessageFiles returns the files of one message.
func (d *myTicketData) MessageFiles(id int64) []*otklik.Attachment {
	var out []*otklik.Attachment
	for _, f := range d.Files {
		if f.MessageID == id {
			out = append(out, f)
		}
	}
	return out
}

// TicketFiles returns the files attached to the ticket itself.
func (d *myTicketData) TicketFiles() []*otklik.Attachment { return d.MessageFiles(0) }

func (wb *Web) myTicketPage(w http.ResponseWriter, r *http.Request, c *citizen, code int, p *page, body string) {
	v, err := wb.svc.MyTicket(r.Context(), c.email, r.PathValue("number"))
	if err != nil {
		wb.citizenFailErr(w, r, err)
		return
	}
	p.Title, p.Nav = "ui.portal.ticket.title", "my"
	p.Args = mergeArgs(p.Args, map[string]string{"number": v.Ticket.Number})
	p.Back = "/my/" + v.Ticket.Number
	p.Data = &myTicketData{MyTicketView: v, Body: body, CanRemind: v.CanRemind(wb.now())}
	wb.renderCitizen(w, r, code, "my_ticket", p)
}

func mergeArgs(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		out[k] = v
	}
	return out
}

var myNotices = map[string]string{"reply": "ui.portal.ticket.replied", "files": "ui.portal.ticket.files_added",
	"remind": "ui.portal.ticket.reminded"}

func (wb *Web) myTicket(w http.ResponseWriter, r *http.Request, c *citizen) {
	wb.myTicketPage(w, r, c, http.StatusOK, &page{Notice: myNotices[r.URL.Query().Get("done")]}, "")
}

// myRefused shows the ticket again with a refusal above it, or the error page.
func (wb *Web) myRefused(w http.ResponseWriter, r *http.Request, c *citizen, err error, body string) {
	code, key, args, ok := refusal(err)
	if !ok || otklik.IsCode(err, otklik.ENOTFOUND) {
		wb.citizenFailErr(w, r, err)
		return
	}
	wb.myTicketPage(w, r, c, code, &page{Error: key, Args: args}, body)
}

func (wb *Web) myReply(w http.ResponseWriter, r *http.Request, c *citizen) {
	body := r.PostFormValue("body")
	t, _, err := wb.svc.CitizenReply(r.Context(), c.email, r.PathValue("number"), body)
	if err != nil {
		wb.myRefused(w, r, c, err, body)
		return
	}
	http.Redirect(w, r, "/my/"+t.Number+"?done=reply", http.StatusSeeOther)
}

func (wb *Web) myFiles(w http.ResponseWriter, r *http.Request, c *citizen) {
	number := r.PathValue("number")
	var fhs []*multipart.FileHeader
	if r.MultipartForm != nil {
		fhs = r.MultipartForm.File["file"]
	}
	if len(fhs) == 0 {
		wb.myRefused(w, r, c, otklik.Invalid(otklik.FieldError{Field: "file", Key: "ui.portal.ticket.no_file"}), "")
		return
	}
	for _, fh := range fhs {
		f, err := fh.Open()
		if err != nil {
			wb.citizenFailErr(w, r, err)
			return
		}
		_, err = wb.svc.CitizenAttach(r.Context(), c.email, number, fh.Filename, f)
		f.Close()
		if err != nil {
			wb.myRefused(w, r, c, err, "")
			return
		}
	}
	http.Redirect(w, r, "/my/"+number+"?done=files", http.StatusSeeOther)
}

func (wb *Web) myRemind(w http.ResponseWriter, r *http.Request, c *citizen) {
	number := r.PathValue("number")
	if err := wb.svc.Remind(r.Context(), c.email, number); err != nil {
		wb.myRefused(w, r, c, err, "")
		return
	}
	http.Redirect(w, r, "/my/"+number+"?done=remind", http.StatusSeeOther)
}

// myFile downloads a clean file of the citizen's ticket, as an attachment in a sandbox.
func (wb *Web) myFile(w http.ResponseWriter, r *http.Request, c *citizen) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		wb.citizenFailErr(w, r, otklik.NotFound("file.not_found"))
		return
	}
	att, content, err := wb.svc.CitizenFile(r.Context(), c.email, id)
	if err != nil {
		var e *otklik.Error
		if errors.As(err, &e) && e.Code == otklik.EFORBIDDEN {
			wb.citizenFail(w, r, http.StatusForbidden, e.Key)
			return
		}
		wb.citizenFailErr(w, r, err)
		return
	}
	defer content.Close()
	serveAttachment(w, r, att, content)
}
