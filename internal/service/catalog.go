package service

import (
	"context"
	"regexp"

	"github.com/otklik/otklik/internal/otklik"
)

// Categories returns the category tree as a flat list ordered by position.
func (s *Service) Categories(ctx context.Context) ([]otklik.Category, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.cats, nil
}

// Groups returns every group.
func (s *Service) Groups(ctx context.Context) ([]otklik.Group, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.groups, nil
}

// codePattern is what category and group codes look like: lower-case Latin, digits, "_" and "." for
// levels of the tree ("access.password").
var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

// NewCategory is a category to add to the tree.
type NewCategory struct {
	Code     string
	Name     string
	Parent   string // the parent's code; "" for the top level
	Group    string // the group its tickets go to; "" to inherit the parent's
	Position int
	By       otklik.Actor // who adds it, for the administration journal; the zero actor is Otklik itself
}

// AddCategory adds a category to the tree.
func (s *Service) AddCategory(ctx context.Context, in NewCategory) (*otklik.Category, error) {
	var v otklik.Validation
	if len(in.Code) > 64 || !codePattern.MatchString(in.Code) {
		v.Add("code", "category.code", nil)
	}
	name := cleanLine(&v, "name", in.Name, otklik.MaxNameLen, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &otklik.Category{Code: in.Code, Name: name, Position: in.Position}
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		cats, err := tx.CategoriesTx(ctx)
		if err != nil {
			return err
		}
		if _, ok := categoryByCode(cats, in.Code); ok {
			return otklik.Invalid(otklik.FieldError{Field: "code", Key: "category.exists", Args: map[string]string{"value": in.Code}})
		}
		if in.Parent != "" {
			p, ok := categoryByCode(cats, in.Parent)
			if !ok {
				return otklik.Invalid(otklik.FieldError{Field: "parent", Key: "category.unknown", Args: map[string]string{"value": in.Parent}})
			}
			c.ParentID = p.ID
		}
		if in.Group != "" {
			g, err := tx.GroupByCodeTx(ctx, in.Group)
			if err != nil {
				return otklik.Invalid(otklik.FieldError{Field: "group", Key: "group.unknown", Args: map[string]string{"value": in.Group}})
			}
			c.GroupID = g.ID
		}
		if err := tx.InsertCategory(ctx, c); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actorOr(in.By), otklik.AdminCategory, c.Code, otklik.AdminCreated, nil,
			adminCategory{Name: c.Name, Parent: in.Parent, Group: in.Group}, "")
	})
	if err != nil {
		return nil, err
	}
	s.forgetCatalog()
	return c, nil
}

// AddGroup adds a group, as administrator actor.
func (s *Service) AddGroup(ctx context.Context, actor otklik.Actor, code, name string) (*otklik.Group, error) {
	var v otklik.Validation
	if len(code) > 64 || !codePattern.MatchString(code) {
		v.Add("code", "group.code", nil)
	}
	name = cleanLine(&v, "name", name, otklik.MaxNameLen, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	g := &otklik.Group{Code: code, Name: name}
	err := s.store.Write(ctx, func(tx otklik.Tx) error {
		if _, err := tx.GroupByCodeTx(ctx, code); err == nil {
			return otklik.Invalid(otklik.FieldError{Field: "code", Key: "group.exists", Args: map[string]string{"value": code}})
		}
		if err := tx.InsertGroup(ctx, g); err != nil {
			return err
		}
		return journalAdmin(ctx, tx, actor, otklik.AdminGroup, g.Code, otklik.AdminCreated, nil, adminGroup{Name: g.Name}, "")
	})
	if err != nil {
		return nil, err
	}
	s.forgetCatalog()
	return g, nil
}
