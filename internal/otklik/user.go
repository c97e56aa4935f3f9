package otklik

import (
	"slices"
	"time"
)

// Role is what a staff member may do.
type Role string

// Roles (PRODUCT.md F25).
const (
	RoleOperator   Role = "operator"   // first line
	RoleSenior     Role = "senior"     // second line
	RoleSupervisor Role = "supervisor" // quality control
	RoleAdmin      Role = "admin"
	RoleAuditor    Role = "auditor" // reads, never changes
)

// Roles lists every staff role.
var Roles = []Role{RoleOperator, RoleSenior, RoleSupervisor, RoleAdmin, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// CanWriteTickets reports whether the role may change tickets.
func (r Role) CanWriteTickets() bool { return r != RoleAuditor }

// CanAdminister reports whether the role may manage staff, groups and categories.
func (r Role) CanAdminister() bool { return r == RoleAdmin }

// User is a staff member.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	GroupID      int64 // the main group; 0 for none
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

// Ref returns the user as named on a ticket.
func (u *User) Ref() *UserRef { return &UserRef{ID: u.ID, Name: u.Name} }

// Actor returns the user as the actor of a change through ch.
func (u *User) Actor(ch Channel) Actor {
	return Actor{Type: ActorStaff, ID: u.ID, Name: u.Name, Channel: ch}
}

// Token is a staff API token. Only its SHA-256 is stored; the secret is shown once at creation.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Group is a team tickets are routed to (a support line, an expert group).
type Group struct {
	ID   int64
	Code string
	Name string
}

// Category is a node of the configurable category tree.
type Category struct {
	ID       int64
	Code     string
	Name     string
	ParentID int64 // 0 for the top level
	GroupID  int64 // the group tickets of this category go to; 0 to inherit from the parent
	Position int
}

// Descendants returns the IDs of the category id and of every category below it in cats.
func Descendants(cats []Category, id int64) []int64 {
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		for _, c := range cats {
			if c.ParentID == out[i] {
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// RouteGroup returns the group a ticket of the category id goes to, walking up the tree; 0 if none.
func RouteGroup(cats []Category, id int64) int64 {
	byID := make(map[int64]Category, len(cats))
	for _, c := range cats {
		byID[c.ID] = c
	}
	for depth := 0; id != 0 && depth < 32; depth++ {
		c, ok := byID[id]
		if !ok {
			return 0
		}
		if c.GroupID != 0 {
			return c.GroupID
		}
		id = c.ParentID
	}
	return 0
}

// SavedFilter is a staff member's named view of a queue: the queue and the filters of its page.
type SavedFilter struct {
	ID     int64
	UserID int64
	Name   string
	Queue  string // a queue's name, such as "all" or "overdue"
	Query  string // the page's filters as a URL query string (q, status, channel, category, order)
}
