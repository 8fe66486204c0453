package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A filter is a Bloom filter of the keys of one sealed generation of an
// index (see generations.go): it answers "maybe there" for every key the
// generation held when it was sealed, and "not there" for nearly every
// other key, without reading the generation's pages. A lookup of a key
// nobody has, which every new payment's references and key are, then
// touches none of the pages of the generations before the current one.
//
// It is stored in the index's bucket of filters as one value: a format byte
// (filterFormat), the number of hashes per key (1 byte), the number of keys
// it was built from (8 bytes) and its bits, a multiple of 64.
type filter struct {
	hashes int      // bits set per key
	keys   uint64   // keys it was built from
	words  []uint64 // the bits
}

// Filter sizes: filterBitsPerKey bits a key with filterHashes hashes
// answer "maybe there" for about one key in 800 that is not there.
const (
	filterBitsPerKey = 14
	filterHashes     = 10
	filterFormat     = 1
	filterHeader     = 10
)

// newFilter returns an empty filter sized for n keys.
func newFilter(n int) *filter {
	words := max(1, (n*filterBitsPerKey+63)/64)
	return &filter{hashes: filterHashes, words: make([]uint64, words)}
}

// keyHash is the pair of hashes a filter derives a key's bits from.
type keyHash struct{ h1, h2 uint64 }

// hashKey hashes a key: FNV-1a, then mixed (the finalizer of splitmix64)
// so that keys that differ in their last bytes, as references and payment
// IDs do, spread over the whole filter. It must never change: stored filters
// were built with it.
func hashKey(k []byte) keyHash {
	h := uint64(14695981039346656037)
	for _, c := range k {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h1 := mix64(h)
	return keyHash{h1: h1, h2: mix64(h1^0x9e3779b97f4a7c15) | 1}
}

// mix64 is the finalizer of splitmix64.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// bit returns the word and the mask of hash i of h.
func (f *filter) bit(h keyHash, i int) (int, uint64) {
	n := uint64(len(f.words)) * 64
	b := (h.h1 + uint64(i)*h.h2) % n
	return int(b / 64), 1 << (b % 64)
}

// add puts the key with hash h into f.
func (f *filter) add(h keyHash) {
	for i := range f.hashes {
		w, m := f.bit(h, i)
		f.words[w] |= m
	}
	f.keys++
}

// mayHave reports whether the key with hash h may be in f; false means it
// is not.
func (f *filter) mayHave(h keyHash) bool {
	for i := range f.hashes {
		if w, m := f.bit(h, i); f.words[w]&m == 0 {
			return false
		}
	}
	return true
}

// encode returns f as it is stored.
func (f *filter) encode() []byte {
	b := make([]byte, 0, filterHeader+8*len(f.words))
	b = append(b, filterFormat, byte(f.hashes))
	b = binary.BigEndian.AppendUint64(b, f.keys)
	for _, w := range f.words {
		b = binary.BigEndian.AppendUint64(b, w)
	}
	return b
}

// errFilterFormat is a stored filter this sandbox cannot read.
var errFilterFormat = errors.New("not a filter this sandbox wrote")

// decodeFilter reads a filter stored by encode, into memory of its own.
func decodeFilter(b []byte) (*filter, error) {
	if len(b) < filterHeader+8 || (len(b)-filterHeader)%8 != 0 || b[0] != filterFormat || b[1] == 0 || b[1] > 64 {
		return nil, fmt.Errorf("%d bytes: %w: %w", len(b), errFilterFormat, errCorrupt)
	}
	f := &filter{hashes: int(b[1]), keys: binary.BigEndian.Uint64(b[2:]), words: make([]uint64, (len(b)-filterHeader)/8)}
	for i := range f.words {
		f.words[i] = binary.BigEndian.Uint64(b[filterHeader+8*i:])
	}
	return f, nil
}
