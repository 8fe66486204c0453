package bolt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Buckets of older schemas that the current one no longer has.
var (
	// bucketV1PaymentsByTime is the time index of schema 1.
	bucketV1PaymentsByTime = []byte("payments_by_time")
	// bucketV3JobsByPayment listed the jobs of a payment by its key, up
	// to schema 3: pk + 0x00 + t(Due) + job ID → nothing.
	bucketV3JobsByPayment = []byte("jobs_by_payment")
)

// migrateV1 converts a file of schema 1 to schema 2 in the transaction
// that opens it: it reads every payment, delivery and job in their JSON
// records, drops the buckets that held them and their indexes, and stores
// them again as schema 2 does, payments in their order of creation.
// Projects, references, sequences and the clock keep their layout; the
// caller then converts the result from schema 2 (migrateV2). It
// holds the file's payments in memory while it runs; files of schema 1
// took 8.7 KB a payment, so this is a fraction of the file's size.
func migrateV1(btx *bbolt.Tx) error {
	type seqPayment struct {
		seq uint64
		p   *platform.Payment
	}
	var payments []seqPayment
	err := forEachV1(btx, bucketPayments, func(k, v []byte) error {
		var r v1PaymentRecord
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("payment %x: %w", k, err)
		}
		payments = append(payments, seqPayment{r.Seq, r.payment()})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(payments, func(a, b seqPayment) int { return cmp.Compare(a.seq, b.seq) })
	var deliveries []*platform.Delivery
	err = forEachV1(btx, bucketDeliveries, func(k, v []byte) error {
		var r v1DeliveryRecord
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("delivery %x: %w", k, err)
		}
		d := r.delivery()
		if len(k) == 8 {
			d.ID = binary.BigEndian.Uint64(k)
		}
		deliveries = append(deliveries, d)
		return nil
	})
	if err != nil {
		return err
	}
	var jobs []platform.Job
	err = forEachV1(btx, bucketJobs, func(k, v []byte) error {
		var r v1JobRecord
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("job %x: %w", k, err)
		}
		jobs = append(jobs, r.job())
		return nil
	})
	if err != nil {
		return err
	}

	for _, name := range [][]byte{bucketPayments, bucketV1PaymentsByTime, bucketDeliveries, bucketDeliveriesByPayment,
		bucketJobs, bucketJobsByID, bucketV3JobsByPayment} {
		if btx.Bucket(name) == nil {
			continue
		}
		if err := btx.DeleteBucket(name); err != nil {
			return fmt.Errorf("drop bucket %s of schema 1: %w", name, err)
		}
	}
	if err := createBuckets(btx); err != nil {
		return err
	}
	t := &tx{btx: btx}
	for _, sp := range payments {
		if err := t.CreatePayment(sp.p); err != nil {
			return fmt.Errorf("convert payment %s: %w", sp.p.Key(), err)
		}
	}
	for _, d := range deliveries {
		if err := t.PutDelivery(d); err != nil {
			return fmt.Errorf("convert delivery %d: %w", d.ID, err)
		}
	}
	for _, j := range jobs {
		if _, ok, err := t.paymentSeq(j.Payment); err != nil || !ok {
			continue // of no stored payment: migrateV3 drops such jobs too
		}
		if err := t.PutJob(j); err != nil {
			return fmt.Errorf("convert job %d: %w", j.ID, err)
		}
	}
	return nil
}

// migrateV2 converts a file of schema 2 to schema 3 in the transaction
// that opens it, and returns how many references it sealed: the bucket of
// references becomes generation 0 of them (see generations.go), sealed
// with a filter of its keys (sealGenerationZero).
func migrateV2(btx *bbolt.Tx) (int, error) {
	if err := createBuckets(btx); err != nil {
		return 0, err
	}
	n, err := sealGenerationZero(btx, referenceIndex)
	if err != nil {
		return 0, fmt.Errorf("convert the references of schema 2: %w", err)
	}
	return n, btx.Bucket(bucketMeta).Put(keySchema, u64(3))
}

// jobsBatch is how many index entries a transaction of migrateV3 writes.
const jobsBatch = 100_000

