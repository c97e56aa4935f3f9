package api

import (
	"net/http"

	"github.com/otklik/otklik/internal/otklik"
)

// Path and header parameters shared by several routes.
var (
	pNumber      = param{Name: "number", In: "path", Required: true, Doc: "the ticket's number, e.g. 26-100001-2 (hyphens optional)"}
	pIfMatch     = param{Name: "If-Match", In: "header", Doc: `the ticket's ETag ("v3") from your copy; a newer ticket refuses the change with 409`}
	pID          = param{Name: "id", In: "path", Type: "integer", Required: true}
	pIdempotency = param{Name: "Idempotency-Key", In: "header", Doc: "a unique key per logical request (up to 255 printable ASCII characters): a retry with the same key and body returns the ticket the first request created, never a second one"}
)

// table is the API: every route, its permission and its documentation.
func (a *API) table() []route {
	return []route{
		{method: "GET", path: "/api/v1/me", perm: staffRead, handler: a.me, doc: doc{
			Tag: "staff", Summary: "The staff member the token belongs to", Resp: UserJSON{}}},

		{method: "POST", path: "/api/v1/tickets", perm: staffWrite, handler: a.createTicket, doc: doc{
			Tag: "tickets", Summary: "Register a ticket",
			Description: "Registers a ticket with its requester (found by e-mail, else phone, else СНИЛС, or created) and the first message. " +
				"Without a category the ticket is classified from its text; it is routed to the category's group.",
			Params: []param{pIdempotency}, Body: CreateTicketJSON{}, Status: http.StatusCreated, Resp: TicketJSON{},
			Errors: []int{400, 413, 415, 422}}},

		{method: "GET", path: "/api/v1/tickets", perm: staffRead, handler: a.listTickets, doc: doc{
			Tag: "tickets", Summary: "List and search tickets",
			Description: "Newest first (or order=asc), with keyset pagination: follow next_cursor. Comma-separated values filter by any of them. " +
				"q searches subjects and messages in Russian with word forms («заявление» finds «заявления», «ё» = «е»); every word must match.",
			Params: []param{
				{Name: "q", In: "query", Doc: "full-text query"},
				{Name: "status", In: "query", Doc: "status codes, comma-separated"},
				{Name: "channel", In: "query", Doc: "channel codes, comma-separated"},
				{Name: "category", In: "query", Doc: "category codes (each includes the categories below it)"},
				{Name: "assignee", In: "query", Doc: "staff ids, \"me\" or \"none\""},
				{Name: "group", In: "query", Doc: "group codes"},
				{Name: "requester_email", In: "query"},
				{Name: "requester_phone", In: "query", Doc: "any common notation; compared in E.164"},
				{Name: "requester_snils", In: "query"},
				{Name: "created_from", In: "query", Doc: "RFC 3339 time or a date (Moscow), inclusive"},
				{Name: "created_to", In: "query", Doc: "RFC 3339 time (exclusive) or a date (Moscow, inclusive of that day)"},
				{Name: "overdue", In: "query", Enum: []string{"true", "false"}, Doc: "true: «просрочено» — open tickets whose first answer or resolution deadline has passed"},
				{Name: "order", In: "query", Enum: []string{"desc", "asc"}},
				{Name: "limit", In: "query", Type: "integer", Doc: "1–500, default 50"},
				{Name: "cursor", In: "query", Doc: "next_cursor of the previous page"},
			},
			Resp: TicketPageJSON{}, Errors: []int{422}}},

		{method: "GET", path: "/api/v1/tickets/{number}", perm: staffRead, handler: a.getTicket, doc: doc{
			Tag: "tickets", Summary: "A ticket with its conversation", Params: []param{pNumber},
			Resp: TicketJSON{}, Errors: []int{404}}},

		{method: "PATCH", path: "/api/v1/tickets/{number}", perm: staffWrite, handler: a.patchTicket, doc: doc{
			Tag: "tickets", Summary: "Change subject, category, priority, assignee or group",
			Description: "Each changed field gets its own journal record with the reason.",
			Params:      []param{pNumber, pIfMatch}, Body: PatchTicketJSON{}, Resp: TicketJSON{}, Errors: []int{400, 404, 409, 422}}},

		{method: "POST", path: "/api/v1/tickets/{number}/messages", perm: staffWrite, handler: a.addMessage, doc: doc{
			Tag: "tickets", Summary: "Add a reply or an internal note",
			Description: "A public reply to a new ticket takes it into work (in_progress). A closed ticket takes internal notes only.",
			Params:      []param{pNumber, pIfMatch}, Body: ReplyJSON{}, Status: http.StatusCreated, Resp: MessageJSON{},
			Errors: []int{400, 404, 409, 413, 422}}},

		{method: "POST", path: "/api/v1/tickets/{number}/status", perm: staffWrite, handler: a.changeStatus, doc: doc{
			Tag: "tickets", Summary: "Change the status",
			Description: "new → in_progress ↔ waiting, → forwarded, → resolved → closed; resolved, and closed within the reopen period, reopen to in_progress. " +
				"An illegal change is a 409 whose problem lists `allowed`.",
			Params: []param{pNumber, pIfMatch}, Body: StatusJSON{}, Resp: TicketJSON{}, Errors: []int{400, 404, 409, 422}}},

		{method: "GET", path: "/api/v1/tickets/{number}/journal", perm: staffRead, handler: a.journal, doc: doc{
			Tag: "tickets", Summary: "The ticket's tamper-evident journal, oldest first",
			Description: "Each record carries the SHA-256 of the previous one; `otklik verify` recomputes every chain.",
			Params:      []param{pNumber}, Resp: []JournalJSON{}, Errors: []int{404}}},

		{method: "POST", path: "/api/v1/tickets/{number}/attachments", perm: staffWrite, handler: a.upload, doc: doc{
			Tag: "files", Summary: "Attach a file (multipart/form-data, field `file`)",
			Description: "PDF, DOCX, XLSX, JPG or PNG by content, up to 5 MB. The file is stored encrypted and scanned by the antivirus; " +
				"until its scan is `clean` only its uploader may open it. Identical content is stored once. " +
				"A file sent in parts (`/api/v1/uploads`) is attached with an `application/json` body `{\"upload\": id, \"message_id\": N}` instead.",
			Params: []param{pNumber}, Body: UploadJSON{}, BodyType: "multipart/form-data", Status: http.StatusCreated,
			Resp: AttachmentJSON{}, Errors: []int{400, 404, 409, 413, 415, 422}}},
		{method: "POST", path: "/api/v1/uploads", perm: staffWrite, handler: a.startUpload, doc: doc{
			Tag: "files", Summary: "Start sending a file in parts (a resumable upload)",
			Description: "Declares the file's name and exact size (checked against the limit now). Then PATCH its bytes in order, " +
				"and attach it to a ticket with POST /api/v1/tickets/{number}/attachments and `{\"upload\": id}`. " +
				"Only the staff member who started it sees it; unfinished, it is removed after 24 hours.",
			Body: StartUploadJSON{}, Status: http.StatusCreated, Resp: UploadStateJSON{}, Errors: []int{422}}},
		{method: "GET", path: "/api/v1/uploads/{upload}", perm: staffWrite, handler: a.getUpload, doc: doc{
			Tag: "files", Summary: "How much of an upload has come (also in the Upload-Offset header): resume from there",
			Params: []param{pUpload}, Resp: UploadStateJSON{}, Errors: []int{404}}},
		{method: "PATCH", path: "/api/v1/uploads/{upload}", perm: staffWrite, handler: a.appendUpload, doc: doc{
			Tag: "files", Summary: "Send the next part of an upload",
			Description: "Content-Type `application/offset+octet-stream`; `Upload-Offset` must equal the bytes received so far, " +
				"else 409 with the right `Upload-Offset`. A part is kept whole or not at all: one cut short is discarded, send it again. " +
				"The response's `Upload-Offset` is where the next part starts.",
			Params: []param{pUpload, {Name: "Upload-Offset", In: "header", Type: "integer", Required: true, Doc: "where this part starts"}},
			Body:   "", BodyType: "application/offset+octet-stream", Status: http.StatusNoContent, Errors: []int{400, 404, 409, 413, 415, 422}}},
		{method: "DELETE", path: "/api/v1/uploads/{upload}", perm: staffWrite, handler: a.cancelUpload, doc: doc{
			Tag: "files", Summary: "Cancel an upload: its parts are removed", Params: []param{pUpload}, Status: http.StatusNoContent, Errors: []int{404}}},
		{method: "GET", path: "/api/v1/tickets/{number}/attachments", perm: staffRead, handler: a.listAttachments, doc: doc{
			Tag: "files", Summary: "A ticket's files, oldest first (deleted ones as records)", Params: []param{pNumber},
			Resp: []AttachmentJSON{}, Errors: []int{404}}},
		{method: "GET", path: "/api/v1/attachments/{id}", perm: staffRead, handler: a.getAttachment, doc: doc{
			Tag: "files", Summary: "A file's description and scan verdict", Params: []param{pID}, Resp: AttachmentJSON{}, Errors: []int{404}}},
		{method: "GET", path: "/api/v1/attachments/{id}/content", perm: staffRead, handler: a.attachmentContent, doc: doc{
			Tag: "files", Summary: "Download a file (recorded for the auditor)",
			Description: "Streamed with `Content-Disposition: attachment`, its detected type and `nosniff`; ranges are supported. " +
				"Staff who work tickets may download clean files; a file not scanned yet only its uploader; an infected one only the security group.",
			Params: []param{pID}, ContentType: "application/octet-stream", Resp: "", Errors: []int{403, 404}}},
		{method: "GET", path: "/api/v1/attachments/{id}/preview", perm: staffRead, handler: a.attachmentPreview, doc: doc{
			Tag: "files", Summary: "An image's preview, re-encoded without metadata (GPS, EXIF), at most 1280 px",
			Params: []param{pID}, ContentType: "image/*", Resp: "", Errors: []int{403, 404}}},
		{method: "GET", path: "/api/v1/attachments/{id}/downloads", perm: supervision, handler: a.attachmentDownloads, doc: doc{
			Tag: "files", Summary: "Who opened a file, and when", Params: []param{pID}, Resp: []DownloadJSON{}, Errors: []int{403, 404}}},
		{method: "DELETE", path: "/api/v1/attachments/{id}", perm: adminOnly, handler: a.deleteAttachment, doc: doc{
			Tag: "files", Summary: "Delete a file's content, keeping the record of what, when, by whom and why",
			Params: []param{pID}, Body: DeleteFileJSON{}, Status: http.StatusNoContent, Errors: []int{403, 404, 409, 422}}},

		{method: "GET", path: "/api/v1/categories", perm: staffRead, handler: a.listCategories, doc: doc{
			Tag: "catalog", Summary: "The category tree, flat, ordered by position", Resp: []CategoryJSON{}}},
		{method: "POST", path: "/api/v1/categories", perm: adminOnly, handler: a.addCategory, doc: doc{
			Tag: "catalog", Summary: "Add a category", Body: CategoryJSON{}, Status: http.StatusCreated, Resp: CategoryJSON{},
			Errors: []int{400, 403, 422}}},
		{method: "POST", path: "/api/v1/tickets/{number}/extend", perm: staffWrite, handler: a.extendDeadline, doc: doc{
			Tag: "sla", Summary: "Extend the resolution deadline, with a reason",
			Description: "Later than the current due_at and within the statutory cap (60 calendar days of registration); an appeal's " +
				"statutory deadline is extended once. The journal keeps both dates; the citizen is told the new date by e-mail.",
			Params: []param{pNumber}, Body: ExtendJSON{}, Resp: TicketJSON{}, Errors: []int{404, 409, 422}}},
		{method: "GET", path: "/api/v1/sla/due", perm: staffRead, handler: a.due, doc: doc{
			Tag: "sla", Summary: "Compute a deadline as Otklik would (as `otklik sla due`)",
			Description: "Working hours count the calendar's working time from start; working days end at the close of the Nth working day after the day of start.",
			Params: []param{{Name: "start", In: "query", Required: true, Doc: "RFC 3339"},
				{Name: "business_hours", In: "query", Type: "integer"}, {Name: "business_days", In: "query", Type: "integer"},
				{Name: "calendar", In: "query", Doc: "default office"}},
			Resp: DueJSON{}, Errors: []int{422}}},
		{method: "GET", path: "/api/v1/calendars", perm: staffRead, handler: a.listCalendars, doc: doc{
			Tag: "sla", Summary: "Business calendars with their overrides", Resp: []CalendarJSON{}}},
		{method: "PUT", path: "/api/v1/calendars/{calendar}", perm: adminOnly, handler: a.putCalendar, doc: doc{
			Tag: "sla", Summary: "Add a calendar or change its working week (a regional office, a hotline)",
			Description: "Days follow the production calendar unless the week is 24x7. Open tickets' deadlines are recomputed in the background.",
			Params:      []param{{Name: "calendar", In: "path", Required: true}}, Body: PutCalendarJSON{}, Resp: CalendarJSON{}, Errors: []int{422}}},
		{method: "PUT", path: "/api/v1/calendars/{calendar}/overrides/{day}", perm: adminOnly, handler: a.putOverride, doc: doc{
			Tag: "sla", Summary: "Change one day of a calendar (a holiday, a working Saturday, a short day)",
			Description: "Open tickets' deadlines are recomputed in the background, each change in the ticket's journal.",
			Params:      []param{{Name: "calendar", In: "path", Required: true}, {Name: "day", In: "path", Required: true, Doc: "YYYY-MM-DD"}},
			Body:        OverrideJSON{}, Status: http.StatusNoContent, Errors: []int{404, 422}}},
		{method: "DELETE", path: "/api/v1/calendars/{calendar}/overrides/{day}", perm: adminOnly, handler: a.deleteOverride, doc: doc{
			Tag: "sla", Summary: "Return a day to the production calendar",
			Params: []param{{Name: "calendar", In: "path", Required: true}, {Name: "day", In: "path", Required: true, Doc: "YYYY-MM-DD"}},
			Status: http.StatusNoContent, Errors: []int{404}}},
		{method: "DELETE", path: "/api/v1/calendars/{calendar}", perm: adminOnly, handler: a.deleteCalendar, doc: doc{
			Tag: "sla", Summary: "Remove a calendar with its changed days",
			Description: "Refused (409) while a policy counts its targets on it, and for the office calendar, whose days off move statutory deadlines.",
			Params:      []param{{Name: "calendar", In: "path", Required: true}}, Status: http.StatusNoContent, Errors: []int{404, 409}}},
		{method: "GET", path: "/api/v1/sla/policies", perm: staffRead, handler: a.listSLAPolicies, doc: doc{
			Tag: "sla", Summary: "SLA policies in the order they are tried", Resp: []SLAPolicyJSON{}}},
		{method: "PUT", path: "/api/v1/sla/policies/{code}", perm: adminOnly, handler: a.putSLAPolicy, doc: doc{
			Tag: "sla", Summary: "Add or change an SLA policy",
			Description: "Open tickets' deadlines are recomputed in the background, each change in the ticket's journal.",
			Params:      []param{{Name: "code", In: "path", Required: true}}, Body: SLAPolicyJSON{}, Resp: SLAPolicyJSON{}, Errors: []int{422}}},
		{method: "DELETE", path: "/api/v1/sla/policies/{code}", perm: adminOnly, handler: a.deleteSLAPolicy, doc: doc{
			Tag: "sla", Summary: "Remove an SLA policy",
			Description: "Open tickets whose deadlines it set (and those staff chose it for) get theirs from the remaining policies, recomputed in the background, each change in the ticket's journal.",
			Params:      []param{{Name: "code", In: "path", Required: true}}, Status: http.StatusNoContent, Errors: []int{404}}},

		{method: "GET", path: "/api/v1/groups", perm: staffRead, handler: a.listGroups, doc: doc{
			Tag: "catalog", Summary: "The groups tickets are routed to", Resp: []GroupJSON{}}},
		{method: "POST", path: "/api/v1/groups", perm: adminOnly, handler: a.addGroup, doc: doc{
			Tag: "catalog", Summary: "Add a group", Body: GroupJSON{}, Status: http.StatusCreated, Resp: GroupJSON{},
			Errors: []int{400, 403, 422}}},

		{method: "GET", path: "/api/v1/events", perm: staffRead, handler: a.streamEvents, doc: doc{
			Tag: "events", Summary: "Committed changes of every node, as server-sent events",
			Description: "A text/event-stream: each event is named by its type (ticket.created, ticket.updated) and its data is the JSON below. " +
				"Comments (\": ping\") keep an idle stream open. A client that falls behind is disconnected; reconnect and reload.",
			ContentType: "text/event-stream", Resp: EventJSON{}}},

		{method: "POST", path: "/api/v1/calls", perm: staffWrite, handler: a.incomingCall, doc: doc{
			Tag: "calls", Summary: "An incoming call put through to an operator (for the telephone exchange)",
			Description: "Records nothing. The operator's open workspace pages show a banner with a link to the caller's card " +
				"(/agent/call?phone=…): the requester the number matches, their latest tickets and the form that logs the call. " +
				"`delivered` says whether the operator exists, is enabled and works tickets; an operator with no workspace page open " +
				"does not see the call. The event carries the caller's number, so it goes to that operator only: /api/v1/events never shows it.",
			Body: IncomingCallJSON{}, Status: http.StatusAccepted, Resp: CallDeliveryJSON{}, Errors: []int{400, 403, 413, 415, 422}}},

		{method: "GET", path: "/api/v1/jobs", perm: adminOnly, handler: a.listJobs, doc: doc{
			Tag: "jobs", Summary: "Background jobs, newest first, with counts by status",
			Params: []param{
				{Name: "status", In: "query", Doc: "queued, running, done, failed (comma-separated)"},
				{Name: "kind", In: "query"},
				{Name: "limit", In: "query", Type: "integer", Doc: "1–500, default 50"},
				{Name: "cursor", In: "query", Doc: "next_cursor of the previous page"},
			},
			Resp: JobPageJSON{}, Errors: []int{403, 422}}},
		{method: "POST", path: "/api/v1/jobs/{id}/retry", perm: adminOnly, handler: a.retryJob, doc: doc{
			Tag: "jobs", Summary: "Run a failed job again", Params: []param{{Name: "id", In: "path", Type: "integer", Required: true}},
			Status: http.StatusNoContent, Errors: []int{403, 404}}},

		{method: "GET", path: "/api/v1/mail", perm: adminOnly, handler: a.listMail, doc: doc{
			Tag: "mail", Summary: "E-mail in and out, newest first: the outbox (held, queued, failed) and intake history",
			Params: []param{
				{Name: "direction", In: "query", Enum: []string{"in", "out"}},
				{Name: "status", In: "query", Doc: "comma-separated, e.g. held,queued,failed"},
				{Name: "limit", In: "query", Type: "integer", Doc: "1–500, default 50"},
				{Name: "cursor", In: "query"},
			},
			Resp: MailPageJSON{}, Errors: []int{403, 422}}},

		{method: "GET", path: "/api/v1/admin/journal", perm: supervision, handler: a.adminJournal, doc: doc{
			Tag: "admin", Summary: "The administration journal, newest first: every change to staff, groups, categories, response templates, calendars and SLA policies",
			Description: "Each record carries the SHA-256 of the previous one, as a ticket's journal does; `otklik verify` recomputes the chain.",
			Params: []param{
				{Name: "object", In: "query", Enum: otklik.AdminObjects},
				{Name: "key", In: "query", Doc: "one object's records: its name, code, e-mail address or ID (calendar/YYYY-MM-DD for a day)"},
				{Name: "limit", In: "query", Type: "integer", Doc: "1–500, default 50"},
				{Name: "cursor", In: "query", Doc: "next_cursor of the previous page"},
			},
			Resp: AdminJournalPageJSON{}, Errors: []int{403, 422}}},

		{method: "GET", path: "/api/v1/users", perm: supervision, handler: a.listUsers, doc: doc{
			Tag: "staff", Summary: "Staff members", Resp: []UserJSON{}, Errors: []int{403}}},
		{method: "POST", path: "/api/v1/users", perm: adminOnly, handler: a.addUser, doc: doc{
			Tag: "staff", Summary: "Add a staff member", Body: UserJSON{}, Status: http.StatusCreated, Resp: UserJSON{},
			Errors: []int{400, 403, 422}}},
	}
}
