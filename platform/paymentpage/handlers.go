package paymentpage

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// handleOpen opens the Payment Page from a shop's signed link (GET) or
// form (POST, as EPayWidget.run(config, 'POST') sends it): the methods
// that fit, or straight the form of the only one (or the forced one).
func (s *Server) handleOpen(c echo.Context) error {
	form, err := s.readForm(c.Request(), c.Response())
	if err != nil {
		return s.fail(c, nil, err)
	}
	p := formParams(form)
	r, err := s.verify(c.Request().Context(), p)
	if err != nil {
		return s.fail(c, p, err)
	}
	methods, err := s.methodsFor(r)
	if err != nil {
		return s.fail(c, p, err)
	}
	if len(methods) == 1 {
		return s.render(c, http.StatusOK, s.detailsPage(r, methods, methods[0], typed{}))
	}
	return s.render(c, http.StatusOK, s.methodsPage(r, methods, "", ""))
}

// handleMethod shows the chosen method's form; without a method (the
// "Change" button) it shows the choice again.
func (s *Server) handleMethod(c echo.Context) error {
	form, err := s.readForm(c.Request(), c.Response())
	if err != nil {
		return s.fail(c, nil, err)
	}
	p, err := carried(form)
	if err != nil {
		return s.fail(c, nil, err)
	}
	r, err := s.verify(c.Request().Context(), p)
	if err != nil {
		return s.fail(c, p, err)
	}
	methods, err := s.methodsFor(r)
	if err != nil {
		return s.fail(c, p, err)
	}
	code := form.Get("method")
	m, ok := pick(methods, code)
	switch {
	case ok:
		return s.render(c, http.StatusOK, s.detailsPage(r, methods, m, typed{}))
	case code == "" && form.Get("choose") == "":
		return s.render(c, http.StatusOK, s.methodsPage(r, methods, "", ""))
	}
	t := web.NewTranslator(r.lang)
	return s.render(c, http.StatusUnprocessableEntity, s.methodsPage(r, methods, code, t.T("methods.none")))
}

// handlePay checks what the customer typed, starts the sale and sends the
// customer to wait for it. Refused fields show the form again with what
// was typed and what is wrong with each.
func (s *Server) handlePay(c echo.Context) error {
	form, err := s.readForm(c.Request(), c.Response())
	if err != nil {
		return s.fail(c, nil, err)
	}
	p, err := carried(form)
	if err != nil {
		return s.fail(c, nil, err)
	}
	ctx := c.Request().Context()
	r, err := s.verify(ctx, p)
	if err != nil {
		return s.fail(c, p, err)
	}
	methods, err := s.methodsFor(r)
	if err != nil {
		return s.fail(c, p, err)
	}
	m, ok := pick(methods, form.Get("method"))
	if !ok {
		t := web.NewTranslator(r.lang)
		return s.render(c, http.StatusUnprocessableEntity, s.methodsPage(r, methods, "", t.T("methods.none")))
	}
	t := web.NewTranslator(r.lang)
	in := check(m, askedFields(m, p, t), form, t)
	if !in.ok() {
		return s.render(c, http.StatusUnprocessableEntity, s.detailsPage(r, methods, m, in))
	}
	pay, err := s.Engine.Sale(ctx, s.saleRequest(c, r, m, in.values))
	if err != nil {
		return s.fail(c, p, err)
	}
	return c.Redirect(http.StatusSeeOther, processingPath(pay.Key()))
}

// saleRequest is the engine's sale of a verified request paid with m,
// the customer's typed values filling what the request lacked and
// replacing what it sent refused.
func (s *Server) saleRequest(c echo.Context, r *request, m platform.Method, values map[string]string) platform.SaleRequest {
	p := r.params
	get := func(name string) string {
		if v, asked := values[name]; asked {
			return v // what the customer typed wins over what the shop sent
		}
		return p.get(name)
	}
	ip := p.get(paramIPAddress)
	if ip == "" {
		ip = c.RealIP()
	}
	result := s.baseURL(c) + resultPath(r.key())
	opts := map[string]string{paramLanguage: r.lang}
	for _, k := range pageOptions {
		if v := p.get(k); v != "" {
			opts[k] = v
		}
	}
	return platform.SaleRequest{
		ProjectID:   r.project.ID,
		PaymentID:   r.paymentID,
		Method:      m.Code,
		Interface:   platform.InterfacePaymentPage,
		Amount:      r.amount,
		Description: r.description,
		Customer: platform.Customer{
			ID:        r.customerID,
			IPAddress: ip,
			FirstName: get("customer_first_name"),
			LastName:  get("customer_last_name"),
			Email:     get("customer_email"),
			Phone:     get("customer_phone"),
			DocNumber: get("identify_doc_number"),
			Country:   get("customer_country"),
		},
		ReturnURLs:  platform.ReturnURLs{Success: result, Decline: result, Return: result},
		Callback:    platform.CallbackOptions{URL: p.get(paramCallbackURL)},
		Language:    r.lang,
		PageOptions: opts,
	}
}

