package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

func TestLinkTickets(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		other, _, err := d.svc.CreateTicket(context.Background(), otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelPhone,
			Subject: "Снова не могу войти", Body: "Повторно звоню по той же проблеме.", Requester: service.RequesterInput{Phone: "+7 912 345-67-89"}})
		if err != nil {
			t.Fatal(err)
		}
		op := d.browser()
		csrf := op.signIn("op@example.ru")
		path := "/agent/tickets/" + d.number
		for _, bad := range []string{"не номер", d.number, "26-999999-0"} {
			if r := op.do("POST", path+"/link", url.Values{"csrf": {csrf}, "other": {bad}}); r.code != http.StatusUnprocessableEntity {
				t.Errorf("link with %q: got %d, want 422", bad, r.code)
			}
		}
		for range 2 { // the second time changes nothing
			if r := op.do("POST", path+"/link", url.Values{"csrf": {csrf}, "other": {other.Number}}); r.code != http.StatusSeeOther {
				t.Fatalf("link: %d\n%s", r.code, r.body)
			}
		}
		for _, p := range [][2]string{{d.number, other.Number}, {other.Number, d.number}} {
			page := op.do("GET", "/agent/tickets/"+p[0], nil).body
			if !strings.Contains(page, "связано с: <a href=\"/agent/tickets/"+p[1]+"\">") {
				t.Errorf("ticket %s does not show its link to %s", p[0], p[1])
			}
			recs, err := d.svc.Journal(context.Background(), p[0])
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				if r.Kind == otklik.KindLink && r.After == p[1] {
					n++
				}
			}
			if n != 1 {
				t.Errorf("ticket %s: %d link records, want 1", p[0], n)
			}
		}
	})
}
