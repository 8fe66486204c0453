package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// generationsOf returns the number of every generation of ix in d, newest
// first, with the keys each holds and whether it has a filter.
func generationsOf(t *testing.T, d *DB, ix *generationIndex) []string {
	t.Helper()
	var out []string
	require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
		tx := &tx{btx: btx}
		return tx.generations(ix, func(g generation) (bool, error) {
			s := fmt.Sprintf("%d:%d", g.id, g.b.Stats().KeyN)
			if btx.Bucket(ix.filters).Get(u64(g.id)) != nil {
				s += " sealed"
			}
			out = append(out, s)
			return true, nil
		})
	}))
	return out
}

// owner returns the payment ID reference ref of oxxo names in d, or "" when
// there is none.
func owner(t *testing.T, d *DB, ref string) string {
	t.Helper()
	var id string
	view(t, d, func(tx platform.Tx) error {
		k, err := tx.PaymentByReference("oxxo", ref)
		if errors.Is(err, platform.ErrNotFound) {
			return nil
		}
		id = k.PaymentID
		return err
	})
	return id
}

func TestReferenceGenerations(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 4
	for i := range 10 {
		update(t, d, func(tx platform.Tx) error {
			return tx.PutReference("oxxo", "r"+strconv.Itoa(i), key("p"+strconv.Itoa(i)))
		})
	}
	assert.Equal(t, []string{"3:2", "2:4 sealed", "1:4 sealed", "0:0"}, generationsOf(t, d, referenceIndex), "sealed at 4, generation 0 empty")
	for i := range 10 {
		assert.Equal(t, "p"+strconv.Itoa(i), owner(t, d, "r"+strconv.Itoa(i)))
	}
	assert.Empty(t, owner(t, d, "r10"))

	// Put again, a reference of a sealed generation names its new payment;
	// deleted, it is gone from every generation.
	update(t, d, func(tx platform.Tx) error { return tx.PutReference("oxxo", "r1", key("q1")) })
	assert.Equal(t, "q1", owner(t, d, "r1"))
	assert.Equal(t, []string{"3:3", "2:4 sealed", "1:4 sealed", "0:0"}, generationsOf(t, d, referenceIndex))
	update(t, d, func(tx platform.Tx) error { return tx.DeleteReference("oxxo", "r1") })
	assert.Empty(t, owner(t, d, "r1"))
	update(t, d, func(tx platform.Tx) error { return tx.DeleteReference("oxxo", "r9") })
	assert.Empty(t, owner(t, d, "r9"))
	assert.Equal(t, []string{"3:1", "2:4 sealed", "1:3 sealed", "0:0"}, generationsOf(t, d, referenceIndex))
	assertIndexesConsistent(t, d)

	// The current generation counts what it holds, deletes too: three
	// more make it four, which seals it.
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "s1", key("s1")))
		require.NoError(t, tx.PutReference("oxxo", "s2", key("s2")))
		return tx.PutReference("oxxo", "s3", key("s3"))
	})
	assert.Equal(t, []string{"3:4 sealed", "2:4 sealed", "1:3 sealed", "0:0"}, generationsOf(t, d, referenceIndex))
	assertIndexesConsistent(t, d)
}

// TestSealedGenerationsAreReadThroughTheirFilter: a key slipped into a
// sealed generation behind its filter's back is not found, since the
// filter says it is not there, and Check reports it.
func TestSealedGenerationsAreReadThroughTheirFilter(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 2
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "a", key("a")))
		return tx.PutReference("oxxo", "b", key("b"))
	})
	require.Equal(t, []string{"1:2 sealed", "0:0"}, generationsOf(t, d, referenceIndex))
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketReferenceGenerations).Bucket(u64(1)).Put([]byte("oxxo\x00hidden"), paymentKey(key("h")))
	}))
	assert.Empty(t, owner(t, d, "hidden"), "the filter answers for its generation")
	assert.Equal(t, "a", owner(t, d, "a"))

	r, err := d.Check(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{`reference "oxxo\x00hidden" of generation 1 is missing from its filter: lookups would not find it`}, r.Problems)
}

