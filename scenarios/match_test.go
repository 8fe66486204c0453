package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func doc(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	require.NoError(t, err, s)
	return v
}

func TestMatch(t *testing.T) {
	t.Parallel()
	got := `{"payment":{"id":"o-1","status":"success","sum":{"amount":10000,"currency":"MXN"}},
		"operation":{"code":"0","id":1000000001},"errors":[{"code":20000,"field":"payment.currency"}],
		"flag":true,"none":null}`
	tests := []struct {
		name string
		want string
		diff []string // the mismatches' texts; none for a match
	}{
		{"partial object", `{"payment":{"status":"success"}}`, nil},
		{"nested numbers compare by value", `{"payment":{"sum":{"amount":1e4}}}`, nil},
		{"wrong value", `{"payment":{"status":"decline"}}`, []string{`payment.status: want "decline" (a string), got "success" (a string)`}},
		{"number is not a string", `{"operation":{"code":0}}`, []string{`operation.code: want 0 (a number), got "0" (a string)`}},
		{"missing key", `{"redirect_data":{"method":"GET"}}`, []string{`redirect_data: want {"method":"GET"}, got nothing: no such key (there are errors, flag, none, operation, payment)`}},
		{"a typo of a key", `{"paymnet":{"status":"success"},"payment":{"staus":"success"}}`, []string{
			`payment.staus: want "success", got nothing: no such key; did you mean status? (there are id, status, sum)`,
			`paymnet: want {"status":"success"}, got nothing: no such key; did you mean payment? (there are errors, flag, none, operation, payment)`}},
		{"list item by item", `{"errors":[{"field":"payment.currency"}]}`, nil},
		{"list of another length", `{"errors":[]}`, []string{`errors: want a list of 0, got a list of 1: [{"code":20000,"field":"payment.currency"}]`}},
		{"null and booleans", `{"none":null,"flag":true}`, nil},
		{"object against scalar", `{"flag":{"a":1}}`, []string{`flag: want an object {"a":1}, got true`}},
		{"several, sorted by key", `{"payment":{"id":"x","status":"y"}}`, []string{
			`payment.id: want "x" (a string), got "o-1" (a string)`,
			`payment.status: want "y" (a string), got "success" (a string)`}},
		{"$matches", `{"payment":{"id":{"$matches":"^o-\\d$"}}}`, nil},
		{"$matches fails", `{"payment":{"id":{"$matches":"^x"}}}`, []string{`payment.id: want a string matching /^x/, got "o-1" (a string)`}},
		{"$exists false", `{"redirect_data":{"$exists":false}}`, nil},
		{"$exists false fails", `{"flag":{"$exists":false}}`, []string{`flag: want no such key, got true`}},
		{"$exists true fails", `{"nope":{"$exists":true}}`, []string{`nope: want the key to be present, got nothing (the key is missing)`}},
		{"$contains in a list", `{"errors":{"$contains":{"code":20000}}}`, nil},
		{"$contains in a string", `{"payment":{"status":{"$contains":"succ"}}}`, nil},
		{"$not", `{"payment":{"status":{"$not":"decline"}}}`, nil},
		{"$not fails", `{"payment":{"status":{"$not":"success"}}}`, []string{`payment.status: want anything but "success", got "success" (a string)`}},
		{"$gt and $lte", `{"operation":{"id":{"$gt":1000000000,"$lte":1000000001}}}`, nil},
		{"$lt fails", `{"operation":{"id":{"$lt":5}}}`, []string{`operation.id: want a number < 5, got 1000000001 (a number)`}},
		{"$len", `{"errors":{"$len":1},"payment":{"id":{"$len":3}}}`, nil},
		{"$len fails", `{"errors":{"$len":2}}`, []string{`errors: want length 2, got length 1`}},
		{"$type", `{"operation":{"id":{"$type":"integer"},"code":{"$type":"string"}},"none":{"$type":"null"}}`, nil},
		{"$type fails", `{"operation":{"code":{"$type":"number"}}}`, []string{`operation.code: want a value of type "number", got "0" (a string)`}},
		{"unknown operator", `{"flag":{"$equals":true}}`, []string{`flag: want a known operator, not $equals (the operators are $matches, $contains, $exists, $not, $gt, $gte, $lt, $lte, $len, $type), got true`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := match(doc(t, tt.want), doc(t, got))
			var texts []string
			for _, m := range d {
				texts = append(texts, m.String())
			}
			assert.Equal(t, tt.diff, texts)
		})
	}
}

