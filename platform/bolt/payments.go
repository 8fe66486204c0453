package bolt

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// A payment's ref is where its index entries sort: t(CreatedAt) and its
// sequence, 16 bytes.
const refLen = 16

// makeRef returns the ref of the payment created at created with seq.
func makeRef(created uint64, seq uint64) []byte {
	b := make([]byte, 0, refLen)
	b = binary.BigEndian.AppendUint64(b, created)
	return binary.BigEndian.AppendUint64(b, seq)
}

// refSeq returns the sequence of a ref.
func refSeq(ref []byte) uint64 { return binary.BigEndian.Uint64(ref[8:]) }

// Payment keys are kept in generations (generations.go), so that the key
// of a new payment, whose ID merchants draw at random (UUIDs and the like),
// costs what it costs in an empty store, however many a store holds. The
// keys a store held before schema 5 are generation 0, in
// bucketPaymentKeys, sealed by the conversion (see migrateV4). A key is
// put once, when its payment is created, and never deleted but by Reset.

// paymentSeq returns the sequence of payment k, false when there is none.
// A payment created in this transaction needs no lookup: a sale's jobs and
// callback ask for the sequence of its new payment; nor does one looked up
// already (see tx.seqs).
func (t *tx) paymentSeq(k platform.PaymentKey) (uint64, bool, error) {
	if c := t.created[k]; c != nil {
		return c.seq, true, nil
	}
	if seq, ok := t.seqs[k]; ok {
		return seq, true, nil
	}
	v, err := t.lookup(paymentKeyIndex, paymentKey(k))
	switch {
	case err != nil:
		return 0, false, fmt.Errorf("payment %s: %w", k, err)
	case v == nil:
		return 0, false, nil
	case len(v) != 8:
		return 0, false, fmt.Errorf("payment %s: its entry in the payment keys is %d bytes, not 8: %w", k, len(v), errCorrupt)
	}
	seq := binary.BigEndian.Uint64(v)
	if t.seqs == nil {
		t.seqs = map[platform.PaymentKey]uint64{}
	}
	t.seqs[k] = seq
	return seq, true, nil
}

// paymentRecord returns the stored record of payment seq.
func (t *tx) paymentRecord(seq uint64) ([]byte, error) {
	t.recordsRead++
	v := t.bucket(bucketPayments).Get(u64(seq))
	if v == nil {
		return nil, fmt.Errorf("payment %d is indexed but its record is missing: %w", seq, errCorrupt)
	}
	return v, nil
}

// Payment returns the payment with key k.
func (t *tx) Payment(k platform.PaymentKey) (*platform.Payment, error) {
	seq, ok, err := t.paymentSeq(k)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("payment %s: %w", k, platform.ErrNotFound)
	}
	v, err := t.paymentRecord(seq)
	if err != nil {
		return nil, fmt.Errorf("payment %s: %w", k, err)
	}
	p, err := decodePayment(v)
	if err != nil {
		return nil, fmt.Errorf("payment %s: %w", k, err)
	}
	return p, nil
}

// CreatePayment stores a new payment and indexes it; an error wrapping
// platform.ErrExists when its key is taken. In a transaction of the
// committer the index entries wait for the end of the group's functions
// (see createdPayment and indexCreated).
func (t *tx) CreatePayment(p *platform.Payment) error { return t.createPayment(p, encodePayment(p)) }

// createPayment is CreatePayment with v, the record of p.
func (t *tx) createPayment(p *platform.Payment, v []byte) error {
	k := p.Key()
	if err := checkPaymentKey(k); err != nil {
		return err
	}
	switch _, ok, err := t.paymentSeq(k); {
	case err != nil:
		return err
	case ok:
		return fmt.Errorf("payment %s: %w", k, platform.ErrExists)
	}
	return t.putPayment(p, v, nil, paymentHead{}, 0)
}

// PutPayment stores p, replacing the payment with its key, or creating it
// when there is none, and moves its index entries to what p now is.
func (t *tx) PutPayment(p *platform.Payment) error { return t.replacePayment(p, encodePayment(p)) }

