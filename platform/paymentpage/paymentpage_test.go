package paymentpage_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/paymentpage"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// TestSignatureVariants: links built by every official SDK open, whatever
// spelling of booleans they use and with the unsigned parameters plugins
// add; anything else is refused with the string the sandbox signed.
func TestSignatureVariants(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	full := func(id string, extra map[string]string) map[string]string {
		return params(id, "USD", 1000, extra)
	}
	// q builds a query by hand, for spellings a url.Values cannot express.
	q := func(p map[string]string, sig string, extra ...string) string {
		v := url.Values{}
		for k, s := range p {
			v.Set(k, s)
		}
		s := v.Encode() + "&signature=" + url.QueryEscape(sig)
		for _, e := range extra {
			s += "&" + e
		}
		return s
	}
	sig := func(p map[string]string) string {
		data := map[string]any{}
		for k, v := range p {
			data[k] = v
		}
		return signature.Sign(data, secret)
	}
	withOne := func(id, key, signed, sent string) string {
		p := full(id, map[string]string{key: signed})
		s := sig(p)
		p[key] = sent
		return q(p, s)
	}
	tests := []struct {
		name   string
		query  string
		method string // GET by default
		status int
		want   []string
		not    []string
	}{
		{name: "canonical", query: sign(full("sig-1", nil), secret).Encode(), status: 200, want: []string{"Choose how to pay"}},
		{name: "interface_type as a JSON string, as the SDKs send it",
			query: sign(full("sig-2", map[string]string{"interface_type": `{"id":18}`}), secret).Encode(), status: 200},
		{name: "bool true in the URL, 1 signed", query: withOne("sig-3", "close_on_missclick", "1", "true"), status: 200},
		{name: "bool True in the URL, 1 signed", query: withOne("sig-4", "close_on_missclick", "1", "True"), status: 200},
		{name: "bool 1 in the URL, 1 signed", query: withOne("sig-5", "close_on_missclick", "1", "1"), status: 200},
		{name: "bool false in the URL, 0 signed", query: withOne("sig-6", "some_future_bool_param", "0", "false"), status: 200},
		{name: "unsigned _referrer", query: q(full("sig-7", nil), sig(full("sig-7", nil)), "_referrer=https%3A%2F%2Fshop.example%2Fcart"), status: 200},
		{name: "signed _referrer", query: sign(full("sig-8", map[string]string{"_referrer": "https://shop.example/"}), secret).Encode(), status: 200},
		{name: "unsigned frame_mode", query: q(full("sig-9", nil), sig(full("sig-9", nil)), "frame_mode=iframe"), status: 200},
		{name: "unknown parameters are signed and ignored",
			query: sign(full("sig-10", map[string]string{"receipt_data": `{"positions":[]}`, "avs_post_code": "E1 6AN"}), secret).Encode(), status: 200},
		{name: "POST form, as EPayWidget.run(config, 'POST') sends it", query: sign(full("sig-11", nil), secret).Encode(), method: "POST", status: 200},
		{name: "a parameter changed after signing", query: q(full("sig-12", map[string]string{"payment_amount": "1001"}), sig(full("sig-12", nil))),
			status: 403, want: []string{"The signature does not match", "payment_amount:1001;payment_currency:USD;payment_id:sig-12;project_id:842"},
			not: []string{secret}},
		{name: "a + decoded as a space", query: strings.ReplaceAll(q(full("sig-13", nil), "ab+cd/ef=="), "%2B", "+"),
			status: 403, want: []string{"contains spaces", "ab cd/ef=="}},
		{name: "no signature", query: url.Values{"project_id": {"842"}, "payment_id": {"sig-14"}}.Encode(), status: 403, want: []string{"The request is not signed"}},
		{name: "the query string signed: the page names the mistake", query: q(full("sig-15", nil), signature.SignString(url.Values{
			"project_id": {"842"}, "payment_id": {"sig-15"}, "payment_amount": {"1000"}, "payment_currency": {"USD"}, "customer_id": {"customer-7"}}.Encode(), secret)),
			status: 403, want: []string{"The signature does not match", "Your code signs the link&#39;s query string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a answer
			if tt.method == "POST" {
				v, err := url.ParseQuery(tt.query)
				require.NoError(t, err)
				a = f.post("/payment", v)
			} else {
				a = f.get("/payment?" + tt.query)
			}
			assert.Equal(t, tt.status, a.status, a.body)
			for _, w := range tt.want {
				assert.Contains(t, a.body, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, a.body, n)
			}
		})
	}
}

// TestSDKVectors: the official SDKs' Payment Page vectors verify. The PHP
// SDK's URL carries no amount, currency or customer: its signature is
// accepted, and the page then names exactly those parameters as missing.
func TestSDKVectors(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../signature/testdata/signature_vectors.json")
	require.NoError(t, err)
	var vectors struct {
		Canonical []struct {
			Name   string         `json:"name"`
			Secret string         `json:"secret"`
			Data   map[string]any `json:"data"`
			Sig    string         `json:"signature"`
			Note   string         `json:"note"`
		} `json:"canonical"`
	}
	require.NoError(t, json.Unmarshal(raw, &vectors))
	found := 0
	for _, v := range vectors.Canonical {
		if !strings.HasSuffix(v.Name, "-payment-page") && v.Name != "doc-payment-page-guyliner" {
			continue
		}
		found++
		t.Run(v.Name, func(t *testing.T) {
			f := newFixture(t)
			pid, _ := json.Number(formText(v.Data["project_id"])).Int64()
			require.NoError(t, f.eng.PutProject(context.Background(), platform.Project{ID: pid, Secret: v.Secret}))
			q := url.Values{}
			for k, val := range v.Data {
				q.Set(k, formText(val))
			}
			q.Set("signature", v.Sig)
			target := "/payment?" + q.Encode()
			if v.Name == "sdk-php-payment-page" {
				// The SDK's own URL, byte for byte.
				u, err := url.Parse(strings.TrimPrefix(v.Note, "URL form: "))
				require.NoError(t, err)
				target = "/payment?" + u.RawQuery
			}
			a := f.get(target)
			assert.NotContains(t, a.body, "The signature does not match", headline(a.body))
			assert.NotContains(t, a.body, "not signed")
			if a.status != http.StatusOK {
				assert.Equal(t, http.StatusBadRequest, a.status)
				assert.Contains(t, a.body, "Required parameters are missing")
			}
			if v.Name == "sdk-php-payment-page" {
				for _, p := range []string{"payment_amount", "payment_currency", "customer_id"} {
					assert.Contains(t, a.body, p+" is missing")
				}
			}
		})
	}
	assert.GreaterOrEqual(t, found, 4, "the Payment Page vectors are in the file")
}

