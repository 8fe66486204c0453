package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// What the redo log (redolog.go) records of a commit: the calls to the
// write methods of platform.Tx that its functions made, in order, each with
// its arguments as the call received them. Every write method is a
// function of the file's state and its arguments (a delivery's are logged
// as the record it stored, which decodes to them), so calling them again in
// the same order on the state the commit started from rebuilds, byte for
// byte, the state it ended in; that is what recovery does (replay). Reads
// change nothing and are not recorded.
//
// An operation is one byte, its arguments in the record encodings of
// records.go and codec.go, and a bool: whether the call succeeded. A
// function may go on after a write fails (one that meets a missing job,
// say); replay makes the same call and ignores its error, but fails when a
// call that succeeded fails again, which would mean the log does not fit
// the file.
const (
	opPutProject byte = iota + 1
	opCreatePayment
	opPutPayment
	opPutReference
	opDeleteReference
	opNextID
	opPutJob
	opDeleteJob
	opPutDelivery
	opPutClockState
	opReset
)

// loggedTx is a tx that records its write calls in ops.
type loggedTx struct {
	*tx
	ops *enc
}

var _ platform.Tx = loggedTx{}

// done ends the operation whose kind and arguments were just appended with
// the outcome of its call, err, and returns err.
func (t loggedTx) done(err error) error {
	t.ops.bool(err == nil)
	return err
}

func (t loggedTx) PutProject(p platform.Project) error {
	v, err := encode(toProjectRecord(p))
	if err != nil {
		return fmt.Errorf("log project %d: %w", p.ID, err)
	}
	t.ops.b = append(t.ops.b, opPutProject)
	t.ops.bytes(v)
	return t.done(t.tx.PutProject(p))
}

// CreatePayment and PutPayment log the record they store: p is encoded
// once, for both.
func (t loggedTx) CreatePayment(p *platform.Payment) error {
	v := encodePayment(p)
	t.ops.b = append(t.ops.b, opCreatePayment)
	t.ops.bytes(v)
	return t.done(t.tx.createPayment(p, v))
}

func (t loggedTx) PutPayment(p *platform.Payment) error {
	v := encodePayment(p)
	t.ops.b = append(t.ops.b, opPutPayment)
	t.ops.bytes(v)
	return t.done(t.tx.replacePayment(p, v))
}

func (t loggedTx) PutReference(method, ref string, k platform.PaymentKey) error {
	t.ops.b = append(t.ops.b, opPutReference)
	t.ops.str(method)
	t.ops.str(ref)
	t.ops.varint(k.ProjectID)
	t.ops.str(k.PaymentID)
	return t.done(t.tx.PutReference(method, ref, k))
}

func (t loggedTx) DeleteReference(method, ref string) error {
	t.ops.b = append(t.ops.b, opDeleteReference)
	t.ops.str(method)
	t.ops.str(ref)
	return t.done(t.tx.DeleteReference(method, ref))
}

func (t loggedTx) NextID(sequence string) (uint64, error) {
	t.ops.b = append(t.ops.b, opNextID)
	t.ops.str(sequence)
	id, err := t.tx.NextID(sequence)
	return id, t.done(err)
}

func (t loggedTx) PutJob(j platform.Job) error {
	t.ops.b = append(t.ops.b, opPutJob)
	t.job(j)
	return t.done(t.tx.PutJob(j))
}

func (t loggedTx) DeleteJob(j platform.Job) error {
	t.ops.b = append(t.ops.b, opDeleteJob)
	t.job(j)
	return t.done(t.tx.DeleteJob(j))
}

// job appends j: its ID and due time (which may be zero: DeleteJob finds
// a job by its ID), then its record.
func (t loggedTx) job(j platform.Job) {
	t.ops.uvarint(j.ID)
	t.ops.time(j.Due, time.Time{})
	t.ops.bytes(encodeJob(j))
}

