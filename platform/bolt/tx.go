package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// tx is one bbolt transaction seen as a platform.Tx. Values bbolt returns
// are only valid inside the transaction and must not be changed; tx decodes
// them into new memory and copies the keys it keeps.
type tx struct {
	btx *bbolt.Tx
}

var _ platform.Tx = (*tx)(nil)

// empty is the value of index entries whose key says everything.
var empty = []byte{}

// Project returns project id.
func (t *tx) Project(id int64) (platform.Project, error) {
	v := t.btx.Bucket(bucketProjects).Get(projectKey(id))
	if v == nil {
		return platform.Project{}, fmt.Errorf("project %d: %w", id, platform.ErrNotFound)
	}
	var r projectRecord
	if err := decode(v, &r); err != nil {
		return platform.Project{}, fmt.Errorf("project %d: %w", id, err)
	}
	return r.project(), nil
}

// Projects returns every project in ID order.
func (t *tx) Projects() ([]platform.Project, error) {
	ps := []platform.Project{}
	err := t.btx.Bucket(bucketProjects).ForEach(func(k, v []byte) error {
		var r projectRecord
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("project %d: %w", int64(binary.BigEndian.Uint64(k)), err)
		}
		ps = append(ps, r.project())
		return nil
	})
	return ps, err
}

// PutProject stores p, replacing the project with its ID.
func (t *tx) PutProject(p platform.Project) error {
	v, err := encode(toProjectRecord(p))
	if err != nil {
		return fmt.Errorf("project %d: %w", p.ID, err)
	}
	if err := t.btx.Bucket(bucketProjects).Put(projectKey(p.ID), v); err != nil {
		return fmt.Errorf("put project %d: %w", p.ID, err)
	}
	return nil
}

// Payment returns the payment with key k.
func (t *tx) Payment(k platform.PaymentKey) (*platform.Payment, error) {
	v := t.btx.Bucket(bucketPayments).Get(paymentKey(k))
	if v == nil {
		return nil, fmt.Errorf("payment %s: %w", k, platform.ErrNotFound)
	}
	var r paymentRecord
	if err := decode(v, &r); err != nil {
		return nil, fmt.Errorf("payment %s: %w", k, err)
	}
	return r.payment(), nil
}

// CreatePayment stores a new payment and indexes it by creation time; an
// error wrapping platform.ErrExists when its key is taken.
func (t *tx) CreatePayment(p *platform.Payment) error {
	k := p.Key()
	if err := checkPaymentKey(k); err != nil {
		return err
	}
	if t.btx.Bucket(bucketPayments).Get(paymentKey(k)) != nil {
		return fmt.Errorf("payment %s: %w", k, platform.ErrExists)
	}
	return t.putPayment(p, nil)
}

// PutPayment stores p, replacing the payment with its key, or creating it
// when there is none.
func (t *tx) PutPayment(p *platform.Payment) error {
	k := p.Key()
	if err := checkPaymentKey(k); err != nil {
		return err
	}
	v := t.btx.Bucket(bucketPayments).Get(paymentKey(k))
	if v == nil {
		return t.putPayment(p, nil)
	}
	var old paymentHead
	if err := decode(v, &old); err != nil {
		return fmt.Errorf("payment %s: %w", k, err)
	}
	return t.putPayment(p, &old)
}

// paymentHead is the part of a paymentRecord that locates its index entry.
type paymentHead struct {
	V         int       `json:"v"`
	Seq       uint64    `json:"seq"`
	CreatedAt time.Time `json:"created_at"`
}

func (r *paymentHead) version() int { return r.V }

// timeIndexKey returns the key of a payment in bucketPaymentsByTime.
func timeIndexKey(createdAt time.Time, seq uint64) []byte {
	b := make([]byte, 0, 16)
	b = binary.BigEndian.AppendUint64(b, clampedTimeKey(createdAt))
	return binary.BigEndian.AppendUint64(b, seq)
}

// putPayment writes p and its time index entry; old is the stored payment's
// head, nil for a new payment.
func (t *tx) putPayment(p *platform.Payment, old *paymentHead) error {
	byTime := t.btx.Bucket(bucketPaymentsByTime)
	var seq uint64
	if old != nil {
		seq = old.Seq
		if err := byTime.Delete(timeIndexKey(old.CreatedAt, old.Seq)); err != nil {
			return fmt.Errorf("put payment %s: %w", p.Key(), err)
		}
	} else {
		var err error
		if seq, err = byTime.NextSequence(); err != nil {
			return fmt.Errorf("put payment %s: %w", p.Key(), err)
		}
	}
	v, err := encode(toPaymentRecord(p, seq))
	if err != nil {
		return fmt.Errorf("payment %s: %w", p.Key(), err)
	}
	if err := t.btx.Bucket(bucketPayments).Put(paymentKey(p.Key()), v); err != nil {
		return fmt.Errorf("put payment %s: %w", p.Key(), err)
	}
	if err := byTime.Put(timeIndexKey(p.CreatedAt, seq), encodeSummary(p)); err != nil {
		return fmt.Errorf("index payment %s: %w", p.Key(), err)
	}
	return nil
}