// migrateV3 converts a file of schema 3 to schema 4 after the transaction
// that opened it: it indexes every job by its payment's sequence
// (bucketPaymentJobs) and drops the index by payment key
// (bucketV3JobsByPayment). It reads the jobs once, in key order, holding
// 24 bytes a job in memory (24 MB for a million), sorts them by payment,
// drops the old index and writes the new one in transactions of jobsBatch
// entries, each at the end of the bucket. The last transaction sets the
// version to 4, so that a conversion cut short starts again at the next
// Open, from the jobs. A job of no stored payment, which the engine would drop when it
// came due, is dropped; migrateV3 returns how many jobs it indexed and
// dropped.
func migrateV3(bdb *bbolt.DB) (indexed, dropped int, err error) {
	var entries [][24]byte
	var orphans [][]byte // their queue keys
	err = bdb.View(func(btx *bbolt.Tx) error {
		t := &tx{btx: btx}
		jobs := btx.Bucket(bucketJobs)
		entries = make([][24]byte, 0, jobs.Stats().KeyN)
		return jobs.ForEach(func(k, v []byte) error {
			j, err := decodeJob(k, v)
			if err != nil {
				return err
			}
			if len(k) != 16 {
				return fmt.Errorf("job key %x is not 16 bytes: %w", k, errCorrupt)
			}
			seq, ok, err := t.paymentSeq(j.Payment)
			switch {
			case err != nil:
				return err
			case !ok:
				orphans = append(orphans, bytes.Clone(k))
				return nil
			}
			var e [24]byte
			binary.BigEndian.PutUint64(e[:8], seq)
			copy(e[8:], k)
			entries = append(entries, e)
			return nil
		})
	})
	if err != nil {
		return 0, 0, fmt.Errorf("convert the jobs of schema 3: %w", err)
	}
	slices.SortFunc(entries, func(a, b [24]byte) int { return bytes.Compare(a[:], b[:]) })
	// The old index goes first, so that the new one takes the pages it
	// leaves: a file with many free pages writes the list of them at
	// every commit.
	err = bdb.Update(func(btx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketV3JobsByPayment, bucketPaymentJobs} {
			if btx.Bucket(name) == nil {
				continue
			}
			if err := btx.DeleteBucket(name); err != nil {
				return err
			}
		}
		_, err := btx.CreateBucket(bucketPaymentJobs)
		return err
	})
	for err == nil && indexed < len(entries) {
		batch := entries[indexed:min(indexed+jobsBatch, len(entries))]
		err = bdb.Update(func(btx *bbolt.Tx) error {
			b := btx.Bucket(bucketPaymentJobs)
			b.FillPercent = fillAppend
			for i := range batch {
				if err := b.Put(batch[i][:], empty); err != nil {
					return err
				}
			}
			return nil
		})
		indexed += len(batch)
	}
	if err == nil {
		err = bdb.Update(func(btx *bbolt.Tx) error {
			jobs, byID := btx.Bucket(bucketJobs), btx.Bucket(bucketJobsByID)
			for _, k := range orphans {
				if err := jobs.Delete(k); err != nil {
					return err
				}
				if err := byID.Delete(k[8:]); err != nil {
					return err
				}
			}
			return btx.Bucket(bucketMeta).Put(keySchema, u64(4))
		})
	}
	if err != nil {
		return 0, 0, fmt.Errorf("convert the jobs of schema 3: %w", err)
	}
	return indexed, len(orphans), nil
}

// migrateV4 converts a file of schema 4 to schema 5 after the
// transactions that opened it, and returns how many payment keys it
// sealed: the bucket of payment keys becomes generation 0 of them (see
// generations.go), sealed with a filter of its keys (sealGenerationZero),
// in one transaction that writes the filter (1.7 MB for a million keys)
// and the version, and leaves the keys where they are. A conversion cut
// short starts again at the next Open.
func migrateV4(bdb *bbolt.DB) (int, error) {
	n := 0
	err := bdb.Update(func(btx *bbolt.Tx) error {
		if err := createBuckets(btx); err != nil {
			return err
		}
		var err error
		if n, err = sealGenerationZero(btx, paymentKeyIndex); err != nil {
			return err
		}
		if err := btx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion)); err != nil {
			return err
		}
		if err := checkSchema(btx); err != nil {
			return err
		}
		return compactParents(btx)
	})
	if err != nil {
		return 0, fmt.Errorf("convert the payment keys of schema 4: %w", err)
	}
	return n, nil
}

// forEachV1 calls fn for every entry of a bucket of schema 1, if it is
// there.
func forEachV1(btx *bbolt.Tx, name []byte, fn func(k, v []byte) error) error {
	b := btx.Bucket(name)
	if b == nil {
		return nil
	}
	return b.ForEach(fn)
}
