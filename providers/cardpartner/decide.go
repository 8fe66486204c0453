package cardpartner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// PayInput is how a customer pays at the checkout: the control API's pay
// body, and what the checkout page sends.
type PayInput struct {
	// Method is the channel (ChannelCard, ChannelMpesa, …) or MethodCancel.
	Method string `json:"method,omitempty"`
	// Card is the card number, for ChannelCard.
	Card string `json:"card,omitempty"`
	// Phone is the wallet's phone number, for a mobile wallet.
	Phone string `json:"phone,omitempty"`
}

// Channels the checkout offers, as PayInput.Method values. "card" is the
// redirect body's debitcard flag.
const (
	ChannelCard   = "card"
	ChannelMpesa  = "mpesa"
	ChannelAirtel = "airtel"
	ChannelEquity = "equity"
	// MethodCancel is the PayInput.Method of a customer who cancels at the
	// checkout.
	MethodCancel = "cancel"
)

// flagOf maps a channel to its flag in the redirect body.
func flagOf(channel string) string {
	if channel == ChannelCard {
		return "debitcard"
	}
	return channel
}

// Channels returns the redirect body flags the checkout sets for a
// currency: cards always; M-Pesa, Airtel Money and Equity only in KES, as
// Kenyan wallets hold shillings.
func Channels(currency string) []string {
	if currency == "KES" {
		return []string{"mpesa", "airtel", "equity", "debitcard"}
	}
	return []string{"debitcard"}
}

// ChannelName is how a channel is written for people.
func ChannelName(channel string) string {
	switch channel {
	case ChannelCard, "debitcard":
		return "Card"
	case ChannelMpesa:
		return "M-Pesa"
	case ChannelAirtel:
		return "Airtel Money"
	case ChannelEquity:
		return "Equity Eazzy Pay"
	}
	return channel
}

// TestNumber is a test card or phone number and what paying with it does.
type TestNumber struct {
	Number string
	// Code is the decline code; 0 approves.
	Code int
	// RefundDeclines says the payment's refunds are declined with 20000.
	RefundDeclines bool
}

// Outcome says what paying with the number does, for people.
func (n TestNumber) Outcome() string {
	switch {
	case n.Code != 0:
		return fmt.Sprintf("Declined: %d %s", n.Code, platform.CodeMessage(n.Code))
	case n.RefundDeclines:
		return "Approved; its refund is declined (20000)"
	}
	return "Approved"
}

// TestCards are the checkout's test cards. Any other card number that
// passes the Luhn check is approved.
var TestCards = []TestNumber{
	{Number: "4242424242424242"},
	{Number: "5555555555554444"},
	{Number: "4000000000000002", Code: platform.DeclineGeneral},
	{Number: "4000000000009995", Code: platform.DeclineInsufficientFunds},
	{Number: "4000000000000077", RefundDeclines: true},
}

// TestPhones are the checkout's test wallet numbers (M-Pesa, Airtel Money,
// Equity). Any other phone number of 9 to 15 digits is approved.
var TestPhones = []TestNumber{
	{Number: "254708374149"},
	{Number: "254700000002", Code: platform.DeclineGeneral},
	{Number: "254700009995", Code: platform.DeclineInsufficientFunds},
	{Number: "254700000077", RefundDeclines: true},
}

// Decision is what the partner decides of a customer's attempt to pay.
type Decision struct {
	Channel   string // card, mpesa, airtel, equity
	CardLast4 string
	CardBrand string // Visa, Mastercard, …
	Phone     string // digits only
	// Code is the decline code; 0 approves.
	Code           int
	RefundDeclines bool
	Cancelled      bool
}

