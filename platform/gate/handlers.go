package gate

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// maxCallbackDelay is the longest callback.delay a request may ask for.
const maxCallbackDelay = 600

// baseRequired are the fields every sale needs, whatever the method.
var baseRequired = []string{"general.payment_id", "payment.amount", "payment.currency", "customer.id", "customer.ip_address"}

// accepted is the synchronous answer to an accepted request.
type accepted struct {
	Status    string `json:"status"`
	RequestID string `json:"request_id"`
	ProjectID int64  `json:"project_id"`
	PaymentID string `json:"payment_id"`
}

// request is a decoded, verified Gate request with its project.
type request struct {
	body    body
	project platform.Project
}

// ids carries what is known of a request's identity, for error answers.
type ids struct {
	projectID any
	paymentID string
}

// verify runs the checks every Gate request shares, in ecommpay's order:
// JSON, project, signature, then the required fields.
func (s *Server) verify(c echo.Context, required []string) (request, ids, error) {
	var id ids
	raw, err := io.ReadAll(io.LimitReader(c.Request().Body, s.MaxBody+1))
	if err != nil {
		return request{}, id, fmt.Errorf("read body: %w", err)
	}
	if int64(len(raw)) > s.MaxBody {
		return request{}, id, platform.Errorf(platform.CodeInvalidJSON, "the body is larger than %d bytes", s.MaxBody)
	}
	data, err := signature.Decode(raw)
	if err != nil {
		return request{}, id, &platform.Error{Code: platform.CodeInvalidJSON, Message: platform.CodeMessage(platform.CodeInvalidJSON),
			Detail: "the body must be a JSON object such as {\"general\":{...},...}: " + err.Error()}
	}
	b := body(data)
	id.paymentID = b.str("general.payment_id")
	if v := b.lookup("general.project_id"); v != nil {
		id.projectID = v
	}
	if !b.present("general.project_id") {
		return request{}, id, missing([]string{"general.project_id"})
	}
	pid, err := b.integer("general.project_id")
	if err != nil {
		return request{}, id, &platform.Error{Code: platform.CodeProjectNotFound, Message: platform.CodeMessage(platform.CodeProjectNotFound), Detail: err.Error()}
	}
	id.projectID = pid
	project, err := s.Engine.Project(c.Request().Context(), pid)
	if err != nil {
		return request{}, id, err
	}
	if err := checkSignature(data, b.signatureOf(), project.Secret); err != nil {
		return request{}, id, err
	}
	var absent []string
	for _, f := range required {
		if !b.present(f) {
			absent = append(absent, f)
		}
	}
	if len(absent) > 0 {
		return request{}, id, missing(absent)
	}
	return request{body: b, project: project}, id, nil
}

// checkSignature verifies a signed body and explains a mismatch.
func checkSignature(data any, got, secret string) error {
	err := signature.Verify(data, got, secret)
	if err == nil {
		return nil
	}
	if errors.Is(err, signature.ErrEmpty) {
		return &platform.Error{Code: platform.CodeEmptySignature, Message: platform.CodeMessage(platform.CodeEmptySignature),
			Detail: "put the signature in general.signature",
			Fields: []platform.FieldError{{Code: platform.CodeEmptySignature, Field: "general.signature", Message: "the request is not signed"}}}
	}
	return &platform.Error{Code: platform.CodeInvalidSignature, Message: platform.CodeMessage(platform.CodeInvalidSignature),
		Detail: err.Error(),
		Fields: []platform.FieldError{{Code: platform.CodeInvalidSignature, Field: "general.signature", Message: err.Error()}},
		Err:    err}
}

// missing is the 2004 error naming every absent field.
func missing(fields []string) *platform.Error {
	e := &platform.Error{Code: platform.CodeRequiredField, Message: platform.CodeMessage(platform.CodeRequiredField)}
	for _, f := range fields {
		e.Fields = append(e.Fields, platform.FieldError{Code: platform.CodeRequiredField, Field: f, Message: f + " is required"})
	}
	e.Detail = fmt.Sprintf("%d required field(s) missing", len(fields))
	return e
}

// invalid is a 2004 error for a present field whose value is unusable.
func invalid(field, message string) *platform.Error {
	return &platform.Error{Code: platform.CodeRequiredField, Message: platform.CodeMessage(platform.CodeRequiredField),
		Detail: field + " " + message,
		Fields: []platform.FieldError{{Code: platform.CodeRequiredField, Field: field, Message: message}}}
}

func (s *Server) handleSale(m platform.Method) echo.HandlerFunc {
	required := slices.Clone(baseRequired)
	for _, f := range m.GateRequired {
		if !slices.Contains(required, f) {
			required = append(required, f)
		}
	}
	return func(c echo.Context) error {
		req, id, err := s.verify(c, required)
		if err != nil {
			return s.fail(c, id, err)
		}
		sale, err := saleRequest(req, m)
		if err != nil {
			return s.fail(c, id, err)
		}
		p, err := s.Engine.Sale(c.Request().Context(), sale)
		if err != nil {
			return s.fail(c, id, err)
		}
		return c.JSON(http.StatusOK, accepted{Status: "success", RequestID: p.Last().RequestID, ProjectID: p.ProjectID, PaymentID: p.ID})
	}
}

