package cardpartner_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/cardpartner"
)

// t0 is when the test payments start.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func testEnv(now time.Time) platform.Env {
	return platform.Env{
		Now:      now,
		Rand:     rand.NewChaCha8([32]byte{7}),
		Settings: cardpartner.Method().Defaults,
		BaseURL:  "http://sandbox.test",
		Project:  platform.Project{ID: 842, Secret: "s3cret"},
	}
}

func testPayment(amount int64, currency string) *platform.Payment {
	return &platform.Payment{
		ProjectID: 842, ID: "EP79a6-d2db", Method: cardpartner.Code, Interface: platform.InterfaceGate,
		Status: platform.StatusProcessing,
		Amount: platform.Sum{Amount: amount, Currency: currency},
		Sum:    platform.Sum{Amount: amount, Currency: currency},
		Customer: platform.Customer{
			ID: "123", IPAddress: "1.2.3.4", Phone: "254712375678", Email: "customer@example.com",
		},
		ReturnURLs: platform.ReturnURLs{Success: "https://shop.example/ok", Decline: "https://shop.example/ko"},
		Operations: []platform.Operation{{ID: 1_000_000_389, Type: platform.OperationSale, Status: platform.StatusProcessing}},
	}
}

// applyStep does what the engine does with a step that matters here.
func applyStep(p *platform.Payment, s platform.Step) {
	if s.Status != "" {
		p.Status = s.Status
		p.Last().Status = s.Status
	}
	if s.Data != nil {
		p.ProviderData = s.Data
	}
	if s.Redirect != nil {
		p.Redirect = s.Redirect
	}
	if s.ProviderPaymentID != "" {
		p.Last().ProviderPaymentID = s.ProviderPaymentID
	}
	if s.Clarification != nil {
		p.Clarification = s.Clarification
	}
}

// opened returns a payment whose checkout is open, started at t0.
func opened(t *testing.T, amount int64, currency string) *platform.Payment {
	t.Helper()
	p := testPayment(amount, currency)
	s, err := cardpartner.New().Start(p, testEnv(t0))
	require.NoError(t, err)
	require.Equal(t, platform.StatusAwaitingRedirect, s.Status)
	applyStep(p, s)
	return p
}

func TestMethod(t *testing.T) {
	t.Parallel()
	m := cardpartner.New().Method()
	assert.Equal(t, "card-partner", m.Code)
	assert.Equal(t, "Card partner", m.Name)
	assert.Equal(t, "Card partner", m.PaymentMethod)
	assert.Equal(t, 2377, m.ProviderID)
	assert.Equal(t, "/v2/payment/card-partner/sale", m.GatePath)
	assert.Equal(t, []string{"card-partner"}, m.ForceCodes)
	assert.Equal(t, []string{"KES", "USD"}, m.Currencies)
	assert.Equal(t, []string{"customer.id", "customer.ip_address"}, m.GateRequired)
	assert.Equal(t, []string{"customer_phone", "customer_email"}, m.PageRequired)
	assert.Equal(t, "/v2/payment/card-partner/refund", m.RefundPath)
	assert.False(t, m.ZeroAmount)
	assert.Zero(t, m.Defaults.MinAmount, "limits are per currency, in Start")
	assert.Zero(t, m.Defaults.MaxAmount)
	assert.Equal(t, platform.Duration(900*time.Second), m.Defaults.Timeout)

	s, declined := platform.CheckAmount(m, m.Defaults, platform.Sum{Amount: 1000, Currency: "EUR"})
	require.True(t, declined, "the engine declines EUR before Start")
	assert.Equal(t, platform.DeclineGeneral, s.Code)
}

