package web_test

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

const forbiddenText = "Для этого действия у вашей роли недостаточно прав"

// shownForm is what a browser would send from the form of page body whose action is action, as shown:
// its inputs' values (a checkbox's or radio's only when checked), each select's selected option (else
// its first) and its text areas.
func shownForm(t *testing.T, body, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			if a, _ := attr(c, "action"); c.DataAtom == atom.Form && a == action {
				form = c
				return
			}
			find(c)
		}
	}
	if find(doc); form == nil {
		t.Fatalf("no form with action %q:\n%s", action, body)
	}
	v := url.Values{}
	var collect func(n *html.Node)
	collect = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			name, named := attr(c, "name")
			switch {
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Input && named:
				kind, _ := attr(c, "type")
				_, checked := attr(c, "checked")
				val, _ := attr(c, "value")
				if (kind != "checkbox" && kind != "radio") || checked {
					v.Add(name, val)
				}
			case c.DataAtom == atom.Select && named:
				var first, chosen *html.Node
				for o := c.FirstChild; o != nil; o = o.NextSibling {
					if o.DataAtom != atom.Option {
						continue
					}
					if first == nil {
						first = o
					}
					if _, sel := attr(o, "selected"); sel && chosen == nil {
						chosen = o
					}
				}
				if chosen = cmp.Or(chosen, first); chosen != nil {
					val, _ := attr(chosen, "value")
					v.Add(name, val)
				}
			case c.DataAtom == atom.Textarea && named:
				text := ""
				if c.FirstChild != nil {
					text = c.FirstChild.Data
				}
				v.Add(name, text)
			default:
				collect(c)
			}
		}
	}
	collect(form)
	return v
}

// failedJob stores a background job that gave up, as the worker leaves one.
func (d *desk) failedJob() int64 {
	d.t.Helper()
	var id int64
	err := d.st.Write(context.Background(), func(tx otklik.Tx) error {
		j := &otklik.Job{Kind: "test.fail", Payload: "{}", MaxAttempts: 1, RunAt: d.clock.Now()}
		if err := tx.EnqueueJob(context.Background(), j); err != nil {
			return err
		}
		claimed, err := tx.ClaimJobs(context.Background(), "test", 100, time.Minute)
		if err != nil {
			return err
		}
		for _, c := range claimed {
			if c.ID == j.ID {
				id = c.ID
				return tx.FinishJob(context.Background(), c, otklik.JobOutcome{Status: otklik.JobFailed, LastError: "smtp: 550 почтовый ящик недоступен"})
			}
		}
		return nil
	})
	if err != nil || id == 0 {
		d.t.Fatalf("failed job: id %d, %v", id, err)
	}
	return id
}

func TestAdminPagesByRole(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		d.failedJob()
		ts, err := d.svc.ResponseTemplates(context.Background())
		if err != nil || len(ts) == 0 {
			t.Fatalf("templates: %d, %v", len(ts), err)
		}
		pages := []string{"/admin/", "/admin/staff", "/admin/groups", "/admin/categories", "/admin/templates",
			"/admin/templates/" + strconv.FormatInt(ts[0].ID, 10), "/admin/sla", "/admin/journal", "/admin/outbox", "/admin/jobs", "/admin/jobs?status=running"}

		admin := d.browser()
		admin.signInEnrolling("admin@example.ru")
		for _, p := range pages {
			r := admin.do("GET", p, nil)
			if r.code != http.StatusOK {
				t.Errorf("admin GET %s: %d\n%s", p, r.code, r.body)
				continue
			}
			testkit.CheckHTML(t, p, []byte(r.body))
			if !strings.Contains(r.body, `<a href="/admin/" aria-current="page">Администрирование</a>`) {
				t.Errorf("%s: the top menu lacks the current «Администрирование» link", p)
			}
		}
		if r := admin.do("GET", "/admin/jobs", nil); !strings.Contains(r.body, "почтовый ящик недоступен") || !strings.Contains(r.body, "Повторить") {
			t.Errorf("the failed job or its retry button is missing:\n%s", r.body)
		}
		if r := admin.do("GET", "/admin/templates/999999", nil); r.code != http.StatusNotFound {
			t.Errorf("unknown template: %d, want 404", r.code)
		}

		// Operators (and seniors) are refused every administration page, in Russian, and see no link.
		op := d.browser()
		opCSRF := op.signIn("op@example.ru")
		if strings.Contains(op.do("GET", "/agent/q/all", nil).body, `href="/admin/"`) {
			t.Error("the operator's menu links to administration")
		}
		for _, p := range pages {
			if r := op.do("GET", p, nil); r.code != http.StatusForbidden || !strings.Contains(r.body, forbiddenText) {
				t.Errorf("operator GET %s: %d, want 403 with the Russian message", p, r.code)
			}
		}
		if r := op.do("POST", "/admin/groups", url.Values{"csrf": {opCSRF}, "code": {"hackers"}, "name": {"Хакеры"}}); r.code != http.StatusForbidden {
			t.Errorf("operator adds a group: %d, want 403", r.code)
		}

		// The auditor reads everything, changes nothing: no forms, and a POST is refused.
		aud := d.browser()
		audCSRF := aud.signIn("audit@example.ru")
		for _, p := range pages {
			r := aud.do("GET", p, nil)
			if r.code != http.StatusOK {
				t.Errorf("auditor GET %s: %d", p, r.code)
				continue
			}
			if strings.Contains(r.body, `method="post" action="/admin/`) {
				t.Errorf("auditor GET %s shows a form that changes something", p)
			}
			testkit.CheckHTML(t, "auditor "+p, []byte(r.body))
		}
		if r := aud.do("POST", "/admin/templates", url.Values{"csrf": {audCSRF}, "code": {"x"}, "title": {"x"}, "body": {"x"}}); r.code != http.StatusForbidden {
			t.Errorf("auditor adds a template: %d, want 403", r.code)
		}

		// The supervisor reads the settings but not the outbox or the jobs.
		sup := d.browser()
		sup.signInEnrolling("sup@example.ru")
		for p, want := range map[string]int{"/admin/": 200, "/admin/staff": 200, "/admin/sla": 200, "/admin/templates": 200,
			"/admin/journal": 200, "/admin/outbox": 403, "/admin/jobs": 403} {
			if r := sup.do("GET", p, nil); r.code != want {
				t.Errorf("supervisor GET %s: %d, want %d", p, r.code, want)
			}
		}

		// A change without the CSRF token is refused and changes nothing.
		if r := admin.do("POST", "/admin/groups", url.Values{"code": {"nocsrf"}, "name": {"Без токена"}}); r.code != http.StatusForbidden {
			t.Errorf("POST without CSRF: %d, want 403", r.code)
		}
		gs, _ := d.svc.Groups(context.Background())
		for _, g := range gs {
			if g.Code == "nocsrf" || g.Code == "hackers" {
				t.Errorf("a refused request added the group %s", g.Code)
			}
		}
	})
}

