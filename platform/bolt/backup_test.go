package bolt

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestBackupWhileWriting copies a store while writers create payments: the
// copy is a sound data file, of the size announced, with every payment
// committed before the backup began.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	write := func(w, i int) error {
		return d.Update(context.Background(), func(tx platform.Tx) error {
			return tx.CreatePayment(payment(1, fmt.Sprintf("w%d-%d", w, i), "oxxo", platform.StatusProcessing, created))
		})
	}
	update(t, d, func(tx platform.Tx) error { // the 200 payments before, in one commit
		for i := range 200 {
			if err := tx.CreatePayment(payment(1, fmt.Sprintf("w9-%d", i), "oxxo", platform.StatusProcessing, created)); err != nil {
				return err
			}
		}
		return nil
	})

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				assert.NoError(t, write(w, i))
			}
		}()
	}
	var buf bytes.Buffer
	var announced int64
	n, err := d.Backup(t.Context(), &buf, func(size int64) { announced = size })
	close(stop)
	wg.Wait()
	require.NoError(t, err)
	assert.Equal(t, announced, n)
	assert.Equal(t, int64(buf.Len()), n)

	path := filepath.Join(t.TempDir(), "copy.db")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	c, err := OpenReadOnly(path)
	require.NoError(t, err)
	defer c.Close()
	assertIndexesConsistent(t, c)
	require.NoError(t, c.View(t.Context(), func(tx platform.Tx) error {
		for i := range 200 {
			_, err := tx.Payment(key(fmt.Sprintf("w9-%d", i)))
			assert.NoError(t, err)
		}
		return nil
	}))
}

// TestBackupCancelled stops a copy whose context ends.
func TestBackupCancelled(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := d.Backup(ctx, &bytes.Buffer{}, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestCompactGivesBackWhatAResetFreed fills a store, resets it and fills it
// a little again: the compacted copy holds exactly what the store holds,
// every bucket sequence included, in a file a fraction of the store's
// size, which Open serves and Check finds sound.
func TestCompactGivesBackWhatAResetFreed(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	require.NoError(t, fillReal(d, newRealPayments(5), 0, 100, 25))
	update(t, d, func(tx platform.Tx) error { return tx.Reset() })
	require.NoError(t, fillReal(d, newRealPayments(6), 100, 110, 10))
	want := contentNow(t, d)
	var before int64
	require.NoError(t, d.db.View(func(btx *bbolt.Tx) error { before = btx.Size(); return nil }))

	path := filepath.Join(t.TempDir(), "sandbox.db")
	size, err := d.CompactTo(t.Context(), path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, info.Size(), size, "the size it says is the file's")
	assert.Less(t, size, before/3, "the pages the reset freed are left out")

	_, err = d.CompactTo(t.Context(), path)
	assert.ErrorContains(t, err, path+" exists", "a compaction writes no file that exists")

	got, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = got.Close() })
	assert.Equal(t, want, contentNow(t, got))
	report, err := got.Check(t.Context())
	require.NoError(t, err)
	assert.True(t, report.OK(), "%v", report.Problems)
	assert.Equal(t, 10, report.Payments)
}
