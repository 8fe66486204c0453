package main

import (
	"os"
	"syscall"
)

// syncData syncs f's data as the data file's log does: fdatasync.
func syncData(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// diskSize returns the bytes of disk a file takes: a data file grows ahead
// of its pages in steps of 16 MB, as zeros the file system need not store.
func diskSize(info os.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return min(st.Blocks*512, info.Size())
	}
	return info.Size()
}
