package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// When the committer has the parents' pages merged (see compactParents):
// after commit firstCompaction, and then after twice as many commits each
// time while a store is young, which is when its buckets leave their
// parents' pages, and every compactEvery commits later: seldom enough to
// cost nothing, often enough that a store which grew soon writes one page
// a parent again. Open merges them too.
const (
	firstCompaction = 64
	compactEvery    = 1024
)

// nextCompaction returns the commit after which the parents' pages are
// merged again when they just were after commit n.
func nextCompaction(n int64) int64 {
	if n < compactEvery {
		return 2 * n
	}
	return n + compactEvery
}

// parent is what compactParents needs of a bucket that holds buckets: the
// file's root (a *bbolt.Tx) or a bucket.
type parent interface {
	CreateBucket(name []byte) (*bbolt.Bucket, error)
	DeleteBucket(name []byte) error
}

// compactParents merges the pages of the buckets that hold buckets where
// they are mostly empty: the file's root, payment_index and the index
// bucket of each of its projects, deliveries_by_project, sequences and
// reference_generations.
//
// A bucket with little in it is kept inline, inside its parent's page.
// While a new store fills, the parent's page grows with its children and
// bbolt splits it; once the children have pages of their own, the parent
// holds a few dozen bytes a child, but bbolt never merges its pages back:
// it merges only the pages a key was deleted from. So every commit, which
// changes children on each of those pages, rewrote the parent's two or
// three pages (and their branch page) where one would do; a lone sale's
// commit wrote about four pages more than it needed. compactParents
// creates and deletes a bucket next to every child, so that each page of
// each parent had a key deleted, and bbolt merges those less than a
// quarter full when the transaction commits. It changes nothing else.
func compactParents(btx *bbolt.Tx) error {
	names := make([][]byte, len(allBuckets))
	for i, b := range allBuckets {
		names[i] = b.name
	}
	if err := touchChildren(btx, names); err != nil {
		return fmt.Errorf("compact the root: %w", err)
	}
	for _, name := range [][]byte{bucketDeliveriesByProject, bucketSequences, bucketReferenceGenerations, bucketPaymentKeyGenerations} {
		if _, err := compactBucket(btx.Bucket(name)); err != nil {
			return fmt.Errorf("compact %s: %w", name, err)
		}
	}
	index := btx.Bucket(bucketPaymentIndex)
	projects, err := compactBucket(index)
	if err != nil {
		return fmt.Errorf("compact %s: %w", bucketPaymentIndex, err)
	}
	for _, p := range projects {
		if _, err := compactBucket(index.Bucket(p)); err != nil {
			return fmt.Errorf("compact the indexes of project %d: %w", int64(binary.BigEndian.Uint64(p)), err)
		}
	}
	return nil
}

// compactBucket merges the pages of b, a bucket that holds buckets, where
// they are mostly empty, and returns the names of its children.
func compactBucket(b *bbolt.Bucket) ([][]byte, error) {
	children, err := childBuckets(b)
	if err != nil {
		return nil, err
	}
	return children, touchChildren(b, children)
}

// childBuckets returns the names of the buckets b holds.
func childBuckets(b *bbolt.Bucket) ([][]byte, error) {
	var names [][]byte
	err := b.ForEachBucket(func(k []byte) error {
		names = append(names, append([]byte(nil), k...))
		return nil
	})
	return names, err
}

// touchChildren creates and deletes, in p, a bucket named after each of
// children with a 0 byte added, which sorts next to it and names no bucket
// of the schema. Deleting it has bbolt rebalance the page it was on.
func touchChildren(p parent, children [][]byte) error {
	for _, child := range children {
		name := append(append(make([]byte, 0, len(child)+1), child...), 0)
		_, err := p.CreateBucket(name)
		switch {
		case errors.Is(err, berrors.ErrBucketExists):
			continue // not ours to delete
		case err != nil:
			return err
		}
		if err := p.DeleteBucket(name); err != nil {
			return err
		}
	}
	return nil
}
