package api

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/otklik/otklik/internal/files"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// AttachmentJSON describes a file (CONTRACT.md: id, name, size, content_type, sha256, scan).
type AttachmentJSON struct {
	ID          int64         `json:"id"`
	Ticket      string        `json:"ticket"`
	MessageID   int64         `json:"message_id,omitempty" doc:"the message it came with; absent when attached to the ticket"`
	Name        string        `json:"name" doc:"as the sender named it (display only)"`
	SafeName    string        `json:"safe_name" doc:"the name a download gets"`
	Size        int64         `json:"size"`
	ContentType string        `json:"content_type" doc:"detected from the content, not the name"`
	SHA256      string        `json:"sha256"`
	Scan        string        `json:"scan" enum:"pending,clean,infected,error" doc:"pending: «на проверке», served only to its uploader; infected: blocked, quarantined"`
	Signature   string        `json:"signature,omitempty" doc:"what the antivirus found"`
	Channel     string        `json:"channel"`
	Uploader    ActorJSON     `json:"uploader"`
	CreatedAt   Time          `json:"created_at"`
	Deleted     *DeletionJSON `json:"deleted,omitempty" doc:"the content was deleted: when, by whom, why"`
}

// DeletionJSON records a deleted file's content.
type DeletionJSON struct {
	At     Time   `json:"at"`
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// DownloadJSON is one opening of a file.
type DownloadJSON struct {
	Actor   ActorJSON `json:"actor"`
	Preview bool      `json:"preview" doc:"the inline preview of an image, not the file"`
	At      Time      `json:"at"`
}

// DeleteFileJSON is why a file's content is deleted.
type DeleteFileJSON struct {
	Reason string `json:"reason" doc:"required: retention period over, the citizen's request, sent by mistake…"`
}

// UploadJSON documents the multipart upload.
type UploadJSON struct {
	File      string `json:"file" format:"binary" doc:"the file (one a request)"`
	MessageID int64  `json:"message_id,omitempty" doc:"attach to this message of the ticket; must come before the file"`
}

func attachmentJSON(a *otklik.Attachment, number string) AttachmentJSON {
	j := AttachmentJSON{ID: a.ID, Ticket: number, MessageID: a.MessageID, Name: a.Name, SafeName: a.SafeName, Size: a.Blob.Size,
		ContentType: a.Blob.ContentType, SHA256: hex.EncodeToString(a.Blob.SHA256), Scan: string(a.Blob.Scan),
		Signature: a.Blob.Signature, Channel: string(a.Channel), Uploader: actorJSON(a.Uploader), CreatedAt: msk(a.CreatedAt)}
	if !a.DeletedAt.IsZero() {
		j.Deleted = &DeletionJSON{At: msk(a.DeletedAt), By: a.DeletedBy, Reason: a.DeleteReason}
	}
	return j
}

// uploadOverhead is what a multipart request may carry besides its file: boundaries, part headers,
// the message_id field.
const uploadOverhead = 64 << 10

func (a *API) upload(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	number := r.PathValue("number")
	max := files.DefaultRules(otklik.ChannelAPI).MaxFile
	if a.fileRules != nil {
		max = a.fileRules(otklik.ChannelAPI).MaxFile
	}
	if r.ContentLength > max+uploadOverhead {
		httpx.Error(w, r, a.log, otklik.Errorf(otklik.ETOOLARGE, "file.upload_too_large", map[string]string{"max": service.HumanBytes(max)}))
		return
	}
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && ct == "application/json" {
		a.finishUpload(w, r, me)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, max+uploadOverhead)
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		httpx.Error(w, r, a.log, otklik.Errorf(otklik.EUNSUPPORTED, "file.not_multipart", nil))
		return
	}
	if err := a.svc.TicketExists(r.Context(), number); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	// The file goes into the vault as it arrives; it is attached only once the whole request has
	// been read and found right, so a refused request leaves nothing.
	body := &closingDelimiter{r: r.Body, delim: []byte("--" + params["boundary"] + "--")}
	mr := multipart.NewReader(body, params["boundary"])
	var messageID int64
	var stored *service.StoredFile
	fail := func(err error) {
		if stored != nil {
			a.svc.DiscardStored(r.Context(), []*service.StoredFile{stored})
		}
		httpx.Error(w, r, a.log, err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF && !body.seen {
			// Go's multipart reader also ends at a body cut short inside a part's headers.
			err = io.ErrUnexpectedEOF
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(uploadError(err, max))
			return
		}
		switch p.FormName() {
		case "message_id":
			v, _ := io.ReadAll(io.LimitReader(p, 32))
			id, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
			if err != nil || id <= 0 {
				fail(otklik.Invalid(otklik.FieldError{Field: "message_id", Key: "file.message_id_invalid"}))
				return
			}
			messageID = id
		case "file":
			if stored != nil {
				fail(otklik.Invalid(otklik.FieldError{Field: "file", Key: "file.too_many", Args: map[string]string{"max": "1"}}))
				return
			}
			stored, err = a.svc.StoreFile(r.Context(), sentName(p), otklik.ChannelAPI, &partReader{r: p})
			if err != nil {
				fail(uploadError(err, max))
				return
			}
		default:
			// Unknown fields are read past, bounded by the request limit.
			if _, err := io.Copy(io.Discard, p); err != nil {
				fail(uploadError(err, max))
				return
			}
		}
	}
	// The body must end where it said it would: a client that declared more than it sent went away.
	if _, err := io.Copy(io.Discard, body); err != nil {
		fail(uploadError(errUpload{err}, max))
		return
	}
	if stored == nil {
		fail(otklik.Invalid(otklik.FieldError{Field: "file", Key: "file.missing"}))
		return
	}
	att, err := a.svc.AttachStored(r.Context(), me.Actor(otklik.ChannelAPI), number, otklik.ChannelAPI, messageID, stored)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.Header().Set("Location", "/api/v1/attachments/"+strconv.FormatInt(att.ID, 10))
	httpx.JSON(w, http.StatusCreated, attachmentJSON(att, number))
}

// sentName is a part's file name as the client sent it, directories included: kept for display (the
// name a download gets is sanitised apart). Part.FileName would keep only its last element.
func sentName(p *multipart.Part) string {
	if _, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return p.FileName()
}

// closingDelimiter watches a multipart body for its closing delimiter ("--boundary--"), the only proof
// that the body was sent whole.
type closingDelimiter struct {
	r     io.Reader
	delim []byte
	tail  []byte // the last len(delim)-1 bytes read, for a delimiter split across reads
	seen  bool
}

func (c *closingDelimiter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if n > 0 && !c.seen {
		k := len(c.delim) - 1
		c.seen = bytes.Contains(append(c.tail, b[:min(n, k)]...), c.delim) || bytes.Contains(b[:n], c.delim)
		if n >= k {
			c.tail = append(c.tail[:0], b[n-k:n]...)
		} else {
			t := append(c.tail, b[:n]...)
			c.tail = append([]byte(nil), t[max(0, len(t)-k):]...)
		}
	}
	return n, err
}

// partReader reads a file (a multipart part, a request body); a request cut short reads as an error,
// never as a shorter file.
type partReader struct{ r io.Reader }

func (pr *partReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	if err != nil && err != io.EOF {
		return n, errUpload{err}
	}
	return n, err
}

type errUpload struct{ err error }

func (e errUpload) Error() string { return "upload: " + e.err.Error() }
func (e errUpload) Unwrap() error { return e.err }

// uploadError explains a broken upload: over the limit, or cut short.
func uploadError(err error, max int64) error {
	var mb *http.MaxBytesError
	var eu errUpload
	switch {
	case errors.As(err, &mb):
		return otklik.Errorf(otklik.ETOOLARGE, "file.upload_too_large", map[string]string{"max": service.HumanBytes(max)})
	case errors.As(err, &eu), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "multipart"):
		return otklik.Errorf(otklik.EMALFORMED, "file.upload_broken", nil)
	}
	return err
}

