package bolt

import (
	"bytes"
	"log/slog"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestPaymentKeyGenerations: payment keys go to generations sealed at
// sealAt, and a payment is found, taken and updated whichever generation
// holds its key.
func TestPaymentKeyGenerations(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 4
	for i := range 10 {
		update(t, d, func(tx platform.Tx) error {
			return tx.CreatePayment(payment(1, "p"+strconv.Itoa(i), "oxxo", platform.StatusProcessing, base))
		})
	}
	assert.Equal(t, []string{"3:2", "2:4 sealed", "1:4 sealed", "0:0"}, generationsOf(t, d, paymentKeyIndex), "sealed at 4, generation 0 empty")
	view(t, d, func(tx platform.Tx) error {
		for i := range 10 {
			p, err := tx.Payment(key("p" + strconv.Itoa(i)))
			require.NoError(t, err)
			assert.Equal(t, "p"+strconv.Itoa(i), p.ID)
		}
		_, err := tx.Payment(key("p10"))
		assert.ErrorIs(t, err, platform.ErrNotFound)
		return nil
	})
	update(t, d, func(tx platform.Tx) error {
		err := tx.CreatePayment(payment(1, "p1", "oxxo", platform.StatusProcessing, base))
		assert.ErrorIs(t, err, platform.ErrExists, "a key of a sealed generation is taken")
		return tx.PutPayment(payment(1, "p1", "oxxo", platform.StatusSuccess, base))
	})
	assert.Equal(t, []string{"3:2", "2:4 sealed", "1:4 sealed", "0:0"}, generationsOf(t, d, paymentKeyIndex), "an update puts no key")
	view(t, d, func(tx platform.Tx) error {
		p, err := tx.Payment(key("p1"))
		require.NoError(t, err)
		assert.Equal(t, platform.StatusSuccess, p.Status)
		page, err := tx.Payments(platform.PaymentFilter{PaymentID: "p1"})
		require.NoError(t, err)
		assert.Equal(t, []string{"p1"}, ids(page.Payments), "one payment, listed once")
		return nil
	})
	assertIndexesConsistent(t, d)
}

// TestPaymentKeysReadThroughTheirFilter: a payment key slipped into a
// sealed generation behind its filter's back is not found, a key removed
// from its generation loses its payment, and Check reports both.
func TestPaymentKeysReadThroughTheirFilter(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 2
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.CreatePayment(payment(1, "a", "oxxo", platform.StatusProcessing, base)))
		require.NoError(t, tx.CreatePayment(payment(1, "b", "oxxo", platform.StatusProcessing, base)))
		return tx.CreatePayment(payment(1, "c", "oxxo", platform.StatusProcessing, base))
	})
	require.Equal(t, []string{"2:1", "1:2 sealed", "0:0"}, generationsOf(t, d, paymentKeyIndex))
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
		sealed := btx.Bucket(bucketPaymentKeyGenerations).Bucket(u64(1))
		c := btx.Bucket(bucketPaymentKeyGenerations).Bucket(u64(2))
		seq := bytes.Clone(c.Get(paymentKey(key("c"))))
		require.NoError(t, c.Delete(paymentKey(key("c"))))
		require.NoError(t, c.SetSequence(0))
		require.NoError(t, sealed.Put(paymentKey(key("c")), seq)) // behind the filter's back
		return sealed.Delete(paymentKey(key("a")))
	}))
	view(t, d, func(tx platform.Tx) error {
		for _, id := range []string{"a", "c"} {
			_, err := tx.Payment(key(id))
			assert.ErrorIs(t, err, platform.ErrNotFound, id)
		}
		_, err := tx.Payment(key("b"))
		assert.NoError(t, err)
		return nil
	})
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{
		"payment 1/a: its key names , not 0000000000000001",
		"payment 1/c: its key names , not 0000000000000003",
		`payment key "\x00\x00\x00\x00\x00\x00\x00\x01c" of generation 1 is missing from its filter: lookups would not find it`,
	}, r.Problems)
}

