package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

// contentNow lists every bucket, key, value and bucket sequence of d as it
// is now, one line each.
func contentNow(t *testing.T, d *DB) []string {
	t.Helper()
	var out []string
	var walk func(at string, b *bbolt.Bucket) error
	walk = func(at string, b *bbolt.Bucket) error {
		out = append(out, fmt.Sprintf("%s: bucket, sequence %d", at, b.Sequence()))
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(fmt.Sprintf("%s/%q", at, k), b.Bucket(k))
			}
			out = append(out, fmt.Sprintf("%s %q = %x", at, k, v))
			return nil
		})
	}
	require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bbolt.Bucket) error { return walk(fmt.Sprintf("%q", name), b) })
	}))
	return out
}

// crashCopy copies the data file of d and its log, as they are while d is
// open, into a folder of their own, as a process killed now leaves them,
// and returns the copy's path.
func crashCopy(t *testing.T, d *DB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	for from, to := range map[string]string{d.Path(): path, logPath(d.Path()): logPath(path)} {
		raw, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, raw, 0o600))
	}
	return path
}

// pendingRecords returns the records the log of the data file at path
// holds after its base.
func pendingRecords(t *testing.T, path string) []logRecord {
	t.Helper()
	f, err := os.Open(logPath(path))
	require.NoError(t, err)
	defer f.Close()
	h, ok, err := readHeader(f)
	require.NoError(t, err)
	require.True(t, ok, "the log has a header")
	records, err := readRecords(f, h)
	require.NoError(t, err)
	return records
}

// everyKindOfWrite makes one of each write platform.Tx has.
func everyKindOfWrite(tx platform.Tx) error {
	p := payment(7, "all-writes", "oxxo", platform.StatusProcessing, base)
	for _, err := range []error{
		tx.PutProject(platform.Project{ID: 7, Secret: "s", CallbackURL: "http://127.0.0.1:1/cb",
			Methods: map[string]platform.MethodSettings{"oxxo": {Variant: "3days"}}}),
		tx.CreatePayment(p),
		tx.PutReference("oxxo", "ref-1", p.Key()),
		tx.PutReference("oxxo", "ref-2", p.Key()),
		tx.DeleteReference("oxxo", "ref-2"),
		tx.PutJob(platform.Job{ID: 900, Due: base.Add(time.Hour), Kind: platform.JobProvider, Payment: p.Key(), Name: "expire"}),
		tx.PutJob(platform.Job{ID: 901, Due: base, Kind: platform.JobProvider, Payment: p.Key(), Name: "gone"}),
		tx.DeleteJob(platform.Job{ID: 901}), // found by its ID alone
		tx.PutDelivery(delivery(900, p.Key(), platform.DeliveryPending)),
		tx.PutClockState(platform.ClockState{Offset: time.Hour, Frozen: true, FrozenAt: base}),
	} {
		if err != nil {
			return err
		}
	}
	if _, err := tx.NextID("operations"); err != nil {
		return err
	}
	p.Status = platform.StatusSuccess
	if err := tx.PutPayment(p); err != nil {
		return err
	}
	// A write that fails, and a function that goes on: replay makes the
	// same call and meets the same failure.
	if err := tx.CreatePayment(p); !errors.Is(err, platform.ErrExists) {
		return fmt.Errorf("creating a payment twice: %v", err)
	}
	return nil
}

