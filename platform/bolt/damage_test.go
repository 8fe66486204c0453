package bolt

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// damagedSource returns the bytes of a closed data file of 1 000 real
// payments (makeSource's), for the tests that damage copies of it. The
// file is kept gzipped in testdata (TestSourceGolden checks it is current
// and make golden rewrites it): making it costs a race-built test binary
// several CPU-seconds, a tenth of the package's tests, while reading it
// costs a few milliseconds.
func damagedSource(t *testing.T) []byte {
	t.Helper()
	source.once.Do(func() { source.b, source.err = readSource(sourcePath) })
	require.NoError(t, source.err)
	return bytes.Clone(source.b)
}

// sourcePath is where damagedSource's file is kept, gzipped.
const sourcePath = "testdata/source.db.gz"

// readSource reads the gzipped data file at path.
func readSource(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the tests' data file of 1 000 payments: %w (make golden writes it)", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("the tests' data file %s: %w (make golden writes it anew)", path, err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		return nil, fmt.Errorf("the tests' data file %s: %w (make golden writes it anew)", path, err)
	}
	return b, nil
}

// makeSource returns the bytes of a closed data file of 1 000 real
// payments, stored as sales store them, 50 payments a commit.
func makeSource(t *testing.T) []byte {
	t.Helper()
	d := newDB(t)
	d.syncOff()
	require.NoError(t, fillReal(d, newRealPayments(3), 0, 1000, 50))
	require.NoError(t, d.Close())
	b, err := os.ReadFile(d.Path())
	require.NoError(t, err)
	return b
}

// sourceFile writes a copy of damagedSource's file into a folder of t's
// and returns its path.
func sourceFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	require.NoError(t, os.WriteFile(path, damagedSource(t), 0o600))
	return path
}

// source is the file damagedSource reads, once.
var source struct {
	once sync.Once
	b    []byte
	err  error
}

// fileLayout is where a data file's first pages are: its meta, the
// freelist, the root bucket's page and the root page of every top-level
// bucket, by name.
type fileLayout struct {
	meta    fileMeta
	free    map[uint64]bool
	roots   map[string]uint64
	opening map[uint64]bool // every page Open reads
}

// layoutOf reads the layout of the file at path.
func layoutOf(t *testing.T, path string) fileLayout {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	m, err := readHead(f, info.Size(), 4096, 0)
	require.NoError(t, err)
	s := &pageScan{f: f, pageSize: 4096, pgid: m.pgid, free: map[uint64]bool{}}
	require.NoError(t, s.readFreelist(m.freelist))
	root, err := s.treePage(m.root)
	require.NoError(t, err)
	require.Equal(t, uint16(leafFlag), native.Uint16(root[8:]), "the root bucket is one leaf")
	l := fileLayout{meta: m, free: s.free, roots: map[string]uint64{},
		opening: map[uint64]bool{0: true, 1: true, m.root: true, m.freelist: true}}
	for i := range int(native.Uint16(root[10:])) {
		e := pageHeaderSize + i*elementSize
		start, ksize := e+int(native.Uint32(root[e+4:])), int(native.Uint32(root[e+8:]))
		id := native.Uint64(root[start+ksize:])
		l.roots[string(root[start:start+ksize])] = id
		l.opening[id] = true
	}
	// Open also merges the pages of the buckets that hold buckets
	// (compactParents): it reads every page of their trees, and of the
	// trees of payment_index's project buckets.
	for _, name := range [][]byte{bucketDeliveriesByProject, bucketSequences, bucketReferenceGenerations,
		bucketPaymentKeyGenerations, bucketPaymentIndex} {
		if id := l.roots[string(name)]; id != 0 {
			markTree(t, s, id, bytes.Equal(name, bucketPaymentIndex), l.opening)
		}
	}
	return l
}

// markTree marks in read every page of the tree whose root is page id, and
// with children the pages of the trees of the buckets its leaves hold.
func markTree(t *testing.T, s *pageScan, id uint64, children bool, read map[uint64]bool) {
	t.Helper()
	p, err := s.treePage(id)
	require.NoError(t, err)
	for i := range uint64(native.Uint32(p[12:])) + 1 { // the page and its overflow
		read[id+i] = true
	}
	branch := native.Uint16(p[8:]) == branchFlag
	for _, child := range pointers(p) {
		switch {
		case branch:
			markTree(t, s, child, children, read)
		case children:
			markTree(t, s, child, false, read)
		}
	}
}

