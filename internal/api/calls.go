package api

import (
	"net/http"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// IncomingCallJSON is what the telephone exchange (PBX) reports when it puts a call through to an
// operator.
type IncomingCallJSON struct {
	Phone  string `json:"phone" required:"true" doc:"the caller's number in any common notation, e.g. +79161234567 or 8 (916) 123-45-67"`
	Agent  string `json:"agent" required:"true" doc:"the operator taking the call: their e-mail address or staff ID (as a string, e.g. \"17\")"`
	CallID string `json:"call_id,omitempty" doc:"the exchange's own ID of the call, written to the log (up to 200 characters)"`
}

// CallDeliveryJSON says whether the call was announced.
type CallDeliveryJSON struct {
	Delivered bool `json:"delivered" doc:"true: the operator exists and may take calls, and the call went to their open workspace; false: no such operator (enabled, working tickets)"`
}

// incomingCall announces a call to the operator's open workspace. Nothing is registered: the operator
// logs the call from the card the workspace offers.
func (a *API) incomingCall(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in IncomingCallJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	delivered, err := a.svc.AnnounceCall(r.Context(), service.IncomingCall{Phone: in.Phone, Agent: in.Agent, CallID: in.CallID})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusAccepted, CallDeliveryJSON{Delivered: delivered})
}