func TestAdminStaff(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")

		// A refused member keeps what was typed (never the password) and says why.
		r := admin.do("POST", "/admin/staff", url.Values{"csrf": {csrf}, "email": {"new@example.ru"}, "name": {"Новый Сотрудник"},
			"role": {"operator"}, "group": {"line2"}, "password": {"short"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Пароль слишком короткий") ||
			!strings.Contains(r.body, `value="new@example.ru"`) || strings.Contains(r.body, `value="short"`) {
			t.Fatalf("short password: %d\n%s", r.code, r.body)
		}
		testkit.CheckHTML(t, "staff refused", []byte(r.body))
		if r := admin.do("POST", "/admin/staff", url.Values{"csrf": {csrf}, "email": {"new@example.ru"}, "name": {"Новый Сотрудник"}, "role": {"operator"}}); r.code != http.StatusUnprocessableEntity {
			t.Errorf("no password: %d, want 422", r.code)
		}
		if _, err := d.st.UserByEmail(ctx, "new@example.ru"); !otklik.IsCode(err, otklik.ENOTFOUND) {
			t.Fatalf("a refused member was stored: %v", err)
		}

		// Added with a group; the list shows them.
		r = admin.do("POST", "/admin/staff", url.Values{"csrf": {csrf}, "email": {"New@Example.ru"}, "name": {"Новый Сотрудник"},
			"role": {"operator"}, "group": {"line2"}, "password": {testPassword}})
		if r.code != http.StatusSeeOther || r.location != "/admin/staff?done=staff_added" {
			t.Fatalf("add member: %d → %q\n%s", r.code, r.location, r.body)
		}
		list := admin.do("GET", r.location, nil)
		if !strings.Contains(list.body, "Сотрудник добавлен") || !strings.Contains(list.body, "new@example.ru") {
			t.Errorf("the staff list lacks the notice or the new member:\n%s", list.body)
		}
		u, err := d.st.UserByEmail(ctx, "new@example.ru")
		if err != nil || u.Role != otklik.RoleOperator || u.GroupID == 0 || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Fatalf("stored member: %+v, %v", u, err)
		}
		id := strconv.FormatInt(u.ID, 10)

		// The new member works; a role change keeps them working.
		nb := d.browser()
		nb.signIn("new@example.ru")
		if r := admin.do("POST", "/admin/staff/"+id+"/role", url.Values{"csrf": {csrf}, "role": {"senior"}, "group": {"line3"}}); r.code != http.StatusSeeOther {
			t.Fatalf("role change: %d\n%s", r.code, r.body)
		}
		if u, _ := d.st.UserByEmail(ctx, "new@example.ru"); u.Role != otklik.RoleSenior {
			t.Errorf("role after the change: %s", u.Role)
		}

		// Disabling ends their session at once.
		if r := admin.do("POST", "/admin/staff/"+id+"/disable", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther || r.location != "/admin/staff?done=staff_disabled" {
			t.Fatalf("disable: %d → %q\n%s", r.code, r.location, r.body)
		}
		if r := nb.do("GET", "/agent/q/mine", nil); r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/agent/login") {
			t.Errorf("a disabled member still works: %d → %q", r.code, r.location)
		}
		if r := admin.do("POST", "/admin/staff/"+id+"/enable", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
			t.Errorf("enable: %d", r.code)
		}

		// An administrator cannot disable or demote themselves.
		me, _ := d.st.UserByEmail(ctx, "admin@example.ru")
		myID := strconv.FormatInt(me.ID, 10)
		if r := admin.do("POST", "/admin/staff/"+myID+"/disable", url.Values{"csrf": {csrf}}); r.code != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "Нельзя отключить собственную учётную запись") {
			t.Errorf("self-disable: %d\n%s", r.code, r.body)
		}
		if r := admin.do("POST", "/admin/staff/"+myID+"/role", url.Values{"csrf": {csrf}, "role": {"operator"}}); r.code != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "Нельзя снять роль администратора") {
			t.Errorf("self-demotion: %d\n%s", r.code, r.body)
		}
		if u, _ := d.st.UserByEmail(ctx, "admin@example.ru"); u.Role != otklik.RoleAdmin || u.Disabled {
			t.Errorf("the administrator changed themselves: %+v", u)
		}

		// Resetting the supervisor's second factor signs them out; they enrol again next time.
		sup := d.browser()
		sup.signInEnrolling("sup@example.ru")
		su, _ := d.st.UserByEmail(ctx, "sup@example.ru")
		if r := admin.do("POST", "/admin/staff/"+strconv.FormatInt(su.ID, 10)+"/reset-totp", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
			t.Fatalf("reset second factor: %d\n%s", r.code, r.body)
		}
		if r := sup.do("GET", "/agent/q/mine", nil); r.code != http.StatusSeeOther {
			t.Errorf("the supervisor still works after the reset: %d", r.code)
		}
		ms, err := d.svc.StaffMembers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ID == su.ID && m.TOTP {
				t.Error("the supervisor still has a second factor")
			}
			if m.ID == me.ID && !m.TOTP {
				t.Error("the administrator's second factor is not shown")
			}
		}
		sup.signInEnrolling("sup@example.ru")

		// Sign out everywhere.
		nb.signIn("new@example.ru")
		if r := admin.do("POST", "/admin/staff/"+id+"/signout", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: %d", r.code)
		}
		if r := nb.do("GET", "/agent/q/mine", nil); r.code != http.StatusSeeOther {
			t.Errorf("the member still works after sign-out everywhere: %d", r.code)
		}
	})
}

