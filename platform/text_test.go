package platform_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

func TestSentence(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                          "",
		"  ":                        "",
		"project 1 has no payment":  "Project 1 has no payment.",
		"Already a sentence.":       "Already a sentence.",
		" étrange voucher ":         "Étrange voucher.",
		"42 is not a valid amount.": "42 is not a valid amount.",
	} {
		assert.Equal(t, want, platform.Sentence(in), "%q", in)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 attempts", 1: "1 attempt", 2: "2 attempts", 120: "120 attempts"} {
		assert.Equal(t, want, platform.Count(n, "attempt"))
	}
}

func TestCompactNumber(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "93012345678901", platform.CompactNumber(" 9301 2345-6789.01 "))
	assert.Equal(t, "1234", platform.CompactNumber("1\t2\u00a03-4"))
	assert.Equal(t, "abc", platform.CompactNumber("a b c"), "letters are kept: the caller says what is valid")
}

func TestIsHTTPURL(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]bool{
		"https://shop.example/ok":  true,
		"http://127.0.0.1:8080/cb": true,
		"ftp://shop.example/":      false,
		"shop.example/ok":          false,
		"https:///path":            false,
		"":                         false,
		"http://[::1":              false,
	} {
		assert.Equal(t, want, platform.IsHTTPURL(u), "%q", u)
	}
}

func TestProviderState(t *testing.T) {
	t.Parallel()
	type state struct {
		Inv  string `json:"inv"`
		Paid bool   `json:"paid,omitempty"`
	}
	p := &platform.Payment{}
	assert.Equal(t, state{}, platform.ProviderState[state](p), "no state reads as zero")
	p.ProviderData = platform.MustJSON(state{Inv: "42", Paid: true})
	assert.JSONEq(t, `{"inv":"42","paid":true}`, string(p.ProviderData))
	assert.Equal(t, state{Inv: "42", Paid: true}, platform.ProviderState[state](p))
	p.ProviderData = json.RawMessage(`["another provider's"]`)
	assert.Equal(t, state{}, platform.ProviderState[state](p), "a foreign state reads as zero")
	assert.Panics(t, func() { platform.MustJSON(func() {}) })
}

func TestDecodeInput(t *testing.T) {
	t.Parallel()
	type input struct {
		Channel string `json:"channel,omitempty"`
		Count   int    `json:"count,omitempty"`
	}
	m := platform.Method{Code: "tab", Name: "Tab"}
	for _, empty := range []string{"", "  ", "null"} {
		in := input{Channel: "kept"}
		require.NoError(t, platform.DecodeInput(m, json.RawMessage(empty), &in), "%q", empty)
		assert.Equal(t, input{Channel: "kept"}, in, "empty input leaves the input as it was")
	}
	var in input
	require.NoError(t, platform.DecodeInput(m, json.RawMessage(`{"channel":"bank","count":2}`), &in))
	assert.Equal(t, input{Channel: "bank", Count: 2}, in)

	for body, want := range map[string]string{
		`{"chanel":"bank"}`:          `the pay input of Tab has the field "chanel", which it does not take; Tab takes a JSON object with the fields "channel" and "count"`,
		`{"channel":7}`:              `has a number where channel must be a string`,
		`{"count":"2"}`:              `has a string where count must be a whole number`,
		`["bank"]`:                   `is a JSON array, not an object`,
		`{"channel":"bank"`:          `is not valid JSON: it ends before its last object, list or string is closed`,
		`{"channel":"bank"]`:         `is not valid JSON: invalid character ']' after object key:value pair at line 1, column 18`,
		"{\n \"channel\": \"é\",\n}": `is not valid JSON: invalid character '}' looking for beginning of object key string at line 3, column 1`,
		`{"channel":"a"} {}`:         `goes on after its object ends`,
		`{"channel":"a"}trash`:       `goes on after its object ends`,
	} {
		err := platform.DecodeInput(m, json.RawMessage(body), &input{})
		assert.Equal(t, platform.CodeInvalidRequest, platform.ErrorCode(err), body)
		assert.ErrorContains(t, err, want, body)
	}
}

func TestParseExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in          string
		month, year int
		ok          bool
	}{
		{"12/99", 12, 2099, true},
		{"12/2099", 12, 2099, true},
		{" 12 / 99 ", 12, 2099, true},
		{"1299", 12, 2099, true},
		{"122099", 12, 2099, true},
		{"12-99", 12, 2099, true},
		{"1/30", 1, 2030, true},
		{"13/99", 0, 0, false},
		{"00/99", 0, 0, false},
		{"12/9", 0, 0, false},
		{"ab/cd", 0, 0, false},
		{"", 0, 0, false},
		{"129", 0, 0, false},
	}
	for _, tt := range tests {
		m, y, ok := platform.ParseExpiry(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		if tt.ok {
			assert.Equal(t, [2]int{tt.month, tt.year}, [2]int{m, y}, tt.in)
		}
	}
}
