package bolt

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// cachedShare returns the share of the file at path that the system holds
// in its page cache (cachedRuns), between 0 and about 1.
func cachedShare(t *testing.T, path string) float64 {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	var cached int64
	for _, r := range cachedRuns(path) {
		cached += r.n
	}
	return float64(cached) / float64(info.Size())
}

// awaitCached waits until the system caches nearly all of the file at
// path again.
func awaitCached(t *testing.T, path string) {
	t.Helper()
	require.Eventually(t, func() bool { return cachedShare(t, path) > 0.95 }, 10*time.Second, 5*time.Millisecond,
		"the pages cached before are read back")
}

// dirtied returns the bytes of file pages that fn, run on one thread,
// made dirty: what the system will write to the disk for it
// (/proc/thread-self/io's write_bytes), or skips the test where the
// system does not say.
func dirtied(t *testing.T, fn func()) int64 {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadWriteBytes(t)
	fn()
	return threadWriteBytes(t) - before
}

func threadWriteBytes(t *testing.T) int64 {
	t.Helper()
	raw, err := os.ReadFile("/proc/thread-self/io")
	if err != nil {
		t.Skipf("this system does not count a thread's writes: %v", err)
	}
	for s := bufio.NewScanner(bytes.NewReader(raw)); s.Scan(); {
		if v, ok := strings.CutPrefix(s.Text(), "write_bytes: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Skip("this system does not count a thread's writes")
	return 0
}

// onePage writes one page into the middle of the file at path, and
// returns the bytes that made dirty.
func onePage(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	page := make([]byte, os.Getpagesize())
	off := info.Size() / 2 / int64(len(page)) * int64(len(page))
	_, err = f.ReadAt(page, off)
	require.NoError(t, err)
	return dirtied(t, func() {
		_, err = f.WriteAt(page, off)
		require.NoError(t, err)
	})
}

// largeFolios skips the test unless this system caches a file written in
// one go in folios larger than a page, which a write of one page dirties
// whole: what the sandbox's handling of the cache is for.
func largeFolios(t *testing.T) int64 {
	t.Helper()
	path := sourceFile(t)
	require.NoError(t, syncFile(path))
	n := onePage(t, path)
	if n <= int64(os.Getpagesize()) {
		t.Skipf("this system cached a file written in one go one page a folio (a page write dirtied %d bytes)", n)
	}
	return n
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// aCommit returns the bytes of file pages one small commit of d dirties.
func aCommit(t *testing.T, d *DB) int64 {
	t.Helper()
	return dirtied(t, func() {
		require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
			return btx.Bucket(bucketMeta).Put([]byte("test"), []byte(time.Now().String()))
		}))
	})
}

// TestOpenRecachesTheFileOnePageAFolio opens a file just written in one
// go, which this system caches in large folios: a commit then dirties
// whole folios. Open drops the file from the cache and reads it back, a
// page a folio, so a commit dirties its pages alone and the file stays
// cached; a backup, which reads the whole file, leaves it so too.
func TestOpenRecachesTheFileOnePageAFolio(t *testing.T) {
	t.Parallel()
	folio := largeFolios(t)
	path := sourceFile(t)
	require.NoError(t, syncFile(path))
	require.Greater(t, cachedShare(t, path), 0.95, "a file just written is cached")

	d, err := Open(path)
	require.NoError(t, err)
	defer d.Close()
	awaitCached(t, path)
	commit := aCommit(t, d)
	t.Logf("a page written into the file as written dirtied %d bytes; a commit after Open %d", folio, commit)
	assert.Less(t, commit, folio, "a commit dirties its pages, not whole folios")
	assert.LessOrEqual(t, commit, int64(8*os.Getpagesize()), "a small commit dirties a few pages")

	// The file no longer cached, as after a while without sales: the
	// backup's reads would cache it in large folios.
	dropCached(path)
	_, err = d.Backup(context.Background(), &bytes.Buffer{}, nil)
	require.NoError(t, err)
	assert.Less(t, cachedShare(t, path), 0.5, "what was not cached before the backup is not cached after it")
	assert.LessOrEqual(t, aCommit(t, d), int64(8*os.Getpagesize()), "after a backup, a commit dirties its pages alone")
}

// TestRecacheReadsBackWhatWasCached drops a file cached in large folios
// and reads back the same pages: one page written then dirties one page.
func TestRecacheReadsBackWhatWasCached(t *testing.T) {
	t.Parallel()
	largeFolios(t)
	path := sourceFile(t)
	require.NoError(t, syncFile(path))
	runs := cachedRuns(path)
	require.NotEmpty(t, runs, "the file was cached")
	var held int64
	for _, r := range runs {
		held += r.n
	}
	assert.Equal(t, held, CachedBytes(path), "CachedBytes sums the runs")
	dropCached(path)
	assert.Less(t, cachedShare(t, path), 0.05, "dropped")
	assert.Less(t, CachedBytes(path), held/20, "CachedBytes after the drop")
	recache(path, runs, nil)
	awaitCached(t, path)
	assert.Equal(t, int64(os.Getpagesize()), onePage(t, path), "a page write dirties one page")

	stop := make(chan struct{})
	close(stop)
	dropCached(path)
	recache(path, runs, stop)
	assert.Less(t, cachedShare(t, path), 0.05, "a stopped recache reads nothing back")
}

// TestOpeningAFileInUseLeavesItsCache opens a data file that another DB
// holds: the open fails, as it did, and the file's cache is left as it is,
// that DB's pages.
func TestOpeningAFileInUseLeavesItsCache(t *testing.T) {
	t.Parallel()
	path := sourceFile(t)
	d, err := Open(path)
	require.NoError(t, err)
	defer d.Close()
	awaitCached(t, path)
	_, err = open(path, openOptions{timeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, ErrInUse)
	assert.Greater(t, cachedShare(t, path), 0.95, "the file in use stays cached")
}