func TestAdminGroupsAndCategories(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		if r := admin.do("POST", "/admin/groups", url.Values{"csrf": {csrf}, "code": {"Платежи"}, "name": {"Платежи"}}); r.code != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "Код группы") || !strings.Contains(r.body, `value="Платежи"`) {
			t.Errorf("bad group code: %d\n%s", r.code, r.body)
		}
		if r := admin.do("POST", "/admin/groups", url.Values{"csrf": {csrf}, "code": {"payments"}, "name": {"Платежи и пошлины"}}); r.code != http.StatusSeeOther {
			t.Fatalf("add group: %d\n%s", r.code, r.body)
		}
		r := admin.do("POST", "/admin/categories", url.Values{"csrf": {csrf}, "code": {"access.esia"}, "name": {"Вход через ЕСИА"},
			"parent": {"nope"}, "group": {"payments"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Категория «nope» не найдена") || !strings.Contains(r.body, `value="access.esia"`) {
			t.Errorf("unknown parent: %d\n%s", r.code, r.body)
		}
		if r := admin.do("POST", "/admin/categories", url.Values{"csrf": {csrf}, "code": {"access.esia"}, "name": {"Вход через ЕСИА"},
			"parent": {"access"}, "group": {"payments"}}); r.code != http.StatusSeeOther {
			t.Fatalf("add category: %d\n%s", r.code, r.body)
		}
		page := admin.do("GET", "/admin/categories", nil)
		testkit.CheckHTML(t, "categories", []byte(page.body))
		if !strings.Contains(page.body, "Вход через ЕСИА") || !strings.Contains(page.body, "Платежи и пошлины") {
			t.Errorf("the new category or its group is missing:\n%s", page.body)
		}
	})
}

func TestAdminTemplates(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		before, _ := d.svc.ResponseTemplates(ctx)

		// A bad code is refused, the form keeps what was typed, and nothing is stored.
		r := admin.do("POST", "/admin/templates", url.Values{"csrf": {csrf}, "code": {"Плохой код"}, "title": {"Ответ про СМС"},
			"body": {"Здравствуйте, {name}! Код приходит в течение 5 минут."}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Код шаблона: от 1 до 40") ||
			!strings.Contains(r.body, `value="Ответ про СМС"`) || !strings.Contains(r.body, "Код приходит в течение 5 минут") {
			t.Fatalf("bad code: %d\n%s", r.code, r.body)
		}
		testkit.CheckHTML(t, "templates refused", []byte(r.body))
		if after, _ := d.svc.ResponseTemplates(ctx); len(after) != len(before) {
			t.Fatalf("a refused template was stored: %d → %d", len(before), len(after))
		}
		if r := admin.do("POST", "/admin/templates", url.Values{"csrf": {csrf}, "code": {"greeting"}, "title": {"Ещё"}, "body": {"Текст"}}); r.code != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "«greeting» уже есть") {
			t.Errorf("duplicate code: %d\n%s", r.code, r.body)
		}

		// Add, edit, delete.
		r = admin.do("POST", "/admin/templates", url.Values{"csrf": {csrf}, "code": {"sms_delay"}, "title": {"Ответ про СМС"},
			"body": {"Здравствуйте, {name}! По обращению № {number} код приходит в течение 5 минут."}})
		if r.code != http.StatusSeeOther || r.location != "/admin/templates?done=template_added" {
			t.Fatalf("add: %d → %q\n%s", r.code, r.location, r.body)
		}
		if page := admin.do("GET", r.location, nil); !strings.Contains(page.body, "Шаблон добавлен") || !strings.Contains(page.body, "sms_delay") {
			t.Errorf("the list lacks the notice or the template")
		}
		var added *otklik.ResponseTemplate
		ts, _ := d.svc.ResponseTemplates(ctx)
		for i := range ts {
			if ts[i].Code == "sms_delay" {
				added = &ts[i]
			}
		}
		if added == nil || added.Position != before[len(before)-1].Position+1 {
			t.Fatalf("added template: %+v", added)
		}
		path := "/admin/templates/" + strconv.FormatInt(added.ID, 10)
		if r := admin.do("POST", path, url.Values{"csrf": {csrf}, "code": {"sms_delay"}, "title": {strings.Repeat("я", 201)}, "body": {"Текст"}}); r.code != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "не более 200 символов") {
			t.Errorf("long title: %d\n%s", r.code, r.body)
		}
		if r := admin.do("POST", path, url.Values{"csrf": {csrf}, "code": {"sms_wait"}, "title": {"СМС не приходит"}, "body": {"Подождите 5 минут, {name}."}}); r.code != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", r.code, r.body)
		}
		got, err := d.svc.ResponseTemplate(ctx, added.ID)
		if err != nil || got.Code != "sms_wait" || got.Title != "СМС не приходит" || got.Position != added.Position {
			t.Fatalf("after the edit: %+v, %v", got, err)
		}
		// The ticket page offers it, filled in.
		op := d.browser()
		op.signIn("op@example.ru")
		if page := op.do("GET", "/agent/tickets/"+d.number, nil); !strings.Contains(page.body, "Подождите 5 минут, Иван Петров.") {
			t.Error("the ticket page does not offer the edited template")
		}
		if r := admin.do("POST", path+"/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther || r.location != "/admin/templates?done=template_deleted" {
			t.Fatalf("delete: %d → %q", r.code, r.location)
		}
		if _, err := d.svc.ResponseTemplate(ctx, added.ID); !otklik.IsCode(err, otklik.ENOTFOUND) {
			t.Errorf("the deleted template is still there: %v", err)
		}
		if r := admin.do("POST", path+"/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusNotFound {
			t.Errorf("deleting it again: %d, want 404", r.code)
		}
	})
}

