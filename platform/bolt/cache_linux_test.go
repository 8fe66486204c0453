package bolt

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// cachedShare returns the share of the file at path that the system holds
// in its page cache, between 0 and 1.
func cachedShare(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	m, err := unix.Mmap(int(f.Fd()), 0, int(info.Size()), unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer unix.Munmap(m)
	pageSize := os.Getpagesize()
	vec := make([]byte, (len(m)+pageSize-1)/pageSize)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0])))
	require.Zero(t, errno, "mincore")
	cached := 0
	for _, v := range vec {
		cached += int(v & 1)
	}
	return float64(cached) / float64(len(vec))
}

// TestOpenDropsTheFileFromTheCache opens a file just written, so cached
// whole: Open leaves in the cache little more than the pages it read, so
// that the pages of large writes and reads, cached in large folios, do not
// make each commit write whole folios (see dropCached). A backup, which
// reads the whole file, leaves it so too.
func TestOpenDropsTheFileFromTheCache(t *testing.T) {
	t.Parallel()
	path := sourceFile(t)
	if cachedShare(t, path) < 0.9 {
		t.Skip("this system did not keep a file just written in its page cache")
	}
	d, err := Open(path)
	require.NoError(t, err)
	defer d.Close()
	afterOpen := cachedShare(t, path)
	assert.Less(t, afterOpen, 0.5, "Open dropped what it did not read from the cache")

	var copied bytes.Buffer
	_, err = d.Backup(context.Background(), &copied, nil)
	require.NoError(t, err)
	assert.Less(t, cachedShare(t, path), afterOpen+0.1, "a backup read the whole file and dropped it again")

	// The pages come back when read, and read the same.
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	require.NoError(t, err)
	assert.Greater(t, cachedShare(t, path), 0.9)
}