// formText writes a JSON value as a link carries it: strings as they are,
// numbers in decimal, booleans as true and false (the SDKs sign 1 and 0).
func formText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// headline is a page's h1, for failure messages.
func headline(body string) string {
	_, rest, _ := strings.Cut(body, "<h1")
	_, rest, _ = strings.Cut(rest, ">")
	h, _, _ := strings.Cut(rest, "</h1>")
	return h
}

// TestErrorPages: every refusal is an error page that says exactly what is
// wrong, with a 4xx status.
func TestErrorPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A payment_id already used, by a Payment Page payment.
	a := f.pay(params("used-1", "MXN", 1000, map[string]string{"force_payment_method": "oxxo"}), "oxxo", map[string]string{
		"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com", "identify_doc_number": "1234567890"})
	require.Equal(t, http.StatusSeeOther, a.status, a.body)

	tests := []struct {
		name   string
		target string
		status int
		want   []string
	}{
		{"missing base parameters", "/payment?" + sign(params("", "", 0, map[string]string{"payment_id": "", "payment_currency": "", "payment_amount": "", "customer_id": ""}), secret).Encode(),
			400, []string{"Required parameters are missing", "payment_id is missing", "payment_amount is missing", "payment_currency is missing", "customer_id is missing"}},
		{"missing project_id", "/payment?payment_id=x&payment_amount=1", 400,
			[]string{"project_id is missing", "payment_currency is missing", "customer_id is missing", "signature is missing"}},
		{"malformed project_id", "/payment?project_id=abc&signature=x", 400, []string{"project_id: must be a whole number; got &#34;abc&#34;"}},
		{"malformed amount, currency, URLs", "/payment?" + sign(params("bad-1", "dollars", 0, map[string]string{
			"payment_amount": "10.50", "merchant_success_url": "/ok", "merchant_callback_url": "ftp://x"}), secret).Encode(),
			400, []string{"A parameter has an invalid value", "payment_amount: must be a whole number of minor units", "10.50",
				"payment_currency: must be a three-letter ISO 4217 code", "merchant_success_url: must be an absolute http(s) URL", "merchant_callback_url"}},
		{"amount beyond JavaScript's whole numbers", "/payment?" + sign(params("big-1", "USD", 0, map[string]string{"payment_amount": "9007199254740992"}), secret).Encode(),
			400, []string{"A parameter has an invalid value", "payment_amount: must be at most 9007199254740991 minor units", "the largest whole number JavaScript reads exactly", "9007199254740992"}},
		{"amount beyond 64 bits", "/payment?" + sign(params("big-2", "USD", 0, map[string]string{"payment_amount": "99999999999999999999"}), secret).Encode(),
			400, []string{"payment_amount: must be at most 9007199254740991 minor units"}},
		{"amount beyond JavaScript's whole numbers, in Spanish", "/payment?" + sign(params("big-3", "USD", 0, map[string]string{"payment_amount": "9007199254740992", "language_code": "es"}), secret).Encode(),
			400, []string{"payment_amount: debe ser como máximo 9007199254740991 unidades menores"}},
		{"amount beyond JavaScript's whole numbers, in Portuguese", "/payment?" + sign(params("big-4", "USD", 0, map[string]string{"payment_amount": "9007199254740992", "language_code": "pt"}), secret).Encode(),
			400, []string{"payment_amount: deve ser no máximo 9007199254740991 centavos"}},
		{"malformed best_before", "/payment?" + sign(params("bad-2", "USD", 100, map[string]string{"best_before": "tomorrow"}), secret).Encode(),
			400, []string{"best_before: must be a date and time"}},
		{"unknown project", "/payment?" + sign(params("p-1", "USD", 100, map[string]string{"project_id": "9999"}), secret).Encode(),
			404, []string{"Unknown project", "Project 9999 does not exist"}},
		{"payment_id already used", "/payment?" + sign(params("used-1", "MXN", 1000, nil), secret).Encode(),
			409, []string{"This payment was already made", "used-1", `href="/payment/result/842/used-1"`}},
		{"best_before passed", "/payment?" + sign(params("late-1", "USD", 100, map[string]string{"best_before": "2026-03-02T08:59:59+00:00"}), secret).Encode(),
			410, []string{"This payment link has expired", "2026-03-02 08:59:59 UTC", "2026-03-02 09:00:00 UTC"}},
		{"best_before in another zone, passed", "/payment?" + sign(params("late-2", "USD", 100, map[string]string{"best_before": "2026-03-02T11:30:00+0300"}), secret).Encode(),
			410, []string{"2026-03-02 08:30:00 UTC"}},
		{"no method takes the currency", "/payment?" + sign(params("cur-1", "JPY", 100, nil), secret).Encode(),
			400, []string{"No payment method accepts JPY", "Oxxo (MXN, USD)", "EcoVoucher (CAD, GBP, EUR, USD)", "Card partner (KES, USD)"}},
		{"amount 0 only where the customer sets it", "/payment?" + sign(params("zero-1", "MXN", 0, nil), secret).Encode(),
			400, []string{"No payment method accepts MXN", "An amount of 0 is only allowed"}},
		{"forced method unknown", "/payment?" + sign(params("force-1", "USD", 100, map[string]string{"force_payment_method": "bitcoin"}), secret).Encode(),
			400, []string{"Unknown payment method", "&#34;bitcoin&#34;", "ecoVoucher", "card-partner"}},
		{"forced method does not take 0", "/payment?" + sign(params("force-3", "USD", 0, map[string]string{"force_payment_method": "card-partner"}), secret).Encode(),
			400, []string{"Card partner does not accept 0", "needs an amount greater than 0"}},
		{"result of an unknown payment", "/payment/result/842/nobody", 404, []string{"Payment not found", "nobody"}},
		{"processing of an unknown payment", "/payment/processing/842/nobody", 404, []string{"Payment not found"}},
		{"result of a bad project", "/payment/result/x/nobody", 404, []string{"Payment not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.get(tt.target)
			assert.Equal(t, tt.status, a.status, a.body)
			assert.Contains(t, a.body, `class="card pp-error"`)
			for _, w := range tt.want {
				assert.Contains(t, a.body, w)
			}
			assert.Equal(t, "text/html; charset=utf-8", a.header.Get("Content-Type"))
		})
	}

	t.Run("a step without its carried request", func(t *testing.T) {
		a := f.post("/payment/pay", url.Values{"method": {"oxxo"}})
		assert.Equal(t, http.StatusBadRequest, a.status)
		assert.Contains(t, a.body, "the hidden field that carries the signed parameters")
	})
	t.Run("a step whose carried request was changed", func(t *testing.T) {
		a := f.open(params("tamper-1", "USD", 1000, nil))
		req := strings.Replace(carried(t, a.body), "payment_amount=1000", "payment_amount=1", 1)
		a = f.post("/payment/method", url.Values{"request": {req}, "method": {"oxxo"}})
		assert.Equal(t, http.StatusForbidden, a.status)
		assert.Contains(t, a.body, "payment_amount:1;")
	})
	t.Run("the largest amount a payment may have gets the method choice", func(t *testing.T) {
		a := f.open(params("big-ok", "USD", platform.MaxAmount, nil))
		assert.Equal(t, http.StatusOK, a.status, a.body)
		assert.Contains(t, a.body, "Choose how to pay")
	})
	t.Run("merchant_fail_url is the way back", func(t *testing.T) {
		a := f.open(params("back-1", "JPY", 100, map[string]string{"merchant_fail_url": "https://shop.example/cart"}))
		assert.Equal(t, http.StatusBadRequest, a.status)
		assert.Contains(t, a.body, `href="https://shop.example/cart"`)
		assert.Contains(t, a.body, "Back to the shop")
	})
}