// replacePayment is PutPayment with v, the record of p.
func (t *tx) replacePayment(p *platform.Payment, v []byte) error {
	k := p.Key()
	if err := checkPaymentKey(k); err != nil {
		return err
	}
	if c := t.created[k]; c != nil {
		return t.rewriteCreated(k, c, p, v) // before paymentSeq, which would find it
	}
	seq, ok, err := t.paymentSeq(k)
	if err != nil {
		return err
	}
	if !ok {
		return t.putPayment(p, v, nil, paymentHead{}, 0)
	}
	old, err := t.paymentRecord(seq)
	if err != nil {
		return fmt.Errorf("payment %s: %w", k, err)
	}
	head, err := decodePaymentHead(old)
	if err != nil {
		return fmt.Errorf("payment %s: %w", k, err)
	}
	return t.putPayment(p, v, makeRef(clampedTimeKey(head.createdAt), seq), head, len(old))
}

// indexes returns the names of the indexes a payment with head h is in.
func indexes(h paymentHead) [4][]byte {
	return [4][]byte{
		indexAll,
		indexName(indexStatus, string(h.status)),
		indexName(indexMethod, h.method),
		indexName(indexCallbacks, string(h.health)),
	}
}

// paymentRoom is how much a new payment's record is padded (see pad): what
// a sale gains when its provider answers (a voucher, a redirect).
const paymentRoom = 120

// putPayment writes p, whose record is v; oldRef, old and oldLen are the
// stored payment's ref, head and record length, nil for a new payment.
func (t *tx) putPayment(p *platform.Payment, v, oldRef []byte, old paymentHead, oldLen int) error {
	k := p.Key()
	payments := t.bucket(bucketPayments)
	var seq uint64
	if oldRef != nil {
		seq = refSeq(oldRef)
	} else {
		var err error
		if seq, err = payments.NextSequence(); err != nil {
			return fmt.Errorf("put payment %s: %w", k, err)
		}
	}
	ref := makeRef(clampedTimeKey(p.CreatedAt), seq)
	if oldRef == nil {
		v = pad(v, len(v)+paymentRoom)
	} else {
		v = pad(v, oldLen)
	}
	if err := payments.Put(u64(seq), v); err != nil {
		return fmt.Errorf("put payment %s: %w", k, err)
	}
	if oldRef == nil {
		if err := t.putKey(paymentKeyIndex, paymentKey(k), u64(seq)); err != nil {
			return fmt.Errorf("put payment %s: %w", k, err)
		}
		if t.deferIndex {
			if t.created == nil {
				t.created = map[platform.PaymentKey]*createdPayment{}
			}
			t.created[k] = &createdPayment{seq: seq, size: len(v), head: headOf(p)}
			return nil
		}
	}
	// An entry that stays where it is is not looked up again: a payment
	// stored again (an attempt's summary, a new status) mostly stays in
	// three of its four indexes, or in all of them.
	now := indexes(headOf(p))
	var was [len(now)][]byte
	moves := len(now)
	if oldRef != nil {
		was = indexes(old)
		if bytes.Equal(ref, oldRef) {
			for i := range was {
				if bytes.Equal(was[i], now[i]) {
					was[i], now[i] = nil, nil
					moves--
				}
			}
		}
	}
	if moves == 0 {
		return nil
	}
	project, err := t.projectIndex(p.ProjectID, true)
	if err != nil {
		return fmt.Errorf("index payment %s: %w", k, err)
	}
	for _, name := range was {
		if name == nil {
			continue
		}
		if err := removeEntry(project.Bucket(name), oldRef); err != nil {
			return fmt.Errorf("index payment %s: %w", k, err)
		}
	}
	for _, name := range now {
		if name == nil {
			continue
		}
		if err := addEntry(project, name, ref); err != nil {
			return fmt.Errorf("index payment %s: %w", k, err)
		}
	}
	return nil
}

// createdPayment is a payment created in a transaction whose index entries
// wait for indexCreated. A sale creates its payment and, once its provider
// has answered, stores it again in the same function: indexed at once, it
// would be put into the indexes of a payment being processed, taken out of
// them and put into those of its new status, each a write to a page.
type createdPayment struct {
	seq  uint64
	size int         // the length of its stored record
	head paymentHead // what it is now, which names its indexes
}

