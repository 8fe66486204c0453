package bolt

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// PutJob stores j in the queue, replacing the job with its ID, wherever
// that one was due. Its payment must be stored: its jobs are listed by its
// sequence.
func (t *tx) PutJob(j platform.Job) error {
	if j.ID == 0 {
		return fmt.Errorf("put job %s of %s: it has no ID: take one from NextID(\"jobs\")", j.Kind, j.Payment)
	}
	key, err := jobKey(j.Due, j.ID)
	if err != nil {
		return err
	}
	seq, ok, err := t.paymentSeq(j.Payment)
	if err != nil {
		return fmt.Errorf("put job %d: %w", j.ID, err)
	}
	if !ok {
		return fmt.Errorf("put job %d (%s) of payment %s: the payment is not stored: store the payment first", j.ID, j.Kind, j.Payment)
	}
	if err := t.DeleteJob(j); err != nil {
		return err
	}
	if err := t.bucket(bucketJobs).Put(key, encodeJob(j)); err != nil {
		return fmt.Errorf("put job %d: %w", j.ID, err)
	}
	if err := t.bucket(bucketJobsByID).Put(u64(j.ID), key); err != nil {
		return fmt.Errorf("index job %d: %w", j.ID, err)
	}
	if err := t.bucket(bucketPaymentJobs).Put(paymentJobKey(seq, key), empty); err != nil {
		return fmt.Errorf("index job %d: %w", j.ID, err)
	}
	return nil
}

// DeleteJob removes the job with j's ID from the queue and its indexes;
// only the ID of j counts. A job that is not there is no error.
func (t *tx) DeleteJob(j platform.Job) error {
	byID := t.bucket(bucketJobsByID)
	idKey := u64(j.ID)
	stored := byID.Get(idKey)
	if stored == nil {
		return nil
	}
	key := bytes.Clone(stored)
	jobs := t.bucket(bucketJobs)
	if v := jobs.Get(key); v != nil {
		old, err := decodeJob(key, v)
		if err != nil {
			return err
		}
		seq, ok, err := t.paymentSeq(old.Payment)
		if err != nil {
			return fmt.Errorf("delete job %d: %w", j.ID, err)
		}
		if ok {
			if err := t.bucket(bucketPaymentJobs).Delete(paymentJobKey(seq, key)); err != nil {
				return fmt.Errorf("delete job %d: %w", j.ID, err)
			}
		}
		if err := jobs.Delete(key); err != nil {
			return fmt.Errorf("delete job %d: %w", j.ID, err)
		}
	}
	if err := byID.Delete(idKey); err != nil {
		return fmt.Errorf("delete job %d: %w", j.ID, err)
	}
	return nil
}

// DueJobs returns up to limit jobs due at or before now, in (due, ID)
// order; every due job when limit is 0 or less.
func (t *tx) DueJobs(now time.Time, limit int) ([]platform.Job, error) {
	js := []platform.Job{}
	until, ok := timeKey(now)
	if !ok {
		if now.Before(minKeyTime) {
			return js, nil
		}
		until = ^uint64(0)
	}
	c := t.bucket(bucketJobs).Cursor()
	for k, v := c.First(); k != nil && jobKeyDue(k) <= until; k, v = c.Next() {
		j, err := decodeJob(k, v)
		if err != nil {
			return nil, err
		}
		js = append(js, j)
		if limit > 0 && len(js) >= limit {
			break
		}
	}
	return js, nil
}

// NextJob returns the job due first, false when the queue is empty.
func (t *tx) NextJob() (platform.Job, bool, error) {
	k, v := t.bucket(bucketJobs).Cursor().First()
	if k == nil {
		return platform.Job{}, false, nil
	}
	j, err := decodeJob(k, v)
	return j, err == nil, err
}

// Jobs returns the jobs of payment k in (due, ID) order, from its index.
func (t *tx) Jobs(k platform.PaymentKey) ([]platform.Job, error) {
	js := []platform.Job{}
	seq, ok, err := t.paymentSeq(k)
	if err != nil || !ok {
		return js, err
	}
	prefix := u64(seq)
	jobs := t.bucket(bucketJobs)
	c := t.bucket(bucketPaymentJobs).Cursor()
	for ik, _ := c.Seek(prefix); ik != nil && bytes.HasPrefix(ik, prefix); ik, _ = c.Next() {
		if len(ik) != 24 {
			return nil, fmt.Errorf("%s: entry %x of payment %s is not 24 bytes: %w", bucketPaymentJobs, ik, k, errCorrupt)
		}
		key := ik[8:]
		v := jobs.Get(key)
		if v == nil {
			return nil, fmt.Errorf("job index of payment %s names job %x, which is missing", k, key)
		}
		j, err := decodeJob(key, v)
		if err != nil {
			return nil, err
		}
		js = append(js, j)
	}
	return js, nil
}
