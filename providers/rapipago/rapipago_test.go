package rapipago_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/providers/rapipago"
)

const day = 24 * time.Hour

var fixed = time.Date(2026, 12, 14, 11, 21, 35, 0, time.UTC)

func TestMethod(t *testing.T) {
	t.Parallel()
	m := rapipago.New().Method()
	assert.Equal(t, "rapipago", m.Code)
	assert.Equal(t, "Rapipago", m.Name)
	assert.Equal(t, "rapipago", m.PaymentMethod)
	assert.Equal(t, 1167, m.ProviderID)
	assert.Equal(t, "/v2/payment/voucher/rapipago/sale", m.GatePath)
	assert.Equal(t, []string{"rapipago"}, m.ForceCodes)
	assert.Equal(t, []string{"ARS", "USD"}, m.Currencies)
	assert.Equal(t, []string{
		"customer.id", "customer.ip_address", "customer.first_name", "customer.last_name",
		"customer.email", "customer.identify.doc_number",
	}, m.GateRequired)
	assert.Equal(t, []string{"customer_first_name", "customer_last_name", "customer_email", "identify_doc_number"}, m.PageRequired)
	assert.False(t, m.ZeroAmount)
	assert.False(t, m.Refunds)
	assert.Equal(t, platform.MethodSettings{Variant: "bank"}, m.Defaults, "whole units and limits only when configured")

	prov := rapipago.New()
	cfg := prov.Config()
	assert.Equal(t, 5*day, cfg.Validity)
	assert.Equal(t, 30*day, cfg.BankWindow)
	assert.Equal(t, 3*day, cfg.ShortValidity)
	assert.Equal(t, 14, cfg.ReferenceDigits)
	assert.Equal(t, []int{7, 8, 11}, cfg.DocNumberLengths)
	assert.Equal(t, []string{"bank", "3days"}, prov.Variants())
	assert.NoError(t, prov.CheckSettings(platform.MethodSettings{Variant: "3days", WholeUnits: true}))
	assert.EqualError(t, prov.CheckSettings(platform.MethodSettings{Variant: "5days"}), `rapipago has no variant "5days": use "bank" or "3days"`)
}

func TestCheckField(t *testing.T) {
	t.Parallel()
	check := rapipago.New().Method().CheckField
	require.NotNil(t, check)
	for value, want := range map[string]string{
		"1234567":      "",
		"12345678":     "",
		"12345678901":  "", // the seed's example
		"123456":       "must be 7, 8 or 11 digits; it has 6",
		"123456789":    "must be 7, 8 or 11 digits; it has 9",
		"1234567890":   "it has 10",
		"123456789012": "it has 12",
		"12.345.678":   "not digits",
		"":             "missing",
	} {
		got := check("identify_doc_number", value, "en")
		if want == "" {
			assert.Empty(t, got, value)
		} else {
			assert.Contains(t, got, want, value)
		}
	}
	assert.Empty(t, check("customer_email", "customer@example.com", "en"))
	assert.Contains(t, check("customer_email", "customer@example", "en"), "must be an email address")
	assert.Empty(t, check("customer_first_name", "Guido", "en"))
	assert.Equal(t, "debe tener 7, 8 o 11 dígitos; tiene 9", check("identify_doc_number", "123456789", "es"), "the Payment Page's Spanish")
}

// sandbox is a real engine over a bbolt file with Rapipago's pages on an
// echo router, the clock frozen at fixed.
type sandbox struct{ *enginetest.Sandbox }

func newSandbox(t *testing.T, settings map[string]platform.MethodSettings) sandbox {
	t.Helper()
	return sandbox{enginetest.New(t, rapipago.New(), enginetest.Options{Sale: order, At: fixed, Seed: 42, Settings: settings})}
}

// order is the n-th Rapipago Gate sale of a test.
func order(n int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 1, PaymentID: "TEST_" + string(rune('a'+n)), Method: "rapipago", Interface: platform.InterfaceGate,
		Amount:      platform.Sum{Amount: 50000, Currency: "ARS"},
		Description: "TEST_Argentina_PC_2",
		Customer: platform.Customer{
			ID: "1", IPAddress: "192.0.2.0", FirstName: "Guido", LastName: "Marques",
			Email: "customer@example.com", DocNumber: "12345678901",
		},
	}
}

// get is a page that must be there, its whitespace folded.
func (s sandbox) get(path string) string {
	rec := s.Get(path)
	require.Equal(s.T(), http.StatusOK, rec.Code, path)
	return strings.Join(strings.Fields(rec.Body.String()), " ")
}

func (s sandbox) payAt(ref, channel string) int {
	return s.PostForm("/providers/rapipago/terminal", url.Values{"reference": {ref}, "channel": {channel}}).Code
}

