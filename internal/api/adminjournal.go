package api

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// AdminRecordJSON is one record of the administration journal.
type AdminRecordJSON struct {
	Seq      int64           `json:"seq"`
	At       Time            `json:"at"`
	Actor    ActorJSON       `json:"actor"`
	Object   string          `json:"object" enum:"calendar,calendar_day,sla_policy,user,group,category,template"`
	Key      string          `json:"key" doc:"the object's name, code, e-mail address or ID; a day is calendar/YYYY-MM-DD"`
	Action   string          `json:"action" enum:"created,changed,deleted"`
	Before   json.RawMessage `json:"before" doc:"the object's fields before the change; null when it did not exist"`
	After    json.RawMessage `json:"after" doc:"the object's fields after the change; null when it was removed"`
	Reason   string          `json:"reason"`
	PrevHash string          `json:"prev_hash" doc:"hex SHA-256 of the previous record; empty for the first"`
	Hash     string          `json:"hash" doc:"hex SHA-256 of this record, chained to the previous one"`
}

// AdminJournalPageJSON is one page of the administration journal, newest first.
type AdminJournalPageJSON struct {
	Items      []AdminRecordJSON `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

func (a *API) adminJournal(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	q := r.URL.Query()
	f := otklik.AdminJournalFilter{Object: q.Get("object"), Key: q.Get("key"), Limit: 50}
	var v otklik.Validation
	if f.Object != "" && !slices.Contains(otklik.AdminObjects, f.Object) {
		v.Add("object", "admin_journal.object_unknown", map[string]string{"value": f.Object})
	}
	f.Limit, f.Before = pageOf(q, &v, f.Limit, service.MaxAdminJournalLimit)
	if err := v.Err(); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	limit := f.Limit
	f.Limit++
	recs, err := a.svc.AdminJournal(r.Context(), f)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := AdminJournalPageJSON{Items: []AdminRecordJSON{}}
	for i, rec := range recs {
		if i == limit {
			next := strconv.FormatInt(recs[limit-1].Seq, 10)
			out.NextCursor = &next
			break
		}
		out.Items = append(out.Items, AdminRecordJSON{Seq: rec.Seq, At: msk(rec.At),
			Actor:  ActorJSON{Type: string(rec.Actor.Type), ID: rec.Actor.ID, Name: rec.Actor.Name, Channel: string(rec.Actor.Channel)},
			Object: rec.Object, Key: rec.Key, Action: rec.Action, Before: rawOrNull(rec.Before), After: rawOrNull(rec.After),
			Reason: rec.Reason, PrevHash: hex.EncodeToString(rec.PrevHash), Hash: hex.EncodeToString(rec.Hash)})
	}
	httpx.JSON(w, http.StatusOK, out)
}

// rawOrNull is a stored JSON object as it is, or null for none.
func rawOrNull(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}
