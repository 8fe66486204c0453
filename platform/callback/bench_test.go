package callback_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// prepare stores n pending callbacks of n payments, each with its deliver
// job, and returns the jobs.
func prepare(b *testing.B, st platform.Store, url string, n int) []platform.Job {
	b.Helper()
	jobs := make([]platform.Job, 0, n)
	for start := 0; start < n; start += 1000 {
		require.NoError(b, st.Update(context.Background(), func(tx platform.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				id, err := tx.NextID("deliveries")
				if err != nil {
					return err
				}
				pid := fmt.Sprintf("EP-%d", i)
				d := &platform.Delivery{
					ID: id, Kind: platform.DeliveryCallback, ProjectID: 842, PaymentID: pid, URL: url,
					Status: platform.DeliveryPending, Body: callbackBody(842, pid, "success"),
					CreatedAt: t0, NotBefore: t0, NextAttempt: t0, Attempts: []platform.Attempt{},
				}
				if err := tx.PutDelivery(d); err != nil {
					return err
				}
				jid, err := tx.NextID("jobs")
				if err != nil {
					return err
				}
				j := platform.Job{ID: jid, Kind: platform.JobDeliver, Due: t0, Payment: d.Key(), DeliveryID: id}
				if err := tx.PutJob(j); err != nil {
					return err
				}
				jobs = append(jobs, j)
			}
			return nil
		}))
	}
	return jobs
}

// BenchmarkDeliver measures one delivery after another: a View, the signed
// POST to a local merchant and the Update that records it.
func BenchmarkDeliver(b *testing.B) {
	st := openStore(b)
	m := newMerchant(b, status(http.StatusOK, "ok"))
	putProject(b, st, platform.Project{ID: 842, Secret: secret})
	jobs := prepare(b, st, m.URL, b.N)
	d := newDispatcher(st)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for _, j := range jobs {
		if err := d.Deliver(ctx, j, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkDeliverParallel measures deliveries of different payments side
// by side, as the job runner makes them.
func BenchmarkDeliverParallel(b *testing.B) {
	st := openStore(b)
	m := newMerchant(b, status(http.StatusOK, "ok"))
	putProject(b, st, platform.Project{ID: 842, Secret: secret})
	jobs := prepare(b, st, m.URL, b.N)
	d := newDispatcher(st)
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j := jobs[next.Add(1)-1]
			if err := d.Deliver(ctx, j, t0); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
