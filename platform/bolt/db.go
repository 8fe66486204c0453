package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
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

	// trim keeps the file's pages the process has read from staying in
	// its resident memory; nil for a read-only DB.
	trim *trimmer
}

var _ platform.Store = (*DB)(nil)

// lockTimeout is how long Open waits for another process to release the
// file before it gives up.
const lockTimeout = time.Second

// Open opens the data file at path, creating it and its parent directories
// when they do not exist, and creates every bucket of the schema; a file of
// an older schema is converted. It fails after about a second when another
// process holds the file, and refuses with a *DamagedError a file damaged
// where opening it reads (see checkFile): a few pages, whatever its size,
// so that it opens at once. Damage deeper in the file is Check's to find;
// a transaction that meets it fails with an error, and nothing crashes.
func Open(path string) (*DB, error) { return open(path, openOptions{timeout: lockTimeout}) }

// OpenLogged is Open, saying on log what takes it time: the conversion of a
// file of an older schema.
func OpenLogged(path string, log *slog.Logger) (*DB, error) {
	return open(path, openOptions{timeout: lockTimeout, log: log})
}

// OpenReadOnly opens an existing data file to read it, as Open checks it,
// converting nothing: for checks and backups of a stopped sandbox. Other
// readers may open it too, but not a running sandbox, and Update fails.
func OpenReadOnly(path string) (*DB, error) {
	return open(path, openOptions{timeout: lockTimeout, readOnly: true})
}

// OpenToCopy is OpenReadOnly for a copy of the file (Backup) and a check
// of its pages (CheckPages): it takes a file of an older schema too, as it
// is, so that a host can back up the data file of an older sandbox before
// serve converts it, which the older sandbox cannot read after. What it
// returns reads nothing else of such a file.
func OpenToCopy(path string) (*DB, error) {
	return open(path, openOptions{timeout: lockTimeout, readOnly: true, olderSchema: true})
}

// ErrInUse is what Open and OpenReadOnly return, wrapped, for a file that
// another process holds: a running sandbox.
var ErrInUse = errors.New("the data file is in use")

// inUse is bbolt's lock timeout, which is ErrInUse too. It says how long
// Open waited: what the system said of the lock adds nothing a host can use.
type inUse struct {
	err     error
	timeout time.Duration
}

func (e *inUse) Error() string   { return "no lock after " + e.timeout.String() }
func (e *inUse) Unwrap() []error { return []error{e.err, ErrInUse} }

// DamagedError is a data file that cannot be opened as it is.
type DamagedError struct {
	Path    string
	Problem string // what is wrong, e.g. "is cut short: ..."
}

// Error says, in one line, which file, what is wrong and what to do.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("bolt: data file %s %s; move it aside (the sandbox then starts empty) or put a backup in its place (sandbox backup makes one)", e.Path, e.Problem)
}

// openOptions say how open opens a data file.
type openOptions struct {
	timeout  time.Duration // how long to wait for another process's lock
	readOnly bool
	// olderSchema has a read-only open take a file of an older schema,
	// unconverted (OpenToCopy).
	olderSchema bool
	// noLog has bbolt sync each commit, as where there is no log: for
	// tests of what only that does.
	noLog bool
	// log, when not nil, hears what takes Open time: the conversion of a
	// file of an older schema.
	log *slog.Logger
	// afterRecovery, when not nil, runs once the log's records are in the
	// file, before anything else commits: for tests of a crash there.
	afterRecovery func(*bbolt.DB) error
}