// Payments lists the payments matching f, newest first: it walks the time
// index from its end, skips payments the index entry already rules out and
// stops at f.Limit.
func (t *tx) Payments(f platform.PaymentFilter) ([]*platform.Payment, error) {
	ps := []*platform.Payment{}
	payments := t.btx.Bucket(bucketPayments)
	c := t.btx.Bucket(bucketPaymentsByTime).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		s, err := decodeSummary(v)
		if err != nil {
			return nil, fmt.Errorf("payment index entry %x: %w", k, err)
		}
		if !s.match(f) {
			continue
		}
		pk := s.key()
		pv := payments.Get(pk)
		if pv == nil {
			return nil, fmt.Errorf("payment index entry %x names payment %d/%s, which is missing", k, s.projectID, s.id)
		}
		var r paymentRecord
		if err := decode(pv, &r); err != nil {
			return nil, fmt.Errorf("payment %d/%s: %w", s.projectID, s.id, err)
		}
		p := r.payment()
		if !f.Match(p) {
			continue
		}
		ps = append(ps, p)
		if f.Limit > 0 && len(ps) >= f.Limit {
			break
		}
	}
	return ps, nil
}

// PutReference indexes payment k under a provider's reference, replacing
// what the reference named before.
func (t *tx) PutReference(method, ref string, k platform.PaymentKey) error {
	key, err := referenceKey(method, ref)
	if err != nil {
		return err
	}
	if err := checkPaymentKey(k); err != nil {
		return err
	}
	if err := t.btx.Bucket(bucketReferences).Put(key, paymentKey(k)); err != nil {
		return fmt.Errorf("put reference %q of %s: %w", ref, method, err)
	}
	return nil
}

// DeleteReference removes a provider reference; a missing one is not an error.
func (t *tx) DeleteReference(method, ref string) error {
	key, err := referenceKey(method, ref)
	if err != nil {
		return err
	}
	if err := t.btx.Bucket(bucketReferences).Delete(key); err != nil {
		return fmt.Errorf("delete reference %q of %s: %w", ref, method, err)
	}
	return nil
}

// PaymentByReference returns the key of the payment indexed under a
// provider's reference.
func (t *tx) PaymentByReference(method, ref string) (platform.PaymentKey, error) {
	key, err := referenceKey(method, ref)
	if err != nil {
		return platform.PaymentKey{}, err
	}
	v := t.btx.Bucket(bucketReferences).Get(key)
	if v == nil {
		return platform.PaymentKey{}, fmt.Errorf("reference %q of %s: %w", ref, method, platform.ErrNotFound)
	}
	return parsePaymentKey(v)
}

// NextID returns the next number of the named sequence, starting at 1. It
// needs a read-write transaction.
func (t *tx) NextID(sequence string) (uint64, error) {
	if sequence == "" {
		return 0, errors.New("next id: the sequence needs a name")
	}
	seqs := t.btx.Bucket(bucketSequences)
	b := seqs.Bucket([]byte(sequence))
	if b == nil {
		var err error
		if b, err = seqs.CreateBucket([]byte(sequence)); err != nil {
			return 0, fmt.Errorf("next id of %q: %w", sequence, err)
		}
	}
	id, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("next id of %q: %w", sequence, err)
	}
	return id, nil
}

// PutJob stores j in the queue, replacing the job with its ID, wherever
// that one was due.
func (t *tx) PutJob(j platform.Job) error {
	if j.ID == 0 {
		return fmt.Errorf("put job %s of %s: it has no ID: take one from NextID(\"jobs\")", j.Kind, j.Payment)
	}
	key, err := jobKey(j.Due, j.ID)
	if err != nil {
		return err
	}
	if err := t.DeleteJob(j); err != nil {
		return err
	}
	v, err := encode(toJobRecord(j))
	if err != nil {
		return fmt.Errorf("job %d: %w", j.ID, err)
	}
	if err := t.btx.Bucket(bucketJobs).Put(key, v); err != nil {
		return fmt.Errorf("put job %d: %w", j.ID, err)
	}
	if err := t.btx.Bucket(bucketJobsByID).Put(u64(j.ID), key); err != nil {
		return fmt.Errorf("index job %d: %w", j.ID, err)
	}
	if err := t.btx.Bucket(bucketJobsByPayment).Put(append(paymentPrefix(j.Payment), key...), empty); err != nil {
		return fmt.Errorf("index job %d: %w", j.ID, err)
	}
	return nil
}

