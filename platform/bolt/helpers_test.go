package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// base is the moment the tests' data happens around.
var base = time.Date(2030, 5, 17, 12, 0, 0, 0, time.UTC)

// newDB opens a new data file in a temporary directory and closes it when
// the test ends.
func newDB(t testing.TB) *DB {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "data", "sandbox.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// update runs fn in a read-write transaction and requires it to succeed.
func update(t testing.TB, d *DB, fn func(platform.Tx) error) {
	t.Helper()
	require.NoError(t, d.Update(context.Background(), fn))
}

// seeks runs fn in tx, requires it to succeed, and returns the cursors
// bbolt made meanwhile: one for each Get, Put, Delete and bucket opened.
func seeks(t testing.TB, tx platform.Tx, fn func() error) int64 {
	t.Helper()
	s := btxOf(tx).Stats()
	before := s.GetCursorCount()
	require.NoError(t, fn())
	s = btxOf(tx).Stats()
	return s.GetCursorCount() - before
}

// view runs fn in a read-only transaction and requires it to succeed.
func view(t testing.TB, d *DB, fn func(platform.Tx) error) {
	t.Helper()
	require.NoError(t, d.View(context.Background(), fn))
}

// payment returns a small payment created at created.
func payment(project int64, id, method string, status platform.Status, created time.Time) *platform.Payment {
	return &platform.Payment{
		ProjectID: project,
		ID:        id,
		Method:    method,
		Interface: platform.InterfaceGate,
		Status:    status,
		Amount:    platform.Sum{Amount: 10000, Currency: "MXN"},
		Sum:       platform.Sum{Amount: 10000, Currency: "MXN"},
		Operations: []platform.Operation{{
			ID: 1, Type: platform.OperationSale, Status: status, CreatedAt: created, UpdatedAt: created,
		}},
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// delivery returns a pending callback of payment k.
func delivery(id uint64, k platform.PaymentKey, status platform.DeliveryStatus) *platform.Delivery {
	return &platform.Delivery{
		ID:        id,
		Kind:      platform.DeliveryCallback,
		ProjectID: k.ProjectID,
		PaymentID: k.PaymentID,
		URL:       "https://merchant.example/callback",
		Status:    status,
		Body:      json.RawMessage(fmt.Sprintf(`{"payment":{"id":%q}}`, k.PaymentID)),
		CreatedAt: base,
		Attempts:  []platform.Attempt{},
	}
}

// key returns the key of payment id of project 1.
func key(id string) platform.PaymentKey { return platform.PaymentKey{ProjectID: 1, PaymentID: id} }

// ids returns the payment IDs of ps.
func ids(ps []*platform.Payment) []string {
	r := make([]string, len(ps))
	for i, p := range ps {
		r[i] = p.ID
	}
	return r
}

// jobIDs returns the IDs of js.
func jobIDs(js []platform.Job) []uint64 {
	r := make([]uint64, len(js))
	for i, j := range js {
		r[i] = j.ID
	}
	return r
}

// deliveryIDsOf returns the IDs of ds.
func deliveryIDsOf(ds []*platform.Delivery) []uint64 {
	r := make([]uint64, len(ds))
	for i, d := range ds {
		r[i] = d.ID
	}
	return r
}

// syncOff has d sync nothing, neither bbolt nor the log: for tests that
// fill a store to test anything but the disk.
func (d *DB) syncOff() {
	d.db.NoSync = true
	if d.commits.log != nil {
		d.commits.log.noSync = true
	}
}
