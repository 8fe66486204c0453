package ecovoucher

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
)

// withCheck returns 15 digits followed by their Luhn check digit.
func withCheck(body string) string { return body + string('0'+voucher.LuhnDigit(body)) }

func TestIssue(t *testing.T) {
	t.Parallel()
	v, err := Issue("EUR", 10, 1)
	require.NoError(t, err)
	// Frozen: documented in doc.go and checked by hand (sha256sum, Luhn).
	assert.Equal(t, TestVoucher{Number: "6197800100000010", SecurityCode: "3249", Expiry: "12/99",
		Face: platform.Sum{Amount: 1000, Currency: "EUR"}, Serial: 1}, v)

	v, err = Issue("GBP", 250, 2)
	require.NoError(t, err)
	assert.Equal(t, "6182602500000021", v.Number)
	assert.Equal(t, "2440", v.SecurityCode)
	assert.Equal(t, platform.Sum{Amount: 25000, Currency: "GBP"}, v.Face)

	for _, c := range []string{"CAD", "GBP", "EUR", "USD"} {
		for _, f := range FaceValues() {
			for _, serial := range []int{1, 2, MaxSerial} {
				v, err := Issue(c, f, serial)
				require.NoError(t, err)
				assert.Len(t, v.Number, NumberDigits)
				assert.Len(t, v.SecurityCode, 4)
				got, err := Lookup(v.Number)
				require.NoError(t, err, v.Number)
				assert.Equal(t, v, got)
			}
		}
	}

	for _, bad := range []struct {
		currency string
		face     int64
		serial   int
	}{{"JPY", 10, 1}, {"EUR", 20, 1}, {"EUR", 10, 0}, {"EUR", 10, MaxSerial + 1}} {
		_, err := Issue(bad.currency, bad.face, bad.serial)
		assert.Error(t, err, "%+v", bad)
	}
}

func TestSecurityCodesDiffer(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for serial := 1; serial <= 50; serial++ {
		v, err := Issue("EUR", 10, serial)
		require.NoError(t, err)
		seen[v.SecurityCode]++
	}
	assert.Greater(t, len(seen), 40, "codes are spread, not constant")
}

func TestLookupRefusals(t *testing.T) {
	t.Parallel()
	good, err := Issue("USD", 75, 12)
	require.NoError(t, err)
	swapped := good.Number[:3] + good.Number[4:5] + good.Number[3:4] + good.Number[5:]
	tests := []struct {
		name, number, want string
	}{
		{"empty", "  ", "enter the 16-digit voucher number"},
		{"letters", "6184O00750000120", "has digits only"},
		{"short", "619780010000001", "has 16 digits; 6197 8001 0000 001 has 15"},
		{"typo", good.Number[:15] + string('0'+(good.Number[15]-'0'+1)%10), "a digit is wrong or two are swapped"},
		{"swapped digits", swapped, "a digit is wrong or two are swapped"},
		{"other issuer", withCheck("512345678901234"), "no EcoVoucher has the number"},
		{"unknown currency", withCheck("613920010000001"), "no EcoVoucher has the number"},
		{"unknown face value", withCheck("619780020000001"), "no EcoVoucher has the number"},
		{"serial 0", withCheck("619780010000000"), "no EcoVoucher has the number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Lookup(tt.number)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	v, err := Lookup(" " + strings.Replace(GroupNumber(good.Number), " ", "-", 1) + " ")
	require.NoError(t, err, "spaces and dashes do not matter")
	assert.Equal(t, good, v)
}

func TestCombination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount int64
		max    int
		want   []int64
		ok     bool
	}{
		{1000, 50, []int64{10}, true},
		{2000, 50, []int64{10, 10}, true},                    // greedy 15 would leave 5
		{4500, 50, []int64{25, 10, 10}, true},                // greedy 25+15 would leave 5
		{25500, 50, []int64{150, 75, 15, 15}, true},          // 250 would leave 5
		{125000, 50, []int64{250, 250, 250, 250, 250}, true}, // the seed's 1250.00
		{42500, 50, []int64{250, 150, 25}, true},
		{50000, 2, []int64{250, 250}, true},
		{50500, 2, nil, false},
		{1250000, 50, nil, true}, // 50 × 250
		{1250500, 50, nil, false},
		{1189500, 50, nil, false}, // 48 vouchers at least, and no 48, 49 or 50 make it
		{1189500, MaxVouchers, nil, true},
		{500, 50, nil, false},  // 5.00: no voucher is that small
		{1234, 50, nil, false}, // not whole units
		{1050, 50, nil, false},
		{0, 50, nil, false},
		{-1000, 50, nil, false},
	}
	for _, tt := range tests {
		got, ok := Combination(tt.amount, tt.max)
		assert.Equal(t, tt.ok, ok, "%d", tt.amount)
		if !tt.ok {
			continue
		}
		var sum int64
		for _, f := range got {
			sum += f * MinorUnits
		}
		assert.Equal(t, tt.amount, sum, "%d adds up", tt.amount)
		assert.LessOrEqual(t, len(got), tt.max)
		if tt.want != nil {
			assert.Equal(t, tt.want, got, "%d", tt.amount)
		}
	}
	// Every multiple of 5.00 from 10.00 to 12,500.00 can be paid.
	for a := int64(1000); a <= 1_250_000; a += 500 {
		if !Payable(a) {
			t.Fatalf("%d cannot be paid", a)
		}
	}
}

