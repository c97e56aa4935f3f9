// Package imap polls an existing IMAP mailbox and hands each new message to Otklik's intake, exactly
// once in effect: a message is marked \Seen (or moved away) only after intake has committed it, and a
// message whose delivery or marking failed is delivered again later, which intake absorbs by
// deduplicating on Message-ID and content hash.
//
// The Poller keeps one connection, waits for new mail with IDLE where the server has it and polls
// where it has not, and reconnects with backoff after any error. Messages are streamed from the
// connection to Deliver one at a time and are never held in memory whole.
package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

const (
	defaultMailbox = "INBOX"
	defaultPoll    = 60 * time.Second
	// idleRestart ends an IDLE command well before the 30 minutes after which RFC 9051 lets a
	// server drop an idle client, and before NAT boxes forget the connection.
	idleRestart = 25 * time.Minute
	dialTimeout = 30 * time.Second
	// minWait keeps a loop whose next retry is already due from spinning.
	minWait = 50 * time.Millisecond
)

// Options configures a Poller. Addr and Username are required.
type Options struct {
	// Addr is the server's host:port.
	Addr string
	// TLS selects implicit TLS (usually port 993). Without it the Poller uses STARTTLS, which it
	// requires for any host but localhost; to localhost it uses STARTTLS when offered, else plain IMAP.
	TLS bool
	// TLSConfig, if set, is used for TLS and STARTTLS (for example to trust a private CA). Its
	// ServerName defaults to Addr's host.
	TLSConfig *tls.Config

	// Username and Password log in with AUTHENTICATE PLAIN where offered, else with LOGIN.
	Username, Password string

	// Mailbox is the mailbox to poll; default "INBOX". It must exist.
	Mailbox string
	// MoveTo, when set, is where a message goes after it is delivered (the mailbox is created if
	// missing), and then every message in Mailbox is delivered, seen or not. When empty, delivered
	// messages are marked \Seen in place and only unseen ones are delivered. Messages flagged
	// \Deleted are never delivered.
	MoveTo string

	// Poll is how often the mailbox is searched when the server has no IDLE, and the safety net
	// while it has: IDLE is ended and the mailbox searched again at least this often (and at
	// least every 25 minutes). Default 60 s.
	Poll time.Duration

	// Logger receives connection and delivery events; default slog.Default().
	Logger *slog.Logger

	// MaxMessageBytes, if positive, is the largest message (by the server's RFC822.SIZE) that is
	// fetched whole. A larger message is delivered by its header alone: raw yields the header
	// section (up to and including the blank line) and then fails with a *TooLargeError instead
	// of io.EOF, so that intake can answer the sender with a notice and commit that, without ever
	// storing a partial message. Zero means no limit: everything is streamed whole.
	MaxMessageBytes int64
}

// Deliver hands one raw message (RFC 5322, CRLF line endings, as the server stores it) to intake.
//
// It returns nil only after the message is committed (its ticket, or the notice about it, is
// stored); only then does the Poller mark or move the message. A non-nil error, or a panic, leaves
// the message untouched, to be delivered again later with backoff (1 s doubling to 1 min), while
// the other messages go on. The uid is the message's UID in Options.Mailbox, for logs.
//
// raw streams from the IMAP connection: read it within Deliver, and treat any read error other
// than io.EOF as a failed delivery (a connection cut mid-message reads as io.ErrUnexpectedEOF, never
// as a clean end), except a *TooLargeError (see Options.MaxMessageBytes). Deliver may return nil
// without reading to the end, for example for a duplicate recognised by its header.
//
// Because marking happens after the commit, a crash or a lost connection between the two makes the
// Poller deliver the same message again: intake must deduplicate by Message-ID and content hash,
// and return nil for a message it already has.
//
// Deliver should return promptly once ctx ends, and should not pause for minutes between reads of
// raw: the IMAP client gives up on a literal after 5 minutes. A raw reader with a Len method knows
// the message's size as the server announced it.
type Deliver func(ctx context.Context, uid uint32, raw io.Reader) error

