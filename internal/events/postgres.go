package events

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/otklik/otklik/internal/otklik"
)

// Channel is the PostgreSQL notification channel of Otklik's events.
const Channel = "otklik_events"

// Postgres is the cross-node bus: Publish sends NOTIFY on one connection, a listener connection
// LISTENs and hands every event — from this node or any other — to the local subscribers. Both
// connections reconnect by themselves when PostgreSQL goes away; events published while it is away are
// dropped (screens reload on reconnect), and the loss is logged.
type Postgres struct {
	local  *Local
	url    string
	log    *slog.Logger
	out    chan otklik.Event
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	listening bool
}

var _ Bus = (*Postgres)(nil)

// NewPostgres starts the bus on the database at url.
func NewPostgres(url string, log *slog.Logger) *Postgres {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Postgres{local: NewLocal(), url: url, log: log, out: make(chan otklik.Event, 4096), cancel: cancel}
	p.wg.Add(2)
	go p.listen(ctx)
	go p.send(ctx)
	return p
}

// Publish queues e for NOTIFY without waiting; when the queue is full (PostgreSQL is away or slow)
// the event is dropped.
func (p *Postgres) Publish(e otklik.Event) {
	select {
	case p.out <- e:
	default:
		p.log.Warn("event dropped: the notification queue is full", "ticket", e.Ticket)
	}
}

// Subscribe subscribes to events from every node.
func (p *Postgres) Subscribe(buf int) *Subscription { return p.local.Subscribe(buf) }

// Listening reports whether the listener connection is up (for tests and health checks).
func (p *Postgres) Listening() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listening
}

// Close stops both connections and ends every subscription.
func (p *Postgres) Close() error {
	p.cancel()
	p.wg.Wait()
	return p.local.Close()
}

func (p *Postgres) setListening(v bool) {
	p.mu.Lock()
	p.listening = v
	p.mu.Unlock()
}

// listen keeps a LISTEN connection and delivers notifications locally.
func (p *Postgres) listen(ctx context.Context) {
	defer p.wg.Done()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := p.listenOnce(ctx)
		p.setListening(false)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("event listener disconnected; reconnecting", "error", err, "in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (p *Postgres) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	p.setListening(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var es []otklik.Event
		if err := json.Unmarshal([]byte(n.Payload), &es); err != nil {
			p.log.Warn("unreadable events", "payload", n.Payload, "error", err)
			continue
		}
		for _, e := range es {
			p.local.Publish(e)
		}
	}
}

// maxPayload keeps a notification under PostgreSQL's limit of 8000 bytes.
const maxPayload = 7000

// send NOTIFYs queued events on its own connection, reconnecting as needed. Under load it sends the
// events that queued up meanwhile together, as one JSON array: one notification for many changes.
func (p *Postgres) send(ctx context.Context) {
	defer p.wg.Done()
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for {
		var e otklik.Event
		select {
		case <-ctx.Done():
			return
		case e = <-p.out:
		}
		payload := batchPayload(e, p.out)
		for attempt := 0; ; attempt++ {
			if conn == nil {
				c, err := pgx.Connect(ctx, p.url)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					if attempt >= 2 {
						p.log.Warn("event dropped: cannot reach PostgreSQL", "ticket", e.Ticket, "error", err)
						break
					}
					time.Sleep(100 * time.Millisecond)
					continue
				}
				conn = c
			}
			_, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload))
			if err == nil {
				break
			}
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return
			}
			if attempt >= 2 {
				p.log.Warn("event dropped: NOTIFY failed", "ticket", e.Ticket, "error", err)
				break
			}
		}
	}
}

// batchPayload encodes first and whatever else is queued, up to maxPayload bytes, as a JSON array.
func batchPayload(first otklik.Event, more chan otklik.Event) []byte {
	b, _ := json.Marshal(first)
	out := append([]byte{'['}, b...)
	for len(out) < maxPayload-600 { // an event is a few hundred bytes
		select {
		case e := <-more:
			b, _ := json.Marshal(e)
			out = append(append(out, ','), b...)
			continue
		default:
		}
		break
	}
	return append(out, ']')
}
