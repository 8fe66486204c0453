package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// dashboardLimit bounds the payments and deliveries the dashboard lists.
const dashboardLimit = 100

var statuses = []string{
	string(platform.StatusProcessing), string(platform.StatusAwaitingRedirect), string(platform.StatusAwaitingClarification),
	string(platform.StatusSuccess), string(platform.StatusDecline), string(platform.StatusRefunded),
}

func (s *Server) clockView() web.ClockView {
	return web.ClockView{Now: s.Engine.Clock().Now(), Frozen: s.Engine.Clock().Frozen()}
}

// flashOf reads the outcome of the last action from the query.
func flashOf(c echo.Context) *web.Flash {
	msg := c.QueryParam("flash")
	if msg == "" {
		return nil
	}
	return &web.Flash{OK: c.QueryParam("ok") == "1", Message: msg}
}

// back redirects to where the action came from with its outcome.
func back(c echo.Context, to string, err error, okMessage string) error {
	if r := c.FormValue("return"); strings.HasPrefix(r, "/dashboard") {
		to = r
	}
	q := url.Values{}
	if err != nil {
		var pe *platform.Error
		if errors.As(err, &pe) && pe.Detail != "" {
			q.Set("flash", pe.Detail)
		} else {
			q.Set("flash", err.Error())
		}
	} else {
		q.Set("flash", okMessage)
		q.Set("ok", "1")
	}
	return c.Redirect(http.StatusSeeOther, to+"?"+q.Encode())
}

func dashboardURL(k platform.PaymentKey) string {
	return "/dashboard/payments/" + itoa(k.ProjectID) + "/" + url.PathEscape(k.PaymentID)
}

func (s *Server) methodName(code string) string {
	if m, ok := s.Engine.Method(code); ok {
		return m.Name
	}
	return code
}

func (s *Server) row(p *platform.Payment) web.PaymentRow {
	return web.PaymentRow{
		ProjectID: p.ProjectID, PaymentID: p.ID, MethodName: s.methodName(p.Method), Interface: p.Interface,
		Status: p.Status, Amount: p.Amount, Sum: p.Sum, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		URL: dashboardURL(p.Key()),
	}
}

func deliveryRow(d *platform.Delivery) web.DeliveryRow {
	r := web.DeliveryRow{
		ID: d.ID, Kind: d.Kind, Status: d.Status, ProjectID: d.ProjectID, PaymentID: d.PaymentID,
		URL: d.URL, Attempts: len(d.Attempts), NextAttempt: d.NextAttempt, PaymentURL: dashboardURL(d.Key()),
	}
	if n := len(d.Attempts); n > 0 {
		r.Last = &d.Attempts[n-1]
	}
	return r
}

func (s *Server) handleHome(c echo.Context) error {
	ctx := c.Request().Context()
	projects, err := s.Engine.Projects(ctx)
	if err != nil {
		return s.errorPage(c, err)
	}
	page := web.HomePage{Page: web.Page{Title: "ecommpay sandbox"}, BaseURL: s.Engine.BaseURL(), Clock: s.clockView(), Projects: projects}
	for _, m := range s.Engine.Methods() {
		card := web.MethodCard{Name: m.Name, Code: m.Code, Currencies: m.Currencies, GatePath: m.GatePath, ProviderID: m.ProviderID}
		card.Links = append(card.Links, web.Link{Label: "Payments by " + m.Name, URL: "/dashboard?method=" + url.QueryEscape(m.Code)})
		for _, l := range m.Pages {
			card.Links = append(card.Links, web.Link{Label: l.Label, URL: l.URL})
		}
		page.Methods = append(page.Methods, card)
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "home", page)
}

func (s *Server) handleDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	f := platform.PaymentFilter{Status: platform.Status(c.QueryParam("status")), Method: c.QueryParam("method"), Limit: dashboardLimit}
	page := web.DashboardPage{
		Page: web.Page{Title: "Dashboard"}, FormToken: s.Forms.Token(), Clock: s.clockView(), Flash: flashOf(c),
		Filter: web.PaymentFilterView{ProjectID: c.QueryParam("project_id"), Status: string(f.Status), Method: f.Method, Statuses: statuses},
	}
	for _, m := range s.Engine.Methods() {
		page.Filter.Methods = append(page.Filter.Methods, web.Link{Label: m.Name, URL: m.Code})
	}
	if v := page.Filter.ProjectID; v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			page.Flash = &web.Flash{Message: fmt.Sprintf("project_id %q is not a number; showing every project", v)}
		}
		f.ProjectID = id
	}
	ps, err := s.Engine.Payments(ctx, f)
	if err != nil {
		return s.errorPage(c, err)
	}
	for _, p := range ps {
		page.Payments = append(page.Payments, s.row(p))
	}
	ds, err := s.Engine.Deliveries(ctx, platform.DeliveryFilter{ProjectID: f.ProjectID})
	if err != nil {
		return s.errorPage(c, err)
	}
	// The newest deliveries first, as many as the payments.
	for i := len(ds) - 1; i >= 0 && len(page.Deliveries) < dashboardLimit; i-- {
		page.Deliveries = append(page.Deliveries, deliveryRow(ds[i]))
	}
	if page.Projects, err = s.Engine.Projects(ctx); err != nil {
		return s.errorPage(c, err)
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard", page)
}

