package otklik

import "context"

// ResponseTemplate is a ready answer staff insert into a reply (PRODUCT.md F16). Its body's
// placeholders — {name}, {number}, {due}, {agent} — are filled from the ticket being answered.
type ResponseTemplate struct {
	ID       int64
	Code     string
	Title    string
	Body     string
	Position int
}

// TemplateTx changes response templates inside a write transaction.
type TemplateTx interface {
	// ResponseTemplatesTx returns the response templates in their order, as the transaction sees them.
	ResponseTemplatesTx(ctx context.Context) ([]ResponseTemplate, error)
	// InsertResponseTemplate stores a new template and sets its ID.
	InsertResponseTemplate(ctx context.Context, t *ResponseTemplate) error
	// UpdateResponseTemplate stores a template's code, title, body and position, or returns ENOTFOUND.
	UpdateResponseTemplate(ctx context.Context, t *ResponseTemplate) error
	// DeleteResponseTemplate removes a template, or returns ENOTFOUND.
	DeleteResponseTemplate(ctx context.Context, id int64) error
}
