package bolt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The redo log makes a commit durable with one small write and one fsync.
//
// bbolt makes a commit durable by writing every page the commit changed
// (forty or so for a sale: each bucket's path from its root to the leaf),
// syncing them, then writing its meta page and syncing again: two waits
// for the disk, the first for ~150 KB. With the log, bbolt runs with
// NoSync: a commit writes its pages to the system's cache only, and the
// committer appends the commit's write calls (logtx.go), a KB or two, to
// the log file and syncs that, meanwhile. Only then is the Update
// answered.
//
// A checkpoint, every logCheckpointBytes of log or logCheckpointCommits
// commits, syncs the data file and records, in the log's header, the
// transaction the file is now durable at (the base) with a copy of its meta
// page; the records after it start again at the front of the log.
//
// After a crash the data file holds whatever pages the system had written:
// the commits since the base may be there in part. The base's own pages
// are all there: a read transaction opened at the base (the pin) stays open
// until the next checkpoint, so bbolt reuses none of them meanwhile (pages
// a later commit allocated and freed are reused as usual). So recovery puts
// the base's meta page back, which makes the file exactly what it was at
// the base, and replays the records after it, in one transaction bbolt
// syncs; then it empties the log, before any other commit may reuse the
// base's pages, and starts it again with a checkpoint. A record cut short
// by the crash fails its checksum and ends the log; its commit was not
// answered.
//
// A reader may see a commit a moment before its record is synced, while
// its Update waits for the sync. Nothing the sandbox sends out (callbacks,
// check_deposit) goes before its Update returns, or before the next
// commit, which waits for the sync of the one before; only a power cut in
// that moment loses what a reader saw.
//
// The file:
//
//	two header slots of logSlotSize bytes; the current one is the valid slot
//	  with the higher epoch: magic, epoch, base txid, schema version, the
//	  checksums of the base's root and freelist pages, the meta page's
//	  length and bytes, CRC-32C
//	records from logRecords on: length, CRC-32C, epoch, txid, the calls
//
// A checkpoint writes the other slot with epoch+1; records of an older
// epoch left behind the newest are ignored. The file is filled with zeros
// ahead of the records, so that an append's fsync writes data only, not
// the file's size.
type redoLog struct {
	f    *os.File
	path string
	// data is the data file, opened to read its meta page at checkpoints.
	data     *os.File
	pageSize int

	epoch uint64 // of the current header

	next   int64 // offset of the next record; next-logRecords bytes of records follow the base
	filled int64 // the file's size: zeros from next on
	lastAt int64 // offset of the last record, for takeBack

	commits int // records since the base

	// A checkpoint is due after every this many commits or bytes of
	// records: logCheckpointCommits and logCheckpointBytes, unless a
	// test says otherwise.
	checkpointCommits int
	checkpointBytes   int64

	// pin is the read transaction at the base, which keeps bbolt from
	// reusing the base's pages.
	pin *bbolt.Tx

	// noSync skips fsyncs, for tests and benchmarks that measure
	// anything but the disk.
	noSync bool
}

