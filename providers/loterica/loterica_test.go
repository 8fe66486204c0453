package loterica_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/providers/loterica"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

const day = 24 * time.Hour

// fixed is the sandbox time the tests start at.
var fixed = time.Date(2026, 6, 26, 7, 27, 2, 0, time.UTC)

func TestMethod(t *testing.T) {
	t.Parallel()
	m := loterica.New().Method()
	assert.Equal(t, "loterica", m.Code)
	assert.Equal(t, "Lotérica", m.Name)
	assert.Equal(t, "loterica", m.PaymentMethod)
	assert.Equal(t, 2174, m.ProviderID)
	assert.Equal(t, "/v2/payment/voucher/loterica/sale", m.GatePath)
	assert.Equal(t, []string{"loterica"}, m.ForceCodes)
	assert.Equal(t, []string{"USD"}, m.Currencies)
	assert.Equal(t, []string{"customer.id", "customer.ip_address"}, m.GateRequired)
	assert.Empty(t, m.PageRequired, "the Payment Page needs the base parameters only")
	assert.Nil(t, m.CheckField, "Lotérica checks no field beyond presence")
	assert.False(t, m.ZeroAmount)
	assert.False(t, m.Refunds)
	assert.Equal(t, platform.MethodSettings{MaxAmount: 40000, WholeUnits: true, Variant: "3days"}, m.Defaults)

	prov := loterica.New()
	cfg := prov.Config()
	assert.Equal(t, 3*day, cfg.Validity)
	assert.Zero(t, cfg.BankWindow, "no bank window")
	assert.Equal(t, 16, cfg.ReferenceDigits)
	assert.Equal(t, []string{"3days"}, prov.Variants())
	assert.NoError(t, prov.CheckSettings(platform.MethodSettings{Variant: "3days", MaxAmount: 100000}))
	assert.EqualError(t, prov.CheckSettings(platform.MethodSettings{Variant: "bank"}), `loterica has no variant "bank": use "3days"`)
}

func TestAmountRules(t *testing.T) {
	t.Parallel()
	m := loterica.Method()
	tests := []struct {
		name  string
		sum   platform.Sum
		code  int // 0: accepted
		field string
	}{
		{"10.00 USD, the seed's", platform.Sum{Amount: 1000, Currency: "USD"}, 0, ""},
		{"205.00 USD", platform.Sum{Amount: 20500, Currency: "USD"}, 0, ""},
		{"400.00 USD, the maximum", platform.Sum{Amount: 40000, Currency: "USD"}, 0, ""},
		{"400.01 USD", platform.Sum{Amount: 40001, Currency: "USD"}, 20101, ""},
		{"500.00 USD", platform.Sum{Amount: 50000, Currency: "USD"}, 20101, ""},
		{"10.50 USD is not whole", platform.Sum{Amount: 1050, Currency: "USD"}, 20000, "payment.amount"},
		{"EUR", platform.Sum{Amount: 1000, Currency: "EUR"}, 20000, "payment.currency"},
		{"BRL", platform.Sum{Amount: 1000, Currency: "BRL"}, 20000, "payment.currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, declined := platform.CheckAmount(m, m.Defaults, tt.sum)
			if tt.code == 0 {
				assert.False(t, declined)
				return
			}
			require.True(t, declined)
			assert.Equal(t, tt.code, s.Code)
			require.Len(t, s.Errors, 1)
			assert.Equal(t, tt.code, s.Errors[0].Code)
			assert.Equal(t, tt.field, s.Errors[0].Field)
			if tt.code == 20101 {
				assert.Equal(t, "Operation amount is great than max limit", s.Message)
				assert.Equal(t, "Operation amount is great than max limit", s.Errors[0].Message)
			}
		})
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{1000: "10.00", 40000: "400.00", 5: "0.05", 0: "0.00", 123456: "1234.56", -150: "-1.50"} {
		assert.Equal(t, want, loterica.Decimal(cents))
	}
	assert.Equal(t, "ecommpay-00000000034a", loterica.MerchantID(842))
}

// newSandbox returns a real engine over a bbolt file with Lotérica's pages on an
// echo router, the clock frozen at fixed.
func newSandbox(t *testing.T) *enginetest.Sandbox {
	t.Helper()
	return enginetest.New(t, loterica.New(), enginetest.Options{Sale: order, At: fixed, Seed: 42})
}

// order is the n-th Lotérica Gate sale of a test.
func order(n int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 1, PaymentID: "S0100_" + string(rune('a'+n)), Method: "loterica", Interface: platform.InterfaceGate,
		Amount:      platform.Sum{Amount: 1000, Currency: "USD"},
		Description: "purchase",
		Customer:    platform.Customer{ID: "592461", IPAddress: "1.1.1.1"},
	}
}

