package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
)

// TestReadThroughCachesTheWholeFile holds the bench's warm-up to what it
// is for: a data file the system had dropped from its cache is all cached
// once readThrough has read it, and waitWarm then says so.
func TestReadThroughCachesTheWholeFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	const size = 4 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	require.NoError(t, os.WriteFile(path, data, 0o600))

	f, err := os.Open(path)
	require.NoError(t, err)
	require.NoError(t, f.Sync(), "only pages on the disk can be dropped")
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	require.NoError(t, f.Close())
	if cached := bolt.CachedBytes(path); cached > size/2 {
		t.Skipf("this system kept %d of %d bytes cached after asked to drop them", cached, size)
	}

	require.NoError(t, readThrough(path))
	require.Equal(t, int64(size), bolt.CachedBytes(path), "the file's bytes cached after readThrough")
	_, held := waitWarm(context.Background(), path)
	require.Equal(t, int64(size), held, "what waitWarm says the system holds")
}