const (
	logMagic = "sbxlog1\n"
	// logHeadLen is the fixed part of a header slot: magic, epoch, base,
	// schema, the two pages' checksums, meta length.
	logHeadLen = 8 + 8 + 8 + 8 + 8 + 8 + 4
	// logRecordHead is a record's length, CRC, epoch and txid.
	logRecordHead = 4 + 4 + 8 + 8
	// logSlotSize is the size of a header slot. bbolt's meta is 80 bytes
	// at the front of its page, and the rest of the page zeros, which
	// the header leaves out.
	logSlotSize = 4096
	// logRecords is where records start.
	logRecords = 2 * logSlotSize
	// logGrowth is the least the file grows by when it fills.
	logGrowth = 64 << 10

	// A checkpoint is due after this many bytes of records or commits.
	// They bound how long recovery replays and how many pages the pin
	// holds, which matters more than it seems: a page bbolt allocates
	// from the end of the file, when its freelist has none, is held until
	// the next checkpoint, and bbolt writes its whole freelist at every
	// commit. A checkpoint costs a sync of the pages written since the
	// last, a few hundred KB at these figures.
	logCheckpointBytes   = 256 << 10
	logCheckpointCommits = 32
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// logPath is the log of the data file at path.
func logPath(path string) string { return path + "-log" }

// logHeader is what a header slot holds.
type logHeader struct {
	epoch, base, schema uint64
	// root and freelist are the checksums of the base's root and
	// freelist pages, which tie the log to its data file: the pin keeps
	// them as they are in the file until the next checkpoint.
	root, freelist uint64
	meta           []byte
}

// baseSums returns the checksums of the root and freelist pages, with
// their overflow, of the data file f whose meta page is m.
func baseSums(f *os.File, m fileMeta) (root, freelist uint64, err error) {
	sum := func(id uint64) (uint64, error) {
		size := int64(m.pageSize)
		page := make([]byte, size)
		if _, err := f.ReadAt(page, int64(id)*size); err != nil {
			return 0, fmt.Errorf("read page %d: %w", id, err)
		}
		if over := int64(native.Uint32(page[12:])); over > 0 {
			if over >= int64(m.pgid) {
				return 0, fmt.Errorf("page %d has %d overflow pages, past the file's end", id, over)
			}
			page = make([]byte, (1+over)*size)
			if _, err := f.ReadAt(page, int64(id)*size); err != nil {
				return 0, fmt.Errorf("read page %d: %w", id, err)
			}
		}
		return uint64(crc32.Checksum(page, crcTable)), nil
	}
	if root, err = sum(m.root); err == nil {
		freelist, err = sum(m.freelist)
	}
	return root, freelist, err
}

// readHeader returns the current header of the log file f, or ok false
// when neither slot holds a valid one.
func readHeader(f *os.File) (h logHeader, ok bool, err error) {
	buf := make([]byte, logSlotSize)
	for slot := range int64(2) {
		n, err := f.ReadAt(buf, slot*logSlotSize)
		if err != nil && !errors.Is(err, io.EOF) {
			return h, false, err
		}
		c, valid := parseHeader(buf[:n])
		if valid && (!ok || c.epoch > h.epoch) {
			h, ok = c, true
		}
	}
	return h, ok, nil
}

// headerWritten reports whether the header slots of log f hold anything
// but zeros.
func headerWritten(f *os.File) (bool, error) {
	buf := make([]byte, logRecords)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return slices.ContainsFunc(buf[:n], func(b byte) bool { return b != 0 }), nil
}

func parseHeader(b []byte) (logHeader, bool) {
	if len(b) < logHeadLen+4 || string(b[:8]) != logMagic {
		return logHeader{}, false
	}
	be := binary.BigEndian
	h := logHeader{epoch: be.Uint64(b[8:]), base: be.Uint64(b[16:]), schema: be.Uint64(b[24:]), root: be.Uint64(b[32:]), freelist: be.Uint64(b[40:])}
	n := int(be.Uint32(b[48:]))
	if n > len(b)-logHeadLen-4 {
		return logHeader{}, false
	}
	end := logHeadLen + n
	if crc32.Checksum(b[:end], crcTable) != be.Uint32(b[end:]) {
		return logHeader{}, false
	}
	h.meta = bytes.Clone(b[logHeadLen:end])
	return h, true
}

func (h logHeader) encode() []byte {
	be := binary.BigEndian
	b := make([]byte, logHeadLen, logHeadLen+len(h.meta)+4)
	copy(b, logMagic)
	be.PutUint64(b[8:], h.epoch)
	be.PutUint64(b[16:], h.base)
	be.PutUint64(b[24:], h.schema)
	be.PutUint64(b[32:], h.root)
	be.PutUint64(b[40:], h.freelist)
	be.PutUint32(b[48:], uint32(len(h.meta)))
	b = append(b, h.meta...)
	return be.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// logRecord is one commit's record.
type logRecord struct {
	txid uint64
	ops  []byte
}

// readRecords returns the records of the header's epoch, in order. The
// first record that is cut short, fails its checksum, is of another epoch
// or does not follow the one before ends them.
func readRecords(f *os.File, h logHeader) ([]logRecord, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() < logRecords {
		return nil, nil
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, logRecords, info.Size()-logRecords), 64<<10)
	var out []logRecord
	off, prev := int64(logRecords), h.base
	head := make([]byte, logRecordHead)
	for {
		if _, err := io.ReadFull(br, head); err != nil {
			return out, nil
		}
		be := binary.BigEndian
		n, sum := be.Uint32(head), be.Uint32(head[4:])
		if be.Uint64(head[8:]) != h.epoch || int64(n) > info.Size()-off-logRecordHead {
			return out, nil
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return out, nil
		}
		crc := crc32.Update(crc32.Checksum(head[8:], crcTable), crcTable, body)
		txid := be.Uint64(head[16:])
		if crc != sum || txid <= prev {
			return out, nil
		}
		out = append(out, logRecord{txid: txid, ops: body})
		off += logRecordHead + int64(n)
		prev = txid
	}
}

// append writes the record of commit txid and syncs the log.
func (l *redoLog) append(txid uint64, ops []byte) error {
	n := int64(logRecordHead + len(ops))
	if err := l.reserve(n); err != nil {
		return err
	}
	b := make([]byte, logRecordHead, n)
	be := binary.BigEndian
	be.PutUint32(b, uint32(len(ops)))
	be.PutUint64(b[8:], l.epoch)
	be.PutUint64(b[16:], txid)
	b = append(b, ops...)
	be.PutUint32(b[4:], crc32.Checksum(b[8:], crcTable))
	if _, err := l.f.WriteAt(b, l.next); err != nil {
		return fmt.Errorf("bolt: write the log %s: %w", l.path, err)
	}
	if err := l.sync(); err != nil {
		return err
	}
	l.lastAt = l.next
	l.next += n
	l.commits++
	return nil
}

// takeBack takes the last record out of the log again: its commit failed.
func (l *redoLog) takeBack() error {
	if _, err := l.f.WriteAt(make([]byte, l.next-l.lastAt), l.lastAt); err != nil {
		return fmt.Errorf("bolt: take a failed commit out of the log %s: %w", l.path, err)
	}
	if err := l.sync(); err != nil {
		return err
	}
	l.commits--
	l.next = l.lastAt
	return nil
}

// reserve makes sure the file has n bytes of zeros from next on: when it
// has not, it grows by at least its size so far.
func (l *redoLog) reserve(n int64) error {
	if l.next+n <= l.filled {
		return nil
	}
	size := max(2*l.filled, l.next+n+logGrowth)
	zeros := make([]byte, size-l.filled)
	if _, err := l.f.WriteAt(zeros, l.filled); err != nil {
		return fmt.Errorf("bolt: grow the log %s: %w", l.path, err)
	}
	l.filled = size
	return nil // the append's sync syncs the size too
}

func (l *redoLog) sync() error {
	if l.noSync {
		return nil
	}
	if err := fdatasync(l.f); err != nil {
		return fmt.Errorf("bolt: sync the log %s: %w", l.path, err)
	}
	return nil
}

// due says whether a checkpoint is due.
func (l *redoLog) due() bool {
	return l.next-logRecords >= l.checkpointBytes || l.commits >= l.checkpointCommits
}

// checkpoint makes the data file durable at its last commit and starts the
// log again from there. No commit may run meanwhile.
func (l *redoLog) checkpoint(db *bbolt.DB, schema uint64) error {
	if !l.noSync {
		if err := db.Sync(); err != nil {
			return fmt.Errorf("bolt: checkpoint: sync the data file: %w", err)
		}
	}
	pin, err := db.Begin(false)
	if err != nil {
		return fmt.Errorf("bolt: checkpoint: %w", err)
	}
	txid := uint64(pin.ID())
	meta, m, err := l.metaPage(txid)
	if err != nil {
		_ = pin.Rollback()
		return err
	}
	root, freelist, err := baseSums(l.data, m)
	if err != nil {
		_ = pin.Rollback()
		return fmt.Errorf("bolt: checkpoint: %w", err)
	}
	h := logHeader{epoch: l.epoch + 1, base: txid, schema: schema, root: root, freelist: freelist, meta: meta}
	if _, err := l.f.WriteAt(h.encode(), int64(h.epoch%2)*logSlotSize); err != nil {
		_ = pin.Rollback()
		return fmt.Errorf("bolt: checkpoint: write the log %s: %w", l.path, err)
	}
	if err := l.sync(); err != nil {
		_ = pin.Rollback()
		return err
	}
	if l.pin != nil {
		_ = l.pin.Rollback()
	}
	l.pin = pin
	l.epoch = h.epoch
	l.next = logRecords
	l.commits = 0
	return nil
}

// metaPage reads the meta page of transaction txid from the data file:
// its bytes, as the log keeps them, and what it says.
func (l *redoLog) metaPage(txid uint64) ([]byte, fileMeta, error) {
	page := make([]byte, l.pageSize)
	if _, err := l.data.ReadAt(page, int64(txid%2)*int64(l.pageSize)); err != nil {
		return nil, fileMeta{}, fmt.Errorf("bolt: checkpoint: read the meta page: %w", err)
	}
	m, ok := readMeta(page)
	if !ok || m.txid != txid {
		return nil, fileMeta{}, fmt.Errorf("bolt: checkpoint: the meta page does not hold transaction %d", txid)
	}
	// The zeros after bbolt's meta are left out, never its own bytes
	// (its checksum may end in a zero).
	meta := page[:max(len(bytes.TrimRight(page, "\x00")), pageHeaderSize+metaSize)]
	if len(meta) > logSlotSize-logHeadLen-4 {
		return nil, fileMeta{}, fmt.Errorf("bolt: checkpoint: the meta page has %d bytes that are not zeros; bbolt writes 80", len(meta))
	}
	return meta, m, nil
}

// close releases the pin and closes the files.
func (l *redoLog) close() error {
	if l.pin != nil {
		_ = l.pin.Rollback()
		l.pin = nil
	}
	err := l.f.Close()
	if cerr := l.data.Close(); err == nil {
		err = cerr
	}
	return err
}

// createLog creates, or empties, the log of the data file at path for a
// file whose pages are pageSize bytes, and syncs its directory so that the
// log is found after a crash. Its header is written by the first
// checkpoint.
func createLog(path string, pageSize int) (*redoLog, error) {
	lp := logPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("bolt: create the log %s: %w", lp, err)
	}
	data, err := os.Open(path)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("bolt: open data file %s: %w", path, err)
	}
	l := &redoLog{f: f, path: lp, data: data, pageSize: pageSize,
		checkpointCommits: logCheckpointCommits, checkpointBytes: logCheckpointBytes}
	l.next, l.filled = logRecords, 0
	err = l.reserve(logGrowth)
	if err == nil {
		err = syncDir(filepath.Dir(lp))
	}
	if err != nil {
		_ = l.close()
		return nil, err
	}
	return l, nil
}

