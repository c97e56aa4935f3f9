package web

import (
	"io"
	"net/http"
	"strconv"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
)

type fileView struct {
	P *page
	F *otklik.Attachment
}

// file downloads an attachment: only a clean one (the service refuses the rest), as an attachment
// in a sandbox, never rendered as a page of this site.
func (wb *Web) file(w http.ResponseWriter, r *http.Request, s *staffSession) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		wb.fail(w, r, http.StatusNotFound, "ui.notfound.text")
		return
	}
	v, err := wb.svc.ViewerOf(r.Context(), s.user, otklik.ChannelAgent)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	att, c, err := wb.svc.OpenAttachment(r.Context(), v, id, false)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	defer c.Close()
	serveAttachment(w, r, att, c)
}

// serveAttachment sends a file's content as a download in a sandbox: never rendered as a page of this
// site, never cached by a shared cache.
func serveAttachment(w http.ResponseWriter, r *http.Request, att *otklik.Attachment, content io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Type", att.Blob.ContentType)
	h.Set("Content-Disposition", "attachment; "+httpx.DispositionName(att.SafeName))
	http.ServeContent(w, r, "", att.CreatedAt, content)
}
