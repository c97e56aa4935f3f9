package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
)

// The administration journal's page: every change to how the desk works, newest first, by whom, and
// each field before and after; for the administrators who made them and the supervisors and auditors
// who answer for them. It reads; nothing is changed here.

// adminJournalFields are the fields of the objects' records in the order a change lists them.
var adminJournalFields = []string{"name", "title", "role", "group", "disabled", "parent", "code", "week", "kind", "note",
	"position", "category", "channel", "priority", "manual", "first_response", "resolution", "calendar", "body"}

const adminJournalPage = 50

type adminJournalData struct {
	Object   string // the kind of object shown; "" for all
	Key      string // one object's records only
	Calendar string // one calendar's records and its days' only
	Objects  []string
	Entries  []adminEntry
	Older    string // the address of the page of older records; "" when there are none
}

// adminEntry is a record as the page shows it.
type adminEntry struct {
	Seq    int64
	At     time.Time
	Actor  string
	Object string // the kind, for its label
	Key    string
	Name   string // what the object is called (its name or title, a member's name), when it has one
	Action string
	Link   string // the object's page, where it has one and the record is not its removal (a later one may have been)
	Fields []fieldChange
	Reason string
}

// fieldChange is a field of a record: its label, and its value before and after ("" for none).
type fieldChange struct {
	Label, Before, After string
	Changed              bool
}

func (wb *Web) adminJournal(w http.ResponseWriter, r *http.Request, s *staffSession) {
	q := r.URL.Query()
	f := otklik.AdminJournalFilter{Limit: adminJournalPage + 1}
	if o := q.Get("object"); slices.Contains(otklik.AdminObjects, o) {
		f.Object = o
		f.Key = strings.TrimSpace(q.Get("key"))
	} else if c := strings.TrimSpace(q.Get("calendar")); c != "" {
		f.Calendar = c
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	recs, err := wb.svc.AdminJournal(r.Context(), f)
	if err != nil {
		wb.failErr(w, r, err)
		return
	}
	d := adminJournalData{Object: f.Object, Key: f.Key, Calendar: f.Calendar, Objects: otklik.AdminObjects}
	if len(recs) > adminJournalPage {
		recs = recs[:adminJournalPage]
		older := url.Values{"before": {strconv.FormatInt(recs[len(recs)-1].Seq, 10)}}
		if f.Object != "" {
			older.Set("object", f.Object)
		}
		if f.Key != "" {
			older.Set("key", f.Key)
		}
		if f.Calendar != "" {
			older.Set("calendar", f.Calendar)
		}
		d.Older = "/admin/journal?" + older.Encode()
	}
	l := lang(r)
	for _, rec := range recs {
		d.Entries = append(d.Entries, entryOf(l, rec))
	}
	wb.render(w, r, http.StatusOK, "admin_journal", adminPage(r, "ui.admin.journal.title", "journal", d))
}

// entryOf is rec as the page shows it, its values in the words of language l.
func entryOf(l string, rec *otklik.AdminRecord) adminEntry {
	e := adminEntry{Seq: rec.Seq, At: rec.At, Actor: rec.Actor.Name, Object: rec.Object, Key: rec.Key, Action: rec.Action,
		Reason: rec.Reason}
	if rec.Action != otklik.AdminDeleted {
		switch rec.Object {
		case otklik.AdminSLAPolicy:
			e.Link = "/admin/sla/policies/" + rec.Key
		case otklik.AdminCalendar:
			e.Link = "/admin/sla#cal-" + rec.Key
		case otklik.AdminTemplate:
			e.Link = "/admin/templates/" + rec.Key
		}
	}
	var before, after map[string]any
	_ = json.Unmarshal([]byte(rec.Before), &before) // "" for none: no fields
	_ = json.Unmarshal([]byte(rec.After), &after)
	for _, fields := range []map[string]any{after, before} {
		if n, _ := fields["name"].(string); n != "" && e.Name == "" {
			e.Name = n
		} else if t, _ := fields["title"].(string); t != "" && e.Name == "" {
			e.Name = t
		}
	}
	for _, name := range adminJournalFields {
		b, hasB := before[name]
		a, hasA := after[name]
		if !hasB && !hasA {
			continue
		}
		label := "ui.admin.journal.field." + name
		if name == "name" && rec.Object == otklik.AdminUser {
			label = "ui.admin.journal.field.user_name" // a person's name, not a title
		}
		c := fieldChange{Label: i18n.T(l, label, nil)}
		if hasB {
			c.Before = valueOf(l, name, b)
		}
		if hasA {
			c.After = valueOf(l, name, a)
		}
		c.Changed = rec.Action == otklik.AdminChanged && c.Before != c.After
		if rec.Action == otklik.AdminChanged && !c.Changed && name != "name" && name != "title" {
			continue // a change lists what changed, and what the object is called
		}
		e.Fields = append(e.Fields, c)
	}
	return e
}

// valueOf is a field's value in words: a role, a channel, a priority or a kind of day by its name, yes
// or no, a number, the text as it is.
func valueOf(l, field string, v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return i18n.T(l, "ui.admin.journal.yes", nil)
		}
		return i18n.T(l, "ui.admin.journal.no", nil)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		switch field {
		case "role":
			return i18n.T(l, "ui.role."+x, nil)
		case "channel":
			return i18n.T(l, "ui.channel."+x, nil)
		case "priority":
			return i18n.T(l, "ui.priority."+x, nil)
		case "kind":
			return i18n.T(l, "ui.admin.sla.kind_"+x, nil)
		}
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}
