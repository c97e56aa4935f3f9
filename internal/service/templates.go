package service

import (
	"context"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
)

// ResponseTemplates returns the response templates in their order.
func (s *Service) ResponseTemplates(ctx context.Context) ([]otklik.ResponseTemplate, error) {
	return s.store.ResponseTemplates(ctx)
}

// FillTemplate fills a template's placeholders for ticket t answered by agent: {name} the citizen's
// name (or a polite stand-in), {number}, {due} the resolution deadline in Moscow time, {agent}.
func FillTemplate(body string, t *otklik.Ticket, agent string) string {
	name := ""
	if t.Requester != nil {
		name = strings.TrimSpace(t.Requester.Name)
	}
	if name == "" {
		name = "уважаемый заявитель"
	}
	due := "установленного срока"
	if t.DueAt != nil {
		due = t.DueAt.In(Moscow).Format("02.01.2006 15:04") + " (МСК)"
	}
	return strings.NewReplacer("{name}", name, "{number}", t.Number, "{due}", due, "{agent}", agent).Replace(body)
}
