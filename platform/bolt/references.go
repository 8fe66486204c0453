package bolt

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Provider references are kept in generations, so that a new payment's
// references cost what they cost in an empty store, however many a store
// holds.
//
// A reference is looked up by its value, which providers draw at random,
// as the engine draws operation IDs: in one bucket of millions of them,
// every new reference lands on a page of its own, which the sale then
// faults into memory (tens of µs on a virtual machine), decodes, copies and
// rewrites with its branch page, twice a sale. So new references go to the
// current generation, a bucket of at most sealAt of them whose pages the
// sales keep touching. When it is full it is sealed: a Bloom filter of its
// keys is stored beside it (filter.go), and the next reference starts a new
// generation. A lookup reads the current generation, and each sealed one
// only when its filter says the key may be there; the references of a new
// payment, which nobody has yet, are found absent from the filters, in
// memory, without a page of the old generations. The references a store
// held before schema 3 are generation 0, in bucketReferences, sealed by the
// conversion (see migrateV2).
//
// A generation without a filter is read as it is: the current one, and
// generation 0 of a store that started at schema 3 (it stays empty). A
// sealed generation only ever loses keys (DeleteReference), so its filter
// stays true. A reference put again goes to the current generation, which
// is read first, and DeleteReference deletes it from every generation.

// sealAt is how many references a generation takes before it is sealed:
// small enough that its pages stay in memory between trims (about 650
// pages), large enough that a million payments make some sixty
// generations, whose filters a lookup checks in memory.
const sealAt = 1 << 15

// refFilters caches the filters of a DB's sealed generations, which never
// change once committed. It holds only filters read from committed
// generations: one a transaction sealed stays with that transaction (see
// tx.sealed), as it may yet roll back.
type refFilters struct {
	mu sync.RWMutex
	m  map[uint64]*filter
}

// get returns the cached filter of generation id, or nil.
func (r *refFilters) get(id uint64) *filter {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.m[id]
}

// put caches the filter of generation id.
func (r *refFilters) put(id uint64, f *filter) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[uint64]*filter{}
	}
	r.m[id] = f
}

// generation is one generation of references.
type generation struct {
	id uint64
	b  *bbolt.Bucket
}

// generations calls fn with every generation, newest first, generation 0
// last, until fn returns false or an error.
func (t *tx) generations(fn func(g generation) (bool, error)) error {
	gens := t.bucket(bucketReferenceGenerations)
	c := gens.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if v != nil || len(k) != 8 {
			return fmt.Errorf("%s holds %x, which is no generation: %w", bucketReferenceGenerations, k, errCorrupt)
		}
		b := gens.Bucket(k)
		b.FillPercent = fillRandom
		if more, err := fn(generation{binary.BigEndian.Uint64(k), b}); err != nil || !more {
			return err
		}
	}
	_, err := fn(generation{0, t.bucket(bucketReferences)})
	return err
}

// refFilter returns the filter of generation id, nil when it has none.
func (t *tx) refFilter(id uint64) (*filter, error) {
	if f := t.sealed[id]; f != nil {
		return f, nil
	}
	if f := t.refs.get(id); f != nil {
		return f, nil
	}
	v := t.bucket(bucketReferenceFilters).Get(u64(id))
	if v == nil {
		return nil, nil
	}
	f, err := decodeFilter(v)
	if err != nil {
		return nil, fmt.Errorf("filter of reference generation %d: %w", id, err)
	}
	t.refs.put(id, f)
	return f, nil
}

// mayHold reports whether generation g may hold the key with hash h:
// false only when its filter says it does not.
func (t *tx) mayHold(g generation, h keyHash) (bool, error) {
	f, err := t.refFilter(g.id)
	if err != nil || f == nil {
		return f == nil, err
	}
	return f.mayHave(h), nil
}

