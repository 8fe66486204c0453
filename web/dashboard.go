package web

import (
	"net/url"
	"strconv"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// ConsolePaymentPath is the path of a payment's page in the developer
// console: "/dashboard/payments/1/order-7".
func ConsolePaymentPath(k platform.PaymentKey) string {
	return "/dashboard/payments/" + strconv.FormatInt(k.ProjectID, 10) + "/" + url.PathEscape(k.PaymentID)
}

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
	// ExampleSale is a sale its Gate endpoint takes for the demo project,
	// indented and not yet signed; "" for a method without one.
	ExampleSale string
}

// ClockView is the sandbox clock as pages show it.
type ClockView struct {
	Now    time.Time
	Frozen bool
}

// Input is the clock's time as a datetime-local field holds it, in UTC.
func (c ClockView) Input() string { return c.Now.UTC().Format("2006-01-02T15:04:05") }

// Console is what every page of the developer console has: which section
// it belongs to, the sandbox clock, the outcome of the last action and the
// token its forms carry.
type Console struct {
	// Section names the console's tab the page belongs to: "payments",
	// "projects" or "links".
	Section string
	Clock   ClockView
	Flash   *Flash
	// FormToken is what every form on the page carries in its csrf_token
	// field, so that only the dashboard itself can submit them.
	FormToken string
}

// Typed returns what was typed in field name of form when the last action
// refused that form, so that nothing typed is lost; "" otherwise.
func (c Console) Typed(form, name string) string {
	if !c.Refused(form) {
		return ""
	}
	return c.Flash.Typed[name]
}

// Refused reports whether the last action refused form.
func (c Console) Refused(form string) bool {
	return c.Flash != nil && !c.Flash.OK && c.Flash.Form == form
}

// Flash is the outcome of the last action, shown once. The server keeps it
// (never the URL), so no link can put its own words on a page.
type Flash struct {
	OK      bool
	Message string
	// Answer is what a merchant answered, when the action sent something
	// (a test callback).
	Answer *AttemptView
	// Form names the form the action refused ("new-project", or a
	// project's anchor for its edit form) and Typed holds what was typed
	// in it, by field name, so the page shows it again as it was.
	Form  string
	Typed map[string]string
}

// DashboardPage is the payments list: filters, one page of payments with
// how their callbacks stand, links to the pages around it, and the clock.
type DashboardPage struct {
	Page
	Console
	Filter   PaymentFilterView
	Payments []PaymentRow
	// Next is the URL of the next page, "" on the last one; First is the
	// URL of the first page, "" on it.
	Next, First string
	// CSV is the URL of the filtered list as CSV.
	CSV string
	// Durations are the clock's quick moves.
	Durations []string
	// Refusals are the newest Gate requests refused (of the project
	// filtered on), RefusalsKept how many the sandbox keeps of them.
	Refusals     []RefusalRow
	RefusalsKept int
}

// RefusalRow is a Gate request the sandbox refused, as the dashboard
// shows it.
type RefusalRow struct {
	platform.Refusal
	// Body is the request's body, indented when it is JSON.
	Body string
}

// NewRefusalRow returns r as the dashboard shows it.
func NewRefusalRow(r platform.Refusal) RefusalRow {
	return RefusalRow{Refusal: r, Body: Indent([]byte(r.Body))}
}

// PaymentFilterView is the payments list's filter with its choices.
type PaymentFilterView struct {
	ProjectID string
	Status    string
	Method    string
	Callbacks string
	// Query is the start of the payment IDs searched for.
	Query     string
	Projects  []int64
	Statuses  []string
	Methods   []Choice
	Healths   []Choice
	Filtered  bool // anything is set
	PageLimit int
}

// Choice is one option of a select.
type Choice struct {
	Value string
	Label string
}

// PaymentRow is a payment in a list.
type PaymentRow struct {
	ProjectID   int64
	PaymentID   string
	MethodName  string
	Interface   platform.Interface
	Status      platform.Status
	Amount      platform.Sum
	Sum         platform.Sum
	Description string
	Callbacks   platform.CallbackSummary
	// NextIn is how long until the next callback attempt, in sandbox time.
	NextIn    string
	CreatedAt time.Time
	UpdatedAt time.Time
	URL       string // its dashboard page
}

// Key is the row's payment as the live updates name it: "project/payment".
func (r PaymentRow) Key() string {
	return platform.PaymentKey{ProjectID: r.ProjectID, PaymentID: r.PaymentID}.String()
}

// PaymentDetailPage is one payment whole: its facts, one timeline of what
// happened to it and what is due, and the actions a tester may take as the
// customer, the provider or the merchant.
type PaymentDetailPage struct {
	Page
	Console
	Payment     PaymentRow
	Customer    platform.Customer
	ReturnURLs  platform.ReturnURLs
	Voucher     *VoucherLinks
	Redirect    *platform.Redirect
	RedirectURL string // where the redirect sends the customer, when it is a link
	Timeline    []TimelineEntry
	Actions     PaymentActions
	// APIURL is the same payment in the control API; JSON is what it
	// answers, for "Copy JSON"; Curl fetches it.
	APIURL string
	JSON   string
	Curl   string
}

// VoucherLinks is a voucher with the URLs of its pages.
type VoucherLinks struct {
	*platform.Voucher
	PageURL     string
	BarcodeURL  string
	TerminalURL string
}

// PaymentActions says what may be done to the payment now.
type PaymentActions struct {
	// Open says the sale is not final: pay, fail and expire apply.
	Open bool
	// Channels are the voucher channels to pay through, if any; PayLabel
	// names the one pay button otherwise.
	Channels []string
	PayLabel string
	// Declines are the codes a provider may decline with.
	Declines []Choice
	// RefundPath is the Gate endpoint of the method's refunds (which the
	// console's refund does as it would), when the payment can be refunded
	// in full; "" when it cannot.
	RefundPath string
	// Clarify lists the fields the payment awaits, when it does.
	Clarify []ClarifyField
}

// ClarifyField is one field a payment awaiting clarification lacks.
type ClarifyField struct {
	Path  string // as clarification_fields names it: "customer.phone"
	Name  string // the form field
	Label string
	Type  string // the input's type: tel, email, text
}