// open is Open, or OpenReadOnly, with more options.
func open(path string, o openOptions) (*DB, error) {
	timeout, readOnly, log := o.timeout, o.readOnly, o.log
	withLog := logSupported && !readOnly && !o.noLog
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" {
		return nil, errors.New("bolt: the data file needs a path")
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.Size() == 0:
		return nil, &DamagedError{path, "is empty (0 bytes): it holds no sandbox data, not even the header every data file begins with"}
	case errors.Is(err, os.ErrNotExist) && readOnly:
		return nil, fmt.Errorf("bolt: there is no data file %s: name the folder the sandbox keeps its data in", path)
	case err != nil && readOnly:
		return nil, fmt.Errorf("bolt: data file %s: %w", path, err)
	case err != nil:
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, refused("create the folder of data file "+path, err)
		}
	}
	// What others wrote or read of an existing file may be cached in
	// large folios, which would make each commit write more than its
	// pages: dropped before anything maps them, and read back once it is
	// open (see cache_linux.go). The cache of a file another DB holds is
	// that DB's, and this open will fail: it is left as it is.
	// A file that was not closed is first brought back to its log's last
	// checkpoint; the log's records are replayed once bbolt has it open.
	var records []logRecord
	if info != nil {
		if records, err = recoverLog(path, timeout, readOnly, log); err != nil {
			return nil, err
		}
	}
	var cached []pageRun
	if info != nil && !readOnly && !lockedElsewhere(path) {
		cached = cachedRuns(path)
		dropCached(path)
	}
	// An existing file is first opened to read, which takes a shared lock
	// and reads nothing but its meta pages, and the pages bbolt and the
	// schema read at once are checked before it reads any (a read-write
	// open reads the freelist).
	bdb, err := openBolt(path, timeout, info != nil || readOnly, &withLog)
	if err != nil {
		return nil, err
	}
	if info != nil {
		if err := checkFile(path, bdb.Info().PageSize); err != nil {
			_ = bdb.Close()
			return nil, &DamagedError{path, err.Error()}
		}
		if !readOnly {
			_ = bdb.Close()
			if bdb, err = openBolt(path, timeout, false, &withLog); err != nil {
				return nil, err
			}
		}
	}
	fail := func(err error) (*DB, error) {
		_ = bdb.Close()
		return nil, err
	}
	if withLog {
		// bbolt grows a file whose map is larger than AllocSize by
		// AllocSize at a time, and the log's map always is: 1 MB steps
		// keep the file about the size of its pages.
		bdb.AllocSize = logAllocSize
	}
	// Until the log starts again below, bbolt syncs each commit itself,
	// and the log, whose base a commit may now overwrite, is emptied once
	// its records are in the file.
	if err := replayLog(bdb, records); err != nil {
		return fail(&DamagedError{path, fmt.Sprintf("cannot be brought up to date from its log %s: %v", logPath(path), err)})
	}
	if len(records) > 0 {
		log.Warn("the data file was not closed (its sandbox was killed, or its machine stopped): brought it up to date from its log",
			"path", path, "changes", len(records))
	}
	if !readOnly {
		if err := emptyLog(path); err != nil {
			return fail(err)
		}
	}
	if o.afterRecovery != nil {
		if err := o.afterRecovery(bdb); err != nil {
			return fail(err)
		}
	}
	switch {
	case readOnly && o.olderSchema:
		err = guard(func() error { return bdb.View(checkOlderSchema) })
	case readOnly:
		err = guard(func() error { return bdb.View(checkSchema) })
	default:
		err = guard(func() error { return createSchema(bdb, path, log) })
	}
	var perr *PanicError
	switch {
	case errors.As(err, &perr):
		return fail(&DamagedError{path, fmt.Sprintf("is damaged (reading it panicked: %v)", perr.Value)})
	case err != nil:
		return fail(fmt.Errorf("bolt: data file %s: %w", path, err))
	}
	d := &DB{db: bdb, path: path}
	if withLog {
		l, err := createLog(path, bdb.Info().PageSize)
		if err != nil {
			return fail(err)
		}
		if err := l.checkpoint(bdb, schemaVersion); err != nil {
			_ = l.close()
			return fail(err)
		}
		d.commits.log = l
		bdb.NoSync = true // from now on the log syncs commits
	}
	if !readOnly && !withLog {
		// A log left by another open would not know of the commits of
		// this one, and must not take the file back to its base.
		if err := os.Remove(logPath(path)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fail(fmt.Errorf("bolt: remove the log %s: %w", logPath(path), err))
		}
	}
	d.commits.db = bdb
	d.commits.filters = &filterCache{}
	d.commits.linger = DefaultLinger
	d.commits.compactAt = firstCompaction
	if !readOnly {
		d.trim = startTrimming(d, trimEvery, trimAfter, trimAbove, cached)
	}
	return d, nil
}