func (a *API) listAttachments(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	number := r.PathValue("number")
	atts, err := a.svc.Attachments(r.Context(), number)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]AttachmentJSON, len(atts))
	for i, at := range atts {
		out[i] = attachmentJSON(at, number)
	}
	httpx.JSON(w, http.StatusOK, out)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, otklik.NotFound("file.not_found")
	}
	return id, nil
}

func (a *API) getAttachment(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	id, err := pathID(r)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	v, err := a.svc.Attachment(r.Context(), id)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusOK, attachmentJSON(v.Attachment, v.Number))
}

// attachmentContent streams a file: as an attachment with a safe name, its detected type, nosniff
// and a sandbox policy, with ranges (resumed downloads).
func (a *API) attachmentContent(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	a.serveFile(w, r, me, false)
}

// attachmentPreview serves an image re-encoded without its metadata, safe to show inline.
func (a *API) attachmentPreview(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	a.serveFile(w, r, me, true)
}

func (a *API) serveFile(w http.ResponseWriter, r *http.Request, me *otklik.User, preview bool) {
	id, err := pathID(r)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	v, err := a.svc.ViewerOf(r.Context(), me, otklik.ChannelAPI)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	att, c, err := a.svc.OpenAttachment(r.Context(), v, id, preview)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	defer c.Close()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	modified := att.CreatedAt
	if preview {
		data, ct, err := files.Preview(c, att.Blob.ContentType)
		if err != nil {
			httpx.Error(w, r, a.log, otklik.Errorf(otklik.ENOTFOUND, "file.no_preview", nil))
			return
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Disposition", "inline; "+httpx.DispositionName("preview-"+att.SafeName))
		http.ServeContent(w, r, "", modified, bytes.NewReader(data))
		return
	}
	h.Set("Content-Type", att.Blob.ContentType)
	h.Set("Content-Disposition", "attachment; "+httpx.DispositionName(att.SafeName))
	h.Set("ETag", `"`+hex.EncodeToString(att.Blob.SHA256)+`"`)
	http.ServeContent(w, r, "", modified, c)
}

func (a *API) attachmentDownloads(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	id, err := pathID(r)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	ds, err := a.svc.Downloads(r.Context(), id)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]DownloadJSON, len(ds))
	for i, d := range ds {
		out[i] = DownloadJSON{Actor: actorJSON(d.Actor), Preview: d.Preview, At: msk(d.At)}
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (a *API) deleteAttachment(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	id, err := pathID(r)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	var in DeleteFileJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	if err := a.svc.DeleteAttachment(r.Context(), me.Actor(otklik.ChannelAPI), id, in.Reason); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
