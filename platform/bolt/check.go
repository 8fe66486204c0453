package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"runtime"
	"slices"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Report is what a full check of a data file found.
type Report struct {
	Path       string
	Size       int64 // bytes
	Projects   int
	Payments   int
	Deliveries int
	Jobs       int
	// Problems lists what is wrong, at most maxProblems of it; none when
	// the file is sound.
	Problems []string
}

// OK reports whether the check found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// maxProblems bounds a report: a badly damaged file has problems without
// end, and the first ones say enough.
const maxProblems = 50

// checker collects the problems of one check.
type checker struct {
	r    *Report
	seed maphash.Seed // of the multisets' hashes
}

func (c *checker) problem(format string, args ...any) {
	if len(c.r.Problems) < maxProblems {
		c.r.Problems = append(c.r.Problems, fmt.Sprintf(format, args...))
	}
}

// full reports whether the report holds as many problems as it keeps.
func (c *checker) full() bool { return len(c.r.Problems) >= maxProblems }

// checkTx checks a whole file in one read transaction: the problems of
// its pages found before (pages), and when there are none every record
// decoded and every index entry matched with what it indexes, both ways.
func checkTx(btx *bbolt.Tx, r *Report, pages []error) {
	c := &checker{r: r, seed: maphash.MakeSeed()}
	for _, err := range pages {
		c.problem("pages: %v", err)
	}
	if !r.OK() {
		return // reading damaged pages through bbolt would only say more of the same
	}
	for _, b := range allBuckets {
		if btx.Bucket(b.name) == nil {
			c.problem("bucket %s is missing", b.name)
		}
	}
	if !r.OK() {
		return
	}
	if v := btx.Bucket(bucketMeta).Get(keySchema); len(v) != 8 || binary.BigEndian.Uint64(v) != schemaVersion {
		c.problem("schema version is %x, not %d", v, schemaVersion)
		return
	}
	t := &tx{btx: btx}
	c.projects(t)
	c.payments(t)
	c.deliveries(t)
	c.jobs(t)
	c.generations(t, referenceIndex, func(v []byte) bool { return len(v) >= 8 })
	c.generations(t, paymentKeyIndex, func(v []byte) bool { return len(v) == 8 })
	if _, err := t.ClockState(); err != nil && !isNotFound(err) {
		c.problem("%v", err)
	}
}

func (c *checker) projects(t *tx) {
	_ = t.bucket(bucketProjects).ForEach(func(k, v []byte) error {
		c.r.Projects++
		var r projectRecord
		if err := decode(v, &r); err != nil {
			c.problem("project %x: %v", k, err)
		}
		return nil
	})
}

// The records and their indexes are checked in two steps. The quick one
// reads every bucket once, in key order, without a lookup: each record
// adds the index entries it should have to one multiset, each index adds
// the entries it holds to another, and the two must be equal (a multiset
// is kept as a count and a sum of 64-bit hashes, so two that differ look
// equal by chance once in 2^64). Records are decoded on every CPU
// meanwhile. Only when two multisets differ does the precise step look
// every entry up, both ways, to name what is wrong.

// multiset is a multiset of byte strings, as its size and the sum of
// their hashes.
type multiset struct {
	n, sum uint64
}

// add adds the string made of parts, each prefixed with its length so
// that no two lists of parts make the same string.
func (m *multiset) add(h *maphash.Hash, parts ...[]byte) {
	h.Reset()
	var n [4]byte
	for _, p := range parts {
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		_, _ = h.Write(n[:])
		_, _ = h.Write(p)
	}
	m.n++
	m.sum += h.Sum64()
}

// decodeBatch is how many records the reader hands a decoder at once.
const decodeBatch = 256

// numbered is a problem of the record at position pos of a bucket.
type numbered struct {
	pos int
	msg string
}