// emptyLog empties the log of the data file at path, if there is one, and
// syncs it: once its records are in the file, the next commit may
// overwrite pages of its base, to which nothing may take the file back.
func emptyLog(path string) error {
	lp := logPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = f.Truncate(0)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("bolt: empty the log %s: %w", lp, err)
	}
	return nil
}

// syncDir syncs the directory dir, so that a file created in it stays.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("bolt: sync directory %s: %w", dir, err)
	}
	return nil
}

// recoverLog brings the data file at path back to its log's base when the
// file went on past it, and returns the records to replay once bbolt has
// the file open (see redoLog). It waits up to timeout for another process
// to release the file. With readOnly it changes nothing, and refuses a file
// that needs its log. A log whose two header slots are written but neither
// is whole is damaged, not merely new: log hears of it, and the file
// opens as it is.
func recoverLog(path string, timeout time.Duration, readOnly bool, log *slog.Logger) ([]logRecord, error) {
	if !logSupported {
		return nil, nil
	}
	lp := logPath(path)
	lf, err := os.Open(lp)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open the log %s: %w", lp, err)
	}
	defer lf.Close()
	h, ok, err := readHeader(lf)
	if err != nil {
		return nil, fmt.Errorf("bolt: read the log %s: %w", lp, err)
	}
	if !ok {
		// No checkpoint yet, so no commit went through it; unless the
		// slots hold something, which only damage leaves (the first
		// checkpoint cut short by a crash also does, with nothing lost).
		if written, err := headerWritten(lf); err == nil && written {
			log.Warn("the data file's log has no readable header: the file opens as it is, without the changes the log may hold since its last checkpoint; if the sandbox was killed or its machine stopped, run sandbox check on it",
				"path", path, "log", lp)
		}
		return nil, nil
	}
	records, err := readRecords(lf, h)
	if err != nil {
		return nil, fmt.Errorf("bolt: read the log %s: %w", lp, err)
	}
	flag := os.O_RDWR
	if readOnly {
		flag = os.O_RDONLY
	}
	df, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, fmt.Errorf("bolt: open data file %s: %w", path, err)
	}
	defer df.Close() // which releases the lock
	if readOnly && lockedElsewhere(path) {
		return nil, nil // its sandbox runs: bbolt says so
	}
	if !readOnly {
		if err := lockWithin(df, timeout); err != nil {
			return nil, fmt.Errorf("bolt: data file %s is in use by another sandbox (%w): stop it or use another data file", path, &inUse{fmt.Errorf("%w: %w", berrors.ErrTimeout, err), timeout})
		}
	}
	m, ok := readMeta(h.meta)
	if !ok {
		return nil, fmt.Errorf("bolt: the log %s holds a meta page bbolt would not read: remove it to open data file %s as it is", lp, path)
	}
	pageSize := int(m.pageSize)
	if root, freelist, err := baseSums(df, m); err != nil || root != h.root || freelist != h.freelist {
		if len(records) == 0 {
			return nil, nil // a file put in the place of one closed as it should be
		}
		return nil, fmt.Errorf("bolt: data file %s is not the file its log %s was written for: another file was put in its place after a sandbox stopped without closing it; remove %s to open the file as it is (the %d changes the log holds are lost), or put the first file back", path, lp, lp, len(records))
	}
	restore, err := needsRestore(df, h, pageSize)
	if err != nil {
		return nil, fmt.Errorf("bolt: data file %s: %w", path, err)
	}
	if !restore && len(records) == 0 {
		return nil, nil
	}
	if readOnly {
		return nil, fmt.Errorf("bolt: data file %s was not closed: start sandbox serve on it once, which brings it up to date from its log %s (%d changes), then try again", path, lp, len(records))
	}
	if h.schema != schemaVersion && len(records) > 0 {
		return nil, fmt.Errorf("bolt: data file %s was not closed, and its log %s was written by a sandbox of schema %d (this one writes %d): start that sandbox on it once, which adds the log's changes to the file", path, lp, h.schema, schemaVersion)
	}
	if restore {
		page := make([]byte, 2*pageSize)
		base := int64(h.base%2) * int64(pageSize)
		copy(page[base:], h.meta)
		if _, err := df.WriteAt(page, 0); err != nil {
			return nil, fmt.Errorf("bolt: data file %s: put back the meta page of its last checkpoint: %w", path, err)
		}
		if err := fdatasync(df); err != nil {
			return nil, fmt.Errorf("bolt: data file %s: sync: %w", path, err)
		}
	}
	return records, nil
}

// needsRestore says whether the data file f went on past the log's base:
// unless its meta page of the base's parity is the base's, and the other
// is older, it did.
func needsRestore(f *os.File, h logHeader, pageSize int) (bool, error) {
	head := make([]byte, 2*pageSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return false, fmt.Errorf("read its meta pages: %w", err)
	}
	at := int(h.base%2) * pageSize
	mine, other := head[at:at+pageSize], head[pageSize-at:2*pageSize-at]
	if len(h.meta) > pageSize {
		return false, fmt.Errorf("its pages are %d bytes, and its log's meta page %d", pageSize, len(h.meta))
	}
	if !bytes.Equal(mine[:len(h.meta)], h.meta) || len(bytes.TrimRight(mine[len(h.meta):], "\x00")) > 0 {
		return true, nil
	}
	m, ok := readMeta(other)
	return ok && m.txid > h.base, nil
}

// lockWithin takes f's lock, trying for up to timeout.
func lockWithin(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := lockExclusive(f)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
