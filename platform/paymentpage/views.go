package paymentpage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// How waiting pages look again: without script, a page reloads itself
// every refreshSeconds; with it, it polls the payment's status every
// pollFast milliseconds while the platform is at work, and every pollSlow
// while the customer or the shop has something to do.
const (
	refreshSeconds = 2
	pollFast       = 400
	pollSlow       = 4000
)

// page starts a Payment Page for a verified request.
func page(r *request, view web.PaymentView) web.PaymentPage {
	t := web.NewTranslator(r.lang)
	return web.PaymentPage{
		Page:     web.Page{Lang: t.Lang()},
		Text:     t,
		View:     view,
		Embedded: r.embedded,
		Order: web.PaymentOrder{
			ProjectID:   r.project.ID,
			PaymentID:   r.paymentID,
			Amount:      r.amount,
			Description: r.description,
		},
	}
}

// methodsPage is the choice of methods; checked is the method to show
// chosen, problem what is wrong with the choice.
func (s *Server) methodsPage(r *request, methods []platform.Method, checked, problem string) web.PaymentPage {
	pg := page(r, web.PaymentViewMethods)
	v := &web.PaymentMethods{Action: PathMethod, Request: r.params.encode(), Error: problem}
	for _, m := range methods {
		o := option(m, pg.Text)
		o.Checked = m.Code == checked
		v.Options = append(v.Options, o)
	}
	pg.Methods = v
	return pg
}

// detailsPage is the form of method m: the fields it needs and the request
// lacks or sent refused (askedFields), with what was typed, or else what the
// shop sent, and what is wrong with it.
func (s *Server) detailsPage(r *request, methods []platform.Method, m platform.Method, in typed) web.PaymentPage {
	pg := page(r, web.PaymentViewDetails)
	pg.Order.Method = m.Name
	names := askedFields(m, r.params, pg.Text)
	if in.values == nil {
		in = sentValues(m, r.params, names, pg.Text)
	}
	f := &web.PaymentForm{
		Action:  PathPay,
		Request: r.params.encode(),
		Method:  option(m, pg.Text),
		Fields:  formFields(names, in, pg.Text),
		Invalid: !in.ok(),
	}
	if len(methods) > 1 {
		f.ChangeAction = PathMethod
	}
	pg.Form = f
	return pg
}

// paymentPage starts a page of a payment that exists.
func (s *Server) paymentPage(pay *platform.Payment, view web.PaymentView) web.PaymentPage {
	opts := options(pay)
	lang := opts[paramLanguage]
	if lang == "" {
		lang = pay.Language
	}
	t := web.NewTranslator(lang)
	if m, ok := s.Engine.Method(pay.Method); ok {
		t = t.In(m.Location) // a voucher's dates in its country's time
	}
	return web.PaymentPage{
		Page:     web.Page{Lang: t.Lang()},
		Text:     t,
		View:     view,
		Embedded: embedded(opts),
		Order: web.PaymentOrder{
			ProjectID:   pay.ProjectID,
			PaymentID:   pay.ID,
			Amount:      pay.Amount,
			Description: pay.Description,
			Method:      s.methodName(pay),
		},
	}
}

// options are the Payment Page parameters a payment kept.
func options(pay *platform.Payment) params {
	p := params{}
	for k, v := range pay.PageOptions {
		p[k] = v
	}
	return p
}

// methodName is the name of a payment's method.
func (s *Server) methodName(pay *platform.Payment) string {
	if m, ok := s.Engine.Method(pay.Method); ok {
		return m.Name
	}
	return pay.Method
}

// processingPage waits for the payment to leave processing.
func (s *Server) processingPage(pay *platform.Payment) web.PaymentPage {
	pg := s.paymentPage(pay, web.PaymentViewProcessing)
	pg.Wait = &web.PaymentWait{PollURL: statusPath(pay.Key()), Status: string(pay.Status), RefreshSeconds: refreshSeconds, IntervalMS: pollFast}
	return pg
}

// redirectPage sends the customer to the provider with a form: a POST of
// the redirect's body, or a GET of the redirect's URL with its query (and
// the body's fields) as the form's fields. With link, the customer follows
// a link (or presses a button) to go; nothing submits itself.
func (s *Server) redirectPage(pay *platform.Payment, link bool) (web.PaymentPage, error) {
	pg := s.paymentPage(pay, web.PaymentViewRedirect)
	r := &web.PaymentRedirect{Provider: s.methodName(pay), URL: pay.Redirect.URL, Link: link}
	if !strings.EqualFold(pay.Redirect.Method, http.MethodPost) {
		r.Href = getURL(pay.Redirect)
		u, err := url.Parse(getURL(pay.Redirect))
		if err != nil {
			return web.PaymentPage{}, fmt.Errorf("payment %s: redirect URL: %w", pay.Key(), err)
		}
		for _, k := range slices.Sorted(maps.Keys(u.Query())) {
			for _, v := range u.Query()[k] {
				r.Fields = append(r.Fields, web.FormField{Name: k, Value: v})
			}
		}
		u.RawQuery = ""
		r.URL, r.Get = u.String(), true
		pg.Redirect = r
		return pg, nil
	}
	fields, err := bodyFields(pay.Redirect.Body)
	if err != nil {
		return web.PaymentPage{}, fmt.Errorf("payment %s: redirect body: %w", pay.Key(), err)
	}
	r.Fields = fields
	pg.Redirect = r
	return pg, nil
}