func text(rec *httptest.ResponseRecorder) string {
	return strings.Join(strings.Fields(rec.Body.String()), " ")
}

func TestRedirectIsAPOSTWithTheSeedsBody(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(func(r *platform.SaleRequest) {
		r.PaymentID = "exampleID"
		r.ReturnURLs = platform.ReturnURLs{Success: "http://test.ams/ok", Return: "http://test.ams"}
	})
	require.Equal(t, platform.StatusAwaitingRedirect, p.Status)
	require.NotNil(t, p.Redirect)
	assert.Equal(t, "POST", p.Redirect.Method)
	assert.Equal(t, "http://sandbox.test/providers/loterica/vouchers/"+p.Voucher.Reference, p.Redirect.URL)
	// The seed's keys, in the seed's order, with its types: operation_id a
	// number, amount a string with two decimals.
	assert.Equal(t, `{"merchantID":"ecommpay-000000000001","country":"BR","user":"592461","operation_id":`+fmt.Sprint(p.Sale().ID)+`,`+
		`"paymentID":"exampleID","returnURL":"http://test.ams","callbackURL":"http://sandbox.test/sandbox/payments/1/exampleID",`+
		`"amount":"10.00"}`, string(p.Redirect.Body))
	assert.Equal(t, fixed.Add(3*day), p.Voucher.ValidUntil)
	assert.True(t, p.Voucher.BankUntil.IsZero())
	assert.Len(t, p.Voucher.Reference, 16)

	q := s.Sale(func(r *platform.SaleRequest) {
		r.PaymentID = "other/ID"
		r.Amount.Amount = 40000
		r.Customer.Country = "AR"
		r.ReturnURLs = platform.ReturnURLs{Success: "http://shop.test/ok"}
	})
	var body map[string]any
	require.NoError(t, json.Unmarshal(q.Redirect.Body, &body))
	assert.Equal(t, "400.00", body["amount"])
	assert.Equal(t, "AR", body["country"])
	assert.Equal(t, "http://shop.test/ok", body["returnURL"], "return_url.success when there is no return_url.return")
	assert.Equal(t, "http://sandbox.test/sandbox/payments/1/other%2FID", body["callbackURL"])

	r := s.Sale(nil)
	require.NoError(t, json.Unmarshal(r.Redirect.Body, &body))
	assert.Equal(t, "", body["returnURL"], "never null")
}

func TestVoucherPageInPortuguese(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(func(r *platform.SaleRequest) { r.ReturnURLs.Return = "https://shop.example/orders/42" })
	ref := p.Voucher.Reference
	path := "/providers/loterica/vouchers/" + ref

	for name, rec := range map[string]*httptest.ResponseRecorder{
		"GET":             s.Get(path),
		"POST JSON":       s.Post(path, "application/json", string(p.Redirect.Body)),
		"POST form":       s.Post(path, "application/x-www-form-urlencoded", formOf(t, p.Redirect.Body).Encode()),
		"POST form, part": s.Post(path, "application/x-www-form-urlencoded", "paymentID="+url.QueryEscape(p.ID)),
	} {
		require.Equal(t, http.StatusOK, rec.Code, name)
		page := text(rec)
		for _, want := range []string{
			`<html lang="pt">`, "Voucher Lotérica " + web.GroupDigits(ref, 4),
			"Aguardando pagamento", "US$ 10,00 </h1>", "Pular para o conteúdo",
			// In Brazil's time (UTC-3), as Brazilians read it.
			"Pague em qualquer casa lotérica até", "29 jun 2026, 04:27 UTC-3", "Emitido em", "26 jun 2026, 04:27 UTC-3",
			"Código de pagamento", "Como pagar", "Vá a qualquer casa lotérica até seg, 29 jun 2026.",
			// The sandbox's panel: UTC, the sandbox clock's.
			"Terminals take it until <time datetime=\"2026-06-29T07:27:02Z\">29 Jun 2026, 07:27 UTC</time>",
			"Pague US$ 10,00 em dinheiro", "Voltar à loja", `href="https://shop.example/orders/42"`,
			path + "/barcode.png", "/providers/loterica/terminal?reference=" + ref,
			`lang="en"`, "Pay it yourself", "--brand: #005ca9", "LOTÉRICA",
		} {
			assert.Contains(t, page, want, name)
		}
		assert.NotContains(t, page, "Ou em um banco até", name)
		assert.NotContains(t, page, "Awaiting payment", name)
		assert.NotContains(t, page, "US$ 10,00 USD", "the currency once")
	}

	// A customer who chose Spanish on the Payment Page reads Spanish.
	es := s.Sale(func(r *platform.SaleRequest) { r.Language = "es" })
	page := text(s.Get("/providers/loterica/vouchers/" + es.Voucher.Reference))
	for _, want := range []string{`<html lang="es">`, "Pendiente de pago", "Paga en cualquier casa lotérica antes del", "US$ 10,00 </h1>", "Saltar al contenido"} {
		assert.Contains(t, page, want)
	}

	// Another payment's body is refused, in the voucher page's Portuguese.
	q := s.Sale(nil)
	rec := s.Post(path, "application/json", string(q.Redirect.Body))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, text(rec), `<html lang="pt">`)
	assert.Contains(t, text(rec), "paymentID: enviado")
	assert.Contains(t, text(rec), "O corpo do redirecionamento não corresponde a este voucher")

	// So is a reference no voucher has, whatever the browser's language.
	rec = s.Get("/providers/loterica/vouchers/12345678901234")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, text(rec), "Voucher não encontrado")
	assert.Contains(t, text(rec), "Abrir o terminal")
}

