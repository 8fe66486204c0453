package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenBaseURL replaces the test server's address in golden files.
const goldenBaseURL = "http://sandbox.test"

// golden compares a signed JSON body with testdata/<name>.json
// semantically (decoded, so key order and spacing do not matter), after
// checking its signature with the test project's secret and replacing it
// and the sandbox's address (a random port) with fixed text; -update
// rewrites the file.
func golden(t *testing.T, s *sandbox, name string, raw []byte) {
	t.Helper()
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	verifyCallback(t, body, testSecret)
	sdkSafe(t, "", body)
	body["signature"] = "(verified)"
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	got := bytes.ReplaceAll(raw, []byte(s.URL), []byte(goldenBaseURL))
	file := filepath.Join("testdata", name+".json")
	if *update {
		var pretty bytes.Buffer
		require.NoError(t, json.Indent(&pretty, got, "", "  "))
		pretty.WriteByte('\n')
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(file, pretty.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test ./cmd/sandbox -run %s -update to create it", t.Name())
	assert.JSONEq(t, string(want), string(got), "%s differs from the golden file; if the change is intended, rerun with -update", file)
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
	golden(t, s, "oxxo_redirect_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "oxxo_redirect", "redirect_data") // seed 000_1de7b62dc8bb05a3.txt:228-232: "body" : [ ]
	advance(t, s, "46s")
	require.Equal(t, 200, voucherPay(t, s, "oxxo", ref, "terminal"))
	m.next()
	golden(t, s, "oxxo_success_callback", m.lastRaw())
	// seed 000_1de7b62dc8bb05a3.txt:239-277: no customer, provider without date.
	seedShape(t, m.lastRaw(), "oxxo_success")

	require.Equal(t, 200, s.do("POST", oxxoPath, signed(oxxoSale("EP2ea6-f489", func(b map[string]any) {
		b["payment"].(map[string]any)["currency"] = "EUR"
		b["payment"].(map[string]any)["amount"] = 1000
	}), testSecret), nil))
	m.next()
	golden(t, s, "oxxo_decline_callback", m.lastRaw())
	// seed 000_1de7b62dc8bb05a3.txt:280-318: the currency decline has no
	// errors; why stays on the stored operation.
	seedShape(t, m.lastRaw(), "oxxo_decline")
	assert.False(t, strings.Contains(string(m.lastRaw()), "null"))
	// seed 000_1de7b62dc8bb05a3.txt:311: the platform's own reference,
	// "D-30006-" and a UUID, for a payment it declined before the provider.
	var cb map[string]any
	require.NoError(t, json.Unmarshal(m.lastRaw(), &cb))
	assert.Regexp(t, `^D-30006-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, path(cb, "operation", "provider", "payment_id"))
}

// sdkSafe checks that a signed message holds nothing an official SDK
// mis-signs (SPEC.md §2): no JSON null, no fraction, no list longer than
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
