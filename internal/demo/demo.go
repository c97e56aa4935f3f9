// Package demo fills an empty Otklik with demo data — staff, and a few hundred realistic Russian
// tickets in every status with their conversations and journals — and fills benchmark databases with
// many tickets fast. Demo tickets go through the same use cases as real ones, on a clock that runs
// through the past weeks, so their journals are genuine and verify.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/otklik/otklik/internal/demo/content"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
)

// Password is every demo staff member's password.
const Password = "otklik-demo-2026"

// Domain is the demo staff's e-mail domain.
const Domain = "support.example.ru"

// AdminEmail is the demo administrator.
var AdminEmail = adminEmail()

func adminEmail() string {
	for _, m := range content.Staff(Domain) {
		if m.Role == string(otklik.RoleAdmin) {
			return m.Email
		}
	}
	return "admin@" + Domain
}

// Options configure LoadIfEmpty.
type Options struct {
	DatabaseURL string
	Synchronous string
	Logger      *slog.Logger
	Tickets     int    // default 300
	Seed        uint64 // default 2026
	// Now is the real clock (the demo's history ends shortly before it); time.Now when nil.
	Now func() time.Time
}

// clock is the demo's own clock, moved forward as the story unfolds.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	limit time.Time // the story never runs past this
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	if c.t.After(c.limit) {
		c.t = c.limit
	}
	c.mu.Unlock()
}

// LoadIfEmpty loads the demo data into the database if it has no tickets yet, and returns how many
// tickets it created (0 when the database was not empty).
func LoadIfEmpty(ctx context.Context, o Options) (int, error) {
	if o.Tickets <= 0 {
		o.Tickets = 300
	}
	if o.Seed == 0 {
		o.Seed = 2026
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	end := o.Now().Add(-time.Hour)
	start := end.AddDate(0, 0, -45)
	clk := &clock{t: start, limit: o.Now().Add(-time.Minute)}
	st, err := store.Open(ctx, store.Options{URL: o.DatabaseURL, Synchronous: "normal", Logger: o.Logger, Now: clk.Now})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if n, err := st.CountTickets(ctx); err != nil || n > 0 {
		return 0, err
	}
	svc := service.New(service.Options{Store: st, Now: clk.Now, Logger: o.Logger, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}})
	o.Logger.Info("loading demo data", "tickets", o.Tickets)

	staff, err := addStaff(ctx, svc)
	if err != nil {
		return 0, err
	}
	var operators []*otklik.User
	for _, u := range staff {
		if u.Role == otklik.RoleOperator || u.Role == otklik.RoleSenior {
			operators = append(operators, u)
		}
	}
	g := content.NewGenerator(o.Seed)
	rnd := rand.New(rand.NewPCG(o.Seed, 7))
	step := end.Sub(start) / time.Duration(o.Tickets)
	for i := 0; i < o.Tickets; i++ {
		clk.set(start.Add(time.Duration(i)*step + time.Duration(rnd.Int64N(int64(step)))))
		if err := story(ctx, svc, clk, rnd, g.Request(), operators); err != nil {
			return i, fmt.Errorf("demo ticket %d: %w", i+1, err)
		}
	}
	return o.Tickets, nil
}

func addStaff(ctx context.Context, svc *service.Service) ([]*otklik.User, error) {
	groupOf := map[string]string{"operator": "line1", "senior": "line2", "supervisor": "line1", "admin": "", "auditor": ""}
	var out []*otklik.User
	for _, m := range content.Staff(Domain) {
		u, err := svc.AddUser(ctx, service.NewUser{Email: m.Email, Name: m.Name, Role: otklik.Role(m.Role), Group: groupOf[m.Role], Password: Password})
		if err != nil {
			return nil, fmt.Errorf("staff %s: %w", m.Email, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// story registers one request and plays its conversation and status changes on the demo clock.
func story(ctx context.Context, svc *service.Service, clk *clock, rnd *rand.Rand, req content.Request, operators []*otklik.User) error {
	intake := otklik.SystemActor
	op := operators[rnd.IntN(len(operators))]
	if req.Channel == "phone" || req.Channel == "visit" {
		intake = op.Actor(otklik.Channel(req.Channel)) // an operator logs a call or a visit
	}
	t, _, err := svc.CreateTicket(ctx, intake, service.NewTicket{
		Channel: otklik.Channel(req.Channel), Subject: req.Subject, Body: req.Body, Category: req.Category,
		Priority: otklik.Priority(req.Priority),
		Requester: service.RequesterInput{Name: req.Requester.Name, Email: req.Requester.Email,
			Phone: req.Requester.Phone, SNILS: req.Requester.SNILS, INN: req.Requester.INN},
	})
	if err != nil {
		return err
	}
	number := t.Number
	staff := op.Actor(otklik.ChannelWeb)
	citizen := otklik.Actor{Type: otklik.ActorRequester, ID: t.Requester.ID, Name: t.Requester.Name, Channel: t.Channel}
	wait := func(minMinutes, maxMinutes int) {
		clk.add(time.Duration(minMinutes+rnd.IntN(maxMinutes-minMinutes+1)) * time.Minute)
	}
	status := func(to otklik.Status, reason string) error {
		_, err := svc.ChangeStatus(ctx, staff, number, service.StatusChange{Status: to, Reason: reason})
		return err
	}
	if req.Status == "new" {
		return nil
	}
	wait(5, 90)
	id := op.ID
	if _, err := svc.UpdateTicket(ctx, staff, number, service.TicketPatch{AssigneeID: &id}); err != nil {
		return err
	}
	cur := otklik.StatusNew
	for _, turn := range req.Turns {
		wait(10, 600)
		if turn.Staff {
			if _, _, err := svc.AddMessage(ctx, staff, number, service.Reply{Body: turn.Body, Internal: turn.Internal}); err != nil {
				return err
			}
			if !turn.Internal && cur == otklik.StatusNew {
				cur = otklik.StatusInProgress
			}
			continue
		}
		if cur == otklik.StatusWaiting {
			if err := status(otklik.StatusInProgress, "Заявитель прислал уточнения"); err != nil {
				return err
			}
			cur = otklik.StatusInProgress
		}
		if _, _, err := svc.AddMessage(ctx, citizen, number, service.Reply{Body: turn.Body}); err != nil {
			return err
		}
	}
	if cur == otklik.StatusNew {
		if err := status(otklik.StatusInProgress, ""); err != nil {
			return err
		}
	}
	wait(5, 120)
	switch req.Status {
	case "waiting":
		return status(otklik.StatusWaiting, "Запрошены уточнения у заявителя")
	case "forwarded":
		return status(otklik.StatusForwarded, "Вопрос в компетенции ведомства, обращение передано для рассмотрения")
	case "resolved":
		return status(otklik.StatusResolved, "Ответ направлен заявителю")
	case "closed":
		if err := status(otklik.StatusResolved, "Ответ направлен заявителю"); err != nil {
			return err
		}
		wait(60*24, 60*24*3)
		return status(otklik.StatusClosed, "Закрыто после решения")
	}
	return nil
}