// deepPageAt returns the first page at or after byte off that the file
// uses and Open does not read: not free, no meta, freelist or root.
func deepPageAt(t *testing.T, path string, off int64) int64 {
	t.Helper()
	l := layoutOf(t, path)
	for id := uint64(off / 4096); id < l.meta.pgid; id++ {
		if !l.free[id] && !l.opening[id] {
			return int64(id) * 4096
		}
	}
	t.Fatal("no page in use after the offset")
	return 0
}

// TestOpenRefusesDamagedFiles opens the probe's damaged files (issue 12):
// each whose damage lies where opening reads is refused with one line that
// names the file, says what is wrong and what to do; a file damaged deeper
// opens at once (Open reads a few pages, not the file), and Check finds the
// damage. Nothing panics.
func TestOpenRefusesDamagedFiles(t *testing.T) {
	t.Parallel()
	src := damagedSource(t)
	garbage := make([]byte, 4096)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rnd.Uint32())
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string
		// deep is set when the damage lies where Open does not read: then
		// the file opens, and Check reports want.
		deep bool
	}{
		{"zero bytes", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, 0))
		}, "is empty (0 bytes)", false},
		{"truncated to half", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, int64(len(src)/2)))
		}, "is cut short", false},
		{"its last page cut off", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, int64(layoutOf(t, path).meta.pgid-1)*4096))
		}, "is cut short", false},
		{"truncated inside its first pages", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, 5000))
		}, "is damaged", false},
		{"both meta pages", func(t *testing.T, path string) {
			writeAt(t, path, 0, garbage)
			writeAt(t, path, 4096, garbage)
		}, "is damaged, or is not a sandbox data file", false},
		{"text", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("not a data file\n", 1000)), 0o600))
		}, "is damaged, or is not a sandbox data file", false},
		{"garbage over the freelist", func(t *testing.T, path string) {
			writeAt(t, path, int64(layoutOf(t, path).meta.freelist)*4096, garbage)
		}, "the freelist page is not one", false},
		{"garbage over the root bucket", func(t *testing.T, path string) {
			writeAt(t, path, int64(layoutOf(t, path).meta.root)*4096, garbage)
		}, "is damaged at byte", false},
		{"the root page of the payments zeroed", func(t *testing.T, path string) {
			writeAt(t, path, int64(layoutOf(t, path).roots[string(bucketPayments)])*4096, make([]byte, 16))
		}, "its header names page 0", false},
		{"garbage over the root page of an index", func(t *testing.T, path string) {
			writeAt(t, path, int64(layoutOf(t, path).roots[string(bucketPaymentKeyGenerations)])*4096+16, garbage[:64])
		}, "is damaged at byte", false},
		{"garbage in the middle", func(t *testing.T, path string) {
			writeAt(t, path, deepPageAt(t, path, int64(len(src)/2)), garbage)
		}, "pages: page ", true},
		{"garbage across two deep pages", func(t *testing.T, path string) {
			writeAt(t, path, deepPageAt(t, path, int64(len(src)/3)+4096)-96, garbage[:200])
		}, "pages: page ", true},
		{"a deep page header zeroed", func(t *testing.T, path string) {
			writeAt(t, path, deepPageAt(t, path, int64(len(src)/4)), make([]byte, 16))
		}, "its header names page 0", true},
		{"a deep page's elements garbled", func(t *testing.T, path string) {
			writeAt(t, path, deepPageAt(t, path, int64(2*len(src)/3))+16, garbage[:64])
		}, "pages: page ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := sourceFile(t)
			tt.damage(t, path)

			var d *DB
			var err error
			require.NotPanics(t, func() { d, err = Open(path) })
			if d != nil {
				defer d.Close()
			}
			if tt.deep {
				require.NoError(t, err, "Open reads no page the damage lies in")
				assertDeepDamageFound(t, d, tt.want)
				return
			}
			var derr *DamagedError
			require.ErrorAs(t, err, &derr)
			msg := err.Error()
			assert.Contains(t, msg, "data file "+path+" ")
			assert.Contains(t, msg, tt.want)
			assert.Contains(t, msg, "move it aside")
			assert.Contains(t, msg, "backup")
			assert.NotContains(t, msg, "\n", "one line")

			// The file is left as it was, for the user to look at.
			info, err := os.Stat(path)
			require.NoError(t, err)
			if tt.name == "zero bytes" {
				assert.Zero(t, info.Size(), "an empty file stays empty")
			}
			// OpenReadOnly refuses it the same way.
			_, err = OpenReadOnly(path)
			assert.ErrorAs(t, err, &derr)
		})
	}

	t.Run("the file as it was opens", func(t *testing.T) {
		d, err := Open(sourceFile(t))
		require.NoError(t, err)
		defer d.Close()
		assertIndexesConsistent(t, d)
		problems, err := d.CheckPages(t.Context())
		require.NoError(t, err)
		assert.Empty(t, problems)
	})
}

