package voucher

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

func TestStartDrawsAgainForAReferenceAnotherPaymentOwns(t *testing.T) {
	t.Parallel()
	first, err := testProvider().Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	taken := first.Voucher.Reference

	// A sandbox restarted with the same seed over its data draws the same
	// reference again: another payment owns it, so Start draws again.
	prov := withOwners(testProvider(), map[string]platform.PaymentKey{"cash/" + taken: {ProjectID: 1, PaymentID: "earlier"}})
	s, err := prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	require.NotNil(t, s.Voucher)
	assert.NotEqual(t, taken, s.Voucher.Reference)
	assert.True(t, ValidReference(s.Voucher.Reference))
	assert.Len(t, s.Voucher.Reference, 14)
	assert.Equal(t, []string{s.Voucher.Reference}, s.References)
	assert.Equal(t, "http://sandbox.test/providers/cash/vouchers/"+s.Voucher.Reference, s.Redirect.URL)

	// The payment's own reference is no collision (a job replayed).
	prov = withOwners(testProvider(), map[string]platform.PaymentKey{"cash/" + taken: testPayment("").Key()})
	s, err = prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	assert.Equal(t, taken, s.Voucher.Reference)

	// Another method's reference is no collision either.
	prov = withOwners(testProvider(), map[string]platform.PaymentKey{"oxxo/" + taken: {ProjectID: 1, PaymentID: "earlier"}})
	s, err = prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	assert.Equal(t, taken, s.Voucher.Reference)
}

func TestStartFailsWhenOwnersCannotBeRead(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	prov.owner = func(platform.Env, string, string) (platform.PaymentKey, bool, error) {
		return platform.PaymentKey{}, false, errors.New("disk on fire")
	}
	_, err := prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	assert.ErrorContains(t, err, "disk on fire")

	// Outside the engine there is no transaction to ask: an error, never a
	// reference that may be taken.
	prov = New(testProvider().Config())
	_, err = prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	assert.ErrorContains(t, err, "no transaction")
}

func TestStartGivesUpAfterManyTakenDraws(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	prov.owner = func(platform.Env, string, string) (platform.PaymentKey, bool, error) {
		return platform.PaymentKey{ProjectID: 9, PaymentID: "all"}, true, nil
	}
	_, err := prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	assert.ErrorContains(t, err, "no free 14-digit reference in 1000 draws")
}

// postBody is a Lotérica-like redirect body.
type postBody struct {
	PaymentID   string `json:"paymentID"`
	OperationID int64  `json:"operation_id"`
	Amount      string `json:"amount"`
}

func postProvider(body func(RedirectInput) (any, error)) *Provider {
	cfg := testProvider().Config()
	cfg.RedirectBody = body
	return withOwners(New(cfg), nil)
}

func TestRedirectPOSTWithBody(t *testing.T) {
	t.Parallel()
	var got RedirectInput
	prov := postProvider(func(in RedirectInput) (any, error) {
		got = in
		return postBody{PaymentID: in.Payment.ID, OperationID: in.Payment.Sale().ID, Amount: "1250.00"}, nil
	})
	p := testPayment("84887177100")
	s, err := prov.Start(p, testEnv(t0, "", 1))
	require.NoError(t, err)
	require.NotNil(t, s.Redirect)
	assert.Equal(t, "POST", s.Redirect.Method)
	assert.Equal(t, "http://sandbox.test/providers/cash/vouchers/"+s.Voucher.Reference, s.Redirect.URL)
	assert.JSONEq(t, `{"paymentID":"order-1","operation_id":1000000001,"amount":"1250.00"}`, string(s.Redirect.Body))
	assert.Equal(t, s.Redirect.URL, got.URL)
	assert.Equal(t, s.ProviderPaymentID, got.ProviderPaymentID)
	assert.Equal(t, s.Voucher, got.Voucher)
	assert.Equal(t, t0, got.Env.Now)

	// The same seed gives the same voucher whatever the redirect: the body
	// draws nothing.
	plain, err := testProvider().Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	assert.Equal(t, plain.Voucher.Reference, s.Voucher.Reference)
	assert.Equal(t, plain.ProviderPaymentID, s.ProviderPaymentID)
}

