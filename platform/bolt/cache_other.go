//go:build !linux

package bolt

import "os"

// pageRun is a run of a file's bytes: from off, n bytes.
type pageRun struct{ off, n int64 }

// dropCached does nothing here: see cache_linux.go.
func dropCached(string) {}

// lockedElsewhere does not matter here: nothing is dropped.
func lockedElsewhere(string) bool { return false }

// cachedRuns does not know here.
func cachedRuns(string) []pageRun { return nil }

// recache does nothing here: see cache_linux.go.
func recache(string, []pageRun, <-chan struct{}) {}

// readRandomly does nothing here: see cache_linux.go.
func readRandomly(*os.File) {}

// CachedBytes does not know here: -1.
func CachedBytes(string) int64 { return -1 }