// forEachDecoded calls each with every entry of b in key order, and
// decode with every entry too, on other goroutines, one per CPU: decode
// returns the problem of a record or "". The problems are reported in key
// order, after each has run on every entry. The values stay valid as long
// as the transaction is open.
func (c *checker) forEachDecoded(b *bbolt.Bucket, each func(k, v []byte), decode func(k, v []byte) string) {
	type entry struct {
		pos  int
		k, v []byte
	}
	var (
		mu       sync.Mutex
		problems []numbered
		wg       sync.WaitGroup
		batches  = make(chan []entry, 4*runtime.GOMAXPROCS(0))
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				for _, e := range batch {
					if msg := decode(e.k, e.v); msg != "" {
						mu.Lock()
						problems = append(problems, numbered{e.pos, msg})
						mu.Unlock()
					}
				}
			}
		}()
	}
	batch := make([]entry, 0, decodeBatch)
	pos := 0
	_ = b.ForEach(func(k, v []byte) error {
		each(k, v)
		batch = append(batch, entry{pos, k, v})
		pos++
		if len(batch) == decodeBatch {
			batches <- batch
			batch = make([]entry, 0, decodeBatch)
		}
		return nil
	})
	batches <- batch
	close(batches)
	wg.Wait()
	slices.SortFunc(problems, func(a, b numbered) int { return a.pos - b.pos })
	for _, p := range problems {
		c.problem("%s", p.msg)
	}
}

// mismatch reports that two multisets of what; the precise step ran
// before and found nothing to name when found is the count of problems it
// started with, and then that is the problem.
func (c *checker) mismatch(found int, what string, want, got multiset) {
	if len(c.r.Problems) == found {
		c.problem("%s: the records call for %d entries, and it holds %d, not the same ones", what, want.n, got.n)
	}
}

// compared is one index: the entries the records call for, and those it
// holds, each summed up as a multiset.
type compared struct {
	bucket    []byte
	want, got multiset
}

// reconcile does nothing when every index holds what the records call for.
// Otherwise it runs precisely, the slow lookups that name each problem,
// and, should they name none while every record decoded, says that the
// first index that differs holds other entries.
func (c *checker) reconcile(t *tx, undecoded int, precisely func(*tx), indexes ...compared) {
	i := slices.IndexFunc(indexes, func(x compared) bool { return x.want != x.got })
	if i < 0 || c.full() {
		return
	}
	found := len(c.r.Problems)
	precisely(t)
	if undecoded == 0 {
		c.mismatch(found, string(indexes[i].bucket), indexes[i].want, indexes[i].got)
	}
}

// payments checks every payment record, its key and its index entries.
// The keys of every generation are summed up together, as one index.
func (c *checker) payments(t *tx) {
	index := t.bucket(bucketPaymentIndex)
	var (
		h                   maphash.Hash
		wantKeys, wantIndex multiset
		gotKeys, gotIndex   multiset
		undecoded           int
	)
	h.SetSeed(c.seed)
	c.forEachDecoded(t.bucket(bucketPayments), func(k, v []byte) {
		c.r.Payments++
		if len(k) != 8 {
			undecoded++ // the decoder says so
			return
		}
		head, err := decodePaymentHead(v)
		if err != nil {
			undecoded++
			return
		}
		wantKeys.add(&h, paymentKey(platform.PaymentKey{ProjectID: head.projectID, PaymentID: head.id}), k)
		ref := makeRef(clampedTimeKey(head.createdAt), binary.BigEndian.Uint64(k))
		project := projectKey(head.projectID)
		for _, name := range indexes(head) {
			wantIndex.add(&h, project, name, ref)
		}
	}, func(k, v []byte) string {
		if len(k) != 8 {
			return fmt.Sprintf("payment key %x is not 8 bytes", k)
		}
		if _, err := decodePayment(v); err != nil {
			return fmt.Sprintf("payment %d: %v", binary.BigEndian.Uint64(k), err)
		}
		return ""
	})
	_ = forEachGeneration(t, paymentKeyIndex, func(_ generation, k, v []byte) {
		gotKeys.add(&h, k, v)
	})
	_ = index.ForEachBucket(func(project []byte) error {
		idx := index.Bucket(project)
		return idx.ForEachBucket(func(name []byte) error {
			b := idx.Bucket(name)
			var n uint64
			_ = b.ForEach(func(ref, _ []byte) error {
				n++
				gotIndex.add(&h, project, name, ref)
				return nil
			})
			if n != b.Sequence() {
				c.problem("index %q of project %x counts %d entries but holds %d", name, project, b.Sequence(), n)
			}
			return nil
		})
	})
	c.reconcile(t, undecoded, c.paymentKeysPrecisely, compared{bucketPaymentKeys, wantKeys, gotKeys})
	c.reconcile(t, undecoded, c.paymentIndexPrecisely, compared{bucketPaymentIndex, wantIndex, gotIndex})
}

