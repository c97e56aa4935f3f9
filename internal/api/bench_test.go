package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// BenchmarkCreateTicketHTTP creates tickets through the real router, middleware, service and SQLite
// store (synchronous=NORMAL, as sqlite-ceiling measures), from parallel clients.
func BenchmarkCreateTicketHTTP(b *testing.B) {
	x := newBenchApp(b)
	srv := httptest.NewServer(x.h)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"channel":"web","subject":"Не могу войти в личный кабинет %d","body":"Здравствуйте! После ввода пароля появляется ошибка 500. Прошу помочь восстановить доступ. Заявление номер %d.","requester":{"name":"Иванова Мария Петровна","email":"user%d@example.ru","phone":"+7916%07d"}}`, i, i, i%1000, i%10_000_000)
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/tickets", bytes.NewReader([]byte(body)))
			req.Header.Set("Authorization", "Bearer "+x.op)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			if resp.StatusCode != 201 {
				b.Fatalf("status %d", resp.StatusCode)
			}
			_, _ = io.Copy(io.Discard, resp.Body) // a drained body lets the connection be reused
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}