func TestCheckField(t *testing.T) {
	t.Parallel()
	check := cardpartner.Method().CheckField
	require.NotNil(t, check)
	tests := []struct {
		param, value string
		ok           bool
	}{
		{"customer_phone", "254712375678", true},
		{"customer_phone", "+254 712-375-678", true},
		{"customer_phone", "12345", false},
		{"customer_phone", "07x2375678", false},
		{"customer_phone", "", false},
		{"customer_email", "customer@example.com", true},
		{"customer_email", " a.b+c@mail.example.co.ke ", true},
		{"customer_email", "customer@", false},
		{"customer_email", "customer.example.com", false},
		{"customer_email", "a@b", false},
		{"customer_email", "a b@example.com", false},
		{"customer_email", "", false},
		{"customer_first_name", "", true}, // not the partner's to check
	}
	for _, tt := range tests {
		msg := check(tt.param, tt.value, "en")
		if tt.ok {
			assert.Empty(t, msg, "%s=%q", tt.param, tt.value)
		} else {
			assert.NotEmpty(t, msg, "%s=%q", tt.param, tt.value)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		sum      platform.Sum
		settings platform.MethodSettings
		code     int // 0: within the limits
		field    string
	}{
		{name: "KES minimum", sum: platform.Sum{Amount: 1000, Currency: "KES"}},
		{name: "KES maximum", sum: platform.Sum{Amount: 20_000_000, Currency: "KES"}},
		{name: "KES below", sum: platform.Sum{Amount: 999, Currency: "KES"}, code: 20000, field: "payment.amount"},
		{name: "KES above", sum: platform.Sum{Amount: 20_000_001, Currency: "KES"}, code: 20101},
		{name: "USD minimum", sum: platform.Sum{Amount: 100, Currency: "USD"}},
		{name: "USD maximum", sum: platform.Sum{Amount: 300_000, Currency: "USD"}},
		{name: "USD below", sum: platform.Sum{Amount: 99, Currency: "USD"}, code: 20000, field: "payment.amount"},
		{name: "USD above", sum: platform.Sum{Amount: 300_001, Currency: "USD"}, code: 20101},
		{name: "a setting replaces the maximum", sum: platform.Sum{Amount: 300_001, Currency: "USD"}, settings: platform.MethodSettings{MaxAmount: 1_000_000}},
		{name: "a setting replaces the minimum", sum: platform.Sum{Amount: 50, Currency: "USD"}, settings: platform.MethodSettings{MinAmount: 10}},
		{name: "other currencies are the engine's", sum: platform.Sum{Amount: 1, Currency: "EUR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, declined := cardpartner.CheckLimits(tt.sum, tt.settings)
			if tt.code == 0 {
				assert.False(t, declined)
				return
			}
			require.True(t, declined)
			assert.Equal(t, platform.StatusDecline, s.Status)
			assert.Equal(t, tt.code, s.Code)
			require.Len(t, s.Errors, 1)
			assert.Equal(t, tt.code, s.Errors[0].Code)
			assert.Equal(t, tt.field, s.Errors[0].Field)
			if tt.code == 20101 {
				assert.Equal(t, "Operation amount is great than max limit", s.Errors[0].Message)
			} else {
				assert.Contains(t, s.Errors[0].Message, "below the minimum")
			}
		})
	}

	// Start applies them before anything else.
	p := testPayment(20_000_001, "KES")
	p.Customer.Phone = ""
	s, err := cardpartner.New().Start(p, testEnv(t0))
	require.NoError(t, err)
	assert.Equal(t, 20101, s.Code)
}

func TestStartOpensTheCheckout(t *testing.T) {
	t.Parallel()
	p := testPayment(1000, "KES")
	s, err := cardpartner.New().Start(p, testEnv(t0))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Status)
	assert.True(t, s.Notify)
	// The partner's reference of a sale is 13 digits and A, as "1598454195644A".
	assert.Regexp(t, `^1772442000\d{3}A$`, s.ProviderPaymentID, "the second, 3 random digits as its milliseconds, A")
	assert.Equal(t, []string{"inv:1000000389"}, s.References)
	assert.Equal(t, []platform.ProviderJob{{Name: cardpartner.JobPageTTL, Due: t0.Add(900 * time.Second)}}, s.Jobs)
	assert.Contains(t, cardpartner.Method().Jobs, cardpartner.JobPageTTL, "Method.Jobs says what the job does, for the console")
	require.NotNil(t, s.Redirect)
	assert.Equal(t, "http://sandbox.test/providers/card-partner/checkout", s.Redirect.URL)
	assert.Equal(t, "POST", s.Redirect.Method)

	// The body has the seed's fields, in the seed's order, all strings.
	var keys []string
	dec := json.NewDecoder(strings.NewReader(string(s.Redirect.Body)))
	_, err = dec.Token()
	require.NoError(t, err)
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		v, err := dec.Token()
		require.NoError(t, err)
		assert.IsType(t, "", v, k)
	}
	assert.Equal(t, cardpartner.BodyFields, keys)

	var body map[string]string
	require.NoError(t, json.Unmarshal(s.Redirect.Body, &body))
	want := map[string]string{
		"live": "0", "mpesa": "1", "bonga": "0", "airtel": "1", "equity": "1", "mobilebanking": "0",
		"debitcard": "1", "mkoporahisi": "0", "saida": "0", "elipa": "0",
		"oid": "EP79a6-d2db", "inv": "1000000389", "ttl": "900", "tel": "254712375678",
		"eml": "customer@example.com", "vid": "842", "curr": "KES",
		"cbk": "https://shop.example/ok", "lbk": "https://shop.example/ko", "cst": "1", "crl": "0",
	}
	hsh := body["hsh"]
	delete(body, "hsh")
	assert.Equal(t, want, body)

	// hsh is the hex HMAC-SHA256 of name=value&… in the seed's order.
	signed := "live=0&mpesa=1&bonga=0&airtel=1&equity=1&mobilebanking=0&debitcard=1&mkoporahisi=0&saida=0&elipa=0" +
		"&oid=EP79a6-d2db&inv=1000000389&ttl=900&tel=254712375678&eml=customer@example.com&vid=842&curr=KES" +
		"&cbk=https://shop.example/ok&lbk=https://shop.example/ko&cst=1&crl=0"
	assert.Equal(t, signed, cardpartner.HashString(body))
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(signed))
	assert.Equal(t, hex.EncodeToString(mac.Sum(nil)), hsh)
	body["hsh"] = hsh
	assert.NoError(t, cardpartner.CheckBody(body, "s3cret"))

	// The provider's state knows the deadline.
	var st map[string]any
	require.NoError(t, json.Unmarshal(s.Data, &st))
	assert.Equal(t, "2026-03-02T09:15:00Z", st["deadline"])
}

