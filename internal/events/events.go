// Package events carries committed changes to live screens and chat sessions on every node. Local is
// the in-process bus of a single node; Postgres publishes through PostgreSQL's NOTIFY and delivers
// what LISTEN hears, so a change on one node reaches subscribers on all of them. Both have the same
// interface, so another transport (NATS JetStream for large deployments) can be plugged in beside
// them.
package events

import (
	"sync"

	"github.com/otklik/otklik/internal/otklik"
)

// Bus publishes events and hands them to subscribers.
type Bus interface {
	otklik.Publisher
	// Subscribe returns a subscription with a buffer of buf events.
	Subscribe(buf int) *Subscription
	Close() error
}

// Subscription receives events on C until it is closed: by Close, when the bus closes, or when the
// subscriber falls behind by more than its buffer (a slow screen must reconnect and reload rather than
// slow everyone down).
type Subscription struct {
	C      <-chan otklik.Event
	c      chan otklik.Event
	bus    *Local
	closed bool // guarded by bus.mu
}

// Close ends the subscription.
func (s *Subscription) Close() { s.bus.drop(s) }

// Local fans events out to this process's subscribers.
type Local struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

var _ Bus = (*Local)(nil)

// NewLocal returns an in-process bus.
func NewLocal() *Local { return &Local{subs: map[*Subscription]struct{}{}} }

// Publish hands e to every subscriber without waiting; a subscriber whose buffer is full is dropped.
func (b *Local) Publish(e otklik.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- e:
		default:
			b.dropLocked(s)
		}
	}
}

// Subscribe adds a subscriber.
func (b *Local) Subscribe(buf int) *Subscription {
	if buf <= 0 {
		buf = 64
	}
	c := make(chan otklik.Event, buf)
	s := &Subscription{C: c, c: c, bus: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.closed = true
		close(c)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

func (b *Local) drop(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropLocked(s)
}

func (b *Local) dropLocked(s *Subscription) {
	if s.closed {
		return
	}
	s.closed = true
	delete(b.subs, s)
	close(s.c)
}

// Subscribers counts the current subscribers.
func (b *Local) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close ends every subscription.
func (b *Local) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.dropLocked(s)
	}
	return nil
}
