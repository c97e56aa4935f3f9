package loadtest

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/loadtest/fakeapi"
)

var (
	ceilingDuration    = flag.Duration("ceiling.d", 3*time.Second, "measured time of each BenchmarkCeiling run")
	ceilingConcurrency = flag.Int("ceiling.c", 32, "clients of each BenchmarkCeiling run")
)

// BenchmarkCeiling measures the tool's own ceiling: the request rate it reaches against a fake API
// in the same process that answers at once. The server's work is tiny but shares the CPU, so the rate
// is a lower bound of what the tool alone can send. Run it with
//
//	go test -run '^$' -bench Ceiling -benchtime 1x ./internal/loadtest/ [-args -ceiling.d 10s -ceiling.c 32]
func BenchmarkCeiling(b *testing.B) {
	for _, s := range Scenarios {
		b.Run(string(s), func(b *testing.B) {
			_, url := startFake(b, fakeapi.Options{Tickets: 1000})
			cfg := Config{
				URL: url, Token: testToken, Scenario: s, Concurrency: *ceilingConcurrency,
				Duration: *ceilingDuration, Warmup: 500 * time.Millisecond, Query: "ошибка", Status: "new", Limit: 50,
			}
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
			if f := res.Total.Failed(); f > 0 {
				b.Fatalf("%d requests failed", f)
			}
			b.ReportMetric(res.Throughput(&res.Total), "req/s")
			b.ReportMetric(float64(res.Total.Latency.Quantile(0.99))/1e6, "p99-ms")
			if res.ToolRequests > 0 && res.ToolWall > 0 {
				b.ReportMetric(float64(res.ToolCPU.Microseconds())/float64(res.ToolRequests), "cpu-µs/req")
			}
		})
	}
}
