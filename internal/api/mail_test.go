package api_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"testing"

	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// TestMailViews: administrators see the mail log with verdicts; a ticket shows the e-mail each of
// its messages came in or went out as; operators do not see the log.
func TestMailViews(t *testing.T) { testkit.ForEachEngine(t, testMailViews) }

func testMailViews(t *testing.T, engine string) {
	x := newApp(t, engine)
	ctx := context.Background()
	sum := sha256.Sum256([]byte("raw"))
	out, err := x.svc.IngestMail(ctx, service.InboundMail{MessageID: "m1@mail.example.ru", ContentSHA256: sum[:],
		FromEmail: "maria@mail.example.ru", FromName: "Иванова Мария", To: "support@otklik.test",
		Subject: "Не приходит код", Text: "Здравствуйте! Не приходит код.",
		Auth: `{"spf":"none","dkim":"pass","dkim_domain":"mail.example.ru","dmarc":"pass","from_domain":"mail.example.ru"}`})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _, raw := x.do("POST", "/api/v1/tickets/"+out.Ticket+"/messages", x.op, `{"body":"Сбросили код, попробуйте снова."}`); code != http.StatusCreated {
		t.Fatalf("reply: %d %s", code, raw)
	}

	code, _, m, raw := x.do("GET", "/api/v1/tickets/"+out.Ticket, x.op, "")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, raw)
	}
	msgs := m["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages: %s", raw)
	}
	in := msgs[0].(map[string]any)["email"].(map[string]any)
	auth, _ := in["auth"].(map[string]any)
	if in["direction"] != "in" || in["message_id"] != "m1@mail.example.ru" || auth["dkim"] != "pass" || auth["dmarc"] != "pass" || in["phishing"] != false {
		t.Errorf("citizen's message e-mail: %v", in)
	}
	outMail, _ := msgs[1].(map[string]any)["email"].(map[string]any)
	if outMail["direction"] != "out" || outMail["status"] != "held" || outMail["to"] != "maria@mail.example.ru" || outMail["auth"] != nil {
		t.Errorf("staff reply's e-mail: %v", outMail)
	}

	if code, _, _, _ := x.do("GET", "/api/v1/mail", x.op, ""); code != http.StatusForbidden {
		t.Errorf("an operator read the mail log: %d", code)
	}
	code, _, m, raw = x.do("GET", "/api/v1/mail?direction=out&status=held&limit=1", x.admin, "")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, raw)
	}
	items := m["items"].([]any)
	if len(items) != 1 || m["next_cursor"] == nil {
		t.Fatalf("held mail, one a page: %s", raw) // the acknowledgement and the reply
	}
	first := items[0].(map[string]any)
	if first["kind"] != "staff_reply" || first["ticket"] != out.Ticket {
		t.Errorf("newest held mail: %v", first)
	}
	code, _, m, raw = x.do("GET", "/api/v1/mail?direction=out&status=held&limit=1&cursor="+m["next_cursor"].(string), x.admin, "")
	if items := m["items"].([]any); code != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["kind"] != "ack" || m["next_cursor"] != nil {
		t.Errorf("second page: %d %s", code, raw)
	}
	code, _, m, raw = x.do("GET", "/api/v1/mail?direction=in", x.admin, "")
	if items := m["items"].([]any); code != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["auth"].(map[string]any)["dmarc"] != "pass" {
		t.Errorf("intake history: %d %s", code, raw)
	}
	if code, _, _, raw := x.do("GET", "/api/v1/mail?direction=sideways", x.admin, ""); code != http.StatusUnprocessableEntity {
		t.Errorf("bad direction: %d %s", code, raw)
	}
}
