package api

import (
	"encoding/hex"
	"time"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// The API's JSON shapes. They are separate from the domain types so that the wire format changes only
// on purpose; the OpenAPI schemas are generated from them (doc and enum tags).

// Time is a time in RFC 3339 with the Moscow offset.
type Time = time.Time

func msk(t time.Time) time.Time { return t.In(service.Moscow) }

func mskp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	m := msk(*t)
	return &m
}

// RequesterJSON is a requester.
type RequesterJSON struct {
	ID    int64  `json:"id,omitempty"`
	Name  string `json:"name" doc:"ФИО or an organisation's name"`
	Email string `json:"email" doc:"e-mail address"`
	Phone string `json:"phone" doc:"phone in E.164, e.g. +79161234567; any common Russian notation is accepted on input"`
	SNILS string `json:"snils" doc:"СНИЛС as XXX-XXX-XXX YY, checked with its checksum"`
	INN   string `json:"inn" doc:"ИНН of 10 or 12 digits, checked with its checksum"`
}

// RefJSON names a staff member.
type RefJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// GroupRefJSON names a group.
type GroupRefJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// TicketJSON is a ticket.
type TicketJSON struct {
	Number             string        `json:"number" doc:"the ticket's number, e.g. 26-100001-2: year, sequence and a check digit"`
	Status             string        `json:"status" enum:"new,in_progress,waiting,forwarded,resolved,closed"`
	StatusName         string        `json:"status_name" doc:"the status as shown to people, in the request's language"`
	AllowedStatuses    []string      `json:"allowed_statuses" doc:"the statuses the ticket may move to now"`
	Channel            string        `json:"channel" enum:"email,web,chat,phone,app,telegram,vk,visit"`
	Category           string        `json:"category" doc:"category code"`
	CategoryName       string        `json:"category_name"`
	Priority           string        `json:"priority" enum:"low,normal,high,urgent"`
	Subject            string        `json:"subject"`
	Requester          RequesterJSON `json:"requester"`
	Assignee           *RefJSON      `json:"assignee"`
	Group              *GroupRefJSON `json:"group"`
	CreatedAt          Time          `json:"created_at"`
	UpdatedAt          Time          `json:"updated_at"`
	FirstResponseDueAt *Time         `json:"first_response_due_at" doc:"when the first answer is due (set by the SLA engine)"`
	DueAt              *Time         `json:"due_at" doc:"when the ticket must be resolved (set by the SLA engine)"`
	FirstResponseAt    *Time         `json:"first_response_at"`
	ResolvedAt         *Time         `json:"resolved_at"`
	ClosedAt           *Time         `json:"closed_at"`
	Version            int64         `json:"version" doc:"grows with every change; send it back (or If-Match) to refuse edits on a stale copy"`
	SLA                SLAJSON       `json:"sla" doc:"the deadlines' state"`
	Messages           []MessageJSON `json:"messages,omitempty" doc:"the conversation, oldest first (single-ticket responses only)"`
	Links              []LinkJSON    `json:"links,omitempty" doc:"linked tickets: repeat_of (this repeats that one) or repeated_by (single-ticket responses only)"`
}

// SLAJSON is a ticket's deadline state.
type SLAJSON struct {
	Policy     string `json:"policy,omitempty" doc:"the SLA policy that gave due_at"`
	Appeal     bool   `json:"appeal" doc:"a formal appeal under 59-ФЗ"`
	LegalDueAt *Time  `json:"legal_due_at,omitempty" doc:"the statutory deadline of an appeal: 30 calendar days of registration, 60 once extended"`
	Paused     bool   `json:"paused" doc:"waiting for the citizen: the resolution clock stands"`
	Extensions int    `json:"extensions" doc:"how many times due_at was extended"`
	// The remaining working time, on the calendar of each deadline's policy; negative: overdue by that much.
	FirstResponseRemaining *int64 `json:"first_response_remaining_seconds,omitempty" doc:"working seconds left to the first answer (absent once answered)"`
	Remaining              *int64 `json:"remaining_seconds,omitempty" doc:"working seconds left to due_at (frozen while paused)"`
	Overdue                bool   `json:"overdue" doc:"a deadline has passed on an open ticket"`
}

// LinkJSON is a link to another ticket.
type LinkJSON struct {
	Kind    string `json:"kind" enum:"repeat_of,repeated_by"`
	Number  string `json:"number"`
	Subject string `json:"subject"`
	Status  string `json:"status"`
}

