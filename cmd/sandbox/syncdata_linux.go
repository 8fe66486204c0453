package main

import (
	"os"
	"syscall"
)

// syncData syncs f's data as the data file's log does: fdatasync.
func syncData(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
