package bolt

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

func TestOpenCreatesDirectoriesAndEveryBucket(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a", "b", "sandbox.db")
	d, err := Open(path)
	require.NoError(t, err)
	defer d.Close()

	assert.Equal(t, path, d.Path())
	assert.FileExists(t, path)
	err = d.db.View(func(btx *bbolt.Tx) error {
		for _, b := range allBuckets {
			assert.NotNil(t, btx.Bucket(b.name), "bucket %s", b.name)
		}
		assert.Equal(t, u64(schemaVersion), btx.Bucket(bucketMeta).Get(keySchema))
		return nil
	})
	require.NoError(t, err)
}

func TestOpenTwiceFailsClearly(t *testing.T) {
	t.Parallel()
	d := newDB(t)

	start := time.Now()
	second, err := open(d.Path(), openOptions{timeout: 50 * time.Millisecond})
	if second != nil {
		_ = second.Close()
	}
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, berrors.ErrTimeout)
	assert.ErrorIs(t, err, ErrInUse)
	assert.True(t, strings.HasSuffix(err.Error(), "data file "+d.Path()+" is in use by another sandbox (no lock after 50ms): stop it or use another data file"),
		"it ends with what to do, not with what the system said of the lock: %v", err)

	// The first one still works.
	update(t, d, func(tx platform.Tx) error { return tx.PutProject(platform.DemoProject()) })
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o600))
	garbage := filepath.Join(dir, "garbage.db")
	require.NoError(t, os.WriteFile(garbage, []byte(strings.Repeat("not a bbolt file ", 1000)), 0o600))

	tests := []struct {
		name, path, want string
	}{
		{"no path", "", "needs a path"},
		{"parent is a file", filepath.Join(notDir, "sandbox.db"), "create the folder of data file"},
		{"not a bbolt file", garbage, "is damaged, or is not a sandbox data file"},
	}
	if runtime.GOOS == "linux" {
		// sysfs refuses a new folder even to root: the system's refusal,
		// not damage, with what to change.
		tests = append(tests, struct{ name, path, want string }{"a folder the system refuses", "/sys/sandbox-data/sandbox.db", "which may not write there: give that user the folder (chown), or choose another data folder"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := open(tt.path, openOptions{timeout: 50 * time.Millisecond})
			if d != nil {
				_ = d.Close()
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestRefusalsSayWhatToChange: a data file the system will not open or
// create is not called damaged (which would have the host move it aside):
// the error says what the host must change.
func TestRefusalsSayWhatToChange(t *testing.T) {
	t.Parallel()
	open := func(errno syscall.Errno) error {
		return &fs.PathError{Op: "open", Path: "/data/sandbox.db", Err: errno}
	}
	tests := []struct {
		err  error
		want string
	}{
		{open(syscall.EROFS), "read-only file system; the file system is read-only: give the sandbox a data folder on a writable one"},
		{open(syscall.EACCES), "permission denied; the sandbox runs as user"},
		{open(syscall.ENOSPC), "no space left on device; the disk is full: free some space"},
		{open(syscall.EIO), "open data file /data/sandbox.db: open /data/sandbox.db: input/output error"},
	}
	for _, tt := range tests {
		err := refused("open data file /data/sandbox.db", tt.err)
		assert.Contains(t, err.Error(), tt.want)
		assert.NotContains(t, err.Error(), "damaged")
		assert.ErrorIs(t, err, tt.err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion+1))
	}))
	require.NoError(t, d.Close())

	again, err := Open(d.Path())
	if again != nil {
		_ = again.Close()
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "newer than this sandbox knows")
}

func TestUpdateRollsBackWhenFnFails(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	boom := errors.New("boom")

	err := d.Update(t.Context(), func(tx platform.Tx) error {
		require.NoError(t, tx.PutProject(platform.DemoProject()))
		require.NoError(t, tx.CreatePayment(payment(1, "p1", "oxxo", platform.StatusProcessing, base)))
		require.NoError(t, tx.PutJob(platform.Job{ID: 1, Due: base, Kind: platform.JobProcess, Payment: key("p1")}))
		require.NoError(t, tx.PutClockState(platform.ClockState{Offset: time.Hour}))
		_, err := tx.NextID("jobs")
		require.NoError(t, err)
		return boom
	})
	assert.Same(t, boom, err, "fn's error comes back as it is")

	view(t, d, func(tx platform.Tx) error {
		_, err := tx.Project(1)
		assert.ErrorIs(t, err, platform.ErrNotFound)
		_, err = tx.Payment(key("p1"))
		assert.ErrorIs(t, err, platform.ErrNotFound)
		page, err := tx.Payments(platform.PaymentFilter{})
		ps := page.Payments
		require.NoError(t, err)
		assert.Empty(t, ps)
		_, ok, err := tx.NextJob()
		require.NoError(t, err)
		assert.False(t, ok)
		_, err = tx.ClockState()
		assert.ErrorIs(t, err, platform.ErrNotFound)
		return nil
	})
	update(t, d, func(tx platform.Tx) error {
		id, err := tx.NextID("jobs")
		require.NoError(t, err)
		assert.Equal(t, uint64(1), id, "the sequence rolled back too")
		return nil
	})
}

func TestUpdateRollsBackWhenFnPanics(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	err := d.Update(t.Context(), func(tx platform.Tx) error {
		require.NoError(t, tx.PutProject(platform.DemoProject()))
		panic("boom")
	})
	var perr *PanicError
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, "boom", perr.Value)
	assert.Contains(t, string(perr.Stack), "TestUpdateRollsBackWhenFnPanics")
	assert.EqualError(t, err, "bolt: a transaction panicked: boom")
	view(t, d, func(tx platform.Tx) error {
		_, err := tx.Project(1)
		assert.ErrorIs(t, err, platform.ErrNotFound)
		return nil
	})
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name string
		run  func(context.Context, func(platform.Tx) error) error
	}{
		{"update", d.Update},
		{"view", d.View},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			err := tt.run(ctx, func(platform.Tx) error { called = true; return nil })
			assert.ErrorIs(t, err, context.Canceled)
			assert.False(t, called, "fn must not run")
		})
	}
}

