package ecovoucher

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestMethod(t *testing.T) {
	t.Parallel()
	m := New().Method()
	assert.Equal(t, "eco-voucher", m.Code)
	assert.Equal(t, "EcoVoucher", m.Name)
	assert.Equal(t, "eco-voucher", m.PaymentMethod)
	assert.Equal(t, 1109, m.ProviderID)
	assert.Equal(t, "/v2/payment/voucher/eco-voucher/sale", m.GatePath)
	assert.Equal(t, []string{"ecoVoucher", "eco-voucher"}, m.ForceCodes)
	assert.Equal(t, []string{"CAD", "GBP", "EUR", "USD"}, m.Currencies)
	assert.Equal(t, []string{"customer.id", "customer.ip_address", "return_url.success", "return_url.decline"}, m.GateRequired)
	assert.Empty(t, m.PageRequired)
	assert.True(t, m.ZeroAmount)
	assert.False(t, m.Refunds)
	assert.Equal(t, platform.Duration(30*time.Minute), m.Defaults.Timeout)
	assert.Equal(t, int64(1_250_000), m.Defaults.MaxAmount)

	_, declined := platform.CheckAmount(m, m.Defaults, platform.Sum{Amount: 0, Currency: "EUR"})
	assert.False(t, declined, "amount 0 is allowed")
	s, declined := platform.CheckAmount(m, m.Defaults, platform.Sum{Amount: 1000, Currency: "JPY"})
	assert.True(t, declined)
	assert.Equal(t, platform.DeclineGeneral, s.Code)
}

func TestChecksum(t *testing.T) {
	t.Parallel()
	b := RedirectBody{
		PaymentPageID: "3324", MerchantAccountNumber: "100842", CustomerIDAtMerchant: "12",
		OnSuccessURL: "http://sandbox.test/providers/eco-voucher/complete?tx=1000000001",
		OnFailureURL: "http://sandbox.test/providers/eco-voucher/complete?tx=1000000001",
		TxID:         1000000001, Currency: "EUR",
		TransferURL: "http://sandbox.test/providers/eco-voucher/callback",
		CallbackURL: "http://sandbox.test/providers/eco-voucher/callback",
	}
	// Frozen; md5sum of "3324|100842|12|…|EUR|…|ecovoucher-sandbox" gives the same.
	assert.Equal(t, "6dd3c44d523de5648571b1b1f02528cd", Checksum(b))
	b.Checksum = "ignored"
	assert.Equal(t, "6dd3c44d523de5648571b1b1f02528cd", Checksum(b), "the checksum does not cover itself")
	for _, change := range []func(*RedirectBody){
		func(b *RedirectBody) { b.TxID++ },
		func(b *RedirectBody) { b.Currency = "USD" },
		func(b *RedirectBody) { b.CustomerIDAtMerchant = "13" },
		func(b *RedirectBody) { b.OnFailureURL += "x" },
	} {
		c := b
		change(&c)
		assert.NotEqual(t, Checksum(b), Checksum(c))
	}

	assert.Equal(t, "3324010001000000001", ProviderPaymentID(1000000001))
	assert.Equal(t, "100842", MerchantAccountNumber(842))
	assert.Equal(t, "tx:1000000001", TxReference(1000000001))
}

func TestMismatch(t *testing.T) {
	t.Parallel()
	b := New().redirectBody(&platform.Payment{ProjectID: 842, Customer: platform.Customer{ID: "12"}, Amount: platform.Sum{Currency: "EUR"}}, 1000000007, "http://sb")
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	fields, err := redirectMap(raw)
	require.NoError(t, err)
	assert.Equal(t, "1000000007", fields["TxID"], "TxID is a JSON number")
	assert.Empty(t, Mismatch(fields, b))

	fields["Currency"] = "USD"
	delete(fields, "CallbackUrl")
	delete(fields, "Checksum")
	got := Mismatch(fields, b)
	assert.Equal(t, []string{"missing: CallbackUrl, Checksum", `Currency is "USD"; the sandbox sent "EUR"`}, got)
}