// paymentKeysPrecisely looks up the key of every payment record, and the
// record of every key.
func (c *checker) paymentKeysPrecisely(t *tx) {
	payments := t.bucket(bucketPayments)
	_ = payments.ForEach(func(k, v []byte) error {
		h, err := decodePaymentHead(v)
		if c.full() || err != nil || len(k) != 8 {
			return nil // reported with the record
		}
		pk := platform.PaymentKey{ProjectID: h.projectID, PaymentID: h.id}
		if got, err := t.lookup(paymentKeyIndex, paymentKey(pk)); err == nil && !bytes.Equal(got, k) {
			c.problem("payment %s: its key names %x, not %x", pk, got, k)
		}
		return nil
	})
	_ = forEachGeneration(t, paymentKeyIndex, func(g generation, k, v []byte) {
		if c.full() {
			return
		}
		pk, err := parsePaymentKey(k)
		if err != nil || len(v) != 8 {
			c.problem("payment key %x → %x of generation %d is malformed", k, v, g.id)
			return
		}
		rec := payments.Get(v)
		if rec == nil {
			c.problem("payment %s: its record %x is missing", pk, v)
			return
		}
		if h, err := decodePaymentHead(rec); err == nil && (h.projectID != pk.ProjectID || h.id != pk.PaymentID) {
			c.problem("payment %s: its key names the record of %d/%s", pk, h.projectID, h.id)
		}
	})
}

// forEachGeneration calls fn with every entry of every generation of ix,
// newest generation first.
func forEachGeneration(t *tx, ix *generationIndex, fn func(g generation, k, v []byte)) error {
	return t.generations(ix, func(g generation) (bool, error) {
		return true, g.b.ForEach(func(k, v []byte) error {
			fn(g, k, v)
			return nil
		})
	})
}

// paymentIndexPrecisely looks up the index entries of every payment
// record, and the record of every index entry.
func (c *checker) paymentIndexPrecisely(t *tx) {
	index := t.bucket(bucketPaymentIndex)
	payments := t.bucket(bucketPayments)
	_ = payments.ForEach(func(k, v []byte) error {
		h, err := decodePaymentHead(v)
		if c.full() || err != nil || len(k) != 8 {
			return nil // reported with the record
		}
		ref := makeRef(clampedTimeKey(h.createdAt), binary.BigEndian.Uint64(k))
		project := index.Bucket(projectKey(h.projectID))
		for _, name := range indexes(h) {
			if project == nil || project.Bucket(name) == nil || project.Bucket(name).Get(ref) == nil {
				c.problem("payment %d/%s is missing from index %q of project %d", h.projectID, h.id, name, h.projectID)
			}
		}
		return nil
	})
	_ = index.ForEachBucket(func(project []byte) error {
		idx := index.Bucket(project)
		return idx.ForEachBucket(func(name []byte) error {
			return idx.Bucket(name).ForEach(func(ref, _ []byte) error {
				if c.full() {
					return nil
				}
				if len(ref) != refLen {
					c.problem("index %q of project %x: entry %x is not a ref", name, project, ref)
					return nil
				}
				rec := payments.Get(ref[8:])
				if rec == nil {
					c.problem("index %q of project %x names payment %d, which is missing", name, project, refSeq(ref))
					return nil
				}
				h, err := decodePaymentHead(rec)
				if err != nil {
					return nil // reported with the record
				}
				in := false
				for _, w := range indexes(h) {
					in = in || bytes.Equal(w, name)
				}
				if !in || !bytes.Equal(project, projectKey(h.projectID)) ||
					!bytes.Equal(ref, makeRef(clampedTimeKey(h.createdAt), refSeq(ref))) {
					c.problem("index %q of project %x holds payment %d/%s, which does not belong there", name, project, h.projectID, h.id)
				}
				return nil
			})
		})
	})
}

