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
