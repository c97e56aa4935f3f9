package service

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
)

// Response template limits: a code is a short identifier, a title one line, a body a letter.
const (
	MaxTemplateCodeLen  = 40
	MaxTemplateTitleLen = 200
	MaxTemplateBodyLen  = 20_000
)

// templateCode is what a response template's code looks like.
var templateCode = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// ResponseTemplates returns the response templates in their order.
func (s *Service) ResponseTemplates(ctx context.Context) ([]otklik.ResponseTemplate, error) {
	return s.store.ResponseTemplates(ctx)
}

// ResponseTemplate returns one response template by ID, or ENOTFOUND "template.not_found".
func (s *Service) ResponseTemplate(ctx context.Context, id int64) (*otklik.ResponseTemplate, error) {
	ts, err := s.store.ResponseTemplates(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == id {
			return &t, nil
		}
	}
	return nil, otklik.NotFound("template.not_found")
}

// TemplateInput is a response template as an administrator writes it. Position 0 puts a new template
// last and leaves an existing one where it is.
type TemplateInput struct {
	Code     string
	Title    string
	Body     string
	Position int
	By       otklik.Actor // who writes it, for the administration journal; the zero actor is Otklik itself
}

// validTemplate checks a template's fields and returns it cleaned.
func validTemplate(in TemplateInput) (otklik.ResponseTemplate, error) {
	var v otklik.Validation
	code := strings.TrimSpace(in.Code)
	if !templateCode.MatchString(code) {
		v.Add("code", "template.code", map[string]string{"max": "40"})
	}
	t := otklik.ResponseTemplate{Code: code, Position: in.Position}
	t.Title = cleanLine(&v, "title", in.Title, MaxTemplateTitleLen, true)
	t.Body = cleanText(&v, "body", in.Body, MaxTemplateBodyLen, true)
	if in.Position < 0 {
		v.Add("position", "template.position", nil)
	}
	return t, v.Err()
}

// CreateResponseTemplate adds a response template. Its code must be new (EINVALID "template.exists").
func (s *Service) CreateResponseTemplate(ctx context.Context, in TemplateInput) (*otklik.ResponseTemplate, error) {
	t, err := validTemplate(in)
	if err != nil {
		return nil, err
	}
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		ts, err := tx.ResponseTemplatesTx(ctx)
		if err != nil {
			return err
		}
		last := 0
		for _, o := range ts {
			if o.Code == t.Code {
				return otklik.Invalid(otklik.FieldError{Field: "code", Key: "template.exists", Args: map[string]string{"value": t.Code}})
			}
			last = max(last, o.Position)
		}
		if t.Position == 0 {
			t.Position = last + 1
		}
		if err := tx.InsertResponseTemplate(ctx, &t); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actorOr(in.By), otklik.AdminTemplate, templateKey(t.ID), otklik.AdminCreated, nil, templateFields(&t), "")
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateResponseTemplate changes a response template; its code may change to one no other template
// has.
func (s *Service) UpdateResponseTemplate(ctx context.Context, id int64, in TemplateInput) (*otklik.ResponseTemplate, error) {
	t, err := validTemplate(in)
	if err != nil {
		return nil, err
	}
	t.ID = id
	err = s.store.Write(ctx, func(tx otklik.Tx) error {
		ts, err := tx.ResponseTemplatesTx(ctx)
		if err != nil {
			return err
		}
		var was *otklik.ResponseTemplate
		for _, o := range ts {
			if o.ID == id {
				was = &o
				if t.Position == 0 {
					t.Position = o.Position
				}
			} else if o.Code == t.Code {
				return otklik.Invalid(otklik.FieldError{Field: "code", Key: "template.exists", Args: map[string]string{"value": t.Code}})
			}
		}
		if was == nil {
			return otklik.NotFound("template.not_found")
		}
		if err := tx.UpdateResponseTemplate(ctx, &t); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actorOr(in.By), otklik.AdminTemplate, templateKey(id), otklik.AdminChanged, templateFields(was), templateFields(&t), "")
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// DeleteResponseTemplate removes a response template, as administrator actor; replies already sent
// keep their text.
func (s *Service) DeleteResponseTemplate(ctx context.Context, actor otklik.Actor, id int64) error {
	return s.store.Write(ctx, func(tx otklik.Tx) error {
		ts, err := tx.ResponseTemplatesTx(ctx)
		if err != nil {
			return err
		}
		if err := tx.DeleteResponseTemplate(ctx, id); err != nil {
			return err
		}
		var was *otklik.ResponseTemplate
		if i := slices.IndexFunc(ts, func(o otklik.ResponseTemplate) bool { return o.ID == id }); i >= 0 {
			was = &ts[i]
		}
		return journalAdmin(ctx, tx, actor, otklik.AdminTemplate, templateKey(id), otklik.AdminDeleted, templateFields(was), nil, "")
	})
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
