package platform

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
)

// A payment's randomness. Every transaction that changes a payment opens the
// payment's next stream, derived from (seed, project, payment ID, how many
// streams it opened before), and takes everything random from it: request
// IDs, operation IDs, voucher numbers, provider references. So a seeded
// sandbox gives a payment the same IDs whatever else runs beside it, and a
// transaction that is run again (a group commit retrying it) draws the same.

// stream returns the n-th random stream of payment k.
func (e *Engine) stream(k PaymentKey, n uint64) io.Reader {
	h := sha256.New()
	h.Write(e.seed[:])
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(k.ProjectID))
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(len(k.PaymentID)))
	h.Write(b[:])
	h.Write([]byte(k.PaymentID))
	binary.BigEndian.PutUint64(b[:], n)
	h.Write(b[:])
	var seed [32]byte
	copy(seed[:], h.Sum(nil))
	return rand.NewChaCha8(seed)
}

// nextStream opens p's next random stream; the caller stores p.
func (e *Engine) nextStream(p *Payment) io.Reader {
	r := e.stream(p.Key(), p.Streams)
	p.Streams++
	return r
}

// hexID returns n random bytes of r as lowercase hex.
func hexID(r io.Reader, n int) string { return hex.EncodeToString(readN(r, n)) }

// The range of operation IDs: ten digits, like ecommpay's, far inside
// JavaScript's safe integers.
const (
	operationIDMin  = 1_000_000_000
	operationIDSpan = 9_000_000_000
)

// operationRef is the reference "method" under which operation IDs are kept
// unique; no method code starts with '#'.
const operationRef = "#operation"

// newOperationID draws an operation ID from r that no other payment's
// operation has, and claims it for k in tx.
func newOperationID(tx Tx, r io.Reader, k PaymentKey) (int64, error) {
	for {
		id := int64(operationIDMin + binary.BigEndian.Uint64(readN(r, 8))%operationIDSpan)
		ref := strconv.FormatInt(id, 10)
		switch _, err := tx.PaymentByReference(operationRef, ref); {
		case err == nil:
			continue // taken: draw again, from the same stream, so runs repeat
		case !errors.Is(err, ErrNotFound):
			return 0, err
		}
		if err := tx.PutReference(operationRef, ref, k); err != nil {
			return 0, err
		}
		return id, nil
	}
}
