package ecovoucher

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
)

// faceValues are the face values of EcoVoucher vouchers in major units,
// the same in every currency, as ecommpay documents them.
var faceValues = []int64{10, 15, 25, 50, 75, 100, 150, 250}

// Constants of the sandbox's test vouchers.
const (
	// MinorUnits is how many minor units a major unit has in every
	// EcoVoucher currency (CAD, GBP, EUR, USD).
	MinorUnits = 100
	// NumberDigits is the length of a voucher number, its check digit included.
	NumberDigits = 16
	// NumberPrefix starts every test voucher number.
	NumberPrefix = "61"
	// MaxSerial is the highest serial of a test voucher of one currency and
	// face value: the sandbox issues 999 999 of each.
	MaxSerial = 999_999
	// TestExpiry is the expiry date printed on every test voucher, MM/YY
	// (December 2099).
	TestExpiry = "12/99"
	// MaxVouchers is how many vouchers one payment takes at most [sandbox
	// choice]: enough for every multiple of 5.00 up to DefaultMaxAmount.
	MaxVouchers = 60
	// DefaultMaxAmount is the method's default max_amount, 12,500.00
	// (minor units) [sandbox choice]: ten of the seed's 1,250.00.
	DefaultMaxAmount = 1_250_000
	// DefaultFace is the face value, in major units, of the voucher the
	// sandbox uses for a payment of amount 0 paid without vouchers.
	DefaultFace = 10
)

// testExpiryMonth and testExpiryYear are TestExpiry as numbers.
const (
	testExpiryMonth = 12
	testExpiryYear  = 2099
)

// currencyCodes are the ISO 4217 numeric codes of EcoVoucher's currencies,
// digits 3 to 5 of a test voucher number.
var currencyCodes = map[string]string{"CAD": "124", "GBP": "826", "EUR": "978", "USD": "840"}

// FaceValues returns the face values of EcoVoucher vouchers in major
// units, smallest first.
func FaceValues() []int64 { return slices.Clone(faceValues) }

// TestVoucher is a voucher the sandbox issued for testing. The sandbox
// keeps no list of them: the number says everything, and the security
// code is derived from it, so any number can be checked without state.
type TestVoucher struct {
	Number       string       // 16 digits
	SecurityCode string       // 4 digits
	Expiry       string       // MM/YY, TestExpiry
	Face         platform.Sum // the face value in minor units
	Serial       int
}

// Issue returns the test voucher of currency with face value face (major
// units) and serial (1 to MaxSerial). Its number is NumberPrefix, the
// currency's ISO 4217 numeric code (3 digits), the face value in major
// units (4 digits), the serial (6 digits) and a Luhn check digit:
// 61 978 0010 000001 c is the first 10.00 EUR voucher.
func Issue(currency string, face int64, serial int) (TestVoucher, error) {
	cc, ok := currencyCodes[currency]
	if !ok {
		return TestVoucher{}, fmt.Errorf("EcoVoucher has no %q vouchers; it takes CAD, GBP, EUR and USD", currency)
	}
	if !slices.Contains(faceValues, face) {
		return TestVoucher{}, fmt.Errorf("EcoVoucher has no voucher worth %d; the face values are %v", face, faceValues)
	}
	if serial < 1 || serial > MaxSerial {
		return TestVoucher{}, fmt.Errorf("serial %d is not between 1 and %d", serial, MaxSerial)
	}
	body := fmt.Sprintf("%s%s%04d%06d", NumberPrefix, cc, face, serial)
	number := body + string('0'+voucher.LuhnDigit(body))
	return TestVoucher{
		Number:       number,
		SecurityCode: SecurityCode(number),
		Expiry:       TestExpiry,
		Face:         platform.Sum{Amount: face * MinorUnits, Currency: currency},
		Serial:       serial,
	}, nil
}

// SecurityCode returns the 4-digit security code of the test voucher with
// number: the first four bytes of SHA-256("ecovoucher-sandbox/" + number)
// as a big-endian integer, modulo 10 000, zero-padded.
func SecurityCode(number string) string {
	sum := sha256.Sum256([]byte("ecovoucher-sandbox/" + number))
	return fmt.Sprintf("%04d", binary.BigEndian.Uint32(sum[:4])%10_000)
}

