package bolt

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestOpenConvertsSchema1 opens a file written by the store of schema 1
// (testdata/v1.db, see writeV1Fixture) and finds everything it held.
func TestOpenConvertsSchema1(t *testing.T) {
	t.Parallel()
	old, err := os.ReadFile("testdata/v1.db")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "sandbox.db")
	require.NoError(t, os.WriteFile(path, old, 0o600))

	migrated, err := Open(path)
	require.NoError(t, err)
	defer migrated.Close()
	require.NoError(t, migrated.db.View(func(btx *bbolt.Tx) error {
		assert.Equal(t, u64(schemaVersion), btx.Bucket(bucketMeta).Get(keySchema))
		assert.Nil(t, btx.Bucket(bucketV1PaymentsByTime), "the old time index is gone")
		return nil
	}))
	// The same writes to a new file give what the converted file holds.
	written := newDB(t)
	update(t, written, writeV1Fixture)

	for name, d := range map[string]*DB{"converted": migrated, "written anew": written} {
		t.Run(name, func(t *testing.T) { checkV1Fixture(t, d) })
	}
}

// checkV1Fixture finds in d what writeV1Fixture wrote.
func checkV1Fixture(t *testing.T, d *DB) {
	assertIndexesConsistent(t, d)

	view(t, d, func(tx platform.Tx) error {
		ps, err := tx.Projects()
		require.NoError(t, err)
		assert.Equal(t, v1Projects(), ps)
		for _, want := range v1Payments() {
			got, err := tx.Payment(want.Key())
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		page, err := tx.Payments(platform.PaymentFilter{ProjectID: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{"order-3", "order-1", "full"}, ids(page.Payments), "newest first, as before")
		for _, want := range v1Deliveries() {
			got, err := tx.Delivery(want.ID)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		ds, err := tx.Deliveries(platform.DeliveryFilter{ProjectID: 1, PaymentID: "order-3"})
		require.NoError(t, err)
		assert.Equal(t, []uint64{2}, deliveryIDsOf(ds))
		js, err := tx.Jobs(key("order-3"))
		require.NoError(t, err)
		assert.Equal(t, []platform.Job{v1Jobs()[1], v1Jobs()[0]}, js)
		k, err := tx.PaymentByReference("oxxo", "66009238685590")
		require.NoError(t, err)
		assert.Equal(t, key("order-1"), k)
		clock, err := tx.ClockState()
		require.NoError(t, err)
		assert.Equal(t, platform.ClockState{Offset: time.Hour, Frozen: true, FrozenAt: base}, clock)
		return nil
	})
	update(t, d, func(tx platform.Tx) error {
		id, err := tx.NextID("operations")
		require.NoError(t, err)
		assert.Equal(t, uint64(8), id, "sequences carry on")
		return tx.CreatePayment(payment(1, "after", "oxxo", platform.StatusProcessing, base.Add(time.Hour)))
	})
	assertIndexesConsistent(t, d)
}

// v2File writes a copy of testdata/v2.db.gz, a file written by the store
// of schema 2 (commit bd9c910: 120 payments of fillReal(newRealPayments(7),
// 0, 120, 20) and addV2FixtureJobs(tx, true)), into a folder of t's and
// returns its path.
func v2File(t *testing.T) string {
	t.Helper()
	old, err := readSource("testdata/v2.db.gz")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "sandbox.db")
	require.NoError(t, os.WriteFile(path, old, 0o600))
	return path
}

// TestOpenConvertsSchema2 opens the file of schema 2 of v2File, says it
// converts it, and finds everything it held: its references through the
// filter of generation 0, its jobs through the index by payment sequence
// (schemas 2 and 3 listed them by payment key).
func TestOpenConvertsSchema2(t *testing.T) {
	t.Parallel()
	path := v2File(t)
	var logged bytes.Buffer
	converted, err := OpenLogged(path, slog.New(slog.NewTextHandler(&logged, nil)))
	require.NoError(t, err)
	defer converted.Close()
	assert.Contains(t, logged.String(), "converting the data file")
	assert.Contains(t, logged.String(), "references_sealed=120 jobs_indexed=240 jobs_dropped=1")
	assert.Contains(t, logged.String(), "payment_keys_sealed=120")
	require.NoError(t, converted.db.View(func(btx *bbolt.Tx) error {
		assert.Equal(t, u64(schemaVersion), btx.Bucket(bucketMeta).Get(keySchema))
		return nil
	}))
	assert.Equal(t, []string{"0:120 sealed"}, generationsOf(t, converted, referenceIndex))
	assert.Equal(t, []string{"0:120 sealed"}, generationsOf(t, converted, paymentKeyIndex))
	assertIndexesConsistent(t, converted)

	written := newDB(t)
	require.NoError(t, fillReal(written, newRealPayments(7), 0, 120, 20))
	update(t, written, func(tx platform.Tx) error { return addV2FixtureJobs(tx, false) })
	var payments []*platform.Payment
	refs := map[string]platform.PaymentKey{}
	view(t, written, func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{})
		payments = page.Payments
		return err
	})
	require.NoError(t, written.db.View(func(btx *bbolt.Tx) error {
		return (&tx{btx: btx}).generations(referenceIndex, func(g generation) (bool, error) {
			return true, g.b.ForEach(func(k, v []byte) error {
				pk, err := parsePaymentKey(v)
				refs[string(k[len("oxxo\x00"):])] = pk
				return err
			})
		})
	}))
	require.Len(t, payments, 120)
	require.Len(t, refs, 120)
	jobs := map[platform.PaymentKey][]platform.Job{}
	view(t, written, func(tx platform.Tx) error {
		for _, p := range payments {
			js, err := tx.Jobs(p.Key())
			require.NoError(t, err)
			jobs[p.Key()] = js
		}
		return nil
	})
	view(t, converted, func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{})
		require.NoError(t, err)
		assert.Equal(t, payments, page.Payments)
		n := 0
		for _, p := range payments {
			js, err := tx.Jobs(p.Key())
			require.NoError(t, err)
			assert.Equal(t, jobs[p.Key()], js, "the jobs of %s", p.Key())
			n += len(js)
		}
		assert.Equal(t, 240, n, "two jobs a payment")
		due, err := tx.DueJobs(maxKeyTime, 0)
		require.NoError(t, err)
		assert.Len(t, due, 240, "the job of no stored payment is dropped")
		for ref, want := range refs {
			got, err := tx.PaymentByReference("oxxo", ref)
			require.NoError(t, err, ref)
			assert.Equal(t, want, got)
		}
		_, err = tx.PaymentByReference("oxxo", "00000000000000")
		assert.ErrorIs(t, err, platform.ErrNotFound)
		return nil
	})

	// New references start generation 1; the old ones stay found, and are
	// deleted from generation 0.
	var some string
	for some = range refs {
		break
	}
	update(t, converted, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "new", key("new")))
		return tx.DeleteReference("oxxo", some)
	})
	assert.Equal(t, []string{"1:1", "0:119 sealed"}, generationsOf(t, converted, referenceIndex))
	assert.Equal(t, "new", owner(t, converted, "new"))
	assert.Empty(t, owner(t, converted, some))
	assertIndexesConsistent(t, converted)

	// Opened again, it is not converted twice.
	again, log := reopen(t, converted)
	assert.Empty(t, log)
	assert.Equal(t, []string{"1:1", "0:119 sealed"}, generationsOf(t, again, referenceIndex))
}