// openBolt opens the bbolt file at path, saying in one line why it cannot.
// withLog says whether the file will have a log; openBolt clears it when
// the system refuses the map a log needs.
func openBolt(path string, timeout time.Duration, readOnly bool, withLog *bool) (*bbolt.DB, error) {
	var bdb *bbolt.DB
	err := guard(func() (err error) {
		opts := &bbolt.Options{Timeout: timeout, ReadOnly: readOnly}
		if *withLog && !readOnly {
			// The log's pin (see redoLog) holds a read transaction
			// between checkpoints, and bbolt maps the file again, as it
			// grows, only when no read transaction is open: the map is
			// made large enough at once never to need it.
			opts.InitialMmapSize = logMapSize
		}
		bdb, err = bbolt.Open(path, 0o600, opts)
		if err != nil && opts.InitialMmapSize > 0 && mapRefused(err) {
			// A limit on the process's address space (ulimit -v):
			// bbolt then syncs each commit itself.
			*withLog = false
			opts.InitialMmapSize = 0
			bdb, err = bbolt.Open(path, 0o600, opts)
		}
		return err
	})
	var perr *PanicError
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("bolt: data file %s is in use by another sandbox (%w): stop it or use another data file", path, &inUse{err, timeout})
	case errors.As(err, new(*fs.PathError)):
		// The system refused the file, whatever it holds.
		return nil, refused("open data file "+path, err)
	case errors.As(err, &perr):
		return nil, &DamagedError{path, fmt.Sprintf("is damaged (opening it panicked: %v)", perr.Value)}
	}
	// bbolt could not read what the file holds.
	return nil, &DamagedError{path, fmt.Sprintf("is damaged, or is not a sandbox data file (bbolt: %v)", err)}
}

// refused says why the system refused what Open was doing with the data
// file (a read-only file system, a folder the sandbox's user may not write,
// a full disk) and what the host must change: the file is not to blame.
func refused(doing string, err error) error {
	var fix string
	switch {
	case errors.Is(err, syscall.EROFS):
		fix = "the file system is read-only: give the sandbox a data folder on a writable one"
	case errors.Is(err, os.ErrPermission):
		fix = fmt.Sprintf("the sandbox runs as user %d, which may not write there: give that user the folder (chown), or choose another data folder", os.Geteuid())
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		fix = "the disk is full: free some space, or move the data folder to a larger disk"
	default:
		return fmt.Errorf("bolt: %s: %w", doing, err)
	}
	return fmt.Errorf("bolt: %s: %w; %s", doing, err, fix)
}

// checkFile checks, before bbolt reads anything but its meta pages, what a
// data file must have right to be opened: see checkHead. It reads a few
// dozen pages, whatever the file's size; Check reads them all.
func checkFile(path string, pageSize int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot be read: %w", err)
	}
	defer f.Close()
	readRandomly(f)
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot be read: %w", err)
	}
	return damaged(checkHead(f, info.Size(), pageSize), pageSize)
}

// damaged says where a problem scanPages or checkHead found lies; nil
// stays nil.
func damaged(err error, pageSize int) error {
	var dmg *damage
	switch {
	case err == nil:
		return nil
	case errors.As(err, &dmg):
		return fmt.Errorf("is damaged at byte %d: %w", int64(dmg.page)*int64(pageSize), err)
	}
	return fmt.Errorf("is damaged: %w", err)
}

// checkSchema refuses a file a read-only DB cannot read: one of another
// schema, or without its buckets.
func checkSchema(btx *bbolt.Tx) error {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		return errors.New("it holds no schema version: it is not a sandbox data file")
	}
	v := meta.Get(keySchema)
	switch {
	case len(v) != 8:
		return fmt.Errorf("its schema version %x is not 8 bytes: it is not a sandbox data file", v)
	case binary.BigEndian.Uint64(v) < schemaVersion:
		return fmt.Errorf("an older sandbox wrote it (schema %d; this one reads %d): sandbox serve converts it once, after which the older sandbox cannot read it, so back it up first (sandbox backup --data copies it as it is)",
			binary.BigEndian.Uint64(v), schemaVersion)
	case binary.BigEndian.Uint64(v) > schemaVersion:
		return fmt.Errorf("schema version %d is newer than this sandbox knows (%d): use a newer sandbox or another data file", binary.BigEndian.Uint64(v), schemaVersion)
	}
	for _, b := range allBuckets {
		if btx.Bucket(b.name) == nil {
			return fmt.Errorf("bucket %s is missing: the file is damaged", b.name)
		}
	}
	return nil
}