func TestDocNumberRule(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	for doc, ok := range map[string]bool{
		"1234567": true, "12345678": true, "84887177100": true,
		"123456": false, "123456789": false, "1234567890": false, "123456789012": false, "1234567a": false, "": false,
	} {
		p := s.Sale(func(r *platform.SaleRequest) { r.Customer.DocNumber = doc })
		if ok {
			assert.Equal(t, platform.StatusAwaitingRedirect, p.Status, doc)
			continue
		}
		require.Equal(t, platform.StatusDecline, p.Status, doc)
		assert.Nil(t, p.Voucher, doc)
		op := p.Sale()
		assert.Equal(t, "20000", op.Code)
		assert.Equal(t, "General decline", op.Message)
		if assert.Len(t, op.Errors, 1, doc) {
			assert.Equal(t, "customer.identify.doc_number", op.Errors[0].Field)
			assert.Contains(t, op.Errors[0].Message, "must be 7, 8 or 11 digits")
		}
	}
}

func TestVoucherBankVariant(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(nil)
	require.Equal(t, platform.StatusAwaitingRedirect, p.Status)
	assert.Equal(t, "GET", p.Redirect.Method)
	assert.JSONEq(t, `{}`, string(p.Redirect.Body), "an empty object, as ecommpay sends Rapipago's (docs/callbacks.md)")
	assert.Equal(t, "http://sandbox.test/providers/rapipago/vouchers/"+p.Voucher.Reference, p.Redirect.URL)
	assert.Equal(t, fixed.Add(5*day), p.Voucher.ValidUntil)
	assert.Equal(t, fixed.Add(30*day), p.Voucher.BankUntil)
	assert.Len(t, p.Voucher.Reference, 14)

	page := s.get("/providers/rapipago/vouchers/" + p.Voucher.Reference)
	for _, want := range []string{
		"AR$500.00", "Awaiting payment", "Pay at any Rapipago branch before", "19 Dec 2026, 11:21 UTC",
		"Or at a bank until", "13 Jan 2027, 11:21 UTC", "Guido Marques", "RAPIPAGO", `<html lang="en">`,
	} {
		assert.Contains(t, page, want)
	}

	bank := s.Sale(nil)
	s.Advance(5 * day)
	assert.Equal(t, http.StatusConflict, s.payAt(p.Voucher.Reference, "terminal"), "branches refuse it after day 5")
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status)
	assert.Contains(t, s.get("/providers/rapipago/vouchers/"+p.Voucher.Reference), "Bank payment only")
	assert.Equal(t, http.StatusOK, s.payAt(bank.Voucher.Reference, "bank"), "a bank takes it until day 30")
	assert.Equal(t, platform.StatusSuccess, s.Payment(bank.Key()).Status)

	s.Advance(25*day - time.Second)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status)
	s.Advance(time.Second)
	assert.Equal(t, platform.StatusDecline, s.Payment(p.Key()).Status)
	assert.Equal(t, http.StatusConflict, s.payAt(p.Voucher.Reference, "bank"))
}

func TestShortVariantAndWholeUnits(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, map[string]platform.MethodSettings{"rapipago": {Variant: "3days", WholeUnits: true, MaxAmount: 50000}})
	p := s.Sale(nil)
	assert.Equal(t, fixed.Add(3*day), p.Voucher.ValidUntil)
	assert.True(t, p.Voucher.BankUntil.IsZero())
	assert.NotContains(t, s.get("/providers/rapipago/vouchers/"+p.Voucher.Reference), "Or at a bank until")

	cents := s.Sale(func(r *platform.SaleRequest) { r.Amount.Amount = 1050 })
	require.Equal(t, platform.StatusDecline, cents.Status)
	require.Len(t, cents.Sale().Errors, 1)
	assert.Equal(t, "payment.amount", cents.Sale().Errors[0].Field)

	over := s.Sale(func(r *platform.SaleRequest) { r.Amount.Amount = 50200 })
	require.Equal(t, platform.StatusDecline, over.Status)
	assert.Equal(t, "20101", over.Sale().Code, "the seed's over-limit decline")
	assert.Equal(t, "Operation amount is great than max limit", over.Sale().Message)

	s.Advance(3 * day)
	assert.Equal(t, platform.StatusDecline, s.Payment(p.Key()).Status)
}

func TestCentsAcceptedByDefault(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(func(r *platform.SaleRequest) { r.Amount = platform.Sum{Amount: 1050, Currency: "USD"} })
	assert.Equal(t, platform.StatusAwaitingRedirect, p.Status)
	eur := s.Sale(func(r *platform.SaleRequest) { r.Amount.Currency = "EUR" })
	assert.Equal(t, platform.StatusDecline, eur.Status)
	assert.Equal(t, "payment.currency", eur.Sale().Errors[0].Field)
}