func TestViewIsReadOnly(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	p := payment(1, "p1", "oxxo", platform.StatusProcessing, base)
	stored := payment(1, "stored", "oxxo", platform.StatusProcessing, base) // a job belongs to a stored payment
	update(t, d, func(tx platform.Tx) error { return tx.CreatePayment(stored) })
	writes := []struct {
		name string
		fn   func(platform.Tx) error
	}{
		{"PutProject", func(tx platform.Tx) error { return tx.PutProject(platform.DemoProject()) }},
		{"CreatePayment", func(tx platform.Tx) error { return tx.CreatePayment(p) }},
		{"PutPayment", func(tx platform.Tx) error { return tx.PutPayment(p) }},
		{"PutReference", func(tx platform.Tx) error { return tx.PutReference("oxxo", "r", p.Key()) }},
		{"NextID", func(tx platform.Tx) error { _, err := tx.NextID("jobs"); return err }},
		{"PutJob", func(tx platform.Tx) error {
			return tx.PutJob(platform.Job{ID: 1, Due: base, Payment: stored.Key()})
		}},
		{"PutDelivery", func(tx platform.Tx) error { return tx.PutDelivery(delivery(1, p.Key(), platform.DeliveryPending)) }},
		{"PutClockState", func(tx platform.Tx) error { return tx.PutClockState(platform.ClockState{}) }},
		{"Reset", func(tx platform.Tx) error { return tx.Reset() }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			err := d.View(t.Context(), w.fn)
			assert.ErrorIs(t, err, berrors.ErrTxNotWritable)
		})
	}
}

