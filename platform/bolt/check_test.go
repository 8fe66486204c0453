package bolt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// firstKey returns a copy of the first key of b.
func firstKey(b *bbolt.Bucket) []byte {
	k, _ := b.Cursor().First()
	return append([]byte(nil), k...)
}

// firstNested returns the first bucket in b.
func firstNested(b *bbolt.Bucket) *bbolt.Bucket {
	var name []byte
	_ = b.ForEachBucket(func(k []byte) error {
		if name == nil {
			name = k
		}
		return nil
	})
	return b.Bucket(name)
}

// TestCheckNamesBrokenIndexes breaks each index of a sound file in one
// place, under the records' feet: Check's quick comparison sees that
// something differs, and its precise step names what.
func TestCheckNamesBrokenIndexes(t *testing.T) {
	t.Parallel()
	sound := soundWithJobs(t)
	tests := []struct {
		name   string
		damage func(btx *bbolt.Tx) error
		want   []string
	}{
		{"a payment's key removed", func(btx *bbolt.Tx) error {
			b := firstNested(btx.Bucket(bucketPaymentKeyGenerations))
			return b.Delete(firstKey(b))
		}, []string{"its key names , not", "payment key generation 1 counts 1000 keys and holds 999"}},
		{"a key naming another payment", func(btx *bbolt.Tx) error {
			b := firstNested(btx.Bucket(bucketPaymentKeyGenerations))
			return b.Put(firstKey(b), u64(999_999))
		}, []string{"its record 00000000000f423f is missing"}},
		{"a key of generation 0 naming another payment", func(btx *bbolt.Tx) error {
			b := firstNested(btx.Bucket(bucketPaymentKeyGenerations))
			k := firstKey(b)
			if err := b.Delete(k); err != nil {
				return err
			}
			return btx.Bucket(bucketPaymentKeys).Put(k, u64(999_999))
		}, []string{"its record 00000000000f423f is missing"}},
		{"an index entry removed", func(btx *bbolt.Tx) error {
			b := firstNested(firstNested(btx.Bucket(bucketPaymentIndex)))
			return b.Delete(firstKey(b))
		}, []string{"is missing from index", "counts 1000 entries but holds 999"}},
		{"an index entry too many", func(btx *bbolt.Tx) error {
			b := firstNested(firstNested(btx.Bucket(bucketPaymentIndex)))
			return b.Put(makeRef(1, 999_999), empty)
		}, []string{"names payment 999999, which is missing"}},
		{"a delivery missing from its payment's index", func(btx *bbolt.Tx) error {
			b := btx.Bucket(bucketDeliveriesByPayment)
			return b.Delete(firstKey(b))
		}, []string{"is missing from the index of payment", "the delivery indexes hold 1999 and 2000 entries for 2000 deliveries"}},
		{"a delivery missing from its project's index", func(btx *bbolt.Tx) error {
			b := firstNested(btx.Bucket(bucketDeliveriesByProject))
			return b.Delete(firstKey(b))
		}, []string{"is missing from the index of project"}},
		{"a job missing from the index by ID", func(btx *bbolt.Tx) error {
			b := btx.Bucket(bucketJobsByID)
			return b.Delete(firstKey(b))
		}, []string{"is missing from the index by ID"}},
		{"a job missing from its payment's index", func(btx *bbolt.Tx) error {
			b := btx.Bucket(bucketPaymentJobs)
			return b.Delete(firstKey(b))
		}, []string{"is missing from the index of payment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "sandbox.db")
			require.NoError(t, os.WriteFile(path, sound, 0o600))
			d, err := Open(path)
			require.NoError(t, err)
			defer d.Close()

			require.NoError(t, d.db.Update(tt.damage))
			r, err := d.Check(t.Context())
			require.NoError(t, err)
			require.NotEmpty(t, r.Problems)
			for _, want := range tt.want {
				found := false
				for _, p := range r.Problems {
					found = found || strings.Contains(p, want)
				}
				assert.True(t, found, "no problem says %q: %q", want, r.Problems)
			}
		})
	}
}

// soundWithJobs returns the bytes of damagedSource's file with three jobs
// of its newest payments added to break (its payments are done with
// theirs), which Check finds sound.
func soundWithJobs(t *testing.T) []byte {
	t.Helper()
	path := sourceFile(t)
	d, err := Open(path)
	require.NoError(t, err)
	update(t, d, func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{Limit: 3})
		if err != nil {
			return err
		}
		for i, p := range page.Payments {
			err := tx.PutJob(platform.Job{ID: 100 + uint64(i), Kind: platform.JobProvider, Name: "lapse", Payment: p.Key(), Due: base})
			if err != nil {
				return err
			}
		}
		return nil
	})
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	require.Empty(t, r.Problems, "sound before")
	require.NoError(t, d.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