func sale(amount int64, currency string) *platform.Payment {
	return &platform.Payment{
		ProjectID: 842, ID: "X03936", Method: Code, Interface: platform.InterfaceGate,
		Status:   platform.StatusProcessing,
		Amount:   platform.Sum{Amount: amount, Currency: currency},
		Customer: platform.Customer{ID: "12"},
		Operations: []platform.Operation{{ID: 1000000001, Type: platform.OperationSale, Status: platform.StatusProcessing,
			Sum: platform.Sum{Amount: amount, Currency: currency}}},
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	env := platform.Env{Now: now, BaseURL: "http://sb", Settings: Method().Defaults}
	s, err := New().Start(sale(0, "EUR"), env)
	require.NoError(t, err)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Status)
	assert.True(t, s.Notify)
	assert.Equal(t, "3324010001000000001", s.ProviderPaymentID)
	assert.Equal(t, []string{"tx:1000000001"}, s.References)
	assert.Equal(t, []platform.ProviderJob{{Name: JobSessionTimeout, Due: now.Add(30 * time.Minute)}}, s.Jobs)
	assert.Contains(t, Method().Jobs, JobSessionTimeout, "Method.Jobs says what the job does, for the console")
	require.NotNil(t, s.Redirect)
	assert.Equal(t, "http://sb/providers/eco-voucher/pay", s.Redirect.URL)
	assert.Equal(t, "POST", s.Redirect.Method)

	var body map[string]any
	require.NoError(t, json.Unmarshal(s.Redirect.Body, &body))
	assert.Equal(t, map[string]any{
		"PaymentPageID":         "3324",
		"MerchantAccountNumber": "100842",
		"CustomerIdAtMerchant":  "12",
		"OnSuccessUrl":          "http://sb/providers/eco-voucher/complete?tx=1000000001",
		"OnFailureUrl":          "http://sb/providers/eco-voucher/complete?tx=1000000001",
		"TxID":                  float64(1000000001),
		"Currency":              "EUR",
		"TransferUrl":           "http://sb/providers/eco-voucher/callback",
		"CallbackUrl":           "http://sb/providers/eco-voucher/callback",
		"Checksum":              body["Checksum"],
	}, body, "the seed's fields, TxID an integer")
	var b RedirectBody
	require.NoError(t, json.Unmarshal(s.Redirect.Body, &b))
	assert.Equal(t, Checksum(b), b.Checksum)

	st := stateOf(&platform.Payment{ProviderData: s.Data})
	assert.Equal(t, state{TxID: 1000000001, Checksum: b.Checksum, ExpiresAt: now.Add(30 * time.Minute)}, st)

	env.Settings.Timeout = platform.Duration(5 * time.Minute)
	s, err = New().Start(sale(4500, "GBP"), env)
	require.NoError(t, err)
	assert.Equal(t, now.Add(5*time.Minute), s.Jobs[0].Due, "Settings.Timeout sets the session")
}

func TestStartDeclinesAmountsVouchersCannotMake(t *testing.T) {
	t.Parallel()
	env := platform.Env{Now: now, BaseURL: "http://sb", Settings: Method().Defaults}
	for _, amount := range []int64{1234, 500, 1050} {
		s, err := New().Start(sale(amount, "EUR"), env)
		require.NoError(t, err)
		assert.Equal(t, platform.StatusDecline, s.Status, "%d", amount)
		assert.Equal(t, platform.DeclineGeneral, s.Code)
		require.Len(t, s.Errors, 1)
		assert.Equal(t, "payment.amount", s.Errors[0].Field)
		assert.Contains(t, s.Errors[0].Message, "10, 15, 25, 50, 75, 100, 150 or 250 EUR")
		assert.Nil(t, s.Redirect)
	}
}

