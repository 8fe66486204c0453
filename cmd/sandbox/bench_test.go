package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecommpay-sandbox/sandbox/app"
)

// benchApp wires a sandbox for benchmarks and returns it with n signed sales.
// Its project sends callbacks to a merchant that answers 200 at once, as
// sandbox bench's does, so that a sale's commit carries the record of the
// callback before it.
func benchApp(b *testing.B, n int) (*app.Sandbox, [][]byte) {
	b.Helper()
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(merchant.Close)
	o := serveOptions{Data: b.TempDir(), Seed: 1, Freeze: frozenAt.Format(time.RFC3339), PublicURL: "http://sandbox.test"}
	a, err := newApp(context.Background(), o, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	project := projectFor(testProject, testSecret)
	project.CallbackURL = merchant.URL
	if err := a.Engine.PutProject(context.Background(), project); err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i], _ = json.Marshal(signed(oxxoSale(fmt.Sprintf("bench-%d", i)), testSecret))
	}
	return a, bodies
}

// BenchmarkGateSaleParallel is BenchmarkGateSale with concurrent merchants.
func BenchmarkGateSaleParallel(b *testing.B) {
	a, bodies := benchApp(b, b.N)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			req := httptest.NewRequest(http.MethodPost, oxxoPath, bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("sale %d: %d %s", i, rec.Code, rec.Body)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sales/s")
}

// BenchmarkGateSale measures an Oxxo sale of a lone client through the real
// router: decode, project, signature, required fields, and the payment
// stored with its voucher, its callback and its jobs in one bbolt
// transaction, which also records the attempt of the callback before. It
// reports the pages bbolt writes a commit, each a write call, the store's
// seeks a sale (the cursors bbolt makes: one for each Get, Put and bucket
// opened, a count the machine's load does not change), and the CPU time of
// the whole process a sale (cpu-µs/sale, where the system tells it): on a
// shared machine that is steadier than the time a sale takes.
func BenchmarkGateSale(b *testing.B) {
	a, bodies := benchApp(b, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	pages, commits, seeks := a.Store.PagesWritten(), a.Store.Commits(), a.Store.Seeks()
	cpu0, cpuOK := processCPU()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, oxxoPath, bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("sale %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sales/s")
	b.ReportMetric(float64(a.Store.PagesWritten()-pages)/float64(a.Store.Commits()-commits), "pages/commit")
	b.ReportMetric(float64(a.Store.Seeks()-seeks)/float64(b.N), "seeks/sale")
	if cpu1, ok := processCPU(); ok && cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/sale")
	}
}
