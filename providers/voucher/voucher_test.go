package voucher

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

const day = 24 * time.Hour

// t0 is when the test vouchers are issued.
var t0 = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

// testProvider is an Oxxo-like voucher method: 10 days at terminals, bank to
// day 30, or 3 days; 14-digit references; 10–18-digit document numbers.
func testProvider() *Provider {
	return withOwners(New(Config{
		Method: platform.Method{
			Code: "cash", Name: "Cash", PaymentMethod: "cash", ProviderID: 99,
			Currencies: []string{"MXN", "USD"},
			Brand:      platform.Brand{Name: "Cash", Outlet: "Cash store"},
		},
		Validity:        10 * day,
		BankWindow:      30 * day,
		ShortValidity:   3 * day,
		ReferenceDigits: 14,
		CheckCustomer:   DocNumberDigits(DigitsBetween(10, 18)...),
	}), nil)
}

// withOwners makes prov decide without a store: owners maps the
// references other payments own.
func withOwners(prov *Provider, owners map[string]platform.PaymentKey) *Provider {
	prov.owner = func(_ platform.Env, method, ref string) (platform.PaymentKey, bool, error) {
		k, ok := owners[method+"/"+ref]
		return k, ok, nil
	}
	return prov
}

func testEnv(now time.Time, variant string, seed byte) platform.Env {
	return platform.Env{
		Now:      now,
		Rand:     rand.NewChaCha8([32]byte{seed}),
		Settings: platform.MethodSettings{Variant: variant},
		BaseURL:  "http://sandbox.test",
		Project:  platform.DemoProject(),
	}
}

func TestPaymentIDs(t *testing.T) {
	t.Parallel()
	now := time.Date(2020, 6, 26, 7, 27, 6, 0, time.UTC) // Lotérica's seed: 1593156426371
	for _, tt := range []struct {
		name string
		draw func(platform.Env) (string, error)
		want string
	}{
		{"hex, as Oxxo's 9d7e3e16b6a5", HexPaymentID, `^[0-9a-f]{12}$`},
		{"the time and three digits, as Lotérica's 1593156426371", TimePaymentID, `^1593156426[0-9]{3}$`},
		{"a number, as Rapipago's 316", NumberPaymentID, `^[1-9][0-9]{0,8}$`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for seed := range byte(50) {
				id, err := tt.draw(testEnv(now, "", seed))
				require.NoError(t, err)
				assert.Regexp(t, tt.want, id)
			}
		})
	}
}

func testPayment(doc string) *platform.Payment {
	return &platform.Payment{
		ProjectID: 1, ID: "order-1", Method: "cash", Interface: platform.InterfaceGate,
		Status: platform.StatusProcessing,
		Amount: platform.Sum{Amount: 125000, Currency: "MXN"},
		Sum:    platform.Sum{Amount: 125000, Currency: "MXN"},
		Customer: platform.Customer{
			ID: "c1", IPAddress: "203.0.113.7", FirstName: "Guido", LastName: "Marques",
			Email: "marques@example.com", DocNumber: doc,
		},
		Operations: []platform.Operation{{ID: 1_000_000_001, Type: platform.OperationSale, Status: platform.StatusProcessing}},
	}
}

// apply does to p what the engine does with a step, as far as these tests
// look.
func apply(p *platform.Payment, s platform.Step) {
	if s.Voucher != nil {
		p.Voucher = s.Voucher
	}
	if s.Data != nil {
		p.ProviderData = s.Data
	}
	if s.Status != "" {
		p.Status = s.Status
		p.Operations[0].Status = s.Status
	}
}

// issued returns a payment whose voucher was issued at t0 in variant.
func issued(t *testing.T, prov *Provider, variant string) *platform.Payment {
	t.Helper()
	p := testPayment("84887177100")
	s, err := prov.Start(p, testEnv(t0, variant, 1))
	require.NoError(t, err)
	require.Equal(t, platform.StatusAwaitingRedirect, s.Status)
	apply(p, s)
	return p
}

