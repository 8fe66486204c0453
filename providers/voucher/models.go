package voucher

import (
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// VoucherState is where a voucher stands, as its page shows it.
type VoucherState string

// Voucher states.
const (
	VoucherUnpaid    VoucherState = "unpaid"    // payable at terminals and banks
	VoucherBankOnly  VoucherState = "bank_only" // terminals refuse it, a bank still accepts it
	VoucherPaid      VoucherState = "paid"
	VoucherExpired   VoucherState = "expired"
	VoucherCancelled VoucherState = "cancelled" // the provider declined the payment
)

// VoucherPage is a voucher as the customer sees it: what to pay, the
// reference and barcode to show at the counter, until when, and where it
// stands.
type VoucherPage struct {
	web.Page
	Reference string // the digits, ungrouped
	Amount    platform.Sum
	// AmountText is the amount as the method's country writes it:
	// "$25.00", "MX$1,250.00", "US$ 25,00".
	AmountText string
	// AmountCode is the currency's code, shown after AmountText when its
	// sign does not say the currency ("$"); "" when it does.
	AmountCode  string
	Description string // the merchant's payment description
	Customer    string // the customer's full name
	ProjectID   int64
	PaymentID   string
	BarcodeURL  string
	// BarcodeWidth and BarcodeHeight are the barcode's size on the page,
	// in CSS pixels.
	BarcodeWidth, BarcodeHeight int
	TerminalURL                 string // the sandbox terminal, with the reference filled in
	ReturnURL                   string // back to the merchant, when the merchant gave one
	IssuedAt                    time.Time
	ValidUntil                  time.Time // terminals accept it until then
	BankUntil                   time.Time // a bank accepts it until then; zero: no bank window
	State                       VoucherState
	// StateAt is when it was paid, expired or was cancelled.
	StateAt time.Time
	// Channel says where it was paid, in the page's language: "at an OXXO
	// store", "en un banco".
	Channel string
	// Reason is why the provider cancelled it: the decline, in the page's
	// language when the sandbox words its code.
	Reason string
}

// Payable reports whether the customer can still pay the voucher somewhere.
func (v VoucherPage) Payable() bool { return v.State == VoucherUnpaid || v.State == VoucherBankOnly }

// TerminalPage is the sandbox's payment terminal (or bank counter) of a
// voucher provider: enter a reference, pay it, get a receipt.
type TerminalPage struct {
	web.Page
	Action    string // where the form posts
	Reference string // as entered
	Channel   string // "terminal" or "bank"
	// Banks says whether a bank takes the method's vouchers; without, the
	// terminal offers no choice of where the customer pays.
	Banks bool
	// BankNote says until when banks accept vouchers, e.g. "until day 30".
	BankNote string
	Error    *web.Alert
	Receipt  *Receipt
	// Pending lists unpaid vouchers a tester may want to pay.
	Pending []PendingVoucher
}

// PendingVoucher is an unpaid voucher listed at the terminal.
type PendingVoucher struct {
	Reference  string
	Amount     platform.Sum
	ValidUntil time.Time
	URL        string // the terminal with this reference filled in
}

// Receipt is what a terminal prints once a voucher is paid.
type Receipt struct {
	Reference         string
	Amount            platform.Sum
	PaidAt            time.Time
	Channel           string // "at an OXXO store", "at a bank"
	ProviderPaymentID string
	ProjectID         int64
	PaymentID         string
	Description       string
	VoucherURL        string
	// CallbackHeld says the merchant's callback waits in the delivery log:
	// neither the payment (merchant_callback_url) nor its project has a
	// callback URL. Console is the payment's page in
	// the developer console, which shows it.
	CallbackHeld bool
	Console      string
}
