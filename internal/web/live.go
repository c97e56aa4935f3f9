package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/identity"
	"github.com/otklik/otklik/internal/otklik"
)

// Live updates: every page of the workspace keeps a server-sent event stream of the changes every
// node commits (internal/events). The queue page reloads its rows when a ticket is created or changes;
// the ticket page tells the member the ticket changed under them, and shows who else has it open:
// while it is open, the stream announces the member's presence every presenceEvery. A call the
// telephone exchange puts through to the member (otklik.EventCallIncoming) goes to their streams
// only, and every page offers the caller's card.
const (
	presenceEvery = 20 * time.Second
	liveHeartbeat = 15 * time.Second
)

type liveEvent struct {
	Type    string `json:"type"`
	Ticket  string `json:"ticket"`
	Version int64  `json:"version,omitempty"`
	Status  string `json:"status,omitempty"`
	Actor   string `json:"actor,omitempty"`
	UserID  int64  `json:"user_id,omitempty"`
	Phone   string `json:"phone,omitempty"`  // call.incoming: the caller's number in E.164, for the card's link
	Masked  string `json:"masked,omitempty"` // call.incoming: the number as the banner shows it
}

func (wb *Web) events(w http.ResponseWriter, r *http.Request, s *staffSession) {
	if wb.bus == nil {
		wb.fail(w, r, http.StatusServiceUnavailable, "ui.error.live")
		return
	}
	number := r.URL.Query().Get("ticket")
	sub := wb.bus.Subscribe(256)
	defer sub.Close()
	stream, ok := httpx.StartEventStream(w, "retry: 2000\n: otklik\n\n")
	if !ok {
		return
	}
	send := func(e liveEvent) bool {
		b, _ := json.Marshal(e)
		return stream.Write("data: " + string(b) + "\n\n")
	}
	me := otklik.Event{Ticket: number, Actor: s.user.Name, ActorID: s.user.ID}
	announce := func(typ string) {
		if number != "" {
			e := me
			e.Type, e.At = typ, wb.now()
			wb.bus.Publish(e)
		}
	}
	seen := map[int64]bool{} // the members this page knows have the ticket open
	announce(otklik.EventTicketViewing)
	defer announce(otklik.EventTicketLeft)
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	presence := time.NewTicker(presenceEvery)
	defer presence.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-wb.stop:
			return
		case <-beat.C:
			if !stream.Write(": ping\n\n") {
				return
			}
		case <-presence.C:
			announce(otklik.EventTicketViewing)
		case e, ok := <-sub.C:
			if !ok {
				return
			}
			le := liveEvent{Type: e.Type, Ticket: e.Ticket, Version: e.Version, Status: string(e.Status), Actor: e.Actor}
			switch e.Type {
			case otklik.EventTicketViewing, otklik.EventTicketLeft:
				// Only the same ticket's page cares, and not about its own member.
				if e.Ticket != number || e.ActorID == s.user.ID {
					continue
				}
				le.UserID = e.ActorID
				// Someone new opened the ticket: say at once that this member has it open too, rather
				// than at the next announcement; they answer once, as they know this member then.
				if e.Type == otklik.EventTicketViewing && !seen[e.ActorID] {
					seen[e.ActorID] = true
					announce(otklik.EventTicketViewing)
				} else if e.Type == otklik.EventTicketLeft {
					delete(seen, e.ActorID)
				}
			case otklik.EventCallIncoming:
				// The caller's number goes to the member taking the call, and to nobody else.
				if e.ActorID != s.user.ID || e.Phone == "" {
					continue
				}
				le.Phone, le.Masked = e.Phone, maskValue(identity.Phone(e.Phone).Display())
			}
			if !send(le) {
				return
			}
		}
	}
}