func indent(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func (s *Server) handleDashboardPayment(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.errorPage(c, err)
	}
	w, err := s.Engine.PaymentWhole(c.Request().Context(), k)
	if err != nil {
		return s.errorPage(c, err)
	}
	p := w.Payment
	page := web.PaymentDetailPage{
		Page: web.Page{Title: "Payment " + p.ID}, FormToken: s.Forms.Token(), Clock: s.clockView(), Flash: flashOf(c),
		Payment: s.row(p), Description: p.Description, Customer: p.Customer, Operations: p.Operations,
		Redirect: p.Redirect, Clarification: p.Clarification, Jobs: w.Jobs,
		APIURL:  "/sandbox/payments/" + itoa(p.ProjectID) + "/" + url.PathEscape(p.ID),
		Actions: web.PaymentActions{Open: p.Last() != nil && !p.Last().Status.Final()},
	}
	if p.Redirect != nil {
		if body := indent(p.Redirect.Body); body != "[]" {
			page.RedirectBody = body
		}
	}
	if p.Voucher != nil {
		page.Voucher = voucherLinks("", p)
		page.Actions.Channels = []string{"terminal", "bank"}
	}
	for _, d := range w.Deliveries {
		page.Deliveries = append(page.Deliveries, web.DeliveryDetail{
			DeliveryRow: deliveryRow(d), Body: indent(d.Body), AttemptViews: d.Attempts,
			Resendable: d.Kind == platform.DeliveryCallback,
		})
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "dashboard_payment", page)
}

func (s *Server) handleDashboardAct(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.errorPage(c, err)
	}
	ctx := c.Request().Context()
	to := dashboardURL(k)
	switch param(c, "action") {
	case "pay":
		_, err = s.Engine.Pay(ctx, k, platform.PayInput{Channel: c.FormValue("channel")})
		return back(c, to, err, "Paid.")
	case "fail":
		code, _ := strconv.Atoi(c.FormValue("code"))
		_, err = s.Engine.Fail(ctx, k, code)
		return back(c, to, err, "Declined by the provider.")
	case "expire":
		_, err = s.Engine.Expire(ctx, k)
		return back(c, to, err, "Lapsed.")
	}
	return s.errorPage(c, badRequest("there is no action %q; use pay, fail or expire", param(c, "action")))
}

func (s *Server) handleDashboardClock(c echo.Context) error {
	ctx := c.Request().Context()
	var err error
	msg := ""
	switch param(c, "action") {
	case "advance":
		v := strings.TrimSpace(c.FormValue("custom"))
		if v == "" {
			v = c.FormValue("duration")
		}
		dur, perr := parseDuration(v)
		if perr != nil {
			return back(c, "/dashboard", perr, "")
		}
		_, err = s.Engine.Advance(ctx, dur)
		msg = "The clock moved forward by " + v + "; every job that fell due has run."
	case "freeze":
		err, msg = s.Engine.Freeze(ctx), "The clock is frozen."
	case "unfreeze":
		err, msg = s.Engine.Unfreeze(ctx), "The clock runs again."
	default:
		err = badRequest("there is no clock action %q", param(c, "action"))
	}
	return back(c, "/dashboard", err, msg)
}

func (s *Server) handleDashboardResend(c echo.Context) error {
	id, err := strconv.ParseUint(param(c, "id"), 10, 64)
	if err != nil {
		return back(c, "/dashboard", badRequest("delivery id %q is not a number", param(c, "id")), "")
	}
	_, err = s.Engine.Resend(c.Request().Context(), id)
	return back(c, "/dashboard", err, fmt.Sprintf("Delivery %d is being resent.", id))
}

func (s *Server) handleDashboardReset(c echo.Context) error {
	err := s.Engine.Reset(c.Request().Context())
	return back(c, "/dashboard", err, "Every payment, delivery and job is gone; projects stay.")
}

func (s *Server) handleDashboardProject(c echo.Context) error {
	id, err := strconv.ParseInt(strings.TrimSpace(c.FormValue("id")), 10, 64)
	if err != nil {
		return back(c, "/dashboard", badRequest("project_id %q is not a number", c.FormValue("id")), "")
	}
	p := platform.Project{ID: id, Secret: c.FormValue("secret"),
		CallbackURL: strings.TrimSpace(c.FormValue("callback_url")), CheckDepositURL: strings.TrimSpace(c.FormValue("check_deposit_url"))}
	if err := s.Engine.PutProject(c.Request().Context(), p); err != nil {
		return back(c, "/dashboard", err, "")
	}
	return back(c, "/dashboard", nil, fmt.Sprintf("Project %d is saved.", id))
}

// errorPage is the one place the dashboard turns an error into a page.
func (s *Server) errorPage(c echo.Context, err error) error {
	page := web.ErrorFrom(err)
	page.Back = &web.Link{Label: "Back to the dashboard", URL: "/dashboard"}
	return s.Renderer.Write(c.Response(), page.Status, "error", page)
}
