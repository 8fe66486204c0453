//go:build !linux

package main

import "os"

// syncData syncs f's data; here, with its metadata too.
func syncData(f *os.File) error { return f.Sync() }
