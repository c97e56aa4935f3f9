package demo

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otklik/otklik/internal/demo/content"
	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
)

// FillOptions configure Fill.
type FillOptions struct {
	Tickets  int
	Batch    int    // tickets per transaction
	Workers  int    // goroutines generating and preparing tickets
	Seed     uint64 // the same seed gives the same tickets
	Days     int    // registration times spread over this many past days
	Now      func() time.Time
	Progress func(done int)
	// Open keeps every ticket open: a resolved or closed one is registered in work instead, so that
	// benchmarks of what touches open tickets (deadline recomputation, queues) get them all.
	Open bool
}

// Fill adds o.Tickets realistic tickets through the import use case — requesters, messages, journals
// and search entries exactly as the application writes them — in large transactions. It returns how
// many it added.
func Fill(ctx context.Context, svc *service.Service, o FillOptions) (int, error) {
	if o.Batch <= 0 || o.Batch > service.MaxImportBatch {
		o.Batch = 1000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Days <= 0 {
		o.Days = 365
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	end := o.Now()
	start := end.AddDate(0, 0, -o.Days)
	step := end.Sub(start) / time.Duration(max(o.Tickets, 1))
	actor := otklik.Actor{Type: otklik.ActorSystem, Name: "otklik fill", Channel: otklik.ChannelSystem}

	var (
		next   atomic.Int64 // the index of the next batch's first ticket
		done   atomic.Int64
		mu     sync.Mutex
		errOut error
		wg     sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			g := content.NewGenerator(o.Seed*1_000_003 + uint64(w))
			batch := make([]service.ImportedTicket, 0, o.Batch)
			for ctx.Err() == nil {
				first := int(next.Add(int64(o.Batch))) - o.Batch
				if first >= o.Tickets {
					return
				}
				n := min(o.Batch, o.Tickets-first)
				batch = batch[:0]
				for i := 0; i < n; i++ {
					it := imported(g.Request(), start.Add(time.Duration(first+i)*step))
					if o.Open && !it.Status.Open() {
						it.Status = otklik.StatusInProgress
					}
					batch = append(batch, it)
				}
				if _, err := svc.Import(ctx, actor, batch); err != nil {
					mu.Lock()
					if errOut == nil && !errors.Is(err, context.Canceled) {
						errOut = err
					}
					mu.Unlock()
					cancel()
					return
				}
				d := done.Add(int64(n))
				if o.Progress != nil {
					mu.Lock()
					o.Progress(int(d))
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	if errOut == nil && ctx.Err() != nil {
		errOut = ctx.Err()
	}
	return int(done.Load()), errOut
}

// imported turns a generated request into an imported ticket registered at created.
func imported(r content.Request, created time.Time) service.ImportedTicket {
	it := service.ImportedTicket{
		NewTicket: service.NewTicket{
			Channel: otklik.Channel(r.Channel), Subject: r.Subject, Body: r.Body, Category: r.Category,
			Priority: otklik.Priority(r.Priority),
			Requester: service.RequesterInput{Name: r.Requester.Name, Email: r.Requester.Email,
				Phone: r.Requester.Phone, SNILS: r.Requester.SNILS, INN: r.Requester.INN},
		},
		Status:    otklik.Status(r.Status),
		CreatedAt: created,
	}
	at := created
	for i, t := range r.Turns {
		at = at.Add(time.Duration(20+i*97%240) * time.Minute)
		author := r.Requester.Name
		if t.Staff {
			author = "Служба поддержки"
		}
		it.Messages = append(it.Messages, service.ImportedMessage{Staff: t.Staff, Author: author, Internal: t.Internal, Body: t.Body, At: at})
	}
	return it
}