// TestMethodChoice: the methods whose currencies fit, in registration
// order, or the one force_payment_method names, whatever its spelling.
func TestMethodChoice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name     string
		currency string
		amount   int
		force    string
		methods  []string // offered; one method goes straight to its form
	}{
		{"USD fits all three", "USD", 1000, "", []string{"oxxo", "eco-voucher", "card-partner"}},
		{"MXN fits Oxxo only", "MXN", 1000, "", []string{"oxxo"}},
		{"EUR fits EcoVoucher only", "EUR", 1000, "", []string{"eco-voucher"}},
		{"KES fits the card partner only", "KES", 5000, "", []string{"card-partner"}},
		{"lower-case currency", "usd", 1000, "", []string{"oxxo", "eco-voucher", "card-partner"}},
		{"amount 0 fits EcoVoucher only", "USD", 0, "", []string{"eco-voucher"}},
		{"force oxxo", "USD", 1000, "oxxo", []string{"oxxo"}},
		{"force ecoVoucher", "USD", 1000, "ecoVoucher", []string{"eco-voucher"}},
		{"force eco-voucher", "USD", 1000, "eco-voucher", []string{"eco-voucher"}},
		{"force ECOVOUCHER", "USD", 1000, "ECOVOUCHER", []string{"eco-voucher"}},
		{"force card-partner", "USD", 1000, "card-partner", []string{"card-partner"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := map[string]string{}
			if tt.force != "" {
				extra["force_payment_method"] = tt.force
			}
			a := f.open(params("choice-"+string(rune('a'+i)), tt.currency, tt.amount, extra))
			require.Equal(t, http.StatusOK, a.status, a.body)
			if len(tt.methods) == 1 {
				assert.Contains(t, a.body, `<input type="hidden" name="method" value="`+tt.methods[0]+`">`)
				assert.NotContains(t, a.body, `type="radio"`)
				assert.NotContains(t, a.body, ">Change<", "one method: nothing to change")
				return
			}
			var got []string
			for _, part := range strings.Split(a.body, `type="radio" name="method" value="`)[1:] {
				got = append(got, part[:strings.Index(part, `"`)])
			}
			assert.Equal(t, tt.methods, got)
		})
	}

	t.Run("choosing a method shows its form; Change goes back", func(t *testing.T) {
		a := f.open(params("choice-z", "USD", 1000, nil))
		req := carried(t, a.body)
		a = f.post("/payment/method", url.Values{"request": {req}, "method": {"card-partner"}, "choose": {"1"}})
		require.Equal(t, http.StatusOK, a.status, a.body)
		assert.Contains(t, a.body, `id="f-customer_phone"`)
		assert.Contains(t, a.body, `id="f-customer_email"`)
		assert.Contains(t, a.body, ">Change<")
		a = f.post("/payment/method", url.Values{"request": {req}})
		require.Equal(t, http.StatusOK, a.status)
		assert.Contains(t, a.body, "Choose how to pay")
		assert.NotContains(t, a.body, "Choose a payment method to continue.")
	})
	t.Run("continuing without a method says so", func(t *testing.T) {
		a := f.open(params("choice-y", "USD", 1000, nil))
		a = f.post("/payment/method", url.Values{"request": {carried(t, a.body)}, "choose": {"1"}})
		assert.Equal(t, http.StatusUnprocessableEntity, a.status)
		assert.Contains(t, a.body, "Choose a payment method to continue.")
	})
	t.Run("a method that does not fit cannot be posted", func(t *testing.T) {
		a := f.open(params("choice-x", "EUR", 1000, nil))
		a = f.post("/payment/pay", url.Values{"request": {carried(t, a.body)}, "method": {"oxxo"}})
		assert.Equal(t, http.StatusUnprocessableEntity, a.status)
		assert.Contains(t, a.body, "Choose a payment method to continue.")
	})
}

