package web

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/otklik/otklik/internal/i18n"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Every catalogue key a template names — literally, or built from a vocabulary such as
// "ui.status." + a status — exists in both languages.
func TestTemplatesKeysAreInTheCatalogue(t *testing.T) {
	keys := map[string]string{}
	lit := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err := fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFiles, path)
		for _, m := range lit.FindAllSubmatch(b, -1) {
			keys[string(m[1])] = path
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys: the pattern no longer matches the templates", len(keys))
	}
	for _, s := range otklik.Statuses {
		keys["ui.status."+string(s)] = "statuses"
	}
	for _, c := range append(otklik.Channels, otklik.ChannelAPI, otklik.ChannelSystem, otklik.ChannelAgent) {
		keys["ui.channel."+string(c)] = "channels"
	}
	for _, p := range otklik.Priorities {
		keys["ui.priority."+string(p)] = "priorities"
	}
	for _, r := range []otklik.Role{otklik.RoleOperator, otklik.RoleSenior, otklik.RoleSupervisor, otklik.RoleAdmin, otklik.RoleAuditor} {
		keys["ui.role."+string(r)] = "roles"
	}
	for _, k := range []otklik.Kind{otklik.KindCreated, otklik.KindStatus, otklik.KindAssignee, otklik.KindGroup, otklik.KindCategory,
		otklik.KindPriority, otklik.KindMessage, otklik.KindField, otklik.KindLink, otklik.KindDelivery, otklik.KindFile, otklik.KindSLA} {
		keys["ui.kind."+string(k)] = "journal kinds"
	}
	for _, s := range []string{"pending", "clean", "infected", "error"} {
		keys["ui.scan."+s] = "scan verdicts"
	}
	for _, o := range service.CallOutcomes {
		keys["ui.call.outcome."+string(o)] = "call outcomes"
	}
	for _, l := range []string{"repeat_of", "repeated_by", "related"} {
		keys["ui.link."+l] = "link kinds"
	}
	for _, q := range queues {
		keys[q.Title] = "queues"
	}
	for _, n := range adminNotices {
		keys["ui.admin.done."+n] = "admin notices"
	}
	for _, k := range overrideKinds {
		keys["ui.admin.sla.kind_"+k] = "calendar day kinds"
	}
	for _, s := range outboxStatuses {
		keys["ui.admin.mail."+s] = "outbox statuses"
	}
	for _, s := range otklik.JobStatuses {
		keys["ui.admin.job."+string(s)] = "job statuses"
	}
	for k, where := range keys {
		for _, l := range []string{i18n.RU, i18n.EN} {
			if !i18n.Has(l, k) {
				t.Errorf("%s: %q is not in the %s catalogue", where, k, l)
			}
		}
	}
}

func TestMaskText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"СНИЛС 112-233-445 95, спасибо", "СНИЛС •••-•••-••• 95, спасибо"},
		{"СНИЛС 11223344595", "СНИЛС •••••••••95"},
		{"паспорт 45 06 123456", "паспорт •• •• ••••56"},
		{"тел. +7 912 345-67-89", "тел. +• ••• •••-••-89"},
		{"звоните 8 (912) 345-67-89", "звоните • (•••) •••-••-89"},
		{"ИНН 500100732259", "ИНН ••••••••••59"},
		{"обращение № 26-100001-2 от 05.12.2026", "обращение № 26-100001-2 от 05.12.2026"},
		{"код 123456", "код 123456"},
	}
	for _, tt := range tests {
		if got := maskText(tt.in); got != tt.want {
			t.Errorf("maskText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := maskEmail("ivan.petrov@example.ru"); got != "i•••@example.ru" {
		t.Errorf("maskEmail = %q", got)
	}
}
