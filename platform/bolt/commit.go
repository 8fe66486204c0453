package bolt

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Update runs fn in a read-write transaction and commits it when fn returns
// nil; when fn returns an error or panics nothing it wrote is kept, and its
// error comes back as it is (a panic as a *PanicError). Update returns only
// once the commit is on disk. It does not start when ctx is done. The tx
// must not be used after fn returns.
//
// Concurrent Updates are group-committed: while one commit is being written,
// the Updates that arrive wait, and then all of them run one after another
// in a single bbolt transaction, written with a single fsync. A lone Update
// starts at once: nothing waits for company. When a function of a group
// fails, the group is rolled back and run again without it, and the failed
// function then runs alone for its own answer. So fn may run more than once:
// it must write only through tx, and set what it returns to its caller
// afresh on every run.
func (d *DB) Update(ctx context.Context, fn func(platform.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: update not started: %w", err)
	}
	if d.commits.alone {
		return d.commits.runAlone(fn)
	}
	return d.commits.update(fn)
}

// DefaultLinger is how long an UpdateSoon waits for another Update to carry
// it before it commits on its own. A lone client sends its next request
// well within it; a sandbox at rest is only that much later to show an
// attempt.
const DefaultLinger = 10 * time.Millisecond

// UpdateSoon is Update for work nobody waits on at once, such as the record
// of a callback attempt: fn joins the commit of the next Update that comes
// within DefaultLinger, so it costs no commit and no fsync of
// its own; when none comes, it commits on its own. It returns once fn's
// commit is on disk, with fn's answer, as Update does.
func (d *DB) UpdateSoon(ctx context.Context, fn func(platform.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: update not started: %w", err)
	}
	if d.commits.alone || d.commits.linger <= 0 {
		return d.Update(ctx, fn)
	}
	return d.commits.updateSoon(fn)
}

// PanicError is what Update and View return for a function that panicked.
type PanicError struct {
	Value any    // what fn panicked with
	Stack []byte // the stack of the panic
}

