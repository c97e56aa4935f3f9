package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// Two members with the same ticket open see each other, and each sees a change the other makes; a
// page of another ticket hears none of it; leaving is announced.
func TestLivePresenceAndChanges(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		op, aud := d.browser(), d.browser()
		csrf := op.signIn("op@example.ru")
		aud.signIn("audit@example.ru")
		other, _, err := d.svc.CreateTicket(context.Background(), otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelWeb,
			Subject: "Другое обращение", Body: "Текст.", Requester: service.RequesterInput{Email: "other@example.ru"}})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere := d.openStream(aud, "/agent/events?ticket="+other.Number)
		first := d.openStream(op, "/agent/events?ticket="+d.number)
		second := d.openStream(aud, "/agent/events?ticket="+d.number)

		if m := first.next(otklik.EventTicketViewing); m["actor"] != "Ирина Аудитова" || m["ticket"] != d.number {
			t.Errorf("the operator's page was told %v", m)
		}
		// The auditor's page opened after the operator's: the operator's page answers the newcomer at
		// once, so each sees the other without waiting for the next announcement.
		if m := second.next(otklik.EventTicketViewing); m["actor"] != "Олег Операторов" {
			t.Errorf("the auditor's page was told %v", m)
		}
		// A reply by the operator reaches the auditor's page of that ticket.
		if r := op.do("POST", "/agent/tickets/"+d.number+"/reply", url.Values{"csrf": {csrf}, "body": {"Ответ"}, "internal": {"1"}}); r.code != 303 {
			t.Fatalf("reply: %d", r.code)
		}
		if m := second.next(otklik.EventTicketUpdated); m["ticket"] != d.number {
			t.Errorf("the auditor's page was told %v", m)
		}
		// Leaving is announced to those who stay.
		second.close()
		if m := first.next(otklik.EventTicketLeft); m["actor"] != "Ирина Аудитова" {
			t.Errorf("the operator's page was told %v", m)
		}
		// The other ticket's page hears no presence of this one.
		for range len(elsewhere.C) {
			if m := <-elsewhere.C; m["type"] == otklik.EventTicketViewing && m["ticket"] == d.number {
				t.Errorf("another ticket's page was told of this one's viewers: %v", m)
			}
		}
	})
}
