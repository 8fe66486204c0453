package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/golden"
)

// goldenBaseURL replaces the test server's address in golden files.
const goldenBaseURL = "http://sandbox.test"

// goldenCallback compares a signed JSON body with testdata/<name>.json
// semantically (decoded, so key order and spacing do not matter), after
// checking its signature with the test project's secret and replacing it
// and the sandbox's address (a random port) with fixed text; -update
// rewrites the file.
func goldenCallback(t *testing.T, s *sandbox, name string, raw []byte) {
	t.Helper()
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	verifyCallback(t, body, testSecret)
	sdkSafe(t, "", body)
	body["signature"] = "(verified)"
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	golden.JSON(t, filepath.Join("testdata", name+".json"), bytes.ReplaceAll(raw, []byte(s.URL), []byte(goldenBaseURL)))
}

// lastRaw returns the raw body of the merchant's last callback.
func (m *merchant) lastRaw() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.raw[len(m.raw)-1]
}

func oxxoGoldenCallbacks(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	ref := voucherRef(t, s, m, "EP8a3e-3e96")
	goldenCallback(t, s, "oxxo_redirect_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "oxxo_redirect", "redirect_data") // "body": [], an empty list
	advance(t, s, "46s")
	require.Equal(t, 200, voucherPay(t, s, "oxxo", ref, "terminal"))
	m.next()
	goldenCallback(t, s, "oxxo_success_callback", m.lastRaw())
	// No customer, a provider without date (docs/callbacks.md).
	seedShape(t, m.lastRaw(), "oxxo_success")

	require.Equal(t, 200, s.do("POST", oxxoPath, signed(oxxoSale("EP2ea6-f489", func(b map[string]any) {
		b["payment"].(map[string]any)["currency"] = "EUR"
		b["payment"].(map[string]any)["amount"] = 1000
	}), testSecret), nil))
	m.next()
	goldenCallback(t, s, "oxxo_decline_callback", m.lastRaw())
	// The currency decline has no errors; why stays on the stored
	// operation (docs/callbacks.md "Shape").
	seedShape(t, m.lastRaw(), "oxxo_decline")
	assert.False(t, strings.Contains(string(m.lastRaw()), "null"))
	// The platform's own reference, "D-30006-" and a UUID, for a payment it
	// declined before the provider (docs/callbacks.md "Shape").
	var cb map[string]any
	require.NoError(t, json.Unmarshal(m.lastRaw(), &cb))
	assert.Regexp(t, `^D-30006-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, path(cb, "operation", "provider", "payment_id"))
}

// sdkSafe checks that a signed message holds nothing an official SDK
// mis-signs (docs/gate.md "Signature"): no JSON null, no fraction, no list longer than
// ten items, no ":" in a key.
func sdkSafe(t *testing.T, at string, v any) {
	t.Helper()
	switch v := v.(type) {
	case nil:
		t.Errorf("%s is null", at)
	case float64:
		assert.Equal(t, math.Trunc(v), v, "%s is a fraction", at)
	case []any:
		assert.LessOrEqual(t, len(v), 10, "%s has more than ten items", at)
		for i, x := range v {
			sdkSafe(t, fmt.Sprintf("%s.%d", at, i), x)
		}
	case map[string]any:
		for k, x := range v {
			assert.NotContains(t, k, ":", "a key of %s", at)
			sdkSafe(t, strings.TrimPrefix(at+"."+k, "."), x)
		}
	}
}
