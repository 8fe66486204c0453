package web

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// PaymentView names the step of the Payment Page a PaymentPage shows.
type PaymentView string

// The steps of the Payment Page, in the order a customer meets them.
const (
	// PaymentViewMethods lists the methods that fit the payment.
	PaymentViewMethods PaymentView = "methods"
	// PaymentViewDetails asks for what the chosen method needs and the
	// request lacks, then pays.
	PaymentViewDetails PaymentView = "details"
	// PaymentViewProcessing waits until the payment leaves processing.
	PaymentViewProcessing PaymentView = "processing"
	// PaymentViewRedirect sends the customer to the provider: a form that
	// submits itself, or a link the customer follows (PaymentRedirect.Link).
	PaymentViewRedirect PaymentView = "redirect"
	// PaymentViewResult shows where the payment stands.
	PaymentViewResult PaymentView = "result"
	// PaymentViewError says what is wrong with the request.
	PaymentViewError PaymentView = "error"
)

// PaymentPage is one step of the sandbox's hosted Payment Page: one
// template (templates/payment.html, rendered as "payment") with its own
// layout, so that the header and footer speak the customer's language too.
// Exactly one of Methods, Form, Wait, Redirect, Result and Error is set, as
// View says; Order is shown beside every step but the error.
type PaymentPage struct {
	Page
	// Text speaks the page's language (Page.Lang is Text.Lang()).
	Text Translator
	View PaymentView
	// ScriptURL is the page's script (polling, auto-submit), same origin.
	ScriptURL string
	// Embedded says the page runs in the merchant's iframe (frame_mode).
	Embedded bool
	Order    PaymentOrder

	Methods  *PaymentMethods
	Form     *PaymentForm
	Wait     *PaymentWait
	Redirect *PaymentRedirect
	Result   *PaymentResult
	Error    *PaymentError
}

// T returns the page's string key in its language (see Translator.T).
func (p PaymentPage) T(key string, args ...any) string { return p.Text.T(key, args...) }

// Date formats a moment in the page's language: "2 Mar 2026, 09:00 UTC".
func (p PaymentPage) Date(t time.Time) string { return p.Text.Date(t) }

// Day formats a date in the page's language: "Thu, 12 Mar 2026".
func (p PaymentPage) Day(t time.Time) string { return p.Text.Day(t) }

// WaitOf returns what the page waits for, if it waits: the processing
// step's, or the result's while the payment is not settled. The layout
// reloads such a page by itself when script is off.
func (p PaymentPage) WaitOf() *PaymentWait {
	if p.Wait != nil {
		return p.Wait
	}
	if p.Result != nil {
		return p.Result.Wait
	}
	return nil
}

// Money formats an amount for the page: "MX$1,250.00".
func (p PaymentPage) Money(s platform.Sum) string { return FormatMoneySymbol(s) }

// PaymentOrder is what the customer pays for.
type PaymentOrder struct {
	ProjectID   int64
	PaymentID   string
	Amount      platform.Sum
	Description string
	// Method is the chosen method's name, once there is one.
	Method string
}

// HasAmount reports whether the merchant set the amount (EcoVoucher
// payments may leave it to the customer's vouchers).
func (o PaymentOrder) HasAmount() bool { return o.Amount.Amount > 0 }

// PaymentMethods is the choice of methods.
type PaymentMethods struct {
	Action  string // where the choice posts
	Request string // the signed parameters, carried through
	Options []PaymentMethodOption
	// Error says no method was chosen.
	Error string
}

// PaymentMethodOption is one method the customer may choose.
type PaymentMethodOption struct {
	Code    string
	Name    string
	Hint    string
	Mark    MethodMark
	Checked bool
}

// MethodMark is the small logo tile a method is shown with.
type MethodMark struct {
	Text  string
	Color string // background, a CSS hex colour
	Ink   string // text on Color
	Card  bool   // draw a card icon instead of Text
}

// MarkOf returns the tile of m: its brand's tile and colours, or, for a
// method without brand colours, one made of its name's initials.
func MarkOf(m platform.Method) MethodMark {
	if b := m.Brand; b.Color != "" {
		return MethodMark{Text: b.Tile, Color: b.Color, Ink: b.Ink, Card: b.Tile == ""}
	}
	var initials []rune
	for _, w := range strings.Fields(m.Name) {
		initials = append(initials, []rune(strings.ToUpper(w))[0])
		if len(initials) == 3 {
			break
		}
	}
	return MethodMark{Text: string(initials), Color: "#374151", Ink: "#ffffff"}
}

// PaymentForm asks for what the chosen method needs, then pays.
type PaymentForm struct {
	Action  string // where the form posts (the payment)
	Request string // the signed parameters, carried through
	Method  PaymentMethodOption
	// ChangeAction, when set, is where "Change" posts to choose another
	// method (unset when the method was forced or is the only one).
	ChangeAction string
	Fields       []PaymentField
	// Invalid says at least one field was refused.
	Invalid bool
}

// PaymentField is one input of the form, with what the customer typed and
// what is wrong with it.
type PaymentField struct {
	Name         string // the Payment Page parameter: customer_email
	Label        string
	Hint         string
	Type         string // text, email, tel
	Autocomplete string
	InputMode    string
	Value        string
	Error        string
}

// PaymentWait is the page that waits for the payment to leave processing:
// it reloads itself every RefreshSeconds without script, and polls
// PollURL with it.
type PaymentWait struct {
	PollURL string
	Status  string // the status being waited out
	// RefreshSeconds is how often the page reloads itself without script;
	// 0: it does not.
	RefreshSeconds int
	// IntervalMS is how often the script polls PollURL.
	IntervalMS int
}

