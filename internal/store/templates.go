package store

import (
	"context"

	"github.com/otklik/otklik/internal/otklik"
)

// ResponseTemplates returns the response templates in their order.
func (s *Store) ResponseTemplates(ctx context.Context) ([]otklik.ResponseTemplate, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, code, title, body, position FROM response_templates ORDER BY position, id")
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