// PutDelivery records the record it stored, as tx.PutDelivery left it
// (not read back from the bucket, which costs a lookup): encoding d again
// would deflate its body again, on every attempt.
func (t loggedTx) PutDelivery(d *platform.Delivery) error {
	t.lastDelivery = storedDelivery{}
	err := t.tx.PutDelivery(d)
	t.ops.b = append(t.ops.b, opPutDelivery)
	t.ops.uvarint(d.ID)
	if err == nil && t.lastDelivery.id == d.ID {
		t.ops.bytes(t.lastDelivery.record)
	} else {
		t.ops.bytes(encodeDelivery(d, nil))
	}
	return t.done(err)
}

func (t loggedTx) PutClockState(s platform.ClockState) error {
	v, err := encode(toClockRecord(s))
	if err != nil {
		return fmt.Errorf("log clock state: %w", err)
	}
	t.ops.b = append(t.ops.b, opPutClockState)
	t.ops.bytes(v)
	return t.done(t.tx.PutClockState(s))
}

func (t loggedTx) Reset() error {
	t.ops.b = append(t.ops.b, opReset)
	return t.done(t.tx.Reset())
}

// errReplay is what replay returns, wrapped, when the log does not fit the
// file.
var errReplay = errors.New("the log does not fit the data file")

// replay makes again, on t, the calls recorded in ops, and then indexes
// the payments they created, as the committer does at the end of a commit.
func replay(t *tx, ops []byte) error {
	d := &dec{b: ops}
	for n := 1; len(d.b) > 0; n++ {
		op := d.b[0]
		d.b = d.b[1:]
		call, err := replayed(d, t, op)
		if err != nil {
			return fmt.Errorf("%w: operation %d (kind %d): %w", errReplay, n, op, err)
		}
		err = call()
		if ok := d.bool(); d.err != nil {
			return fmt.Errorf("%w: operation %d (kind %d): %w", errReplay, n, op, d.err)
		} else if ok && err != nil {
			return fmt.Errorf("%w: operation %d (kind %d) succeeded, and fails again: %w", errReplay, n, op, err)
		}
	}
	return t.indexCreated()
}

// replayed decodes the arguments of one operation of kind op from d and
// returns the call to make with them on t.
func replayed(d *dec, t *tx, op byte) (func() error, error) {
	switch op {
	case opPutProject:
		var r projectRecord
		if err := decode(d.bytes(), &r); err != nil {
			return nil, err
		}
		return func() error { return t.PutProject(r.project()) }, d.err
	case opCreatePayment, opPutPayment:
		p, err := decodePayment(d.bytes())
		if err != nil {
			return nil, err
		}
		if op == opCreatePayment {
			return func() error { return t.CreatePayment(p) }, d.err
		}
		return func() error { return t.PutPayment(p) }, d.err
	case opPutReference:
		method, ref := d.str(), d.str()
		k := platform.PaymentKey{ProjectID: d.varint(), PaymentID: d.str()}
		return func() error { return t.PutReference(method, ref, k) }, d.err
	case opDeleteReference:
		method, ref := d.str(), d.str()
		return func() error { return t.DeleteReference(method, ref) }, d.err
	case opNextID:
		sequence := d.str()
		return func() error { _, err := t.NextID(sequence); return err }, d.err
	case opPutJob, opDeleteJob:
		id, due := d.uvarint(), d.time(time.Time{})
		k := make([]byte, 16) // decodeJob reads the ID from a queue key
		binary.BigEndian.PutUint64(k[8:], id)
		j, err := decodeJob(k, d.bytes())
		if err != nil {
			return nil, err
		}
		j.Due = due
		if op == opPutJob {
			return func() error { return t.PutJob(j) }, d.err
		}
		return func() error { return t.DeleteJob(j) }, d.err
	case opPutDelivery:
		id := d.uvarint()
		del, err := decodeDelivery(id, d.bytes())
		if err != nil {
			return nil, err
		}
		return func() error { return t.PutDelivery(del) }, d.err
	case opPutClockState:
		var r clockRecord
		if err := decode(d.bytes(), &r); err != nil {
			return nil, err
		}
		return func() error { return t.PutClockState(r.state()) }, d.err
	case opReset:
		return t.Reset, nil
	}
	return nil, errors.New("unknown kind")
}
