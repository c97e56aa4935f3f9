package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/testkit"
)

// TestIncomingCall: the exchange's call announcement needs a token that may work tickets, refuses
// unknown fields and a bad number with a problem in Russian, and says whether the operator exists.
func TestIncomingCall(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		x := newApp(t, engine)
		for _, tt := range []struct {
			name, token, body string
			code              int
			want              string
		}{
			{"delivered", x.op, `{"phone":"8 916 123-45-67","agent":"op@example.ru","call_id":"a1"}`, http.StatusAccepted, `{"delivered":true}`},
			{"unknown operator", x.op, `{"phone":"+79161234567","agent":"ghost@example.ru"}`, http.StatusAccepted, `{"delivered":false}`},
			{"auditor cannot take calls", x.op, `{"phone":"+79161234567","agent":"audit@example.ru"}`, http.StatusAccepted, `{"delivered":false}`},
			{"no token", "", `{"phone":"+79161234567","agent":"op@example.ru"}`, http.StatusUnauthorized, `"auth.required"`},
			{"auditor's token", x.auditor, `{"phone":"+79161234567","agent":"op@example.ru"}`, http.StatusForbidden, `"auth.forbidden"`},
			{"unknown field", x.op, `{"phone":"+79161234567","agent":"op@example.ru","extension":"12"}`, http.StatusUnprocessableEntity, `extension`},
			{"bad phone", x.op, `{"phone":"позвоните мне","agent":"op@example.ru"}`, http.StatusUnprocessableEntity, `Не удалось распознать номер телефона`},
			{"bad agent", x.op, `{"phone":"+79161234567","agent":"op@"}`, http.StatusUnprocessableEntity, `"call.agent_format"`},
			{"long call id", x.op, `{"phone":"+79161234567","agent":"op@example.ru","call_id":"` + strings.Repeat("x", 201) + `"}`, http.StatusUnprocessableEntity, `"call_id"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code, h, _, raw := x.do("POST", "/api/v1/calls", tt.token, tt.body)
				if code != tt.code || !strings.Contains(string(raw), tt.want) {
					t.Errorf("got %d %s, want %d with %s", code, raw, tt.code, tt.want)
				}
				if code >= 400 && !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
					t.Errorf("Content-Type %q", h.Get("Content-Type"))
				}
			})
		}
	})
}
