package bolt

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"

	bbolt "go.etcd.io/bbolt"
)

// trimMapped drops the pages of the data file from this process's map,
// not from the system's cache: bbolt reads the file through a shared,
// read-only map, and each page a transaction reads stays counted in the
// process's resident memory until it is dropped. Payments are found by
// their keys, which merchants often draw at random, and references of old
// payments by theirs, at random places in a large file, so without this
// the process's RSS grows towards the size of the file's random-access
// indexes (hundreds of MB at a million payments). What is dropped stays in the
// page cache; the next read of a page maps it again, a minor fault.
//
// It holds a read-write transaction meanwhile, as bbolt maps the file
// again (and moves the map) only when it commits one.
func trimMapped(db *bbolt.DB) error {
	btx, err := db.Begin(true)
	if err != nil {
		return fmt.Errorf("bolt: trim the map of the data file: %w", err)
	}
	defer func() { _ = btx.Rollback() }()
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, db.Info().Data, uintptr(btx.Size()), syscall.MADV_DONTNEED)
	if errno != 0 {
		return fmt.Errorf("bolt: trim the map of the data file: %w", errno)
	}
	return nil
}

// mappedFileBytes returns how much of this process's resident memory is
// files mapped to it (RssFile): the data file's pages, and the program's.
func mappedFileBytes() (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(raw) {
		if rest, ok := bytes.CutPrefix(line, []byte("RssFile:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no RssFile in /proc/self/status")
}