// TooLargeError is the error that a too-large message's raw reader returns after its header: only
// the header was fetched. Find it with errors.As.
type TooLargeError struct {
	UID   uint32
	Size  int64 // the message's size on the server, in bytes
	Limit int64 // Options.MaxMessageBytes
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("imap: message %d is %d bytes, over the limit of %d: only its header was fetched", e.UID, e.Size, e.Limit)
}

// Poller delivers the messages of one mailbox. Make it with New; call Run once at a time.
type Poller struct {
	o   Options
	log *slog.Logger

	// Hooks for tests; New sets the production values.
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	noIdle     bool          // poll even if the server has IDLE
	backoffMin time.Duration // first wait before a reconnect
	backoffMax time.Duration // longest such wait
	retryMin   time.Duration // first wait before a failed message is delivered again
	retryMax   time.Duration // longest such wait
	closeGrace time.Duration // how long a command may go on after ctx ends before the connection is cut

	// State kept across reconnects, used only by Run's goroutine.
	uidValidity uint32
	retries     map[goimap.UID]retry // messages whose delivery failed, under uidValidity
}

// retry is a message's failed deliveries so far and when it may be tried again.
type retry struct {
	attempts int
	next     time.Time
}

// New returns a Poller for o, with defaults filled in. Run checks the options.
func New(o Options) *Poller {
	if o.Mailbox == "" {
		o.Mailbox = defaultMailbox
	}
	if o.Poll == 0 {
		o.Poll = defaultPoll
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: time.Minute}
	return &Poller{
		o:          o,
		log:        o.Logger.With(slog.Group("imap", "addr", o.Addr, "user", o.Username, "mailbox", o.Mailbox)),
		dial:       d.DialContext,
		backoffMin: time.Second,
		backoffMax: time.Minute,
		retryMin:   time.Second,
		retryMax:   time.Minute,
		closeGrace: time.Second,
		retries:    map[goimap.UID]retry{},
	}
}

func (o *Options) validate() error {
	if o.Addr == "" {
		return errors.New("imap: Addr is required")
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return fmt.Errorf("imap: Addr %q: %w", o.Addr, err)
	}
	if o.Username == "" {
		return errors.New("imap: Username is required")
	}
	if o.Poll < 0 {
		return fmt.Errorf("imap: Poll %v is negative", o.Poll)
	}
	if o.MaxMessageBytes < 0 {
		return fmt.Errorf("imap: MaxMessageBytes %d is negative", o.MaxMessageBytes)
	}
	if o.MoveTo == o.Mailbox || strings.EqualFold(o.MoveTo, "INBOX") && strings.EqualFold(o.Mailbox, "INBOX") {
		return fmt.Errorf("imap: MoveTo %q is the polled mailbox", o.MoveTo)
	}
	return nil
}

// Run delivers the mailbox's messages with deliver until ctx ends, then logs out and returns nil.
// It returns an error only for invalid options. Connection, login and server errors are logged and
// followed by a reconnect after a backoff of 1 s, doubling to 1 min, reset once a connection has
// searched the mailbox. A delivery that fails leaves its message for a later try (see Deliver).
func (p *Poller) Run(ctx context.Context, deliver Deliver) error {
	if err := p.o.validate(); err != nil {
		return err
	}
	wait := p.backoffMin
	for {
		healthy, err := p.session(ctx, deliver)
		if ctx.Err() != nil {
			return nil
		}
		if healthy {
			wait = p.backoffMin
		}
		p.log.Warn("imap: session failed; reconnecting", "error", err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, p.backoffMax)
	}
}

