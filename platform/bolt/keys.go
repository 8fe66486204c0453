package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// u64 returns v as 8 big-endian bytes.
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v) }

// projectKey returns the key of project id.
func projectKey(id int64) []byte { return u64(uint64(id)) }

// The instants a time key can hold: Unix nanoseconds fit an int64 from
// 1677 to 2262.
var (
	minKeyTime = time.Unix(0, math.MinInt64)
	maxKeyTime = time.Unix(0, math.MaxInt64)
)

// timeKey returns t as a uint64 whose order is the order of the instants:
// the Unix nanoseconds with the sign bit flipped. ok is false when t cannot
// be held (the zero time among others).
func timeKey(t time.Time) (k uint64, ok bool) {
	if t.Before(minKeyTime) || t.After(maxKeyTime) {
		return 0, false
	}
	return uint64(t.UnixNano()) ^ (1 << 63), true
}

// clampedTimeKey is timeKey with times out of range moved to the nearest
// end, so that a payment without a creation time lists as the oldest.
func clampedTimeKey(t time.Time) uint64 {
	if k, ok := timeKey(t); ok {
		return k
	}
	if t.Before(minKeyTime) {
		return 0
	}
	return math.MaxUint64
}

// paymentKey returns the key of payment k: the project ID and then the
// payment ID.
func paymentKey(k platform.PaymentKey) []byte {
	b := make([]byte, 8, 8+len(k.PaymentID)+1+16)
	binary.BigEndian.PutUint64(b, uint64(k.ProjectID))
	return append(b, k.PaymentID...)
}

// parsePaymentKey reads a key made by paymentKey; the payment ID is copied.
func parsePaymentKey(b []byte) (platform.PaymentKey, error) {
	if len(b) < 8 {
		return platform.PaymentKey{}, fmt.Errorf("payment key %x is shorter than 8 bytes", b)
	}
	return platform.PaymentKey{ProjectID: int64(binary.BigEndian.Uint64(b)), PaymentID: string(b[8:])}, nil
}

// paymentJobKey returns the entry in bucketPaymentJobs of the job with
// queue key key of the payment with seq.
func paymentJobKey(seq uint64, key []byte) []byte {
	return append(binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(key)), seq), key...)
}

// checkPaymentKey rejects keys that cannot name a payment.
func checkPaymentKey(k platform.PaymentKey) error {
	if k.PaymentID == "" {
		return fmt.Errorf("payment key %s has no payment ID", k)
	}
	return nil
}

// jobKey returns a job's key in the queue: its due time and its ID.
func jobKey(due time.Time, id uint64) ([]byte, error) {
	t, ok := timeKey(due)
	if !ok {
		return nil, fmt.Errorf("job %d: due time %s is outside what the queue holds (years 1678 to 2262)", id, due.UTC().Format(time.RFC3339Nano))
	}
	b := make([]byte, 0, 16)
	b = binary.BigEndian.AppendUint64(b, t)
	return binary.BigEndian.AppendUint64(b, id), nil
}

// jobKeyDue returns the due-time part of a job key.
func jobKeyDue(k []byte) uint64 { return binary.BigEndian.Uint64(k[:8]) }

// referenceKey returns the key of a provider reference.
func referenceKey(method, ref string) ([]byte, error) {
	if method == "" || ref == "" {
		return nil, fmt.Errorf("reference %q of method %q: both must be set", ref, method)
	}
	if bytes.IndexByte([]byte(method), 0) >= 0 {
		return nil, fmt.Errorf("method %q contains a NUL byte", method)
	}
	b := make([]byte, 0, len(method)+1+len(ref))
	b = append(b, method...)
	b = append(b, 0)
	return append(b, ref...), nil
}

// keyTime returns the instant of a key made by timeKey, in UTC.
func keyTime(k uint64) time.Time { return time.Unix(0, int64(k^(1<<63))).UTC() }