// TestMethodLimits: the choice offers only the methods whose limits fit
// the amount: the project's method settings (min_amount, max_amount,
// whole_units) and a provider's own limits (the card partner's per
// currency, docs/methods.md); when none fits, the error page says the amount is
// the problem. A forced method is not held to its limits: its sale is
// declined, as the seeds show (docs/callbacks.md "Decline codes").
func TestMethodLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const limited = 843
	require.NoError(t, f.eng.PutProject(context.Background(), platform.Project{ID: limited, Secret: secret, Methods: map[string]platform.MethodSettings{
		"oxxo":        {MaxAmount: 50000, WholeUnits: true},
		"eco-voucher": {MinAmount: 2000},
	}}))
	tests := []struct {
		name     string
		project  int
		currency string
		amount   int
		methods  []string
	}{
		{"within every limit", limited, "USD", 5000, []string{"oxxo", "eco-voucher", "card-partner"}},
		{"above Oxxo's max_amount", limited, "USD", 60000, []string{"eco-voucher", "card-partner"}},
		{"at Oxxo's max_amount", limited, "USD", 50000, []string{"oxxo", "eco-voucher", "card-partner"}},
		{"below EcoVoucher's min_amount", limited, "USD", 1000, []string{"oxxo", "card-partner"}},
		{"not whole units for Oxxo", limited, "USD", 5050, []string{"eco-voucher", "card-partner"}},
		{"above the card partner's own limit", project, "USD", 300100, []string{"oxxo", "eco-voucher"}},
		{"the card partner's limit is per currency", project, "KES", 300100, []string{"card-partner"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.open(params("limits-"+string(rune('a'+i)), tt.currency, tt.amount, map[string]string{"project_id": strconv.Itoa(tt.project)}))
			require.Equal(t, http.StatusOK, a.status, a.body)
			var got []string
			for _, part := range strings.Split(a.body, `type="radio" name="method" value="`)[1:] {
				got = append(got, part[:strings.Index(part, `"`)])
			}
			if len(tt.methods) == 1 {
				assert.Contains(t, a.body, `<input type="hidden" name="method" value="`+tt.methods[0]+`">`)
				return
			}
			assert.Equal(t, tt.methods, got)
		})
	}
	t.Run("no method fits the amount", func(t *testing.T) {
		a := f.open(params("limits-none", "MXN", 60000, map[string]string{"project_id": strconv.Itoa(limited)}))
		assert.Equal(t, http.StatusBadRequest, a.status)
		assert.Contains(t, a.body, "No payment method accepts 600.00 MXN")
		assert.Contains(t, a.body, "have amount limits this payment does not fit")
	})
	t.Run("a forced method that does not take the currency is declined by the sale", func(t *testing.T) {
		// Seed 000_1de7b62dc8bb05a3.txt:128-130: in its Payment Page
		// section, Oxxo's seed shows the callback of a payment declined
		// "because of the operation's currency": the page does not refuse
		// the link, the sale declines it.
		forced := params("currency-forced", "EUR", 1000, map[string]string{"force_payment_method": "oxxo",
			"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com", "identify_doc_number": "1234567890"})
		a := f.open(forced)
		require.Equal(t, http.StatusOK, a.status, a.body)
		assert.Contains(t, a.body, `<input type="hidden" name="method" value="oxxo">`)
		require.Equal(t, http.StatusSeeOther, f.pay(forced, "oxxo", nil).status)
		f.run()
		a = f.get("/payment/result/842/currency-forced")
		assert.Contains(t, a.body, "Payment declined")
		assert.Contains(t, a.body, "General decline")
		assert.Contains(t, a.body, "payment.currency: Oxxo accepts [MXN USD], not EUR")
		p, err := f.eng.PaymentWhole(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: "currency-forced"})
		require.NoError(t, err)
		assert.Equal(t, platform.StatusDecline, p.Payment.Status)
		require.NotEmpty(t, p.Deliveries, "the merchant is told by a callback")
	})
	t.Run("a forced method over its limit is declined by the sale", func(t *testing.T) {
		a := f.open(params("limits-forced", "MXN", 60000, map[string]string{"project_id": strconv.Itoa(limited), "force_payment_method": "oxxo"}))
		require.Equal(t, http.StatusOK, a.status, a.body)
		assert.Contains(t, a.body, `<input type="hidden" name="method" value="oxxo">`)
	})
}

// TestDeclineReason: a declined payment's result says its reason once, in
// the customer's language, with the errors entries that add to it, and
// leads back to the shop by the first return URL the shop gave.
func TestDeclineReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const limited = 844
	require.NoError(t, f.eng.PutProject(context.Background(), platform.Project{ID: limited, Secret: secret, Methods: map[string]platform.MethodSettings{
		"oxxo": {MinAmount: 5000, MaxAmount: 50000},
	}}))
	fields := map[string]string{"customer_first_name": "Ana", "customer_last_name": "Ruiz", "customer_email": "ana@example.com",
		"identify_doc_number": "1234567890"}
	tests := []struct {
		name   string
		amount int
		extra  map[string]string
		reason string
		detail string
		back   string
	}{
		// 20101 carries its message in errors[] too (docs/callbacks.md "Decline codes"): the page says it once.
		{"over the limit, in Spanish", 60000, map[string]string{"language_code": "es", "merchant_return_url": "https://shop.example/cart"},
			"<strong>Motivo:</strong> El importe supera el máximo del método de pago", "", "https://shop.example/cart"},
		{"below the minimum, in English", 1000, map[string]string{"merchant_fail_url": "https://shop.example/failed", "merchant_return_url": "https://shop.example/cart"},
			"<strong>Reason:</strong> General decline", "payment.amount: the amount is below the minimum of 50.00 MXN", "https://shop.example/failed"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "decline-" + string(rune('a'+i))
			tt.extra["project_id"] = strconv.Itoa(limited)
			tt.extra["force_payment_method"] = "oxxo"
			a := f.pay(params(id, "MXN", tt.amount, tt.extra), "oxxo", fields)
			require.Equal(t, http.StatusSeeOther, a.status, a.body)
			f.run()
			a = f.get("/payment/result/" + strconv.Itoa(limited) + "/" + id)
			require.Equal(t, http.StatusOK, a.status, a.body)
			assert.Equal(t, 1, strings.Count(a.body, tt.reason), "the reason, once:\n%s", a.body)
			if tt.detail != "" {
				assert.Equal(t, 1, strings.Count(a.body, tt.detail), "the refused field, once")
			} else {
				assert.NotContains(t, a.body, `<ul class="pp-reason__list">`, "nothing to add to the reason")
			}
			assert.Contains(t, a.body, `href="`+tt.back+`"`)
		})
	}
}

