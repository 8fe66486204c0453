//go:build !linux

package bolt

import (
	"errors"
	"os"
)

// mapFile does not map files on this system: scanPages reads them.
func mapFile(*os.File, int) ([]byte, func(), error) {
	return nil, nil, errors.New("files are not mapped on this system")
}