// TestAdminCalendars: an administrator adds a regional office's calendar and changes its working week
// from the calendars' page; a week that cannot be read, or a new calendar by a taken name, is refused
// with the form as typed and nothing changed; the supervisor reads the page without the forms.
func TestAdminCalendars(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		calendar := d.calendar
		office := *calendar("office")

		for _, c := range []struct {
			name string
			form url.Values
			says string
		}{
			{"a week not read", url.Values{"name": {"ekb"}, "title": {"Екатеринбургский офис"}, "week": {"пн-пт 9-18"}}, "Часы «9-18» не распознаны: нужно ЧЧ:ММ-ЧЧ:ММ, например 09:00-18:00."},
			{"a name not Latin", url.Values{"name": {"Екб"}, "title": {"Екатеринбургский офис"}, "week": {"mon-fri 07:00-16:00"}}, "Имя календаря: латинские строчные буквы"},
			{"a name taken", url.Values{"name": {"office"}, "title": {"Новый офис"}, "week": {"mon-fri 07:00-16:00"}}, "Календарь «office» уже есть"},
		} {
			c.form.Set("csrf", csrf)
			r := admin.do("POST", "/admin/sla/calendars", c.form)
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.says) ||
				!strings.Contains(r.body, `id="cal-new-week" name="week" required maxlength="200" value="`+c.form.Get("week")+`"`) {
				t.Errorf("%s: %d, want 422 saying %q with the form as typed\n%s", c.name, r.code, c.says, r.body)
			}
			testkit.CheckHTML(t, "calendar refused: "+c.name, []byte(r.body))
		}
		if calendar("ekb") != nil || calendar("office").Title != office.Title || calendar("office").Week != office.Week {
			t.Fatal("a refused calendar changed the calendars")
		}

		// Added, then given a day of its own and a shorter Friday: the day stays.
		r := admin.do("POST", "/admin/sla/calendars", url.Values{"csrf": {csrf}, "name": {"ekb"}, "title": {"Екатеринбургский офис"}, "week": {"mon-fri 07:00-16:00"}})
		if r.code != http.StatusSeeOther || r.location != "/admin/sla?done=calendar_saved" {
			t.Fatalf("add a calendar: %d → %q\n%s", r.code, r.location, r.body)
		}
		page := admin.do("GET", r.location, nil)
		if !strings.Contains(page.body, "Календарь сохранён. Если от его рабочей недели зависят сроки открытых обращений, они пересчитываются.") ||
			!strings.Contains(page.body, `<h3 id="cal-ekb">Екатеринбургский офис <code>ekb</code></h3>`+"\n"+`<p class="muted">Последнее изменение: `+
				d.clock.Now().In(service.Moscow).Format("02.01.2006 15:04")+", Анна Админова.</p>") {
			t.Errorf("the new calendar is not shown:\n%s", page.body)
		}
		testkit.CheckHTML(t, "calendars with a new one", []byte(page.body))
		if r := admin.do("POST", "/admin/sla/calendars/ekb/overrides", url.Values{"csrf": {csrf}, "day": {"2026-12-02"}, "kind": {"holiday"}, "note": {"День города"}}); r.code != http.StatusSeeOther {
			t.Fatalf("a day of the new calendar: %d\n%s", r.code, r.body)
		}
		if r := admin.do("POST", "/admin/sla/calendars/ekb", url.Values{"csrf": {csrf}, "title": {"Офис в Екатеринбурге"}, "week": {"mon-thu 07:00-16:00, fri 07:00-14:45"}}); r.code != http.StatusSeeOther {
			t.Fatalf("change the week: %d\n%s", r.code, r.body)
		}
		ekb := calendar("ekb")
		if ekb == nil || ekb.Title != "Офис в Екатеринбурге" || ekb.Week != "mon-thu 07:00-16:00, fri 07:00-14:45" || len(ekb.Overrides) != 1 || ekb.Overrides[0].Day != "2026-12-02" {
			t.Errorf("the calendar after its change: %+v", ekb)
		}
		// A week that cannot be read for an existing calendar: refused on its own card, as typed.
		r = admin.do("POST", "/admin/sla/calendars/ekb", url.Values{"csrf": {csrf}, "title": {"Офис в Екатеринбурге"}, "week": {"fri-mon 25:00-26:00"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Время «25:00» позже 24:00.") ||
			!strings.Contains(r.body, `id="cal-week-ekb" name="week" required maxlength="200" value="fri-mon 25:00-26:00"`) {
			t.Errorf("a bad week on a calendar's card: %d\n%s", r.code, r.body)
		}
		if calendar("ekb").Week != ekb.Week {
			t.Error("a refused week changed the calendar")
		}

		// A change to a calendar that is none does not make one.
		if r := admin.do("POST", "/admin/sla/calendars/mars", url.Values{"csrf": {csrf}, "title": {"Марс"}, "week": {"24x7"}}); r.code != http.StatusNotFound || calendar("mars") != nil {
			t.Errorf("a change to a calendar that is none: %d, made %v", r.code, calendar("mars"))
		}

		// The supervisor reads the calendars without the forms, and is refused.
		sup := d.browser()
		scsrf := sup.signInEnrolling("sup@example.ru")
		if page := sup.do("GET", "/admin/sla", nil); !strings.Contains(page.body, "Офис в Екатеринбурге") || strings.Contains(page.body, `action="/admin/sla/calendars`) {
			t.Errorf("the supervisor's calendars page:\n%s", page.body)
		}
		if r := sup.do("POST", "/admin/sla/calendars", url.Values{"csrf": {scsrf}, "name": {"msk2"}, "title": {"x"}, "week": {"24x7"}}); r.code != http.StatusForbidden {
			t.Errorf("the supervisor adds a calendar: %d, want 403", r.code)
		}
	})
}