func TestStartInUSDOffersCardsOnly(t *testing.T) {
	t.Parallel()
	p := opened(t, 100, "USD")
	var body map[string]string
	require.NoError(t, json.Unmarshal(p.Redirect.Body, &body))
	for _, f := range []string{"mpesa", "bonga", "airtel", "equity", "mobilebanking", "mkoporahisi", "saida", "elipa"} {
		assert.Equal(t, "0", body[f], f)
	}
	assert.Equal(t, "1", body["debitcard"])
	assert.Equal(t, "USD", body["curr"])
}

func TestTTLSetting(t *testing.T) {
	t.Parallel()
	p := testPayment(1000, "KES")
	env := testEnv(t0)
	env.Settings.Timeout = platform.Duration(2 * time.Minute)
	s, err := cardpartner.New().Start(p, env)
	require.NoError(t, err)
	var body map[string]string
	require.NoError(t, json.Unmarshal(s.Redirect.Body, &body))
	assert.Equal(t, "120", body["ttl"])
	assert.Equal(t, t0.Add(2*time.Minute), s.Jobs[0].Due)
}

func TestReturnURLs(t *testing.T) {
	t.Parallel()
	p := testPayment(1000, "KES")
	tests := []struct {
		name          string
		urls          platform.ReturnURLs
		approved, not string
	}{
		{"success and decline", platform.ReturnURLs{Success: "https://s", Decline: "https://d", Return: "https://r"}, "https://s", "https://d"},
		{"return only", platform.ReturnURLs{Return: "https://r"}, "https://r", "https://r"},
		{"none", platform.ReturnURLs{}, "http://sandbox.test/providers/card-partner/result?inv=7", "http://sandbox.test/providers/card-partner/result?inv=7"},
	}
	for _, tt := range tests {
		p.ReturnURLs = tt.urls
		assert.Equal(t, tt.approved, cardpartner.ReturnURL(p, "http://sandbox.test", "7", true), tt.name)
		assert.Equal(t, tt.not, cardpartner.ReturnURL(p, "http://sandbox.test", "7", false), tt.name)
	}
}