// Lookup returns the test voucher a number names, or an error that says,
// in words a customer understands, why no voucher has it. Spaces and
// dashes in number do not matter.
func Lookup(number string) (TestVoucher, error) {
	n := platform.CompactNumber(number)
	shown := GroupNumber(n)
	switch {
	case n == "":
		return TestVoucher{}, say("eco.number.empty", NumberDigits)
	case strings.IndexFunc(n, func(r rune) bool { return r < '0' || r > '9' }) >= 0:
		return TestVoucher{}, say("eco.number.digits", number)
	case len(n) != NumberDigits:
		return TestVoucher{}, say("eco.number.length", NumberDigits, shown, len(n))
	case !voucher.Luhn(n):
		return TestVoucher{}, say("eco.number.luhn", shown)
	}
	unknown := say("eco.number.unknown", shown)
	if !strings.HasPrefix(n, NumberPrefix) {
		return TestVoucher{}, unknown
	}
	currency := ""
	for c, code := range currencyCodes {
		if n[2:5] == code {
			currency = c
		}
	}
	face, _ := strconv.ParseInt(n[5:9], 10, 64)
	serial, _ := strconv.Atoi(n[9:15])
	v, err := Issue(currency, face, serial)
	if err != nil || v.Number != n {
		return TestVoucher{}, unknown
	}
	return v, nil
}

// GroupNumber writes a voucher number in groups of four digits, as it is
// printed on the voucher.
func GroupNumber(n string) string {
	var b strings.Builder
	for i, r := range n {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Combination returns face values (major units, largest first) that add up
// to amount (minor units) with at most max vouchers, or false when none
// do. It is greedy, taking the largest face value that fits, and backs off
// when a remainder cannot be made (20 is 10+10, not 15+5): 1250.00 is
// 250+250+250+250+250.
func Combination(amount int64, max int) ([]int64, bool) {
	if amount <= 0 || amount%MinorUnits != 0 {
		return nil, false
	}
	desc := slices.Clone(faceValues)
	slices.Reverse(desc)
	var walk func(units int64, from, left int) ([]int64, bool)
	walk = func(units int64, from, left int) ([]int64, bool) {
		if units == 0 {
			return nil, true
		}
		if left == 0 || units > int64(left)*desc[0] {
			return nil, false
		}
		for i := from; i < len(desc); i++ {
			if desc[i] > units {
				continue
			}
			if rest, ok := walk(units-desc[i], i, left-1); ok {
				return append([]int64{desc[i]}, rest...), true
			}
		}
		return nil, false
	}
	return walk(amount/MinorUnits, 0, max)
}

// Payable reports whether MaxVouchers or fewer vouchers can make amount
// (minor units, > 0): every multiple of 5.00 from 10.00 to
// DefaultMaxAmount can.
func Payable(amount int64) bool {
	_, ok := Combination(amount, MaxVouchers)
	return ok
}

// UsedFunc reports whether the voucher with number already belongs to a
// payment.
type UsedFunc func(number string) (bool, error)

// Wallet returns, for each face value, smallest first, the first perFace
// test vouchers of currency that are neither used nor taken (already in
// the customer's form): the vouchers the sandbox's wallet offers.
func Wallet(currency string, perFace int, taken map[string]bool, used UsedFunc) ([]TestVoucher, error) {
	var out []TestVoucher
	for _, face := range faceValues {
		vs, err := unused(currency, face, perFace, taken, used)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// Pick returns unused test vouchers of currency worth amount (minor units;
// 0 takes one voucher of DefaultFace), as Combination splits it, lowest
// serials first.
func Pick(currency string, amount int64, used UsedFunc) ([]TestVoucher, error) {
	faces := []int64{DefaultFace}
	if amount > 0 {
		var ok bool
		if faces, ok = Combination(amount, MaxVouchers); !ok {
			return nil, fmt.Errorf("no %d or fewer EcoVoucher vouchers add up to %s", MaxVouchers, platform.Sum{Amount: amount, Currency: currency})
		}
	}
	var out []TestVoucher
	taken := map[string]bool{}
	for _, face := range faces {
		vs, err := unused(currency, face, 1, taken, used)
		if err != nil {
			return nil, err
		}
		taken[vs[0].Number] = true
		out = append(out, vs[0])
	}
	return out, nil
}

// unused returns the first n test vouchers of currency and face that are
// neither used nor taken.
func unused(currency string, face int64, n int, taken map[string]bool, used UsedFunc) ([]TestVoucher, error) {
	var out []TestVoucher
	for serial := 1; serial <= MaxSerial && len(out) < n; serial++ {
		v, err := Issue(currency, face, serial)
		if err != nil {
			return nil, err
		}
		if taken[v.Number] {
			continue
		}
		isUsed, err := used(v.Number)
		if err != nil {
			return nil, err
		}
		if !isUsed {
			out = append(out, v)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("every %s voucher worth %d was used", currency, face)
	}
	return out, nil
}
