package bolt

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f to read them; unmap releases them.
func mapFile(f *os.File, size int) (b []byte, unmap func(), err error) {
	b, err = syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL) // a hint: the scan reads it in order
	return b, func() { _ = syscall.Munmap(b) }, nil
}