// refusal returns the Refusal and detail of a Check or Pay error.
func refusal(t *testing.T, err error) (Refusal, string) {
	t.Helper()
	require.Error(t, err)
	var pe *platform.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, platform.CodeStatusForbids, pe.Code)
	var r *Refusal
	require.ErrorAs(t, err, &r)
	// The reason in the pages' words says the detail in English, and in
	// every other language something else, with no key left unfound.
	if !slices.ContainsFunc(r.why.args, func(a any) bool { _, ok := a.(time.Time); return ok }) {
		assert.Equal(t, pe.Detail, r.In(web.NewTranslator("en").With(words)))
	}
	for _, lang := range web.Languages()[1:] {
		said := r.In(web.NewTranslator(lang).With(words))
		assert.NotEqual(t, pe.Detail, said, lang)
		assert.NotContains(t, said, "eco.", lang)
	}
	out := *r
	out.why = phrase{}
	return out, pe.Detail
}

func entered(vs ...TestVoucher) []VoucherInput {
	out := make([]VoucherInput, len(vs))
	for i, v := range vs {
		out[i] = VoucherInput{Number: GroupNumber(v.Number), SecurityCode: v.SecurityCode, Expiry: v.Expiry}
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	e10, e25, e10b := issue(t, "EUR", 10, 1), issue(t, "EUR", 25, 1), issue(t, "EUR", 10, 2)
	g10 := issue(t, "GBP", 10, 1)
	eur := func(a int64) platform.Sum { return platform.Sum{Amount: a, Currency: "EUR"} }
	defaults := Method().Defaults

	vs, err := Check(entered(e25, e10, e10b), eur(4500), defaults, usedSet())
	require.NoError(t, err)
	assert.Equal(t, []TestVoucher{e25, e10, e10b}, vs)
	_, err = Check(entered(e25, e10), eur(0), defaults, usedSet())
	assert.NoError(t, err, "amount 0: any sum")

	in := entered(e10)
	in[0].Expiry = "12/2099"
	in[0].SecurityCode = " " + e10.SecurityCode
	_, err = Check(in, eur(1000), defaults, usedSet())
	assert.NoError(t, err, "MM/YYYY and spaces are fine")

	with := func(i int, mutate func(*VoucherInput), vs ...TestVoucher) []VoucherInput {
		in := entered(vs...)
		mutate(&in[i])
		return in
	}
	tests := []struct {
		name   string
		in     []VoucherInput
		amount platform.Sum
		s      platform.MethodSettings
		used   UsedFunc
		want   Refusal
		detail string
	}{
		{"no voucher", nil, eur(1000), defaults, usedSet(), Refusal{Index: -1}, "Enter at least one voucher"},
		{"unknown number", with(1, func(v *VoucherInput) { v.Number = withCheck("619780010000000") }, e10, e25), eur(3500), defaults, usedSet(),
			Refusal{Index: 1, Field: "number"}, "No EcoVoucher has the number 6197 8001 0000 000"},
		{"typo in number", with(0, func(v *VoucherInput) { v.Number = v.Number[:len(v.Number)-1] + "9" }, e25), eur(2500), defaults, usedSet(),
			Refusal{Index: 0, Field: "number"}, "a digit is wrong"},
		{"wrong security code", with(0, func(v *VoucherInput) { v.SecurityCode = "0000" }, e10), eur(1000), defaults, usedSet(),
			Refusal{Index: 0, Field: "security_code"}, "The security code does not match voucher 6197 8001 0000 0010"},
		{"no security code", with(0, func(v *VoucherInput) { v.SecurityCode = "" }, e10), eur(1000), defaults, usedSet(),
			Refusal{Index: 0, Field: "security_code"}, "Enter the 4-digit security code"},
		{"wrong expiry", with(0, func(v *VoucherInput) { v.Expiry = "11/99" }, e10), eur(1000), defaults, usedSet(),
			Refusal{Index: 0, Field: "expiry"}, "The expiry date does not match"},
		{"expiry not a date", with(0, func(v *VoucherInput) { v.Expiry = "soon" }, e10), eur(1000), defaults, usedSet(),
			Refusal{Index: 0, Field: "expiry"}, `as MM/YY, for example 12/99; "soon" is not a date`},
		{"no expiry", with(0, func(v *VoucherInput) { v.Expiry = "" }, e10), eur(1000), defaults, usedSet(),
			Refusal{Index: 0, Field: "expiry"}, "Enter the expiry date"},
		{"other currency", entered(g10), eur(1000), defaults, usedSet(),
			Refusal{Index: 0, Field: "number"}, "is in GBP, but this payment is in EUR"},
		{"used", entered(e10, e25), eur(3500), defaults, usedSet(e25.Number),
			Refusal{Index: 1, Field: "number", Used: true}, "Voucher 6197 8002 5000 0018 was already used"},
		{"twice", entered(e10, e10), eur(2000), defaults, usedSet(),
			Refusal{Index: 1, Field: "number"}, "twice (vouchers 1 and 2)"},
		{"sum short", entered(e25, e10), eur(4500), defaults, usedSet(),
			Refusal{Index: -1}, "Your vouchers add up to €35.00, but the shop asks for €45.00"},
		{"sum over", entered(e25, e10, e10b), eur(3500), defaults, usedSet(),
			Refusal{Index: -1}, "add up to €45.00, but the shop asks for €35.00"},
		{"above max amount", entered(e25, e10), eur(0), platform.MethodSettings{MaxAmount: 3000}, usedSet(),
			Refusal{Index: -1}, "above the shop's limit of €30.00"},
		{"below min amount", entered(e10), eur(0), platform.MethodSettings{MinAmount: 2000}, usedSet(),
			Refusal{Index: -1}, "below the shop's minimum of €20.00"},
		{"too many", make([]VoucherInput, MaxVouchers+1), eur(0), defaults, usedSet(),
			Refusal{Index: -1}, "at most 60 vouchers; you entered 61"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.in, tt.amount, tt.s, tt.used)
			r, detail := refusal(t, err)
			assert.Equal(t, tt.want, r)
			assert.Contains(t, detail, tt.detail)
			assert.Regexp(t, `^[A-Z0-9].*\.$`, detail, "a sentence")
		})
	}

	failing := errors.New("store down")
	_, err = Check(entered(e10), eur(1000), defaults, func(string) (bool, error) { return false, failing })
	assert.ErrorIs(t, err, failing)
}