// TestSealRolledBack: the filter of a generation sealed by a transaction
// that rolls back is not kept: the generation sealed again by the next one,
// with other references, finds those.
func TestSealRolledBack(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 2
	boom := errors.New("boom")
	err := d.Update(t.Context(), func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "a", key("a")))
		require.NoError(t, tx.PutReference("oxxo", "b", key("b")))
		_, err := tx.PaymentByReference("oxxo", "a") // through the new filter
		require.NoError(t, err)
		return boom
	})
	require.ErrorIs(t, err, boom)
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "c", key("c")))
		return tx.PutReference("oxxo", "d", key("d"))
	})
	assert.Equal(t, []string{"1:2 sealed", "0:0"}, generationsOf(t, d, referenceIndex))
	for _, ref := range []string{"c", "d"} {
		assert.Equal(t, ref, owner(t, d, ref))
	}
	assert.Empty(t, owner(t, d, "a"))
}

// TestResetStartsNewGenerations: after a Reset no reference is found, and
// new ones go to a generation of a number not given out before, since a DB
// caches filters by number.
func TestResetStartsNewGenerations(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 2
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "a", key("a")))
		require.NoError(t, tx.PutReference("oxxo", "b", key("b")))
		return tx.PutReference("oxxo", "c", key("c"))
	})
	assert.Equal(t, "a", owner(t, d, "a")) // caches generation 1's filter
	update(t, d, func(tx platform.Tx) error { return tx.Reset() })
	assert.Equal(t, []string{"0:0"}, generationsOf(t, d, referenceIndex))
	assert.Empty(t, owner(t, d, "a"))
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "x", key("x")))
		return tx.PutReference("oxxo", "y", key("y"))
	})
	assert.Equal(t, []string{"3:2 sealed", "0:0"}, generationsOf(t, d, referenceIndex))
	assert.Equal(t, "x", owner(t, d, "x"))
	assert.Equal(t, "y", owner(t, d, "y"))
	assertIndexesConsistent(t, d)
}

func TestFilter(t *testing.T) {
	t.Parallel()
	const n = 20000
	f := newFilter(n)
	for i := range n {
		f.add(hashKey([]byte("#operation\x00" + strconv.Itoa(1_000_000_000+i))))
	}
	g, err := decodeFilter(f.encode())
	require.NoError(t, err)
	assert.Equal(t, f, g, "it reads back as it was stored")
	for i := range n {
		require.True(t, g.mayHave(hashKey([]byte("#operation\x00"+strconv.Itoa(1_000_000_000+i)))), "key %d", i)
	}
	maybe := 0
	for i := range n {
		if g.mayHave(hashKey([]byte("#operation\x00" + strconv.Itoa(2_000_000_000+i)))) {
			maybe++
		}
	}
	assert.Less(t, maybe, n/200, "it says maybe to fewer than one key in 200 it does not hold")

	for _, bad := range [][]byte{nil, {1}, append([]byte{2, 10}, make([]byte, 16)...), append([]byte{1, 0}, make([]byte, 16)...),
		append([]byte{1, 10}, make([]byte, 13)...)} {
		_, err := decodeFilter(bad)
		assert.ErrorIs(t, err, errCorrupt, "%x", bad)
	}
}

// TestGenerationNumbers: generation numbers are 8 big-endian bytes, so
// that a cursor walks them in order past 255.
func TestGenerationNumbers(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.commits.sealAt = 1
	update(t, d, func(tx platform.Tx) error {
		for i := range 300 {
			if err := tx.PutReference("oxxo", "r"+strconv.Itoa(i), key("p"+strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	})
	gens := generationsOf(t, d, referenceIndex)
	require.Len(t, gens, 301)
	assert.Equal(t, "300:1 sealed", gens[0])
	require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
		k, _ := btx.Bucket(bucketReferenceGenerations).Cursor().Last()
		assert.Equal(t, uint64(300), binary.BigEndian.Uint64(k))
		return nil
	}))
	assert.Equal(t, "p0", owner(t, d, "r0"))
	assert.Equal(t, "p299", owner(t, d, "r299"))
	assertIndexesConsistent(t, d)
}