func TestProjectShowsWhatTheExpectationNames(t *testing.T) {
	t.Parallel()
	got := doc(t, `{"a":{"b":1,"c":2},"d":[{"e":1,"f":2}],"g":3}`)
	want := doc(t, `{"a":{"b":5},"d":[{"e":{"$gt":0}}],"x":1}`)
	assert.Equal(t, doc(t, `{"a":{"b":1},"d":[{"e":1}]}`), project(got, want))
}

func TestShortenCutsLongStringsOfACopy(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	got := map[string]any{"a": []any{long, "short"}, "n": 1}
	short := shorten(got, 100)
	assert.Equal(t, map[string]any{"a": []any{strings.Repeat("x", 100) + "… (500 characters)", "short"}, "n": 1}, short)
	assert.Equal(t, long, got["a"].([]any)[0], "the original is left as it was")
}

func TestDurations(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"500ms": 500 * time.Millisecond, "30s": 30 * time.Second, "72h": 72 * time.Hour,
		"10d": 240 * time.Hour, "1d12h": 36 * time.Hour, "0s": 0,
	} {
		got, err := parseDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "3 days", "-1s", "1d-2h", "10"} {
		_, err := parseDuration(bad)
		assert.Error(t, err, bad)
	}
	for d, want := range map[time.Duration]string{
		84 * time.Second: "1m24s", 10 * time.Second: "10s", 30 * 24 * time.Hour: "30d",
		36 * time.Hour: "1d12h", 4 * time.Hour: "4h", 0: "0s",
		90 * time.Second: "1m30s", 150 * time.Second: "2m30s", 3*time.Hour + 46*time.Minute + 50*time.Second: "3h46m50s",
		time.Hour + 30*time.Minute: "1h30m", 10 * time.Minute: "10m", 24*time.Hour + 10*time.Second: "1d10s",
	} {
		assert.Equal(t, want, formatDuration(d))
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	vs := vars{"id": "o-1", "n": doc(t, "42"), "obj": doc(t, `{"url":"u"}`)}
	got, err := vs.expand(doc(t, `{"a":"${id}","b":"${n}","c":"order ${id} of ${n}","d":["${obj}"],"e":"plain"}`))
	require.NoError(t, err)
	assert.Equal(t, doc(t, `{"a":"o-1","b":42,"c":"order o-1 of 42","d":[{"url":"u"}],"e":"plain"}`), got)
	_, err = vs.expand("${nope}")
	assert.EqualError(t, err, "${nope} is not known here: capture it in an earlier step; known are id, n, obj")
}

func TestLookup(t *testing.T) {
	t.Parallel()
	d := doc(t, `{"operations":[{"status":"success"},{"status":"decline"}],"payment":{"id":"o-1"}}`)
	for path, want := range map[string]any{"payment.id": "o-1", "operations.1.status": "decline", "operations[0].status": "success"} {
		got, err := lookup(d, path)
		require.NoError(t, err, path)
		assert.Equal(t, want, got, path)
	}
	_, err := lookup(d, "payment.sum")
	assert.EqualError(t, err, `payment has no "sum" (it has id)`)
	_, err = lookup(d, "operations.2")
	assert.EqualError(t, err, `operations is a list of 2: "2" is not an index of it`)
}
