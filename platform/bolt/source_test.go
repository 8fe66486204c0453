//go:build !race

package bolt

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/internal/golden"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestSourceGolden makes damagedSource's file anew (makeSource) and checks
// that testdata holds the same: every bucket, key and value. (Their pages
// may lie elsewhere: bbolt places them differently from run to run.) With
// -update (make golden) it writes the file when it is not current.
//
// A race-built binary, which make test builds, leaves this test out: there
// making the file costs the several CPU-seconds that keeping it saves. go
// test ./... and make golden run it.
func TestSourceGolden(t *testing.T) {
	t.Parallel()
	made := makeSource(t)
	kept, err := readSource(sourcePath)
	if err == nil {
		if diff := firstContentDiff(t, kept, made); diff != "" {
			err = fmt.Errorf("%s is not what makeSource makes now: %s; run make golden and commit the file", sourcePath, diff)
		}
	}
	switch {
	case err == nil:
		return
	case !golden.Update():
		t.Fatal(err)
	}
	var z bytes.Buffer
	w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(made)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(sourcePath, z.Bytes(), 0o644))
	t.Logf("wrote %s", sourcePath)
}

// TestFirstContentDiff: two files that hold the same differ in nothing,
// and one with a value changed differs at its key.
func TestFirstContentDiff(t *testing.T) {
	t.Parallel()
	a, b := newDB(t), newDB(t)
	for _, d := range []*DB{a, b} {
		update(t, d, func(tx platform.Tx) error {
			if err := tx.CreatePayment(payment(1, "p-1", "oxxo", platform.StatusSuccess, base)); err != nil {
				return err
			}
			return tx.PutReference("oxxo", "123", key("p-1"))
		})
	}
	update(t, b, func(tx platform.Tx) error { return tx.PutReference("oxxo", "124", key("p-1")) })
	bytesOf := func(d *DB) []byte {
		require.NoError(t, d.Close())
		raw, err := os.ReadFile(d.Path())
		require.NoError(t, err)
		return raw
	}
	ra, rb := bytesOf(a), bytesOf(b)
	assert.Empty(t, firstContentDiff(t, ra, bytes.Clone(ra)))
	assert.Contains(t, firstContentDiff(t, ra, rb), `"reference_generations"/"\x00\x00\x00\x00\x00\x00\x00\x01" "oxxo\x00124"`)
}

// firstContentDiff returns where the data files a and b first differ in
// their buckets, keys or values, or "" when they hold the same.
func firstContentDiff(t *testing.T, a, b []byte) string {
	t.Helper()
	ea, eb := contentOf(t, a), contentOf(t, b)
	for i := range min(len(ea), len(eb)) {
		if ea[i] != eb[i] {
			return fmt.Sprintf("entry %d is %.120s in the kept file, %.120s in the one made now", i, ea[i], eb[i])
		}
	}
	if len(ea) != len(eb) {
		return fmt.Sprintf("the kept file holds %d entries, the one made now %d", len(ea), len(eb))
	}
	return ""
}

// contentOf lists every bucket, key and value of the data file raw, in
// order: one line each, the bucket's path first.
func contentOf(t *testing.T, raw []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "content.db")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	var out []string
	var walk func(at string, b *bbolt.Bucket) error
	walk = func(at string, b *bbolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				out = append(out, fmt.Sprintf("%s/%q: bucket", at, k))
				return walk(fmt.Sprintf("%s/%q", at, k), b.Bucket(k))
			}
			out = append(out, fmt.Sprintf("%s %q = %x", at, k, v))
			return nil
		})
	}
	require.NoError(t, db.View(func(btx *bbolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			out = append(out, fmt.Sprintf("%q: bucket", name))
			return walk(fmt.Sprintf("%q", name), b)
		})
	}))
	return out
}
