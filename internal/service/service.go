// Package service holds Otklik's use cases: creating tickets, replying, changing status and fields,
// listing and searching, managing staff and the category tree, verifying the journal. Each method
// validates its input, owns its one write transaction and returns domain errors; transports (the API,
// the web UI, mail intake) call these methods and nothing below them.
package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/otklik/otklik/internal/otklik"
)

// Options configure a Service.
type Options struct {
	Store     otklik.Store
	Lifecycle otklik.Lifecycle
	Logger    *slog.Logger
	// Now is the clock for reads and checks outside transactions (tests pin it).
	Now func() time.Time
	// Events receives committed changes (nil: nobody listens).
	Events otklik.Publisher
	// Node names this node in events.
	Node string
	// JobsEnqueued is called after a commit that enqueued jobs, to wake this node's job runner.
	JobsEnqueued func()
	// AutoCloseAfter closes a resolved ticket nobody reopened after this long (0: never).
	AutoCloseAfter time.Duration
	// Mail configures the e-mail channel (no Address: no mail goes out).
	Mail MailOptions
	// Files configures attachments (no Vault: files are refused).
	Files FileOptions
	// SLA configures deadlines.
	SLA SLAOptions
	// Auth configures staff sign-in: who must have a second factor, how long sessions last.
	Auth AuthOptions
}

// Service is the set of use cases over one store.
type Service struct {
	store     otklik.Store
	lifecycle otklik.Lifecycle
	log       *slog.Logger
	now       func() time.Time
	events    otklik.Publisher
	node      string
	jobsPoke  func()
	autoClose time.Duration
	mail      MailOptions
	files     FileOptions
	auth      AuthOptions

	tokens tokenCache

	catMu     sync.Mutex
	cat       *catalog
	catsUntil time.Time

	slaOpts  SLAOptions
	slaMu    sync.Mutex
	sla      *slaEngine
	slaUntil time.Time

	recomputing chan struct{} // holds a token while a recomputation of deadlines runs on this node
}

// catalog is the category tree and the groups, which change rarely and are read by every create.
type catalog struct {
	cats   []otklik.Category
	groups []otklik.Group
}

// New returns a Service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{recomputing: make(chan struct{}, 1), store: o.Store, lifecycle: o.Lifecycle, log: o.Logger, now: o.Now, events: o.Events,
		node: o.Node, jobsPoke: o.JobsEnqueued, autoClose: o.AutoCloseAfter, mail: o.Mail, slaOpts: o.SLA,
		files: o.Files, auth: o.Auth.withDefaults()}
}

// sha256hex returns the hex SHA-256 of a text.
func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sha256sum(b []byte) [32]byte { return sha256.Sum256(b) }

// publishAfter publishes e once tx has committed.
func (s *Service) publishAfter(tx otklik.Tx, e otklik.Event) {
	if s.events == nil {
		return
	}
	e.Node = s.node
	tx.AfterCommit(func() { s.events.Publish(e) })
}

// enqueue adds a job to tx and wakes this node's runner after the commit.
func (s *Service) enqueue(ctx context.Context, tx otklik.Tx, j *otklik.Job) error {
	if err := tx.EnqueueJob(ctx, j); err != nil {
		return err
	}
	if s.jobsPoke != nil {
		tx.AfterCommit(s.jobsPoke)
	}
	return nil
}

// actorLabel names an actor in events without personal data of citizens.
func actorLabel(a otklik.Actor) string {
	switch a.Type {
	case otklik.ActorStaff:
		return a.Name
	case otklik.ActorRequester:
		return "requester"
	}
	return "system"
}

// Moscow is the time zone of registration dates and deadlines.
var Moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is linked into the binary (cmd/otklik), so this cannot fail there; fall back to
		// the fixed offset Moscow has kept since 2014 for tests of packages that do not link it.
		return time.FixedZone("MSK", 3*60*60)
	}
	return loc
}

// catalogTTL bounds how long a node serves a category tree changed on another node.
const catalogTTL = 10 * time.Second

// catalog returns the category tree and the groups, cached briefly.
func (s *Service) catalog(ctx context.Context) (*catalog, error) {
	s.catMu.Lock()
	defer s.catMu.Unlock()
	if s.cat != nil && s.now().Before(s.catsUntil) {
		return s.cat, nil
	}
	cats, err := s.store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := s.store.Groups(ctx)
	if err != nil {
		return nil, err
	}
	s.cat, s.catsUntil = &catalog{cats: cats, groups: groups}, s.now().Add(catalogTTL)
	return s.cat, nil
}

// forgetCatalog drops the cached catalog after this node changed it.
func (s *Service) forgetCatalog() {
	s.catMu.Lock()
	s.cat = nil
	s.catMu.Unlock()
}

func (c *catalog) group(id int64) (otklik.Group, bool) {
	for _, g := range c.groups {
		if g.ID == id {
			return g, true
		}
	}
	return otklik.Group{}, false
}

func (c *catalog) groupByCode(code string) (otklik.Group, bool) {
	for _, g := range c.groups {
		if g.Code == code {
			return g, true
		}
	}
	return otklik.Group{}, false
}

func categoryByCode(cats []otklik.Category, code string) (otklik.Category, bool) {
	for _, c := range cats {
		if c.Code == code {
			return c, true
		}
	}
	return otklik.Category{}, false
}