func TestCheckBodyRefusals(t *testing.T) {
	t.Parallel()
	p := opened(t, 1000, "KES")
	var body map[string]string
	require.NoError(t, json.Unmarshal(p.Redirect.Body, &body))
	require.NoError(t, cardpartner.CheckBody(body, "s3cret"))

	assert.Equal(t, platform.CodeInvalidSignature, platform.ErrorCode(cardpartner.CheckBody(body, "other")))
	tampered := clone(body)
	tampered["ttl"] = "99999"
	err := cardpartner.CheckBody(tampered, "s3cret")
	assert.Equal(t, platform.CodeInvalidSignature, platform.ErrorCode(err))
	var pe *platform.Error
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Fields[0].Message, "ttl=99999")
	assert.NotContains(t, pe.Error(), "s3cret")

	upper := clone(body)
	upper["hsh"] = strings.ToUpper(body["hsh"])
	assert.NoError(t, cardpartner.CheckBody(upper, "s3cret"), "hex is case-insensitive")

	empty := clone(body)
	empty["hsh"] = ""
	assert.Equal(t, platform.CodeEmptySignature, platform.ErrorCode(cardpartner.CheckBody(empty, "s3cret")))

	missing := clone(body)
	delete(missing, "tel")
	delete(missing, "lbk")
	err = cardpartner.CheckBody(missing, "s3cret")
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, platform.CodeRequiredField, pe.Code)
	assert.Equal(t, []string{"tel", "lbk"}, fields(pe))
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func fields(pe *platform.Error) []string {
	var out []string
	for _, f := range pe.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestClarification(t *testing.T) {
	t.Parallel()
	prov := cardpartner.New()
	tests := []struct {
		name         string
		phone, email string
		missing      []string
	}{
		{"both missing", "", "", []string{"customer.phone", "customer.email"}},
		{"phone missing", "", "a@example.com", []string{"customer.phone"}},
		{"email missing", "254712375678", "  ", []string{"customer.email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPayment(1000, "KES")
			p.Customer.Phone, p.Customer.Email = tt.phone, tt.email
			s, err := prov.Start(p, testEnv(t0))
			require.NoError(t, err)
			assert.Equal(t, platform.StatusAwaitingClarification, s.Status)
			assert.Equal(t, tt.missing, s.Clarification)
			assert.True(t, s.Notify)
			assert.Nil(t, s.Redirect)
			assert.Equal(t, []platform.ProviderJob{{Name: cardpartner.JobClarificationTimeout, Due: t0.Add(30 * time.Minute)}}, s.Jobs)
			assert.Contains(t, cardpartner.Method().Jobs, cardpartner.JobClarificationTimeout, "Method.Jobs says what the job does, for the console")
			applyStep(p, s)

			// Clarifying with a field still missing answers 2004 naming it.
			_, err = prov.Clarify(p, testEnv(t0.Add(time.Minute)))
			var pe *platform.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, platform.CodeRequiredField, pe.Code)
			assert.Equal(t, tt.missing, fields(pe))

			// Paying is refused while the merchant has not answered.
			_, err = prov.Pay(p, nil, testEnv(t0.Add(time.Minute)))
			assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))

			// With both, the checkout opens, its ttl counted from then.
			p.Customer.Phone, p.Customer.Email = "254712375678", "a@example.com"
			s, err = prov.Clarify(p, testEnv(t0.Add(10*time.Minute)))
			require.NoError(t, err)
			assert.Equal(t, platform.StatusAwaitingRedirect, s.Status)
			assert.True(t, s.Notify)
			assert.Equal(t, t0.Add(25*time.Minute), s.Jobs[0].Due)
			assert.Contains(t, string(s.Redirect.Body), `"eml":"a@example.com"`)
		})
	}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	prov := cardpartner.New()

	// page_ttl does nothing before the deadline, declines at it.
	p := opened(t, 1000, "KES")
	s, err := prov.Job(p, cardpartner.JobPageTTL, testEnv(t0.Add(899*time.Second)))
	require.NoError(t, err)
	assert.Equal(t, platform.Step{}, s)
	s, err = prov.Job(p, cardpartner.JobPageTTL, testEnv(t0.Add(900*time.Second)))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status)
	assert.Equal(t, 20000, s.Code)
	assert.Equal(t, "General decline", s.Message)
	assert.Empty(t, s.Errors)

	// clarification_timeout does nothing once the checkout is open...
	s, err = prov.Job(p, cardpartner.JobClarificationTimeout, testEnv(t0.Add(30*time.Minute)))
	require.NoError(t, err)
	assert.Equal(t, platform.Step{}, s)

	// ...and declines a payment still awaiting clarification.
	q := testPayment(1000, "KES")
	q.Customer.Email = ""
	s, err = prov.Start(q, testEnv(t0))
	require.NoError(t, err)
	applyStep(q, s)
	s, err = prov.Job(q, cardpartner.JobClarificationTimeout, testEnv(t0.Add(30*time.Minute)))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status)
	assert.Equal(t, 20000, s.Code)
	// page_ttl of a payment that awaits clarification does nothing.
	s, err = prov.Job(q, cardpartner.JobPageTTL, testEnv(t0.Add(time.Hour)))
	require.NoError(t, err)
	assert.Equal(t, platform.Step{}, s)

	_, err = prov.Job(p, "nope", testEnv(t0))
	assert.Error(t, err)
}