// usedSet is a UsedFunc over a set of numbers.
func usedSet(numbers ...string) UsedFunc {
	set := map[string]bool{}
	for _, n := range numbers {
		set[n] = true
	}
	return func(n string) (bool, error) { return set[n], nil }
}

func issue(t *testing.T, currency string, face int64, serial int) TestVoucher {
	t.Helper()
	v, err := Issue(currency, face, serial)
	require.NoError(t, err)
	return v
}

func numbers(vs []TestVoucher) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Number
	}
	return out
}

func TestPick(t *testing.T) {
	t.Parallel()
	got, err := Pick("EUR", 0, usedSet())
	require.NoError(t, err)
	assert.Equal(t, []string{issue(t, "EUR", 10, 1).Number}, numbers(got), "amount 0: one voucher of 10")

	got, err = Pick("EUR", 0, usedSet(issue(t, "EUR", 10, 1).Number, issue(t, "EUR", 10, 2).Number))
	require.NoError(t, err)
	assert.Equal(t, []string{issue(t, "EUR", 10, 3).Number}, numbers(got), "used vouchers are skipped")

	got, err = Pick("GBP", 4500, usedSet(issue(t, "GBP", 10, 1).Number))
	require.NoError(t, err)
	assert.Equal(t, []string{issue(t, "GBP", 25, 1).Number, issue(t, "GBP", 10, 2).Number, issue(t, "GBP", 10, 3).Number}, numbers(got),
		"two vouchers of one face value are different vouchers")

	_, err = Pick("EUR", 1234, usedSet())
	assert.ErrorContains(t, err, "add up to 12.34 EUR")

	failing := errors.New("store down")
	_, err = Pick("EUR", 1000, func(string) (bool, error) { return false, failing })
	assert.ErrorIs(t, err, failing)
}

func TestWallet(t *testing.T) {
	t.Parallel()
	used := issue(t, "USD", 15, 1).Number
	inForm := issue(t, "USD", 50, 1).Number
	w, err := Wallet("USD", 1, map[string]bool{inForm: true}, usedSet(used))
	require.NoError(t, err)
	require.Len(t, w, len(FaceValues()))
	for i, f := range FaceValues() {
		assert.Equal(t, f*MinorUnits, w[i].Face.Amount)
		assert.Equal(t, "USD", w[i].Face.Currency)
	}
	assert.Equal(t, 1, w[0].Serial)
	assert.Equal(t, 2, w[1].Serial, "the used 15 is not offered")
	assert.Equal(t, 2, w[3].Serial, "the 50 in the form is not offered again")

	w, err = Wallet("CAD", 3, nil, usedSet())
	require.NoError(t, err)
	assert.Len(t, w, 3*len(FaceValues()))
}