// session connects, logs in, selects the mailbox and then scans and waits until ctx ends (nil) or
// the connection fails (the error). healthy reports whether at least one scan completed.
func (p *Poller) session(ctx context.Context, deliver Deliver) (healthy bool, err error) {
	// Cut the connection closeGrace after ctx ends, whatever it is doing, so that Run returns
	// promptly even when the server stops answering.
	var stops []func() bool
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	dial := func() (net.Conn, error) {
		conn, err := p.dial(ctx, "tcp", p.o.Addr)
		if err != nil {
			return nil, fmt.Errorf("dial: %w", err)
		}
		stops = append(stops, context.AfterFunc(ctx, func() {
			time.AfterFunc(p.closeGrace, func() { conn.Close() })
		}))
		return conn, nil
	}

	newMail := make(chan struct{}, 1)
	c, err := p.connect(ctx, dial, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// EXISTS: new mail, during IDLE or in any response.
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					notify(newMail)
				}
			},
		},
	})
	if err != nil {
		return false, err
	}
	defer c.Close()

	if err := p.login(c); err != nil {
		return false, err
	}
	if p.o.MoveTo != "" {
		if err := ensureMailbox(c, p.o.MoveTo); err != nil {
			return false, err
		}
	}
	sel, err := c.Select(p.o.Mailbox, nil).Wait()
	if err != nil {
		return false, fmt.Errorf("select %q: %w", p.o.Mailbox, err)
	}
	if sel.UIDValidity != p.uidValidity {
		if p.uidValidity != 0 {
			// UIDs from before mean nothing now; unseen messages are found by the next search,
			// so nothing is lost (and intake deduplicates what comes again).
			p.log.Warn("imap: UIDVALIDITY changed; scanning the mailbox afresh", "old", p.uidValidity, "new", sel.UIDValidity)
		}
		p.uidValidity = sel.UIDValidity
		clear(p.retries)
	}
	idle := !p.noIdle && c.Caps().Has(goimap.CapIdle)
	p.log.Info("imap: connected", "idle", idle, "messages", sel.NumMessages, "uid_validity", sel.UIDValidity)

	for {
		drain(newMail) // the scan sees whatever they announced
		if err := p.scan(ctx, c, deliver); err != nil {
			return healthy, err
		}
		healthy = true
		if ctx.Err() == nil {
			if err := p.wait(ctx, c, idle, newMail); err != nil {
				return healthy, err
			}
		}
		if ctx.Err() != nil {
			if err := c.Logout().Wait(); err != nil {
				p.log.Debug("imap: logout", "error", err)
			}
			return healthy, nil
		}
	}
}

// connect dials the server and sets up TLS as Options says, without logging in.
func (p *Poller) connect(ctx context.Context, dial func() (net.Conn, error), opts *imapclient.Options) (*imapclient.Client, error) {
	host, _, _ := net.SplitHostPort(p.o.Addr)
	tlsConfig := &tls.Config{}
	if p.o.TLSConfig != nil {
		tlsConfig = p.o.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}

	conn, err := dial()
	if err != nil {
		return nil, err
	}
	if p.o.TLS {
		if tlsConfig.NextProtos == nil {
			tlsConfig.NextProtos = []string{"imap"}
		}
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("tls: %w", err)
		}
		return imapclient.New(tc, opts), nil
	}

	opts.TLSConfig = tlsConfig
	if !isLocalhost(host) {
		c, err := imapclient.NewStartTLS(conn, opts)
		if err != nil {
			return nil, fmt.Errorf("starttls (plain IMAP is allowed only to localhost; set TLS for implicit TLS): %w", err)
		}
		return c, nil
	}

	// Localhost: STARTTLS if offered. imapclient upgrades only a fresh connection, so an offer seen
	// in the greeting costs a second connection.
	c := imapclient.New(conn, opts)
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if !c.Caps().Has(goimap.CapStartTLS) {
		return c, nil
	}
	c.Close()
	if conn, err = dial(); err != nil {
		return nil, err
	}
	c, err = imapclient.NewStartTLS(conn, opts)
	if err != nil {
		return nil, fmt.Errorf("starttls: %w", err)
	}
	return c, nil
}

func isLocalhost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *Poller) login(c *imapclient.Client) error {
	var err error
	if slices.Contains(c.Caps().AuthMechanisms(), sasl.Plain) {
		err = c.Authenticate(sasl.NewPlainClient("", p.o.Username, p.o.Password))
	} else {
		err = c.Login(p.o.Username, p.o.Password).Wait()
	}
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return nil
}