func TestDecide(t *testing.T) {
	t.Parallel()
	kes := cardpartner.Channels("KES")
	usd := cardpartner.Channels("USD")
	tests := []struct {
		name           string
		in             cardpartner.PayInput
		channels       []string
		code           int
		refundDeclines bool
		cancelled      bool
		field          string // a refusal of this field
		channel, last4 string
	}{
		{name: "success card", in: cardpartner.PayInput{Method: "card", Card: "4242 4242 4242 4242"}, channels: kes, channel: "card", last4: "4242"},
		{name: "mastercard", in: cardpartner.PayInput{Method: "card", Card: "5555-5555-5555-4444"}, channels: usd, channel: "card", last4: "4444"},
		{name: "general decline card", in: cardpartner.PayInput{Method: "card", Card: "4000000000000002"}, channels: kes, code: 20000, channel: "card", last4: "0002"},
		{name: "insufficient funds card", in: cardpartner.PayInput{Method: "card", Card: "4000 0000 0000 9995"}, channels: kes, code: 20105, channel: "card", last4: "9995"},
		{name: "refund-declining card", in: cardpartner.PayInput{Method: "debitcard", Card: "4000000000000077"}, channels: kes, refundDeclines: true, channel: "card", last4: "0077"},
		{name: "any other valid card", in: cardpartner.PayInput{Card: "4111111111111111"}, channels: kes, channel: "card", last4: "1111"},
		{name: "nothing pays with the first test card", in: cardpartner.PayInput{}, channels: usd, channel: "card", last4: "4242"},
		{name: "card failing Luhn", in: cardpartner.PayInput{Method: "card", Card: "4242424242424241"}, channels: kes, field: "card"},
		{name: "card too short", in: cardpartner.PayInput{Method: "card", Card: "4242"}, channels: kes, field: "card"},
		{name: "card with letters", in: cardpartner.PayInput{Method: "card", Card: "4242abcd42424242"}, channels: kes, field: "card"},
		{name: "no card number", in: cardpartner.PayInput{Method: "card"}, channels: kes, field: "card"},
		{name: "mpesa success", in: cardpartner.PayInput{Method: "mpesa", Phone: "+254 708 374 149"}, channels: kes, channel: "mpesa"},
		{name: "mpesa declined", in: cardpartner.PayInput{Method: "mpesa", Phone: "254700000002"}, channels: kes, code: 20000, channel: "mpesa"},
		{name: "airtel insufficient funds", in: cardpartner.PayInput{Method: "airtel", Phone: "254700009995"}, channels: kes, code: 20105, channel: "airtel"},
		{name: "equity refund-declining phone", in: cardpartner.PayInput{Method: "equity", Phone: "254700000077"}, channels: kes, refundDeclines: true, channel: "equity"},
		{name: "a phone alone is M-Pesa", in: cardpartner.PayInput{Phone: "254711222333"}, channels: kes, channel: "mpesa"},
		{name: "phone too short", in: cardpartner.PayInput{Method: "mpesa", Phone: "2547"}, channels: kes, field: "phone"},
		{name: "no phone", in: cardpartner.PayInput{Method: "mpesa"}, channels: kes, field: "phone"},
		{name: "mpesa not offered in USD", in: cardpartner.PayInput{Method: "mpesa", Phone: "254708374149"}, channels: usd, field: "method"},
		{name: "unknown method", in: cardpartner.PayInput{Method: "bitcoin"}, channels: kes, field: "method"},
		{name: "cancel", in: cardpartner.PayInput{Method: "cancel"}, channels: kes, cancelled: true, code: 20000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := cardpartner.Decide(tt.in, tt.channels)
			if tt.field != "" {
				var pe *platform.Error
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, platform.CodeInvalidRequest, pe.Code)
				assert.Equal(t, []string{tt.field}, fields(pe))
				assert.NotEmpty(t, pe.Fields[0].Message)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.code, d.Code)
			assert.Equal(t, tt.refundDeclines, d.RefundDeclines)
			assert.Equal(t, tt.cancelled, d.Cancelled)
			assert.Equal(t, tt.channel, d.Channel)
			assert.Equal(t, tt.last4, d.CardLast4)
		})
	}
}

