package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// This file reads bbolt's page layout itself, to find damage before bbolt
// trips over it: bbolt trusts its pages, and a page of garbage makes it
// panic, or read outside the file and crash the process, at whatever moment
// a transaction first touches it. Open reads, with plain reads of its own,
// the few pages every transaction starts from (checkHead), so that a file
// cut short, of garbage or damaged there is refused at once, whatever its
// size. sandbox check reads the file whole, from start to end (scanPages),
// so that nothing it finds can crash it. Where the system can, scanPages
// maps the file rather than reading it (mapFile): mapping costs a page
// fault a page where reading copies every byte, and a fault the mapping
// cannot serve panics, which guard recovers, instead of killing the
// process. Damage deeper than checkHead reads makes the transaction that
// meets it fail with a *PanicError (guard), and nothing crashes.
//
// The layout, from go.etcd.io/bbolt/internal/common, in the machine's byte
// order: a page starts with a 16-byte header (id uint64, flags uint16,
// count uint16, overflow uint32), and a page and its overflow pages hold
// count elements of 16 bytes after it. A branch element is (pos, ksize
// uint32, child page uint64), a leaf element (flags, pos, ksize, vsize
// uint32); pos counts from the element's own start, and a leaf's value
// follows its key. A leaf element with flag 1 is a bucket: its value starts
// with the bucket's root page and sequence (uint64 each), and a root of 0
// means the bucket's page follows, inline. The meta pages (0 and 1) hold
// magic, version, page size, flags (uint32 each), the root bucket (root,
// sequence), the freelist's page, the high-water mark and the transaction
// (uint64 each), and an FNV-64a checksum of all that. The freelist page
// lists free page IDs (uint64); a count of 0xFFFF means the first of them
// is the count.

// Page flags and sizes of bbolt's layout.
const (
	pageHeaderSize = 16
	elementSize    = 16
	branchFlag     = 0x01
	leafFlag       = 0x02
	metaFlag       = 0x04
	freelistFlag   = 0x10
	bucketLeafFlag = 0x01
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
	metaSize       = 64 // with its checksum
)

var native = binary.NativeEndian

// fileMeta is what a meta page says.
type fileMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // the high-water mark: pages [0, pgid) are the file's
	txid     uint64
}

// readMeta parses a meta page; ok is false when it is not a valid one.
func readMeta(page []byte) (fileMeta, bool) {
	if len(page) < pageHeaderSize+metaSize || native.Uint16(page[8:]) != metaFlag {
		return fileMeta{}, false
	}
	m := page[pageHeaderSize : pageHeaderSize+metaSize]
	h := fnv.New64a()
	h.Write(m[:56])
	if native.Uint32(m[0:]) != metaMagic || native.Uint32(m[4:]) != metaVersion || h.Sum64() != native.Uint64(m[56:]) {
		return fileMeta{}, false
	}
	return fileMeta{
		pageSize: native.Uint32(m[8:]),
		root:     native.Uint64(m[16:]),
		freelist: native.Uint64(m[32:]),
		pgid:     native.Uint64(m[40:]),
		txid:     native.Uint64(m[48:]),
	}, true
}

// damage is a problem of a page, found by scanPages.
type damage struct {
	page uint64
	what string
}

func (d *damage) Error() string { return fmt.Sprintf("page %d: %s", d.page, d.what) }

// readHead reads the meta pages of a file of size bytes and returns the
// meta of transaction txid, or the latest valid one when txid is 0, after
// checking it against the file: its page size, and that the file holds
// every page it counts and its root and freelist among them.
func readHead(f *os.File, size int64, pageSize int, txid uint64) (fileMeta, error) {
	if size < int64(2*pageSize) {
		return fileMeta{}, fmt.Errorf("it is %d bytes, shorter than the two pages every data file begins with", size)
	}
	head := make([]byte, 2*pageSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return fileMeta{}, fmt.Errorf("read its first pages: %w", err)
	}
	m0, ok0 := readMeta(head[:pageSize])
	m1, ok1 := readMeta(head[pageSize:])
	m := m0
	switch {
	case !ok0 && !ok1:
		return fileMeta{}, errors.New("neither of its two meta pages is valid")
	case txid != 0 && ok0 && m0.txid == txid:
	case txid != 0 && ok1 && m1.txid == txid:
		m = m1
	case txid != 0:
		return fileMeta{}, errMetaGone
	case !ok0 || ok1 && m1.txid > m0.txid:
		m = m1
	}
	if int(m.pageSize) != pageSize {
		return fileMeta{}, fmt.Errorf("its meta page says pages of %d bytes, not %d", m.pageSize, pageSize)
	}
	if need := int64(m.pgid) * int64(pageSize); need > size {
		return fileMeta{}, fmt.Errorf("it is cut short: it holds %d bytes, and its pages reach byte %d", size, need)
	}
	if m.freelist < 2 || m.freelist >= m.pgid || m.root < 2 || m.root >= m.pgid {
		return fileMeta{}, fmt.Errorf("its meta page points outside the file (root page %d, freelist page %d, %d pages)", m.root, m.freelist, m.pgid)
	}
	return m, nil
}

