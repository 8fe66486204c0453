package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The files in testdata/seeds are ecommpay's own callback examples, one per
// method and outcome, copied as they are (a fragment such as redirect_data
// wrapped in braces): what a merchant's code is written against.

// seedShape checks that raw, a callback the sandbox sent, has the shape of
// the seed example testdata/seeds/<example>.json: the same fields at the
// same places, each with the same JSON type (values may differ). With at,
// only the subtree under that key is compared: the seeds show redirect_data
// as a fragment of a callback.
func seedShape(t *testing.T, raw []byte, example string, at ...string) {
	t.Helper()
	var got any
	require.NoError(t, json.Unmarshal(raw, &got))
	got = path(got, at...)
	require.NotNil(t, got, "the callback has no %s: %s", strings.Join(at, "."), raw)
	assertSeedShape(t, got, example, at...)
}

// assertSeedShape checks that got, a decoded value, has the shape of the
// subtree at of the seed example testdata/seeds/<example>.json.
func assertSeedShape(t *testing.T, got any, example string, at ...string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("testdata", "seeds", example+".json"))
	require.NoError(t, err)
	var seed any
	require.NoError(t, json.Unmarshal(want, &seed))
	seed = path(seed, at...)
	require.NotNil(t, seed, "testdata/seeds/%s.json has no %s", example, strings.Join(at, "."))
	assert.Equal(t, shapeOf(seed), shapeOf(got), "the fields and their JSON types differ from %s in testdata/seeds/%s.json (-seed +sandbox): %v", strings.Join(at, "."), example, got)
	// A merchant stores the provider's reference as the method's
	// documentation writes it: all digits where the seed's is, hex digits
	// where the seed's is hex.
	seedRef, _ := path(seed, "operation", "provider", "payment_id").(string)
	ref, _ := path(got, "operation", "provider", "payment_id").(string)
	switch {
	case regexp.MustCompile(`^[0-9]+$`).MatchString(seedRef):
		assert.Regexp(t, `^[1-9][0-9]*$`, ref, "testdata/seeds/%s.json's provider.payment_id %q is a number", example, seedRef)
	case regexp.MustCompile(`^[0-9a-f]+$`).MatchString(seedRef):
		assert.Regexp(t, `^[0-9a-f]+$`, ref, "testdata/seeds/%s.json's provider.payment_id %q is hex", example, seedRef)
	}
}

// shapeOf lists a decoded JSON value's leaves as "path type", sorted: type
// is string, number, bool or null, or {} and [] for an empty object or list.
func shapeOf(v any) []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		join := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				out = append(out, prefix+" {}")
			}
			for k, x := range v {
				walk(join(k), x)
			}
		case []any:
			if len(v) == 0 {
				out = append(out, prefix+" []")
			}
			for i, x := range v {
				walk(join(fmt.Sprint(i)), x)
			}
		case string:
			out = append(out, prefix+" string")
		case float64:
			out = append(out, prefix+" number")
		case bool:
			out = append(out, prefix+" bool")
		case nil:
			out = append(out, prefix+" null")
		}
	}
	walk("", v)
	slices.Sort(out)
	return out
}

func TestShapeOf(t *testing.T) {
	t.Parallel()
	got := shapeOf(map[string]any{"a": map[string]any{}, "b": []any{}, "c": []any{map[string]any{"d": 1.0, "e": "x"}}, "f": true, "g": nil})
	assert.Equal(t, []string{"a {}", "b []", "c.0.d number", "c.0.e string", "f bool", "g null"}, got)
	assert.NotEqual(t, shapeOf(map[string]any{"code": "20101"}), shapeOf(map[string]any{"code": 20101.0}), "a string and a number differ")
	assert.NotEqual(t, shapeOf(map[string]any{"body": map[string]any{}}), shapeOf(map[string]any{"body": []any{}}), "{} and [] differ")
}

// storedErrors returns the errors of a payment's newest operation as the
// control API shows them: the sandbox's explanation of a decline.
func storedErrors(t *testing.T, s *sandbox, paymentID string) []any {
	t.Helper()
	var p map[string]any
	require.Equal(t, 200, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", testProject, paymentID), nil, &p))
	ops, _ := p["operations"].([]any)
	require.NotEmpty(t, ops, "payment %s has no operations", paymentID)
	errs, _ := path(ops[len(ops)-1], "errors").([]any)
	return errs
}

// assertDeclineReason checks where a decline's reason is: a callback
// carries errors only for the over-limit decline, as {code, message} with
// the operation's code a number; other declines have none in the callback
// (docs/callbacks.md "Shape").
// The sandbox's explanation (which field, why) is on the stored operation,
// naming field when field is not "".
func assertDeclineReason(t *testing.T, s *sandbox, cb map[string]any, code, field string) {
	t.Helper()
	id, _ := path(cb, "payment", "id").(string)
	if code == "20101" {
		assert.Equal(t, float64(20101), path(cb, "operation", "code"))
		assert.Equal(t, "Operation amount is great than max limit", path(cb, "operation", "message"))
		assert.Equal(t, []any{map[string]any{"code": float64(20101), "message": "Operation amount is great than max limit"}}, path(cb, "errors"))
	} else {
		assert.Equal(t, code, path(cb, "operation", "code"))
		assert.Nil(t, path(cb, "errors"), "a %s decline's callback has no errors", code)
	}
	// A payment declined before any provider had it carries the platform's
	// reference, or none, and so no provider.date (docs/callbacks.md "Shape").
	if ref, _ := path(cb, "operation", "provider", "payment_id").(string); ref == "" || strings.HasPrefix(ref, "D-30006-") {
		assert.Nil(t, path(cb, "operation", "provider", "date"), "no provider had payment %s (reference %q)", id, ref)
	}
	errs := storedErrors(t, s, id)
	require.NotEmpty(t, errs, "the stored operation explains the decline")
	assert.NotEmpty(t, path(errs[0], "message"))
	if field != "" {
		assert.Equal(t, field, path(errs[0], "field"))
	}
}