// TestAdminPolicies: an administrator adds an SLA policy from the calendars' page — matched by channel,
// or chosen by staff; refused ones say why and keep the form as typed; a ticket then gets the new one.
func TestAdminPolicies(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		count := func() int { return len(d.policies()) }
		before := count()
		page := admin.do("GET", "/admin/sla", nil)
		if !strings.Contains(page.body, `action="/admin/sla/policies"`) || !strings.Contains(page.body, `id="pol-position" name="position" type="number" min="0" max="1000000" required value="100"`) {
			t.Fatalf("no form for a new policy after the last (90):\n%s", page.body)
		}
		chat := url.Values{"code": {"chat_fast"}, "name": {"Чат: быстрые вопросы"}, "position": {"5"}, "channel": {"chat"},
			"first_response": {""}, "resolution": {"4h"}, "calendar": {"24x7"}}
		with := func(k, v string) url.Values {
			f := url.Values{"csrf": {csrf}}
			for key, vs := range chat {
				f[key] = vs
			}
			f.Set(k, v)
			return f
		}
		for _, c := range []struct {
			name string
			form url.Values
			says string
		}{
			{"an order that is no number", with("position", "пятый"), "Порядок — целое число"},
			{"a code taken", with("code", "default"), "Политика с кодом «default» уже есть"},
			{"a code not Latin", with("code", "чат"), "Код политики: латинские строчные буквы"},
			{"no target", with("resolution", ""), "Задайте хотя бы один срок"},
			{"a target not read", with("resolution", "4 часа"), "Срок «4 часа» не распознан"},
			{"chosen by staff yet matched", with("manual", "1"), "не подбирают по категории, каналу или приоритету"},
			{"a calendar that is none", with("calendar", "mars"), "Календарь «mars» не существует"},
		} {
			r := admin.do("POST", "/admin/sla/policies", c.form)
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.says) || !strings.Contains(r.body, `value="Чат: быстрые вопросы"`) {
				t.Errorf("%s: %d, want 422 saying %q with the form as typed\n%s", c.name, r.code, c.says, r.body)
			}
			testkit.CheckHTML(t, "policy refused: "+c.name, []byte(r.body))
		}
		if n := count(); n != before {
			t.Fatalf("refused policies changed the policies: %d, were %d", n, before)
		}

		r := admin.do("POST", "/admin/sla/policies", with("csrf", csrf))
		if r.code != http.StatusSeeOther || r.location != "/admin/sla?done=policy_added" {
			t.Fatalf("add a policy: %d → %q\n%s", r.code, r.location, r.body)
		}
		page = admin.do("GET", r.location, nil)
		if !strings.Contains(page.body, "Политика добавлена.") || !strings.Contains(page.body, `<a href="/admin/sla/policies/chat_fast">Чат: быстрые вопросы</a> <code>chat_fast</code>`) {
			t.Errorf("the new policy is not listed:\n%s", page.body)
		}
		tk, _, err := d.svc.CreateTicket(ctx, otklik.SystemActor, service.NewTicket{Channel: otklik.ChannelChat, Subject: "Вопрос в чате",
			Body: "Как сменить номер телефона?", Requester: service.RequesterInput{Email: "chat@example.ru"}})
		if err != nil {
			t.Fatal(err)
		}
		if tk.SLA.Policy != "chat_fast" || tk.DueAt == nil || !tk.DueAt.Equal(tk.CreatedAt.Add(4*time.Hour)) {
			t.Errorf("a chat ticket: policy %q, due %v (registered %v); want chat_fast, 4 hours round the clock", tk.SLA.Policy, tk.DueAt, tk.CreatedAt)
		}

		// Chosen by staff: offered on a ticket's page.
		r = admin.do("POST", "/admin/sla/policies", url.Values{"csrf": {csrf}, "code": {"vip"}, "name": {"Особый контроль"}, "position": {"61"},
			"manual": {"1"}, "resolution": {"2d"}, "calendar": {"office"}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("add a manual policy: %d\n%s", r.code, r.body)
		}
		op := d.browser()
		op.signIn("op@example.ru")
		if page := op.do("GET", "/agent/tickets/"+tk.Number, nil); !strings.Contains(page.body, `<option value="vip">Особый контроль</option>`) {
			t.Errorf("the ticket page does not offer the manual policy:\n%s", page.body)
		}
	})
}

// TestAdminRemovePoliciesAndCalendars: an administrator removes a policy from the list and then the
// calendar it was on; a calendar a policy is on and the office calendar say why they stay and refuse;
// the supervisor sees neither button and is refused.
func TestAdminRemovePoliciesAndCalendars(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		if _, err := d.svc.PutCalendar(ctx, otklik.SystemActor, otklik.Calendar{Name: "ekb", Title: "Екатеринбургский офис", Week: "mon-fri 07:00-16:00"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.PutSLAPolicy(ctx, otklik.SystemActor, otklik.SLAPolicy{Code: "ekb_visit", Name: "Приём в Екатеринбурге", Position: 5,
			Channel: otklik.ChannelVisit, Resolution: "3d", Calendar: "ekb"}); err != nil {
			t.Fatal(err)
		}
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		page := admin.do("GET", "/admin/sla", nil)
		testkit.CheckHTML(t, "calendars and policies", []byte(page.body))
		for _, want := range []string{"Используют политики: Приём в Екатеринбурге. Пока они на нём, календарь удалить нельзя.",
			"По выходным и праздникам этого календаря переносятся сроки ответа по 59-ФЗ",
			`action="/admin/sla/policies/ekb_visit/delete"`, `data-confirm="Удалить политику «Приём в Екатеринбурге»?`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the page does not say %q:\n%s", want, page.body)
			}
		}
		for _, cal := range []string{"ekb", "office", "24x7"} { // a policy on each, or the statutory one
			if strings.Contains(page.body, `action="/admin/sla/calendars/`+cal+`/delete"`) {
				t.Errorf("the page offers to remove the calendar %s", cal)
			}
		}
		for _, c := range []struct{ cal, says string }{
			{"ekb", "Календарь используют политики SLA: «Приём в Екатеринбурге». Переведите их на другой календарь"},
			{"office", "Календарь «office» удалить нельзя: по его выходным и праздникам переносятся сроки ответа по 59-ФЗ."},
		} {
			r := admin.do("POST", "/admin/sla/calendars/"+c.cal+"/delete", url.Values{"csrf": {csrf}})
			if r.code != http.StatusConflict || !strings.Contains(r.body, c.says) {
				t.Errorf("remove %s: %d, want 409 saying %q\n%s", c.cal, r.code, c.says, r.body)
			}
		}

		sup := d.browser()
		scsrf := sup.signInEnrolling("sup@example.ru")
		if page := sup.do("GET", "/admin/sla", nil); strings.Contains(page.body, "/delete") {
			t.Errorf("the supervisor is offered to remove something:\n%s", page.body)
		}
		if r := sup.do("POST", "/admin/sla/policies/ekb_visit/delete", url.Values{"csrf": {scsrf}}); r.code != http.StatusForbidden {
			t.Errorf("the supervisor removes a policy: %d, want 403", r.code)
		}
		if page := sup.do("GET", "/admin/sla/policies/ekb_visit", nil); page.code != http.StatusOK ||
			strings.Contains(page.body, "<form method=\"post\" action=\"/admin/sla/policies/") || !strings.Contains(page.body, "Приём в Екатеринбурге") {
			t.Errorf("the supervisor's view of a policy: %d\n%s", page.code, page.body)
		}

		r := admin.do("POST", "/admin/sla/policies/ekb_visit/delete", shownForm(t, page.body, "/admin/sla/policies/ekb_visit/delete"))
		if r.code != http.StatusSeeOther || r.location != "/admin/sla?done=policy_deleted" {
			t.Fatalf("remove the policy: %d → %q\n%s", r.code, r.location, r.body)
		}
		page = admin.do("GET", r.location, nil)
		if !strings.Contains(page.body, "Политика удалена. Сроки открытых обращений пересчитываются") || strings.Contains(page.body, "ekb_visit") {
			t.Errorf("after removing the policy:\n%s", page.body)
		}
		r = admin.do("POST", "/admin/sla/calendars/ekb/delete", shownForm(t, page.body, "/admin/sla/calendars/ekb/delete"))
		if r.code != http.StatusSeeOther || r.location != "/admin/sla?done=calendar_deleted" {
			t.Fatalf("remove the calendar: %d → %q\n%s", r.code, r.location, r.body)
		}
		page = admin.do("GET", r.location, nil)
		if !strings.Contains(page.body, "Календарь удалён.") || strings.Contains(page.body, `id="cal-ekb"`) {
			t.Errorf("after removing the calendar:\n%s", page.body)
		}
		if r := admin.do("POST", "/admin/sla/calendars/ekb/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusNotFound || !strings.Contains(r.body, "Календарь не найден") {
			t.Errorf("remove the calendar again: %d\n%s", r.code, r.body)
		}
		if r := admin.do("POST", "/admin/sla/policies/ekb_visit/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusNotFound || !strings.Contains(r.body, "Политика SLA не найдена") {
			t.Errorf("remove the policy again: %d\n%s", r.code, r.body)
		}
	})
}

