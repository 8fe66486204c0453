package bolt

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// damagedSource returns the bytes of a closed data file of 1 000 real
// payments, made once for the tests that damage copies of it.
func damagedSource(t *testing.T) []byte {
	t.Helper()
	d := newDB(t)
	d.db.NoSync = true
	require.NoError(t, fillReal(d, newRealPayments(3), 0, 1000, 50))
	require.NoError(t, d.Close())
	b, err := os.ReadFile(d.Path())
	require.NoError(t, err)
	return b
}

// livePageAt returns the first page at or after byte off that the file
// uses: not free, and not a meta page.
func livePageAt(t *testing.T, path string, off int64) int64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	head := make([]byte, 2*4096)
	_, err = f.ReadAt(head, 0)
	require.NoError(t, err)
	m, ok := readMeta(head[:4096])
	if m1, ok1 := readMeta(head[4096:]); !ok || ok1 && m1.txid > m.txid {
		m = m1
	}
	s := &pageScan{f: f, pageSize: 4096, pgid: m.pgid, free: map[uint64]bool{}}
	require.NoError(t, s.readFreelist(m.freelist))
	for id := uint64(off / 4096); id < m.pgid; id++ {
		if !s.free[id] && id != m.freelist {
			return int64(id) * 4096
		}
	}
	t.Fatal("no page in use after the offset")
	return 0
}

// TestOpenRefusesDamagedFiles opens the probe's damaged files (issue 12):
// each is refused with one line that names the file, says what is wrong
// and what to do, and nothing panics.
func TestOpenRefusesDamagedFiles(t *testing.T) {
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
		// harmless is set when the damage may have hit nothing in use (a
		// free page): then the file opens, and must pass the full check.
		harmless bool
	}{
		{"zero bytes", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, 0))
		}, "is empty (0 bytes)", false},
		{"truncated to half", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, int64(len(src)/2)))
		}, "is cut short", false},
		{"truncated inside its first pages", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, 5000))
		}, "is damaged", false},
		{"garbage in the middle", func(t *testing.T, path string) {
			writeAt(t, path, int64(len(src)/2), garbage)
		}, "is damaged", true},
		{"garbage over a page in use", func(t *testing.T, path string) {
			writeAt(t, path, livePageAt(t, path, int64(len(src)/2)), garbage)
		}, "is damaged at byte", false},
		{"garbage across two pages in use", func(t *testing.T, path string) {
			writeAt(t, path, livePageAt(t, path, int64(len(src)/3))-96, garbage[:200])
		}, "is damaged at byte", false},
		{"a page header zeroed", func(t *testing.T, path string) {
			writeAt(t, path, livePageAt(t, path, int64(len(src)/4)), make([]byte, 16))
		}, "its header names page 0", false},
		{"both meta pages", func(t *testing.T, path string) {
			writeAt(t, path, 0, garbage)
			writeAt(t, path, 4096, garbage)
		}, "is damaged, or is not a sandbox data file", false},
		{"text", func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("not a data file\n", 1000)), 0o600))
		}, "is damaged, or is not a sandbox data file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sandbox.db")
			require.NoError(t, os.WriteFile(path, src, 0o600))
			tt.damage(t, path)

			var d *DB
			var err error
			require.NotPanics(t, func() { d, err = Open(path) })
			if d != nil {
				defer d.Close()
			}
			if tt.harmless && err == nil {
				assertIndexesConsistent(t, d)
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
		path := filepath.Join(t.TempDir(), "sandbox.db")
		require.NoError(t, os.WriteFile(path, src, 0o600))
		d, err := Open(path)
		require.NoError(t, err)
		defer d.Close()
		assertIndexesConsistent(t, d)
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
