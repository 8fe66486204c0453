package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// DB is the sandbox's store: one bbolt file. It is safe for concurrent use:
// any number of View transactions run side by side, and concurrent Updates
// are committed together (see Update).
type DB struct {
	db   *bbolt.DB
	path string

	// commits groups concurrent Updates into shared transactions.
	commits committer
}

var _ platform.Store = (*DB)(nil)

// lockTimeout is how long Open waits for another process to release the
// file before it gives up.
const lockTimeout = time.Second

// Open opens the data file at path, creating it and its parent directories
// when they do not exist, and creates every bucket of the schema. It fails
// after about a second when another process holds the file.
func Open(path string) (*DB, error) { return open(path, lockTimeout) }

// open is Open with the lock timeout as a parameter, for tests.
func open(path string, timeout time.Duration) (*DB, error) {
	if path == "" {
		return nil, errors.New("bolt: the data file needs a path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("bolt: create the directory of data file %s: %w", path, err)
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: data file %s is in use by another sandbox (no lock after %s): stop it or use another data file: %w", path, timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open data file %s: %w", path, err)
	}
	if err := bdb.Update(createSchema); err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("bolt: data file %s: %w", path, err)
	}
	d := &DB{db: bdb, path: path}
	d.commits.db = bdb
	return d, nil
}

// createSchema creates the buckets of a new file, converts a file of an
// older schema and refuses what it cannot read: a newer schema, or a file
// that is not the sandbox's.
func createSchema(btx *bbolt.Tx) error {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = btx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if !empty {
			return errors.New("it holds data but no schema version: it is not a sandbox data file")
		}
		if err := createBuckets(btx); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion))
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return fmt.Errorf("its schema version %x is not 8 bytes: it is not a sandbox data file", v)
	}
	switch got := binary.BigEndian.Uint64(v); {
	case got == 1:
		return migrateV1(btx)
	case got > schemaVersion:
		return fmt.Errorf("schema version %d is newer than this sandbox knows (%d): use a newer sandbox or another data file", got, schemaVersion)
	case got < 1:
		return fmt.Errorf("schema version %d is not one a sandbox wrote: it is not a sandbox data file", got)
	}
	for _, b := range allBuckets {
		if btx.Bucket(b.name) == nil {
			return fmt.Errorf("bucket %s is missing: the file is damaged", b.name)
		}
	}
	return nil
}

// createBuckets creates every top-level bucket that is missing.
func createBuckets(btx *bbolt.Tx) error {
	for _, b := range allBuckets {
		if _, err := btx.CreateBucketIfNotExists(b.name); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.name, err)
		}
	}
	return nil
}

// Close closes the file. Transactions in progress finish first.
func (d *DB) Close() error { return d.db.Close() }

// Path returns the path of the data file.
func (d *DB) Path() string { return d.path }

// View runs fn in a read-only transaction, which sees the state of the last
// committed Update; the write methods of its tx fail. View does not start
// when ctx is done. The tx must not be used after fn returns; what its
// methods return are copies and stay valid. A panic of fn comes back as a
// *PanicError.
func (d *DB) View(ctx context.Context, fn func(platform.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: view not started: %w", err)
	}
	return d.db.View(func(btx *bbolt.Tx) error { return run(&tx{btx: btx}, fn) })
}
