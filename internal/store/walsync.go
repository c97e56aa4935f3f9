package store

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"sync"
)

// walSync makes a SQLite store's commits durable off the writer's path (synchronous = FULL): the
// writer commits every transaction under synchronous = NORMAL — written to the WAL, not synced — and
// hands the requests of each batch to walSync, which syncs the WAL file (fdatasync) and only then
// answers them. The writer meanwhile goes on to the next batch: under SQLite's own FULL it waited
// for the disk in every request batch's commit, and a recomputation's batches, which need no sync,
// waited behind it (a pass over a million open tickets 21.0–21.6 s against 18.0–18.7 unsynced, and
// registrations up to 66–75 ms against 37–41; docs/PERFORMANCE.md). Batches committed while a sync
// runs share the next one (group commit across batches).
//
// The guarantee is FULL's: nobody is told "done" before the WAL frames of their commit are on the
// disk. A power loss takes back only unanswered commits, whole — SQLite's recovery reads the WAL's
// frames up to the first whose checksum chain breaks, so what survives is always a prefix of the
// commits — and an answered one never: an fdatasync of the WAL flushes every frame written to the
// file before it, through whichever descriptor. Frames the checkpointer has copied into the database
// and SQLite has since overwritten (the WAL restarts after a checkpoint that copied all of it) were
// synced into the database file by that checkpoint first. Readers may see a commit a few milliseconds
// before it is answered; a write that depends on it commits later and is answered after a sync that
// covers both.
type walSync struct {
	path  string // the WAL file: the database's path + "-wal"
	log   *slog.Logger
	queue chan []*writeReq
	done  chan struct{}

	pending struct { // batches handed over and not yet answered
		sync.Mutex
		n    int
		none *sync.Cond // signalled when n falls to 0
	}

	mu       sync.Mutex // holds f across a sync (syncNow may run beside the loop)
	f        *os.File
	syncFile func(*os.File) error // syncData; a test's own to watch or fail syncs
}

// newWALSync starts syncing the WAL of the database at path for the batches handed to it (after).
func newWALSync(path string, log *slog.Logger) *walSync {
	s := &walSync{path: path + "-wal", log: log, queue: make(chan []*writeReq, 64), done: make(chan struct{}),
		syncFile: syncData}
	s.pending.none = sync.NewCond(&s.pending)
	go s.loop()
	return s
}

// after answers reqs, a committed batch's requests, once the WAL holding their commit is synced; a
// request that failed is answered as it is.
func (s *walSync) after(reqs []*writeReq) {
	s.pending.Lock()
	s.pending.n++
	s.pending.Unlock()
	s.queue <- slices.Clone(reqs)
}

// settled waits until every batch handed over has been answered. The writer waits so before it takes
// a batch that starts with a request: the requests that arrive meanwhile join it, as they did while
// SQLite's own sync held the writer. Without it a desk's registrations, answered a sync at a time, came
// back to an idle writer one by one and were committed in batches of one or two, each rewriting the
// same index pages: 1,680–1,880 tickets/s against 1,910–2,440 (docs/PERFORMANCE.md). Bulk work does
// not wait.
func (s *walSync) settled() {
	s.pending.Lock()
	defer s.pending.Unlock()
	for s.pending.n > 0 {
		s.pending.none.Wait()
	}
}

func (s *walSync) loop() {
	defer close(s.done)
	for first := range s.queue {
		batches := [][]*writeReq{first}
	more:
		for {
			select {
			case b, ok := <-s.queue:
				if !ok {
					break more
				}
				batches = append(batches, b)
			default:
				break more
			}
		}
		err := s.syncNow()
		if err != nil {
			s.log.Error("the WAL could not be synced to the disk: the requests of its commits are answered as failed, though they may have been stored", "error", err)
		}
		for _, b := range batches {
			for _, r := range b {
				if err != nil && r.err == nil {
					r.err, r.after = unavailable(err), r.after[:0]
				}
				r.done <- struct{}{}
			}
		}
		s.pending.Lock()
		if s.pending.n -= len(batches); s.pending.n == 0 {
			s.pending.none.Broadcast()
		}
		s.pending.Unlock()
	}
}

// syncNow syncs the WAL file: every commit written to it so far is durable when it returns nil. No
// WAL file means nothing to sync: SQLite removes it only after copying all of it into the database.
func (s *walSync) syncNow() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The file the store opened at first, unless SQLite has made a new one since (after closing every
	// connection, which a running store never does): its descriptor, kept, syncs the file it names.
	if s.f != nil {
		if cur, err := os.Stat(s.path); err != nil || !sameFile(s.f, cur) {
			s.f.Close()
			s.f = nil
		}
	}
	if s.f == nil {
		f, err := os.Open(s.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		s.f = f
	}
	return s.syncFile(s.f)
}

func sameFile(f *os.File, fi fs.FileInfo) bool {
	own, err := f.Stat()
	return err == nil && os.SameFile(own, fi)
}

// stop answers what is still handed to it, after a last sync, and closes the file. The writers must
// have stopped: nothing is handed to it afterwards.
func (s *walSync) stop() {
	close(s.queue)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}
