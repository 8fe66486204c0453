package bolt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestGroupCommitManyWriters starts many writers at once: every Update is
// committed, and concurrent ones share transactions.
func TestGroupCommitManyWriters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		writers    int
		each       int
		wantShared bool
	}{
		{"one writer", 1, 20, false},
		{"eight writers", 8, 20, true},
		{"sixty-four writers", 64, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, tt.writers*tt.each)
			for w := range tt.writers {
				wg.Go(func() {
					<-start
					for i := range tt.each {
						p := payment(1, fmt.Sprintf("w%d-%d", w, i), "oxxo", platform.StatusProcessing, base)
						errs <- d.Update(t.Context(), func(tx platform.Tx) error { return tx.CreatePayment(p) })
					}
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}

			total := tt.writers * tt.each
			view(t, d, func(tx platform.Tx) error {
				for w := range tt.writers {
					for i := range tt.each {
						_, err := tx.Payment(key(fmt.Sprintf("w%d-%d", w, i)))
						assert.NoError(t, err)
					}
				}
				return nil
			})
			commits := int(d.commits.commits.Load())
			if tt.wantShared {
				assert.Less(t, commits, total, "concurrent Updates share commits")
			} else {
				assert.Equal(t, total, commits, "a lone writer commits each Update at once")
			}
			assertIndexesConsistent(t, d)
		})
	}
}

// holdCommit starts an Update that blocks inside its transaction until the
// returned function is called, so that the Updates started meanwhile queue
// and form the next group. The release function waits until n Updates are
// queued, lets the blocked one commit and waits for it.
func holdCommit(t *testing.T, d *DB) (release func(n int)) {
	t.Helper()
	inside, hold := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- d.Update(t.Context(), func(tx platform.Tx) error {
			close(inside)
			<-hold
			return tx.PutReference("hold", "1", key("hold"))
		})
	}()
	<-inside
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(hold) }) }) // when a check failed
	return func(n int) {
		t.Helper()
		defer once.Do(func() { close(hold) })
		waitQueued(t, d, n)
		once.Do(func() { close(hold) })
		require.NoError(t, <-done)
	}
}

// waitQueued waits until n Updates wait for the next commit.
func waitQueued(t *testing.T, d *DB, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		d.commits.mu.Lock()
		defer d.commits.mu.Unlock()
		return len(d.commits.queue) == n
	}, 10*time.Second, time.Millisecond, "%d Updates queue", n)
}

// TestGroupCommitFailures puts failing functions into a group with good
// ones: the good ones commit, and each failing one gets its own answer and
// keeps nothing.
func TestGroupCommitFailures(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	type writer struct {
		id   string
		fail func() error // nil: the writer creates payment id and succeeds
	}
	tests := []struct {
		name    string
		writers []writer
		check   func(t *testing.T, errs map[string]error)
	}{
		{
			name: "an error",
			writers: []writer{
				{id: "a"}, {id: "bad", fail: func() error { return boom }}, {id: "b"},
			},
			check: func(t *testing.T, errs map[string]error) {
				assert.Same(t, boom, errs["bad"])
			},
		},
		{
			name: "a panic",
			writers: []writer{
				{id: "a"}, {id: "b"}, {id: "bad", fail: func() error { panic("kaput") }},
			},
			check: func(t *testing.T, errs map[string]error) {
				var perr *PanicError
				require.ErrorAs(t, errs["bad"], &perr)
				assert.Equal(t, "kaput", perr.Value)
			},
		},
		{
			name: "an error and a panic",
			writers: []writer{
				{id: "bad1", fail: func() error { return boom }}, {id: "a"},
				{id: "bad2", fail: func() error { panic(boom) }}, {id: "b"}, {id: "c"},
			},
			check: func(t *testing.T, errs map[string]error) {
				assert.Same(t, boom, errs["bad1"])
				var perr *PanicError
				require.ErrorAs(t, errs["bad2"], &perr)
				assert.ErrorIs(t, errs["bad2"], boom, "a panic with an error unwraps to it")
			},
		},
		{
			name:    "only failures",
			writers: []writer{{id: "bad1", fail: func() error { return boom }}, {id: "bad2", fail: func() error { return boom }}},
			check: func(t *testing.T, errs map[string]error) {
				assert.Same(t, boom, errs["bad1"])
				assert.Same(t, boom, errs["bad2"])
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			release := holdCommit(t, d)
			var (
				mu   sync.Mutex
				errs = map[string]error{}
				runs = map[string]*atomic.Int32{}
				wg   sync.WaitGroup
			)
			for _, w := range tt.writers {
				runs[w.id] = &atomic.Int32{}
			}
			for i, w := range tt.writers {
				// Queue them in order, so that the group is the table's.
				waitQueued(t, d, i)
				wg.Go(func() {
					err := d.Update(t.Context(), func(tx platform.Tx) error {
						runs[w.id].Add(1)
						// Every writer writes, the failing ones too.
						if err := tx.CreatePayment(payment(1, w.id, "oxxo", platform.StatusProcessing, base)); err != nil {
							return err
						}
						if w.fail != nil {
							return w.fail()
						}
						return nil
					})
					mu.Lock()
					errs[w.id] = err
					mu.Unlock()
				})
			}
			release(len(tt.writers))
			wg.Wait()

			tt.check(t, errs)
			view(t, d, func(tx platform.Tx) error {
				for _, w := range tt.writers {
					_, err := tx.Payment(key(w.id))
					if w.fail != nil {
						assert.ErrorIs(t, err, platform.ErrNotFound, "%s keeps nothing", w.id)
						// In the group, then alone, unless it was the last left.
						assert.Contains(t, []int32{1, 2}, runs[w.id].Load(), w.id)
					} else {
						assert.NoError(t, errs[w.id], w.id)
						assert.NoError(t, err, "%s is committed", w.id)
					}
				}
				return nil
			})
			assertIndexesConsistent(t, d)
		})
	}
}