func TestPayRefusesWhatIsNotOpen(t *testing.T) {
	t.Parallel()
	env := platform.Env{Now: now, BaseURL: "http://sb", Settings: Method().Defaults}
	p := sale(1000, "EUR")
	s, err := New().Start(p, env)
	require.NoError(t, err)
	p.ProviderData = s.Data
	vouchers := platform.MustJSON(PayInput{Vouchers: entered(issue(t, "EUR", 10, 1))})

	for status, want := range map[platform.Status]string{
		platform.StatusProcessing: "Your vouchers were already sent; the payment waits for the shop's confirmation.",
		platform.StatusSuccess:    "This payment was already paid; there is nothing left to pay.",
		platform.StatusDecline:    "This payment was declined; go back to the shop to start a new one.",
	} {
		p.Status = status
		_, err := New().Pay(p, vouchers, env)
		r, detail := refusal(t, err)
		assert.Equal(t, Refusal{Index: -1, Closed: true}, r)
		assert.Equal(t, want, detail, status)
	}

	p.Status = platform.StatusAwaitingRedirect
	env.Now = now.Add(30 * time.Minute)
	_, err = New().Pay(p, vouchers, env)
	r, detail := refusal(t, err)
	assert.True(t, r.Closed)
	assert.Contains(t, detail, "Your EcoVoucher session ended at 2026-03-02 09:30 UTC")
}