// rewriteCreated stores p, whose record is v, over c, the payment k
// created in this transaction.
func (t *tx) rewriteCreated(k platform.PaymentKey, c *createdPayment, p *platform.Payment, v []byte) error {
	v = pad(v, c.size)
	if err := t.bucket(bucketPayments).Put(u64(c.seq), v); err != nil {
		return fmt.Errorf("put payment %s: %w", k, err)
	}
	c.size, c.head = len(v), headOf(p)
	return nil
}

// indexCreated writes the index entries of the payments created in t
// since it was last called, as they now are. The committer calls it once
// every function of a group has run, as replay does at the end of the
// group's record, so that both write the same entries (a payment indexed
// when the function that created it returned, and moved by a later one of
// the group, would leave an empty index the replay does not make). Payments
// calls it too, so that a function lists the payments it created; the
// engine lists in read transactions only, where there are none, and a
// function of a group that did list them would index them early, as above.
func (t *tx) indexCreated() error {
	for k, c := range t.created {
		project, err := t.projectIndex(k.ProjectID, true)
		if err != nil {
			return fmt.Errorf("index payment %s: %w", k, err)
		}
		ref := makeRef(clampedTimeKey(c.head.createdAt), c.seq)
		for _, name := range indexes(c.head) {
			if err := addEntry(project, name, ref); err != nil {
				return fmt.Errorf("index payment %s: %w", k, err)
			}
		}
	}
	clear(t.created)
	return nil
}

// projectIndex returns the bucket of a project's indexes in
// bucketPaymentIndex, creating it when create is set; nil when there is
// none.
func (t *tx) projectIndex(projectID int64, create bool) (*bbolt.Bucket, error) {
	return t.projectBucket(bucketPaymentIndex, projectID, create, fillRandom)
}

// projectBucket returns the bucket of a project in the top-level bucket
// parent, creating it when create is set; nil when there is none.
func (t *tx) projectBucket(parent []byte, projectID int64, create bool, fill float64) (*bbolt.Bucket, error) {
	all := t.bucket(parent)
	b := all.Bucket(projectKey(projectID))
	if b == nil && create {
		var err error
		if b, err = all.CreateBucket(projectKey(projectID)); err != nil {
			return nil, err
		}
	}
	if b != nil {
		b.FillPercent = fill
	}
	return b, nil
}

// addEntry puts ref into the index name of a project, counting it in the
// index's sequence.
func addEntry(project *bbolt.Bucket, name, ref []byte) error {
	b, err := project.CreateBucketIfNotExists(name)
	if err != nil {
		return err
	}
	b.FillPercent = fillAppend
	if b.Get(ref) != nil {
		return nil
	}
	if err := b.Put(ref, empty); err != nil {
		return err
	}
	return b.SetSequence(b.Sequence() + 1)
}

// removeEntry deletes ref from an index, when it is there.
func removeEntry(b *bbolt.Bucket, ref []byte) error {
	if b == nil || b.Get(ref) == nil {
		return nil
	}
	if err := b.Delete(ref); err != nil {
		return err
	}
	return b.SetSequence(b.Sequence() - 1)
}

// pageCursor returns the opaque cursor of the page after ref.
func pageCursor(ref []byte) string { return base64.RawURLEncoding.EncodeToString(ref) }

// parseCursor reads a cursor made by pageCursor.
func parseCursor(c string) ([]byte, error) {
	ref, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(ref) != refLen {
		return nil, platform.Errorf(platform.CodeInvalidRequest, "cursor %q is not one this sandbox gave out: pass the next cursor of the page before, or none for the first page", c)
	}
	return ref, nil
}

// maxPrefixScan is how many payments an ID prefix may match before
// Payments stops reading them by key and walks an index instead, checking
// each payment's ID: a prefix that matches many payments finds a page's
// worth soon on the way.
const maxPrefixScan = 4096