// TestAdminProductionCalendar: «Календари и сроки» shows the production calendar built in, year by year
// with its decree, norm and marked days, and warns of a year deadlines reach that it lacks.
func TestAdminProductionCalendar(t *testing.T) {
	d := newDesk(t, "sqlite")
	admin := d.browser()
	admin.signInEnrolling("admin@example.ru")
	page := admin.do("GET", "/admin/sla", nil)
	testkit.CheckHTML(t, "production calendar", []byte(page.body))
	for _, want := range []string{
		"<summary>2026 год — Постановление Правительства РФ от 24.09.2025 № 1466: рабочих дней — 247, норма часов при 40-часовой неделе — 1972</summary>",
		"<td>09.01.2026, пт</td><td>выходной</td><td>перенос выходного (выходной перенесён с 03.01.2026)</td>",
		"<td>30.04.2026, чт</td><td>сокращённый день</td><td>предпраздничный день</td>",
		"текст постановления не сверен", // 2027's caveat
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if strings.Contains(page.body, "Производственного календаря на") {
		t.Errorf("a warning of a missing year in November 2026:\n%s", page.body)
	}
	// From September of the last year built in, the next one is missing.
	last := 2027
	d = newDesk(t, "sqlite")
	d.clock.Add(time.Date(last, 9, 1, 9, 0, 0, 0, time.UTC).Sub(d.clock.Now()))
	admin = d.browser()
	admin.signInEnrolling("admin@example.ru")
	page = admin.do("GET", "/admin/sla", nil)
	if want := "Производственного календаря на 2028 год в Отклике нет"; !strings.Contains(page.body, want) {
		t.Errorf("no warning %q in September %d:\n%s", want, last, page.body)
	}
}

func TestAdminCalendarsAndPolicies(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		base := "/admin/sla/calendars/office/overrides"

		r := admin.do("POST", base, url.Values{"csrf": {csrf}, "day": {"01.12.2026"}, "kind": {"holiday"}, "note": {"День службы поддержки"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "ГГГГ-ММ-ДД") || !strings.Contains(r.body, `value="День службы поддержки"`) {
			t.Fatalf("bad day: %d\n%s", r.code, r.body)
		}
		testkit.CheckHTML(t, "sla refused", []byte(r.body))
		r = admin.do("POST", base, url.Values{"csrf": {csrf}, "day": {"2026-12-01"}, "kind": {"holiday"}, "note": {"День службы поддержки"}})
		if r.code != http.StatusSeeOther || r.location != "/admin/sla?done=override_added" {
			t.Fatalf("add override: %d → %q\n%s", r.code, r.location, r.body)
		}
		page := admin.do("GET", r.location, nil)
		if !strings.Contains(page.body, "2026-12-01") || !strings.Contains(page.body, "День службы поддержки") || !strings.Contains(page.body, "Анна Админова") {
			t.Errorf("the override is not listed:\n%s", page.body)
		}
		// The recomputation the change queued is reported: going on, then done, or failed with a way to
		// run it again.
		if !strings.Contains(page.body, "Сроки открытых обращений сейчас пересчитываются") {
			t.Errorf("the queued recomputation is not reported:\n%s", page.body)
		}
		finish := func(o otklik.JobOutcome) {
			t.Helper()
			err := d.st.Write(ctx, func(tx otklik.Tx) error {
				js, err := tx.ClaimJobs(ctx, "test", 100, time.Minute)
				for _, j := range js {
					if err == nil && j.Kind == service.JobRecomputeSLA {
						err = tx.FinishJob(ctx, j, o)
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		finish(otklik.JobOutcome{Status: otklik.JobDone})
		page = admin.do("GET", "/admin/sla", nil)
		if !strings.Contains(page.body, "Последний пересчёт сроков открытых обращений завершён "+d.clock.Now().In(service.Moscow).Format("02.01.2006 15:04")) ||
			strings.Contains(page.body, "сейчас пересчитываются") {
			t.Errorf("the finished recomputation is not reported:\n%s", page.body)
		}
		testkit.CheckHTML(t, "sla recomputed", []byte(page.body))
		override := func() bool {
			return slices.ContainsFunc(d.calendar("office").Overrides, func(o otklik.CalendarOverride) bool {
				return o.Day == "2026-12-01" && o.Kind == "holiday"
			})
		}
		if !override() {
			t.Fatal("the override was not stored")
		}
		if r := admin.do("POST", base+"/2026-12-01/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusSeeOther || r.location != "/admin/sla?done=override_removed" {
			t.Fatalf("remove override: %d → %q\n%s", r.code, r.location, r.body)
		}
		if override() {
			t.Error("the override is still there")
		}
		finish(otklik.JobOutcome{Status: otklik.JobFailed, LastError: "store: connection refused"})
		page = admin.do("GET", "/admin/sla", nil)
		if !strings.Contains(page.body, "Последний пересчёт сроков открытых обращений не удался") || !strings.Contains(page.body, "store: connection refused") ||
			!strings.Contains(page.body, `href="/admin/jobs?status=failed"`) || !strings.Contains(page.body, `role="alert"`) {
			t.Errorf("the failed recomputation is not reported:\n%s", page.body)
		}
		testkit.CheckHTML(t, "sla recompute failed", []byte(page.body))
		if r := admin.do("POST", base+"/2026-12-01/delete", url.Values{"csrf": {csrf}}); r.code != http.StatusNotFound || !strings.Contains(r.body, "нет изменений") {
			t.Errorf("removing it again: %d\n%s", r.code, r.body)
		}

		// A policy's own page: its form as shown saves it as it is; a bad target says what is wrong and
		// keeps what was typed; what it matches and its place change too.
		page = admin.do("GET", "/admin/sla/policies/access", nil)
		testkit.CheckHTML(t, "policy page", []byte(page.body))
		if !strings.Contains(page.body, "<title>Политика SLA — ") {
			t.Errorf("the policy page's title:\n%s", page.body)
		}
		form := shownForm(t, page.body, "/admin/sla/policies/access")
		want := url.Values{"csrf": {csrf}, "name": {"Проблемы с доступом"}, "position": {"40"}, "category": {"access"}, "channel": {""},
			"priority": {""}, "first_response": {""}, "resolution": {"24h"}, "calendar": {"office"}}
		if form.Encode() != want.Encode() {
			t.Errorf("the policy's form shows\n%v, want\n%v", form, want)
		}
		form.Set("resolution", "сутки")
		r = admin.do("POST", "/admin/sla/policies/access", form)
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Срок «сутки» не распознан") || !strings.Contains(r.body, `value="сутки"`) {
			t.Errorf("bad target: %d\n%s", r.code, r.body)
		}
		testkit.CheckHTML(t, "policy refused", []byte(r.body))
		form = shownForm(t, r.body, "/admin/sla/policies/access") // the form as typed
		form.Set("first_response", "4h")
		form.Set("resolution", "2d")
		form.Set("priority", "high")
		form.Set("position", "35")
		if r := admin.do("POST", "/admin/sla/policies/access", form); r.code != http.StatusSeeOther || r.location != "/admin/sla?done=policy_saved" {
			t.Fatalf("save policy: %d → %q\n%s", r.code, r.location, r.body)
		}
		policy := d.policy
		if p := policy("access"); p == nil || p.FirstResponse != "4h" || p.Resolution != "2d" || p.Category != "access" ||
			p.Priority != otklik.PriorityHigh || p.Position != 35 || p.Name != "Проблемы с доступом" || p.UpdatedBy != "Анна Админова" {
			t.Errorf("saved policy: %+v", p)
		}
		if page := admin.do("GET", "/admin/sla/policies/access", nil); !strings.Contains(page.body,
			"Последнее изменение: "+d.clock.Now().In(service.Moscow).Format("02.01.2006 15:04")+", Анна Админова.") {
			t.Errorf("the policy's page does not say who changed it last:\n%s", page.body)
		}
		// Chosen by staff yet matched: refused, nothing changes.
		form.Set("manual", "1")
		if r := admin.do("POST", "/admin/sla/policies/access", form); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "не подбирают по категории") {
			t.Errorf("a manual policy that matches: %d\n%s", r.code, r.body)
		}
		if p := policy("access"); p.Manual {
			t.Errorf("a refused change was stored: %+v", p)
		}
		if r := admin.do("POST", "/admin/sla/policies/nope", want); r.code != http.StatusNotFound || policy("nope") != nil {
			t.Errorf("a change to a policy that is none: %d, want 404 and none made", r.code)
		}
		if r := admin.do("GET", "/admin/sla/policies/nope", nil); r.code != http.StatusNotFound || !strings.Contains(r.body, "Политика SLA не найдена") {
			t.Errorf("a page of a policy that is none: %d\n%s", r.code, r.body)
		}
	})
}

func TestAdminRetryJob(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		id := d.failedJob()
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		path := "/admin/jobs/" + strconv.FormatInt(id, 10) + "/retry"
		if r := admin.do("POST", path, nil); r.code != http.StatusForbidden {
			t.Errorf("retry without CSRF: %d, want 403", r.code)
		}
		r := admin.do("POST", path, url.Values{"csrf": {csrf}})
		if r.code != http.StatusSeeOther || r.location != "/admin/jobs?done=job_retried" {
			t.Fatalf("retry: %d → %q\n%s", r.code, r.location, r.body)
		}
		if page := admin.do("GET", r.location, nil); !strings.Contains(page.body, "Задание снова поставлено в очередь") {
			t.Error("the jobs page lacks the notice")
		}
		js, err := d.svc.Jobs(context.Background(), otklik.JobFilter{Kind: "test.fail"})
		if err != nil || len(js) != 1 || js[0].Status != otklik.JobQueued {
			t.Fatalf("after the retry: %+v, %v", js, err)
		}
		if r := admin.do("POST", path, url.Values{"csrf": {csrf}}); r.code != http.StatusNotFound || !strings.Contains(r.body, "повторить можно только задание") {
			t.Errorf("retrying a queued job: %d\n%s", r.code, r.body)
		}
	})
}

// The outbox lists undelivered outbound mail with its error and ticket.
func TestAdminOutbox(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		ctx := context.Background()
		v, err := d.svc.Ticket(ctx, d.number)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range []string{otklik.MailHeld, otklik.MailFailed, otklik.MailSent} {
			err := d.st.Write(ctx, func(tx otklik.Tx) error {
				return tx.InsertMail(ctx, &otklik.MailRecord{Direction: otklik.MailOut, MessageID: "m" + strconv.Itoa(i) + "@otklik.test",
					ContentSHA256: []byte{byte(i)}, TicketID: v.Ticket.ID, From: "support@otklik.test", To: st + "@example.ru",
					Subject: "Ответ на обращение", Kind: otklik.MailStaffReply, Status: st, Raw: []byte("Subject: x\r\n\r\nx"),
					Error: map[bool]string{true: "550 mailbox unavailable"}[st == otklik.MailFailed], CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ms, err := d.svc.Mails(ctx, otklik.MailFilter{Direction: otklik.MailOut})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			t.Fatal("no outbound mail to show")
		}
		admin := d.browser()
		admin.signInEnrolling("admin@example.ru")
		page := admin.do("GET", "/admin/outbox", nil)
		if !strings.Contains(page.body, `href="/agent/tickets/`+d.number+`"`) {
			t.Errorf("the outbox does not link the ticket %s:\n%s", d.number, page.body)
		}
		testkit.CheckHTML(t, "outbox", []byte(page.body))
		for _, m := range ms {
			if m.Status == otklik.MailSent {
				continue
			}
			if !strings.Contains(page.body, m.To) {
				t.Errorf("the outbox lacks the mail to %s (%s)", m.To, m.Status)
			}
		}
		if strings.Contains(page.body, "sent@example.ru") {
			t.Error("the outbox lists delivered mail")
		}
		r := admin.do("GET", "/admin/outbox?status=failed", nil)
		if r.code != http.StatusOK || !strings.Contains(r.body, "550 mailbox unavailable") || strings.Contains(r.body, "held@example.ru") {
			t.Errorf("failed mail filter: %d\n%s", r.code, r.body)
		}
	})
}

// TestAdminJournalPage: changes made on the administration pages are read on «Журнал
// администрирования», newest first, with their author and each field before and after; by kind of
// object, by object, and a page of older records at a time. A day changed a second time is changed,
// not refused.
func TestAdminJournalPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, engine string) {
		d := newDesk(t, engine)
		admin := d.browser()
		csrf := admin.signInEnrolling("admin@example.ru")
		for _, kind := range []string{"holiday", "short"} {
			r := admin.do("POST", "/admin/sla/calendars/office/overrides", url.Values{"csrf": {csrf}, "day": {"2026-12-30"}, "kind": {kind}, "note": {"Приказ № 7"}})
			if r.code != http.StatusSeeOther {
				t.Fatalf("the day made %s: %d\n%s", kind, r.code, r.body)
			}
		}
		if r := admin.do("POST", "/admin/staff/"+strconv.FormatInt(d.userID("op@example.ru"), 10)+"/role", url.Values{"csrf": {csrf}, "role": {"senior"}, "group": {"line2"}}); r.code != http.StatusSeeOther {
			t.Fatalf("role: %d\n%s", r.code, r.body)
		}
		page := admin.do("GET", "/admin/journal", nil)
		testkit.CheckHTML(t, "the administration journal", []byte(page.body))
		when := d.clock.Now().In(service.Moscow).Format("02.01.2006 15:04")
		for _, want := range []string{
			`<td>` + when + `</td><td>Анна Админова</td>`,
			`Изменено: день календаря <code>office/2026-12-30</code>`,
			`<dt>День</dt><dd><del>праздник</del> → <ins>сокращённый день</ins></dd>`,
			`Добавлено: день календаря <code>office/2026-12-30</code>`,
			`<dt>Основание</dt><dd>Приказ № 7</dd>`,
			`Изменено: сотрудник «Олег Операторов» <code>op@example.ru</code>`,
			`<dt>Роль</dt><dd><del>оператор</del> → <ins>специалист второй линии</ins></dd>`,
		} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the journal lacks %s", want)
			}
		}
		if strings.Index(page.body, "<code>op@example.ru</code>") > strings.Index(page.body, "Изменено: день календаря") {
			t.Error("the newest change is not first")
		}
		days := admin.do("GET", "/admin/journal?object=calendar_day&key=office/2026-12-30", nil)
		if strings.Count(days.body, "день календаря <code>office/2026-12-30</code>") != 2 || strings.Contains(days.body, "op@example.ru") {
			t.Errorf("one day's history:\n%s", days.body)
		}

		sla := admin.do("GET", "/admin/sla", nil)
		if !strings.Contains(sla.body, `<a href="/admin/journal?calendar=office">История изменений календаря и его дней</a>`) {
			t.Error("the office calendar's card does not link its history")
		}
		office := admin.do("GET", "/admin/journal?calendar=office", nil)
		if strings.Count(office.body, "день календаря <code>office/2026-12-30</code>") != 2 || strings.Contains(office.body, "op@example.ru") ||
			!strings.Contains(office.body, "Показаны изменения календаря «office» и его дней.") {
			t.Errorf("the office calendar's history:\n%s", office.body)
		}
		if p := admin.do("GET", "/admin/sla/policies/access", nil); !strings.Contains(p.body, `<a href="/admin/journal?object=sla_policy&amp;key=access">История изменений политики</a>`) {
			t.Error("a policy's page does not link its history")
		}
		staff := admin.do("GET", "/admin/staff", nil)
		if !strings.Contains(staff.body, `<a class="hint" href="/admin/journal?object=user&amp;key=op%40example.ru" aria-label="История изменений «op@example.ru»">история</a>`) {
			t.Error("the staff list does not link a member's history")
		}
		ts, err := d.svc.ResponseTemplates(context.Background())
		if err != nil || len(ts) == 0 {
			t.Fatalf("templates: %d, %v", len(ts), err)
		}
		id := strconv.FormatInt(ts[0].ID, 10)
		if p := admin.do("GET", "/admin/templates/"+id, nil); !strings.Contains(p.body, `<a href="/admin/journal?object=template&amp;key=`+id+`">История изменений шаблона</a>`) {
			t.Error("a template's page does not link its history")
		}
		member := admin.do("GET", "/admin/journal?object=user&key=op%40example.ru", nil)
		if strings.Count(member.body, "сотрудник «Олег Операторов» <code>op@example.ru</code>") != 2 || strings.Contains(member.body, "office/2026-12-30") {
			t.Errorf("a member's history: their addition and the role changed\n%s", member.body)
		}

		// Fifty records a page; the older ones a link away.
		by := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Анна Админова", Channel: otklik.ChannelAPI}
		for i := range 51 {
			title := []string{"Офис", "Рабочие дни"}[i%2]
			if _, err := d.svc.PutCalendar(context.Background(), by, otklik.Calendar{Name: "ekb", Title: title, Week: "mon-fri 07:00-16:00"}); err != nil {
				t.Fatal(err)
			}
		}
		first := admin.do("GET", "/admin/journal?object=calendar", nil)
		link := regexp.MustCompile(`<a href="(/admin/journal\?before=\d+&amp;object=calendar)">Более ранние записи</a>`).FindStringSubmatch(first.body)
		if n := strings.Count(first.body, `<a href="/admin/sla#cal-ekb">`); n != 50 || link == nil {
			t.Fatalf("the first page: %d records of the calendar, a link to older ones: %v\n%s", n, link != nil, first.body)
		}
		older := admin.do("GET", strings.ReplaceAll(link[1], "&amp;", "&"), nil)
		if n := strings.Count(older.body, `<a href="/admin/sla#cal-ekb">`); n != 1 || !strings.Contains(older.body, "Добавлено: календарь «Офис»") ||
			strings.Contains(older.body, "Более ранние записи") {
			t.Errorf("the older page: %d records, want the calendar's first\n%s", n, older.body)
		}
	})
}