// TestFieldValidation: the form asks for what the method needs and the
// request lacks, checks each field (presence, email format, the method's
// own rule) and keeps what the customer typed.
func TestFieldValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		extra  map[string]string // signed parameters
		typed  map[string]string
		errors map[string]string // field → message; none: the sale starts
	}{
		{"everything missing", "oxxo", nil, nil, map[string]string{
			"customer_first_name": "Enter your first name.", "customer_last_name": "Enter your last name.",
			"customer_email": "Enter your email address.", "identify_doc_number": "Enter your ID document number."}},
		{"bad email and the method's own rule", "oxxo", nil, map[string]string{
			"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@localhost", "identify_doc_number": "12 34"},
			map[string]string{"customer_email": "Enter an email address like name@example.com.",
				"identify_doc_number": "Must be 10 to 18 digits; it has 5 characters."}},
		{"spaces only are missing", "card-partner", nil, map[string]string{"customer_phone": "   ", "customer_email": "a@b.co"},
			map[string]string{"customer_phone": "Enter your phone number."}},
		{"card partner's phone rule", "card-partner", nil, map[string]string{"customer_phone": "12", "customer_email": "a@b.co"},
			map[string]string{"customer_phone": "Write the phone number with 9 to 15 digits."}},
		{"signed values are not asked for", "oxxo", map[string]string{"customer_first_name": "Ana", "customer_last_name": "Lopez"},
			map[string]string{"customer_email": "ana@example.com", "identify_doc_number": "1234567890"}, nil},
		{"all good", "card-partner", nil, map[string]string{"customer_phone": "+254712345678", "customer_email": "wanjiru@example.com"}, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := "fields-" + string(rune('a'+i))
			extra := map[string]string{"force_payment_method": tt.method}
			for k, v := range tt.extra {
				extra[k] = v
			}
			a := f.pay(params(id, "USD", 1000, extra), tt.method, tt.typed)
			if tt.errors == nil {
				require.Equal(t, http.StatusSeeOther, a.status, a.body)
				assert.Equal(t, "/payment/processing/842/"+id, a.location)
				p := f.payment(id)
				assert.Equal(t, platform.InterfacePaymentPage, p.Interface)
				assert.Equal(t, tt.method, p.Method)
				for k, v := range tt.typed {
					switch k {
					case "customer_email":
						assert.Equal(t, v, p.Customer.Email)
					case "customer_phone":
						assert.Equal(t, v, p.Customer.Phone)
					case "identify_doc_number":
						assert.Equal(t, v, p.Customer.DocNumber)
					}
				}
				if tt.extra != nil {
					assert.Equal(t, "Ana", p.Customer.FirstName)
				}
				return
			}
			require.Equal(t, http.StatusUnprocessableEntity, a.status, a.body)
			assert.Contains(t, a.body, "Check the highlighted fields")
			for field, msg := range tt.errors {
				assert.Contains(t, a.body, `<p class="pp-field-error" id="f-`+field+`-err">`, field)
				assert.Contains(t, a.body, msg, field)
			}
			for field, v := range tt.typed {
				if strings.TrimSpace(v) != "" {
					assert.Contains(t, a.body, `name="`+field+`" type=`, field)
					assert.Contains(t, a.body, `value="`+v+`"`, "what was typed in %s is kept", field)
				}
			}
			_, err := f.eng.Payment(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: id})
			assert.Equal(t, platform.CodeNotFound, platform.ErrorCode(err), "no sale while fields are refused")
		})
	}
}

// TestSentValuesRefused: a value the shop sent that the method refuses is
// asked for again, shown with what the shop sent and what is wrong with
// it, in the page's language; what the customer types replaces it in the
// sale, and the values the shop sent right are neither asked nor changed.
func TestSentValuesRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sent := params("sent-1", "MXN", 125000, map[string]string{"force_payment_method": "oxxo",
		"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@localhost", "identify_doc_number": "12"})
	a := f.open(sent)
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `name="identify_doc_number" type="text" value="12" required`)
	assert.Contains(t, a.body, "The shop sent a value that cannot be used. Must be 10 to 18 digits; it has 2 characters.")
	assert.Contains(t, a.body, `name="customer_email" type="email" value="ana@localhost" required`)
	assert.Contains(t, a.body, "The shop sent a value that cannot be used. Enter an email address like name@example.com.")
	assert.NotContains(t, a.body, `id="f-customer_first_name"`, "a value sent right is not asked for")
	assert.Contains(t, a.body, "Check the highlighted fields")

	// Sent back as they are, they are refused again: no sale.
	form := url.Values{"request": {carried(t, a.body)}, "method": {"oxxo"}, "identify_doc_number": {"12"}, "customer_email": {"ana@localhost"}}
	a = f.post("/payment/pay", form)
	require.Equal(t, http.StatusUnprocessableEntity, a.status, a.body)
	assert.Contains(t, a.body, "Must be 10 to 18 digits; it has 2 characters.")
	_, err := f.eng.Payment(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: "sent-1"})
	assert.Equal(t, platform.CodeNotFound, platform.ErrorCode(err), "no sale while a field is refused")

	// Corrected, the sale carries what the customer typed.
	form.Set("identify_doc_number", "1234567890")
	form.Set("customer_email", "ana@example.com")
	a = f.post("/payment/pay", form)
	require.Equal(t, http.StatusSeeOther, a.status, a.body)
	p := f.payment("sent-1")
	assert.Equal(t, "1234567890", p.Customer.DocNumber)
	assert.Equal(t, "ana@example.com", p.Customer.Email)
	assert.Equal(t, "Ana", p.Customer.FirstName)

	// In Spanish, and for the card partner's phone.
	a = f.open(params("sent-2", "USD", 2500, map[string]string{"force_payment_method": "card-partner", "language_code": "es",
		"customer_phone": "12", "customer_email": "w@example.com"}))
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `value="12"`)
	assert.Contains(t, a.body, "La tienda envió un valor que no se puede usar.")
	assert.NotContains(t, a.body, `id="f-customer_email"`)
}

// TestSale: what the sale carries: the Payment Page interface, the result
// page as every return URL, the pages' options, merchant_callback_url.
func TestSale(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.pay(params("sale-1", "KES", 5000, map[string]string{
		"payment_description":   "Order 7",
		"merchant_callback_url": "https://shop.example/callbacks",
		"merchant_success_url":  "https://shop.example/ok",
		"redirect_fail_url":     "https://shop.example/fail",
		"language_code":         "ES-mx",
		"customer_ip_address":   "203.0.113.9",
		"customer_country":      "KE",
	}), "card-partner", map[string]string{"customer_phone": "+254712345678", "customer_email": "w@example.com"})
	require.Equal(t, http.StatusSeeOther, a.status, a.body)
	p := f.payment("sale-1")
	assert.Equal(t, platform.InterfacePaymentPage, p.Interface)
	assert.Equal(t, platform.Sum{Amount: 5000, Currency: "KES"}, p.Amount)
	assert.Equal(t, "Order 7", p.Description)
	assert.Equal(t, platform.Customer{ID: "customer-7", IPAddress: "203.0.113.9", Phone: "+254712345678", Email: "w@example.com", Country: "KE"}, p.Customer)
	result := base + "/payment/result/842/sale-1"
	assert.Equal(t, platform.ReturnURLs{Success: result, Decline: result, Return: result}, p.ReturnURLs)
	assert.Equal(t, "https://shop.example/callbacks", p.Callback.URL)
	assert.Equal(t, "es", p.Language)
	assert.Equal(t, map[string]string{"language_code": "es", "merchant_success_url": "https://shop.example/ok", "redirect_fail_url": "https://shop.example/fail"}, p.PageOptions)

	t.Run("a second submit of the same form is refused", func(t *testing.T) {
		b := f.open(params("sale-2", "USD", 1000, map[string]string{"force_payment_method": "eco-voucher"}))
		form := url.Values{"request": {carried(t, b.body)}, "method": {"eco-voucher"}}
		require.Equal(t, http.StatusSeeOther, f.post("/payment/pay", form).status)
		again := f.post("/payment/pay", form)
		assert.Equal(t, http.StatusConflict, again.status)
		assert.Contains(t, again.body, "This payment was already made")
	})
}