// errMetaGone is readHead's error when no meta page holds the transaction
// asked for any more: later ones overwrote both.
var errMetaGone = errors.New("the meta page of the transaction was overwritten")

// checkHead checks, in a few small reads, what a file must have right for
// bbolt to open it and find its buckets: its meta pages (see readHead),
// its freelist, the pages of the root bucket and the root page of every
// top-level bucket. It reads a few dozen pages whatever the file's size;
// damage deeper in the file is scanPages's to find (sandbox check).
func checkHead(f *os.File, size int64, pageSize int) error {
	m, err := readHead(f, size, pageSize, 0)
	if err != nil {
		return err
	}
	s := &pageScan{f: f, pageSize: pageSize, pgid: m.pgid, free: map[uint64]bool{}}
	if err := s.readFreelist(m.freelist); err != nil {
		return err
	}
	if s.free[m.root] {
		return &damage{m.root, "the root of the file's buckets is listed as free"}
	}
	return s.checkRootTree(m.root, 0)
}

// maxRootDepth bounds the root bucket's tree, which a handful of buckets
// keep to one page: deeper, a damaged file may point in circles.
const maxRootDepth = 8

// checkRootTree checks page id of the root bucket's tree, the pages under
// it, and the root page of each bucket its leaves hold.
func (s *pageScan) checkRootTree(id uint64, depth int) error {
	if depth > maxRootDepth {
		return &damage{id, "the tree of the file's buckets is deeper than any sandbox writes"}
	}
	p, err := s.treePage(id)
	if err != nil {
		return err
	}
	branch := native.Uint16(p[8:]) == branchFlag
	for _, child := range pointers(p) {
		if branch {
			err = s.checkRootTree(child, depth+1)
		} else {
			_, err = s.treePage(child)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// treePage reads page id and checks it as a page of a tree.
func (s *pageScan) treePage(id uint64) ([]byte, error) {
	p, err := s.pages(id, 1)
	if err != nil {
		return nil, err
	}
	if got := native.Uint64(p); got != id {
		return nil, &damage{id, fmt.Sprintf("its header names page %d", got)}
	}
	overflow := uint64(native.Uint32(p[12:]))
	if overflow >= s.pgid-id {
		return nil, &damage{id, fmt.Sprintf("it says it runs over %d more pages, past the end of the file", overflow)}
	}
	if p, err = s.pages(id, 1+int(overflow)); err != nil {
		return nil, err
	}
	if err := s.checkTreePage(p, false); err != nil {
		return nil, &damage{id, err.Error()}
	}
	return p, nil
}

// pointers returns the pages a checked tree page points to: a branch's
// children, or the root pages of the buckets a leaf holds (not the inline
// ones).
func pointers(p []byte) []uint64 {
	flags, count := native.Uint16(p[8:]), int(native.Uint16(p[10:]))
	var ids []uint64
	for i := range count {
		e := pageHeaderSize + i*elementSize
		if flags == branchFlag {
			ids = append(ids, native.Uint64(p[e+8:]))
			continue
		}
		if native.Uint32(p[e:])&bucketLeafFlag == 0 {
			continue
		}
		start := e + int(native.Uint32(p[e+4:])) + int(native.Uint32(p[e+8:]))
		if root := native.Uint64(p[start:]); root != 0 {
			ids = append(ids, root)
		}
	}
	return ids
}

// scanPages checks every page of the file that bbolt's meta of transaction
// txid (0: the latest) says is in use: that the file holds it, that its
// header names it, and, for the pages of the tree, that its elements lie
// inside it, its keys are in order and the pages it points to exist and are
// not free; and that every page is free or pointed to exactly once. It
// reads the file front to back, mapped where the system can, so at about
// the speed of the disk.
func scanPages(f *os.File, size int64, pageSize int, txid uint64) error {
	m, err := readHead(f, size, pageSize, txid)
	if err != nil {
		return err
	}
	s := &pageScan{f: f, pageSize: pageSize, pgid: m.pgid, free: map[uint64]bool{}, chunk: scanChunk,
		heads: make([]bool, m.pgid), reached: make([]bool, m.pgid)}
	if mapped, unmap, err := mapFile(f, int(m.pgid)*pageSize); err == nil {
		defer unmap()
		s.mapped = mapped
		err := guard(func() error { return s.checkAll(m) })
		var perr *PanicError
		if errors.As(err, &perr) {
			return fmt.Errorf("reading it failed: %v", perr.Value)
		}
		return err
	}
	return s.checkAll(m)
}

// checkAll reads the freelist and checks the pages.
func (s *pageScan) checkAll(m fileMeta) error {
	if err := s.readFreelist(m.freelist); err != nil {
		return err
	}
	if s.free[m.root] {
		return &damage{m.root, "the root of the file's buckets is listed as free"}
	}
	s.reached[m.root], s.reached[m.freelist] = true, true
	if err := s.scan(m.freelist); err != nil {
		return err
	}
	for id := uint64(2); id < s.pgid; id++ {
		switch {
		case s.heads[id] && !s.reached[id]:
			return &damage{id, "it is neither free nor reached from the root: nothing points to it"}
		case s.reached[id] && !s.heads[id]:
			return &damage{id, "a page points to it, but it lies inside the overflow of another page"}
		}
	}
	return nil
}

// pageScan is one run of scanPages or checkHead.
type pageScan struct {
	f        *os.File
	pageSize int
	pgid     uint64
	free     map[uint64]bool
	chunk    int    // how much to read at once, ahead of what is asked; 0 reads what is asked
	mapped   []byte // the file, when it is mapped
	buf      []byte // else pages [bufFirst, bufFirst+len(buf)/pageSize)
	bufFirst uint64
	// heads and reached, for scanPages, are by page: whether the scan found
	// a page starting there, and whether a page or the meta points there.
	heads, reached []bool
}

// scanChunk is how much scanPages reads at once when it cannot map the file.
const scanChunk = 4 << 20

// pages returns n pages from id on, reading them as needed. What it
// returns stays valid only until the next call when the scan reads ahead
// (chunk is set) into its one buffer.
func (s *pageScan) pages(id uint64, n int) ([]byte, error) {
	if id+uint64(n) > s.pgid {
		return nil, &damage{id, fmt.Sprintf("it runs %d pages past the last page of the file", id+uint64(n)-s.pgid)}
	}
	if s.mapped != nil {
		off := int(id) * s.pageSize
		return s.mapped[off : off+n*s.pageSize], nil
	}
	if s.chunk == 0 {
		p := make([]byte, n*s.pageSize)
		if _, err := s.f.ReadAt(p, int64(id)*int64(s.pageSize)); err != nil {
			return nil, fmt.Errorf("read page %d: %w", id, err)
		}
		return p, nil
	}
	end := id + uint64(n)
	if id >= s.bufFirst && end <= s.bufFirst+uint64(len(s.buf)/s.pageSize) {
		off := int(id-s.bufFirst) * s.pageSize
		return s.buf[off : off+n*s.pageSize], nil
	}
	want := max(n*s.pageSize, s.chunk)
	if rest := int(s.pgid-id) * s.pageSize; want > rest {
		want = rest
	}
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	s.buf = s.buf[:want]
	if _, err := s.f.ReadAt(s.buf, int64(id)*int64(s.pageSize)); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read page %d: %w", id, err)
	}
	s.bufFirst = id
	return s.buf[:n*s.pageSize], nil
}

// readFreelist reads the free page IDs.
func (s *pageScan) readFreelist(id uint64) error {
	p, err := s.pages(id, 1)
	if err != nil {
		return err
	}
	if native.Uint64(p) != id || native.Uint16(p[8:]) != freelistFlag {
		return &damage{id, "the freelist page is not one"}
	}
	p, err = s.pages(id, 1+int(native.Uint32(p[12:])))
	if err != nil {
		return err
	}
	count, first := uint64(native.Uint16(p[10:])), pageHeaderSize
	if count == 0xFFFF {
		count, first = native.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > uint64(len(p)-first)/8 {
		return &damage{id, fmt.Sprintf("the freelist claims %d pages it cannot hold", count)}
	}
	for i := range count {
		free := native.Uint64(p[first+int(i)*8:])
		if free < 2 || free >= s.pgid {
			return &damage{id, fmt.Sprintf("the freelist lists page %d, outside the file", free)}
		}
		s.free[free] = true
	}
	s.buf, s.bufFirst = s.buf[:0], 0 // the scan starts afresh
	return nil
}

// scan checks every page from 2 on that is neither free nor the freelist.
func (s *pageScan) scan(freelist uint64) error {
	for id := uint64(2); id < s.pgid; {
		if s.free[id] {
			id++
			continue
		}
		p, err := s.pages(id, 1)
		if err != nil {
			return err
		}
		if got := native.Uint64(p); got != id {
			return &damage{id, fmt.Sprintf("its header names page %d", got)}
		}
		flags, overflow := native.Uint16(p[8:]), uint64(native.Uint32(p[12:]))
		if overflow >= s.pgid-id {
			return &damage{id, fmt.Sprintf("it says it runs over %d more pages, past the end of the file", overflow)}
		}
		if p, err = s.pages(id, 1+int(overflow)); err != nil {
			return err
		}
		s.heads[id] = true
		switch {
		case id == freelist && flags == freelistFlag:
		case flags == branchFlag || flags == leafFlag:
			if err := s.checkTreePage(p, false); err != nil {
				return &damage{id, err.Error()}
			}
		default:
			return &damage{id, fmt.Sprintf("its kind (flags %#x) is none a page in use can have", flags)}
		}
		id += 1 + overflow
	}
	return nil
}

// checkTreePage checks a branch or leaf page: its elements lie inside it,
// its keys ascend and what it points to is in use. An inline bucket's page
// is checked too.
func (s *pageScan) checkTreePage(p []byte, inline bool) error {
	flags, count := native.Uint16(p[8:]), int(native.Uint16(p[10:]))
	if flags != branchFlag && flags != leafFlag {
		return fmt.Errorf("its kind (flags %#x) is neither branch nor leaf", flags)
	}
	if pageHeaderSize+count*elementSize > len(p) {
		return fmt.Errorf("it claims %d elements, more than it can hold", count)
	}
	if count == 0 && !inline {
		return errors.New("it has no elements")
	}
	var prev []byte
	for i := range count {
		e := pageHeaderSize + i*elementSize
		var pos, ksize, vsize int
		if flags == branchFlag {
			pos, ksize = int(native.Uint32(p[e:])), int(native.Uint32(p[e+4:]))
		} else {
			pos, ksize, vsize = int(native.Uint32(p[e+4:])), int(native.Uint32(p[e+8:])), int(native.Uint32(p[e+12:]))
		}
		start := e + pos
		if pos < elementSize*(count-i) || ksize > len(p) || vsize > len(p) || start+ksize+vsize > len(p) {
			return fmt.Errorf("element %d lies outside the page", i)
		}
		key := p[start : start+ksize]
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return fmt.Errorf("its keys are out of order at element %d", i)
		}
		prev = key
		if flags == branchFlag {
			if err := s.pointsTo(native.Uint64(p[e+8:])); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
			continue
		}
		if native.Uint32(p[e:])&bucketLeafFlag == 0 {
			continue
		}
		v := p[start+ksize : start+ksize+vsize]
		if len(v) < 16 {
			return fmt.Errorf("bucket %q: its header is cut short", key)
		}
		if root := native.Uint64(v); root != 0 {
			if err := s.pointsTo(root); err != nil {
				return fmt.Errorf("bucket %q: %w", key, err)
			}
		} else if len(v) < 16+pageHeaderSize {
			return fmt.Errorf("bucket %q: its inline page is cut short", key)
		} else if err := s.checkTreePage(v[16:], true); err != nil {
			return fmt.Errorf("bucket %q: %w", key, err)
		}
	}
	return nil
}

// pointsTo checks a page a tree page points to.
func (s *pageScan) pointsTo(id uint64) error {
	switch {
	case id < 2 || id >= s.pgid:
		return fmt.Errorf("it points to page %d, outside the file", id)
	case s.free[id]:
		return fmt.Errorf("it points to page %d, which is free", id)
	case s.reached == nil:
	case s.reached[id]:
		return fmt.Errorf("it points to page %d, which another page points to too", id)
	default:
		s.reached[id] = true
	}
	return nil
}