// ensureMailbox creates name unless it exists.
func ensureMailbox(c *imapclient.Client, name string) error {
	exists := func() bool {
		_, err := c.Status(name, &goimap.StatusOptions{NumMessages: true}).Wait()
		return err == nil
	}
	if exists() {
		return nil
	}
	err := c.Create(name, nil).Wait()
	// ALREADYEXISTS may mean that someone created it meanwhile, but Dovecot 2.3 with Maildir++
	// also answers it, now and then, to concurrent CREATEs of different new mailboxes that it
	// then does not create: believe only STATUS.
	if err == nil || exists() {
		return nil
	}
	return fmt.Errorf("create %q: %w", name, err)
}

// wait returns when new mail is announced, a retry or the safety-net search is due, or ctx ends.
func (p *Poller) wait(ctx context.Context, c *imapclient.Client, idle bool, newMail <-chan struct{}) error {
	d := p.o.Poll
	if idle {
		d = min(d, idleRestart)
	}
	for _, r := range p.retries {
		d = min(d, time.Until(r.next))
	}
	t := time.NewTimer(max(d, minWait))
	defer t.Stop()

	if !idle {
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-newMail:
		case <-c.Closed():
			return errors.New("connection closed")
		}
		return nil
	}

	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-newMail:
	case <-c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	return nil
}

// scan delivers, in UID order, every message that is due: unseen (or, with MoveTo, any) and not
// waiting for a retry. It returns an error only when the connection is no longer usable.
func (p *Poller) scan(ctx context.Context, c *imapclient.Client, deliver Deliver) error {
	criteria := &goimap.SearchCriteria{NotFlag: []goimap.Flag{goimap.FlagDeleted}}
	if p.o.MoveTo == "" {
		criteria.NotFlag = append(criteria.NotFlag, goimap.FlagSeen)
	}
	data, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	uids := data.AllUIDs()
	slices.Sort(uids)
	for uid := range p.retries { // forget messages that are gone or were dealt with elsewhere
		if _, found := slices.BinarySearch(uids, uid); !found {
			delete(p.retries, uid)
		}
	}
	for _, uid := range uids {
		if ctx.Err() != nil {
			return nil
		}
		if r, ok := p.retries[uid]; ok && time.Now().Before(r.next) {
			continue
		}
		if err := p.handle(ctx, c, uid, deliver); err != nil {
			return err
		}
	}
	return nil
}

// handle delivers one message and then marks or moves it. A failed delivery is scheduled for a
// retry; the error is for a connection that can no longer be used.
func (p *Poller) handle(ctx context.Context, c *imapclient.Client, uid goimap.UID, deliver Deliver) error {
	log := p.log.With("uid", uint32(uid))
	set := goimap.UIDSetNum(uid)

	bufs, err := c.Fetch(set, &goimap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("fetch size of %d: %w", uid, err)
	}
	if len(bufs) == 0 {
		return nil // expunged since the search
	}
	size := bufs[0].RFC822Size
	section := &goimap.FetchItemBodySection{Peek: true} // BODY.PEEK[]: fetching must not set \Seen
	var tooLarge *TooLargeError
	if p.o.MaxMessageBytes > 0 && size > p.o.MaxMessageBytes {
		section.Specifier = goimap.PartSpecifierHeader
		tooLarge = &TooLargeError{UID: uint32(uid), Size: size, Limit: p.o.MaxMessageBytes}
		log.Warn("imap: message over the size limit; delivering its header only", "size", size, "limit", p.o.MaxMessageBytes)
	}

	cmd := c.Fetch(set, &goimap.FetchOptions{UID: true, BodySection: []*goimap.FetchItemBodySection{section}})
	found, derr := p.deliverFetched(ctx, cmd, uid, tooLarge, deliver)
	if ferr := cmd.Close(); ferr != nil {
		if found && derr == nil {
			log.Warn("imap: delivered, but the connection failed before marking; it will be delivered again", "error", ferr)
		}
		return fmt.Errorf("fetch %d: %w", uid, ferr)
	}
	if !found {
		return nil // expunged since the search
	}
	if derr != nil {
		p.failed(log, uid, derr)
		return nil
	}

	if err := p.markDelivered(c, set); err != nil {
		var ierr *goimap.Error
		if !errors.As(err, &ierr) {
			log.Warn("imap: delivered, but the connection failed before marking; it will be delivered again", "error", err)
			return err
		}
		// The server refused (read-only mailbox, quota…): keep the connection and retry later.
		p.failed(log, uid, fmt.Errorf("delivered, but not marked: %w", err))
		return nil
	}
	delete(p.retries, uid)
	if p.o.MoveTo != "" {
		log = log.With("moved_to", p.o.MoveTo)
	}
	log.Info("imap: message delivered", "size", size)
	return nil
}