// TestUpdateSoon checks that an UpdateSoon rides in the commit of the next
// Update, commits on its own when none comes, and fails alone.
func TestUpdateSoon(t *testing.T) {
	t.Parallel()
	create := func(id string) func(platform.Tx) error {
		return func(tx platform.Tx) error {
			return tx.CreatePayment(payment(1, id, "oxxo", platform.StatusProcessing, base))
		}
	}
	stored := func(t *testing.T, d *DB, id string) bool {
		var err error
		view(t, d, func(tx platform.Tx) error { _, err = tx.Payment(key(id)); return nil })
		return err == nil
	}

	t.Run("rides with the next Update", func(t *testing.T) {
		t.Parallel()
		d := newDB(t)
		d.commits.linger = time.Hour // only an Update can carry it
		soon := make(chan error, 1)
		go func() { soon <- d.UpdateSoon(t.Context(), create("soon")) }()
		waitQueued(t, d, 1)
		assert.False(t, stored(t, d, "soon"), "it waits for company")
		require.NoError(t, d.Update(t.Context(), create("now")))
		require.NoError(t, <-soon)
		assert.True(t, stored(t, d, "soon"))
		assert.EqualValues(t, 1, d.commits.commits.Load(), "one commit carried both")
	})

	t.Run("commits alone after the linger", func(t *testing.T) {
		t.Parallel()
		d := newDB(t)
		d.commits.linger = 5 * time.Millisecond
		require.NoError(t, d.UpdateSoon(t.Context(), create("soon")))
		assert.True(t, stored(t, d, "soon"), "on disk when it returns")
		assert.EqualValues(t, 1, d.commits.commits.Load())
	})

	t.Run("lingers after a commit that left only UpdateSoons", func(t *testing.T) {
		t.Parallel()
		d := newDB(t)
		d.commits.linger = time.Hour
		release := holdCommit(t, d)
		soon := make(chan error, 1)
		go func() { soon <- d.UpdateSoon(t.Context(), create("soon")) }()
		release(1)
		waitQueued(t, d, 1) // the held commit ended; the UpdateSoon still waits
		assert.False(t, stored(t, d, "soon"))
		require.NoError(t, d.Update(t.Context(), create("now")))
		require.NoError(t, <-soon)
		assert.EqualValues(t, 2, d.commits.commits.Load(), "the held commit, then one for both")
	})

	t.Run("Flush commits it at once", func(t *testing.T) {
		t.Parallel()
		d := newDB(t)
		d.commits.linger = time.Hour
		soon := make(chan error, 1)
		go func() { soon <- d.UpdateSoon(t.Context(), create("soon")) }()
		waitQueued(t, d, 1)
		d.Flush()
		require.NoError(t, <-soon)
		assert.True(t, stored(t, d, "soon"))
		assert.EqualValues(t, 1, d.Commits())
		d.Flush() // nothing waits: nothing happens
		assert.EqualValues(t, 1, d.Commits())
	})

	t.Run("a failing one gets its error, the Update commits", func(t *testing.T) {
		t.Parallel()
		d := newDB(t)
		d.commits.linger = time.Hour
		boom := errors.New("boom")
		soon := make(chan error, 1)
		go func() {
			soon <- d.UpdateSoon(t.Context(), func(tx platform.Tx) error {
				if err := create("soon")(tx); err != nil {
					return err
				}
				return boom
			})
		}()
		waitQueued(t, d, 1)
		require.NoError(t, d.Update(t.Context(), create("now")))
		assert.Same(t, boom, <-soon)
		assert.True(t, stored(t, d, "now"))
		assert.False(t, stored(t, d, "soon"), "it keeps nothing")
	})

	t.Run("many at once with Updates", func(t *testing.T) {
		t.Parallel()
		d := newDB(t)
		d.commits.linger = time.Millisecond
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() { assert.NoError(t, d.UpdateSoon(t.Context(), create(fmt.Sprintf("soon-%d", i)))) })
			if i%5 == 0 {
				wg.Go(func() { assert.NoError(t, d.Update(t.Context(), create(fmt.Sprintf("now-%d", i)))) })
			}
		}
		wg.Wait()
		for i := range 50 {
			assert.True(t, stored(t, d, fmt.Sprintf("soon-%d", i)), "soon-%d", i)
		}
		assertIndexesConsistent(t, d)
	})
}

