package bolt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// BenchmarkCreatePayment measures one Update that takes an ID and creates a
// payment, as the engine does for a new payment; each commit syncs the file.
func BenchmarkCreatePayment(b *testing.B) {
	d := newDB(b)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		p := payment(1, "p"+strconv.Itoa(i), "oxxo", platform.StatusProcessing, base.Add(time.Duration(i)*time.Second))
		err := d.Update(ctx, func(tx platform.Tx) error {
			id, err := tx.NextID("operations")
			if err != nil {
				return err
			}
			p.Operations[0].ID = int64(id)
			return tx.CreatePayment(p)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDueJobs measures one View that reads a batch of 512 due jobs, as
// the engine's RunDue does, from a queue of 10,000 jobs of 500 payments of
// which half are due.
func BenchmarkDueJobs(b *testing.B) {
	d := newDB(b)
	const n = 10000
	update(b, d, func(tx platform.Tx) error {
		for i := range 500 {
			if err := tx.CreatePayment(payment(1, "p"+strconv.Itoa(i), "oxxo", platform.StatusProcessing, base)); err != nil {
				return err
			}
		}
		for i := range n {
			j := platform.Job{
				ID:      uint64(i + 1),
				Due:     base.Add(time.Duration(i) * time.Second),
				Kind:    platform.JobProvider,
				Payment: key("p" + strconv.Itoa(i%500)),
				Name:    "lapse",
			}
			if err := tx.PutJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	now := base.Add(n / 2 * time.Second)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		err := d.View(ctx, func(tx platform.Tx) error {
			js, err := tx.DueJobs(now, 512)
			if err == nil && len(js) != 512 {
				b.Fatalf("got %d jobs", len(js))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParallelUpdates runs 64 writers (32 per core on two) that each
// create payments, with group commit and with every Update committed
// alone: the ratio of the two is what group commit buys.
func BenchmarkParallelUpdates(b *testing.B) {
	for _, mode := range []struct {
		name  string
		alone bool
	}{{"group", false}, {"alone", true}} {
		b.Run(mode.name, func(b *testing.B) {
			d := newDB(b)
			d.commits.alone = mode.alone
			var n atomic.Int64
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					p := payment(1, "p"+strconv.FormatInt(i, 10), "oxxo", platform.StatusProcessing, base.Add(time.Duration(i)*time.Second))
					if err := d.Update(context.Background(), func(tx platform.Tx) error { return tx.CreatePayment(p) }); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(n.Load())/float64(d.commits.commits.Load()), "updates/commit")
		})
	}
}

// BenchmarkBytesPerPayment stores 20 000 real payments (see realPayments),
// 100 a transaction, and reports what the file holds per payment, all
// indexes and free pages included (bytes/payment: the pages in use up to
// the file's high-water mark; the file itself grows by up to 16 MB ahead),
// and how much of that is records and keys (used-bytes/payment). It
// measures space, not time: the file is not synced.
func BenchmarkBytesPerPayment(b *testing.B) {
	const n = 20000
	for b.Loop() {
		d := newDB(b)
		d.syncOff()
		require.NoError(b, fillReal(d, newRealPayments(1), 0, n, 100))
		var size int64
		var inUse int
		require.NoError(b, d.db.View(func(btx *bbolt.Tx) error {
			size = btx.Size()
			return btx.ForEach(func(_ []byte, bk *bbolt.Bucket) error {
				s := bk.Stats()
				inUse += s.LeafInuse + s.BranchInuse
				return nil
			})
		}))
		b.ReportMetric(float64(size)/n, "bytes/payment")
		b.ReportMetric(float64(inUse)/n, "used-bytes/payment")
		require.NoError(b, d.Close())
	}
}

// BenchmarkLookupAcrossGenerations looks up payment keys nobody has, as a
// new payment does, in an index of 60 sealed generations: each costs a
// check of its filter, and no bucket is opened.
func BenchmarkLookupAcrossGenerations(b *testing.B) {
	d := newDB(b)
	d.syncOff()
	d.commits.sealAt = 64
	for g := range 60 {
		update(b, d, func(tx platform.Tx) error {
			for i := range 64 {
				k := platform.PaymentKey{ProjectID: 1, PaymentID: fmt.Sprintf("g%d-%d", g, i)}
				if err := tx.CreatePayment(payment(k.ProjectID, k.PaymentID, "oxxo", platform.StatusProcessing, base)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprintf("absent-%d", i)
	}
	b.ResetTimer()
	view(b, d, func(tx platform.Tx) error {
		for i := 0; b.Loop(); i++ {
			if _, err := tx.Payment(platform.PaymentKey{ProjectID: 1, PaymentID: ids[i%len(ids)]}); !errors.Is(err, platform.ErrNotFound) {
				b.Fatal(err)
			}
		}
		return nil
	})
}
