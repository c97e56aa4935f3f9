package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/otklik/otklik/internal/testkit"
)

func TestSavedFilters(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		op := d.browser()
		csrf := op.signIn("op@example.ru")
		query := "status=new&q=" + url.QueryEscape("пароль")

		r := op.do("POST", "/agent/filters", url.Values{"csrf": {csrf}, "queue": {"all"}, "name": {"Новые про пароль"},
			"query": {query + "&evil=1"}})
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/agent/q/all?") || strings.Contains(r.location, "evil") {
			t.Fatalf("save: %d → %q", r.code, r.location)
		}
		page := op.do("GET", r.location, nil)
		if !strings.Contains(page.body, "Новые про пароль") || !strings.Contains(page.body, d.number) {
			t.Fatalf("the saved filter's page lacks the filter or the ticket:\n%s", page.body)
		}
		testkit.CheckHTML(t, "queue with saved filters", []byte(page.body))

		// Another member does not see it; a name that is too long is refused and nothing is saved.
		aud := d.browser()
		acsrf := aud.signIn("audit@example.ru")
		if strings.Contains(aud.do("GET", "/agent/q/all", nil).body, "Новые про пароль") {
			t.Error("another member sees the filter")
		}
		if r := aud.do("POST", "/agent/filters", url.Values{"csrf": {acsrf}, "queue": {"all"}, "name": {strings.Repeat("я", 81)}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("too long a name: got %d, want 422", r.code)
		}
		if r := aud.do("POST", "/agent/filters", url.Values{"csrf": {acsrf}, "queue": {"nosuch"}, "name": {"x"}}); r.code != http.StatusNotFound {
			t.Errorf("unknown queue: got %d, want 404", r.code)
		}

		// The auditor cannot delete the operator's filter; the operator can.
		id := regexp.MustCompile(`/agent/filters/(\d+)/delete`).FindStringSubmatch(page.body)
		if id == nil {
			t.Fatal("no delete form")
		}
		if r := aud.do("POST", "/agent/filters/"+id[1]+"/delete", url.Values{"csrf": {acsrf}}); r.code != http.StatusNotFound {
			t.Errorf("someone else's filter deleted: %d", r.code)
		}
		if r := op.do("POST", "/agent/filters/"+id[1]+"/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
			t.Errorf("delete: %d", r.code)
		}
		if strings.Contains(op.do("GET", "/agent/q/all", nil).body, "Новые про пароль") {
			t.Error("the deleted filter is still listed")
		}
	})
}
