package bolt

import (
	"context"
	"fmt"
	"io"
	"os"

	bbolt "go.etcd.io/bbolt"
)

// Backup writes a copy of the data file to w as it is at the moment Backup
// starts: from one read transaction, so that Updates go on meanwhile and
// the copy holds every one committed before it began and none after.
// sized, when not nil, learns the copy's size before its first byte is
// written. The copy is a data file that Open reads as it is.
func (d *DB) Backup(ctx context.Context, w io.Writer, sized func(size int64)) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bolt: backup not started: %w", err)
	}
	cached := cachedRuns(d.path)
	var n int64
	err := guard(func() error {
		return d.db.View(func(btx *bbolt.Tx) (err error) {
			if sized != nil {
				sized(btx.Size())
			}
			n, err = btx.WriteTo(ctxWriter{ctx, w})
			return err
		})
	})
	// The copy read the file front to back, which left what it read
	// cached in large folios: dropped, and what was cached before read
	// back (see cache_linux.go).
	dropCached(d.path)
	recache(d.path, cached, nil)
	if err != nil {
		return n, fmt.Errorf("bolt: back up data file %s: %w", d.path, err)
	}
	return n, nil
}

// ctxWriter stops a long copy when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// compactTxSize bounds the bytes of keys and values each transaction of a
// compaction writes, which bbolt holds in memory until it commits: a store
// of 100 000 payments (134 MB) compacted in 5.0 s at a peak RSS of 249 MB
// with 8 MB, in 9.3 s at 527 MB with 64 MB.
const compactTxSize = 8 << 20

// CompactTo writes to path, a file that must not exist, a copy of the data
// file without the pages it no longer uses: what a reset or a conversion
// freed, which bbolt keeps in the file for later commits and never gives
// back to the disk. Every bucket, key, value and bucket sequence is copied
// as it is, from one read transaction, so that Updates go on meanwhile;
// the copy is synced, and Open reads it as it reads the data file. It
// returns the copy's size.
func (d *DB) CompactTo(ctx context.Context, path string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bolt: compaction not started: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return 0, fmt.Errorf("bolt: compact data file %s into %s: %s exists", d.path, path, path)
	}
	dst, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout, NoSync: true})
	if err != nil {
		return 0, refused("create "+path+", the compacted copy of "+d.path, err)
	}
	cached := cachedRuns(d.path)
	err = guard(func() error { return bbolt.Compact(dst, d.db, compactTxSize) })
	// As after a backup (see there).
	dropCached(d.path)
	recache(d.path, cached, nil)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	var info os.FileInfo
	if err == nil {
		info, err = os.Stat(path)
	}
	if err != nil {
		return 0, fmt.Errorf("bolt: compact data file %s into %s: %w", d.path, path, err)
	}
	return info.Size(), nil
}
