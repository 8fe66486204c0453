package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/ecommpay-sandbox/sandbox/platform"
	bbolt "go.etcd.io/bbolt"
)

// projectDeliveries returns the bucket of a project's deliveries in
// bucketDeliveriesByProject, creating it when create is set; nil when there
// is none.
func (t *tx) projectDeliveries(projectID int64, create bool) (*bbolt.Bucket, error) {
	return t.projectBucket(bucketDeliveriesByProject, projectID, create, fillAppend)
}

// deliveryRoom is how much a new delivery's record is padded (see pad):
// what its first attempt takes, with the signature.
const deliveryRoom = 96

// PutDelivery stores d, replacing the delivery with its ID, and moves its
// index entries when it moved to another payment. A delivery that stays
// with its payment keeps its entries as they are: putting them again would
// rewrite their pages for nothing, at every attempt.
func (t *tx) PutDelivery(d *platform.Delivery) error {
	if d.ID == 0 {
		return fmt.Errorf("put delivery of %s: it has no ID: take one from NextID(\"deliveries\")", d.Key())
	}
	deliveries := t.bucket(bucketDeliveries)
	byPayment := t.bucket(bucketDeliveriesByPayment)
	id := u64(d.ID)
	old := deliveries.Get(id)
	var parts *deliveryParts
	indexed := false // d's entries are in the indexes already
	if old != nil {
		var err error
		if parts, err = t.deliveryParts(d.ID, old); err != nil {
			return fmt.Errorf("delivery %d: %w", d.ID, err)
		}
		h := deliveryHead{projectID: parts.d.ProjectID, paymentID: parts.d.PaymentID}
		indexed = h.key() == d.Key()
		if !indexed {
			// The payment it leaves may be gone; then so is its entry.
			if seq, ok, err := t.paymentSeq(h.key()); err != nil || ok && byPayment.Delete(append(u64(seq), id...)) != nil {
				return fmt.Errorf("put delivery %d: move it out of payment %s", d.ID, h.key())
			}
			if b, err := t.projectDeliveries(h.projectID, false); err != nil || b != nil && b.Delete(id) != nil {
				return fmt.Errorf("put delivery %d: move it out of project %d", d.ID, h.projectID)
			}
		}
	}
	v, deflated := encodeDeliveryMessage(d, parts)
	delete(t.deliveries, d.ID)
	if old == nil {
		v = pad(v, len(v)+deliveryRoom)
	} else {
		v = pad(v, len(old))
	}
	if err := deliveries.Put(id, v); err != nil {
		return fmt.Errorf("put delivery %d: %w", d.ID, err)
	}
	t.lastDelivery = storedDelivery{id: d.ID, record: v}
	if deflated.blob != nil {
		t.messages.keep(d.ID, storedMessage{blob: bytes.Clone(deflated.blob), message: deflated.message})
	}
	if indexed {
		return nil
	}
	seq, ok, err := t.paymentSeq(d.Key())
	if err != nil {
		return fmt.Errorf("put delivery %d: %w", d.ID, err)
	}
	if !ok {
		return fmt.Errorf("put delivery %d: payment %s is not stored: store the payment first", d.ID, d.Key())
	}
	if err := byPayment.Put(append(u64(seq), id...), empty); err != nil {
		return fmt.Errorf("index delivery %d: %w", d.ID, err)
	}
	byProject, err := t.projectDeliveries(d.ProjectID, true)
	if err != nil {
		return fmt.Errorf("index delivery %d: %w", d.ID, err)
	}
	if err := byProject.Put(id, empty); err != nil {
		return fmt.Errorf("index delivery %d: %w", d.ID, err)
	}
	return nil
}

// storedDelivery is the record PutDelivery stored last, which the log
// records as it is.
type storedDelivery struct {
	id     uint64
	record []byte
}

// Delivery returns delivery id.
func (t *tx) Delivery(id uint64) (*platform.Delivery, error) {
	v := t.bucket(bucketDeliveries).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("delivery %d: %w", id, platform.ErrNotFound)
	}
	d, err := t.decodeDelivery(id, v)
	if err != nil {
		return nil, fmt.Errorf("delivery %d: %w", id, err)
	}
	return d, nil
}

// deliveryParts takes the stored record v of delivery id apart. In a
// read-write transaction it remembers the parts until the delivery is put
// again: the Update that reads a delivery to add an attempt then rewrites
// it without inflating and deflating what it already holds.
func (t *tx) deliveryParts(id uint64, v []byte) (*deliveryParts, error) {
	if m, ok := t.deliveries[id]; ok && bytes.Equal(m.stored, v) {
		return m.parts, nil
	}
	known := t.messages.get(id)
	if !t.btx.Writable() {
		return decodeDeliveryPartsKnowing(id, v, known)
	}
	stored := bytes.Clone(v) // bbolt's memory may move before the tx ends
	p, err := decodeDeliveryPartsKnowing(id, stored, known)
	if err != nil {
		return nil, err
	}
	if t.deliveries == nil {
		t.deliveries = map[uint64]deliveryMemo{}
	}
	t.deliveries[id] = deliveryMemo{stored: stored, parts: p}
	return p, nil
}

