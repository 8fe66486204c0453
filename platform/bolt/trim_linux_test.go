package bolt

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// mapped returns how much of this process's resident memory files mapped
// to it take (RssFile).
func mapped(t *testing.T) int64 {
	t.Helper()
	n, err := mappedFileBytes()
	require.NoError(t, err)
	return n
}

// readAll reads every value of every bucket of d, nested ones too.
func readAll(t *testing.T, d *DB) (sum int) {
	t.Helper()
	var walk func(b *bbolt.Bucket)
	walk = func(b *bbolt.Bucket) {
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(b.Bucket(k))
			}
			sum += len(k) + len(v)
			return nil
		})
	}
	require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
		return btx.ForEach(func(_ []byte, b *bbolt.Bucket) error { walk(b); return nil })
	}))
	return sum
}

// openTrimmed opens a copy of damagedSource's file with its own trimming
// stopped and its map trimmed, and returns it, the size of its pages (up
// to the last one in use: bbolt grows the file ahead of them) and what the
// files mapped to the process take then; the DB is closed when t ends.
func openTrimmed(t *testing.T) (d *DB, size, trimmed int64) {
	t.Helper()
	d, err := Open(sourceFile(t))
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	d.trim.halt()
	require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
		size = btx.Size()
		return nil
	}))
	require.NoError(t, trimMapped(d.db))
	return d, size, mapped(t)
}

// TestTrimDropsMappedPages reads a whole file, which maps its pages into
// the process, and trims: they are gone from its resident memory, and the
// file reads the same. (Not parallel: it counts what the process maps.)
func TestTrimDropsMappedPages(t *testing.T) {
	d, size, trimmed := openTrimmed(t)
	read := readAll(t, d)
	assert.Greater(t, mapped(t)-trimmed, size/2, "reading every value maps most of the file")
	require.NoError(t, trimMapped(d.db))
	assert.Less(t, mapped(t)-trimmed, size/10, "trimmed")
	assert.Equal(t, read, readAll(t, d), "the file reads the same")
	assertIndexesConsistent(t, d)
}

// TestTrimmingRunsWhenMappedFilesGrow runs the trimming with a bound
// below what the files mapped to the test take: it trims within a few
// ticks, and not when the bound is above, nor when the DB was idle.
func TestTrimmingRunsWhenMappedFilesGrow(t *testing.T) {
	d, size, trimmed := openTrimmed(t)
	readAll(t, d)
	d.trim = startTrimming(d, 10*time.Millisecond, 0, 1<<40, nil)
	time.Sleep(100 * time.Millisecond)
	assert.Greater(t, mapped(t)-trimmed, size/2, "below the bound, nothing is trimmed")
	d.trim.halt()

	d.trim = startTrimming(d, 10*time.Millisecond, 1<<40, 0, nil)
	time.Sleep(100 * time.Millisecond)
	assert.Greater(t, mapped(t)-trimmed, size/2, "idle, nothing is trimmed")
	d.trim.halt()

	d.trim = startTrimming(d, 10*time.Millisecond, 0, 0, nil)
	assert.Eventually(t, func() bool { return mapped(t)-trimmed < size/10 }, 5*time.Second, 10*time.Millisecond)
}