// PaymentRedirect sends the customer to the provider with a form that
// submits itself: a POST of the redirect's body, or, in the shop's frame,
// a GET too, so that the provider's page opens in the whole window
// (PaymentPage.Embedded) instead of inside the frame. With Link the page
// shows a link (a GET) or a button (a POST) the customer follows
// themselves, and nothing submits itself.
type PaymentRedirect struct {
	Provider string
	// URL is the form's action; a GET's query is in Fields.
	URL    string
	Get    bool
	Fields []FormField
	// Link says the customer follows the redirect themselves.
	Link bool
	// Href is a GET redirect's whole URL, query included: the link's.
	Href string
}

// FormField is a hidden form field.
type FormField struct {
	Name  string
	Value string
}

// Result states a payment can show.
const (
	ResultSuccess    = "success"
	ResultDecline    = "decline"
	ResultPending    = "pending"    // the customer has something left to do
	ResultProcessing = "processing" // the platform is on it: wait
	ResultWaiting    = "waiting"    // the merchant must act (clarification)
	ResultRefunded   = "refunded"
)

// PaymentResult is where a payment stands, as the customer sees it.
type PaymentResult struct {
	State  string // one of the Result… states
	Method string
	Date   time.Time
	// Reason is why the payment was declined; Details name the fields.
	Reason  string
	Details []string
	// Voucher is the voucher to pay, while a voucher payment is pending.
	Voucher *PaymentVoucher
	// ContinueURL takes the customer back to the provider while the
	// payment is pending and is no voucher.
	ContinueURL string
	// ReturnURL is the shop's page for this outcome, when it gave one.
	ReturnURL string
	// Wait is set while the result page waits for the payment.
	Wait *PaymentWait
	// CallbackHeld says the shop is not told: neither the payment nor its
	// project has a callback URL, so the callback waits in the delivery
	// log (a sandbox's project may have none). Console is the payment's
	// page in the developer console, where the callback waits.
	CallbackHeld bool
	ProjectID    int64
	Console      string
}

// PaymentVoucher is a voucher the customer still has to pay.
type PaymentVoucher struct {
	Reference  string
	Amount     platform.Sum
	ValidUntil time.Time
	BankUntil  time.Time
	URL        string // the provider's voucher page
}

// PaymentError says what is wrong with a Payment Page request. Title and
// Message are in the page's language; Details name parameters and values.
type PaymentError struct {
	Status  int
	Title   string
	Message string
	Details []string
	// Signed is the string the sandbox signed, for a signature mismatch,
	// and Got the signature received.
	Signed string
	Got    string
	Hint   string
	Link   *Link
}

// SignedPairs returns Signed cut after each ";", so that the page can
// break the long string between pairs; joined, they are Signed.
func (e PaymentError) SignedPairs() []string { return strings.SplitAfter(e.Signed, ";") }

// SharedPrefix is where SharedHandler serves merchant.js and merchant.css,
// as ecommpay does.
const SharedPrefix = "/shared/"

// ppSharedFiles are the static files served under SharedPrefix.
var ppSharedFiles = []string{"merchant.js", "merchant.css"}

// SharedHandler serves the merchant widget, /shared/merchant.js and
// /shared/merchant.css, from the embedded static files. Shops load them
// from another origin, so they may be fetched from anywhere; they are
// revalidated with their ETag on every load.
func SharedHandler() http.Handler {
	assets, err := loadAssets()
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, _ := strings.CutPrefix(req.URL.Path, SharedPrefix)
		a, ok := assets[name]
		if !ok || !slices.Contains(ppSharedFiles, name) {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", `"`+a.version+`"`)
		h.Set("Cache-Control", "public, no-cache")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, req, name, time.Time{}, bytes.NewReader(a.body))
	})
}

// ShopPage is the sample shop of the demo project: signed Payment Page
// links built on the server, one per method, and the widget.
type ShopPage struct {
	Page
	ProjectID int64
	Secret    string
	Product   ShopProduct
	// Links are the signed Payment Page links, one per method and one that
	// lets the customer choose.
	Links []ShopLink
	// Widget is the configObj EPayWidget.run receives, as JSON; Embedded
	// the one EPayWidget.runEmbedded receives (with target_element), and
	// WidgetSigned the string its signature covers.
	Widget       string
	Embedded     string
	WidgetSigned string
	// PaymentLang is the language_code the links carry, one of Languages.
	PaymentLang string
	Languages   []string
	// WidgetScript is the sandbox's merchant.js; ShopScript the shop's own
	// script that calls it.
	WidgetScript string
	WidgetStyle  string
	ShopScript   string
	// Returned is set when the Payment Page sent the customer back.
	Returned *ShopReturn
	// Dashboard is where the payments and their callbacks are seen.
	Dashboard string
}

// ShopProduct is what the sample shop sells.
type ShopProduct struct {
	Name        string
	Description string
	Price       platform.Sum
}

// ShopLink is one signed Payment Page link of the sample shop.
type ShopLink struct {
	Label     string
	Hint      string
	Mark      MethodMark
	URL       string
	PaymentID string
	// Params are the link's parameters as signed, signature last.
	Params []FormField
	// Signed is the string the signature covers.
	Signed string
}

// SignedPairs returns Signed cut after each ";", for line breaks.
func (l ShopLink) SignedPairs() []string { return strings.SplitAfter(l.Signed, ";") }

// ShopReturn is the customer coming back from the Payment Page.
type ShopReturn struct {
	Outcome   string // success or fail
	PaymentID string
	StatusURL string
}
