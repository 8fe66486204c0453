package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// tx is one bbolt transaction seen as a platform.Tx. Values bbolt returns
// are only valid inside the transaction and must not be changed; tx decodes
// them into new memory and copies the keys it keeps.
type tx struct {
	btx *bbolt.Tx
	// recordsRead counts the payment records read, for the tests that
	// show that a list reads no more than it lists.
	recordsRead int
	// maxPrefixScan replaces the constant of that name when set, for
	// tests.
	maxPrefixScan int
	// deliveries remembers the deliveries read in a read-write
	// transaction (see deliveryParts).
	deliveries map[uint64]deliveryMemo
	// lastDelivery is the record PutDelivery stored last.
	lastDelivery storedDelivery
	// messages keeps the messages of the deliveries stored last, for the
	// DB's transactions; nil keeps none.
	messages *messageCache
	// projects keeps the project records the DB's transactions decoded;
	// nil keeps none.
	projects *projectRecords
	// filters caches the filters of sealed generations for the DB; nil
	// caches nothing (see generations.go).
	filters *filterCache
	// sealed holds the filters this transaction stored, which filters
	// must not cache until they are committed.
	sealed map[filterID]*filter
	// unsealed holds the generations this transaction found without a
	// filter (the current ones), so that each lookup does not look for
	// their filter again.
	unsealed map[filterID]bool
	// seqs remembers the sequences of the payments looked up by key: the
	// record of an attempt asks for its payment's four times.
	seqs map[platform.PaymentKey]uint64
	// gens remembers the generations of each index as read, newest first
	// (see generationNames).
	gens map[*generationIndex][][]byte
	// sealAt replaces the constant of that name when set, for tests.
	sealAt int
	// deferIndex makes CreatePayment leave a payment's index entries to
	// indexCreated; created holds those payments, by key.
	deferIndex bool
	created    map[platform.PaymentKey]*createdPayment
}

var _ platform.Tx = (*tx)(nil)

// empty is the value of index entries whose key says everything.
var empty = []byte{}

// bucket returns the top-level bucket name, with the fill factor of its
// kind of keys.
func (t *tx) bucket(name []byte) *bbolt.Bucket {
	b := t.btx.Bucket(name)
	for _, s := range allBuckets {
		if bytes.Equal(s.name, name) {
			b.FillPercent = s.fill
		}
	}
	return b
}

// Project returns project id.
func (t *tx) Project(id int64) (platform.Project, error) {
	v := t.bucket(bucketProjects).Get(projectKey(id))
	if v == nil {
		return platform.Project{}, fmt.Errorf("project %d: %w", id, platform.ErrNotFound)
	}
	if r, ok := t.projects.get(id, v); ok {
		return r.project(), nil
	}
	var r projectRecord
	if err := decode(v, &r); err != nil {
		return platform.Project{}, fmt.Errorf("project %d: %w", id, err)
	}
	t.projects.keep(id, v, r)
	return r.project(), nil
}

// projectRecords keeps the project records a DB's transactions decoded,
// by project ID, with the bytes they were decoded from: every sale reads
// its project in the writer's transaction, and a record's JSON takes
// longer to decode than to compare. A record is served only for the same
// bytes, so a project stored anew is decoded anew; what is served is a
// copy (projectRecord.project), which callers may change.
type projectRecords struct {
	mu   sync.Mutex
	byID map[int64]decodedProject
	// hits counts the records served, for tests.
	hits int
}

// decodedProject is a project record and the bytes it was decoded from.
type decodedProject struct {
	stored []byte
	r      projectRecord
}

// get returns the record of project id decoded from v, if kept; a nil
// cache keeps none.
func (c *projectRecords) get(id int64, v []byte) (projectRecord, bool) {
	if c == nil {
		return projectRecord{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.byID[id]
	if !ok || !bytes.Equal(d.stored, v) {
		return projectRecord{}, false
	}
	c.hits++
	return d.r, true
}

// keep remembers r, the record of project id decoded from v (bbolt's
// memory, which it copies).
func (c *projectRecords) keep(id int64, v []byte, r projectRecord) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = map[int64]decodedProject{}
	}
	c.byID[id] = decodedProject{stored: bytes.Clone(v), r: r}
}

// Projects returns every project in ID order.
func (t *tx) Projects() ([]platform.Project, error) {
	ps := []platform.Project{}
	err := t.bucket(bucketProjects).ForEach(func(k, v []byte) error {
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
	if err := t.bucket(bucketProjects).Put(projectKey(p.ID), v); err != nil {
		return fmt.Errorf("put project %d: %w", p.ID, err)
	}
	return nil
}

// NextID returns the next number of the named sequence, starting at 1. It
// needs a read-write transaction.
func (t *tx) NextID(sequence string) (uint64, error) {
	if sequence == "" {
		return 0, errors.New("next id: the sequence needs a name")
	}
	seqs := t.bucket(bucketSequences)
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

// ClockState returns the stored state of the clock; an error wrapping
// platform.ErrNotFound when none was stored.
func (t *tx) ClockState() (platform.ClockState, error) {
	v := t.bucket(bucketMeta).Get(keyClock)
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
	if err := t.bucket(bucketMeta).Put(keyClock, v); err != nil {
		return fmt.Errorf("put clock state: %w", err)
	}
	return nil
}

// Reset empties the buckets of payments, references, jobs and deliveries,
// with their indexes. Projects, sequences, the clock and the counts of
// generations stay, so IDs are not given out twice.
func (t *tx) Reset() error {
	for _, name := range resetBuckets {
		if err := t.btx.DeleteBucket(name); err != nil {
			return fmt.Errorf("reset: delete bucket %s: %w", name, err)
		}
		if _, err := t.btx.CreateBucket(name); err != nil {
			return fmt.Errorf("reset: create bucket %s: %w", name, err)
		}
	}
	clear(t.sealed)
	clear(t.created)
	clear(t.seqs)
	clear(t.gens)
	return nil
}