// TestALogBringsBackWhatAKilledProcessLeft copies the files of an open
// store, as a kill -9 leaves them, and opens the copy: it holds exactly
// what the store holds, the commits since the last checkpoint replayed
// from the log.
func TestALogBringsBackWhatAKilledProcessLeft(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NotNil(t, d.commits.log, "a data file on this system has a log")
	require.NoError(t, fillReal(d, newRealPayments(3), 0, 40, 1))
	update(t, d, everyKindOfWrite)
	require.NoError(t, fillReal(d, newRealPayments(4), 40, 45, 1))

	copied := crashCopy(t, d)
	pending := pendingRecords(t, copied)
	require.NotEmpty(t, pending, "commits since the last checkpoint, which the copy must replay")
	want := contentNow(t, d)

	var log testlog.Buffer
	got, err := OpenLogged(copied, slog.New(slog.NewTextHandler(&log, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = got.Close() })
	assert.Equal(t, want, contentNow(t, got))
	assert.Contains(t, log.String(), fmt.Sprintf("the data file was not closed (its sandbox was killed, or its machine stopped): brought it up to date from its log\" path=%s changes=%d", copied, len(pending)),
		"the host learns that the sandbox did not stop as it should, and that nothing was lost")
	assert.Empty(t, pendingRecords(t, copied), "once replayed, the records are checkpointed")
	report, err := got.Check(t.Context())
	require.NoError(t, err)
	assert.True(t, report.OK(), "%v", report.Problems)
}

// TestALogBringsBackWhatAPowerCutLeft checkpoints, commits, and then builds
// the data file a power cut could leave: each page as the checkpoint left
// it or as the commits since wrote it, at random, the meta pages
// included. The log holds every commit answered; opening the file must
// bring back exactly the store's content.
func TestALogBringsBackWhatAPowerCutLeft(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.log.checkpointCommits = 1 << 30 // none but the one below
	d.commits.log.checkpointBytes = 1 << 40
	require.NoError(t, fillReal(d, newRealPayments(5), 0, 25, 1))
	d.commits.writing.Lock()
	require.NoError(t, d.commits.log.checkpoint(d.db, schemaVersion))
	d.commits.writing.Unlock()
	atCheckpoint, err := os.ReadFile(d.Path())
	require.NoError(t, err)

	require.NoError(t, fillReal(d, newRealPayments(6), 25, 45, 1))
	update(t, d, everyKindOfWrite)
	want := contentNow(t, d)
	now, err := os.ReadFile(d.Path())
	require.NoError(t, err)
	log, err := os.ReadFile(logPath(d.Path()))
	require.NoError(t, err)
	pageSize := d.db.Info().PageSize

	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 1))
			cut := make([]byte, len(now))
			for at := 0; at < len(now); at += pageSize {
				page := now[at : at+pageSize]
				switch {
				case seed == 0: // every write reached the disk
				case seed == 1 && at < 2*pageSize: // only the meta pages did
				case seed == 1 || r.IntN(2) == 0:
					if at < len(atCheckpoint) {
						page = atCheckpoint[at : at+pageSize]
					} else {
						page = make([]byte, pageSize)
					}
				}
				copy(cut[at:], page)
			}
			path := filepath.Join(t.TempDir(), "sandbox.db")
			require.NoError(t, os.WriteFile(path, cut, 0o600))
			require.NoError(t, os.WriteFile(logPath(path), log, 0o600))
			got, err := Open(path)
			require.NoError(t, err)
			defer got.Close()
			assert.Equal(t, want, contentNow(t, got))
			report, err := got.Check(t.Context())
			require.NoError(t, err)
			assert.True(t, report.OK(), "%v", report.Problems)
		})
	}
}

// TestALogCutShortEndsAtItsLastWholeRecord cuts the last record of a log in
// two, as a crash while it was written does: that commit was not answered,
// and the file opens as it was before it.
func TestALogCutShortEndsAtItsLastWholeRecord(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, fillReal(d, newRealPayments(7), 0, 10, 1))
	want := contentNow(t, d)
	update(t, d, everyKindOfWrite)
	copied := crashCopy(t, d)
	records := pendingRecords(t, copied)
	require.NotEmpty(t, records)
	last := records[len(records)-1]

	// Zero the second half of the last record.
	f, err := os.OpenFile(logPath(copied), os.O_RDWR, 0)
	require.NoError(t, err)
	end := int64(logRecords)
	for _, r := range records {
		end += logRecordHead + int64(len(r.ops))
	}
	_, err = f.WriteAt(make([]byte, len(last.ops)/2), end-int64(len(last.ops)/2))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	got, err := Open(copied)
	require.NoError(t, err)
	defer got.Close()
	assert.Equal(t, want, contentNow(t, got))
}

