//go:build !linux

package main

import "os"

// syncData syncs f's data; here, with its metadata too.
func syncData(f *os.File) error { return f.Sync() }

// diskSize returns the size of a file.
func diskSize(info os.FileInfo) int64 { return info.Size() }