// deliveries checks every delivery record and its two index entries. The
// index by payment is keyed by the payment's sequence: the payments'
// bucket, in the same order, gives the key of each.
func (c *checker) deliveries(t *tx) {
	var (
		h                        maphash.Hash
		wantPayment, wantProject multiset
		gotPayment, gotProject   multiset
		undecoded                int
	)
	h.SetSeed(c.seed)
	c.forEachDecoded(t.bucket(bucketDeliveries), func(k, v []byte) {
		c.r.Deliveries++
		if len(k) != 8 {
			undecoded++ // the decoder says so
			return
		}
		head, err := decodeDeliveryHead(v)
		if err != nil {
			undecoded++
			return
		}
		wantPayment.add(&h, paymentKey(head.key()), k)
		wantProject.add(&h, projectKey(head.projectID), k)
	}, func(k, v []byte) string {
		if len(k) != 8 {
			return fmt.Sprintf("delivery key %x is not 8 bytes", k)
		}
		if _, err := decodeDelivery(binary.BigEndian.Uint64(k), v); err != nil {
			return fmt.Sprintf("delivery %d: %v", binary.BigEndian.Uint64(k), err)
		}
		return ""
	})
	t.addBySequence(&h, &gotPayment, bucketDeliveriesByPayment, 16)
	byProject := t.bucket(bucketDeliveriesByProject)
	_ = byProject.ForEachBucket(func(project []byte) error {
		return byProject.Bucket(project).ForEach(func(k, _ []byte) error {
			gotProject.add(&h, project, k)
			return nil
		})
	})
	c.reconcile(t, undecoded, c.deliveriesPrecisely,
		compared{bucketDeliveriesByPayment, wantPayment, gotPayment}, compared{bucketDeliveriesByProject, wantProject, gotProject})
}

// deliveriesPrecisely looks up the index entries of every delivery, and
// the delivery of every index entry.
func (c *checker) deliveriesPrecisely(t *tx) {
	byPayment := t.bucket(bucketDeliveriesByPayment)
	deliveries := t.bucket(bucketDeliveries)
	_ = deliveries.ForEach(func(k, v []byte) error {
		h, err := decodeDeliveryHead(v)
		if c.full() || err != nil || len(k) != 8 {
			return nil // reported with the record
		}
		id := binary.BigEndian.Uint64(k)
		if seq, ok, _ := t.paymentSeq(h.key()); !ok || byPayment.Get(append(u64(seq), k...)) == nil {
			c.problem("delivery %d is missing from the index of payment %s", id, h.key())
		}
		if b, _ := t.projectDeliveries(h.projectID, false); b == nil || b.Get(k) == nil {
			c.problem("delivery %d is missing from the index of project %d", id, h.projectID)
		}
		return nil
	})
	// Both indexes end their keys with the delivery's ID.
	inPayments, inProjects := 0, 0
	_ = byPayment.ForEach(func(k, _ []byte) error {
		inPayments++
		if c.full() {
			return nil
		}
		if len(k) != 16 {
			c.problem("%s: entry %x is not 16 bytes", bucketDeliveriesByPayment, k)
			return nil
		}
		h, err := decodeDeliveryHead(deliveries.Get(k[8:]))
		if seq, ok, _ := t.paymentSeq(h.key()); err != nil || !ok || !bytes.Equal(u64(seq), k[:8]) {
			c.problem("%s: entry %x names no delivery of payment %d", bucketDeliveriesByPayment, k, binary.BigEndian.Uint64(k))
		}
		return nil
	})
	byProject := t.bucket(bucketDeliveriesByProject)
	_ = byProject.ForEachBucket(func(project []byte) error {
		return byProject.Bucket(project).ForEach(func(k, _ []byte) error {
			inProjects++
			h, err := decodeDeliveryHead(deliveries.Get(k))
			if !c.full() && (err != nil || !bytes.Equal(projectKey(h.projectID), project)) {
				c.problem("%s: project %x lists %x, which is no delivery of it", bucketDeliveriesByProject, project, k)
			}
			return nil
		})
	})
	if inPayments != c.r.Deliveries || inProjects != c.r.Deliveries {
		c.problem("the delivery indexes hold %d and %d entries for %d deliveries", inPayments, inProjects, c.r.Deliveries)
	}
}