// TestALogWithoutAReadableHeaderIsSaid: a log whose two header slots are
// damaged cannot be replayed; the file opens as it is, and the host is
// told, not left to find changes missing. A log never checkpointed (its
// slots all zeros) is new, and opens without a word.
func TestALogWithoutAReadableHeaderIsSaid(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, fillReal(d, newRealPayments(9), 0, 5, 1))
	for _, tt := range []struct {
		name string
		slot byte
		warn bool
	}{
		{"damaged", 0x5a, true},
		{"never checkpointed", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			copied := crashCopy(t, d)
			f, err := os.OpenFile(logPath(copied), os.O_RDWR, 0)
			require.NoError(t, err)
			_, err = f.WriteAt(bytes.Repeat([]byte{tt.slot}, logRecords), 0)
			require.NoError(t, err)
			require.NoError(t, f.Close())

			var log testlog.Buffer
			got, err := OpenLogged(copied, slog.New(slog.NewTextHandler(&log, nil)))
			require.NoError(t, err, "the file opens as it is")
			require.NoError(t, got.Close())
			if tt.warn {
				assert.Contains(t, log.String(), `level=WARN msg="the data file's log has no readable header: the file opens as it is, without the changes the log may hold since its last checkpoint; if the sandbox was killed or its machine stopped, run sandbox check on it" path=`+copied)
			} else {
				assert.NotContains(t, log.String(), "no readable header")
			}
		})
	}
}

// TestAFileThatNeedsItsLogIsNotReadAsItIs: opened to read (sandbox check,
// sandbox backup --data), a file that was not closed is refused, with what
// to do, and left as it is.
func TestAFileThatNeedsItsLogIsNotReadAsItIs(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, fillReal(d, newRealPayments(8), 0, 5, 1))
	copied := crashCopy(t, d)
	before, err := os.ReadFile(copied)
	require.NoError(t, err)

	_, err = OpenReadOnly(copied)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "was not closed: start sandbox serve on it once")
	after, err := os.ReadFile(copied)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a read-only open changes nothing")

	// Once opened to write, and closed, it reads.
	rw, err := Open(copied)
	require.NoError(t, err)
	require.NoError(t, rw.Close())
	ro, err := OpenReadOnly(copied)
	require.NoError(t, err)
	require.NoError(t, ro.Close())
}

// TestALogIsNotAppliedToAnotherFile: a data file put in the place of one
// that was not closed is not taken back to the other's checkpoint.
func TestALogIsNotAppliedToAnotherFile(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, fillReal(d, newRealPayments(9), 0, 30, 1))
	d.commits.writing.Lock()
	require.NoError(t, d.commits.log.checkpoint(d.db, schemaVersion)) // a base with payments
	d.commits.writing.Unlock()
	require.NoError(t, fillReal(d, newRealPayments(9), 30, 35, 1))
	copied := crashCopy(t, d)
	require.NotEmpty(t, pendingRecords(t, copied))
	other := newDB(t)
	require.NoError(t, fillReal(other, newRealPayments(10), 0, 12, 1))
	require.NoError(t, other.Close())
	raw, err := os.ReadFile(other.Path())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(copied, raw, 0o600))

	_, err = Open(copied)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not the file its log")
	assert.Contains(t, err.Error(), "remove "+logPath(copied))
	after, err := os.ReadFile(copied)
	require.NoError(t, err)
	assert.Equal(t, raw, after, "the other file is left as it is")
}

