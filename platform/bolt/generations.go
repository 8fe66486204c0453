package bolt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"
)

// Two indexes are kept in generations, so that a new key costs what it
// costs in an empty store, however many a store holds: provider references
// (references.go) and payment keys (payments.go).
//
// Their keys arrive in random order: providers draw references at random,
// as merchants draw payment IDs (UUIDs and the like). In one bucket of
// millions of them, every new key lands on a page of its own, which the
// sale then faults into memory (tens of µs on a virtual machine), decodes,
// copies and rewrites with its branch page. So new keys go to the current
// generation, a bucket of at most sealAt of them whose pages the sales keep
// touching. When it is full it is sealed: a Bloom filter of its keys is
// stored beside it (filter.go), and the next key starts a new generation.
// A lookup reads the current generation, and each sealed one only when its
// filter says the key may be there; the keys of a new payment, which nobody
// has yet, are found absent from the filters, in memory, without a page of
// the old generations. The keys an index held before it was kept in
// generations are generation 0, in a bucket of its own, sealed by the
// conversion (see sealGenerationZero).
//
// A generation without a filter is read as it is: the current one, and
// generation 0 of a store that started with the index in generations (it
// stays empty). A sealed generation only ever loses keys (deleteKey), so
// its filter stays true. A key put again goes to the current generation,
// which is read first, and deleteKey deletes it from every generation.

// sealAt is how many keys a generation takes before it is sealed: small
// enough that its pages stay in memory between trims (about 650 pages of
// references), large enough that a million payments make some sixty
// generations of references and thirty of payment keys, whose filters a
// lookup checks in memory.
const sealAt = 1 << 15

// generationIndex is one index kept in generations: where its buckets are.
type generationIndex struct {
	what    string // what its keys are, for messages
	names   string // what its values are, for messages
	zero    []byte // the bucket of generation 0
	gens    []byte // the bucket of the later generations, one bucket each
	filters []byte // the bucket of the filters of the sealed generations
	last    []byte // the key of bucketMeta with the number of the last generation started
}

// The indexes kept in generations.
var (
	referenceIndex = &generationIndex{what: "reference", names: "payment key", zero: bucketReferences,
		gens: bucketReferenceGenerations, filters: bucketReferenceFilters, last: keyReferenceGeneration}
	paymentKeyIndex = &generationIndex{what: "payment key", names: "payment sequence", zero: bucketPaymentKeys,
		gens: bucketPaymentKeyGenerations, filters: bucketPaymentKeyFilters, last: keyPaymentKeyGeneration}
)

// filterID names the filter of generation id of an index.
type filterID struct {
	index *generationIndex
	id    uint64
}

// filterCache caches the filters of a DB's sealed generations, which never
// change once committed. It holds only filters read from committed
// generations: one a transaction sealed stays with that transaction (see
// tx.sealed), as it may yet roll back.
type filterCache struct {
	mu sync.RWMutex
	m  map[filterID]*filter
}

// get returns the cached filter id, or nil.
func (c *filterCache) get(id filterID) *filter {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[id]
}

// put caches filter id.
func (c *filterCache) put(id filterID, f *filter) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[filterID]*filter{}
	}
	c.m[id] = f
}

// generation is one generation of an index.
type generation struct {
	id uint64
	b  *bbolt.Bucket
}

// generations calls fn with every generation of ix, newest first,
// generation 0 last, until fn returns false or an error.
func (t *tx) generations(ix *generationIndex, fn func(g generation) (bool, error)) error {
	return t.generationIDs(ix, func(id uint64, g unopened) (bool, error) {
		return fn(generation{id, g.open()})
	})
}

// generationsHolding is generations for a key of hash h: it calls fn with
// the generations whose filter does not rule the key out (sealed says
// whether they have one), and opens the bucket of no other, so that a key
// nobody has costs a check of each filter in memory and no more.
func (t *tx) generationsHolding(ix *generationIndex, h keyHash, fn func(g generation, sealed bool) (bool, error)) error {
	return t.generationIDs(ix, func(id uint64, g unopened) (bool, error) {
		f, err := t.filterOf(ix, id)
		if err != nil || f != nil && !f.mayHave(h) {
			return err == nil, err
		}
		return fn(generation{id, g.open()}, f != nil)
	})
}

