package api

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/otklik/otklik/internal/otklik"
)

// FuzzDecodeCreateTicket feeds arbitrary bytes to the create-ticket decoder: it must never panic, must
// answer every input with either a decoded request or a domain error of a client-error code, and must
// never accept invalid UTF-8.
func FuzzDecodeCreateTicket(f *testing.F) {
	f.Add([]byte(`{"channel":"web","subject":"Не могу войти","body":"Ошибка","requester":{"email":"a@b.ru","snils":"112-233-445 95"}}`))
	f.Add([]byte(`{"channel":"web",`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"subject":"\u0000"}{}`))
	f.Add([]byte("{\"subject\":\"\xff\"}"))
	f.Add([]byte(`{"requester":null,"priority":7}`))
	f.Add([]byte(`{"unknown":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in CreateTicketJSON
		err := decodeJSON(body, &in)
		if err == nil {
			if !utf8.Valid(body) {
				t.Fatalf("accepted invalid UTF-8: %q", body)
			}
			// What was accepted re-encodes and decodes to the same value.
			b, _ := json.Marshal(in)
			var again CreateTicketJSON
			if err := decodeJSON(b, &again); err != nil {
				t.Fatalf("re-decoding %s: %v", b, err)
			}
			if again.Subject != in.Subject || again.Body != in.Body || again.Channel != in.Channel {
				t.Fatalf("round trip changed the request")
			}
			return
		}
		switch c := otklik.ErrorCode(err); c {
		case otklik.EMALFORMED, otklik.EINVALID:
		default:
			t.Fatalf("error code %s for %q: %v", c, body, err)
		}
		if e, ok := err.(*otklik.Error); !ok || e.Key == "" || strings.Contains(e.Key, " ") {
			t.Fatalf("error without a message key: %v", err)
		}
	})
}