// TestGroupCommitSameKey puts two creations of one payment into a group:
// one wins, the other gets ErrExists, as when they commit one by one.
func TestGroupCommitSameKey(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	release := holdCommit(t, d)
	errs := make(chan error, 2)
	for i := range 2 {
		waitQueued(t, d, i)
		go func() {
			p := payment(1, "same", "oxxo", platform.StatusProcessing, base)
			errs <- d.Update(t.Context(), func(tx platform.Tx) error { return tx.CreatePayment(p) })
		}()
	}
	release(2)
	got := []error{<-errs, <-errs}
	if got[0] != nil {
		got[0], got[1] = got[1], got[0]
	}
	assert.NoError(t, got[0], "one creation wins")
	assert.ErrorIs(t, got[1], platform.ErrExists, "the other finds the payment there")
	assertIndexesConsistent(t, d)
}

// crashChildEnv names the data file a child of TestCrashLosesNothingAcknowledged
// writes to.
const crashChildEnv = "BOLT_CRASH_CHILD_FILE"

// TestCrashLosesNothingAcknowledged runs this test binary again as a child
// that writes with many concurrent Updates and prints the ID of every
// payment whose Update returned, kills it with SIGKILL in the middle of
// its commits, and opens the file: every acknowledged payment is there.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("kills a child process")
	}
	t.Parallel() // the child writes and syncs, the parent mostly waits
	tests := []struct {
		name      string
		killAfter int // acknowledgements
	}{
		{"early", 5},
		{"later", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "sandbox.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLosesNothingAcknowledged$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Start())

			var acked []string
			lines := bufio.NewScanner(out)
			for lines.Scan() && len(acked) < tt.killAfter {
				if id, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
					acked = append(acked, id)
				}
			}
			require.NoError(t, cmd.Process.Kill())
			for lines.Scan() { // what was acknowledged before the kill landed
				if id, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
					acked = append(acked, id)
				}
			}
			_ = cmd.Wait()
			require.GreaterOrEqual(t, len(acked), tt.killAfter, "the child acknowledged writes")

			d, err := Open(path)
			require.NoError(t, err)
			defer d.Close()
			view(t, d, func(tx platform.Tx) error {
				for _, id := range acked {
					_, err := tx.Payment(key(id))
					assert.NoError(t, err, "acknowledged payment %s", id)
				}
				return nil
			})
			assertIndexesConsistent(t, d)
		})
	}
}

// crashChild writes payments from 16 goroutines until it is killed (or a
// minute passes), printing "ack ID" once each Update has returned.
func crashChild(path string) {
	d, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	stop := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; time.Now().Before(stop); i++ {
				id := fmt.Sprintf("c%d-%d", w, i)
				p := payment(1, id, "oxxo", platform.StatusProcessing, base.Add(time.Duration(i)*time.Second))
				err := d.Update(context.Background(), func(tx platform.Tx) error { return tx.CreatePayment(p) })
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}
