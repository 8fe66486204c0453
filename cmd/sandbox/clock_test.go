package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
)

// TestClockStaysWhereTheQueueCanFollow is the probe of issue 12 §1: moves
// that would take the clock where jobs cannot be stored are refused with
// the range, and the clock can be set back.
func TestClockStaysWhereTheQueueCanFollow(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	for _, in := range []map[string]any{
		{"duration": "2562047h"},
		{"duration": "106751d"},
		{"duration": "9999999d"},
		{"duration": "-1h"},
	} {
		var e map[string]any
		assert.Equal(t, http.StatusBadRequest, s.do("POST", "/sandbox/clock/advance", in, &e), "%v", in)
		assert.NotEmpty(t, e["error"])
	}
	var e map[string]any
	require.Equal(t, http.StatusBadRequest, s.do("POST", "/sandbox/clock/advance", map[string]any{"duration": "2562047h"}, &e))
	assert.Contains(t, e["error"], "2200-01-01T00:00:00Z", "the error says the range")
	for _, now := range []string{"2300-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "yesterday"} {
		assert.Equal(t, http.StatusBadRequest, s.do("POST", "/sandbox/clock/set", map[string]any{"now": now}, nil), now)
	}

	var clock struct {
		Now    string `json:"now"`
		Frozen bool   `json:"frozen"`
	}
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/clock", nil, &clock))
	assert.Equal(t, frozenAt.Format(time.RFC3339), clock.Now, "refused moves changed nothing")

	// A sale still works; its voucher lapses when the clock reaches it,
	// even after the clock was set back.
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("clock-1"), testSecret), nil))
	m.next()
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/set", map[string]any{"now": "2026-03-01T09:00:00Z"}, &clock))
	assert.Equal(t, "2026-03-01T09:00:00Z", clock.Now)
	assert.True(t, clock.Frozen)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/set", map[string]any{"now": "2026-04-02T09:00:00Z"}, &clock))
	cb := m.next()
	assert.Equal(t, "decline", path(cb, "payment", "status"), "setting the clock forward runs what falls due")
}

// TestFreezeOutsideTheRangeIsRefused: --freeze at a time the sandbox cannot
// hold stops at start with one line, not a server whose sales all fail.
func TestFreezeOutsideTheRangeIsRefused(t *testing.T) {
	t.Parallel()
	for _, at := range []string{"2300-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "0001-01-01T00:00:00Z"} {
		o := serveOptions{Data: t.TempDir(), Freeze: at, PublicURL: "http://sandbox.test"}
		_, err := newApp(context.Background(), o, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
		require.Error(t, err, at)
		assert.Contains(t, err.Error(), "outside the time the sandbox clock can stand at", at)
	}
}

// TestABrokenClockCanBeSetBack: a data file whose clock an older sandbox
// left past the range answers sales with a clear error, and setting the
// clock back mends it.
func TestABrokenClockCanBeSetBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "sandbox.db"))
	require.NoError(t, err)
	require.NoError(t, db.Update(context.Background(), func(tx platform.Tx) error {
		return tx.PutClockState(platform.ClockState{Frozen: true, FrozenAt: time.Date(2319, 1, 1, 0, 0, 0, 0, time.UTC)})
	}))
	require.NoError(t, db.Close())

	s := startSandbox(t, dir)
	m := newMerchant(t)
	setupProject(t, s, m)
	var e map[string]any
	require.Equal(t, http.StatusBadRequest, s.do("POST", oxxoPath, signed(oxxoSale("broken-1"), testSecret), &e))
	assert.Contains(t, e["errors"].([]any)[0].(map[string]any)["message"], "POST /sandbox/clock/set")
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/set", map[string]any{"now": "2026-03-02T09:00:00Z"}, nil))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("broken-2"), testSecret), nil))
	assert.Equal(t, "awaiting redirect result", path(m.next(), "payment", "status"))
}