// DeleteJob removes the job with j's ID from the queue and its indexes;
// only the ID of j counts. A job that is not there is no error.
func (t *tx) DeleteJob(j platform.Job) error {
	byID := t.btx.Bucket(bucketJobsByID)
	idKey := u64(j.ID)
	stored := byID.Get(idKey)
	if stored == nil {
		return nil
	}
	key := bytes.Clone(stored)
	jobs := t.btx.Bucket(bucketJobs)
	if v := jobs.Get(key); v != nil {
		var r jobRecord
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("job %d: %w", j.ID, err)
		}
		pk := platform.PaymentKey{ProjectID: r.ProjectID, PaymentID: r.PaymentID}
		if err := t.btx.Bucket(bucketJobsByPayment).Delete(append(paymentPrefix(pk), key...)); err != nil {
			return fmt.Errorf("delete job %d: %w", j.ID, err)
		}
		if err := jobs.Delete(key); err != nil {
			return fmt.Errorf("delete job %d: %w", j.ID, err)
		}
	}
	if err := byID.Delete(idKey); err != nil {
		return fmt.Errorf("delete job %d: %w", j.ID, err)
	}
	return nil
}

// DueJobs returns up to limit jobs due at or before now, in (due, ID)
// order; every due job when limit is 0 or less.
func (t *tx) DueJobs(now time.Time, limit int) ([]platform.Job, error) {
	js := []platform.Job{}
	until, ok := timeKey(now)
	if !ok {
		if now.Before(minKeyTime) {
			return js, nil
		}
		until = ^uint64(0)
	}
	c := t.btx.Bucket(bucketJobs).Cursor()
	for k, v := c.First(); k != nil && jobKeyDue(k) <= until; k, v = c.Next() {
		j, err := decodeJob(k, v)
		if err != nil {
			return nil, err
		}
		js = append(js, j)
		if limit > 0 && len(js) >= limit {
			break
		}
	}
	return js, nil
}

// NextJob returns the job due first, false when the queue is empty.
func (t *tx) NextJob() (platform.Job, bool, error) {
	k, v := t.btx.Bucket(bucketJobs).Cursor().First()
	if k == nil {
		return platform.Job{}, false, nil
	}
	j, err := decodeJob(k, v)
	return j, err == nil, err
}

// Jobs returns the jobs of payment k in (due, ID) order, from its index.
func (t *tx) Jobs(k platform.PaymentKey) ([]platform.Job, error) {
	js := []platform.Job{}
	prefix := paymentPrefix(k)
	jobs := t.btx.Bucket(bucketJobs)
	c := t.btx.Bucket(bucketJobsByPayment).Cursor()
	for ik, _ := c.Seek(prefix); ik != nil && bytes.HasPrefix(ik, prefix); ik, _ = c.Next() {
		if len(ik) != len(prefix)+16 {
			continue // another payment whose ID starts with k's and a 0x00
		}
		key := ik[len(prefix):]
		v := jobs.Get(key)
		if v == nil {
			return nil, fmt.Errorf("job index of payment %s names job %x, which is missing", k, key)
		}
		j, err := decodeJob(key, v)
		if err != nil {
			return nil, err
		}
		js = append(js, j)
	}
	return js, nil
}

// decodeJob decodes the job stored under key k.
func decodeJob(k, v []byte) (platform.Job, error) {
	var r jobRecord
	if err := decode(v, &r); err != nil {
		return platform.Job{}, fmt.Errorf("job %d: %w", binary.BigEndian.Uint64(k[8:]), err)
	}
	return r.job(), nil
}

// PutDelivery stores d, replacing the delivery with its ID.
func (t *tx) PutDelivery(d *platform.Delivery) error {
	if d.ID == 0 {
		return fmt.Errorf("put delivery of %s: it has no ID: take one from NextID(\"deliveries\")", d.Key())
	}
	deliveries := t.btx.Bucket(bucketDeliveries)
	byPayment := t.btx.Bucket(bucketDeliveriesByPayment)
	id := u64(d.ID)
	if v := deliveries.Get(id); v != nil {
		var old deliveryHead
		if err := decode(v, &old); err != nil {
			return fmt.Errorf("delivery %d: %w", d.ID, err)
		}
		if old.key() != d.Key() {
			if err := byPayment.Delete(append(paymentPrefix(old.key()), id...)); err != nil {
				return fmt.Errorf("put delivery %d: %w", d.ID, err)
			}
		}
	}
	v, err := encode(toDeliveryRecord(d))
	if err != nil {
		return fmt.Errorf("delivery %d: %w", d.ID, err)
	}
	if err := deliveries.Put(id, v); err != nil {
		return fmt.Errorf("put delivery %d: %w", d.ID, err)
	}
	if err := byPayment.Put(append(paymentPrefix(d.Key()), id...), empty); err != nil {
		return fmt.Errorf("index delivery %d: %w", d.ID, err)
	}
	return nil
}

