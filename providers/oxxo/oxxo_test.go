package oxxo_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/oxxo"
)

func TestMethod(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	m := oxxo.New().Method()
	s, declined := platform.CheckAmount(m, m.Defaults, platform.Sum{Amount: 1000, Currency: "EUR"})
	require.True(t, declined)
	assert.Equal(t, platform.DeclineGeneral, s.Code)
}

func TestDocNumberRule(t *testing.T) {
	t.Parallel()
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
	s := newSandbox(t, nil)
	for _, tt := range tests {
		p := s.Sale(func(r *platform.SaleRequest) {
			r.Amount = platform.Sum{Amount: 10000, Currency: "USD"}
			r.Customer.DocNumber = tt.doc
		})
		if tt.ok {
			assert.Equal(t, platform.StatusAwaitingRedirect, p.Status, tt.doc)
			if assert.NotNil(t, p.Voucher, tt.doc) {
				assert.Len(t, p.Voucher.Reference, 14, tt.doc)
			}
			continue
		}
		op := p.Sale()
		assert.Equal(t, platform.StatusDecline, p.Status, tt.doc)
		if assert.Len(t, op.Errors, 1, tt.doc) {
			assert.Equal(t, platform.OperationError{Code: 20000, Field: "customer.identify.doc_number", Message: op.Errors[0].Message}, op.Errors[0])
			assert.Contains(t, op.Errors[0].Message, "must be 10 to 18 digits")
		}
	}
}

func TestCheckField(t *testing.T) {
	t.Parallel()
	check := oxxo.New().Method().CheckField
	require.NotNil(t, check, "the Payment Page checks Oxxo's fields before the sale")
	tests := []struct {
		param, value, want string // want "" passes
	}{
		{"identify_doc_number", "1234567890", ""},
		{"identify_doc_number", " 84887177100 ", ""},
		{"identify_doc_number", "123456789", "must be 10 to 18 digits; it has 9"},
		{"identify_doc_number", "12345abcde", "not digits"},
		{"customer_email", "paul@example.com", ""},
		{"customer_email", "paul@example", "has no dot"},
		{"customer_email", "Paul <paul@example.com>", "is not one"},
		{"customer_email", "paul", "is not one"},
		{"customer_email", "", "missing"},
		{"customer_first_name", "anything", ""},
	}
	for _, tt := range tests {
		got := check(tt.param, tt.value, "en")
		if tt.want == "" {
			assert.Empty(t, got, "%s=%q", tt.param, tt.value)
			continue
		}
		assert.Contains(t, got, tt.want, "%s=%q", tt.param, tt.value)
	}
}

func TestVariants(t *testing.T) {
	t.Parallel()
	prov := oxxo.New()
	assert.Equal(t, []string{"bank", "3days"}, prov.Variants())
	assert.NoError(t, prov.CheckSettings(platform.MethodSettings{}))
	assert.NoError(t, prov.CheckSettings(platform.MethodSettings{Variant: "3days"}))
	err := prov.CheckSettings(platform.MethodSettings{Variant: "7days"})
	require.Error(t, err)
	assert.Equal(t, `oxxo has no variant "7days": use "bank" or "3days"`, err.Error())
}
