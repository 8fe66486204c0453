package bolt

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Buckets of schema 1 that schema 2 no longer has.
var bucketV1PaymentsByTime = []byte("payments_by_time")

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
		bucketJobs, bucketJobsByID, bucketJobsByPayment} {
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
		if err := t.PutJob(j); err != nil {
			return fmt.Errorf("convert job %d: %w", j.ID, err)
		}
	}
	return nil
}

// migrateV2 converts a file of schema 2 to schema 3 in the transaction
// that opens it, and returns how many references it sealed: the bucket of
// references becomes generation 0 of them (see references.go), sealed with
// a filter of its keys, which it reads once, in key order. It holds the
// filter in memory meanwhile, 14 bits a reference (3.5 MB for two
// million).
func migrateV2(btx *bbolt.Tx) (int, error) {
	if err := createBuckets(btx); err != nil {
		return 0, err
	}
	refs := btx.Bucket(bucketReferences)
	n := refs.Stats().KeyN
	if n > 0 {
		f := newFilter(n)
		if err := refs.ForEach(func(k, _ []byte) error {
			f.add(hashKey(k))
			return nil
		}); err != nil {
			return 0, fmt.Errorf("seal the references of schema 2: %w", err)
		}
		t := &tx{btx: btx}
		if err := t.putFilter(0, f); err != nil {
			return 0, err
		}
	}
	return n, btx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion))
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
