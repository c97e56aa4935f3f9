package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/otklik/otklik/internal/otklik"
)

// writers is the store's write path: a few write connections (one on SQLite, which has one writer;
// several on PostgreSQL) that take write functions from one queue. Each writer takes every queued
// function (up to maxBatch), runs them in one transaction and commits once, so concurrent requests
// share the cost of a commit (group commit). A function that fails leaves nothing behind (see
// writer.run); a commit that fails fails them all. Nobody is told "done" before the commit returns —
// on SQLite with synchronous = FULL, before the WAL holding it is synced (walSync); bulk work, which a
// later synced commit makes durable, is answered at its commit. Housekeeping (doIdle) waits in a queue
// of its own for a writer that has rested.
type writers struct {
	s        *Store
	db       *sql.DB
	reqs     chan *writeReq
	idle     chan *writeReq
	quit     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
	// durable: on SQLite with synchronous = FULL, what answers a batch's requests once their commit is
	// on the disk (the connection runs with synchronous = NORMAL); nil where nothing is to wait for
	// (PostgreSQL, whose commit returns once it is synced; SQLite at NORMAL).
	durable *walSync
}

// writer is one write connection and its goroutine.
type writer struct {
	ws       *writers
	conn     *sql.Conn // nil after the connection broke, until the next batch reconnects
	begin    string
	pg       bool
	maxBatch int
	stmts    map[string]*sql.Stmt
	writes   map[string]bool // which prepared statements change data
	dirty    bool            // the running function has changed data
	broken   bool            // a statement failed because the server went away
	lastBulk time.Time       // when the writer last committed bulk work (not housekeeping)
}

type writeReq struct {
	ctx   context.Context
	fn    func(otklik.Tx) error
	bulk  bool // background work that a later write makes durable (doBulk)
	err   error
	after []func()
	done  chan struct{}
}

var writeReqPool = sync.Pool{New: func() any { return &writeReq{done: make(chan struct{}, 1)} }}

// newWriters starts n writers on db. begin is the statement that opens a write transaction. Lazy
// writers connect on their first batch instead of now (bulk writers, which many nodes never use).
func newWriters(ctx context.Context, db *sql.DB, s *Store, n, maxBatch int, begin string, lazy bool) (*writers, error) {
	ws := &writers{s: s, db: db, reqs: make(chan *writeReq, 4*maxBatch), idle: make(chan *writeReq), quit: make(chan struct{})}
	for i := 0; i < n; i++ {
		var conn *sql.Conn
		if !lazy {
			var err error
			if conn, err = db.Conn(ctx); err != nil {
				ws.stop()
				return nil, fmt.Errorf("store: writer: %w", err)
			}
		}
		w := &writer{ws: ws, conn: conn, begin: begin, pg: s.engine == "postgres", maxBatch: maxBatch,
			stmts: map[string]*sql.Stmt{}, writes: map[string]bool{}}
		ws.wg.Add(1)
		go w.loop()
	}
	return ws, nil
}

// do queues fn and waits for its outcome, then runs its after-commit functions.
func (ws *writers) do(ctx context.Context, fn func(otklik.Tx) error) error {
	return ws.submit(ctx, fn, false)
}

// doBulk is do for background work in large batches (a recomputation's): on SQLite at FULL it is
// answered at its commit, without waiting for the WAL's sync (walSync), which a later request's makes.
func (ws *writers) doBulk(ctx context.Context, fn func(otklik.Tx) error) error {
	return ws.submit(ctx, fn, true)
}

// idleAfter is how long a writer must have had nothing to do before it takes housekeeping (doIdle).
// The clients of a busy desk send their next writes within microseconds of the commit that answered
// them: without the wait a merge step would take every such gap, and each would hold the next batch.
const idleAfter = time.Millisecond

// bulkQuiet is how long after the last bulk work (a recomputation's batches) housekeeping still waits.
// A recomputation's writer rests for milliseconds whenever its reader lags — reading tickets from the
// disk on a cold page cache — and merge steps of the search index ran in those gaps, up to 34 ms of
// the writer's time each, which a registration arriving meanwhile waits for (docs/PERFORMANCE.md). The
// search index is merged after the recomputation instead (FTS5's crisis merge bounds it meanwhile).
const bulkQuiet = time.Second

// doIdle is doBulk for housekeeping that can wait (merging the search index's segments): fn runs only
// when a writer has had nothing queued for idleAfter, alone in its transaction, so that it never
// lengthens a batch that a request or a recomputation waits for; either waits for it at most while it
// runs. Under a steady stream of writes it may wait long.
func (ws *writers) doIdle(ctx context.Context, fn func(otklik.Tx) error) error {
	return ws.enqueue(ctx, fn, true, ws.idle)
}