// saleRequest reads a verified sale body into the engine's request.
func saleRequest(req request, m platform.Method) (platform.SaleRequest, error) {
	b := req.body
	amount, err := b.integer("payment.amount")
	if err != nil {
		return platform.SaleRequest{}, invalid("payment.amount", "must be a whole number of minor units (10000 for 100.00)")
	}
	if amount < 0 {
		return platform.SaleRequest{}, invalid("payment.amount", "must not be negative")
	}
	currency := b.str("payment.currency")
	if len(currency) != 3 {
		return platform.SaleRequest{}, invalid("payment.currency", fmt.Sprintf("must be an ISO 4217 alpha-3 code such as USD, got %q", currency))
	}
	sr := platform.SaleRequest{
		ProjectID:   req.project.ID,
		PaymentID:   b.str("general.payment_id"),
		Method:      m.Code,
		Interface:   platform.InterfaceGate,
		Amount:      platform.Sum{Amount: amount, Currency: currency},
		Description: b.str("payment.description"),
		Customer: platform.Customer{
			ID:        b.str("customer.id"),
			IPAddress: b.str("customer.ip_address"),
			FirstName: b.str("customer.first_name"),
			LastName:  b.str("customer.last_name"),
			Email:     b.str("customer.email"),
			Phone:     b.str("customer.phone"),
			DocNumber: b.str("customer.identify.doc_number"),
			Country:   b.str("customer.country"),
		},
		ReturnURLs: platform.ReturnURLs{
			Success: b.str("return_url.success"),
			Decline: b.str("return_url.decline"),
			Return:  b.str("return_url.return"),
		},
		Language: b.str("customer.language"),
	}
	if u := b.str("general.merchant_callback_url"); u != "" {
		if err := checkURL(u); err != nil {
			return platform.SaleRequest{}, invalid("general.merchant_callback_url", err.Error())
		}
		sr.Callback.URL = u
	}
	for _, f := range []struct{ path, v string }{{"return_url.success", sr.ReturnURLs.Success}, {"return_url.decline", sr.ReturnURLs.Decline}, {"return_url.return", sr.ReturnURLs.Return}} {
		if f.v == "" {
			continue
		}
		if err := checkURL(f.v); err != nil {
			return platform.SaleRequest{}, invalid(f.path, err.Error())
		}
	}
	if b.present("callback.delay") {
		d, err := b.integer("callback.delay")
		if err != nil || d < 0 || d > maxCallbackDelay {
			return platform.SaleRequest{}, invalid("callback.delay", fmt.Sprintf("must be a whole number of seconds from 0 to %d", maxCallbackDelay))
		}
		sr.Callback.Delay = time.Duration(d) * time.Second
	}
	sr.Callback.Disabled = b.flag("callback.force_disable")
	return sr, nil
}

func checkURL(u string) error {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL, got %q", u)
	}
	return nil
}

func (s *Server) handleUnknownMethod(c echo.Context) error {
	return s.fail(c, ids{}, platform.Errorf(platform.CodeUnknownMethod,
		"the sandbox emulates no method %q; docs/gate.md in the repository lists the sale endpoints", c.Param("method")))
}

// handleStatus answers a status request with the signed state of a payment.
func (s *Server) handleStatus(c echo.Context) error {
	req, id, err := s.verify(c, []string{"general.payment_id"})
	if err != nil {
		return s.fail(c, id, err)
	}
	k := platform.PaymentKey{ProjectID: req.project.ID, PaymentID: id.paymentID}
	p, err := s.Engine.Payment(c.Request().Context(), k)
	var body []byte
	switch {
	case platform.ErrorCode(err) == platform.CodeNotFound:
		body = []byte(`{"payment":{"status":"error"},"errors":[{"code":3061,"message":"Transaction not found"}]}`)
	case err != nil:
		return s.fail(c, id, err)
	default:
		if body, err = s.Engine.StatusBody(p); err != nil {
			return s.fail(c, id, err)
		}
	}
	signed, err := signature.SignJSON(body, req.project.Secret)
	if err != nil {
		return s.fail(c, id, err)
	}
	return c.JSONBlob(http.StatusOK, signed)
}

// handleRefund starts a full refund of a card-partner payment.
func (s *Server) handleRefund(c echo.Context) error {
	req, id, err := s.verify(c, []string{"general.payment_id"})
	if err != nil {
		return s.fail(c, id, err)
	}
	var rr platform.RefundRequest
	if req.body.present("payment.amount") {
		a, err := req.body.integer("payment.amount")
		if err != nil {
			return s.fail(c, id, invalid("payment.amount", "must be a whole number of minor units"))
		}
		rr.Amount = &a
	}
	rr.Currency = req.body.str("payment.currency")
	k := platform.PaymentKey{ProjectID: req.project.ID, PaymentID: id.paymentID}
	p, err := s.Engine.Refund(c.Request().Context(), k, rr)
	if err != nil {
		return s.fail(c, id, err)
	}
	return c.JSON(http.StatusOK, accepted{Status: "success", RequestID: p.Last().RequestID, ProjectID: p.ProjectID, PaymentID: p.ID})
}

// handleClarification continues a payment awaiting clarification.
func (s *Server) handleClarification(c echo.Context) error {
	req, id, err := s.verify(c, []string{"general.payment_id"})
	if err != nil {
		return s.fail(c, id, err)
	}
	b := req.body
	k := platform.PaymentKey{ProjectID: req.project.ID, PaymentID: id.paymentID}
	p, err := s.Engine.Clarify(c.Request().Context(), k, platform.Customer{
		Phone: b.str("customer.phone"), Email: b.str("customer.email"),
		FirstName: b.str("customer.first_name"), LastName: b.str("customer.last_name"),
	})
	if err != nil {
		return s.fail(c, id, err)
	}
	return c.JSON(http.StatusOK, accepted{Status: "success", RequestID: p.Last().RequestID, ProjectID: p.ProjectID, PaymentID: p.ID})
}
