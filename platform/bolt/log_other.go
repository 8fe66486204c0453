//go:build !linux

package bolt

import (
	"errors"
	"os"
)

// logSupported is false here: bbolt syncs each commit itself (redolog.go
// says what the log saves on Linux).
const logSupported = false

var errNoLog = errors.New("bolt: no redo log on this system")

func fdatasync(f *os.File) error   { return f.Sync() }
func lockExclusive(*os.File) error { return errNoLog }
func mapRefused(error) bool        { return false }