func TestTestNumbersAreValid(t *testing.T) {
	t.Parallel()
	for _, c := range cardpartner.TestCards {
		n, msg := cardpartner.CheckCard(c.Number)
		assert.Empty(t, msg, c.Number)
		assert.Equal(t, c.Number, n)
	}
	for _, p := range cardpartner.TestPhones {
		_, msg := cardpartner.CheckPhone(p.Number)
		assert.Empty(t, msg, p.Number)
	}
	// Numbers as people type them, read as every number people type is
	// (platform.CompactNumber), brackets of an area code too.
	for typed, want := range map[string]string{"4242 4242-4242.4242": "4242424242424242", "\t4242\u00a04242 4242 4242 ": "4242424242424242"} {
		n, msg := cardpartner.CheckCard(typed)
		assert.Empty(t, msg, typed)
		assert.Equal(t, want, n, typed)
	}
	n, msg := cardpartner.CheckPhone("+254 (708) 374-149")
	assert.Empty(t, msg)
	assert.Equal(t, "254708374149", n)
	assert.Equal(t, "Declined: 20105 Insufficient funds on customer account", cardpartner.TestCards[3].Outcome())
	assert.True(t, cardpartner.Luhn("79927398713"))
	assert.False(t, cardpartner.Luhn("79927398710"))
	assert.Equal(t, "Mastercard", cardpartner.CardBrand("2221000000000009"))
	assert.Equal(t, "American Express", cardpartner.CardBrand("378282246310005"))
}