func (ws *writers) submit(ctx context.Context, fn func(otklik.Tx) error, bulk bool) error {
	return ws.enqueue(ctx, fn, bulk, ws.reqs)
}

func (ws *writers) enqueue(ctx context.Context, fn func(otklik.Tx) error, bulk bool, queue chan *writeReq) error {
	r := writeReqPool.Get().(*writeReq)
	r.ctx, r.fn, r.bulk, r.err, r.after = ctx, fn, bulk, nil, r.after[:0]
	select {
	case queue <- r:
	case <-ctx.Done():
		writeReqPool.Put(r)
		return ctx.Err()
	case <-ws.quit:
		writeReqPool.Put(r)
		return otklik.Errorf(otklik.EUNAVAILABLE, "error.unavailable", nil)
	}
	// Once queued, a writer always answers, promptly: it skips a request whose context has ended.
	<-r.done
	err, after := r.err, r.after
	for _, f := range after {
		f()
	}
	r.ctx, r.fn, r.err = nil, nil, nil
	clear(r.after)
	writeReqPool.Put(r)
	return err
}

// stop lets the writers finish their batches, answers what is still queued, and closes their
// connections.
func (ws *writers) stop() {
	ws.stopOnce.Do(func() {
		close(ws.quit)
		ws.wg.Wait()
		if ws.durable != nil {
			ws.durable.stop()
		}
	})
}

