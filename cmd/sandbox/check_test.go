package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.etcd.io/bbolt"
)

// storedSales serves a sandbox in a new folder, makes n Oxxo sales in it,
// stops it and returns the folder and the IDs of the payments it
// acknowledged.
func storedSales(t *testing.T, n int) (dir string, ids []string) {
	t.Helper()
	dir = t.TempDir()
	s := startSandbox(t, dir)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{"id": testProject, "secret": testSecret}, nil))
	for i := range n {
		id := fmt.Sprintf("stored-%d", i)
		var ans gateAnswer
		require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale(id), testSecret), &ans), "%+v", ans)
		ids = append(ids, id)
	}
	s.stop()
	return dir, ids
}

// damageFile damages the data file in dir one of the probe's ways (issue
// 12): truncated to half, garbage after its meta pages, zero bytes, or a
// deep page garbled (one opening the file does not read).
func damageFile(t *testing.T, dir, how string) {
	t.Helper()
	path := filepath.Join(dir, "sandbox.db")
	deep := int64(-1)
	if how == "a deep page garbled" {
		deep = deepPage(t, path)
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	switch how {
	case "a deep page garbled":
		for i := deep + 16; i < deep+80; i++ {
			b[i] ^= 0xff
		}
	case "truncated to half":
		// Half of the pages in use: the file grows ahead of them in steps
		// of 16 MB, as zeros the system need not store. A meta page
		// holds the number of pages in use (bbolt's high-water mark)
		// after its 16-byte page header and 40 bytes of its own.
		inUse := max(binary.LittleEndian.Uint64(b[16+40:]), binary.LittleEndian.Uint64(b[4096+16+40:]))
		b = b[:inUse*4096/2]
	case "garbage after its meta pages":
		// Over every page, the root bucket's among them, which open reads.
		rnd := rand.New(rand.NewPCG(12, 2))
		for i := 2 * 4096; i < len(b); i++ {
			b[i] = byte(rnd.Uint32())
		}
	case "zero bytes":
		b = nil
	default:
		t.Fatalf("no damage %q", how)
	}
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// TestServeRefusesDamagedDataFile starts serve on the probe's damaged
// files: it ends at once with exit code 1 and one line on stderr that names
// the file and says what to do, and no stack trace.
func TestServeRefusesDamagedDataFile(t *testing.T) {
	t.Parallel()
	good, _ := storedSales(t, 20)
	src, err := os.ReadFile(filepath.Join(good, "sandbox.db"))
	require.NoError(t, err)

	for _, how := range []string{"truncated to half", "garbage after its meta pages", "zero bytes"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "sandbox.db")
			require.NoError(t, os.WriteFile(path, src, 0o600))
			damageFile(t, dir, how)

			// A serve that starts on the file runs until the context ends.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			err := run(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, &stdout, &stderr)
			require.Error(t, err, "serve must refuse the file")
			code := exitCode(err, &stderr)

			assert.Equal(t, 1, code)
			msg := stderr.String()
			assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
			assert.True(t, strings.HasPrefix(msg, "sandbox: "), msg)
			assert.Contains(t, msg, "data file "+path+" ")
			assert.Contains(t, msg, "move it aside")
			assert.Contains(t, msg, "backup")
			assert.NotContains(t, msg, "goroutine")
			assert.NotContains(t, stdout.String(), "sandbox ready")
		})
	}
}

// TestCheck reads a sound file, one damaged in a record (its pages sound,
// so serve starts on it) and one damaged in its pages.
func TestCheck(t *testing.T) {
	t.Parallel()
	good, _ := storedSales(t, 20)
	src, err := os.ReadFile(filepath.Join(good, "sandbox.db"))
	require.NoError(t, err)
	check := func(dir string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"check", "--data", dir}, &stdout, &stderr)
		return exitCode(err, &stderr), stdout.String(), stderr.String()
	}

	t.Run("sound", func(t *testing.T) {
		t.Parallel()
		code, out, errs := check(good)
		assert.Equal(t, 0, code, errs)
		assert.Contains(t, out, filepath.Join(good, "sandbox.db")+": ")
		assert.Contains(t, out, "2 projects, 20 payments, 20 callbacks")
		assert.Contains(t, out, "no damage found")
	})
	t.Run("a record garbled", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		// The customer's email, in the payments' records (and the
		// callbacks' bodies, which are bytes to the check), with what
		// follows it: no page header nor key.
		b := bytes.ReplaceAll(src, []byte("paul@example.com\x00\x0b84887177100"), bytes.Repeat([]byte{0xff}, 29))
		require.NotEqual(t, src, b)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox.db"), b, 0o600))

		code, out, errs := check(dir)
		assert.Equal(t, 1, code)
		assert.Empty(t, errs)
		assert.Contains(t, out, "20 payments")
		assert.Contains(t, out, "malformed record")
		assert.Contains(t, out, "is damaged: move it aside")
		assert.NotContains(t, out, "no damage found")
	})
	t.Run("pages damaged", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox.db"), src, 0o600))
		damageFile(t, dir, "truncated to half")

		code, out, errs := check(dir)
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(errs, "\n"), errs)
		assert.Contains(t, errs, "is cut short")
		assert.Contains(t, errs, "move it aside")
	})
	t.Run("no file", func(t *testing.T) {
		t.Parallel()
		code, _, errs := check(t.TempDir())
		assert.Equal(t, 1, code)
		assert.Contains(t, errs, "there is no data file")
	})
	t.Run("a running sandbox", func(t *testing.T) {
		t.Parallel()
		s := startSandbox(t, t.TempDir())
		code, _, errs := check(s.opts.Data)
		assert.Equal(t, 1, code)
		assert.Contains(t, errs, "in use by another sandbox")
		assert.Contains(t, errs, "sandbox backup --url")
	})
	t.Run("arguments", func(t *testing.T) {
		t.Parallel()
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"check", "extra"}, &stdout, &stderr)
		assert.Equal(t, 2, exitCode(err, &stderr))
		assert.Contains(t, stderr.String(), `unexpected "extra"`)
	})
}

// deepPage returns the offset of a page of the data file at path that
// opening the file does not read, and a full scan of its pages does: the
// root page of a nested bucket (an index of one project) too big to live
// inside its parent's page.
func deepPage(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	require.NoError(t, err)
	defer db.Close()
	var page int64
	var walk func(b *bbolt.Bucket)
	walk = func(b *bbolt.Bucket) {
		_ = b.ForEachBucket(func(k []byte) error {
			nested := b.Bucket(k)
			if page == 0 && nested.Root() != 0 {
				page = int64(nested.Root())
			}
			walk(nested)
			return nil
		})
	}
	require.NoError(t, db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bbolt.Bucket) error { walk(b); return nil })
	}))
	require.NotZero(t, page, "a nested bucket has a page of its own")
	return page * int64(db.Info().PageSize)
}
