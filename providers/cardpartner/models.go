package cardpartner

import (
	"fmt"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// CardPartnerChannel is one way to pay the card partner's checkout offers:
// a card, or a mobile wallet that sends the customer a prompt.
type CardPartnerChannel struct {
	Code  string // the form value: "card", "mpesa", "airtel", "equity"
	Label string // "M-Pesa"
	Hint  string // one line under the label
	// Mark is the short badge drawn for the channel ("M", "A"); empty for a card.
	Mark string
	// Color is the badge's CSS hex colour.
	Color string
	// Phone says the channel asks for a phone number instead of a card.
	Phone bool
}

// CardPartnerForm is what the customer typed into the checkout's form.
type CardPartnerForm struct {
	CardNumber string
	Expiry     string // MM/YY
	Holder     string
	Phone      string
	// The card's security code is never sent back to the browser.
}

// CardPartnerFieldError is a message about one field of the checkout's form.
type CardPartnerFieldError struct {
	Field   string // the field's id and name: "card_number"
	Label   string // what the customer reads: "Card number"
	Message string
}

// CardPartnerTestItem is one row of the checkout's "Sandbox test data"
// panel: a test card or phone number and what paying with it does.
type CardPartnerTestItem struct {
	Value   string // what to type, ungrouped
	Display string // how to read it: "4242 4242 4242 4242"
	Outcome string // "Approved", "Declined: 20105 Insufficient funds"
	// Declines says paying with it declines the payment.
	Declines bool
}

// CardPartnerCheckoutPage is the card partner's hosted checkout, where a
// customer the merchant redirected chooses a card or a mobile wallet and
// pays or cancels before the page's time runs out.
type CardPartnerCheckoutPage struct {
	web.Page
	Action      string // where the form posts
	Inv         string // the partner's invoice: the sale operation's ID
	ProjectID   int64
	PaymentID   string
	Description string
	Amount      platform.Sum
	Email       string
	// Deadline is when the checkout lapses; SecondsLeft is how long that is
	// from the page's moment. ClockFrozen says the sandbox clock stands still,
	// so the time left does not run down.
	Deadline    time.Time
	SecondsLeft int
	ClockFrozen bool
	// ScriptURL is the checkout's script (countdown, test data buttons).
	ScriptURL string
	Channels  []CardPartnerChannel
	Channel   string // the chosen channel's code
	Form      CardPartnerForm
	Errors    []CardPartnerFieldError
	// Alert is a refusal that concerns no single field.
	Alert      *web.Alert
	TestCards  []CardPartnerTestItem
	TestPhones []CardPartnerTestItem
}

// FieldError returns the message about field, or "".
func (p CardPartnerCheckoutPage) FieldError(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Chosen reports whether the channel with code is the one selected.
func (p CardPartnerCheckoutPage) Chosen(code string) bool { return p.Channel == code }

// HasPhoneChannel reports whether any channel asks for a phone number.
func (p CardPartnerCheckoutPage) HasPhoneChannel() bool {
	for _, c := range p.Channels {
		if c.Phone {
			return true
		}
	}
	return false
}

// HasCardChannel reports whether the checkout takes cards.
func (p CardPartnerCheckoutPage) HasCardChannel() bool {
	for _, c := range p.Channels {
		if !c.Phone {
			return true
		}
	}
	return false
}

// TimeLeft writes SecondsLeft as minutes and seconds: "14:59".
func (p CardPartnerCheckoutPage) TimeLeft() string {
	s := max(p.SecondsLeft, 0)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// CardPartnerOutcome is how a card-partner checkout ended, as its result
// page shows it.
type CardPartnerOutcome string

// Outcomes of a card-partner checkout.
const (
	CardPartnerApproved  CardPartnerOutcome = "approved"
	CardPartnerDeclined  CardPartnerOutcome = "declined"
	CardPartnerCancelled CardPartnerOutcome = "cancelled"
	CardPartnerExpired   CardPartnerOutcome = "expired"
	CardPartnerRefunded  CardPartnerOutcome = "refunded"
)

// CardPartnerResultPage is the end of a card-partner checkout: what
// happened, with the references a customer may be asked for, and the way
// back to the merchant.
type CardPartnerResultPage struct {
	web.Page
	Outcome     CardPartnerOutcome
	Amount      platform.Sum
	ProjectID   int64
	PaymentID   string
	Description string
	// PaidWith says how the customer paid: "Visa •••• 4242", "M-Pesa 254708374149".
	PaidWith          string
	AuthCode          string
	ProviderPaymentID string
	// Code and Reason are the decline's code and message.
	Code   string
	Reason string
	At     time.Time
	// ReturnURL leads back to the merchant; empty when the merchant gave none.
	ReturnURL string
	// Alert says why an action on a finished checkout was refused.
	Alert *web.Alert
}