// TestALogThatCannotBeWrittenStopsEveryCommit: a commit whose record
// cannot be written is not durable, and is not answered as if it were;
// nor is any commit after it.
func TestALogThatCannotBeWrittenStopsEveryCommit(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, d.commits.log.f.Close()) // every write of the log now fails
	write := func(tx platform.Tx) error { return tx.PutClockState(platform.ClockState{Offset: time.Hour}) }
	err := d.Update(context.Background(), write)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stop the sandbox and start it again")
	assert.ErrorIs(t, d.Update(context.Background(), write), os.ErrClosed)
}

// TestAMetaPageWhoseChecksumEndsInZeroIsKept: the log keeps a meta page
// without the zeros after it, and must not take the checksum's last byte
// for one of them.
func TestAMetaPageWhoseChecksumEndsInZeroIsKept(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, d.Close())
	raw, err := os.ReadFile(d.Path())
	require.NoError(t, err)
	page := bytes.Clone(raw[:4096])
	m := page[pageHeaderSize : pageHeaderSize+metaSize]
	txid := uint64(0)
	for ; ; txid += 2 { // pages of an even transaction are page 0
		native.PutUint64(m[48:], txid)
		h := fnv.New64a()
		h.Write(m[:56])
		native.PutUint64(m[56:], h.Sum64())
		if m[63] == 0 {
			break
		}
	}
	path := filepath.Join(t.TempDir(), "meta")
	require.NoError(t, os.WriteFile(path, page, 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	l := &redoLog{data: f, pageSize: 4096}
	meta, _, err := l.metaPage(txid)
	require.NoError(t, err)
	got, ok := readMeta(meta)
	require.True(t, ok, "the kept meta page reads")
	assert.Equal(t, txid, got.txid)
}

// TestACommitBboltFailedIsTakenBackOutOfTheLog: a record is appended while
// bbolt writes its commit's pages; when that commit fails, the committer
// takes the record out again, answers bbolt's error, and the next record
// takes its place.
func TestACommitBboltFailedIsTakenBackOutOfTheLog(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	l := d.commits.log
	d.commits.writing.Lock()
	defer d.commits.writing.Unlock()
	f, err := os.Open(l.path)
	require.NoError(t, err)
	defer f.Close()
	h, ok, err := readHeader(f)
	require.NoError(t, err)
	require.True(t, ok)

	require.NoError(t, l.append(h.base+1, []byte{opReset, 1}))
	require.NoError(t, l.append(h.base+2, []byte{opReset, 1, opReset, 1}))
	failed := errors.New("bbolt could not commit")
	assert.ErrorIs(t, d.commits.logged(failed, nil), failed)
	require.NoError(t, l.append(h.base+2, []byte{opReset, 1}))

	records, err := readRecords(f, h)
	require.NoError(t, err)
	assert.Equal(t, []logRecord{{h.base + 1, []byte{opReset, 1}}, {h.base + 2, []byte{opReset, 1}}}, records)
	assert.NoError(t, d.commits.broken, "a commit bbolt failed does not stop the next")
}

// TestACrashAfterRecoveryKeepsWhatItRecovered: once Open has replayed a
// log, the commits that follow (a conversion, say) reuse pages of the log's
// base. A crash then must not take the file back to that base: Open empties
// the log first. The crash here comes after commits that fill and drop a
// bucket of their own, on the pages the replay freed.
func TestACrashAfterRecoveryKeepsWhatItRecovered(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, fillReal(d, newRealPayments(11), 0, 12, 1))
	update(t, d, everyKindOfWrite)
	want := contentNow(t, d)
	copied := crashCopy(t, d)
	require.NotEmpty(t, pendingRecords(t, copied))

	var crashed string
	scratch := []byte("scratch")
	rw, err := open(copied, openOptions{timeout: lockTimeout, afterRecovery: func(bdb *bbolt.DB) error {
		for _, fill := range []bool{true, false} {
			err := bdb.Update(func(btx *bbolt.Tx) error {
				if !fill {
					return btx.DeleteBucket(scratch)
				}
				b, err := btx.CreateBucket(scratch)
				for i := 0; err == nil && i < 2000; i++ {
					err = b.Put(fmt.Appendf(nil, "%08d", i), bytes.Repeat([]byte{byte(i)}, 100))
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		crashed = crashCopy(t, &DB{path: copied})
		return nil
	}})
	require.NoError(t, err)
	require.NoError(t, rw.Close())

	got, err := Open(crashed)
	require.NoError(t, err)
	defer got.Close()
	assert.Equal(t, want, contentNow(t, got))
}

// TestALogBringsBackAGroupThatCreatedAndChangedAPayment replays a group
// commit in which one function creates a payment and the next changes its
// status: the copy holds exactly the store's content, its indexes
// included, as the commit indexed the payment once the group had run.
func TestALogBringsBackAGroupThatCreatedAndChangedAPayment(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	p := payment(1, "grouped", "oxxo", platform.StatusProcessing, base)
	release := holdCommit(t, d)
	created, changed := make(chan error, 1), make(chan error, 1)
	go func() { created <- d.Update(t.Context(), func(tx platform.Tx) error { return tx.CreatePayment(p) }) }()
	waitQueued(t, d, 1)
	go func() {
		changed <- d.Update(t.Context(), func(tx platform.Tx) error {
			q := *p
			q.Status = platform.StatusAwaitingRedirect
			return tx.PutPayment(&q)
		})
	}()
	release(2)
	require.NoError(t, <-created)
	require.NoError(t, <-changed)
	require.EqualValues(t, 2, d.Commits(), "the held commit, then one for the group")

	copied := crashCopy(t, d)
	require.NotEmpty(t, pendingRecords(t, copied))
	got, err := Open(copied)
	require.NoError(t, err)
	t.Cleanup(func() { _ = got.Close() })
	assert.Equal(t, contentNow(t, d), contentNow(t, got))
}

// TestDeliveryStoredAgainIsReadOnce stores a delivery again, as the record
// of an attempt does: the write reads its old record and puts the new one,
// and the log records the new one, as stored, without reading it back.
func TestDeliveryStoredAgainIsReadOnce(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	dl := delivery(1, key("p1"), platform.DeliveryPending)
	update(t, d, func(tx platform.Tx) error {
		if err := tx.CreatePayment(payment(1, "p1", "oxxo", platform.StatusAwaitingRedirect, base)); err != nil {
			return err
		}
		return tx.PutDelivery(dl)
	})
	update(t, d, func(tx platform.Tx) error {
		dl.Attempts = append(dl.Attempts, platform.Attempt{At: base.Add(time.Second), Status: 500})
		seeks(t, tx, func() error { return tx.PutDelivery(dl) }) // opens the buckets, which bbolt then keeps
		dl.Status = platform.DeliveryDelivered
		dl.Attempts = append(dl.Attempts, platform.Attempt{At: base.Add(time.Minute), Status: 200})
		assert.Equal(t, int64(2), seeks(t, tx, func() error { return tx.PutDelivery(dl) }), "its record read and put")
		return nil
	})
	records := pendingRecords(t, d.Path())
	require.NotEmpty(t, records)
	ops := &dec{b: records[len(records)-1].ops}
	var logged []byte
	for len(ops.b) > 0 && ops.err == nil {
		require.Equal(t, byte(opPutDelivery), ops.b[0], "the commit put deliveries only")
		ops.b = ops.b[1:]
		require.Equal(t, uint64(1), ops.uvarint())
		logged = ops.bytes()
		require.True(t, ops.bool(), "the put succeeded")
	}
	require.NoError(t, ops.err)
	view(t, d, func(tx platform.Tx) error {
		assert.Equal(t, btxOf(tx).Bucket(bucketDeliveries).Get(u64(1)), logged, "the log holds the record stored")
		return nil
	})
}
