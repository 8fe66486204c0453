package web

import (
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// HomePage is the sandbox's front page: what it emulates and a link to
// everything.
type HomePage struct {
	Page
	BaseURL  string
	Clock    ClockView
	Methods  []MethodCard
	Projects []platform.Project
}

// MethodCard is one emulated payment method on the home page.
type MethodCard struct {
	Name       string
	Code       string
	Currencies []string
	GatePath   string
	ProviderID int
	Links      []Link // the provider's own pages
}

// ClockView is the sandbox clock as pages show it.
type ClockView struct {
	Now    time.Time
	Frozen bool
}

// DashboardPage shows payments, deliveries, projects and the clock, with a
// button for every action of the control API.
type DashboardPage struct {
	Page
	// FormToken is what every form on the page carries in its csrf_token
	// field, so that only the dashboard itself can submit them.
	FormToken  string
	Clock      ClockView
	Flash      *Flash
	Filter     PaymentFilterView
	Payments   []PaymentRow
	Deliveries []DeliveryRow
	Projects   []platform.Project
}

// Flash is the outcome of the last action, shown once.
type Flash struct {
	OK      bool
	Message string
}

// PaymentFilterView is the dashboard's payment filter with its choices.
type PaymentFilterView struct {
	ProjectID string
	Status    string
	Method    string
	Statuses  []string
	Methods   []Link // Label: name, URL: code
}

// PaymentRow is a payment in a list.
type PaymentRow struct {
	ProjectID  int64
	PaymentID  string
	MethodName string
	Interface  platform.Interface
	Status     platform.Status
	Amount     platform.Sum
	Sum        platform.Sum
	CreatedAt  time.Time
	UpdatedAt  time.Time
	URL        string // its dashboard page
}

// DeliveryRow is a callback or check_deposit in a list.
type DeliveryRow struct {
	ID          uint64
	Kind        platform.DeliveryKind
	Status      platform.DeliveryStatus
	ProjectID   int64
	PaymentID   string
	URL         string
	Attempts    int
	Last        *platform.Attempt
	NextAttempt time.Time
	PaymentURL  string
}

// PaymentDetailPage is one payment whole: its state, operations, voucher,
// redirect, pending jobs and every delivery with its attempts, with the
// actions a tester may take as the customer or the provider.
type PaymentDetailPage struct {
	Page
	// FormToken is what every form on the page carries in its csrf_token
	// field, so that only the dashboard itself can submit them.
	FormToken     string
	Clock         ClockView
	Flash         *Flash
	Payment       PaymentRow
	Description   string
	Customer      platform.Customer
	Operations    []platform.Operation
	Voucher       *VoucherLinks
	Redirect      *platform.Redirect
	RedirectBody  string // indented JSON
	Clarification []string
	Jobs          []platform.Job
	Deliveries    []DeliveryDetail
	Actions       PaymentActions
	APIURL        string // the same payment in the control API
}

// VoucherLinks is a voucher with the URLs of its pages.
type VoucherLinks struct {
	*platform.Voucher
	PageURL     string
	BarcodeURL  string
	TerminalURL string
}

// PaymentActions says which actions the payment allows now.
type PaymentActions struct {
	Open     bool     // not final: pay, fail and expire apply
	Channels []string // voucher channels to pay through, if any
}

// DeliveryDetail is a delivery with its message and every attempt.
type DeliveryDetail struct {
	DeliveryRow
	Body         string // the unsigned message, indented
	AttemptViews []platform.Attempt
	Resendable   bool
}