// handleProcessing waits until the payment left processing, then takes the
// customer to the provider as Payment.Redirect says: a GET is a redirect,
// a POST a form that submits itself. In the shop's frame (frame_mode) both
// are forms that open the provider in the whole window. A method with
// RedirectLink shows a link the customer follows instead. Anything else
// goes to the result.
func (s *Server) handleProcessing(c echo.Context) error {
	pay, err := s.payment(c)
	if err != nil {
		return s.fail(c, nil, err)
	}
	switch {
	case pay.Status == platform.StatusProcessing:
		return s.render(c, http.StatusOK, s.processingPage(pay))
	case pay.Status == platform.StatusAwaitingRedirect && pay.Redirect != nil:
		m, _ := s.Engine.Method(pay.Method)
		get := !strings.EqualFold(pay.Redirect.Method, http.MethodPost)
		if get && !m.RedirectLink && !embedded(options(pay)) {
			return c.Redirect(http.StatusSeeOther, getURL(pay.Redirect))
		}
		// A POST is a form that submits itself; in the shop's frame a GET
		// is one too, aimed at the whole window: the provider's page
		// opens there, as on ecommpay, not cut off inside the frame. A
		// method whose customers follow a link (Method.RedirectLink) gets
		// a page with the link instead.
		page, err := s.redirectPage(pay, m.RedirectLink)
		if err != nil {
			return s.fail(c, options(pay), err)
		}
		return s.render(c, http.StatusOK, page)
	}
	return c.Redirect(http.StatusSeeOther, resultPath(pay.Key()))
}

// status is what the pages' polling reads.
type status struct {
	Status platform.Status `json:"status"`
	Final  bool            `json:"final"`
}

// handleStatus answers the pages' polling with the payment's status.
func (s *Server) handleStatus(c echo.Context) error {
	pay, err := s.payment(c)
	if err != nil {
		return c.JSON(http.StatusNotFound, map[string]string{"error": err.Error()})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, status{Status: pay.Status, Final: pay.Status.Final()})
}

// handleResult shows where the payment stands: the page providers send the
// customer back to.
func (s *Server) handleResult(c echo.Context) error {
	pay, err := s.payment(c)
	if err != nil {
		return s.fail(c, nil, err)
	}
	page, err := s.resultPage(c.Request().Context(), pay)
	if err != nil {
		return s.fail(c, nil, err)
	}
	return s.render(c, http.StatusOK, page)
}

// payment reads the payment a processing, status or result URL names; only
// Payment Page payments have these pages.
func (s *Server) payment(c echo.Context) (*platform.Payment, error) {
	k, ok := keyOf(c)
	if !ok {
		return nil, errNotFound(k)
	}
	pay, err := s.Engine.Payment(c.Request().Context(), k)
	if platform.ErrorCode(err) == platform.CodeNotFound || (err == nil && pay.Interface != platform.InterfacePaymentPage) {
		return nil, errNotFound(k)
	}
	return pay, err
}

// keyOf reads a payment's key from the :project and :payment parameters.
func keyOf(c echo.Context) (platform.PaymentKey, bool) {
	id := c.Param("payment")
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	pid, err := strconv.ParseInt(c.Param("project"), 10, 64)
	return platform.PaymentKey{ProjectID: pid, PaymentID: id}, err == nil
}

// keyPath is a payment's key as a path: "842/order%2F1".
func keyPath(k platform.PaymentKey) string {
	return strconv.FormatInt(k.ProjectID, 10) + "/" + url.PathEscape(k.PaymentID)
}

func processingPath(k platform.PaymentKey) string { return PathProcessing + keyPath(k) }
func statusPath(k platform.PaymentKey) string     { return PathStatus + keyPath(k) }
func resultPath(k platform.PaymentKey) string     { return PathResult + keyPath(k) }

// baseURL is where the sandbox is reached: the engine's public URL, or the
// request's own origin when the engine has none.
func (s *Server) baseURL(c echo.Context) string {
	if b := s.Engine.BaseURL(); b != "" {
		return strings.TrimRight(b, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// handleAsset serves the pages' own scripts.
func (s *Server) handleAsset(c echo.Context) error {
	a, ok := assets[c.Param("name")]
	if !ok {
		return c.String(http.StatusNotFound, "no such asset\n")
	}
	h := c.Response().Header()
	h.Set("ETag", `"`+a.version+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	if c.QueryParam("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	if c.Request().Header.Get("If-None-Match") == `"`+a.version+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", a.body)
}