func TestRedirectBodyMustBeAnObject(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]func(RedirectInput) (any, error){
		"a list":   func(RedirectInput) (any, error) { return []string{"a"}, nil },
		"a string": func(RedirectInput) (any, error) { return "a", nil },
		"null":     func(RedirectInput) (any, error) { return nil, nil },
		"an error": func(RedirectInput) (any, error) { return nil, errors.New("no merchant ID") },
		"no JSON":  func(RedirectInput) (any, error) { return map[string]any{"f": func() {}}, nil },
	} {
		_, err := postProvider(body).Start(testPayment("84887177100"), testEnv(t0, "", 1))
		assert.ErrorContains(t, err, "cash redirect body", name)
	}
}

func TestVariantsAndSettings(t *testing.T) {
	t.Parallel()
	bank := testProvider()
	assert.Equal(t, []string{VariantBank, VariantShort}, bank.Variants())
	assert.Equal(t, VariantBank, bank.Method().Defaults.Variant)
	assert.NoError(t, bank.CheckSettings(platform.MethodSettings{Variant: VariantBank}))
	assert.NoError(t, bank.CheckSettings(platform.MethodSettings{Variant: VariantShort, MaxAmount: 100}))
	assert.NoError(t, bank.CheckSettings(platform.MethodSettings{}))
	assert.EqualError(t, bank.CheckSettings(platform.MethodSettings{Variant: "7days"}), `cash has no variant "7days": use "bank" or "3days"`)

	// A method without a bank window (Lotérica) has one variant.
	cfg := testProvider().Config()
	cfg.Method.Defaults.Variant = ""
	cfg.Validity, cfg.BankWindow, cfg.ShortValidity = 3*day, 0, 0
	short := withOwners(New(cfg), nil)
	assert.Equal(t, []string{VariantShort}, short.Variants())
	assert.Equal(t, VariantShort, short.Method().Defaults.Variant)
	assert.EqualError(t, short.CheckSettings(platform.MethodSettings{Variant: VariantBank}), `cash has no variant "bank": use "3days"`)

	s, err := short.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	assert.Equal(t, t0.Add(3*day), s.Voucher.ValidUntil)
	assert.True(t, s.Voucher.BankUntil.IsZero())
	s, err = short.Start(testPayment("84887177100"), testEnv(t0, VariantBank, 1))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status, "a variant the method lacks still declines at sale time")
	assert.Contains(t, s.Errors[0].Message, `use "3days"`)
}