// deliveryHead is the part of a deliveryRecord that locates its index entry.
type deliveryHead struct {
	V         int    `json:"v"`
	ProjectID int64  `json:"project_id"`
	PaymentID string `json:"payment_id"`
}

func (r *deliveryHead) version() int { return r.V }

func (r *deliveryHead) key() platform.PaymentKey {
	return platform.PaymentKey{ProjectID: r.ProjectID, PaymentID: r.PaymentID}
}

// Delivery returns delivery id.
func (t *tx) Delivery(id uint64) (*platform.Delivery, error) {
	v := t.btx.Bucket(bucketDeliveries).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("delivery %d: %w", id, platform.ErrNotFound)
	}
	return decodeDelivery(id, v)
}

func decodeDelivery(id uint64, v []byte) (*platform.Delivery, error) {
	var r deliveryRecord
	if err := decode(v, &r); err != nil {
		return nil, fmt.Errorf("delivery %d: %w", id, err)
	}
	return r.delivery(), nil
}

// Deliveries lists the deliveries matching f, oldest (lowest ID) first, up
// to f.Limit. With a project it reads only that project's deliveries, and
// with a payment too only that payment's, through the by-payment index.
func (t *tx) Deliveries(f platform.DeliveryFilter) ([]*platform.Delivery, error) {
	ds := []*platform.Delivery{}
	deliveries := t.btx.Bucket(bucketDeliveries)
	add := func(id uint64, v []byte) (more bool, err error) {
		d, err := decodeDelivery(id, v)
		if err != nil {
			return false, err
		}
		if f.Match(d) {
			ds = append(ds, d)
		}
		return f.Limit <= 0 || len(ds) < f.Limit, nil
	}
	if f.ProjectID == 0 {
		c := deliveries.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if more, err := add(binary.BigEndian.Uint64(k), v); err != nil || !more {
				return ds, err
			}
		}
		return ds, nil
	}
	ids, err := t.deliveryIDs(f)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		v := deliveries.Get(u64(id))
		if v == nil {
			return nil, fmt.Errorf("delivery index names delivery %d, which is missing", id)
		}
		if more, err := add(id, v); err != nil || !more {
			return ds, err
		}
	}
	return ds, nil
}

// deliveryIDs returns the IDs, in ascending order, of the deliveries of
// f's project, and of f's payment when it names one.
func (t *tx) deliveryIDs(f platform.DeliveryFilter) ([]uint64, error) {
	var prefix []byte
	exact := -1 // the length of the keys of one payment, when f names one
	if f.PaymentID != "" {
		prefix = paymentPrefix(platform.PaymentKey{ProjectID: f.ProjectID, PaymentID: f.PaymentID})
		exact = len(prefix) + 8
	} else {
		prefix = projectKey(f.ProjectID)
	}
	var ids []uint64
	c := t.btx.Bucket(bucketDeliveriesByPayment).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) < len(prefix)+8 || exact >= 0 && len(k) != exact {
			continue
		}
		ids = append(ids, binary.BigEndian.Uint64(k[len(k)-8:]))
	}
	if f.PaymentID == "" {
		slices.Sort(ids) // the index orders by payment first
	}
	return ids, nil
}

// ClockState returns the stored state of the clock; an error wrapping
// platform.ErrNotFound when none was stored.
func (t *tx) ClockState() (platform.ClockState, error) {
	v := t.btx.Bucket(bucketMeta).Get(keyClock)
	if v == nil {
		return platform.ClockState{}, fmt.Errorf("clock state: %w", platform.ErrNotFound)
	}
	var r clockRecord
	if err := decode(v, &r); err != nil {
		return platform.ClockState{}, fmt.Errorf("clock state: %w", err)
	}
	return r.state(), nil
}

// PutClockState stores the state of the clock.
func (t *tx) PutClockState(s platform.ClockState) error {
	v, err := encode(toClockRecord(s))
	if err != nil {
		return fmt.Errorf("clock state: %w", err)
	}
	if err := t.btx.Bucket(bucketMeta).Put(keyClock, v); err != nil {
		return fmt.Errorf("put clock state: %w", err)
	}
	return nil
}

// Reset empties the buckets of payments, references, jobs and deliveries,
// with their indexes. Projects, sequences and the clock stay, so IDs are
// not given out twice.
func (t *tx) Reset() error {
	for _, name := range resetBuckets {
		if err := t.btx.DeleteBucket(name); err != nil {
			return fmt.Errorf("reset: delete bucket %s: %w", name, err)
		}
		if _, err := t.btx.CreateBucket(name); err != nil {
			return fmt.Errorf("reset: create bucket %s: %w", name, err)
		}
	}
	return nil
}
