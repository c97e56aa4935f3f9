package api

import (
	"net/http"

	"github.com/otklik/otklik/internal/httpx"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

func (a *API) me(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	httpx.JSON(w, http.StatusOK, a.userJSON(r, *me))
}

func (a *API) userJSON(r *http.Request, u otklik.User) UserJSON {
	j := UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled}
	if u.GroupID != 0 {
		if groups, err := a.svc.Groups(r.Context()); err == nil {
			for _, g := range groups {
				if g.ID == u.GroupID {
					j.Group = g.Code
				}
			}
		}
	}
	return j
}

func (a *API) listCategories(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	cats, err := a.svc.Categories(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	groups, err := a.svc.Groups(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusOK, categoriesJSON(cats, groups))
}

func (a *API) addCategory(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in CategoryJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	if _, err := a.svc.AddCategory(r.Context(), service.NewCategory{Code: in.Code, Name: in.Name, Parent: in.Parent, Group: in.Group, Position: in.Position, By: actor(me)}); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, in)
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	groups, err := a.svc.Groups(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]GroupJSON, len(groups))
	for i, g := range groups {
		out[i] = GroupJSON{Code: g.Code, Name: g.Name}
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (a *API) addGroup(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in GroupJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	g, err := a.svc.AddGroup(r.Context(), actor(me), in.Code, in.Name)
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, GroupJSON{Code: g.Code, Name: g.Name})
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	users, err := a.svc.Users(r.Context())
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	out := make([]UserJSON, len(users))
	for i, u := range users {
		out[i] = a.userJSON(r, u)
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (a *API) addUser(w http.ResponseWriter, r *http.Request, me *otklik.User) {
	var in UserJSON
	if err := a.decode(w, r, &in); err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	u, err := a.svc.AddUser(r.Context(), service.NewUser{Email: in.Email, Name: in.Name, Role: otklik.Role(in.Role), Group: in.Group, Password: in.Password, By: actor(me)})
	if err != nil {
		httpx.Error(w, r, a.log, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, a.userJSON(r, *u))
}