// deliverFetched streams the fetched message to deliver and then consumes the rest of it, so that
// the client can go on reading. found is false when the server returned no such message.
func (p *Poller) deliverFetched(ctx context.Context, cmd *imapclient.FetchCommand, uid goimap.UID, tooLarge *TooLargeError, deliver Deliver) (found bool, err error) {
	msg := cmd.Next()
	if msg == nil {
		return false, nil
	}
	// Find the body among the items, without calling Next after it: Next discards the previous
	// item, and this one is a literal still waiting on the connection.
	var lit goimap.LiteralReader
	for lit == nil {
		item := msg.Next()
		if item == nil {
			return true, errors.New("the server sent no message body")
		}
		if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
			if body.Literal == nil {
				return true, errors.New("the server sent NIL for the message")
			}
			lit = body.Literal
		}
	}

	var raw io.Reader = &exactReader{r: lit, left: lit.Size()}
	if tooLarge != nil {
		raw = io.MultiReader(raw, errReader{tooLarge})
	}
	err = callDeliver(ctx, deliver, uint32(uid), raw)
	_, _ = io.Copy(io.Discard, lit)
	return true, err
}

// callDeliver calls deliver, turning a panic into an error so that one bad message cannot stop
// intake.
func callDeliver(ctx context.Context, deliver Deliver, uid uint32, raw io.Reader) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("deliver panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return deliver(ctx, uid, raw)
}

// markDelivered sets \Seen and, with MoveTo, moves the message there (seen, for whoever reads it).
func (p *Poller) markDelivered(c *imapclient.Client, set goimap.UIDSet) error {
	seen := &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagSeen}}
	if err := c.Store(set, seen, nil).Close(); err != nil {
		return fmt.Errorf("store \\Seen: %w", err)
	}
	if p.o.MoveTo != "" {
		if _, err := c.Move(set, p.o.MoveTo).Wait(); err != nil {
			return fmt.Errorf("move to %q: %w", p.o.MoveTo, err)
		}
	}
	return nil
}

// failed schedules the message's next try with exponential backoff.
func (p *Poller) failed(log *slog.Logger, uid goimap.UID, err error) {
	r := p.retries[uid]
	r.attempts++
	d := p.retryMin
	for i := 1; i < r.attempts && d < p.retryMax; i++ {
		d *= 2
	}
	d = min(d, p.retryMax)
	r.next = time.Now().Add(d)
	p.retries[uid] = r
	log.Warn("imap: delivery failed; the message stays for a later try", "error", err, "attempt", r.attempts, "retry_in", d)
}

// exactReader reads a literal of a known size and reports a short one as io.ErrUnexpectedEOF: the
// client's literal reader is an io.LimitReader over the connection, so a connection cut
// mid-message would otherwise read as a clean, truncated message.
type exactReader struct {
	r    io.Reader
	left int64
}

// Len is what is left to read: the size the server announced, a hint for the caller's buffer.
func (e *exactReader) Len() int { return int(max(e.left, 0)) }

func (e *exactReader) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) && e.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// errReader always fails with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func notify(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func drain(ch <-chan struct{}) {
	select {
	case <-ch:
	default:
	}
}