// MessageJSON is a reply or an internal note.
type MessageJSON struct {
	ID        int64            `json:"id"`
	Author    ActorJSON        `json:"author"`
	Internal  bool             `json:"internal" doc:"an internal note, never shown to the citizen"`
	Body      string           `json:"body" doc:"the whole text, as received or written"`
	Visible   string           `json:"visible,omitempty" doc:"for e-mail: the text with quoted history folded away (what to show first)"`
	Email     *MessageMailJSON `json:"email,omitempty" doc:"the e-mail this message came in or went out as, with its authenticity or delivery status"`
	CreatedAt Time             `json:"created_at"`
}

// ActorJSON is who acted.
type ActorJSON struct {
	Type    string `json:"type" enum:"staff,requester,system"`
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// JournalJSON is one journal record.
type JournalJSON struct {
	ID       int64     `json:"id"`
	Seq      int64     `json:"seq"`
	At       Time      `json:"at"`
	Actor    ActorJSON `json:"actor"`
	Kind     string    `json:"kind" enum:"created,status,assignee,group,category,priority,message,field"`
	Field    string    `json:"field"`
	Before   string    `json:"before"`
	After    string    `json:"after"`
	Reason   string    `json:"reason"`
	PrevHash string    `json:"prev_hash" doc:"hex SHA-256 of the previous record; empty for the first"`
	Hash     string    `json:"hash" doc:"hex SHA-256 of this record, chained to the previous one"`
}

// TicketPageJSON is one page of a ticket list.
type TicketPageJSON struct {
	Items      []TicketJSON `json:"items"`
	NextCursor *string      `json:"next_cursor" doc:"pass as cursor to get the next page; null on the last page"`
}

func statusName(lang string, s otklik.Status) string {
	return i18n.T(lang, "status_name."+string(s), nil)
}

func ticketJSON(lang string, t *otklik.Ticket, allowed []otklik.Status) TicketJSON {
	j := TicketJSON{
		Number: t.Number, Status: string(t.Status), StatusName: statusName(lang, t.Status),
		AllowedStatuses: make([]string, len(allowed)),
		Channel:         string(t.Channel), Priority: string(t.Priority), Subject: t.Subject,
		CreatedAt: msk(t.CreatedAt), UpdatedAt: msk(t.UpdatedAt),
		FirstResponseDueAt: mskp(t.FirstResponseDueAt), DueAt: mskp(t.DueAt),
		FirstResponseAt: mskp(t.FirstResponseAt), ResolvedAt: mskp(t.ResolvedAt), ClosedAt: mskp(t.ClosedAt),
		Version: t.Version,
		SLA: SLAJSON{Policy: t.SLA.Policy, Appeal: t.SLA.Appeal, LegalDueAt: mskp(t.SLA.LegalDueAt), Paused: t.SLA.PausedAt != nil,
			Extensions: t.SLA.Extensions},
	}
	for i, s := range allowed {
		j.AllowedStatuses[i] = string(s)
	}
	if t.Category != nil {
		j.Category, j.CategoryName = t.Category.Code, t.Category.Name
	}
	if r := t.Requester; r != nil {
		j.Requester = requesterJSON(r)
	}
	if t.Assignee != nil {
		j.Assignee = &RefJSON{ID: t.Assignee.ID, Name: t.Assignee.Name}
	}
	if t.Group != nil {
		j.Group = &GroupRefJSON{Code: t.Group.Code, Name: t.Group.Name}
	}
	return j
}

func requesterJSON(r *otklik.Requester) RequesterJSON {
	j := RequesterJSON{ID: r.ID, Name: r.Name, Email: r.Email, Phone: r.Phone, INN: r.INN}
	if r.SNILS != "" {
		j.SNILS = identity.SNILS(r.SNILS).String()
	}
	return j
}

func actorJSON(a otklik.Actor) ActorJSON {
	return ActorJSON{Type: string(a.Type), ID: a.ID, Name: a.Name, Channel: string(a.Channel)}
}

func messageJSON(m *otklik.Message) MessageJSON {
	return MessageJSON{ID: m.ID, Author: actorJSON(m.Author), Internal: m.Internal, Body: m.Body, Visible: m.Visible, CreatedAt: msk(m.CreatedAt)}
}

func journalJSON(r *otklik.JournalRecord) JournalJSON {
	return JournalJSON{
		ID: r.ID, Seq: r.Seq, At: msk(r.At), Actor: actorJSON(r.Actor), Kind: string(r.Kind), Field: r.Field,
		Before: r.Before, After: r.After, Reason: r.Reason,
		PrevHash: hex.EncodeToString(r.PrevHash), Hash: hex.EncodeToString(r.Hash),
	}
}

// CreateTicketJSON is the body of POST /api/v1/tickets.
type CreateTicketJSON struct {
	Channel   string         `json:"channel" enum:"email,web,chat,phone,app,telegram,vk,visit" required:"true"`
	Subject   string         `json:"subject" required:"true" doc:"up to 255 characters"`
	Body      string         `json:"body" required:"true" doc:"the citizen's request, up to 100,000 characters"`
	Category  string         `json:"category,omitempty" doc:"a category code; guessed from the text when omitted"`
	Priority  string         `json:"priority,omitempty" enum:"low,normal,high,urgent" doc:"guessed from the subject when omitted"`
	Requester *RequesterJSON `json:"requester" required:"true" doc:"who the ticket is from; an e-mail or a phone is required"`
	Appeal    bool           `json:"appeal,omitempty" doc:"a formal appeal under 59-ФЗ (the citizen was identified): the statutory 30-day deadline applies"`
}

// ReplyJSON is the body of POST /api/v1/tickets/{number}/messages.
type ReplyJSON struct {
	Body     string `json:"body" required:"true"`
	Internal bool   `json:"internal" doc:"true for an internal note"`
	Version  int64  `json:"version,omitempty" doc:"the version you saw; a newer ticket refuses the reply with 409"`
}

// StatusJSON is the body of POST /api/v1/tickets/{number}/status.
type StatusJSON struct {
	Status  string `json:"status" required:"true" enum:"new,in_progress,waiting,forwarded,resolved,closed"`
	Reason  string `json:"reason" doc:"why; shown in the journal"`
	Version int64  `json:"version,omitempty" doc:"the version you saw; a newer ticket refuses the change with 409"`
}

// PatchTicketJSON is the body of PATCH /api/v1/tickets/{number}. Omitted fields stay as they are.
type PatchTicketJSON struct {
	Subject    *string          `json:"subject,omitempty"`
	Category   *string          `json:"category,omitempty"`
	Priority   *string          `json:"priority,omitempty" enum:"low,normal,high,urgent"`
	AssigneeID Optional[int64]  `json:"assignee_id,omitempty" doc:"a staff member's id; null unassigns"`
	Group      Optional[string] `json:"group,omitempty" doc:"a group code; null removes the group"`
	Appeal     *bool            `json:"appeal,omitempty" doc:"mark or unmark a formal appeal under 59-ФЗ"`
	SLAPolicy  *string          `json:"sla_policy,omitempty" doc:"choose a manual SLA policy (e.g. complex: 15 working days); empty returns to the matching one"`
	Reason     string           `json:"reason,omitempty" doc:"why; shown in the journal"`
	Version    int64            `json:"version,omitempty" doc:"the version you saw; a newer ticket refuses the change with 409"`
}

// CategoryJSON is a node of the category tree.
type CategoryJSON struct {
	Code     string `json:"code" required:"true" doc:"lower-case Latin letters, digits, _ and . (e.g. access.password)"`
	Name     string `json:"name" required:"true"`
	Parent   string `json:"parent,omitempty" doc:"the parent's code; empty at the top level"`
	Group    string `json:"group,omitempty" doc:"the group its tickets go to; empty to inherit the parent's"`
	Position int    `json:"position,omitempty"`
}

// GroupJSON is a group.
type GroupJSON struct {
	Code string `json:"code" required:"true"`
	Name string `json:"name" required:"true"`
}

// UserJSON is a staff member.
type UserJSON struct {
	ID       int64  `json:"id,omitempty"`
	Email    string `json:"email" required:"true"`
	Name     string `json:"name" required:"true"`
	Role     string `json:"role" required:"true" enum:"operator,senior,supervisor,admin,auditor"`
	Group    string `json:"group,omitempty"`
	Password string `json:"password,omitempty" doc:"write-only; at least 12 characters"`
	Disabled bool   `json:"disabled,omitempty"`
}

func categoriesJSON(cats []otklik.Category, groups []otklik.Group) []CategoryJSON {
	code := map[int64]string{}
	for _, c := range cats {
		code[c.ID] = c.Code
	}
	gcode := map[int64]string{}
	for _, g := range groups {
		gcode[g.ID] = g.Code
	}
	out := make([]CategoryJSON, len(cats))
	for i, c := range cats {
		out[i] = CategoryJSON{Code: c.Code, Name: c.Name, Parent: code[c.ParentID], Group: gcode[c.GroupID], Position: c.Position}
	}
	return out
}
