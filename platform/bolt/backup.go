package bolt

import (
	"context"
	"fmt"
	"io"

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
