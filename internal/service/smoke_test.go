package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

func TestSmoke(t *testing.T) {
	testkit.ForEachEngine(t, testSmoke)
}

func testSmoke(t *testing.T, engine string) {
	clock := testkit.NewClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	st := testkit.MustOpenStoreEngine(t, engine, clock.Now)
	svc := service.New(service.Options{Store: st, Now: clock.Now, Lifecycle: otklik.Lifecycle{ReopenClosedDays: 30}})
	ctx := context.Background()
	actor := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "Тест", Channel: otklik.ChannelAPI}
	tk, replay, err := svc.CreateTicket(ctx, actor, service.NewTicket{Channel: "web", Subject: "Не могу войти, пароль не подходит",
		Body: "Здравствуйте! Подаю заявление, выходит ошибки.", Requester: service.RequesterInput{Email: "a@b.ru", Name: "Иванов Иван"}, IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v replay=%v cat=%v group=%v", tk.Number, replay, tk.Category, tk.Group)
	tk2, replay, err := svc.CreateTicket(ctx, actor, service.NewTicket{Channel: "web", Subject: "Не могу войти, пароль не подходит",
		Body: "Здравствуйте! Подаю заявление, выходит ошибки.", Requester: service.RequesterInput{Email: "a@b.ru", Name: "Иванов Иван"}, IdempotencyKey: "k1"})
	if err != nil || !replay || tk2.Number != tk.Number {
		t.Fatal(err, replay, tk2)
	}
	if _, _, err := svc.AddMessage(ctx, actor, tk.Number, service.Reply{Body: "Ответ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ChangeStatus(ctx, actor, tk.Number, service.StatusChange{Status: "resolved"}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.ListTickets(ctx, nil, service.ListQuery{Q: "заявления ошибка"})
	if err != nil || len(p.Items) != 1 {
		t.Fatal(err, p)
	}
	j, _ := svc.Journal(ctx, tk.Number)
	for _, r := range j {
		t.Logf("%d %s %s %s→%s", r.Seq, r.Kind, r.Field, r.Before, r.After)
	}
	rep, err := svc.Verify(ctx)
	if err != nil || rep.Broken != nil {
		t.Fatal(err, rep.Broken)
	}
	t.Logf("%+v", rep)
}
