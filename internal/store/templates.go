package store

import (
	"context"
	"database/sql"

	"github.com/otklik/otklik/internal/otklik"
)

func scanTemplates(rows *sql.Rows, err error) ([]otklik.ResponseTemplate, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.ResponseTemplate
	for rows.Next() {
		var t otklik.ResponseTemplate
		if err := rows.Scan(&t.ID, &t.Code, &t.Title, &t.Body, &t.Position); err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// ResponseTemplates returns the response templates in their order.
func (s *Store) ResponseTemplates(ctx context.Context) ([]otklik.ResponseTemplate, error) {
	return scanTemplates(s.read.QueryContext(ctx, s.q.Templates))
}

// ResponseTemplatesTx returns the response templates inside the transaction.
func (t *txn) ResponseTemplatesTx(ctx context.Context) ([]otklik.ResponseTemplate, error) {
	return scanTemplates(t.ex.query(ctx, t.s.q.Templates))
}

// InsertResponseTemplate stores a new response template.
func (t *txn) InsertResponseTemplate(ctx context.Context, rt *otklik.ResponseTemplate) error {
	var err error
	rt.ID, err = t.insertID(ctx, t.s.q.InsertTemplate, rt.Code, rt.Title, rt.Body, rt.Position)
	return translate(err)
}

// UpdateResponseTemplate stores a response template's fields.
func (t *txn) UpdateResponseTemplate(ctx context.Context, rt *otklik.ResponseTemplate) error {
	res, err := t.ex.exec(ctx, t.s.q.UpdateTemplate, rt.Code, rt.Title, rt.Body, rt.Position, rt.ID)
	return oneRow(res, err, "template.not_found")
}

// DeleteResponseTemplate removes a response template.
func (t *txn) DeleteResponseTemplate(ctx context.Context, id int64) error {
	res, err := t.ex.exec(ctx, t.s.q.DeleteTemplate, id)
	return oneRow(res, err, "template.not_found")
}

// oneRow turns the result of a statement that must change exactly one row into an error: ENOTFOUND
// with the key when it changed none.
func oneRow(res sql.Result, err error, notFound string) error {
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return otklik.NotFound(notFound)
	}
	return nil
}
