package bolt

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCached asks the system to drop the data file's pages from its page
// cache, those no process has mapped, once they are on the disk; the next
// read of a dropped page reads the disk. It is a hint: a system that refuses it
// only keeps its cache, so its error is not returned.
//
// Why: Linux (6.x, ext4 and others) keeps a file in the page cache in
// folios of up to hundreds of KB when it was written or read in large
// runs: copied into place (cp, a restored backup, a CI cache), read front
// to back (bbolt's WriteTo for a backup, sandbox check), or read ahead.
// A commit rewrites a few pages of 4 KB each at random places, and
// writing one page of a large folio dirties the whole folio, which the
// fdatasync then writes to the disk. A store of a million payments copied
// into place wrote 636 KB per sale instead of 26 KB. Pages the sandbox
// reads itself come through bbolt's map, which asks for no read-ahead
// (MADV_RANDOM), and pages it writes come one at a time, so once dropped
// they come back one page a folio.
func dropCached(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	// Only clean pages are dropped: a file just copied into place may not
	// be written yet.
	_ = f.Sync()
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

// readRandomly tells the system that f, opened to read a few pages of
// the data file here and there, needs no read-ahead: the pages it reads
// are then cached one a folio (see dropCached).
func readRandomly(f *os.File) {
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_RANDOM)
}