// TestPaymentsByPrefixAcrossGenerations lists payments by ID prefix in a
// store whose keys lie in many generations, the prefix read through the
// keys and through the indexes, and finds what a list of one bucket of keys
// finds: each matching payment once, newest first.
func TestPaymentsByPrefixAcrossGenerations(t *testing.T) {
	t.Parallel()
	one, many := newListStore(t, 0), newListStore(t, 0)
	many.d.commits.sealAt = 7
	one.add(t, 0, 60)
	for from := 0; from < 60; from += 13 { // commits that seal generations midway
		many.add(t, from, min(from+13, 60))
	}
	gens := generationsOf(t, many.d, paymentKeyIndex)
	require.Len(t, gens, 10, "%v", gens)
	walked := &listStore{d: many.d, created: many.created, maxPrefixScan: 5}
	for _, f := range []platform.PaymentFilter{
		{PaymentID: "ord-0"}, {PaymentID: "inv-0"}, {PaymentID: "inv-05"}, {PaymentID: "o"}, {PaymentID: "ord-059"},
		{PaymentID: "inv", ProjectID: 2}, {PaymentID: "ord-04", Status: platform.StatusSuccess}, {PaymentID: "x"},
	} {
		want := many.want(f)
		assert.Equal(t, want, ids(one.list(t, f).Payments), "%+v: one generation", f)
		assert.Equal(t, want, ids(many.list(t, f).Payments), "%+v: many generations", f)
		assert.Equal(t, want, many.listAll(t, f, 4), "%+v: pages of 4", f)
		assert.Equal(t, want, walked.listAll(t, f, 4), "%+v: pages of 4, more than 5 walked through the indexes", f)
	}
	assertIndexesConsistent(t, many.d)
}

// toSchema4 turns d's file into one of schema 4, as that schema kept the
// payment keys: in one bucket, with no generations. It closes d and
// returns the file's path.
func toSchema4(t *testing.T, d *DB) string {
	t.Helper()
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
		keys := btx.Bucket(bucketPaymentKeys)
		gens := btx.Bucket(bucketPaymentKeyGenerations)
		err := gens.ForEachBucket(func(g []byte) error {
			return gens.Bucket(g).ForEach(func(k, v []byte) error { return keys.Put(k, v) })
		})
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketPaymentKeyGenerations, bucketPaymentKeyFilters} {
			if err := btx.DeleteBucket(name); err != nil {
				return err
			}
		}
		meta := btx.Bucket(bucketMeta)
		if err := meta.Delete(keyPaymentKeyGeneration); err != nil {
			return err
		}
		return meta.Put(keySchema, u64(4))
	}))
	path := d.Path()
	require.NoError(t, d.Close())
	return path
}

// TestOpenConvertsSchema4: the payment keys of a file of schema 4 become
// generation 0, sealed; its payments are found through its filter, new
// ones start generation 1, and a second Open converts nothing.
func TestOpenConvertsSchema4(t *testing.T) {
	t.Parallel()
	written := newListStore(t, 40)
	var want []*platform.Payment
	view(t, written.d, func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{})
		want = page.Payments
		return err
	})
	path := toSchema4(t, written.d)

	var logged bytes.Buffer
	converted, err := OpenLogged(path, slog.New(slog.NewTextHandler(&logged, nil)))
	require.NoError(t, err)
	defer converted.Close()
	assert.Contains(t, logged.String(), "schema=4 to=5")
	assert.Contains(t, logged.String(), "payment_keys_sealed=40")
	assert.Equal(t, []string{"0:40 sealed"}, generationsOf(t, converted, paymentKeyIndex))
	assertIndexesConsistent(t, converted)
	view(t, converted, func(tx platform.Tx) error {
		for _, p := range want {
			got, err := tx.Payment(p.Key())
			require.NoError(t, err)
			assert.Equal(t, p, got)
		}
		page, err := tx.Payments(platform.PaymentFilter{PaymentID: "inv-01"})
		require.NoError(t, err)
		assert.Equal(t, written.want(platform.PaymentFilter{PaymentID: "inv-01"}), ids(page.Payments))
		return nil
	})
	update(t, converted, func(tx platform.Tx) error {
		assert.ErrorIs(t, tx.CreatePayment(listPayment(3)), platform.ErrExists)
		return tx.CreatePayment(listPayment(40))
	})
	assert.Equal(t, []string{"1:1", "0:40 sealed"}, generationsOf(t, converted, paymentKeyIndex))
	assertIndexesConsistent(t, converted)

	again, log := reopen(t, converted)
	assert.Empty(t, log, "converted once")
	assert.Equal(t, []string{"1:1", "0:40 sealed"}, generationsOf(t, again, paymentKeyIndex))
}