func formOf(t *testing.T, body json.RawMessage) url.Values {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	form := url.Values{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case json.Number:
			form.Set(k, v.String())
		}
	}
	return form
}

func TestPaidAndExpiredPages(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	paid := s.Sale(nil)
	rec := s.Post("/providers/loterica/terminal", "application/x-www-form-urlencoded",
		url.Values{"reference": {paid.Voucher.Reference}, "channel": {"terminal"}}.Encode())
	require.Equal(t, http.StatusOK, rec.Code, text(rec))
	assert.Contains(t, text(rec), "Paid at a casa lotérica")
	assert.Contains(t, text(rec), "$10.00")
	assert.Equal(t, platform.StatusSuccess, s.Payment(paid.Key()).Status)
	page := text(s.Get("/providers/loterica/vouchers/" + paid.Voucher.Reference))
	assert.Contains(t, page, "Pago em uma casa lotérica")
	assert.Contains(t, page, "Tudo certo")
	assert.NotContains(t, page, "Pay it yourself")

	// Lotérica's vouchers are paid at its terminals only: no bank takes
	// one, and the terminal does not ask where the customer pays.
	bank := s.Sale(nil)
	_, err := s.Engine.Pay(context.Background(), bank.Key(), platform.MustJSON(voucher.PayInput{Channel: "bank"}))
	assert.Equal(t, platform.CodeInvalidRequest, platform.ErrorCode(err))
	assert.ErrorContains(t, err, `no bank takes Lotérica vouchers: they are paid at a casa lotérica only; use channel "terminal", or leave it out`)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(bank.Key()).Status, "a refusal changes nothing")
	terminal := text(s.Get("/providers/loterica/terminal"))
	assert.NotContains(t, terminal, "bank")
	assert.NotContains(t, terminal, "Where is the customer paying?")

	lapsing := s.Sale(nil)
	_, err = s.Engine.Advance(context.Background(), 3*day-time.Second)
	require.NoError(t, err)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(lapsing.Key()).Status)
	_, err = s.Engine.Advance(context.Background(), time.Second)
	require.NoError(t, err)
	p := s.Payment(lapsing.Key())
	require.Equal(t, platform.StatusDecline, p.Status)
	assert.Equal(t, "20000", p.Sale().Code)
	page = text(s.Get("/providers/loterica/vouchers/" + p.Voucher.Reference))
	assert.Contains(t, page, "Vencido")
	assert.Contains(t, page, "Este voucher venceu")
	assert.Contains(t, page, "Precisa pagar?")
	assert.NotContains(t, page, "Pague em qualquer", "a lapsed voucher has no date to pay before")

	cancelled := s.Sale(nil)
	_, err = s.Engine.Fail(context.Background(), cancelled.Key(), platform.DeclineInsufficientFunds)
	require.NoError(t, err)
	page = text(s.Get("/providers/loterica/vouchers/" + cancelled.Voucher.Reference))
	assert.Contains(t, page, "Este voucher foi cancelado")
	assert.Contains(t, page, "Motivo: Saldo insuficiente na conta do cliente.", "the reason in the page's language")
}

func TestBrazilianFormats(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "US$\u00a01.250,00", loterica.FormatBrazilian(platform.Sum{Amount: 125000, Currency: "USD"}))
	assert.Equal(t, "R$\u00a010,00", loterica.FormatBrazilian(platform.Sum{Amount: 1000, Currency: "BRL"}))
	assert.Equal(t, "10,00 ARS", loterica.FormatBrazilian(platform.Sum{Amount: 1000, Currency: "ARS"}))
}

func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	const evil = `<script>alert(1)</script>`
	p := s.Sale(func(r *platform.SaleRequest) {
		r.Description = evil
		r.ReturnURLs.Return = "javascript:alert(1)"
	})
	body := s.Get("/providers/loterica/vouchers/" + p.Voucher.Reference).Body.String()
	assert.NotContains(t, body, evil)
	assert.NotContains(t, body, `href="javascript:`)
	assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
}
