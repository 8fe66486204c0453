package main

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestBenchTargets prints the targets of made-up loads and reads each row
// with the floor or ceiling measured beside it (spaces collapsed).
func TestBenchTargets(t *testing.T) {
	t.Parallel()
	load := func(n int64, each time.Duration) loadResult {
		r := loadResult{ok: n, elapsed: time.Second, lastAnswer: time.Now()}
		for range n {
			r.hist.record(each)
		}
		return r
	}
	merchant := newReceiver(newPaymentIDs(benchIDPrefix, false), 10)
	for i := range merchant.seen {
		merchant.seen[i].Store(1)
	}
	merchant.count.Store(10)
	floor := &histogram{}
	floor.record(700 * time.Microsecond)

	for _, tt := range []struct {
		name        string
		connections int
		want        []string
	}{
		{"one client", 1, []string{
			"one client: sale p50 < 1 ms 1.5ms (a synced write: 700µs) MISSED",
			"every callback within 3 s of the last sale 10 of 10 met",
		}},
		{"64 connections", 64, []string{
			"sales ≥ 0.5× echo's rate 0.10× (echo+callback: 0.40×) MISSED",
			"sales p99 < 2× echo's p99 1.50× met",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			b := &bench{o: benchOptions{Connections: tt.connections}, out: bufio.NewWriter(&out)}
			sales := &sandboxRun{load: load(10, 1500*time.Microsecond), merchant: merchant}
			b.targets(load(100, time.Millisecond), &forwardRun{load: load(40, time.Millisecond)}, floor, sales, nil)
			report := string(bytes.Join(bytes.Fields(out.Bytes()), []byte(" ")))
			for _, row := range tt.want {
				assert.Contains(t, report, row)
			}
		})
	}
}