func TestStartIssuesVoucher(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	p := testPayment("84887177100")
	s, err := prov.Start(p, testEnv(t0, "", 1))
	require.NoError(t, err)
	require.NotNil(t, s.Voucher)
	v := s.Voucher

	assert.Equal(t, platform.StatusAwaitingRedirect, s.Status)
	assert.True(t, s.Notify, "the Gate merchant gets the intermediate callback")
	assert.Regexp(t, `^[1-9][0-9]{13}$`, v.Reference)
	assert.True(t, ValidReference(v.Reference), "the last digit is the Luhn check digit")
	assert.Equal(t, v.Reference, v.Barcode)
	assert.Equal(t, p.Amount, v.Amount)
	assert.Equal(t, t0, v.IssuedAt)
	assert.Equal(t, t0.Add(10*day), v.ValidUntil)
	assert.Equal(t, t0.Add(30*day), v.BankUntil)
	assert.True(t, v.PaidAt.IsZero())
	assert.Empty(t, v.Channel)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{12}$`), s.ProviderPaymentID)
	require.NotNil(t, s.Redirect)
	assert.Equal(t, "http://sandbox.test/providers/cash/vouchers/"+v.Reference, s.Redirect.URL)
	assert.Equal(t, "GET", s.Redirect.Method)
	assert.JSONEq(t, `{}`, string(s.Redirect.Body), "Config.EmptyBody unset: an empty object")
	assert.Equal(t, []string{v.Reference}, s.References)
	assert.Equal(t, []platform.ProviderJob{{Name: JobLapse, Due: t0.Add(30 * day)}}, s.Jobs)
	assert.Zero(t, s.Code)
	assert.Empty(t, s.Errors)

	again, err := prov.Start(testPayment("84887177100"), testEnv(t0, "", 1))
	require.NoError(t, err)
	assert.Equal(t, v.Reference, again.Voucher.Reference, "the same seed gives the same reference")
	other, err := prov.Start(testPayment("84887177100"), testEnv(t0, "", 2))
	require.NoError(t, err)
	assert.NotEqual(t, v.Reference, other.Voucher.Reference)
	assert.NotEqual(t, s.ProviderPaymentID, other.ProviderPaymentID)
}

func TestStartChecksDocNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		ok        bool
		why       string
	}{
		{"10 digits", "1234567890", true, ""},
		{"18 digits", "123456789012345678", true, ""},
		{"seed example", "84887177100", true, ""},
		{"9 digits", "123456789", false, "it has 9"},
		{"19 digits", "1234567890123456789", false, "it has 19"},
		{"letters", "12345abcde", false, "not digits"},
		{"dashes", "123-456-7890", false, "not digits"},
		{"missing", "", false, "missing"},
	}
	prov := testProvider()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := prov.Start(testPayment(tt.doc), testEnv(t0, "", 1))
			require.NoError(t, err)
			if tt.ok {
				assert.Equal(t, platform.StatusAwaitingRedirect, s.Status)
				return
			}
			assert.Equal(t, platform.StatusDecline, s.Status)
			assert.Equal(t, platform.DeclineGeneral, s.Code)
			assert.Equal(t, "General decline", s.Message)
			assert.Nil(t, s.Voucher, "no voucher for a declined payment")
			assert.Empty(t, s.References)
			assert.Empty(t, s.Jobs)
			require.Len(t, s.Errors, 1)
			assert.Equal(t, platform.DeclineGeneral, s.Errors[0].Code)
			assert.Equal(t, "customer.identify.doc_number", s.Errors[0].Field)
			assert.Contains(t, s.Errors[0].Message, "must be 10 to 18 digits")
			assert.Contains(t, s.Errors[0].Message, tt.why)
		})
	}
}

func TestPayBankVariant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		at      time.Duration // after issue
		channel string
		refusal string // "" accepts
		code    int
	}{
		{"terminal at once", 0, "terminal", "", 0},
		{"default channel is the terminal", time.Hour, "", "", 0},
		{"terminal on day 9", 10*day - time.Minute, "terminal", "", 0},
		{"terminal refuses on day 10", 10 * day, "terminal", "voucher 1234 lapsed at terminals on 2026-12-02 14:00 UTC; a bank accepts it until 2026-12-22 14:00 UTC", platform.CodeStatusForbids},
		{"default channel refuses on day 11", 11 * day, "", "lapsed at terminals", platform.CodeStatusForbids},
		{"bank on day 1", day, "bank", "", 0},
		{"bank on day 10", 10 * day, "bank", "", 0},
		{"bank on day 29", 30*day - time.Minute, "bank", "", 0},
		{"bank refuses on day 30", 30 * day, "bank", "lapsed on 2026-12-22 14:00 UTC: neither terminals nor banks accept it", platform.CodeStatusForbids},
		{"terminal refuses on day 30", 30 * day, "terminal", "neither terminals nor banks", platform.CodeStatusForbids},
		{"unknown channel", day, "atm", `channel "atm" is not one a voucher is paid through`, platform.CodeInvalidRequest},
	}
	prov := testProvider()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := issued(t, prov, "")
			now := t0.Add(tt.at)
			s, err := prov.Pay(p, platform.MustJSON(PayInput{Channel: tt.channel}), testEnv(now, "", 3))
			if tt.refusal == "" {
				require.NoError(t, err)
				assert.Equal(t, platform.StatusSuccess, s.Status)
				require.NotNil(t, s.Voucher)
				assert.Equal(t, now, s.Voucher.PaidAt)
				want := tt.channel
				if want == "" {
					want = ChannelTerminal
				}
				assert.Equal(t, want, s.Voucher.Channel)
				assert.Equal(t, p.Voucher.Reference, s.Voucher.Reference)
				assert.True(t, p.Voucher.PaidAt.IsZero(), "Pay must not change the payment it is given")
				return
			}
			var pe *platform.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.code, pe.Code)
			want := tt.refusal
			if ref := web.GroupDigits(p.Voucher.Reference, 4); len(ref) > 0 {
				want = regexp.MustCompile(`voucher 1234`).ReplaceAllLiteralString(want, "voucher "+ref)
			}
			assert.Contains(t, pe.Detail, want)
			assert.Zero(t, s)
		})
	}
}

func TestPayShortVariant(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	p := issued(t, prov, VariantShort)
	v := p.Voucher
	assert.Equal(t, t0.Add(3*day), v.ValidUntil)
	assert.True(t, v.BankUntil.IsZero(), "the 3days variant has no bank window")

	tests := []struct {
		name    string
		at      time.Duration
		channel string
		ok      bool
	}{
		{"terminal on day 2", 3*day - time.Minute, "terminal", true},
		{"bank on day 2", 3*day - time.Minute, "bank", true},
		{"terminal on day 3", 3 * day, "terminal", false},
		{"bank on day 3", 3 * day, "bank", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := prov.Pay(p, platform.MustJSON(PayInput{Channel: tt.channel}), testEnv(t0.Add(tt.at), VariantShort, 3))
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, platform.StatusSuccess, s.Status)
				return
			}
			require.Error(t, err)
			assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
			assert.Contains(t, err.Error(), "lapsed on 2026-11-25 14:00 UTC: it can no longer be paid")
		})
	}

	s, err := prov.Start(testPayment("84887177100"), testEnv(t0, VariantShort, 1))
	require.NoError(t, err)
	assert.Equal(t, []platform.ProviderJob{{Name: JobLapse, Due: t0.Add(3 * day)}}, s.Jobs)
	assert.Contains(t, Jobs(), JobLapse, "Jobs says what the job does, for the console")
}

func TestPayRefusesPaidAndMissingVoucher(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	p := issued(t, prov, "")
	s, err := prov.Pay(p, nil, testEnv(t0.Add(day), "", 3))
	require.NoError(t, err)
	apply(p, s)

	_, err = prov.Pay(p, platform.MustJSON(PayInput{Channel: "bank"}), testEnv(t0.Add(2*day), "", 3))
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
	assert.ErrorContains(t, err, "was already paid at a Cash store on 2026-11-23 14:00 UTC")

	_, err = prov.Pay(testPayment("84887177100"), nil, testEnv(t0, "", 3))
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
	assert.ErrorContains(t, err, "has no Cash voucher yet")
}

func TestLapseJob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		variant string
		at      time.Duration
		decline bool
	}{
		{"bank: day 10 changes nothing", "", 10 * day, false},
		{"bank: day 29 changes nothing", "", 30*day - time.Second, false},
		{"bank: day 30 declines", "", 30 * day, true},
		{"bank: later still declines", "", 31 * day, true},
		{"3days: day 2 changes nothing", VariantShort, 3*day - time.Second, false},
		{"3days: day 3 declines", VariantShort, 3 * day, true},
	}
	prov := testProvider()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := issued(t, prov, tt.variant)
			s, err := prov.Job(p, JobLapse, testEnv(t0.Add(tt.at), tt.variant, 3))
			require.NoError(t, err)
			if !tt.decline {
				assert.Zero(t, s.Status)
				assert.Nil(t, s.Voucher)
				return
			}
			assert.Equal(t, platform.StatusDecline, s.Status)
			assert.Equal(t, platform.DeclineGeneral, s.Code)
			assert.Equal(t, "General decline", s.Message)
			apply(p, s)
			assert.True(t, stateOf(p).Lapsed)
		})
	}

	t.Run("a paid voucher never lapses", func(t *testing.T) {
		p := issued(t, prov, "")
		s, err := prov.Pay(p, nil, testEnv(t0.Add(day), "", 3))
		require.NoError(t, err)
		apply(p, s)
		s, err = prov.Job(p, JobLapse, testEnv(t0.Add(30*day), "", 3))
		require.NoError(t, err)
		assert.Zero(t, s.Status)
	})
	t.Run("unknown job", func(t *testing.T) {
		_, err := prov.Job(issued(t, prov, ""), "wake", testEnv(t0, "", 3))
		assert.ErrorContains(t, err, `no job "wake"`)
	})
}

func TestExpire(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	p := issued(t, prov, "")
	s, err := prov.Expire(p, testEnv(t0.Add(time.Hour), "", 3))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status)
	assert.Equal(t, platform.DeclineGeneral, s.Code)
	assert.Equal(t, "General decline", s.Message)
	apply(p, s)
	state, _ := prov.State(p, t0.Add(time.Hour))
	assert.Equal(t, VoucherExpired, state)
}

func TestFail(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	for _, code := range []int{platform.DeclineInsufficientFunds, platform.DeclineGeneral} {
		p := issued(t, prov, "")
		s, err := prov.Fail(p, code, testEnv(t0.Add(time.Hour), "", 3))
		require.NoError(t, err)
		assert.Equal(t, platform.StatusDecline, s.Status)
		assert.Equal(t, code, s.Code)
		assert.Equal(t, platform.CodeMessage(code), s.Message)
		apply(p, s)
		state, _ := prov.State(p, t0.Add(time.Hour))
		assert.Equal(t, VoucherCancelled, state, "a provider's decline is not a lapse")
	}
	s, _ := prov.Fail(issued(t, prov, ""), 20105, testEnv(t0, "", 3))
	assert.Equal(t, "Insufficient funds on customer account", s.Message)
}

func TestUnknownVariantDeclines(t *testing.T) {
	t.Parallel()
	s, err := testProvider().Start(testPayment("84887177100"), testEnv(t0, "7days", 1))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, s.Status)
	require.Len(t, s.Errors, 1)
	assert.Contains(t, s.Errors[0].Message, `variant "7days", which does not exist`)
}

func TestState(t *testing.T) {
	t.Parallel()
	prov := testProvider()
	p := issued(t, prov, "")
	tests := []struct {
		at   time.Duration
		want VoucherState
	}{
		{0, VoucherUnpaid},
		{10*day - time.Second, VoucherUnpaid},
		{10 * day, VoucherBankOnly},
		{30 * day, VoucherExpired}, // before the lapse job ran
	}
	for _, tt := range tests {
		got, _ := prov.State(p, t0.Add(tt.at))
		assert.Equal(t, tt.want, got, "after %s", tt.at)
	}
}

func TestNewReference(t *testing.T) {
	t.Parallel()
	r := rand.NewChaCha8([32]byte{9})
	seen := map[string]bool{}
	for range 2000 {
		ref, err := NewReference(r, 14)
		require.NoError(t, err)
		require.Len(t, ref, 14)
		require.NotEqual(t, byte('0'), ref[0])
		require.True(t, ValidReference(ref), ref)
		require.False(t, seen[ref], "duplicate %s", ref)
		seen[ref] = true
		// Any single wrong digit is caught by the check digit.
		for i := range ref {
			typo := []byte(ref)
			typo[i] = '0' + (typo[i]-'0'+1)%10
			require.False(t, ValidReference(string(typo)), "typo %s of %s", typo, ref)
		}
	}
	assert.False(t, ValidReference("12a4"))
	assert.False(t, ValidReference("7"))
	_, err := NewReference(r, 1)
	assert.Error(t, err)
}

func TestCheckDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   string
		lengths []int
		want    string // "" passes
	}{
		{"1234567", []int{7, 8, 11}, ""},
		{"12345678901", []int{11, 7, 8}, ""},
		{"123456789", []int{7, 8, 11}, "must be 7, 8 or 11 digits; it has 9"},
		{"12", []int{10, 11}, "must be 10 or 11 digits; it has 2"},
		{"12", []int{5}, "must be 5 digits; it has 2"},
		{"12", DigitsBetween(10, 18), "must be 10 to 18 digits; it has 2"},
		{"１２３４５６７", []int{7}, "not digits"},
	}
	for _, tt := range tests {
		e := CheckDigits("customer.identify.doc_number", tt.value, tt.lengths...)
		if tt.want == "" {
			assert.Nil(t, e, tt.value)
			continue
		}
		if assert.NotNil(t, e, tt.value) {
			assert.Contains(t, e.Message, tt.want)
			assert.Equal(t, "customer.identify.doc_number", e.Field)
		}
	}
}

func TestStepDataIsJSON(t *testing.T) {
	t.Parallel()
	var m map[string]any
	require.NoError(t, json.Unmarshal(lapsed().Data, &m))
	assert.Equal(t, true, m["lapsed"])
}