// bodyFields turns a redirect body (a JSON object, or [] for none) into
// form fields, sorted by name: strings as they are, numbers in their JSON
// text, booleans as 1 and 0, objects and lists as JSON.
func bodyFields(body json.RawMessage) ([]web.FormField, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || bytes.Equal(body, []byte("null")) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if list, isList := v.([]any); isList && len(list) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("a redirect body is a JSON object of fields, got %s", body)
	}
	out := make([]web.FormField, 0, len(obj))
	for k, val := range obj {
		var s string
		switch val := val.(type) {
		case string:
			s = val
		case json.Number:
			s = val.String()
		case bool:
			s = "0"
			if val {
				s = "1"
			}
		case nil:
		default:
			b, _ := json.Marshal(val) // decoded JSON always marshals
			s = string(b)
		}
		out = append(out, web.FormField{Name: k, Value: s})
	}
	slices.SortFunc(out, func(a, b web.FormField) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// getURL is where a GET redirect goes: its URL, with the body's fields
// added to the query when there are any.
func getURL(r *platform.Redirect) string {
	fields, err := bodyFields(r.Body)
	if err != nil || len(fields) == 0 {
		return r.URL
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return r.URL
	}
	q := u.Query()
	for _, f := range fields {
		q.Set(f.Name, f.Value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// resultPage shows where a payment stands and where the customer goes next.
// It reads the payment's project to say whether the shop is told.
func (s *Server) resultPage(ctx context.Context, pay *platform.Payment) (web.PaymentPage, error) {
	pg := s.paymentPage(pay, web.PaymentViewResult)
	opts := options(pay)
	res := &web.PaymentResult{Method: pg.Order.Method}
	sale := pay.Sale()
	if sale != nil {
		res.Date = sale.UpdatedAt
	}
	wait := &web.PaymentWait{PollURL: statusPath(pay.Key()), Status: string(pay.Status), RefreshSeconds: refreshSeconds, IntervalMS: pollFast}
	switch pay.Status {
	case platform.StatusSuccess:
		res.State = web.ResultSuccess
		res.ReturnURL = first(opts, paramRedirectOK, paramSuccessURL)
	case platform.StatusDecline, platform.StatusError:
		res.State = web.ResultDecline
		res.ReturnURL = first(opts, paramRedirectFail, paramFailURL, paramReturnURL)
		if sale != nil {
			res.Reason, res.Details = declineReason(sale, pg.Text)
		}
	case platform.StatusRefunded:
		res.State = web.ResultRefunded
		res.ReturnURL = first(opts, paramReturnURL, paramRedirectOK, paramSuccessURL)
	case platform.StatusAwaitingRedirect:
		res.State = web.ResultPending
		res.ReturnURL = first(opts, paramReturnURL, paramRedirectOK, paramSuccessURL)
		if v := pay.Voucher; v != nil && v.PaidAt.IsZero() {
			res.Voucher = &web.PaymentVoucher{Reference: v.Reference, Amount: v.Amount, ValidUntil: v.ValidUntil, BankUntil: v.BankUntil}
			if pay.Redirect != nil && !strings.EqualFold(pay.Redirect.Method, "POST") {
				res.Voucher.URL = getURL(pay.Redirect)
			}
		} else if pay.Redirect != nil {
			res.ContinueURL = processingPath(pay.Key())
		}
		res.Wait = wait
		res.Wait.RefreshSeconds, res.Wait.IntervalMS = 0, pollSlow
	case platform.StatusAwaitingClarification:
		res.State = web.ResultWaiting
		res.ReturnURL = first(opts, paramReturnURL, paramRedirectOK, paramSuccessURL)
		res.Wait = wait
		res.Wait.RefreshSeconds, res.Wait.IntervalMS = 0, pollSlow
	default:
		res.State = web.ResultProcessing
		res.Wait = wait
	}
	if res.State == web.ResultSuccess || res.State == web.ResultPending {
		project, err := s.Engine.Project(ctx, pay.ProjectID)
		if err != nil {
			return pg, fmt.Errorf("payment page: reading project %d for the result of payment %q: %w", pay.ProjectID, pay.ID, err)
		}
		if pay.CallbackURL(project) == "" {
			res.CallbackHeld, res.ProjectID, res.Console = true, pay.ProjectID, web.ConsolePaymentPath(pay.Key())
		}
	}
	pg.Result = res
	return pg, nil
}

// declineReason is why sale was declined, said once: the decline's
// message in the customer's language when the page knows its code, and
// the errors entries that add something to it (a field, a limit), as the
// platform words them.
func declineReason(sale *platform.Operation, t web.Translator) (string, []string) {
	reason := sale.Message
	if key := "decline." + sale.Code; t.Has(key) {
		reason = t.T(key)
	}
	var details []string
	for _, e := range sale.Errors {
		if e.Field == "" && (e.Message == "" || strings.EqualFold(e.Message, sale.Message)) {
			continue // the reason again
		}
		d := platform.Sentence(e.Message)
		if e.Field != "" {
			d = e.Field + ": " + e.Message
		}
		if !slices.Contains(details, d) {
			details = append(details, d)
		}
	}
	return reason, details
}

// first returns the first of the named options that is set.
func first(p params, names ...string) string {
	for _, n := range names {
		if v := p.get(n); v != "" {
			return v
		}
	}
	return ""
}