// PaymentByReference returns the key of the payment indexed under a
// provider's reference.
func (t *tx) PaymentByReference(method, ref string) (platform.PaymentKey, error) {
	key, err := referenceKey(method, ref)
	if err != nil {
		return platform.PaymentKey{}, err
	}
	h := hashKey(key)
	var found []byte
	err = t.generations(func(g generation) (bool, error) {
		if ok, err := t.mayHold(g, h); err != nil || !ok {
			return err == nil, err
		}
		found = g.b.Get(key)
		return found == nil, nil
	})
	if err != nil {
		return platform.PaymentKey{}, fmt.Errorf("reference %q of %s: %w", ref, method, err)
	}
	if found == nil {
		return platform.PaymentKey{}, fmt.Errorf("reference %q of %s: %w", ref, method, platform.ErrNotFound)
	}
	return parsePaymentKey(found)
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
	g, err := t.currentGeneration()
	if err != nil {
		return fmt.Errorf("put reference %q of %s: %w", ref, method, err)
	}
	if g.b.Get(key) == nil {
		if err := g.b.SetSequence(g.b.Sequence() + 1); err != nil {
			return fmt.Errorf("put reference %q of %s: %w", ref, method, err)
		}
	}
	if err := g.b.Put(key, paymentKey(k)); err != nil {
		return fmt.Errorf("put reference %q of %s: %w", ref, method, err)
	}
	if g.b.Sequence() >= uint64(cmp.Or(t.sealAt, sealAt)) {
		if err := t.seal(g); err != nil {
			return fmt.Errorf("put reference %q of %s: %w", ref, method, err)
		}
	}
	return nil
}

// DeleteReference removes a provider reference from every generation; a
// missing one is not an error.
func (t *tx) DeleteReference(method, ref string) error {
	key, err := referenceKey(method, ref)
	if err != nil {
		return err
	}
	h := hashKey(key)
	err = t.generations(func(g generation) (bool, error) {
		f, err := t.refFilter(g.id)
		switch {
		case err != nil:
			return false, err
		case f != nil && !f.mayHave(h), g.b.Get(key) == nil:
			return true, nil
		}
		if err := g.b.Delete(key); err != nil {
			return false, err
		}
		if f == nil && g.id != 0 { // the current generation counts its keys
			return true, g.b.SetSequence(g.b.Sequence() - 1)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("delete reference %q of %s: %w", ref, method, err)
	}
	return nil
}

// currentGeneration returns the generation new references go to: the
// newest, unless it is sealed, and then a new one.
func (t *tx) currentGeneration() (generation, error) {
	gens := t.bucket(bucketReferenceGenerations)
	if k, v := gens.Cursor().Last(); k != nil && v == nil && len(k) == 8 {
		g := generation{binary.BigEndian.Uint64(k), gens.Bucket(k)}
		f, err := t.refFilter(g.id)
		if err != nil {
			return generation{}, err
		}
		if f == nil {
			g.b.FillPercent = fillRandom
			return g, nil
		}
	}
	// Generation numbers are never given out twice, not even after a
	// Reset: a DB caches filters by generation.
	meta := t.bucket(bucketMeta)
	var id uint64
	if v := meta.Get(keyReferenceGeneration); len(v) == 8 {
		id = binary.BigEndian.Uint64(v)
	}
	id++
	if err := meta.Put(keyReferenceGeneration, u64(id)); err != nil {
		return generation{}, err
	}
	b, err := gens.CreateBucket(u64(id))
	if err != nil {
		return generation{}, fmt.Errorf("start reference generation %d: %w", id, err)
	}
	b.FillPercent = fillRandom
	return generation{id, b}, nil
}

// seal stores the filter of generation g's keys, which makes it one that
// takes no more references.
func (t *tx) seal(g generation) error {
	f := newFilter(int(g.b.Sequence()))
	if err := g.b.ForEach(func(k, _ []byte) error {
		f.add(hashKey(k))
		return nil
	}); err != nil {
		return fmt.Errorf("seal reference generation %d: %w", g.id, err)
	}
	return t.putFilter(g.id, f)
}

// putFilter stores f as the filter of generation id. Until the
// transaction commits, only it knows f.
func (t *tx) putFilter(id uint64, f *filter) error {
	if err := t.bucket(bucketReferenceFilters).Put(u64(id), f.encode()); err != nil {
		return fmt.Errorf("store the filter of reference generation %d: %w", id, err)
	}
	if t.sealed == nil {
		t.sealed = map[uint64]*filter{}
	}
	t.sealed[id] = f
	return nil
}
