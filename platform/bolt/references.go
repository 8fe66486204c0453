package bolt

import (
	"fmt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Provider references are kept in generations (generations.go), so that a
// new payment's references cost what they cost in an empty store, however
// many a store holds: providers draw them at random, as the engine draws
// operation IDs, two a sale. The references a store held before schema 3
// are generation 0, in bucketReferences, sealed by the conversion (see
// migrateV2).

// PaymentByReference returns the key of the payment indexed under a
// provider's reference.
func (t *tx) PaymentByReference(method, ref string) (platform.PaymentKey, error) {
	key, err := referenceKey(method, ref)
	if err != nil {
		return platform.PaymentKey{}, err
	}
	found, err := t.lookup(referenceIndex, key)
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
	if err := t.putKey(referenceIndex, key, paymentKey(k)); err != nil {
		return fmt.Errorf("put reference %q of %s: %w", ref, method, err)
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
	if err := t.deleteKey(referenceIndex, key); err != nil {
		return fmt.Errorf("delete reference %q of %s: %w", ref, method, err)
	}
	return nil
}
