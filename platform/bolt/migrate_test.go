package bolt

import (
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
