//go:build unix

package sandboxtest

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// storeLocked reports whether a running sandbox, of this process or
// another, holds the store at path open: the store locks its file (flock)
// until it closes it. A store that does not exist is not locked.
func storeLocked(path string) bool {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true // unknown: leave it
	}
	defer f.Close() // which releases the lock taken here
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil
}