// TestReopen writes one of everything, closes the file, opens it again and
// finds everything there.
func TestReopen(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	project := platform.Project{ID: 7, Secret: "s7", CallbackURL: "https://m.example/cb"}
	p := payment(7, "p1", "oxxo", platform.StatusSuccess, base)
	j := platform.Job{ID: 3, Due: base.Add(time.Hour), Kind: platform.JobProvider, Payment: p.Key(), Name: "lapse"}
	dl := delivery(4, p.Key(), platform.DeliveryDelivered)
	clock := platform.ClockState{Offset: 72 * time.Hour, Frozen: true, FrozenAt: base}
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutProject(project))
		require.NoError(t, tx.CreatePayment(p))
		require.NoError(t, tx.PutReference("oxxo", "REF1", p.Key()))
		require.NoError(t, tx.PutJob(j))
		require.NoError(t, tx.PutDelivery(dl))
		require.NoError(t, tx.PutClockState(clock))
		for range 5 {
			_, err := tx.NextID("operations")
			require.NoError(t, err)
		}
		return nil
	})
	require.NoError(t, d.Close())

	d, err := Open(d.Path())
	require.NoError(t, err)
	defer d.Close()
	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Project(7)
		require.NoError(t, err)
		assert.Equal(t, project, got)
		gp, err := tx.Payment(p.Key())
		require.NoError(t, err)
		assert.Equal(t, p, gp)
		page, err := tx.Payments(platform.PaymentFilter{ProjectID: 7})
		ps := page.Payments
		require.NoError(t, err)
		assert.Equal(t, []string{"p1"}, ids(ps))
		k, err := tx.PaymentByReference("oxxo", "REF1")
		require.NoError(t, err)
		assert.Equal(t, p.Key(), k)
		js, err := tx.Jobs(p.Key())
		require.NoError(t, err)
		assert.Equal(t, []platform.Job{j}, js)
		gd, err := tx.Delivery(4)
		require.NoError(t, err)
		assert.Equal(t, dl, gd)
		gc, err := tx.ClockState()
		require.NoError(t, err)
		assert.Equal(t, clock, gc)
		return nil
	})
	update(t, d, func(tx platform.Tx) error {
		id, err := tx.NextID("operations")
		require.NoError(t, err)
		assert.Equal(t, uint64(6), id)
		return nil
	})
}

// TestValuesOutliveTheirTransaction reads values, then grows the file until
// bbolt maps it anew: what was read must not change, so it cannot alias
// bbolt's memory.
func TestValuesOutliveTheirTransaction(t *testing.T) {
	t.Parallel()
	// With a log (redolog.go), bbolt's map never moves: this is a data
	// file without one, as on systems that have none.
	d, err := open(filepath.Join(t.TempDir(), "sandbox.db"), openOptions{timeout: lockTimeout, noLog: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	p := payment(1, "p1", "oxxo", platform.StatusProcessing, base)
	p.ProviderData = []byte(`{"state":"issued"}`)
	p.Voucher = &platform.Voucher{Reference: "1234", Barcode: "999", IssuedAt: base}
	dl := delivery(1, p.Key(), platform.DeliveryPending)
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.CreatePayment(p))
		require.NoError(t, tx.PutReference("oxxo", "1234", p.Key()))
		return tx.PutDelivery(dl)
	})

	var (
		gotPayment  *platform.Payment
		gotKey      platform.PaymentKey
		gotDelivery *platform.Delivery
	)
	view(t, d, func(tx platform.Tx) (err error) {
		if gotPayment, err = tx.Payment(p.Key()); err != nil {
			return err
		}
		if gotKey, err = tx.PaymentByReference("oxxo", "1234"); err != nil {
			return err
		}
		gotDelivery, err = tx.Delivery(1)
		return err
	})

	// Grow the file until bbolt maps it anew, elsewhere: the map the
	// values were read from is gone.
	mapped := d.db.Info().Data
	filler := `"` + strings.Repeat("a", 64<<10) + `"`
	for i := 0; d.db.Info().Data == mapped; i++ {
		require.Less(t, i, 64, "4 MB more and bbolt still has the file where it was")
		update(t, d, func(tx platform.Tx) error {
			q := payment(2, strings.Repeat("x", i+1), "oxxo", platform.StatusSuccess, base)
			q.ProviderData = []byte(filler)
			return tx.PutPayment(q)
		})
	}
	require.NoError(t, d.db.Sync())

	assert.Equal(t, p, gotPayment)
	assert.Equal(t, p.Key(), gotKey)
	assert.Equal(t, dl, gotDelivery)
}