// generationIDs calls fn with the number of every generation of ix, newest
// first, generation 0 last, and its bucket unopened, until fn returns false
// or an error.
func (t *tx) generationIDs(ix *generationIndex, fn func(id uint64, g unopened) (bool, error)) error {
	gens := t.bucket(ix.gens)
	names, err := t.generationNames(ix, gens)
	if err != nil {
		return err
	}
	for _, k := range names {
		if more, err := fn(binary.BigEndian.Uint64(k), unopened{gens, k}); err != nil || !more {
			return err
		}
	}
	_, err = fn(0, unopened{t.bucket(ix.zero), nil})
	return err
}

// generationNames returns the bucket names of the generations of ix in
// gens, newest first, generation 0 left out. A transaction reads them once
// (see tx.gens): every lookup of a key walks them.
func (t *tx) generationNames(ix *generationIndex, gens *bbolt.Bucket) ([][]byte, error) {
	if names, ok := t.gens[ix]; ok {
		return names, nil
	}
	var names [][]byte
	c := gens.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if v != nil || len(k) != 8 {
			return nil, fmt.Errorf("%s holds %x, which is no generation: %w", ix.gens, k, errCorrupt)
		}
		names = append(names, bytes.Clone(k))
	}
	if t.gens == nil {
		t.gens = map[*generationIndex][][]byte{}
	}
	t.gens[ix] = names
	return names, nil
}

// unopened is the bucket of a generation, not yet opened: bucket name of
// parent, or parent itself when name is nil (generation 0).
type unopened struct {
	parent *bbolt.Bucket
	name   []byte
}

// open opens the bucket.
func (u unopened) open() *bbolt.Bucket {
	if u.name == nil {
		return u.parent
	}
	b := u.parent.Bucket(u.name)
	b.FillPercent = fillRandom
	return b
}

// filterOf returns the filter of generation id of ix, nil when it has none.
func (t *tx) filterOf(ix *generationIndex, id uint64) (*filter, error) {
	fid := filterID{ix, id}
	if f := t.sealed[fid]; f != nil {
		return f, nil
	}
	if f := t.filters.get(fid); f != nil {
		return f, nil
	}
	if t.unsealed[fid] {
		return nil, nil
	}
	v := t.bucket(ix.filters).Get(u64(id))
	if v == nil {
		if t.unsealed == nil {
			t.unsealed = map[filterID]bool{}
		}
		t.unsealed[fid] = true
		return nil, nil
	}
	f, err := decodeFilter(v)
	if err != nil {
		return nil, fmt.Errorf("filter of %s generation %d: %w", ix.what, id, err)
	}
	t.filters.put(fid, f)
	return f, nil
}

// lookup returns the value of key in ix, nil when it has none: that of the
// newest generation that holds it, reading a sealed one only when its
// filter says it may.
func (t *tx) lookup(ix *generationIndex, key []byte) ([]byte, error) {
	var found []byte
	err := t.generationsHolding(ix, hashKey(key), func(g generation, _ bool) (bool, error) {
		found = g.b.Get(key)
		return found == nil, nil
	})
	return found, err
}

// putKey puts key → value into the current generation of ix, sealing it
// when it is full.
func (t *tx) putKey(ix *generationIndex, key, value []byte) error {
	g, err := t.currentGeneration(ix)
	if err != nil {
		return err
	}
	if g.b.Get(key) == nil {
		if err := g.b.SetSequence(g.b.Sequence() + 1); err != nil {
			return err
		}
	}
	if err := g.b.Put(key, value); err != nil {
		return err
	}
	if g.b.Sequence() >= uint64(cmp.Or(t.sealAt, sealAt)) {
		return t.seal(ix, g)
	}
	return nil
}

// deleteKey removes key from every generation of ix; a missing one is not
// an error.
func (t *tx) deleteKey(ix *generationIndex, key []byte) error {
	return t.generationsHolding(ix, hashKey(key), func(g generation, sealed bool) (bool, error) {
		if g.b.Get(key) == nil {
			return true, nil
		}
		if err := g.b.Delete(key); err != nil {
			return false, err
		}
		if !sealed && g.id != 0 { // the current generation counts its keys
			return true, g.b.SetSequence(g.b.Sequence() - 1)
		}
		return true, nil
	})
}