// TestJourney: after the sale the customer goes (when the provider has not
// answered yet, after waiting on the processing page) to the provider as
// the method and the redirect say (a link the customer follows, for Oxxo;
// POST: a form that submits itself) or to the result when it was declined.
func TestJourney(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	voucher := params("journey-1", "MXN", 125000, map[string]string{"force_payment_method": "oxxo",
		"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com", "identify_doc_number": "1234567890",
		"merchant_return_url": "https://shop.example/orders/1"})
	f.stall("journey-1")
	a := f.pay(voucher, "oxxo", nil)
	require.Equal(t, http.StatusSeeOther, a.status, a.body)

	// Before the provider answers: the page waits, with and without script.
	a = f.get("/payment/processing/842/journey-1")
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "Processing your payment")
	assert.Contains(t, a.body, `<noscript><meta http-equiv="refresh" content="2"></noscript>`)
	assert.Contains(t, a.body, `data-poll="/payment/status/842/journey-1"`)
	s := f.get("/payment/status/842/journey-1")
	assert.JSONEq(t, `{"status":"processing","final":false}`, s.body)

	f.run()
	s = f.get("/payment/status/842/journey-1")
	assert.JSONEq(t, `{"status":"awaiting redirect result","final":false}`, s.body)
	// Oxxo's documentation has the Payment Page show the customer a link
	// to the voucher, which they follow: a page with the link, nothing
	// that sends them on by itself.
	a = f.get("/payment/processing/842/journey-1")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, "<title>Continue at Oxxo")
	assert.Contains(t, a.body, "Your payment is ready at Oxxo: follow the link to finish it.")
	assert.Contains(t, a.body, `<a class="button button--primary pp-submit pp-provider-link" href="`+base+`/providers/oxxo/vouchers/93012345678901">Go to Oxxo</a>`)
	assert.NotContains(t, a.body, "data-autosubmit")
	assert.NotContains(t, a.body, "data-poll")
	assert.NotContains(t, a.body, `http-equiv="refresh"`)

	a = f.get("/payment/result/842/journey-1")
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "Pay your voucher")
	assert.Contains(t, a.body, "9301 2345 6789 01")
	assert.Contains(t, a.body, `href="https://shop.example/orders/1"`)
	assert.NotContains(t, a.body, `http-equiv="refresh"`, "a pending voucher does not reload itself")

	// A POST redirect: a form with the body's fields that submits itself.
	wallet := params("journey-2", "EUR", 2500, map[string]string{"force_payment_method": "ecoVoucher"})
	require.Equal(t, http.StatusSeeOther, f.pay(wallet, "eco-voucher", nil).status)
	f.run()
	a = f.get("/payment/processing/842/journey-2")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `<form class="pp-state" method="post" action="`+base+`/providers/eco-voucher/pay" data-autosubmit>`)
	assert.Contains(t, a.body, `<input type="hidden" name="TxID" value="1000000001">`)
	assert.Contains(t, a.body, `<input type="hidden" name="Live" value="0">`)
	assert.Contains(t, a.body, `<input type="hidden" name="OnSuccessUrl" value="`+base+`/payment/result/842/journey-2">`)
	assert.Contains(t, a.body, `<input type="hidden" name="Checksum" value="&#34;quoted&#34; &amp; &lt;tagged&gt;">`)
	assert.Contains(t, a.body, "Continue to EcoVoucher")

	// A payment declined at once goes to the result, which says why: a
	// forced method is not held to its currencies on the page.
	declined := params("journey-3", "EUR", 1000, map[string]string{"force_payment_method": "oxxo",
		"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com", "identify_doc_number": "1234567890",
		"redirect_fail_url": "https://shop.example/failed", "merchant_fail_url": "https://shop.example/ignored"})
	require.Equal(t, http.StatusSeeOther, f.pay(declined, "oxxo", nil).status)
	f.run()
	a = f.get("/payment/processing/842/journey-3")
	assert.Equal(t, http.StatusSeeOther, a.status)
	assert.Equal(t, "/payment/result/842/journey-3", a.location)
	a = f.get(a.location)
	assert.Contains(t, a.body, "Payment declined")
	assert.Contains(t, a.body, "General decline")
	assert.Contains(t, a.body, "payment.currency: ")
	assert.Contains(t, a.body, `href="https://shop.example/failed"`, "redirect_fail_url comes before merchant_fail_url")

	// The voucher paid: success.
	_, err := f.eng.Pay(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: "journey-1"}, nil)
	require.NoError(t, err)
	a = f.get("/payment/result/842/journey-1")
	assert.Contains(t, a.body, "Payment successful")
	assert.Contains(t, a.body, "MX$1,250.00")

	// Gate payments have no Payment Page.
	_, err = f.eng.Sale(context.Background(), platform.SaleRequest{ProjectID: project, PaymentID: "gate-1", Method: "oxxo",
		Interface: platform.InterfaceGate, Amount: platform.Sum{Amount: 100, Currency: "MXN"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, f.get("/payment/result/842/gate-1").status)
	assert.Equal(t, http.StatusNotFound, f.get("/payment/status/842/gate-1").status)
}

// TestEmbeddedJourney: in the shop's frame (EPayWidget.runEmbedded sends
// frame_mode=iframe, which no signature covers) the customer goes to the
// provider in the whole window, as on ecommpay: a link to a voucher is
// aimed at _top, a POST redirect is a form aimed there too; the result's
// links to the voucher and back to the shop leave the frame as well.
func TestEmbeddedJourney(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	person := map[string]string{"force_payment_method": "oxxo", "frame_mode": "iframe",
		"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com", "identify_doc_number": "1234567890",
		"merchant_return_url": "https://shop.example/orders/1"}
	require.Equal(t, http.StatusSeeOther, f.pay(params("embedded-1", "MXN", 125000, person), "oxxo", nil).status)
	f.run()
	a := f.get("/payment/processing/842/embedded-1")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `href="`+base+`/providers/oxxo/vouchers/93012345678901" target="_top">Go to Oxxo</a>`)

	a = f.get("/payment/result/842/embedded-1")
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, `href="https://shop.example/orders/1" target="_top"`)
	assert.Contains(t, a.body, `<body class="plain pp-body pp-body--embedded">`)

	// Back from the provider's page, which had the whole window, the
	// result is a page of the window: the browser says so.
	req := httptest.NewRequest(http.MethodGet, "/payment/result/842/embedded-1", nil)
	req.Header.Set("Sec-Fetch-Dest", "document")
	a = f.do(req)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, `<body class="plain pp-body">`, "no frame styling in the whole window")
	assert.NotContains(t, a.body, `target="_top"`)
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	assert.Contains(t, f.do(req).body, `<body class="plain pp-body pp-body--embedded">`, "in the frame, the frame's page")

	card := params("embedded-2", "USD", 2500, map[string]string{"force_payment_method": "card-partner", "frame_mode": "iframe",
		"customer_phone": "+254712345678", "customer_email": "w@example.com"})
	require.Equal(t, http.StatusSeeOther, f.pay(card, "card-partner", nil).status)
	f.run()
	a = f.get("/payment/processing/842/embedded-2")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `<form class="pp-state" method="post" action="`+base+`/providers/card-partner/checkout" target="_top" data-autosubmit>`)
	assert.Contains(t, a.body, `<input type="hidden" name="inv" value="1000000001">`)

	// Out of a frame, the link stays in the window.
	delete(person, "frame_mode")
	require.Equal(t, http.StatusSeeOther, f.pay(params("embedded-3", "MXN", 125000, person), "oxxo", nil).status)
	f.run()
	a = f.get("/payment/processing/842/embedded-3")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, `href="`+base+`/providers/oxxo/vouchers/93012345678901">Go to Oxxo</a>`)
	assert.NotContains(t, a.body, `target="_top"`)
}

