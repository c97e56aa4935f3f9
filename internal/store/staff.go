package store

import (
	"context"
	"database/sql"

	"github.com/otklik/otklik/internal/otklik"
)

func scanUser(sc scanner) (*otklik.User, error) {
	u := &otklik.User{}
	var group sql.NullInt64
	var created dbTime
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &group, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return nil, err
	}
	u.GroupID, u.CreatedAt = group.Int64, created.T
	return u, nil
}

// Users returns every staff member.
func (s *Store) Users(ctx context.Context) ([]otklik.User, error) {
	rows, err := s.read.QueryContext(ctx, s.q.UserSelect+" ORDER BY id")
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, *u)
	}
	return out, translate(rows.Err())
}

// UserByEmail returns a staff member by e-mail.
func (s *Store) UserByEmail(ctx context.Context, email string) (*otklik.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, s.rebind(s.q.UserSelect+" WHERE email = ?"), email))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("user.not_found")
	}
	return u, translate(err)
}

// UserByTokenHash returns the enabled owner of an API token.
func (s *Store) UserByTokenHash(ctx context.Context, hash []byte) (*otklik.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, s.rebind(s.q.UserByToken), hash))
	if err == sql.ErrNoRows {
		return nil, otklik.Errorf(otklik.EUNAUTHORIZED, "auth.bad_token", nil)
	}
	return u, translate(err)
}

// UserByEmailTx returns a staff member by e-mail inside the transaction.
func (t *txn) UserByEmailTx(ctx context.Context, email string) (*otklik.User, error) {
	u, err := scanUser(t.ex.queryRow(ctx, t.s.rebind(t.s.q.UserSelect+" WHERE email = ?"), email))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("user.not_found")
	}
	return u, translate(err)
}

// UserByIDTx returns a staff member by ID inside the transaction.
func (t *txn) UserByIDTx(ctx context.Context, id int64) (*otklik.User, error) {
	u, err := scanUser(t.ex.queryRow(ctx, t.s.rebind(t.s.q.UserSelect+" WHERE id = ?"), id))
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("user.not_found")
	}
	return u, translate(err)
}

// InsertUser stores a new staff member.
func (t *txn) InsertUser(ctx context.Context, u *otklik.User) error {
	var err error
	u.ID, err = t.insertID(ctx, t.s.q.InsertUser, u.Email, u.Name, string(u.Role), nullID(u.GroupID), u.PasswordHash,
		boolInt(u.Disabled), t.s.tv(u.CreatedAt))
	return translate(err)
}

// UpdateUser stores a staff member's details.
func (t *txn) UpdateUser(ctx context.Context, u *otklik.User) error {
	_, err := t.ex.exec(ctx, t.s.q.UpdateUser, u.Email, u.Name, string(u.Role), nullID(u.GroupID), u.PasswordHash,
		boolInt(u.Disabled), u.ID)
	return translate(err)
}

// InsertToken stores an API token's hash.
func (t *txn) InsertToken(ctx context.Context, k *otklik.Token) error {
	var err error
	k.ID, err = t.insertID(ctx, t.s.q.InsertToken, k.UserID, k.Name, k.Hash, t.s.tv(k.CreatedAt))
	return translate(err)
}

// InsertGroup stores a new group.
func (t *txn) InsertGroup(ctx context.Context, g *otklik.Group) error {
	var err error
	g.ID, err = t.insertID(ctx, t.s.q.InsertGroup, g.Code, g.Name)
	return translate(err)
}

// GroupByCodeTx returns a group by code inside the transaction.
func (t *txn) GroupByCodeTx(ctx context.Context, code string) (*otklik.Group, error) {
	g := &otklik.Group{}
	err := t.ex.queryRow(ctx, t.s.q.GroupByCode, code).Scan(&g.ID, &g.Code, &g.Name)
	if err == sql.ErrNoRows {
		return nil, otklik.NotFound("group.not_found")
	}
	return g, translate(err)
}

// Groups returns every group.
func (s *Store) Groups(ctx context.Context) ([]otklik.Group, error) {
	rows, err := s.read.QueryContext(ctx, s.q.Groups)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []otklik.Group
	for rows.Next() {
		var g otklik.Group
		if err := rows.Scan(&g.ID, &g.Code, &g.Name); err != nil {
			return nil, translate(err)
		}
		out = append(out, g)
	}
	return out, translate(rows.Err())
}

// InsertCategory stores a new category.
func (t *txn) InsertCategory(ctx context.Context, c *otklik.Category) error {
	var err error
	c.ID, err = t.insertID(ctx, t.s.q.InsertCategory, c.Code, c.Name, nullID(c.ParentID), nullID(c.GroupID), c.Position)
	return translate(err)
}

func scanCategories(rows *sql.Rows) ([]otklik.Category, error) {
	defer rows.Close()
	var out []otklik.Category
	for rows.Next() {
		var c otklik.Category
		var parent, group sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &parent, &group, &c.Position); err != nil {
			return nil, translate(err)
		}
		c.ParentID, c.GroupID = parent.Int64, group.Int64
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// Categories returns the category tree as a flat list.
func (s *Store) Categories(ctx context.Context) ([]otklik.Category, error) {
	rows, err := s.read.QueryContext(ctx, s.q.Categories)
	if err != nil {
		return nil, translate(err)
	}
	return scanCategories(rows)
}

// CategoriesTx returns the category tree inside the transaction.
func (t *txn) CategoriesTx(ctx context.Context) ([]otklik.Category, error) {
	rows, err := t.ex.query(ctx, t.s.q.Categories)
	if err != nil {
		return nil, translate(err)
	}
	return scanCategories(rows)
}