// jobs checks the queue against its two indexes.
func (c *checker) jobs(t *tx) {
	var (
		h                   maphash.Hash
		wantID, wantPayment multiset
		gotID, gotPayment   multiset
		undecoded           int
	)
	h.SetSeed(c.seed)
	_ = t.bucket(bucketJobs).ForEach(func(k, v []byte) error {
		c.r.Jobs++
		j, err := decodeJob(k, v)
		if err != nil {
			undecoded++
			c.problem("%v", err)
			return nil
		}
		wantID.add(&h, u64(j.ID), k)
		wantPayment.add(&h, paymentKey(j.Payment), k)
		return nil
	})
	_ = t.bucket(bucketJobsByID).ForEach(func(k, v []byte) error {
		gotID.add(&h, k, v)
		return nil
	})
	t.addBySequence(&h, &gotPayment, bucketPaymentJobs, 24)
	c.reconcile(t, undecoded, c.jobsPrecisely,
		compared{bucketJobsByID, wantID, gotID}, compared{bucketPaymentJobs, wantPayment, gotPayment})
}

// addBySequence adds to got the entries of index, whose keys are a
// payment's sequence (8 bytes) and what follows it, keyLen bytes in all:
// each as the key of the payment it names and the rest of its key. The
// index is in the payments' order, so one walk of both names the payment
// of each entry. An entry of another length, or that names no payment, is
// added as it is, for the comparison to find.
func (t *tx) addBySequence(h *maphash.Hash, got *multiset, index []byte, keyLen int) {
	payments := t.bucket(bucketPayments).Cursor()
	pk, pv := payments.First()
	_ = t.bucket(index).ForEach(func(k, _ []byte) error {
		if len(k) != keyLen {
			got.add(h, k)
			return nil
		}
		for pk != nil && bytes.Compare(pk, k[:8]) < 0 {
			pk, pv = payments.Next()
		}
		head, err := decodePaymentHead(pv)
		if !bytes.Equal(pk, k[:8]) || err != nil {
			got.add(h, k)
			return nil
		}
		got.add(h, paymentKey(platform.PaymentKey{ProjectID: head.projectID, PaymentID: head.id}), k[8:])
		return nil
	})
}

// jobsPrecisely looks up the index entries of every job, and counts them.
func (c *checker) jobsPrecisely(t *tx) {
	byID := t.bucket(bucketJobsByID)
	byPayment := t.bucket(bucketPaymentJobs)
	_ = t.bucket(bucketJobs).ForEach(func(k, v []byte) error {
		j, err := decodeJob(k, v)
		if c.full() || err != nil {
			return nil // reported before
		}
		if !bytes.Equal(byID.Get(u64(j.ID)), k) {
			c.problem("job %d is missing from the index by ID", j.ID)
		}
		if seq, ok, _ := t.paymentSeq(j.Payment); !ok || byPayment.Get(paymentJobKey(seq, k)) == nil {
			c.problem("job %d is missing from the index of payment %s", j.ID, j.Payment)
		}
		return nil
	})
	if byID.Stats().KeyN != c.r.Jobs || byPayment.Stats().KeyN != c.r.Jobs {
		c.problem("the job indexes hold %d and %d entries for %d jobs", byID.Stats().KeyN, byPayment.Stats().KeyN, c.r.Jobs)
	}
}