// assertDeepDamageFound checks a file whose pages are damaged where Open
// does not read: Check reports want among its page problems and nothing
// else, and listing every payment fails or succeeds but does not panic.
func assertDeepDamageFound(t *testing.T, d *DB, want string) {
	t.Helper()
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	require.Len(t, r.Problems, 1, "the scan stops at the first damaged page")
	assert.Contains(t, r.Problems[0], want)
	assert.Regexp(t, `^pages: page \d+: .* \(byte \d+ of the file\)$`, r.Problems[0])
	assert.NotContains(t, r.Problems[0], "\n")

	// CheckPages, what a backup runs on its copy, finds it too.
	problems, err := d.CheckPages(t.Context())
	require.NoError(t, err)
	require.Len(t, problems, 1)
	assert.Equal(t, r.Problems[0], "pages: "+problems[0].Error())

	require.NotPanics(t, func() {
		err := d.View(t.Context(), func(tx platform.Tx) error {
			_, err := tx.Payments(platform.PaymentFilter{})
			return err
		})
		if err != nil {
			assert.NotContains(t, err.Error(), "goroutine ", "no stack trace in the error's text")
		}
	})
}

// writeAt overwrites the file at path from byte off with b.
func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(b, off)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestDamagedRecord garbles a payment's record where the page checks at
// open cannot see it: reading it is an error, not a panic, and Check
// reports it.
func TestDamagedRecord(t *testing.T) {
	t.Parallel()
	src := damagedSource(t)
	// The payment's record holds its customer's document number right after
	// its name and email; no key holds them.
	i := bytes.Index(src, []byte("paul@example.com"))
	require.Positive(t, i)
	path := filepath.Join(t.TempDir(), "sandbox.db")
	damaged := bytes.Clone(src)
	copy(damaged[i:], bytes.Repeat([]byte{0xff}, 24))
	require.NoError(t, os.WriteFile(path, damaged, 0o600))

	d, err := Open(path)
	require.NoError(t, err, "the pages are sound")
	defer d.Close()
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	require.False(t, r.OK())
	assert.Contains(t, r.Problems[0], "malformed record")
	assert.Equal(t, 1000, r.Payments)

	var failed int
	require.NotPanics(t, func() {
		_ = d.View(t.Context(), func(tx platform.Tx) error {
			page, err := tx.Payments(platform.PaymentFilter{})
			if err != nil {
				failed++
				assert.ErrorContains(t, err, "malformed record")
			} else {
				assert.Len(t, page.Payments, 1000)
			}
			return nil
		})
	})
	assert.Equal(t, 1, failed, "the list says a payment cannot be read")
}

// TestCheckFindsPagesOutOfTheTree points a branch of the payments' tree
// at a page its neighbour points to already, so that one page is pointed
// to twice and another by nothing: every page is sound on its own, Open
// starts, and Check's scan of the whole file finds it.
func TestCheckFindsPagesOutOfTheTree(t *testing.T) {
	t.Parallel()
	path := sourceFile(t)
	root := int64(layoutOf(t, path).roots[string(bucketPayments)]) * 4096
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	page := make([]byte, 4096)
	_, err = f.ReadAt(page, root)
	require.NoError(t, err)
	require.Equal(t, uint16(branchFlag), native.Uint16(page[8:]), "1 000 payments take a branch")
	require.GreaterOrEqual(t, native.Uint16(page[10:]), uint16(2))
	first := native.Uint64(page[pageHeaderSize+8:])
	native.PutUint64(page[pageHeaderSize+elementSize+8:], first)
	_, err = f.WriteAt(page, root)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	d, err := Open(path)
	require.NoError(t, err)
	defer d.Close()
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	require.Len(t, r.Problems, 1)
	assert.Contains(t, r.Problems[0], fmt.Sprintf("pages: page %d: element 1: it points to page %d, which another page points to too", root/4096, first))
}
