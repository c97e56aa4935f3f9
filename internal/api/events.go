package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/otklik/otklik/internal/events"
	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
)

// Subscriber hands out event subscriptions (internal/events).
type Subscriber interface {
	Subscribe(buf int) *events.Subscription
}

// heartbeat is how often an idle event stream sends a comment, so that proxies keep it open and
// a dead client is noticed.
const heartbeat = 15 * time.Second

// streamEvents serves committed changes of every node as server-sent events, for live screens and
// integrations. A client that falls behind is disconnected and should reconnect and reload.
func (a *API) streamEvents(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	if a.events == nil {
		httpx.Error(w, r, a.log, otklik.Errorf(otklik.EUNAVAILABLE, "error.unavailable", nil))
		return
	}
	sub := a.events.Subscribe(256)
	defer sub.Close()
	stream, ok := httpx.StartEventStream(w, ": otklik events\n\n")
	if !ok {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-a.stop:
			return
		case <-tick.C:
			if !stream.Write(": ping\n\n") {
				return
			}
		case e, ok := <-sub.C:
			if !ok {
				return // dropped for being slow, or the node is stopping
			}
			if e.Type != otklik.EventTicketCreated && e.Type != otklik.EventTicketUpdated {
				continue // presence of the staff workspace, not a change
			}
			b, _ := json.Marshal(eventJSON(e))
			if !stream.Write("event: " + e.Type + "\ndata: " + string(b) + "\n\n") {
				return
			}
		}
	}
}

// EventJSON is a committed change as a server-sent event's data.
type EventJSON struct {
	Type    string   `json:"type" enum:"ticket.created,ticket.updated"`
	Ticket  string   `json:"ticket" doc:"the ticket's number"`
	Version int64    `json:"version"`
	Status  string   `json:"status"`
	Kinds   []string `json:"kinds" doc:"what changed: journal record kinds"`
	Actor   string   `json:"actor" doc:"a staff member's name, requester or system"`
	At      Time     `json:"at"`
	Node    string   `json:"node"`
}

func eventJSON(e otklik.Event) EventJSON {
	j := EventJSON{Type: e.Type, Ticket: e.Ticket, Version: e.Version, Status: string(e.Status), Actor: e.Actor, At: msk(e.At), Node: e.Node, Kinds: []string{}}
	for _, k := range e.Kinds {
		j.Kinds = append(j.Kinds, string(k))
	}
	return j
}
