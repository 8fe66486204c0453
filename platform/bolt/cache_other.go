//go:build !linux

package bolt

import "os"

// dropCached does nothing here: see cache_linux.go.
func dropCached(string) {}

// readRandomly does nothing here: see cache_linux.go.
func readRandomly(*os.File) {}