// generations checks the generations of an index (see generations.go):
// the filter of each sealed one must hold every key the generation holds,
// as a lookup trusts it to say that a key is not there; the current one
// must count its keys; every value must be valid (a payment key, a
// sequence); and every filter must belong to a generation.
func (c *checker) generations(t *tx, ix *generationIndex, valid func(v []byte) bool) {
	filters := t.bucket(ix.filters)
	err := t.generations(ix, func(g generation) (bool, error) {
		var f *filter
		if v := filters.Get(u64(g.id)); v != nil {
			var err error
			if f, err = decodeFilter(v); err != nil {
				c.problem("the filter of %s generation %d: %v", ix.what, g.id, err)
			}
		}
		n := uint64(0)
		_ = g.b.ForEach(func(k, v []byte) error {
			n++
			switch {
			case c.full():
			case f != nil && !f.mayHave(hashKey(k)):
				c.problem("%s %q of generation %d is missing from its filter: lookups would not find it", ix.what, k, g.id)
			case !valid(v):
				c.problem("%s %q of generation %d names %x, which is no %s", ix.what, k, g.id, v, ix.names)
			}
			return nil
		})
		if f == nil && g.id != 0 && n != g.b.Sequence() {
			c.problem("%s generation %d counts %d keys and holds %d", ix.what, g.id, g.b.Sequence(), n)
		}
		return !c.full(), nil
	})
	if err != nil {
		c.problem("%v", err)
	}
	gens := t.bucket(ix.gens)
	_ = filters.ForEach(func(k, _ []byte) error {
		if len(k) != 8 || (binary.BigEndian.Uint64(k) != 0 && gens.Bucket(k) == nil) {
			c.problem("%s holds %x, the filter of no %s generation", ix.filters, k, ix.what)
		}
		return nil
	})
}

func isNotFound(err error) bool { return errors.Is(err, platform.ErrNotFound) }

// pageProblems checks every page of the file as btx sees it, reading the
// file front to back (scanPages); when later transactions overwrote the
// meta page btx began from, it asks bbolt's own, slower check instead.
func (d *DB) pageProblems(btx *bbolt.Tx) []error {
	f, err := os.Open(d.path)
	if err != nil {
		return []error{fmt.Errorf("the file cannot be read: %w", err)}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return []error{fmt.Errorf("the file cannot be read: %w", err)}
	}
	pageSize := d.db.Info().PageSize
	err = scanPages(f, info.Size(), pageSize, uint64(btx.ID()))
	var dmg *damage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errMetaGone):
		var errs []error
		for err := range btx.Check() {
			errs = append(errs, err)
		}
		return errs
	case errors.As(err, &dmg):
		return []error{fmt.Errorf("%w (byte %d of the file)", err, int64(dmg.page)*int64(pageSize))}
	}
	return []error{err}
}

// CheckPages checks every page of the file, as sandbox check does, but not
// the records they hold: it reads the file front to back, at about the
// speed of the disk, and returns the problems it found, none for a sound
// file. A backup checks its copy so.
func (d *DB) CheckPages(ctx context.Context) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bolt: check not started: %w", err)
	}
	var problems []error
	err := d.db.View(func(btx *bbolt.Tx) error {
		problems = d.pageProblems(btx)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: check the pages of %s: %w", d.path, err)
	}
	return problems, nil
}

// Check reads the whole file in one read transaction and reports what is
// wrong with it: bbolt's check of its pages, every record decoded, every
// index entry matched with what it indexes and the other way round. It
// takes time in proportion to the file (seconds for a million payments);
// Open checks only what it can in a fraction of that.
func (d *DB) Check(ctx context.Context) (*Report, error) {
	r := &Report{Path: d.path}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bolt: check not started: %w", err)
	}
	err := d.db.View(func(btx *bbolt.Tx) error {
		r.Size = btx.Size()
		pages := d.pageProblems(btx)
		return guard(func() error { checkTx(btx, r, pages); return nil })
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: check data file %s: %w", d.path, err)
	}
	return r, nil
}
