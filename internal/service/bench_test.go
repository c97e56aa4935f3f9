package service_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/testkit"
)

// BenchmarkCreateTicket measures the use case without HTTP: validation, classification, stemming and
// the write transaction, from parallel callers sharing group commits.
func BenchmarkCreateTicket(b *testing.B) {
	st := testkit.MustOpenStore(b, time.Now)
	svc := service.New(service.Options{Store: st})
	actor := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "bench", Channel: otklik.ChannelAPI}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			s := strconv.FormatInt(i, 10)
			_, _, err := svc.CreateTicket(context.Background(), actor, service.NewTicket{
				Channel: otklik.ChannelWeb, Subject: "Не могу войти в личный кабинет " + s,
				Body:           "Здравствуйте! После ввода пароля появляется ошибка 500. Прошу помочь восстановить доступ. Заявление номер " + s + ".",
				Requester:      service.RequesterInput{Name: "Иванова Мария Петровна", Email: "user" + strconv.FormatInt(i%1000, 10) + "@example.ru", Phone: "+79161234567"},
				IdempotencyKey: "k" + s,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkCreateTicketAlone measures one registration at a time, as a quiet desk sees it: no group
// commit to share, so a registration's time is its own statements and round trips (five on PostgreSQL
// for a new requester before FindOrAddRequester, four since) and its commit. new-requester writes
// from a new e-mail every time, known-requester from one of a hundred that wrote before.
func BenchmarkCreateTicketAlone(b *testing.B) {
	testkit.BenchEachEngine(b, func(b *testing.B, engine string) {
		st := testkit.MustOpenStoreEngine(b, engine, time.Now)
		svc := service.New(service.Options{Store: st})
		actor := otklik.Actor{Type: otklik.ActorStaff, ID: 1, Name: "bench", Channel: otklik.ChannelAPI}
		create := func(b *testing.B, email string) {
			if _, _, err := svc.CreateTicket(context.Background(), actor, service.NewTicket{
				Channel: otklik.ChannelWeb, Subject: "Не могу войти в личный кабинет",
				Body:      "Здравствуйте! После ввода пароля появляется ошибка 500. Прошу помочь восстановить доступ.",
				Requester: service.RequesterInput{Name: "Иванова Мария Петровна", Email: email},
			}); err != nil {
				b.Fatal(err)
			}
		}
		for i := range 100 { // the known requesters, and every statement prepared
			create(b, "known"+strconv.Itoa(i)+"@example.ru")
		}
		b.Run("new-requester", func(b *testing.B) {
			run := strconv.FormatInt(time.Now().UnixNano(), 36) // new with every -count
			for i := 0; b.Loop(); i++ {
				create(b, "new-"+run+"-"+strconv.Itoa(i)+"@example.ru")
			}
		})
		b.Run("known-requester", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				create(b, "known"+strconv.Itoa(i%100)+"@example.ru")
			}
		})
	})
}
