package bolt

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Why the sandbox minds how the system caches its data file: Linux (6.x,
// ext4 and others) keeps a file in the page cache in folios of up to
// megabytes when it was written or read in large runs: copied into place
// (cp, a restored backup, a CI cache), read front to back (bbolt's WriteTo
// for a backup, sandbox check), or read ahead. A commit rewrites a few
// pages of 4 KB each at random places, and writing one page of a large
// folio dirties the whole folio, which the fdatasync then writes to the
// disk: a store of a million payments copied into place wrote 636 KB per
// sale instead of 26 KB. Pages the sandbox reads itself come through
// bbolt's map, which asks for no read-ahead (MADV_RANDOM), and pages it
// writes come one at a time: those are cached one page a folio.
//
// So Open drops what the system cached of the file (dropCached) before
// anything maps it, and then reads the same pages back (recache) by
// forced read-ahead, which the system caches one page a folio: the file
// stays as warm as it was, at the speed of a sequential read, instead of
// each sale waiting for the disk to read the pages it needs.

// pageRun is a run of a file's bytes: from off, n bytes.
type pageRun struct{ off, n int64 }

// recacheChunk is the most one read-ahead request asks for: the system
// reads at most its device's read-ahead window (128 KB by default) a
// request.
const recacheChunk = 128 << 10

// dropCached asks the system to drop the file at path from its page
// cache, the pages no process has mapped, once they are on the disk; what
// it held is cachedRuns' to say, before. Dropping is a hint: a system that
// refuses it keeps its cache, and errors are not returned.
func dropCached(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	// Only clean pages are dropped: a file just copied into place may not
	// be on the disk yet.
	_ = f.Sync()
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

// lockedElsewhere reports whether a DB, of this process or another, holds
// the file at path open: bbolt locks it (flock) until it closes it.
func lockedElsewhere(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close() // which releases the lock
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil
}

// cachedRuns returns the runs of the pages of the file at path that the
// page cache holds, nil when the system does not say.
func cachedRuns(path string) []pageRun {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(info.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	defer unix.Munmap(m)
	pageSize := int64(os.Getpagesize())
	vec := make([]byte, (int64(len(m))+pageSize-1)/pageSize)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return nil
	}
	var runs []pageRun
	for i := 0; i < len(vec); {
		if vec[i]&1 == 0 {
			i++
			continue
		}
		j := i
		for j < len(vec) && vec[j]&1 == 1 {
			j++
		}
		runs = append(runs, pageRun{int64(i) * pageSize, int64(j-i) * pageSize})
		i = j
	}
	return runs
}

// recache asks the system to read the runs of the file at path back into
// its page cache, a chunk at a time, until stop is closed. The reads go on
// after it returns; a page a sale needs meanwhile is read on its own.
func recache(path string, runs []pageRun, stop <-chan struct{}) {
	if len(runs) == 0 {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	for _, r := range runs {
		for off := r.off; off < r.off+r.n; off += recacheChunk {
			select {
			case <-stop:
				return
			default:
			}
			if unix.Fadvise(int(f.Fd()), off, min(recacheChunk, r.off+r.n-off), unix.FADV_WILLNEED) != nil {
				return
			}
		}
	}
}

// readRandomly tells the system that f, opened to read a few pages of
// the data file here and there, needs no read-ahead: the pages it reads
// are then cached one a folio.
func readRandomly(f *os.File) {
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_RANDOM)
}

// CachedBytes returns how much of the file at path the system's page cache
// holds: 0 for none, -1 where the system does not say. After Open drops
// the data file from the cache and reads it back (see recache), it says
// how far that got.
func CachedBytes(path string) int64 {
	var n int64
	for _, r := range cachedRuns(path) {
		n += r.n
	}
	return n
}