func (w *writer) loop() {
	defer w.ws.wg.Done()
	defer w.closeConn()
	batch := make([]*writeReq, 0, w.maxBatch)
	rest := time.NewTimer(idleAfter)
	rest.Stop()
	for {
		var first *writeReq
		select {
		case first = <-w.ws.reqs:
		default:
			// Nothing queued. Housekeeping waits until the writer has rested idleAfter: under a steady
			// load the clients of the batch just committed send their next writes within that; and
			// until bulkQuiet has passed since the last bulk work.
			rest.Reset(max(idleAfter, bulkQuiet-time.Since(w.lastBulk)))
			select {
			case first = <-w.ws.reqs:
			case <-rest.C:
				select {
				case first = <-w.ws.reqs:
				case r := <-w.ws.idle:
					w.run([]*writeReq{r})
					r.done <- struct{}{}
					continue
				case <-w.ws.quit:
					w.answerQueued()
					return
				}
			case <-w.ws.quit:
				w.answerQueued()
				return
			}
			rest.Stop()
		case <-w.ws.quit:
			w.answerQueued()
			return
		}
		if !first.bulk && w.ws.durable != nil {
			w.ws.durable.settled()
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < w.maxBatch {
			select {
			case r := <-w.ws.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.run(batch)
		w.answer(batch)
		clear(batch)
	}
}

// answer answers a batch that has run: at once, or once its commit is on the disk (walSync) when it
// holds a request that succeeded. Bulk work alone is answered at its commit.
func (w *writer) answer(batch []*writeReq) {
	synced := false
	for _, r := range batch {
		if r.bulk {
			w.lastBulk = time.Now()
		} else if r.err == nil {
			synced = w.ws.durable != nil
		}
	}
	if synced {
		w.ws.durable.after(batch)
		return
	}
	for _, r := range batch {
		r.done <- struct{}{}
	}
}

// answerQueued answers whatever is still queued when the writers stop. (Housekeeping is never
// queued: its queue has no room, and its sender gives up when the writers stop.)
func (w *writer) answerQueued() {
	for {
		select {
		case r := <-w.ws.reqs:
			r.err = otklik.Errorf(otklik.EUNAVAILABLE, "error.unavailable", nil)
			r.done <- struct{}{}
		default:
			return
		}
	}
}

// connect makes sure the writer has a connection, reconnecting after a failure.
func (w *writer) connect() error {
	if w.conn != nil && !w.broken {
		return nil
	}
	w.closeConn()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := w.ws.db.Conn(ctx)
	if err != nil {
		return err
	}
	w.conn, w.broken = conn, false
	return nil
}

func (w *writer) closeConn() {
	for _, st := range w.stmts {
		st.Close()
	}
	clear(w.stmts)
	clear(w.writes)
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// run executes one group commit. The functions run one after another in one transaction without
// savepoints (a savepoint copies every page it first touches, which costs more than the rest of a
// ticket's writes). A function that fails before writing anything simply reports its error. One that
// fails after writing — or, on PostgreSQL, with any database error, which aborts the transaction —
// has left the transaction unusable for the others: the batch is rolled back and every function of
// it runs again on its own, each in its own transaction. Write functions are written to be run again:
// they read what they need inside the transaction.
func (w *writer) run(batch []*writeReq) {
	if err := w.connect(); err != nil {
		for _, r := range batch {
			r.err = unavailable(err)
		}
		return
	}
	if len(batch) == 1 {
		w.runAlone(batch[0])
		return
	}
	if w.runTogether(batch) {
		if w.pg {
			// A commit refused for a serialization failure: run those functions again, alone.
			for _, r := range batch {
				if r.err != nil && retryable(r.err) {
					r.err, r.after = nil, r.after[:0]
					w.runAlone(r)
				}
			}
		}
		return
	}
	for _, r := range batch {
		r.err, r.after = nil, r.after[:0]
		w.runAlone(r)
	}
}

// runTogether runs the batch in one transaction; it returns false when a function's failure spoilt
// the transaction, having rolled everything back.
func (w *writer) runTogether(batch []*writeReq) bool {
	bg := context.Background()
	if _, err := w.exec(bg, w.begin); err != nil {
		for _, r := range batch {
			r.err = unavailable(err)
		}
		return true
	}
	ok := 0
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		tx := &txn{s: w.ws.s, ex: w, now: otklik.Truncate(w.ws.s.now())}
		w.dirty = false
		if err := call(r.ctx, r.fn, tx); err != nil {
			if w.dirty || (w.pg && isPgError(err)) || w.broken {
				_, _ = w.exec(bg, "ROLLBACK")
				return false
			}
			r.err = err
			continue
		}
		r.after = append(r.after, tx.after...)
		ok++
	}
	w.finish(batch, ok)
	return true
}

// runAlone runs one function in its own transaction; on PostgreSQL it runs it again after a
// serialization failure or a deadlock, and after creating a year's ticket sequence it lacked.
func (w *writer) runAlone(r *writeReq) {
	for attempt := 0; ; attempt++ {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			return
		}
		if err := w.connect(); err != nil {
			r.err = unavailable(err)
			return
		}
		bg := context.Background()
		if _, err := w.exec(bg, w.begin); err != nil {
			r.err = unavailable(err)
			return
		}
		tx := &txn{s: w.ws.s, ex: w, now: otklik.Truncate(w.ws.s.now())}
		err := call(r.ctx, r.fn, tx)
		if err == nil {
			r.after = append(r.after, tx.after...)
			w.finish([]*writeReq{r}, 1)
			if r.err != nil && w.pg && retryable(r.err) && attempt < pgRetries {
				r.err = nil
				continue
			}
			return
		}
		_, _ = w.exec(bg, "ROLLBACK")
		if w.pg && attempt < pgRetries {
			if name, ok := missingSequence(err); ok {
				if err := w.ws.s.ensureSequence(bg, name); err != nil {
					r.err = translate(err)
					return
				}
				continue
			}
			if retryable(err) {
				time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
				continue
			}
		}
		r.err = err
		return
	}
}

// finish commits (or, when no function succeeded, rolls back) the open transaction.
func (w *writer) finish(batch []*writeReq, ok int) {
	bg := context.Background()
	if ok == 0 {
		_, _ = w.exec(bg, "ROLLBACK")
		return
	}
	if _, err := w.exec(bg, "COMMIT"); err != nil {
		w.abort(batch, err)
	}
}

// abort rolls the batch back and fails every function that had not failed already.
func (w *writer) abort(batch []*writeReq, cause error) {
	_, _ = w.exec(context.Background(), "ROLLBACK")
	for _, r := range batch {
		if r.err == nil {
			if retryable(cause) {
				r.err = cause // runAlone runs it again
			} else {
				r.err = unavailable(cause)
			}
			r.after = r.after[:0]
		}
	}
}

func unavailable(err error) error {
	return &otklik.Error{Code: otklik.EUNAVAILABLE, Key: "error.unavailable", Err: err}
}

func isPgError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe)
}

// call runs fn, turning a panic into an internal error so that one bad request cannot take the writer
// (and every request batched with it) down.
func call(ctx context.Context, fn func(otklik.Tx) error, tx *txn) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = otklik.Internal(fmt.Errorf("panic in write function: %v\n%s", p, debug.Stack()))
		}
	}()
	_ = ctx
	return fn(tx)
}

// The writer is the executor of its transactions: statements are prepared once on the write
// connection and reused. They run without the request's cancellation: the writer checks a request's
// context before running its function, and once running, a function's statements are not interrupted
// halfway on the connection every batched request shares (which would also cost the SQLite driver a
// watcher goroutine per statement).