func TestPay(t *testing.T) {
	t.Parallel()
	prov := cardpartner.New()

	p := opened(t, 1000, "KES")
	s, err := prov.Pay(p, platform.MustJSON(cardpartner.PayInput{Method: "card", Card: "4242424242424242"}), testEnv(t0.Add(time.Minute)))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusSuccess, s.Status)
	assert.Empty(t, s.AuthCode, `the partner gives no approval code: auth_code "" (docs/callbacks.md)`)
	assert.Contains(t, string(s.Data), `"card_last4":"4242"`)
	assert.NotContains(t, string(s.Data), "4242424242424242", "the card number is never kept")

	for _, c := range []struct {
		card string
		code int
	}{{"4000000000000002", 20000}, {"4000000000009995", 20105}} {
		p := opened(t, 1000, "KES")
		s, err := prov.Pay(p, platform.MustJSON(cardpartner.PayInput{Method: "card", Card: c.card}), testEnv(t0.Add(time.Minute)))
		require.NoError(t, err)
		assert.Equal(t, platform.StatusDecline, s.Status)
		assert.Equal(t, c.code, s.Code)
		assert.Equal(t, platform.CodeMessage(c.code), s.Message)
		assert.Empty(t, s.AuthCode)
	}

	// A refusal changes nothing.
	p = opened(t, 1000, "KES")
	s, err = prov.Pay(p, platform.MustJSON(cardpartner.PayInput{Method: "card", Card: "1234"}), testEnv(t0.Add(time.Minute)))
	assert.Equal(t, platform.CodeInvalidRequest, platform.ErrorCode(err))
	assert.Equal(t, platform.Step{}, s)

	// After the ttl, paying declines.
	s, err = prov.Pay(p, platform.MustJSON(cardpartner.PayInput{Method: "card", Card: "4242424242424242"}), testEnv(t0.Add(900*time.Second)))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status)
	assert.Equal(t, 20000, s.Code)

	// A paid payment cannot be paid again.
	p.Status = platform.StatusSuccess
	_, err = prov.Pay(p, nil, testEnv(t0))
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))

	// Fail and Expire decline.
	p = opened(t, 1000, "KES")
	s, err = prov.Fail(p, 20105, testEnv(t0))
	require.NoError(t, err)
	assert.Equal(t, 20105, s.Code)
	s, err = prov.Expire(p, testEnv(t0))
	require.NoError(t, err)
	assert.Equal(t, 20000, s.Code)

	// Neither touches a refund under way.
	p.Status, p.Sale().Status = platform.StatusSuccess, platform.StatusSuccess
	p.Operations = append(p.Operations, platform.Operation{Type: platform.OperationRefund, Status: platform.StatusProcessing})
	_, err = prov.Fail(p, 20000, testEnv(t0))
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
	_, err = prov.Expire(p, testEnv(t0))
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
}

func TestRefund(t *testing.T) {
	t.Parallel()
	prov := cardpartner.New()
	tests := []struct {
		in       json.RawMessage
		declines bool
	}{
		{platform.MustJSON(cardpartner.PayInput{Card: "4242424242424242"}), false},
		{platform.MustJSON(cardpartner.PayInput{Card: "4000000000000077"}), true},
		{platform.MustJSON(cardpartner.PayInput{Method: "mpesa", Phone: "254708374149"}), false},
		{platform.MustJSON(cardpartner.PayInput{Method: "mpesa", Phone: "254700000077"}), true},
	}
	for _, tt := range tests {
		p := opened(t, 1000, "KES")
		s, err := prov.Pay(p, tt.in, testEnv(t0.Add(time.Minute)))
		require.NoError(t, err)
		require.Equal(t, platform.StatusSuccess, s.Status)
		applyStep(p, s)
		p.Operations = append(p.Operations, platform.Operation{ID: 1_000_000_391, Type: platform.OperationRefund, Status: platform.StatusProcessing})

		s, err = prov.Refund(p, testEnv(t0.Add(time.Hour)))
		require.NoError(t, err)
		if tt.declines {
			// A declined refund's reference ends in RF (docs/callbacks.md).
			assert.Regexp(t, `^1772445600\d{3}RF$`, s.ProviderPaymentID)
			assert.Equal(t, platform.StatusDecline, s.Status, tt.in)
			assert.Equal(t, 20000, s.Code)
		} else {
			// A refund's reference is 13 digits alone (docs/callbacks.md).
			assert.Regexp(t, `^1772445600\d{3}$`, s.ProviderPaymentID)
			assert.Equal(t, platform.StatusSuccess, s.Status, tt.in)
		}
	}
}

func TestDecisionsAreRepeatable(t *testing.T) {
	t.Parallel()
	a, err := cardpartner.New().Start(testPayment(1000, "KES"), testEnv(t0))
	require.NoError(t, err)
	b, err := cardpartner.New().Start(testPayment(1000, "KES"), testEnv(t0))
	require.NoError(t, err)
	assert.Equal(t, a, b, "same time and seed, same step")
}
