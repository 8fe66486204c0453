package main

import (
	"slices"
	"testing"

	"github.com/ecommpay-sandbox/sandbox/app"
)

// methodTests are the tests every payment method must have.
type methodTests struct {
	// journey is the method's end-to-end case through the Gate: a sale,
	// the customer pays at the provider, the merchant gets the callbacks.
	journey func(t *testing.T)
	// golden checks the method's callbacks against testdata/<method>_*.json
	// (-update rewrites them; make golden runs every golden test).
	golden func(t *testing.T)
}

// methods holds each registered method's tests, by method code; the
// browser journey's rows are brMethods. TestMethods and
// TestBrowserPaymentJourney loop over the methods the sandbox registers
// (app.Providers), so a method without its tests fails the run.
var methods = map[string]methodTests{
	"oxxo":         {journey: oxxoJourney, golden: oxxoGoldenCallbacks},
	"loterica":     {journey: lotericaJourney, golden: lotericaGoldenCallbacks},
	"rapipago":     {journey: rapipagoJourney, golden: rapipagoGoldenCallbacks},
	"eco-voucher":  {journey: ecoVoucherJourney, golden: ecoVoucherGoldenCallbacks},
	"card-partner": {journey: cardPartnerJourney, golden: cardPartnerGoldenCallbacks},
}

// TestMethods runs every registered method's journey and golden
// callbacks, and fails for a method that has none.
func TestMethods(t *testing.T) {
	t.Parallel()
	for _, code := range app.MethodCodes() {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			mt, ok := methods[code]
			if !ok || mt.journey == nil || mt.golden == nil {
				t.Fatalf("method %s has no end-to-end journey or golden callbacks: add them to methods in cmd/sandbox/methods_test.go", code)
			}
			t.Run("journey", mt.journey)
			t.Run("golden", mt.golden)
		})
	}
	for code := range methods {
		if !slices.Contains(app.MethodCodes(), code) {
			t.Errorf("methods has tests of %s, which the sandbox does not register (app.Providers)", code)
		}
	}
}
