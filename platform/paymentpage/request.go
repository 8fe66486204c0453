package paymentpage

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// params are Payment Page parameters as received: the first value of each.
type params map[string]string

// formParams keeps the first value of each parameter of v.
func formParams(v url.Values) params {
	p := make(params, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			p[k] = vs[0]
		}
	}
	return p
}

// encode writes p as a query string, keys sorted: what the steps carry in
// their hidden request field.
func (p params) encode() string {
	v := make(url.Values, len(p))
	for k, s := range p {
		v.Set(k, s)
	}
	return v.Encode()
}

// get returns a parameter with surrounding spaces removed.
func (p params) get(name string) string { return strings.TrimSpace(p[name]) }

// has reports whether a parameter holds more than spaces.
func (p params) has(name string) bool { return p.get(name) != "" }

// Parameters of the Payment Page the sandbox reads (docs/payment-page.md).
const (
	paramProjectID    = "project_id"
	paramPaymentID    = "payment_id"
	paramAmount       = "payment_amount"
	paramCurrency     = "payment_currency"
	paramCustomerID   = "customer_id"
	paramSignature    = "signature"
	paramDescription  = "payment_description"
	paramForce        = "force_payment_method"
	paramLanguage     = "language_code"
	paramBestBefore   = "best_before"
	paramCallbackURL  = "merchant_callback_url"
	paramSuccessURL   = "merchant_success_url"
	paramFailURL      = "merchant_fail_url"
	paramReturnURL    = "merchant_return_url"
	paramRedirectOK   = "redirect_success_url"
	paramRedirectFail = "redirect_fail_url"
	paramFrameMode    = "frame_mode"
	paramIPAddress    = "customer_ip_address"
)

// required are the base parameters every payment needs, project_id first.
var required = []string{paramProjectID, paramPaymentID, paramAmount, paramCurrency, paramCustomerID}

// urlParams are the parameters that must be absolute http(s) URLs.
var urlParams = []string{paramSuccessURL, paramFailURL, paramReturnURL, paramRedirectOK, paramRedirectFail, paramCallbackURL}

// pageOptions are the parameters a payment keeps for the pages after the
// sale (platform.Payment.PageOptions).
var pageOptions = []string{paramSuccessURL, paramFailURL, paramReturnURL, paramRedirectOK, paramRedirectFail, paramFrameMode}

// request is a verified Payment Page request.
type request struct {
	params      params // every parameter as received, signature included
	project     platform.Project
	paymentID   string
	customerID  string
	amount      platform.Sum
	description string
	force       string
	lang        string
	embedded    bool
}

// key returns the payment's key.
func (r *request) key() platform.PaymentKey {
	return platform.PaymentKey{ProjectID: r.project.ID, PaymentID: r.paymentID}
}

// language returns the page language a set of parameters asks for, even
// before they are verified: error pages speak it too.
func language(p params) string { return web.Language(p[paramLanguage]) }

// embedded reports whether the page runs in the merchant's iframe.
func embedded(p params) bool { return p.get(paramFrameMode) == "iframe" }

