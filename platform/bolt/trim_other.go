//go:build !linux

package bolt

import (
	"errors"

	bbolt "go.etcd.io/bbolt"
)

// errNoTrim is what trimming says where the system does not tell what a
// process has mapped.
var errNoTrim = errors.New("bolt: this system does not say how much of the data file is mapped")

// trimMapped does nothing here: see trim_linux.go.
func trimMapped(*bbolt.DB) error { return errNoTrim }

// mappedFileBytes does not know here.
func mappedFileBytes() (int64, error) { return 0, errNoTrim }
