package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
)

// MailJSON is one e-mail in or out, as administrators see it (without its content).
type MailJSON struct {
	ID        int64     `json:"id"`
	Direction string    `json:"direction" enum:"in,out"`
	MessageID string    `json:"message_id"`
	Ticket    string    `json:"ticket" doc:"the ticket it made, joined or belongs to; empty for noise"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Kind      string    `json:"kind" doc:"ticket, reply, status_request, repeat, bounce, autoreply, bulk, feedback, self, rejected (in); ack, staff_reply, status_answer, notice (out)"`
	Status    string    `json:"status" doc:"in: accepted; out: held (no relay), queued, sent, failed, bounced"`
	Auth      *AuthJSON `json:"auth,omitempty" doc:"SPF, DKIM and DMARC verdicts of inbound mail"`
	Phishing  bool      `json:"phishing" doc:"claims the portal's domain and fails DMARC"`
	Error     string    `json:"error"`
	CreatedAt Time      `json:"created_at"`
	UpdatedAt Time      `json:"updated_at"`
}

// AuthJSON are the authentication verdicts of an inbound message.
type AuthJSON struct {
	SPF        string `json:"spf" doc:"pass, fail, softfail, neutral, none, temperror, permerror; none when the sending IP is unknown (LMTP, IMAP)"`
	SPFDomain  string `json:"spf_domain,omitempty"`
	DKIM       string `json:"dkim" doc:"pass, fail, none, temperror, permerror"`
	DKIMDomain string `json:"dkim_domain,omitempty"`
	DMARC      string `json:"dmarc" doc:"pass, fail, none, temperror"`
	FromDomain string `json:"from_domain"`
	Policy     string `json:"dmarc_policy,omitempty"`
}

// authJSON reads the stored verdicts; nil for outbound mail.
func authJSON(stored string) *AuthJSON {
	if stored == "" {
		return nil
	}
	var a AuthJSON
	if json.Unmarshal([]byte(stored), &a) != nil {
		return nil
	}
	return &a
}

// MessageMailJSON is the e-mail a ticket message came in or went out as.
type MessageMailJSON struct {
	Direction string    `json:"direction" enum:"in,out"`
	MessageID string    `json:"message_id"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Status    string    `json:"status" doc:"in: accepted; out: held, queued, sent, failed, bounced"`
	Auth      *AuthJSON `json:"auth,omitempty" doc:"inbound: SPF, DKIM and DMARC verdicts"`
	Phishing  bool      `json:"phishing" doc:"claims the portal's domain and fails DMARC: be careful with what it asks"`
}

// MailPageJSON is one page of mail.
type MailPageJSON struct {
	Items      []MailJSON `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

func (a *API) listMail(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	q := r.URL.Query()
	f := otklik.MailFilter{Limit: 50, Statuses: splitComma(q.Get("status"))}
	var v otklik.Validation
	switch d := q.Get("direction"); d {
	case "", "in", "out":
		f.Direction = otklik.MailDirection(d)
	default:
		v.Add("direction", "mail.direction", nil)
	}
	f.Limit, f.AfterID = pageOf(q, &v, f.Limit, 500)
	if err := v.Err(); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	limit := f.Limit
	f.Limit++
	ms, err := a.svc.Mails(r.Context(), f)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	numbers, err := a.svc.TicketNumbers(r.Context(), ms)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := MailPageJSON{Items: []MailJSON{}}
	for i, m := range ms {
		if i == limit {
			next := strconv.FormatInt(ms[limit-1].ID, 10)
			out.NextCursor = &next
			break
		}
		out.Items = append(out.Items, MailJSON{ID: m.ID, Direction: string(m.Direction), MessageID: m.MessageID,
			Ticket: numbers[m.TicketID], From: m.From, To: m.To, Subject: m.Subject, Kind: string(m.Kind), Status: m.Status,
			Auth: authJSON(m.Auth), Phishing: m.Phishing, Error: m.Error, CreatedAt: msk(m.CreatedAt), UpdatedAt: msk(m.UpdatedAt)})
	}
	httpx.JSON(w, http.StatusOK, out)
}