// Payments lists the payments matching f, newest first (by creation time;
// payments created at the same instant latest created first), one page of
// f.Limit at a time (every payment when f.Limit is 0 or less). It walks,
// in each project f selects, the smallest of the indexes f names and checks
// the other named indexes with one lookup each; no list reads every
// payment. With f.PaymentID it reads the payments whose ID starts with it
// through the key bucket, unless there are more than maxPrefixScan of them.
func (t *tx) Payments(f platform.PaymentFilter) (platform.PaymentPage, error) {
	if err := t.indexCreated(); err != nil {
		return platform.PaymentPage{}, err
	}
	page := platform.PaymentPage{Payments: []*platform.Payment{}}
	upper := []byte(nil) // refs below upper, and from lower on
	if !f.CreatedTo.IsZero() {
		upper = makeRef(clampedTimeKey(f.CreatedTo), 0)
	}
	if f.Cursor != "" {
		ref, err := parseCursor(f.Cursor)
		if err != nil {
			return page, err
		}
		if upper == nil || bytes.Compare(ref, upper) < 0 {
			upper = ref
		}
	}
	lower := makeRef(0, 0)
	if !f.CreatedFrom.IsZero() {
		lower = makeRef(clampedTimeKey(f.CreatedFrom), 0)
	}
	projects, err := t.listedProjects(f)
	if err != nil {
		return page, err
	}
	want := f.Limit + 1
	if f.Limit <= 0 {
		want = 0
	}
	var refs [][]byte
	prefixed := false
	if f.PaymentID != "" {
		refs, prefixed, err = t.prefixRefs(f, projects, lower, upper, want)
		if err != nil {
			return page, err
		}
	}
	if !prefixed {
		if refs, err = t.walkIndexes(f, projects, lower, upper, want); err != nil {
			return page, err
		}
	}
	if f.Limit > 0 && len(refs) > f.Limit {
		refs = refs[:f.Limit]
		page.Next = pageCursor(refs[len(refs)-1])
	}
	for _, ref := range refs {
		v, err := t.paymentRecord(refSeq(ref))
		if err != nil {
			return page, err
		}
		p, err := decodePayment(v)
		if err != nil {
			return page, fmt.Errorf("payment %d: %w", refSeq(ref), err)
		}
		page.Payments = append(page.Payments, p)
	}
	return page, nil
}

// listedProject is a project a list reads: its indexes, and the index to
// walk with the others to check.
type listedProject struct {
	id      int64
	indexes *bbolt.Bucket
	walk    *bbolt.Bucket   // nil when an index f names is empty
	check   []*bbolt.Bucket // the other indexes f names
}

