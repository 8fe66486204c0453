package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backup runs sandbox backup with args and returns its exit code and
// output.
func backup(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	err := run(context.Background(), append([]string{"backup"}, args...), &out, &errs)
	return exitCode(err, &errs), out.String(), errs.String()
}

// servedPayments serves a sandbox on the data file copy (named sandbox.db
// in a folder of its own, as a user restores it) and returns which of ids
// it does not know.
func servedPayments(t *testing.T, copy string, ids []string) (missing []string) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.Rename(copy, filepath.Join(dir, "sandbox.db")))
	s := startSandbox(t, dir)
	for _, id := range ids {
		if s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", testProject, id), nil, nil) != http.StatusOK {
			missing = append(missing, id)
		}
	}
	return missing
}

// TestBackupWhileSalesRun copies a running sandbox while four clients make
// sales: the copy, served, knows every sale acknowledged before the
// backup began.
func TestBackupWhileSalesRun(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{"id": testProject, "secret": testSecret}, nil))

	var (
		mu    sync.Mutex
		acked []string
		stop  atomic.Bool
		wg    sync.WaitGroup
		fails atomic.Int64
	)
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				id := fmt.Sprintf("live-%d-%d", c, i)
				body, _ := json.Marshal(signed(oxxoSale(id), testSecret))
				resp, err := http.Post(s.URL+oxxoPath, "application/json", bytes.NewReader(body))
				if err != nil || resp.StatusCode != http.StatusOK {
					fails.Add(1)
					if err == nil {
						resp.Body.Close()
					}
					continue
				}
				resp.Body.Close()
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	ackedBy := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), acked...)
	}
	eventually(t, "40 sales", func() bool { return len(ackedBy()) >= 40 })

	before := ackedBy()
	out := filepath.Join(t.TempDir(), "copy.db")
	code, stdout, stderr := backup("--url", s.URL, out)
	during := len(ackedBy()) - len(before)
	stop.Store(true)
	wg.Wait()
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, out+": ")
	assert.Contains(t, stdout, "its pages checked")
	assert.Zero(t, fails.Load(), "every sale is answered 200 while the backup runs")
	t.Logf("%d sales acknowledged before the backup, %d while it ran", len(before), during)

	assert.Empty(t, servedPayments(t, out, before), "sales acknowledged before the backup that the copy lacks")
}

// TestBackupFromDataFolder copies a stopped sandbox's folder, and refuses
// what it should.
func TestBackupFromDataFolder(t *testing.T) {
	t.Parallel()
	dir, ids := storedSales(t, 30)

	out := filepath.Join(t.TempDir(), "copy.db")
	code, stdout, stderr := backup("--data", dir, out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, out+": ")

	code, _, stderr = backup("--data", dir, out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, out+" exists: name a new file")

	assert.Empty(t, servedPayments(t, out, ids))
	copies, err := filepath.Glob(filepath.Join(filepath.Dir(out), "*.partial"))
	require.NoError(t, err)
	assert.Empty(t, copies, "no partial copy is left behind")
}

func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	running := startSandbox(t, t.TempDir())
	damaged, _ := storedSales(t, 5)
	damageFile(t, damaged, "garbage after its meta pages")
	deep, _ := storedSales(t, 60)
	damageFile(t, deep, "a deep page garbled")
	out := func() string { return filepath.Join(t.TempDir(), "copy.db") }

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no file", []string{"--data", t.TempDir()}, 2, "name the file to write the copy to"},
		{"both sources", []string{"--data", t.TempDir(), "--url", running.URL, out()}, 2, "not both"},
		{"a running sandbox's folder", []string{"--data", running.opts.Data, out()}, 1, "--url http://127.0.0.1:8080"},
		{"a copy in a folder that does not exist", []string{"--url", running.URL, "/nonexistent/copy.db"}, 1, "there is no folder /nonexistent to write the copy in: create it"},
		{"no sandbox at the URL", []string{"--url", "http://127.0.0.1:1", out()}, 1, "no sandbox answers at http://127.0.0.1:1"},
		{"not a sandbox at the URL", []string{"--url", running.URL + "/nothing", out()}, 1, "answered 404"},
		{"a damaged folder", []string{"--data", damaged, out()}, 1, "is damaged"},
		{"a folder damaged where opening does not read", []string{"--data", deep, out()}, 1, "not kept: page "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := backup(tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Contains(t, stderr, tt.want)
			if n := len(tt.args); n > 0 {
				_, err := os.Stat(tt.args[n-1])
				assert.True(t, os.IsNotExist(err) || tt.code == 2, "nothing is written where the copy would go")
			}
		})
	}
}

// TestBackupBeforeAnUpgrade is the upgrade as a host makes it: the data
// file of an older sandbox (schema 1, kept by the store's tests), which
// check says to back up before serve converts it; backup copies it as it
// is, and the copy, served, holds its payments.
func TestBackupBeforeAnUpgrade(t *testing.T) {
	t.Parallel()
	old, err := os.ReadFile(filepath.Join("..", "..", "platform", "bolt", "testdata", "v1.db"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox.db"), old, 0o600))

	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"check", "--data", dir}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "an older sandbox wrote it (schema 1; this one reads")
	assert.Contains(t, err.Error(), "back it up first (sandbox backup --data")

	out := filepath.Join(t.TempDir(), "before-upgrade.db")
	code, _, errs := backup("--data", dir, out)
	require.Equal(t, 0, code, errs)
	after, err := os.ReadFile(filepath.Join(dir, "sandbox.db"))
	require.NoError(t, err)
	assert.Equal(t, old, after, "the backup changed nothing of the file it copied")

	restored := t.TempDir()
	require.NoError(t, os.Rename(out, filepath.Join(restored, "sandbox.db")))
	s := startSandbox(t, restored)
	var list struct {
		Payments []map[string]any `json:"payments"`
	}
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/payments", nil, &list))
	assert.Len(t, list.Payments, 4, "the copy, converted, holds the older sandbox's payments")
}

// TestBackupCompacts: after a reset the data file keeps the pages its
// payments took; backup --compact leaves them out, and the copy, served,
// holds what the sandbox held.
func TestBackupCompacts(t *testing.T) {
	t.Parallel()
	dir, _ := storedSales(t, 20)
	s := startSandbox(t, dir)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/reset", nil, nil))
	var kept []string
	for i := range 2 {
		id := fmt.Sprintf("after-reset-%d", i)
		require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale(id), testSecret), nil))
		kept = append(kept, id)
	}
	s.stop()

	plain, compacted := filepath.Join(t.TempDir(), "plain.db"), filepath.Join(t.TempDir(), "compacted.db")
	code, _, stderr := backup("--data", dir, plain)
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := backup("--data", dir, "--compact", compacted)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^`+regexp.QuoteMeta(compacted)+`: [0-9.]+ KB, compacted from [0-9.]+ KB, its pages checked`, stdout)
	plainInfo, err := os.Stat(plain)
	require.NoError(t, err)
	compactedInfo, err := os.Stat(compacted)
	require.NoError(t, err)
	assert.Less(t, compactedInfo.Size(), plainInfo.Size()/2, "the pages the reset freed are left out")
	leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(compacted), "*partial*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers, "no partial copy is left behind")

	assert.Empty(t, servedPayments(t, compacted, kept))
}