// addV2FixtureJobs adds to the payments of testdata/v2.db.gz what the file
// holds of jobs: two of each payment and, with orphan, one of a payment
// that is not stored, which only schema 3 and before took.
func addV2FixtureJobs(tx platform.Tx, orphan bool) error {
	page, err := tx.Payments(platform.PaymentFilter{})
	if err != nil {
		return err
	}
	for i, p := range page.Payments {
		if err := tx.PutJob(platform.Job{ID: 1000 + 2*uint64(i), Kind: platform.JobProvider, Name: "lapse",
			Due: base.Add(time.Duration(i) * time.Hour), Payment: p.Key()}); err != nil {
			return err
		}
		if err := tx.PutJob(platform.Job{ID: 1001 + 2*uint64(i), Kind: platform.JobDeliver, DeliveryID: 7,
			Due: base.Add(-time.Duration(i) * time.Minute), Payment: p.Key()}); err != nil {
			return err
		}
	}
	if !orphan {
		return nil
	}
	return tx.PutJob(platform.Job{ID: 5000, Kind: platform.JobProvider, Name: "lapse", Due: base,
		Payment: platform.PaymentKey{ProjectID: 842, PaymentID: "gone"}})
}

// TestJobConversionStartsAgain: a conversion of the jobs cut short, with
// part of the new index written and the version not yet set, is done again
// from the start at the next Open.
func TestJobConversionStartsAgain(t *testing.T) {
	t.Parallel()
	path := v2File(t)
	d, err := Open(path)
	require.NoError(t, err)
	want := jobsByPayment(t, d)
	// As a conversion from schema 3 cut short leaves it: the old index,
	// a new one half written with an entry of no job, and version 3.
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
		if _, err := btx.CreateBucket(bucketV3JobsByPayment); err != nil {
			return err
		}
		b := btx.Bucket(bucketPaymentJobs)
		if err := b.Put(paymentJobKey(1, make([]byte, 16)), empty); err != nil {
			return err
		}
		var tail [][]byte // all but 100 entries
		c := b.Cursor()
		for k, _ := c.Last(); k != nil && len(tail) < 141; k, _ = c.Prev() {
			tail = append(tail, bytes.Clone(k))
		}
		for _, k := range tail {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, u64(3))
	}))
	require.NoError(t, d.Close())

	var logged bytes.Buffer
	again, err := OpenLogged(path, slog.New(slog.NewTextHandler(&logged, nil)))
	require.NoError(t, err)
	defer again.Close()
	assert.Contains(t, logged.String(), "schema=3 to=5")
	assert.Contains(t, logged.String(), "jobs_indexed=240 jobs_dropped=0")
	assert.Equal(t, want, jobsByPayment(t, again))
	require.NoError(t, again.db.View(func(btx *bbolt.Tx) error {
		assert.Nil(t, btx.Bucket(bucketV3JobsByPayment), "the old index is gone")
		return nil
	}))
	assertIndexesConsistent(t, again)
}

// reopen closes d and opens its file again, and returns it with what Open
// logged; it is closed when t ends.
func reopen(t *testing.T, d *DB) (*DB, string) {
	t.Helper()
	require.NoError(t, d.Close())
	var logged bytes.Buffer
	again, err := OpenLogged(d.Path(), slog.New(slog.NewTextHandler(&logged, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { again.Close() })
	return again, logged.String()
}

// jobsByPayment returns the jobs of every payment of d.
func jobsByPayment(t *testing.T, d *DB) map[platform.PaymentKey][]platform.Job {
	t.Helper()
	out := map[platform.PaymentKey][]platform.Job{}
	view(t, d, func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{})
		require.NoError(t, err)
		for _, p := range page.Payments {
			js, err := tx.Jobs(p.Key())
			require.NoError(t, err)
			out[p.Key()] = js
		}
		return nil
	})
	return out
}
