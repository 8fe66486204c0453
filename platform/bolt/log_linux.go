package bolt

import (
	"errors"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// logSupported says whether a data file here has a redo log (redolog.go):
// it needs fdatasync and bbolt's map reserved far ahead
// (see logMapSize), which 64-bit Linux has.
const logSupported = strconv.IntSize == 64

// fdatasync syncs f's data, and its size, not its times.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

// lockExclusive takes the lock bbolt takes on a data file it writes, and
// fails at once when another process holds it.
func lockExclusive(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) }

// mapRefused says whether err is the system refusing a map for want of
// address space.
func mapRefused(err error) bool { return errors.Is(err, syscall.ENOMEM) }