func (w *writer) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	text := q
	if w.pg {
		text = rebindPG(q)
	}
	st, err := w.conn.PrepareContext(ctx, text)
	if err != nil {
		w.noteFailure(err)
		return nil, err
	}
	w.stmts[q] = st
	verb, _, _ := strings.Cut(strings.TrimSpace(q), " ")
	switch strings.ToUpper(verb) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH":
		w.writes[q] = true
	}
	return st, nil
}

// noteFailure marks the connection broken when err says the server went away or dropped it, so that
// the next batch reconnects.
func (w *writer) noteFailure(err error) {
	if err == nil {
		return
	}
	var pe *pgconn.PgError
	if unreachable(err) || errors.Is(err, sql.ErrConnDone) ||
		(errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P"))) {
		w.broken = true
	}
}

func (w *writer) exec(_ context.Context, q string, args ...any) (sql.Result, error) {
	ctx := context.Background()
	st, err := w.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	w.dirty = true
	res, err := st.ExecContext(ctx, args...)
	w.noteFailure(err)
	return res, err
}

func (w *writer) query(_ context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx := context.Background()
	st, err := w.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	w.dirty = w.dirty || w.writes[q]
	rows, err := st.QueryContext(ctx, args...)
	w.noteFailure(err)
	return rows, err
}

func (w *writer) queryRow(_ context.Context, q string, args ...any) *sql.Row {
	ctx := context.Background()
	st, err := w.stmt(ctx, q)
	if err != nil {
		// Let the error surface through Row.Scan by running the statement unprepared.
		w.dirty = true
		text := q
		if w.pg {
			text = rebindPG(q)
		}
		return w.conn.QueryRowContext(ctx, text, args...)
	}
	w.dirty = w.dirty || w.writes[q]
	return st.QueryRowContext(ctx, args...)
}

// queryBinary runs q, prepared once as exec and query do, on PostgreSQL with parameters already in
// the binary format (pgParams) of the types oids, and hands row each result row's columns, in binary.
// The statement's parameter types are checked against oids: a query and its encoder that disagree are
// an error, not a misread value.
func (w *writer) queryBinary(_ context.Context, q string, oids []uint32, params [][]byte, row func([][]byte) error) error {
	ctx := context.Background()
	if !w.pg {
		return otklik.Internal(errors.New("store: binary parameters on SQLite"))
	}
	if _, err := w.stmt(ctx, q); err != nil {
		return err
	}
	w.dirty = true
	text := rebindPG(q)
	err := w.conn.Raw(func(dc any) error {
		conn := dc.(*stdlib.Conn).Conn()
		sd, err := conn.Prepare(ctx, text, text) // the statement stmt prepared: no round trip
		if err != nil {
			return err
		}
		if !slices.Equal(sd.ParamOIDs, oids) {
			return otklik.Internal(fmt.Errorf("store: the statement takes parameters of types %v, encoded as %v", sd.ParamOIDs, oids))
		}
		rr := conn.PgConn().ExecStatement(ctx, sd, params, []int16{pgx.BinaryFormatCode}, []int16{pgx.BinaryFormatCode})
		var rowErr error
		for rowErr == nil && rr.NextRow() {
			rowErr = row(rr.Values())
		}
		_, err = rr.Close()
		return cmp.Or(err, rowErr)
	})
	w.noteFailure(err)
	return err
}

// executor runs a transaction's statements.
type executor interface {
	exec(ctx context.Context, q string, args ...any) (sql.Result, error)
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
	// execRaw and queryRaw run a statement in the engine's own placeholders, unprepared: for statements
	// built for one batch (multi-row VALUES), which would only fill the cache of prepared ones.
	execRaw(ctx context.Context, q string, args ...any) (sql.Result, error)
	queryRaw(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	queryBinary(ctx context.Context, q string, oids []uint32, params [][]byte, row func([][]byte) error) error
}

func (w *writer) execRaw(_ context.Context, q string, args ...any) (sql.Result, error) {
	w.dirty = true
	res, err := w.conn.ExecContext(context.Background(), q, args...)
	w.noteFailure(err)
	return res, err
}

func (w *writer) queryRaw(_ context.Context, q string, args ...any) (*sql.Rows, error) {
	w.dirty = true
	rows, err := w.conn.QueryContext(context.Background(), q, args...)
	w.noteFailure(err)
	return rows, err
}

// txn implements otklik.Tx over an executor.
type txn struct {
	s     *Store
	ex    executor
	now   time.Time
	after []func()
}

var _ otklik.Tx = (*txn)(nil)

// Now is the transaction's clock.
func (t *txn) Now() time.Time { return t.now }

// AfterCommit registers fn to run after the commit.
func (t *txn) AfterCommit(fn func()) { t.after = append(t.after, fn) }