// TestPaymentIDsInPaths: payment IDs with slashes, spaces and the like
// survive the trip through the pages' URLs.
func TestPaymentIDsInPaths(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := "order/7 ü?#%"
	a := f.pay(params(id, "EUR", 2500, nil), "eco-voucher", nil)
	require.Equal(t, http.StatusSeeOther, a.status, a.body)
	assert.Equal(t, "/payment/processing/842/order%2F7%20%C3%BC%3F%23%25", a.location)
	a = f.get(a.location)
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, "order/7 ü?#%")
	assert.Equal(t, http.StatusOK, f.get("/payment/result/842/order%2F7%20%C3%BC%3F%23%25").status)
}

// TestLanguages: en, es and pt; regional variants; anything else is en.
func TestLanguages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		code, lang, title string
	}{
		{"", "en", "Choose how to pay"},
		{"en", "en", "Choose how to pay"},
		{"es", "es", "Elige cómo pagar"},
		{"es-MX", "es", "Elige cómo pagar"},
		{"ES", "es", "Elige cómo pagar"},
		{"pt", "pt", "Escolha como pagar"},
		{"pt_BR", "pt", "Escolha como pagar"},
		{"de", "en", "Choose how to pay"},
		{"klingon", "en", "Choose how to pay"},
	}
	for i, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			a := f.open(params("lang-"+string(rune('a'+i)), "USD", 1000, map[string]string{"language_code": tt.code}))
			require.Equal(t, http.StatusOK, a.status, a.body)
			assert.Contains(t, a.body, `<html lang="`+tt.lang+`">`)
			assert.Contains(t, a.body, tt.title)
		})
	}
	t.Run("error pages speak the language too", func(t *testing.T) {
		a := f.get("/payment?" + sign(params("lang-err", "JPY", 100, map[string]string{"language_code": "pt"}), secret).Encode())
		assert.Contains(t, a.body, "Nenhuma forma de pagamento aceita JPY")
	})
	t.Run("the result page keeps the language", func(t *testing.T) {
		f.stall("lang-res")
		a := f.pay(params("lang-res", "EUR", 2500, map[string]string{"language_code": "es"}), "eco-voucher", nil)
		require.Equal(t, http.StatusSeeOther, a.status)
		assert.Contains(t, f.get("/payment/result/842/lang-res").body, "Confirmando tu pago")
	})
}

// TestMerchantDataIsEscaped: what the merchant sends and the customer types
// is escaped wherever a page shows it.
func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert(1)</script>`
	f := newFixture(t)
	p := params("evil-1", "USD", 1000, map[string]string{
		"payment_description": evil, "customer_first_name": evil, "customer_last_name": evil, "force_payment_method": "oxxo"})
	a := f.open(p)
	require.Equal(t, http.StatusOK, a.status)
	assert.NotContains(t, a.body, evil)
	assert.Contains(t, a.body, "&lt;script&gt;alert(1)&lt;/script&gt;")

	a = f.post("/payment/pay", url.Values{"request": {carried(t, a.body)}, "method": {"oxxo"},
		"customer_email": {`"><script>alert(1)</script>`}, "identify_doc_number": {evil}})
	require.Equal(t, http.StatusUnprocessableEntity, a.status)
	assert.NotContains(t, a.body, "<script>alert")
	assert.Contains(t, a.body, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)

	a = f.get("/payment?" + sign(params(evil, "JPY", 100, map[string]string{"payment_description": evil}), secret).Encode())
	assert.NotContains(t, a.body, "<script>alert")
	a = f.get("/payment?" + sign(params("evil-2", "USD", 100, map[string]string{"merchant_fail_url": "javascript:alert(1)"}), secret).Encode())
	assert.NotContains(t, a.body, `href="javascript:`)

	ok := f.pay(params("evil-3", "EUR", 2500, map[string]string{"payment_description": evil}), "eco-voucher", nil)
	require.Equal(t, http.StatusSeeOther, ok.status)
	for _, target := range []string{"/payment/processing/842/evil-3", "/payment/result/842/evil-3"} {
		a = f.get(target)
		assert.NotContains(t, a.body, evil, target)
		assert.Contains(t, a.body, "&lt;script&gt;", target)
	}
}