// Decide decides a customer's attempt to pay with what the checkout
// offers (channels, as redirect body flags). in.Method picks the channel;
// without one, a card number means a card, a phone number a wallet, and
// nothing at all the first test card (the control API pays that way).
// Input that cannot be paid with is refused with a *platform.Error of code
// CodeInvalidRequest whose field is "method", "card" or "phone".
func Decide(in PayInput, channels []string) (Decision, error) {
	method := strings.ToLower(strings.TrimSpace(in.Method))
	if method == "debitcard" {
		method = ChannelCard
	}
	if method == "" {
		switch {
		case in.Card != "":
			method = ChannelCard
		case in.Phone != "":
			method = firstWallet(channels)
		default:
			method, in.Card = ChannelCard, TestCards[0].Number
		}
	}
	if method == MethodCancel {
		return Decision{Cancelled: true, Code: platform.DeclineGeneral}, nil
	}
	switch method {
	case ChannelCard, ChannelMpesa, ChannelAirtel, ChannelEquity:
	default:
		return Decision{}, refuse("method", fmt.Sprintf("%q is not a way to pay at this checkout: use %s", method, strings.Join(offered(channels), ", ")))
	}
	if !slices.Contains(channels, flagOf(method)) {
		return Decision{}, refuse("method", fmt.Sprintf("%s is not offered for this payment: the checkout offers %s", ChannelName(method), strings.Join(offered(channels), ", ")))
	}
	if method == ChannelCard {
		number, msg := CheckCard(in.Card)
		if msg != "" {
			return Decision{}, refuse("card", msg)
		}
		d := Decision{Channel: ChannelCard, CardLast4: number[len(number)-4:], CardBrand: CardBrand(number)}
		if t, ok := find(TestCards, number); ok {
			d.Code, d.RefundDeclines = t.Code, t.RefundDeclines
		}
		return d, nil
	}
	phone, msg := CheckPhone(in.Phone)
	if msg != "" {
		return Decision{}, refuse("phone", msg)
	}
	d := Decision{Channel: method, Phone: phone}
	if t, ok := find(TestPhones, phone); ok {
		d.Code, d.RefundDeclines = t.Code, t.RefundDeclines
	}
	return d, nil
}

func refuse(field, msg string) *platform.Error {
	return &platform.Error{Code: platform.CodeInvalidRequest, Message: platform.CodeMessage(platform.CodeInvalidRequest),
		Detail: msg, Fields: []platform.FieldError{{Code: platform.CodeInvalidRequest, Field: field, Message: msg}}}
}

func firstWallet(channels []string) string {
	for _, c := range channels {
		if c != "debitcard" {
			return c
		}
	}
	return ChannelMpesa // refused below: no wallet is offered
}

// offered lists the channels for people: "M-Pesa, Airtel Money, Card".
func offered(channels []string) []string {
	out := make([]string, 0, len(channels))
	for _, c := range channels {
		out = append(out, ChannelName(c))
	}
	return out
}

func find(list []TestNumber, number string) (TestNumber, bool) {
	for _, t := range list {
		if t.Number == number {
			return t, true
		}
	}
	return TestNumber{}, false
}

// CheckCard normalises a card number (platform.CompactNumber: spaces,
// dashes and dots dropped) and
// checks it: 12 to 19 digits with a valid Luhn check digit. It returns the
// digits, or a message for the customer, in English.
func CheckCard(s string) (string, string) { return checkCard(s, web.Translator{}.With(words)) }

// checkCard is CheckCard with its message in t's language.
func checkCard(s string, t web.Translator) (string, string) {
	n := platform.CompactNumber(s)
	switch {
	case n == "":
		return "", t.T("cp.err.card.empty")
	case !digits(n):
		return n, t.T("cp.err.card.digits")
	case len(n) < 12 || len(n) > 19:
		return n, t.T("cp.err.card.length", len(n))
	case !Luhn(n):
		return n, t.T("cp.err.card.invalid")
	}
	return n, ""
}

// CheckPhone normalises a phone number (spaces, dashes, dots, brackets and
// a leading + dropped) and checks it has 9 to 15 digits. It returns the
// digits, or a message for the customer, in English.
func CheckPhone(s string) (string, string) { return checkPhone(s, web.Translator{}.With(words)) }

// checkPhone is CheckPhone with its message in t's language.
func checkPhone(s string, t web.Translator) (string, string) {
	// The brackets people put around an area code go too.
	n := strings.TrimPrefix(strings.NewReplacer("(", "", ")", "").Replace(platform.CompactNumber(s)), "+")
	switch {
	case n == "":
		return "", t.T("cp.err.phone.empty")
	case !digits(n):
		return n, t.T("cp.err.phone.digits")
	case len(n) < 9 || len(n) > 15:
		return n, t.T("cp.err.phone.length", len(n))
	}
	return n, ""
}

// CardBrand names a card's network by its first digits.
func CardBrand(number string) string {
	switch {
	case strings.HasPrefix(number, "4"):
		return "Visa"
	case len(number) >= 2 && number[0] == '5' && number[1] >= '1' && number[1] <= '5',
		len(number) >= 4 && number[:4] >= "2221" && number[:4] <= "2720":
		return "Mastercard"
	case strings.HasPrefix(number, "34"), strings.HasPrefix(number, "37"):
		return "American Express"
	}
	return "Card"
}

// Luhn reports whether digits ends with a valid Luhn check digit.
func Luhn(digits string) bool { return voucher.Luhn(digits) }

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