// checkOlderSchema is checkSchema taking a file of an older schema too.
func checkOlderSchema(btx *bbolt.Tx) error {
	got, err := schemaOf(btx)
	switch {
	case err != nil:
		return err
	case got == 0:
		return errors.New("it holds no schema version: it is not a sandbox data file")
	case got < schemaVersion:
		return nil
	}
	return checkSchema(btx)
}

// createSchema creates the buckets of a new file, converts a file of an
// older schema, saying so on log, and refuses what it cannot read: a newer
// schema, or a file that is not the sandbox's. A new file, or one of the
// current schema, takes one transaction; a conversion several (see
// migrateV3 and migrateV4).
func createSchema(bdb *bbolt.DB, path string, log *slog.Logger) error {
	var got uint64 // 0 for a new file
	sealed := 0
	start := time.Now()
	err := bdb.Update(func(btx *bbolt.Tx) error {
		var err error
		if got, err = schemaOf(btx); err != nil {
			return err
		}
		switch got {
		case 0:
			if err := createBuckets(btx); err != nil {
				return err
			}
			return btx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion))
		case schemaVersion:
			if err := checkSchema(btx); err != nil {
				return err
			}
			return compactParents(btx)
		}
		log.Info("converting the data file to the current schema: done once, it takes some seconds for a million payments",
			"path", path, "schema", got, "to", schemaVersion)
		if got == 1 {
			if err := migrateV1(btx); err != nil {
				return err
			}
		}
		if got <= 2 {
			if sealed, err = migrateV2(btx); err != nil {
				return err
			}
		}
		return createBuckets(btx) // those of later schemas, which the conversions below read
	})
	if err != nil || got == 0 || got == schemaVersion {
		return err
	}
	indexed, dropped := 0, 0
	if got <= 3 {
		if indexed, dropped, err = migrateV3(bdb); err != nil {
			return err
		}
	}
	keys, err := migrateV4(bdb)
	if err != nil {
		return err
	}
	log.Info("converted the data file", "path", path, "schema", schemaVersion, "references_sealed", sealed,
		"jobs_indexed", indexed, "jobs_dropped", dropped, "payment_keys_sealed", keys,
		"took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// schemaOf returns the schema version of a file, 0 for a new one, and
// refuses one it cannot read.
func schemaOf(btx *bbolt.Tx) (uint64, error) {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = btx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if !empty {
			return 0, errors.New("it holds data but no schema version: it is not a sandbox data file")
		}
		return 0, nil
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return 0, fmt.Errorf("its schema version %x is not 8 bytes: it is not a sandbox data file", v)
	}
	switch got := binary.BigEndian.Uint64(v); {
	case got > schemaVersion:
		return 0, fmt.Errorf("schema version %d is newer than this sandbox knows (%d): use a newer sandbox or another data file", got, schemaVersion)
	case got < 1:
		return 0, fmt.Errorf("schema version %d is not one a sandbox wrote: it is not a sandbox data file", got)
	default:
		return got, nil
	}
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
func (d *DB) Close() error {
	d.trim.halt()
	// A checkpoint at the end leaves nothing to replay at the next open.
	err := d.commits.closeLog()
	if cerr := d.db.Close(); err == nil {
		err = cerr
	}
	return err
}

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
	return guard(func() error {
		return d.db.View(func(btx *bbolt.Tx) error { return fn(d.commits.tx(btx)) })
	})
}

// logMapSize is the size of bbolt's map of a data file with a log: address
// space only, far beyond any sandbox's file (256 GB where there is a log:
// on 64-bit systems).
const logMapSize = 1 << (strconv.IntSize - 26)

// logAllocSize is how much a data file with a log grows by at a time.
const logAllocSize = 1 << 20

// replayLog makes again, in bdb, the commits of records, in order, in one
// transaction, which bbolt syncs: a crash meanwhile leaves the file at the
// log's base, where the next Open starts again. (Commits one by one would
// let a commit overwrite pages of the base, which no pin holds here.)
func replayLog(bdb *bbolt.DB, records []logRecord) error {
	if len(records) == 0 {
		return nil
	}
	return guard(func() error {
		return bdb.Update(func(btx *bbolt.Tx) error {
			t := &tx{btx: btx, deferIndex: true} // as the committer's
			for _, r := range records {
				if err := replay(t, r.ops); err != nil {
					return fmt.Errorf("the record of transaction %d: %w", r.txid, err)
				}
			}
			return nil
		})
	})
}
