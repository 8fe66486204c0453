package oxxo_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/oxxo"
)

func TestMethod(t *testing.T) {
	m := oxxo.New().Method()
	assert.Equal(t, "oxxo", m.Code)
	assert.Equal(t, "Oxxo", m.Name)
	assert.Equal(t, "oxxo", m.PaymentMethod)
	assert.Equal(t, 1414, m.ProviderID)
	assert.Equal(t, "/v2/payment/voucher/oxxo/sale", m.GatePath)
	assert.Equal(t, []string{"oxxo"}, m.ForceCodes)
	assert.Equal(t, []string{"MXN", "USD"}, m.Currencies)
	assert.True(t, m.Supports("MXN"))
	assert.False(t, m.Supports("EUR"), "the seed declines EUR")
	assert.Subset(t, m.GateRequired, []string{
		"customer.id", "customer.ip_address", "customer.first_name", "customer.last_name",
		"customer.email", "customer.identify.doc_number",
	})
	assert.Equal(t, []string{"customer_first_name", "customer_last_name", "customer_email", "identify_doc_number"}, m.PageRequired)
	assert.False(t, m.ZeroAmount)
	assert.False(t, m.Refunds)
	assert.Equal(t, "bank", m.Defaults.Variant)

	cfg := oxxo.New().Config()
	assert.Equal(t, 10*24*time.Hour, cfg.Validity)
	assert.Equal(t, 30*24*time.Hour, cfg.BankWindow)
	assert.Equal(t, 3*24*time.Hour, cfg.ShortValidity)
	assert.Equal(t, 14, cfg.ReferenceDigits)
}

func TestCurrencyDeclinedBeforeStart(t *testing.T) {
	m := oxxo.New().Method()
	s, declined := platform.CheckAmount(m, m.Defaults, platform.Sum{Amount: 1000, Currency: "EUR"})
	require.True(t, declined)
	assert.Equal(t, platform.DeclineGeneral, s.Code)
}

func TestDocNumberRule(t *testing.T) {
	tests := []struct {
		doc string
		ok  bool
	}{
		{"1234567890", true},           // the Payment Page example
		{"84887177100", true},          // the Gate example
		{"123456789012345678", true},   // 18
		{"123456789", false},           // 9
		{"1234567890123456789", false}, // 19
		{"12345678 90", false},
		{"", false},
	}
	prov := oxxo.New()
	for _, tt := range tests {
		p := &platform.Payment{
			ProjectID: 1, ID: "x", Amount: platform.Sum{Amount: 10000, Currency: "USD"},
			Customer:   platform.Customer{ID: "1", DocNumber: tt.doc},
			Operations: []platform.Operation{{Type: platform.OperationSale, Status: platform.StatusProcessing}},
		}
		s, err := prov.Start(p, platform.Env{Now: time.Unix(0, 0).UTC(), Rand: rand.NewChaCha8([32]byte{}), BaseURL: "http://x"})
		require.NoError(t, err)
		if tt.ok {
			assert.Equal(t, platform.StatusAwaitingRedirect, s.Status, tt.doc)
			assert.Len(t, s.Voucher.Reference, 14, tt.doc)
			continue
		}
		assert.Equal(t, platform.StatusDecline, s.Status, tt.doc)
		if assert.Len(t, s.Errors, 1, tt.doc) {
			assert.Equal(t, platform.OperationError{Code: 20000, Field: "customer.identify.doc_number", Message: s.Errors[0].Message}, s.Errors[0])
			assert.Contains(t, s.Errors[0].Message, "must be 10 to 18 digits")
		}
	}
}