// Error says what the function panicked with.
func (e *PanicError) Error() string { return fmt.Sprintf("bolt: a transaction panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// committer runs Updates in group commits. An Update that finds no commit
// under way leads: it takes every queued Update (its own among them) and
// commits them as one transaction. Updates that arrive meanwhile queue;
// when the commit ends, the leader hands the lead to the first of them,
// which commits the whole queue in the next transaction.
type committer struct {
	db *bbolt.DB
	// filters caches the filters of the DB's sealed generations.
	filters *filterCache
	// sealAt replaces the constant of that name when set, for tests.
	sealAt int
	// log is the data file's redo log (redolog.go); nil for a read-only
	// DB, where the system has none (bbolt then syncs each commit), and
	// once closed.
	log *redoLog
	// writing is held by whoever commits: a leader, or a function that
	// runs alone. It keeps the log's records in the order of their
	// commits, and guards what follows it.
	writing sync.Mutex
	// broken is the error that stopped every commit: the log could not be
	// written, so what bbolt committed last is not durable.
	broken error
	// ops is the memory of the last commit's record, for the next.
	ops []byte
	// alone turns group commit off: every Update is its own transaction.
	// Benchmarks compare the two.
	alone bool
	// linger is how long an UpdateSoon waits for company.
	linger time.Duration
	// compactAt is the commit after which the parents' pages are merged
	// next, by the group of the next commit when compactDue is set (see
	// compaction). They are guarded by writing.
	compactAt  int64
	compactDue bool

	mu        sync.Mutex
	queue     []*call // Updates waiting for the next commit
	leading   bool    // an Update is committing, or about to
	lingering bool    // a timer will lead the queue if no Update does first

	// commits counts the transactions committed, for tests.
	commits atomic.Int64

	// messages keeps the messages of the deliveries stored last.
	messages messageCache
	// projects keeps the project records decoded.
	projects projectRecords
}

// call is one Update waiting in the committer.
type call struct {
	fn  func(platform.Tx) error
	err error
	// soon marks an UpdateSoon: it does not start a commit by itself.
	soon bool
	// wake tells the caller what to do next: lead the next commit, return
	// err, or run fn alone. It receives at most one lead and then one of
	// the others.
	wake chan wake
}

type wake int

const (
	wakeLead  wake = iota // commit the queue
	wakeDone              // err is the answer
	wakeAlone             // fn failed in a group: run it alone
)

// update queues fn and waits for its answer, leading commits when its turn
// comes.
func (c *committer) update(fn func(platform.Tx) error) error {
	me := &call{fn: fn, wake: make(chan wake, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, me)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if lead {
		c.lead()
	}
	return c.wait(me)
}

// SetLinger sets how long an UpdateSoon waits for company (DefaultLinger
// unless set); 0 or less makes it an Update. Call it before the store is
// used.
func (d *DB) SetLinger(l time.Duration) { d.commits.linger = l }

// Flush makes the UpdateSoons that linger commit now, without waiting for
// company: for when someone waits on them (an advance of the clock).
func (d *DB) Flush() { d.commits.flush() }

// Waiting returns how many Updates and UpdateSoons wait for the next
// commit, for tests.
func (d *DB) Waiting() int {
	d.commits.mu.Lock()
	defer d.commits.mu.Unlock()
	return len(d.commits.queue)
}

// Commits returns how many transactions were committed since Open: the
// fsyncs of the data file's writes, for benchmarks and tests.
func (d *DB) Commits() int64 { return d.commits.commits.Load() }

// PagesWritten returns how many pages bbolt wrote for the commits since
// Open, meta pages included: each is one write call, which is what a commit
// costs beside its record in the log. For benchmarks.
func (d *DB) PagesWritten() int64 {
	s := d.db.Stats()
	return s.TxStats.GetWrite()
}

// Seeks returns how many cursors bbolt made for the transactions since
// Open: one for each Get, Put, Delete and bucket opened, so that it counts
// the store's lookups whatever the machine's load. For benchmarks.
func (d *DB) Seeks() int64 {
	s := d.db.Stats()
	return s.TxStats.GetCursorCount()
}

// flush hands the lead to the first lingering call, unless a commit is
// under way or nothing waits.
func (c *committer) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.leading || len(c.queue) == 0 {
		return
	}
	c.leading = true
	c.queue[0].wake <- wakeLead
}

// updateSoon queues fn without leading: the next Update's commit carries
// it, or, when none starts within the linger, a timer hands it the lead.
func (c *committer) updateSoon(fn func(platform.Tx) error) error {
	me := &call{fn: fn, wake: make(chan wake, 1), soon: true}
	c.mu.Lock()
	c.queue = append(c.queue, me)
	if !c.leading {
		c.lingerLocked()
	}
	c.mu.Unlock()
	return c.wait(me)
}

// lingerLocked starts the timer that leads the queue when nothing else
// does within the linger, unless one runs. c.mu is held.
func (c *committer) lingerLocked() {
	if c.lingering {
		return
	}
	c.lingering = true
	time.AfterFunc(c.linger, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.lingering = false
		if c.leading || len(c.queue) == 0 {
			return // an Update took the queue; it lingers again if need be
		}
		c.leading = true
		c.queue[0].wake <- wakeLead
	})
}

// wait waits for me's answer, leading commits when its turn comes.
func (c *committer) wait(me *call) error {
	for {
		switch <-me.wake {
		case wakeLead:
			c.lead()
		case wakeDone:
			return me.err
		case wakeAlone:
			return c.runAlone(me.fn)
		}
	}
}

// lead commits the queue, hands the lead on and tells each caller of the
// group its answer.
func (c *committer) lead() {
	c.mu.Lock()
	group := c.queue
	c.queue = nil
	c.mu.Unlock()

	failed := c.commit(group)

	c.mu.Lock()
	switch {
	case slices.ContainsFunc(c.queue, func(k *call) bool { return !k.soon }):
		c.queue[0].wake <- wakeLead
	case len(c.queue) > 0:
		c.leading = false // only UpdateSoons wait: they linger for company
		c.lingerLocked()
	default:
		c.leading = false
	}
	c.mu.Unlock()
	for _, k := range group {
		if slices.Contains(failed, k) {
			k.wake <- wakeAlone
		} else {
			k.wake <- wakeDone
		}
	}
}

// errFailed rolls back a group's transaction when one of its functions failed.
var errFailed = errors.New("a function of the group failed")

// commit runs the functions of group in one transaction and commits it,
// setting each call's err to the commit's outcome. When a function fails,
// the transaction is rolled back and the rest of the group runs again
// without it; commit returns the functions that failed, which must run
// alone for their own answer. A function that fails alone needs no second
// run: its err is its answer.
func (c *committer) commit(group []*call) (failed []*call) {
	c.writing.Lock()
	defer c.writing.Unlock()
	if c.compactDue {
		c.compactDue = false
		group = append(slices.Clone(group), compaction())
	}
	for len(group) > 0 {
		if c.broken != nil {
			for _, k := range group {
				k.err = c.broken
			}
			return failed
		}
		bad := -1
		var txid uint64
		ops := &enc{b: c.ops[:0]}
		var appended chan error // the record's append, when one started
		err := guard(func() error {
			return c.db.Update(func(btx *bbolt.Tx) error {
				txid = uint64(btx.ID())
				t := c.tx(btx)
				var pt platform.Tx = t
				if c.log != nil {
					pt = loggedTx{tx: t, ops: ops}
				}
				for i, k := range group {
					if k.err = run(pt, k.fn); k.err != nil {
						bad = i
						return errFailed
					}
				}
				// The payments the group created are indexed as they
				// ended up (see createdPayment), as replay does. Should
				// that fail, the last function is left out, until the
				// one whose payment it is runs alone.
				if err := guard(t.indexCreated); err != nil {
					bad = len(group) - 1
					group[bad].err = err
					return errFailed
				}
				if c.log != nil && len(ops.b) > 0 {
					// The record is written and synced while bbolt
					// writes the commit's pages.
					appended = make(chan error, 1)
					go func() { appended <- c.log.append(txid, ops.b) }()
				}
				return nil
			})
		})
		if appended != nil {
			err = c.logged(err, <-appended)
		}
		c.ops = ops.b[:0] // its memory serves the next commit
		switch {
		case bad < 0:
			if err == nil && c.commits.Add(1) == c.compactAt {
				c.compactAt = nextCompaction(c.compactAt)
				c.compactDue = true
			}
			for _, k := range group {
				k.err = err
			}
			return failed
		case len(group) == 1:
			return failed // it ran alone: k.err is its answer
		}
		failed = append(failed, group[bad])
		group = slices.Delete(slices.Clone(group), bad, bad+1)
	}
	return failed
}

// logged returns the answer of a commit whose record was appended to the
// log: committed is bbolt's answer, appended the log's. It checkpoints when
// one is due. A commit bbolt did not make is taken back out of the log.
// When the log cannot be written, the commit is not durable, and neither
// would any later one be: every commit from then on fails with the error.
func (c *committer) logged(committed, appended error) error {
	err := appended
	switch {
	case committed != nil && appended == nil:
		err = c.log.takeBack()
	case committed == nil && appended == nil && c.log.due():
		err = c.log.checkpoint(c.db, schemaVersion)
	}
	if err != nil {
		c.broken = fmt.Errorf("%w; the last changes may be lost: stop the sandbox and start it again, which brings its data file up to date from the log", err)
		return c.broken
	}
	return committed
}

// closeLog checkpoints and closes the log, if there is one, once every
// commit is done; a second call finds none.
func (c *committer) closeLog() error {
	c.writing.Lock()
	defer c.writing.Unlock()
	if c.log == nil {
		return nil
	}
	err := c.broken
	if err == nil {
		err = c.log.checkpoint(c.db, schemaVersion)
	}
	if cerr := c.log.close(); err == nil {
		err = cerr
	}
	c.log = nil
	return err
}

// compaction returns a call that merges the pages of the buckets that
// hold buckets (see compactParents), for a leader to add to its group.
// Nobody waits for its answer: what it changes no reader sees, and should
// it fail, which only a closed or damaged file makes it do, it is left out
// of the group as any failed function is, and the next one tries again.
func compaction() *call {
	return &call{fn: func(t platform.Tx) error { return compactParents(btxOf(t)) }, wake: make(chan wake, 1)}
}

// runAlone runs fn in a transaction of its own.
func (c *committer) runAlone(fn func(platform.Tx) error) error {
	me := &call{fn: fn}
	c.commit([]*call{me})
	return me.err
}

// btxOf returns the bbolt transaction under t.
func btxOf(t platform.Tx) *bbolt.Tx {
	if l, ok := t.(loggedTx); ok {
		return l.btx
	}
	return t.(*tx).btx
}

// tx returns btx as the committer's transactions see it.
func (c *committer) tx(btx *bbolt.Tx) *tx {
	return &tx{btx: btx, filters: c.filters, sealAt: c.sealAt, deferIndex: btx.Writable(), messages: &c.messages, projects: &c.projects}
}

// run calls fn with t, guarded.
func run(t platform.Tx, fn func(platform.Tx) error) error {
	return guard(func() error { return fn(t) })
}

// guard calls fn, turning a panic into a *PanicError. A memory fault while
// fn reads the mapped file, which a damaged file can cause, panics too
// instead of killing the process.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn()
}