// verify checks a request in ecommpay's order: project, signature, the
// base parameters, their formats, best_before, then that payment_id is
// unused. The first problem is returned as a *pageError that names it.
func (s *Server) verify(ctx context.Context, p params) (*request, error) {
	if !p.has(paramProjectID) {
		var missing []string
		for _, k := range required {
			if !p.has(k) {
				missing = append(missing, k)
			}
		}
		if p[paramSignature] == "" {
			missing = append(missing, paramSignature)
		}
		return nil, errMissing(missing)
	}
	pid, err := strconv.ParseInt(p.get(paramProjectID), 10, 64)
	if err != nil || pid <= 0 {
		return nil, errMalformed([]msg{paramMsg(paramProjectID, "err.param.project", p[paramProjectID])})
	}
	project, err := s.Engine.Project(ctx, pid)
	if err != nil {
		if platform.ErrorCode(err) == platform.CodeProjectNotFound {
			return nil, errUnknownProject(pid)
		}
		return nil, err
	}
	if err := signature.VerifyForm(p, p[paramSignature], project.Secret); err != nil {
		var mm *signature.Mismatch
		if errors.As(err, &mm) {
			mm.Mistake = signature.DiagnoseForm(p, mm.Got, project.Secret)
			return nil, errSignature(pid, mm)
		}
		return nil, errUnsigned()
	}

	var missing []string
	for _, k := range required[1:] {
		if !p.has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, errMissing(missing)
	}

	r := &request{
		params:      p,
		project:     project,
		paymentID:   p.get(paramPaymentID),
		customerID:  p.get(paramCustomerID),
		description: p[paramDescription],
		force:       p.get(paramForce),
		lang:        language(p),
		embedded:    embedded(p),
	}
	var bad []msg
	if utf8.RuneCountInString(r.paymentID) > platform.MaxIDLength {
		bad = append(bad, paramMsg(paramPaymentID, "err.param.too_long", platform.MaxIDLength))
	}
	if utf8.RuneCountInString(r.customerID) > platform.MaxIDLength {
		bad = append(bad, paramMsg(paramCustomerID, "err.param.too_long", platform.MaxIDLength))
	}
	amount, problem, ok := parseAmount(p.get(paramAmount))
	if !ok {
		bad = append(bad, problem)
	}
	currency := strings.ToUpper(p.get(paramCurrency))
	if !platform.IsCurrencyCode(currency) {
		bad = append(bad, paramMsg(paramCurrency, "err.param.currency", p[paramCurrency]))
	}
	r.amount = platform.Sum{Amount: amount, Currency: currency}
	for _, k := range urlParams {
		if p.has(k) && !platform.IsHTTPURL(p.get(k)) {
			bad = append(bad, paramMsg(k, "err.param.url", p[k]))
		}
	}
	var bestBefore time.Time
	if p.has(paramBestBefore) {
		if bestBefore, ok = parseBestBefore(p.get(paramBestBefore)); !ok {
			bad = append(bad, paramMsg(paramBestBefore, "err.param.best_before", p[paramBestBefore]))
		}
	}
	if len(bad) > 0 {
		return nil, errMalformed(bad)
	}
	if now := s.Engine.Clock().Now(); !bestBefore.IsZero() && !now.Before(bestBefore) {
		return nil, errExpired(bestBefore, now)
	}
	switch pay, err := s.Engine.Payment(ctx, r.key()); {
	case err == nil:
		return nil, errUsed(pay)
	case platform.ErrorCode(err) != platform.CodeNotFound:
		return nil, err
	}
	return r, nil
}

// parseAmount reads payment_amount: a whole number of minor units, at most
// platform.MaxAmount as at the Gate, so that an amount the engine would
// refuse at Pay is refused on the first page. When it is not one, the
// message says what is wrong with s; a number too large for 64 bits is
// too large a payment too.
func parseAmount(s string) (int64, msg, bool) {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, paramMsg(paramAmount, "err.param.amount", s), false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > platform.MaxAmount {
		return 0, paramMsg(paramAmount, "err.param.amount.max", int64(platform.MaxAmount), s), false
	}
	return n, msg{}, true
}

// bestBeforeLayouts are the ways SDKs write best_before: ISO 8601 with a
// zone (+03:00, +0300, Z) or without one (UTC), with a T or a space.
var bestBeforeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05-07:00",
	"2006-01-02 15:04:05-0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseBestBefore reads best_before.
func parseBestBefore(s string) (time.Time, bool) {
	for _, l := range bestBeforeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// readForm parses a request's form (query and body), bounded by MaxBody.
func (s *Server) readForm(req *http.Request, w http.ResponseWriter) (url.Values, error) {
	if req.Body != nil {
		req.Body = http.MaxBytesReader(w, req.Body, s.MaxBody)
	}
	if err := req.ParseForm(); err != nil {
		return nil, errBadForm(err)
	}
	return req.Form, nil
}

// carried reads the original parameters a step carries in its hidden
// request field.
func carried(form url.Values) (params, error) {
	raw := form.Get("request")
	if raw == "" {
		return nil, errNoRequest()
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errBadForm(err)
	}
	return formParams(v), nil
}