// TestStatelessSteps: the steps carry everything, so a restarted sandbox
// (here: a new server over the same engine) goes on where the customer is.
func TestStatelessSteps(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.open(params("restart-1", "USD", 1000, nil))
	req := carried(t, a.body)
	g := newFixture(t) // another sandbox with the same project and secret
	a = g.post("/payment/method", url.Values{"request": {req}, "method": {"eco-voucher"}})
	assert.Equal(t, http.StatusOK, a.status, a.body)
	assert.Contains(t, a.body, "Confirm your payment")
}

// TestAssets: the pages' scripts, the widget and the sample shop.
func TestAssets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, target := range []string{"/payment/assets/page.js", "/payment/assets/shop.js", "/shared/merchant.js", "/shared/merchant.css"} {
		a := f.get(target)
		assert.Equal(t, http.StatusOK, a.status, target)
		assert.NotEmpty(t, a.body, target)
	}
	assert.Contains(t, f.get("/shared/merchant.js").header.Get("Content-Type"), "javascript")
	assert.Equal(t, "*", f.get("/shared/merchant.css").header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, http.StatusNotFound, f.get("/payment/assets/nope.js").status)
	assert.Equal(t, http.StatusNotFound, f.get("/shared/app.js").status, "only the widget is shared")

	// Every link of the sample shop opens a Payment Page.
	shop := f.get("/demo/shop")
	require.Equal(t, http.StatusOK, shop.status, shop.body)
	links := 0
	for _, part := range strings.Split(shop.body, `class="shop-link" href="`)[1:] {
		link := html.UnescapeString(part[:strings.Index(part, `"`)])
		u, err := url.Parse(link)
		require.NoError(t, err)
		require.NoError(t, f.eng.PutProject(context.Background(), platform.Project{ID: 1, Secret: "secret"}))
		a := f.get(u.RequestURI())
		assert.Equal(t, http.StatusOK, a.status, link)
		links++
	}
	assert.Equal(t, 4, links, "one link to choose and one per method")
	assert.Contains(t, shop.body, `data-epay-mode="embedded"`)
}

// racingEngine is the engine with its sale replaced: what happens between
// the page's checks and the sale (another request, a refusal).
type racingEngine struct {
	paymentpage.Engine
	sale func(ctx context.Context, req platform.SaleRequest) (*platform.Payment, error)
}

func (e racingEngine) Sale(ctx context.Context, req platform.SaleRequest) (*platform.Payment, error) {
	return e.sale(ctx, req)
}

// TestEngineRefusalAtPay: a refusal of the engine at Pay, after the page's
// own checks passed, speaks the page's language; the engine's English
// detail is only a line for the shop's developer.
func TestEngineRefusalAtPay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id, lang string
		sale           func(eng *platform.Engine) func(context.Context, platform.SaleRequest) (*platform.Payment, error)
		status         int
		want, not      []string
	}{
		{"payment_id taken meanwhile", "race-1", "es",
			func(eng *platform.Engine) func(context.Context, platform.SaleRequest) (*platform.Payment, error) {
				return func(ctx context.Context, req platform.SaleRequest) (*platform.Payment, error) {
					gate := req
					gate.Interface = platform.InterfaceGate
					_, err := eng.Sale(ctx, gate)
					require.NoError(t, err)
					return eng.Sale(ctx, req)
				}
			},
			http.StatusConflict,
			[]string{`<h1 id="pp-title">Este pago ya se realizó</h1>`, "El payment_id &#34;race-1&#34; ya se usó en el proyecto 842"},
			[]string{"was already used"}},
		{"a refusal the page does not map", "race-2", "pt",
			func(*platform.Engine) func(context.Context, platform.SaleRequest) (*platform.Payment, error) {
				return func(context.Context, platform.SaleRequest) (*platform.Payment, error) {
					return nil, platform.CheckTime(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
				}
			},
			http.StatusBadRequest,
			[]string{`<h1 id="pp-title">O sandbox recusou este pagamento</h1>`, "O sandbox não pôde continuar com este pagamento",
				"<li>2300-01-01T00:00:00Z is outside the time the sandbox clock can stand at"},
			[]string{`<h1 id="pp-title">` + platform.CodeMessage(platform.CodeInvalidRequest)}},
		{"a value the engine refuses", "race-3", "es",
			func(eng *platform.Engine) func(context.Context, platform.SaleRequest) (*platform.Payment, error) {
				return func(ctx context.Context, req platform.SaleRequest) (*platform.Payment, error) {
					req.PaymentID = strings.Repeat("x", platform.MaxIDLength+1)
					return eng.Sale(ctx, req)
				}
			},
			http.StatusBadRequest,
			[]string{`<h1 id="pp-title">Un parámetro tiene un valor no válido</h1>`, "Corrige estos parámetros",
				"<li>payment_id has 256 characters; it must have 1 to 255</li>"},
			[]string{`<h1 id="pp-title">` + platform.CodeMessage(platform.CodeInvalidJSON)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.srv.Engine = racingEngine{Engine: f.eng, sale: tt.sale(f.eng)}
			a := f.pay(params(tt.id, "USD", 1000, map[string]string{"language_code": tt.lang, "force_payment_method": "eco-voucher"}), "eco-voucher", nil)
			assert.Equal(t, tt.status, a.status, a.body)
			assert.Contains(t, a.body, `class="card pp-error"`)
			for _, w := range tt.want {
				assert.Contains(t, a.body, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, a.body, n)
			}
		})
	}
}

// TestShopWelcomesBackWithoutAnOrder: a return URL written by hand
// (merchant_success_url=/demo/shop?returned=success) names no order; the
// shop's banner then says no "for order ." and links the payments list,
// not a payment page that cannot exist. With an order it links that
// payment.
func TestShopWelcomesBackWithoutAnOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.get("/demo/shop?returned=success")
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, "merchant_success_url. A real shop")
	assert.NotContains(t, a.body, `for order <span class="mono"></span>`)
	assert.Contains(t, a.body, `<a href="/dashboard">See the payments and their callbacks</a>`)
	assert.NotContains(t, a.body, `href="/dashboard/payments/1/"`)

	a = f.get("/demo/shop?returned=fail&order=shop-1")
	assert.Contains(t, a.body, `for order <span class="mono">shop-1</span>.`)
	assert.Contains(t, a.body, `<a href="/dashboard/payments/1/shop-1">See the payment and its callback</a>`)
}
