package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// Groups and the category tree: lists and additions.

type groupForm struct{ Code, Name string }

type groupRow struct {
	G       otklik.Group
	Members int
}

type groupsData struct {
	Groups []groupRow
	Form   groupForm
}

func (wb *Web) adminGroups(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.groupsPage(w, r, nil, groupForm{})
}

func (wb *Web) groupsPage(w http.ResponseWriter, r *http.Request, err error, f groupForm) {
	ctx := r.Context()
	gs, gerr := wb.svc.Groups(ctx)
	if gerr != nil {
		wb.failErr(w, r, gerr)
		return
	}
	users, gerr := wb.svc.Users(ctx)
	if gerr != nil {
		wb.failErr(w, r, gerr)
		return
	}
	d := groupsData{Form: f}
	for _, g := range gs {
		row := groupRow{G: g}
		for _, u := range users {
			if u.GroupID == g.ID && !u.Disabled {
				row.Members++
			}
		}
		d.Groups = append(d.Groups, row)
	}
	p := adminPage(r, "ui.admin.groups.title", "groups", d)
	p.Back = "/admin/groups"
	if err != nil {
		wb.refused(w, r, err, "admin_groups", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_groups", p)
}

func (wb *Web) adminAddGroup(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := groupForm{Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name")}
	if _, err := wb.svc.AddGroup(r.Context(), s.user.Actor(otklik.ChannelAgent), f.Code, f.Name); err != nil {
		wb.groupsPage(w, r, err, f)
		return
	}
	done(w, r, "/admin/groups", "group_added")
}

type categoryForm struct {
	Code, Name, Parent, Group, Position string
}

type categoryRow struct {
	C      otklik.Category
	Depth  int
	Parent string // the parent's name
	Group  string // the group's name, its own or inherited
	Own    bool   // the group is set on this category, not inherited
}

type categoriesData struct {
	Rows   []categoryRow
	Cats   []otklik.Category
	Groups []otklik.Group
	Form   categoryForm
}

func (wb *Web) adminCategories(w http.ResponseWriter, r *http.Request, s *staffSession) {
	wb.categoriesPage(w, r, nil, categoryForm{})
}

func (wb *Web) categoriesPage(w http.ResponseWriter, r *http.Request, err error, f categoryForm) {
	ctx := r.Context()
	cats, cerr := wb.svc.Categories(ctx)
	if cerr != nil {
		wb.failErr(w, r, cerr)
		return
	}
	gs, cerr := wb.svc.Groups(ctx)
	if cerr != nil {
		wb.failErr(w, r, cerr)
		return
	}
	d := categoriesData{Cats: cats, Groups: gs, Form: f, Rows: categoryTree(cats, gs)}
	p := adminPage(r, "ui.admin.categories.title", "categories", d)
	p.Back = "/admin/categories"
	if err != nil {
		wb.refused(w, r, err, "admin_categories", p)
		return
	}
	wb.render(w, r, http.StatusOK, "admin_categories", p)
}

// categoryTree orders the categories as a tree (each under its parent) with their depth and the
// group their tickets go to.
func categoryTree(cats []otklik.Category, gs []otklik.Group) []categoryRow {
	groupName := map[int64]string{}
	for _, g := range gs {
		groupName[g.ID] = g.Name
	}
	name := map[int64]string{}
	for _, c := range cats {
		name[c.ID] = c.Name
	}
	var out []categoryRow
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, c := range cats {
			if c.ParentID != parent || depth > 16 {
				continue
			}
			out = append(out, categoryRow{C: c, Depth: depth, Parent: name[c.ParentID],
				Group: groupName[otklik.RouteGroup(cats, c.ID)], Own: c.GroupID != 0})
			walk(c.ID, depth+1)
		}
	}
	walk(0, 0)
	return out
}

func (wb *Web) adminAddCategory(w http.ResponseWriter, r *http.Request, s *staffSession) {
	f := categoryForm{Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name"),
		Parent: r.PostFormValue("parent"), Group: r.PostFormValue("group"), Position: strings.TrimSpace(r.PostFormValue("position"))}
	pos := 0
	if f.Position != "" {
		n, err := strconv.Atoi(f.Position)
		if err != nil || n < 0 {
			wb.categoriesPage(w, r, otklik.Invalid(otklik.FieldError{Field: "position", Key: "ui.admin.position_invalid"}), f)
			return
		}
		pos = n
	}
	_, err := wb.svc.AddCategory(r.Context(), service.NewCategory{Code: f.Code, Name: f.Name, Parent: f.Parent, Group: f.Group, Position: pos,
		By: s.user.Actor(otklik.ChannelAgent)})
	if err != nil {
		wb.categoriesPage(w, r, err, f)
		return
	}
	done(w, r, "/admin/categories", "category_added")
}
