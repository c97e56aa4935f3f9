package api

import (
	"errors"
	"mime"
	"net/http"
	"strconv"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Resumable uploads: a large file is sent in parts over several requests, so that a broken
// connection costs only the part under way.
//
//	POST   /api/v1/uploads            {"name","size"}            → 201, Location, Upload-Offset: 0
//	PATCH  /api/v1/uploads/{upload}   Upload-Offset: N, the bytes → 204, Upload-Offset: N+len
//	GET    /api/v1/uploads/{upload}                              → 200, Upload-Offset: what has come
//	POST   /api/v1/tickets/{number}/attachments {"upload": id}   → 201, the attachment
//	DELETE /api/v1/uploads/{upload}                              → 204

// StartUploadJSON declares a file to be sent in parts.
type StartUploadJSON struct {
	Name string `json:"name" doc:"the file's name, as it should be shown"`
	Size int64  `json:"size" doc:"its exact size in bytes; checked against the limit (5 MB) before anything is sent"`
}

// UploadStateJSON is an upload in progress.
type UploadStateJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	Offset    int64  `json:"offset" doc:"bytes received: the next part starts here"`
	ExpiresAt Time   `json:"expires_at" doc:"an unfinished upload is removed after this"`
}

// FinishUploadJSON attaches a completed upload.
type FinishUploadJSON struct {
	Upload    string `json:"upload" doc:"the id of a completely received upload"`
	MessageID int64  `json:"message_id,omitempty" doc:"attach to this message of the ticket"`
}

var pUpload = param{Name: "upload", In: "path", Required: true, Doc: "the upload's id"}

// maxPart bounds one PATCH (parts are usually much smaller; the file's own limit applies anyway).
const maxPart = 64 << 20

func uploadStateJSON(u *otklik.Upload) UploadStateJSON {
	return UploadStateJSON{ID: u.ID, Name: u.Name, Size: u.Size, Offset: u.Received, ExpiresAt: msk(u.ExpiresAt)}
}

func (a *API) startUpload(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in StartUploadJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	u, err := a.svc.StartUpload(r.Context(), actor(me), otklik.ChannelAPI, in.Name, in.Size)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.Header().Set("Location", "/api/v1/uploads/"+u.ID)
	w.Header().Set("Upload-Offset", "0")
	httpx.JSON(w, http.StatusCreated, uploadStateJSON(u))
}

func (a *API) getUpload(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	u, err := a.svc.Upload(r.Context(), actor(me), r.PathValue("upload"))
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.Received, 10))
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, uploadStateJSON(u))
}

func (a *API) appendUpload(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/offset+octet-stream" {
		httpx.Error(w, r, a.log, otklik.Errorf(otklik.EUNSUPPORTED, "upload.media_type", nil))
		return
	}
	offset, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		httpx.Error(w, r, a.log, otklik.Invalid(otklik.FieldError{Field: "Upload-Offset", Key: "upload.offset_header"}))
		return
	}
	if r.ContentLength > maxPart {
		httpx.Error(w, r, a.log, otklik.Errorf(otklik.ETOOLARGE, "upload.part_too_large", map[string]string{"max": service.HumanBytes(maxPart)}))
		return
	}
	body := &partReader{r: http.MaxBytesReader(w, r.Body, maxPart)}
	u, err := a.svc.AppendUpload(r.Context(), actor(me), r.PathValue("upload"), offset, body)
	if err != nil {
		if o, ok := conflictOffset(err); ok {
			w.Header().Set("Upload-Offset", strconv.FormatInt(o, 10))
		}
		httpx.Error(w, r, a.log, uploadError(err, maxPart))
		return
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.Received, 10))
	w.WriteHeader(http.StatusNoContent)
}

// conflictOffset returns the offset an upload's conflict reports.
func conflictOffset(err error) (int64, bool) {
	var e *otklik.Error
	if errors.As(err, &e) && e.Code == otklik.ECONFLICT {
		o, ok := e.Data["offset"].(int64)
		return o, ok
	}
	return 0, false
}

func (a *API) cancelUpload(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	if err := a.svc.CancelUpload(r.Context(), actor(me), r.PathValue("upload")); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// finishUpload is the JSON form of the attachment upload: it attaches a completed upload.
func (a *API) finishUpload(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in FinishUploadJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	if in.Upload == "" {
		httpx.Error(w, r, a.log, otklik.Invalid(otklik.FieldError{Field: "upload", Key: "field.required"}))
		return
	}
	number := r.PathValue("number")
	att, err := a.svc.FinishUpload(r.Context(), actor(me), number, in.MessageID, in.Upload)
	if err != nil {
		if o, ok := conflictOffset(err); ok {
			w.Header().Set("Upload-Offset", strconv.FormatInt(o, 10))
		}
		httpx.Error(w, r, a.log, err)
		return
	}
	w.Header().Set("Location", "/api/v1/attachments/"+strconv.FormatInt(att.ID, 10))
	httpx.JSON(w, http.StatusCreated, attachmentJSON(att, number))
}