func TestConfirmed(t *testing.T) {
	t.Parallel()
	p := sale(1000, "EUR")
	p.Status = platform.StatusProcessing
	tests := []struct {
		name    string
		answer  platform.DepositAnswer
		status  platform.Status
		code    int
		outcome string
	}{
		{"confirmed", platform.DepositAnswer{Confirmed: true}, platform.StatusSuccess, 0, OutcomeRedeemed},
		{"refused", platform.DepositAnswer{Code: platform.DeclineByMerchant, Reason: "code 5"}, platform.StatusDecline, 30000, OutcomeMerchantRefuse},
		{"no answer", platform.DepositAnswer{Code: platform.DeclineMerchantNoAnswer}, platform.StatusDecline, 30302, OutcomeMerchantSilent},
		{"unknown code reads as a refusal", platform.DepositAnswer{Code: 0}, platform.StatusDecline, 30000, OutcomeMerchantRefuse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New().Confirmed(p, tt.answer, platform.Env{Now: now})
			require.NoError(t, err)
			assert.Equal(t, tt.status, s.Status)
			assert.Equal(t, tt.code, s.Code)
			if tt.code != 0 {
				assert.Equal(t, platform.CodeMessage(tt.code), s.Message)
			}
			assert.Equal(t, tt.outcome, stateOf(&platform.Payment{ProviderData: s.Data}).Outcome)
		})
	}
	// A payment declined meanwhile stays as it is.
	p.Operations[0].Status = platform.StatusDecline
	s, err := New().Confirmed(p, platform.DepositAnswer{Confirmed: true}, platform.Env{Now: now})
	require.NoError(t, err)
	assert.Equal(t, platform.Step{}, s)
}

func TestFailExpireJob(t *testing.T) {
	t.Parallel()
	p := sale(0, "EUR")
	p.Status = platform.StatusAwaitingRedirect
	env := platform.Env{Now: now}

	s, err := New().Fail(p, platform.DeclineInsufficientFunds, env)
	require.NoError(t, err)
	assert.Equal(t, platform.Decline(platform.DeclineInsufficientFunds).Code, s.Code)
	assert.Equal(t, platform.StatusDecline, s.Status)

	s, err = New().Expire(p, env)
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status)
	assert.Equal(t, platform.DeclineGeneral, s.Code)
	assert.Equal(t, "General decline", s.Message)

	s, err = New().Job(p, JobSessionTimeout, env)
	require.NoError(t, err)
	assert.Equal(t, platform.DeclineGeneral, s.Code)
	assert.Equal(t, OutcomeExpired, stateOf(&platform.Payment{ProviderData: s.Data}).Outcome)

	p.Status = platform.StatusProcessing
	s, err = New().Job(p, JobSessionTimeout, env)
	require.NoError(t, err)
	assert.Equal(t, platform.Step{}, s, "vouchers were sent: the timeout leaves the payment to the merchant's answer")

	assert.Contains(t, Method().Jobs, JobDepositTimeout, "Method.Jobs says what the job does, for the console")
	s, err = New().Job(p, JobDepositTimeout, env)
	require.NoError(t, err)
	assert.Equal(t, platform.DeclineMerchantNoAnswer, s.Code, "a check_deposit that never got an answer declines")
	assert.Equal(t, OutcomeMerchantSilent, stateOf(&platform.Payment{ProviderData: s.Data}).Outcome)

	p.Status = platform.StatusSuccess
	s, err = New().Job(p, JobDepositTimeout, env)
	require.NoError(t, err)
	assert.Equal(t, platform.Step{}, s, "an answered deposit is left alone")

	_, err = New().Job(p, "lapse", env)
	assert.Error(t, err)
}

func TestConvert(t *testing.T) {
	t.Parallel()
	eur := platform.Sum{Amount: 4500, Currency: "EUR"}
	assert.Equal(t, &eur, Convert(eur, nil), "identity by default")
	assert.Equal(t, &eur, Convert(eur, map[string]int64{"GBP/USD": 1_270_000, "EUR": 2_000_000}), "only EUR/… pairs apply")
	assert.Equal(t, &platform.Sum{Amount: 4883, Currency: "USD"}, Convert(eur, map[string]int64{"EUR/USD": 1_085_000}), "48.825 rounds up")
}