// deliveryMemo is a delivery record read in a read-write transaction.
type deliveryMemo struct {
	stored []byte
	parts  *deliveryParts
}

// decodeDelivery returns the delivery stored as v, in memory of its own.
func (t *tx) decodeDelivery(id uint64, v []byte) (*platform.Delivery, error) {
	p, err := t.deliveryParts(id, v)
	if err != nil {
		return nil, err
	}
	d := *p.d
	d.Body = bytes.Clone(p.d.Body)
	d.Attempts = slices.Clone(p.d.Attempts)
	return &d, nil
}

// Deliveries lists the deliveries matching f, oldest (lowest ID) first, or
// newest first with f.Newest, up to f.Limit. With a project it reads only that project's deliveries,
// through the by-project index, and with a payment too only that
// payment's, through the by-payment index; a payment without a project is
// looked up in every project that has deliveries.
func (t *tx) Deliveries(f platform.DeliveryFilter) ([]*platform.Delivery, error) {
	ds := []*platform.Delivery{}
	deliveries := t.bucket(bucketDeliveries)
	add := func(id uint64) (more bool, err error) {
		v := deliveries.Get(u64(id))
		if v == nil {
			return false, fmt.Errorf("delivery index names delivery %d, which is missing: %w", id, errCorrupt)
		}
		d, err := t.decodeDelivery(id, v)
		if err != nil {
			return false, fmt.Errorf("delivery %d: %w", id, err)
		}
		if f.Match(d) {
			ds = append(ds, d)
		}
		return f.Limit <= 0 || len(ds) < f.Limit, nil
	}
	if f.ProjectID == 0 && f.PaymentID == "" {
		c := deliveries.Cursor()
		first, next := c.First, c.Next
		if f.Newest {
			first, next = c.Last, c.Prev
		}
		for k, _ := first(); k != nil; k, _ = next() {
			if more, err := add(binary.BigEndian.Uint64(k)); err != nil || !more {
				return ds, err
			}
		}
		return ds, nil
	}
	if f.PaymentID == "" {
		// A project's deliveries, walked in the by-project index.
		b, err := t.projectDeliveries(f.ProjectID, false)
		if err != nil || b == nil {
			return ds, err
		}
		c := b.Cursor()
		first, next := c.First, c.Next
		if f.Newest {
			first, next = c.Last, c.Prev
		}
		for k, _ := first(); k != nil; k, _ = next() {
			if len(k) != 8 {
				return nil, fmt.Errorf("delivery index entry %x of project %d: %w", k, f.ProjectID, errCorrupt)
			}
			if more, err := add(binary.BigEndian.Uint64(k)); err != nil || !more {
				return ds, err
			}
		}
		return ds, nil
	}
	ids, err := t.paymentDeliveryIDs(f)
	if err != nil {
		return nil, err
	}
	if f.Newest {
		slices.Reverse(ids)
	}
	for _, id := range ids {
		if more, err := add(id); err != nil || !more {
			return ds, err
		}
	}
	return ds, nil
}

// paymentDeliveryIDs returns the IDs, in ascending order, of the
// deliveries of f's payment.
func (t *tx) paymentDeliveryIDs(f platform.DeliveryFilter) ([]uint64, error) {
	var ids []uint64
	projects := []int64{f.ProjectID}
	if f.ProjectID == 0 {
		projects = t.deliveryProjects()
	}
	c := t.bucket(bucketDeliveriesByPayment).Cursor()
	for _, project := range projects {
		seq, ok, err := t.paymentSeq(platform.PaymentKey{ProjectID: project, PaymentID: f.PaymentID})
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		prefix := u64(seq)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) != 16 {
				return nil, fmt.Errorf("delivery index entry %x: %w", k, errCorrupt)
			}
			ids = append(ids, binary.BigEndian.Uint64(k[8:]))
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// deliveryProjects returns the projects that have deliveries.
func (t *tx) deliveryProjects() []int64 {
	var projects []int64
	_ = t.bucket(bucketDeliveriesByProject).ForEachBucket(func(k []byte) error {
		if len(k) == 8 {
			projects = append(projects, int64(binary.BigEndian.Uint64(k)))
		}
		return nil
	})
	return projects
}