// listedProjects returns the projects f selects that have payments, with
// the indexes f names.
func (t *tx) listedProjects(f platform.PaymentFilter) ([]listedProject, error) {
	var ids []int64
	if f.ProjectID != 0 {
		ids = []int64{f.ProjectID}
	} else {
		err := t.bucket(bucketPaymentIndex).ForEachBucket(func(k []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("payment index of project %x: %w", k, errCorrupt)
			}
			ids = append(ids, int64(binary.BigEndian.Uint64(k)))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var named [][]byte
	if f.Status != "" {
		named = append(named, indexName(indexStatus, string(f.Status)))
	}
	if f.Method != "" {
		named = append(named, indexName(indexMethod, f.Method))
	}
	if f.Callbacks != "" {
		named = append(named, indexName(indexCallbacks, string(f.Callbacks)))
	}
	var out []listedProject
	for _, id := range ids {
		idx, err := t.projectIndex(id, false)
		if err != nil || idx == nil {
			continue
		}
		lp := listedProject{id: id, indexes: idx, walk: idx.Bucket(indexAll)}
		for _, name := range named {
			b := idx.Bucket(name)
			if b == nil || b.Sequence() == 0 {
				lp.walk = nil // nothing matches in this project
				break
			}
			lp.check = append(lp.check, b)
		}
		if lp.walk == nil {
			continue
		}
		if len(lp.check) > 0 {
			// Walk the smallest index; check the rest.
			slices.SortFunc(lp.check, func(a, b *bbolt.Bucket) int { return cmp.Compare(a.Sequence(), b.Sequence()) })
			lp.walk, lp.check = lp.check[0], lp.check[1:]
		}
		out = append(out, lp)
	}
	return out, nil
}

// passes reports whether ref is in every index lp checks.
func (lp *listedProject) passes(ref []byte) bool {
	for _, b := range lp.check {
		if b.Get(ref) == nil {
			return false
		}
	}
	return true
}

// walkIndexes returns up to want refs (all when want is 0) below upper and
// from lower on, newest first, merging the projects' walks. With
// f.PaymentID it checks each payment's ID.
func (t *tx) walkIndexes(f platform.PaymentFilter, projects []listedProject, lower, upper []byte, want int) ([][]byte, error) {
	type walk struct {
		lp  *listedProject
		c   *bbolt.Cursor
		ref []byte
	}
	var walks []*walk
	for i := range projects {
		w := &walk{lp: &projects[i], c: projects[i].walk.Cursor()}
		if upper == nil {
			w.ref, _ = w.c.Last()
		} else if k, _ := w.c.Seek(upper); k == nil {
			w.ref, _ = w.c.Last()
		} else {
			w.ref, _ = w.c.Prev()
		}
		walks = append(walks, w)
	}
	var refs [][]byte
	for want == 0 || len(refs) < want {
		var top *walk
		for _, w := range walks {
			if w.ref != nil && bytes.Compare(w.ref, lower) >= 0 && (top == nil || bytes.Compare(w.ref, top.ref) > 0) {
				top = w
			}
		}
		if top == nil {
			break
		}
		ref := bytes.Clone(top.ref)
		top.ref, _ = top.c.Prev()
		if len(ref) != refLen {
			return nil, fmt.Errorf("payment index of project %d holds %x: %w", top.lp.id, ref, errCorrupt)
		}
		if !top.lp.passes(ref) {
			continue
		}
		if f.PaymentID != "" {
			v, err := t.paymentRecord(refSeq(ref))
			if err != nil {
				return nil, err
			}
			h, err := decodePaymentHead(v)
			if err != nil {
				return nil, fmt.Errorf("payment %d: %w", refSeq(ref), err)
			}
			if !strings.HasPrefix(h.id, f.PaymentID) {
				continue
			}
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// prefixRefs returns up to want refs of payments whose ID starts with
// f.PaymentID, below upper and from lower on, newest first, read through
// the payment keys, in key order across their generations; ok is false when
// more than maxPrefixScan payments match the prefix, for the caller to walk
// the indexes instead.
func (t *tx) prefixRefs(f platform.PaymentFilter, projects []listedProject, lower, upper []byte, want int) (refs [][]byte, ok bool, err error) {
	type hit struct {
		ref []byte
		lp  *listedProject
	}
	var hits []hit
	for i := range projects {
		prefix := append(projectKey(projects[i].id), f.PaymentID...)
		tooMany := false
		err := t.forEachPrefixed(paymentKeyIndex, prefix, func(k, v []byte) (bool, error) {
			if len(hits) == cmp.Or(t.maxPrefixScan, maxPrefixScan) {
				tooMany = true
				return false, nil
			}
			if len(v) != 8 {
				return false, fmt.Errorf("payment key %x: its sequence is %d bytes: %w", k, len(v), errCorrupt)
			}
			rec, err := t.paymentRecord(binary.BigEndian.Uint64(v))
			if err != nil {
				return false, err
			}
			h, err := decodePaymentHead(rec)
			if err != nil {
				return false, fmt.Errorf("payment %x: %w", k, err)
			}
			ref := makeRef(clampedTimeKey(h.createdAt), binary.BigEndian.Uint64(v))
			if bytes.Compare(ref, lower) >= 0 && (upper == nil || bytes.Compare(ref, upper) < 0) {
				hits = append(hits, hit{ref, &projects[i]})
			}
			return true, nil
		})
		if err != nil || tooMany {
			return nil, false, err
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return bytes.Compare(b.ref, a.ref) })
	for _, h := range hits {
		if want > 0 && len(refs) == want {
			break
		}
		if h.lp.walk.Get(h.ref) != nil && h.lp.passes(h.ref) {
			refs = append(refs, h.ref)
		}
	}
	return refs, true, nil
}
