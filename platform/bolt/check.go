package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

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
	r *Report
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
	c := &checker{r: r}
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

// payments checks every payment record against its key and its indexes,
// then every index entry against the records.
func (c *checker) payments(t *tx) {
	keys := t.bucket(bucketPaymentKeys)
	index := t.bucket(bucketPaymentIndex)
	_ = t.bucket(bucketPayments).ForEach(func(k, v []byte) error {
		c.r.Payments++
		if c.full() {
			return nil
		}
		if len(k) != 8 {
			c.problem("payment key %x is not 8 bytes", k)
			return nil
		}
		p, err := decodePayment(v)
		if err != nil {
			c.problem("payment %d: %v", binary.BigEndian.Uint64(k), err)
			return nil
		}
		ref := makeRef(clampedTimeKey(p.CreatedAt), binary.BigEndian.Uint64(k))
		if got := keys.Get(paymentKey(p.Key())); !bytes.Equal(got, k) {
			c.problem("payment %s: its key names %x, not %x", p.Key(), got, k)
		}
		project := index.Bucket(projectKey(p.ProjectID))
		for _, name := range indexes(headOf(p)) {
			if project == nil || project.Bucket(name) == nil || project.Bucket(name).Get(ref) == nil {
				c.problem("payment %s is missing from index %q of project %d", p.Key(), name, p.ProjectID)
			}
		}
		return nil
	})
	_ = keys.ForEach(func(k, v []byte) error {
		if c.full() {
			return nil
		}
		pk, err := parsePaymentKey(k)
		if err != nil || len(v) != 8 {
			c.problem("payment key %x → %x is malformed", k, v)
			return nil
		}
		rec := t.bucket(bucketPayments).Get(v)
		if rec == nil {
			c.problem("payment %s: its record %x is missing", pk, v)
			return nil
		}
		if h, err := decodePaymentHead(rec); err == nil && (h.projectID != pk.ProjectID || h.id != pk.PaymentID) {
			c.problem("payment %s: its key names the record of %d/%s", pk, h.projectID, h.id)
		}
		return nil
	})
	_ = index.ForEachBucket(func(project []byte) error {
		idx := index.Bucket(project)
		return idx.ForEachBucket(func(name []byte) error {
			b := idx.Bucket(name)
			var n uint64
			_ = b.ForEach(func(ref, _ []byte) error {
				n++
				if c.full() || len(ref) != refLen {
					c.problem("index %q of project %x: entry %x is not a ref", name, project, ref)
					return nil
				}
				rec := t.bucket(bucketPayments).Get(ref[8:])
				if rec == nil {
					c.problem("index %q of project %x names payment %d, which is missing", name, project, refSeq(ref))
					return nil
				}
				h, err := decodePaymentHead(rec)
				if err != nil {
					return nil // reported with the record
				}
				want := indexes(h)
				in := false
				for _, w := range want {
					in = in || bytes.Equal(w, name)
				}
				if !in || !bytes.Equal(project, projectKey(h.projectID)) ||
					!bytes.Equal(ref, makeRef(clampedTimeKey(h.createdAt), refSeq(ref))) {
					c.problem("index %q of project %x holds payment %d/%s, which does not belong there", name, project, h.projectID, h.id)
				}
				return nil
			})
			if n != b.Sequence() {
				c.problem("index %q of project %x counts %d entries but holds %d", name, project, b.Sequence(), n)
			}
			return nil
		})
	})
}

// deliveries checks every delivery against its two indexes, and back.
func (c *checker) deliveries(t *tx) {
	byPayment := t.bucket(bucketDeliveriesByPayment)
	deliveries := t.bucket(bucketDeliveries)
	_ = deliveries.ForEach(func(k, v []byte) error {
		c.r.Deliveries++
		if c.full() {
			return nil
		}
		if len(k) != 8 {
			c.problem("delivery key %x is not 8 bytes", k)
			return nil
		}
		id := binary.BigEndian.Uint64(k)
		d, err := decodeDelivery(id, v)
		if err != nil {
			c.problem("delivery %d: %v", id, err)
			return nil
		}
		if seq, ok, _ := t.paymentSeq(d.Key()); !ok || byPayment.Get(append(u64(seq), k...)) == nil {
			c.problem("delivery %d is missing from the index of payment %s", id, d.Key())
		}
		if b, _ := t.projectDeliveries(d.ProjectID, false); b == nil || b.Get(k) == nil {
			c.problem("delivery %d is missing from the index of project %d", id, d.ProjectID)
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
	byID := t.bucket(bucketJobsByID)
	byPayment := t.bucket(bucketJobsByPayment)
	_ = t.bucket(bucketJobs).ForEach(func(k, v []byte) error {
		c.r.Jobs++
		if c.full() {
			return nil
		}
		j, err := decodeJob(k, v)
		if err != nil {
			c.problem("%v", err)
			return nil
		}
		if !bytes.Equal(byID.Get(u64(j.ID)), k) {
			c.problem("job %d is missing from the index by ID", j.ID)
		}
		if byPayment.Get(append(paymentPrefix(j.Payment), k...)) == nil {
			c.problem("job %d is missing from the index of payment %s", j.ID, j.Payment)
		}
		return nil
	})
	if byID.Stats().KeyN != c.r.Jobs || byPayment.Stats().KeyN != c.r.Jobs {
		c.problem("the job indexes hold %d and %d entries for %d jobs", byID.Stats().KeyN, byPayment.Stats().KeyN, c.r.Jobs)
	}
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
