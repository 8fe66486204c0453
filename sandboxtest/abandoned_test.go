//go:build unix

package sandboxtest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestRemoveAbandonedKeepsWhatARunningSandboxUses: of the folders a killed
// test binary left, those whose store no sandbox holds are removed; a
// running sandbox's (its store locked), one just made, and anything not a
// sandbox's stay.
func TestRemoveAbandonedKeepsWhatARunningSandboxUses(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	now := time.Now()
	old := now.Add(-2 * abandonedAfter)
	folder := func(name string, store bool, mtime time.Time) string {
		dir := filepath.Join(root, name)
		require.NoError(t, os.Mkdir(dir, 0o700))
		if store {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox.db"), []byte("x"), 0o600))
		}
		require.NoError(t, os.Chtimes(dir, mtime, mtime))
		return dir
	}
	abandoned := folder(tempPrefix+"1", true, old)
	empty := folder(tempPrefix+"2", false, old) // killed before its store opened
	fresh := folder(tempPrefix+"3", true, now)
	running := folder(tempPrefix+"4", true, old)
	other := folder("other-5", true, old)

	f, err := os.Open(filepath.Join(running, "sandbox.db"))
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB), "the running sandbox's lock")

	removeAbandoned(root, now)
	assert.NoDirExists(t, abandoned)
	assert.NoDirExists(t, empty)
	assert.DirExists(t, fresh)
	assert.FileExists(t, filepath.Join(running, "sandbox.db"))
	assert.DirExists(t, other)
}

// TestStartRemovesAbandonedFolders: Start sweeps the in-memory folder it
// makes its own in.
func TestStartRemovesAbandonedFolders(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(shmDir); err != nil {
		t.Skipf("no %s here", shmDir)
	}
	dir, err := os.MkdirTemp(shmDir, tempPrefix+"abandoned-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox.db"), []byte("x"), 0o600))
	old := time.Now().Add(-2 * abandonedAfter)
	require.NoError(t, os.Chtimes(dir, old, old))

	s, err := Start(t.Context())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.NoDirExists(t, dir)
}
