package ecovoucher

import (
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// EcoVoucherPage is the EcoVoucher page a customer is sent to: what the
// shop asks for, a form to enter one or more vouchers (number, security
// code, expiry), and the sandbox's wallet of unused test vouchers, each
// with a button that puts it into the form. It is one form: every button
// posts what was typed, so nothing typed is lost.
type EcoVoucherPage struct {
	web.Page
	Action string // where the form posts
	TxID   int64
	// Amount is what the shop asks for; 0 means the vouchers set it.
	Amount      platform.Sum
	Merchant    string // who is paid: "Project 842"
	PaymentID   string
	Description string
	// ExpiresAt is when the session ends.
	ExpiresAt time.Time
	// Rows are the voucher forms, as the customer typed them.
	Rows    []EcoVoucherRow
	MaxRows int
	// Entered is what the rows that are test vouchers of the payment's
	// currency add up to.
	Entered platform.Sum
	Error   *web.Alert
	// Notice is a short polite message: "Voucher … was added to the form."
	Notice string
	// Wallet lists unused test vouchers of the payment's currency.
	Wallet []EcoVoucherCard
	// FaceValues are the face values vouchers come in, in this currency.
	FaceValues []platform.Sum
	// Fill is the test vouchers that make the amount, for "Fill in the
	// amount"; empty when the amount is 0.
	Fill []EcoVoucherCard
}

// OpenAmount reports whether the customer's vouchers set the amount.
func (p EcoVoucherPage) OpenAmount() bool { return p.Amount.Amount == 0 }

// CanAdd reports whether the form takes another voucher row.
func (p EcoVoucherPage) CanAdd() bool { return len(p.Rows) < p.MaxRows }

// Complete reports whether the entered vouchers make the amount asked for
// (any amount when it is open).
func (p EcoVoucherPage) Complete() bool {
	if p.OpenAmount() {
		return p.Entered.Amount > 0
	}
	return p.Entered.Amount == p.Amount.Amount
}

// Remaining is what is still missing to make the amount; 0 when the
// vouchers make it or exceed it.
func (p EcoVoucherPage) Remaining() platform.Sum {
	r := platform.Sum{Currency: p.Amount.Currency}
	if p.Amount.Amount > p.Entered.Amount {
		r.Amount = p.Amount.Amount - p.Entered.Amount
	}
	return r
}

// EcoVoucherRow is one voucher of the form, as typed.
type EcoVoucherRow struct {
	// Index is the row's position, from 0: field IDs end with it.
	Index        int
	Number       string
	SecurityCode string
	Expiry       string
	// Invalid names the field at fault: "number", "security_code",
	// "expiry", "all", or "" when the row is fine.
	Invalid string
}

// Bad reports whether field of the row is at fault.
func (r EcoVoucherRow) Bad(field string) bool { return r.Invalid == field || r.Invalid == "all" }

// N is the row's position for people, from 1.
func (r EcoVoucherRow) N() int { return r.Index + 1 }

// Empty reports whether nothing was typed in the row.
func (r EcoVoucherRow) Empty() bool { return r.Number == "" && r.SecurityCode == "" && r.Expiry == "" }

// EcoVoucherCard is a voucher as the wallet or a receipt shows it.
type EcoVoucherCard struct {
	Number       string // 16 digits, ungrouped
	SecurityCode string // "" on receipts
	Expiry       string // MM/YY
	Face         platform.Sum
	// InForm says the voucher is already in the form.
	InForm bool
}

// EcoVoucherResultPage is where a customer lands after EcoVoucher when the
// shop gave no return URL, and what the EcoVoucher page shows for a
// payment that no longer takes vouchers.
type EcoVoucherResultPage struct {
	web.Page
	// State is "success", "decline" or "processing".
	State       string
	Amount      platform.Sum
	Merchant    string
	PaymentID   string
	Description string
	Vouchers    []EcoVoucherCard
	// Code and Message are the operation's result: "30000", "Operation
	// was declined by merchant".
	Code              string
	Message           string
	ProviderPaymentID string
	At                time.Time
	// Back returns to the shop, when the shop gave a URL.
	Back *web.Link
	// Reload is this page, for a payment still processing.
	Reload string
}
