package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// declines are the codes a tester may make a provider decline with.
var declines = []int{platform.DeclineGeneral, platform.DeclineInsufficientFunds, platform.DeclineOverMaxLimit}

// clarifyFields are the fields a clarification may ask for, as
// clarification_fields names them, with their form fields.
var clarifyFields = map[string]web.ClarifyField{
	"customer.phone":      {Path: "customer.phone", Name: "phone", Label: "Customer phone", Type: "tel"},
	"customer.email":      {Path: "customer.email", Name: "email", Label: "Customer email", Type: "email"},
	"customer.first_name": {Path: "customer.first_name", Name: "first_name", Label: "First name", Type: "text"},
	"customer.last_name":  {Path: "customer.last_name", Name: "last_name", Label: "Last name", Type: "text"},
}

func (s *Server) handleDashboardPayment(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.errorPage(c, err)
	}
	ctx := c.Request().Context()
	w, err := s.Engine.PaymentWhole(ctx, k)
	if err != nil {
		return s.errorPage(c, err)
	}
	s.asSent(ctx, w.Deliveries)
	p := w.Payment
	page := web.PaymentDetailPage{
		Page: web.Page{Title: "Payment " + p.ID}, Console: s.console(c, "payments"),
		Customer: p.Customer, ReturnURLs: p.ReturnURLs, Redirect: p.Redirect,
		APIURL: "/sandbox/payments/" + itoa(p.ProjectID) + "/" + url.PathEscape(p.ID),
	}
	page.Payment = s.row(p, page.Clock.Now)
	page.Timeline = web.TimelineOf(w, page.Clock.Now)
	s.markMoved(ctx, p, page.Timeline)
	page.Curl = "curl -sS " + web.ShellQuote(s.Engine.BaseURL()+page.APIURL)
	whole := wholeView{paymentView: s.paymentView(p), Deliveries: w.Deliveries, Jobs: w.Jobs}
	if whole.Deliveries == nil {
		whole.Deliveries = []*platform.Delivery{}
	}
	if whole.Jobs == nil {
		whole.Jobs = []platform.Job{}
	}
	if raw, err := json.MarshalIndent(whole, "", "  "); err == nil {
		page.JSON = string(raw)
	}
	if r := p.Redirect; r != nil && r.Method == http.MethodGet {
		page.RedirectURL = r.URL
	}
	page.Voucher = s.voucherLinks("", p)
	page.Actions = s.actions(p)
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard_payment", page)
}

// markMoved notes, on each callback of p still to be delivered, where a
// resend would send it when that is not where its retries go: a merchant
// who fixed the project's callback URL must resend what was sent to the
// wrong one.
func (s *Server) markMoved(ctx context.Context, p *platform.Payment, timeline []web.TimelineEntry) {
	project, err := s.Engine.Project(ctx, p.ProjectID)
	if err != nil && p.Callback.URL == "" {
		return
	}
	now := p.CallbackURL(project)
	for _, e := range timeline {
		d := e.Delivery
		if d == nil || d.Kind != platform.DeliveryCallback || now == "" || d.URL == "" || d.URL == now {
			continue
		}
		if d.Status == platform.DeliveryPending || d.Status == platform.DeliveryFailed {
			d.Moved = now
		}
	}
}

// actions says what the dashboard offers for p now.
func (s *Server) actions(p *platform.Payment) web.PaymentActions {
	var a web.PaymentActions
	m, _ := s.Engine.Method(p.Method)
	if last := p.Last(); last != nil && !last.Status.Final() && p.Status != platform.StatusAwaitingClarification {
		a.Open = true
		switch {
		case p.Voucher != nil:
			a.Channels = []string{"terminal", "bank"}
		case m.PayWith != "":
			a.PayLabel = "Pay with " + m.PayWith
		default:
			a.PayLabel = "Pay"
		}
		for _, code := range declines {
			a.Declines = append(a.Declines, web.Choice{Value: strconv.Itoa(code), Label: fmt.Sprintf("%d %s", code, platform.CodeMessage(code))})
		}
	}
	if p.Status == platform.StatusAwaitingClarification {
		for _, f := range p.Clarification {
			if cf, ok := clarifyFields[f]; ok {
				a.Clarify = append(a.Clarify, cf)
			}
		}
	}
	if m.Refunds && p.Refundable() {
		a.RefundPath = m.RefundPath
	}
	return a
}

func (s *Server) handleDashboardAct(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.errorPage(c, err)
	}
	ctx := c.Request().Context()
	to := web.ConsolePaymentPath(k)
	switch param(c, "action") {
	case "pay":
		var in json.RawMessage // a voucher's channel; other methods take no input from here
		if ch := c.FormValue("channel"); ch != "" {
			in = platform.MustJSON(map[string]string{"channel": ch})
		}
		_, err = s.Engine.Pay(ctx, k, in)
		how := "Paid."
		if ch := c.FormValue("channel"); ch != "" {
			how = "Paid at " + map[string]string{"bank": "a bank", "terminal": "a terminal"}[ch] + "."
		}
		return s.back(c, to, err, how)
	case "fail":
		code, cerr := strconv.Atoi(c.FormValue("code"))
		if cerr != nil && c.FormValue("code") != "" {
			return s.back(c, to, badRequest("decline code %q is not a number", c.FormValue("code")), "")
		}
		_, err = s.Engine.Fail(ctx, k, code)
		return s.back(c, to, err, "The provider declined the payment.")
	case "expire":
		_, err = s.Engine.Expire(ctx, k)
		return s.back(c, to, err, "Lapsed now.")
	case "refund":
		p, err := s.Engine.Refund(ctx, k, platform.RefundRequest{})
		done := "Refunded in full."
		if err == nil && p.Refund() != nil && p.Refund().Status == platform.StatusDecline {
			done = "The provider declined the refund; the payment stays paid, and you may refund it again."
		}
		return s.back(c, to, err, done)
	case "clarify":
		var cust platform.Customer
		for name, dst := range map[string]*string{"phone": &cust.Phone, "email": &cust.Email, "first_name": &cust.FirstName, "last_name": &cust.LastName} {
			*dst = strings.TrimSpace(c.FormValue(name))
		}
		_, err = s.Engine.Clarify(ctx, k, cust)
		return s.back(c, to, err, "The missing fields are sent: the payment goes on.")
	}
	return s.errorPage(c, badRequest("there is no action %q; use pay, fail, expire, refund or clarify", param(c, "action")))
}