// forEachPrefixed calls fn with every key of ix that starts with prefix and
// its value, in key order, as one bucket of them would: the newest
// generation's value of a key several hold. It merges a cursor of each
// generation, until fn returns false or an error.
func (t *tx) forEachPrefixed(ix *generationIndex, prefix []byte, fn func(k, v []byte) (bool, error)) error {
	type head struct {
		c    *bbolt.Cursor
		k, v []byte
	}
	next := func(h *head, k, v []byte) {
		h.k, h.v = k, v
		if k != nil && !bytes.HasPrefix(k, prefix) {
			h.k = nil
		}
	}
	var heads []*head // newest first
	err := t.generations(ix, func(g generation) (bool, error) {
		h := &head{c: g.b.Cursor()}
		k, v := h.c.Seek(prefix)
		if next(h, k, v); h.k != nil {
			heads = append(heads, h)
		}
		return true, nil
	})
	for err == nil {
		var top *head // the smallest key, of the newest generation that holds it
		for _, h := range heads {
			if h.k != nil && (top == nil || bytes.Compare(h.k, top.k) < 0) {
				top = h
			}
		}
		if top == nil {
			return nil
		}
		k, v := top.k, top.v
		for _, h := range heads {
			for h.k != nil && bytes.Equal(h.k, k) {
				nk, nv := h.c.Next()
				next(h, nk, nv)
			}
		}
		var more bool
		if more, err = fn(k, v); !more {
			break
		}
	}
	return err
}

// currentGeneration returns the generation of ix new keys go to: the
// newest, unless it is sealed, and then a new one.
func (t *tx) currentGeneration(ix *generationIndex) (generation, error) {
	gens := t.bucket(ix.gens)
	names, err := t.generationNames(ix, gens)
	if err != nil {
		return generation{}, err
	}
	if len(names) > 0 {
		k := names[0]
		g := generation{binary.BigEndian.Uint64(k), gens.Bucket(k)}
		f, err := t.filterOf(ix, g.id)
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
	if v := meta.Get(ix.last); len(v) == 8 {
		id = binary.BigEndian.Uint64(v)
	}
	id++
	if err := meta.Put(ix.last, u64(id)); err != nil {
		return generation{}, err
	}
	b, err := gens.CreateBucket(u64(id))
	if err != nil {
		return generation{}, fmt.Errorf("start %s generation %d: %w", ix.what, id, err)
	}
	t.gens[ix] = append([][]byte{u64(id)}, names...)
	b.FillPercent = fillRandom
	return generation{id, b}, nil
}

// seal stores the filter of generation g's keys, which makes it one that
// takes no more keys.
func (t *tx) seal(ix *generationIndex, g generation) error {
	f, err := filterOfKeys(g.b, int(g.b.Sequence()))
	if err != nil {
		return fmt.Errorf("seal %s generation %d: %w", ix.what, g.id, err)
	}
	return t.putFilter(ix, g.id, f)
}

// filterOfKeys returns a filter of the keys of b, sized for n of them.
func filterOfKeys(b *bbolt.Bucket, n int) (*filter, error) {
	f := newFilter(n)
	err := b.ForEach(func(k, _ []byte) error {
		f.add(hashKey(k))
		return nil
	})
	return f, err
}

// putFilter stores f as the filter of generation id of ix. Until the
// transaction commits, only it knows f.
func (t *tx) putFilter(ix *generationIndex, id uint64, f *filter) error {
	if err := t.bucket(ix.filters).Put(u64(id), f.encode()); err != nil {
		return fmt.Errorf("store the filter of %s generation %d: %w", ix.what, id, err)
	}
	if t.sealed == nil {
		t.sealed = map[filterID]*filter{}
	}
	t.sealed[filterID{ix, id}] = f
	return nil
}

// sealGenerationZero seals generation 0 of ix, the keys it held before it
// was kept in generations, with a filter of its keys, which it reads once,
// in key order; it returns how many. It holds the filter in memory
// meanwhile, 14 bits a key (3.5 MB for two million).
func sealGenerationZero(btx *bbolt.Tx, ix *generationIndex) (int, error) {
	zero := btx.Bucket(ix.zero)
	n := zero.Stats().KeyN
	if n == 0 {
		return 0, nil
	}
	f, err := filterOfKeys(zero, n)
	if err != nil {
		return 0, fmt.Errorf("seal the %ss of generation 0: %w", ix.what, err)
	}
	t := &tx{btx: btx}
	return n, t.putFilter(ix, 0, f)
}