func TestCheckField(t *testing.T) {
	t.Parallel()
	cfg := testProvider().Config()
	cfg.CheckCustomer = nil
	cfg.DocNumberLengths = []int{11, 7, 8, 8}
	cfg.Method.PageRequired = []string{ParamEmail, ParamDocNumber}
	prov := New(cfg)
	assert.Equal(t, []int{7, 8, 11}, prov.Config().DocNumberLengths)
	check := prov.Method().CheckField
	require.NotNil(t, check)
	assert.Empty(t, check(ParamDocNumber, "1234567", "en"))
	assert.Empty(t, check(ParamDocNumber, "12345678901", "en"))
	assert.Equal(t, "must be 7, 8 or 11 digits; it has 9", check(ParamDocNumber, "123456789", "en"))
	assert.Empty(t, check(ParamEmail, "guido@example.com", "en"))
	assert.Contains(t, check(ParamEmail, "guido@", "en"), "must be an email address")
	assert.Empty(t, check("customer_first_name", "", "en"))

	// The Gate checks the document with the same rule.
	s, err := withOwners(prov, nil).Start(testPayment("123456789"), testEnv(t0, "", 1))
	require.NoError(t, err)
	require.Len(t, s.Errors, 1)
	assert.Equal(t, DocNumberField, s.Errors[0].Field)
	assert.Equal(t, "must be 7, 8 or 11 digits; it has 9", s.Errors[0].Message)

	// No rule, no check: a method that checks nothing leaves CheckField nil.
	cfg = testProvider().Config()
	cfg.Method.PageRequired = nil
	cfg.Method.CheckField = nil
	assert.Nil(t, New(cfg).Method().CheckField)

	// A method's own CheckField is kept.
	cfg.Method.CheckField = func(string, string, string) string { return "mine" }
	cfg.DocNumberLengths = []int{7}
	assert.Equal(t, "mine", New(cfg).Method().CheckField(ParamDocNumber, "1", "en"))

	// In the Payment Page's other languages.
	check = prov.Method().CheckField
	assert.Equal(t, "debe tener 7, 8 o 11 dígitos; tiene 9", check(ParamDocNumber, "123456789", "es"))
	assert.Equal(t, "deve ter 7, 8 ou 11 dígitos; contém caracteres que não são dígitos", check(ParamDocNumber, "12.345.678", "pt-BR"))
	assert.Equal(t, "debe ser un correo electrónico como nombre@ejemplo.com", check(ParamEmail, "guido@", "es"))
	assert.Empty(t, check(ParamDocNumber, "12345678", "es"))
	oxxo := New(Config{Method: platform.Method{Code: "o"}, DocNumberLengths: DigitsBetween(10, 18)}).Method().CheckField
	assert.Equal(t, "debe tener de 10 a 18 dígitos; tiene 9", oxxo(ParamDocNumber, "123456789", "es"))
}

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"paul@example.com", "a.b+c@mail.example.co.uk", "x@y.z"} {
		assert.Nil(t, CheckEmail("customer.email", ok), ok)
	}
	for bad, why := range map[string]string{
		"":                          "it is missing",
		"paul":                      `"paul" is not one`,
		"paul@localhost":            `the domain "localhost" has no dot`,
		"Paul <paul@example.com>":   "is not one",
		"paul@example.com, a@b.com": "is not one",
		"paul @example.com":         "is not one",
	} {
		e := CheckEmail("customer.email", bad)
		if assert.NotNil(t, e, bad) {
			assert.Equal(t, "customer.email", e.Field)
			assert.Equal(t, platform.DeclineGeneral, e.Code)
			assert.Contains(t, e.Message, "must be an email address such as name@example.com; ", bad)
			assert.Contains(t, e.Message, why, bad)
		}
	}
}

func TestJSONFields(t *testing.T) {
	t.Parallel()
	f, err := jsonFields([]byte(`{"a":"x","n":334,"b":true,"o":{"k":1},"z":null}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "x", "n": "334", "b": "true", "o": `{"k":1}`, "z": ""}, f)
	f, err = jsonFields([]byte(`[]`))
	require.NoError(t, err)
	assert.Empty(t, f)
	for _, bad := range []string{`[1]`, `"a"`, `{"a":1} {}`, `{`} {
		_, err := jsonFields([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestMismatches(t *testing.T) {
	t.Parallel()
	body, _ := json.Marshal(postBody{PaymentID: "order-1", OperationID: 1000000001, Amount: "10.00"})
	r := &platform.Redirect{URL: "http://x", Method: "POST", Body: body}
	en := web.NewTranslator("en").With(words)
	assert.Empty(t, mismatches(r, map[string]string{"paymentID": "order-1", "operation_id": "1000000001", "extra": "ok"}, en))
	assert.Empty(t, mismatches(r, map[string]string{}, en), "an empty body contradicts nothing")
	assert.Empty(t, mismatches(r, map[string]string{"operation_id": "1.000000001e+09", "amount": "10.00"}, en), "a number written another way")
	assert.Len(t, mismatches(r, map[string]string{"amount": "10"}, en), 1, "the amount is text: 10 is not 10.00")
	assert.Equal(t, []string{
		`amount: posted "10.50", the voucher's redirect body says "10.00"`,
		`paymentID: posted "order-2", the voucher's redirect body says "order-1"`,
	}, mismatches(r, map[string]string{"paymentID": "order-2", "amount": "10.50"}, en))
	assert.Empty(t, mismatches(nil, map[string]string{"paymentID": "x"}, en), "a final payment has no redirect to compare")
	assert.Empty(t, mismatches(&platform.Redirect{Method: "GET", Body: json.RawMessage(`[]`)}, map[string]string{"a": "b"}, en))
}
