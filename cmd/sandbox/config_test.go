package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sandbox.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func TestConfigFileRejectsWhatIsWrong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown key", "projects:\n  - id: 5\n    secret: s\n    callbak_url: http://x\n", "callbak_url"},
		{"unknown method", "methods:\n  boleto: {max_amount: 5}\n", `method "boleto"`},
		{"unknown variant", "methods:\n  oxxo: {variant: 7days}\n", `oxxo has no variant "7days"`},
		{"unknown variant in a project", "projects:\n  - id: 5\n    secret: s\n    methods:\n      loterica: {variant: bank}\n", `loterica has no variant "bank"`},
		{"no secret", "projects:\n  - id: 5\n", "secret"},
		{"twice the same project", "projects:\n  - {id: 5, secret: a}\n  - {id: 5, secret: b}\n", "listed twice"},
		{"bad callback URL", "projects:\n  - {id: 5, secret: a, callback_url: 'localhost:9000'}\n", "callback_url"},
		{"bad duration", "methods:\n  eco-voucher: {timeout: soon}\n", "line 2, column 26: timeout soon is not a duration: write it with its unit, such as 90s"},
		{"a bad duration after a good one in quotes", "methods:\n  eco-voucher: {timeout: \"30m\"}\nprojects:\n  - {id: 5, secret: s, methods: {eco-voucher: {timeout: 1y}}}\n",
			"line 4, column 57: timeout 1y is not a duration"},
		{"a duration without its unit", "projects:\n  - id: 5\n    secret: s\n    methods:\n      card-partner:\n        timeout: 30\n",
			"line 6, column 18: timeout 30 is not a duration"},
		{"a setting the method does not take", "methods:\n  oxxo: {timeout: 30m}\n", "methods.oxxo.timeout is not a setting of Oxxo"},
		{"bounds swapped in a project", "projects:\n  - id: 5\n    secret: s\n    methods:\n      rapipago: {min_amount: 900, max_amount: 100}\n",
			"methods.rapipago.min_amount 900 is above max_amount 100"},
		{"a rate that is no pair", "methods:\n  eco-voucher: {rates: {EUR: 1085000}}\n", "methods.eco-voucher.rates.EUR names no pair of currencies"},
		{"not YAML", "projects: [\n", "config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := serveOptions{Data: t.TempDir(), Config: writeConfig(t, tt.yaml), PublicURL: "http://sandbox.test"}
			_, err := newApp(context.Background(), o, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestConfigFileApplies(t *testing.T) {
	t.Parallel()
	m := newMerchant(t)
	cfg := writeConfig(t, `
projects:
  - id: 842
    secret: "`+testSecret+`"
    callback_url: "`+m.srv.URL+`/callbacks"
    methods:
      oxxo: {max_amount: 5000}
methods:
  oxxo: {variant: 3days}
`)
	s := startSandbox(t, t.TempDir(), func(o *serveOptions) { o.Config = cfg })
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("cfg-1", func(b map[string]any) {
		b["payment"].(map[string]any)["amount"] = 4000
	}), testSecret), nil))
	cb := m.next()
	assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	var p struct {
		Voucher struct {
			IssuedAt   time.Time `json:"issued_at"`
			ValidUntil time.Time `json:"valid_until"`
			BankUntil  time.Time `json:"bank_until"`
		} `json:"voucher"`
	}
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/payments/842/cfg-1", nil, &p))
	assert.Equal(t, 72*time.Hour, p.Voucher.ValidUntil.Sub(p.Voucher.IssuedAt), "the 3days variant from the config")
	assert.True(t, p.Voucher.BankUntil.IsZero())

	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("cfg-2"), testSecret), nil))
	cb = m.next()
	// The over-limit decline's code is a number (docs/callbacks.md "Shape").
	assert.Equal(t, float64(20101), path(cb, "operation", "code"), "the project's max_amount")

	// A project sent to the control API is checked the same way.
	var ans map[string]any
	status := s.do("POST", "/sandbox/projects", map[string]any{"id": 9, "secret": "x", "methods": map[string]any{"rapipago": map[string]any{"variant": "5days"}}}, &ans)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, ans["error"], `rapipago has no variant "5days"`)
}
