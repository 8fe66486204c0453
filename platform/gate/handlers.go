package gate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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

// ids carries what is known of a request's identity, for error answers:
// the project ID once it is read, the payment ID when it is a usable one.
type ids struct {
	projectID int64
	paymentID string
	raw       []byte // the body as sent, for the refusals' record
}

// verify runs the checks every Gate request shares, in ecommpay's order:
// JSON, project, signature, the JSON types of the fields the Gate reads,
// then the required fields.
func (s *Server) verify(c echo.Context, required []string, help map[string]string) (request, ids, error) {
	var id ids
	raw, err := io.ReadAll(io.LimitReader(c.Request().Body, s.MaxBody+1))
	if err != nil {
		return request{}, id, fmt.Errorf("read body: %w", err)
	}
	id.raw = raw
	if int64(len(raw)) > s.MaxBody {
		return request{}, id, platform.Errorf(platform.CodeInvalidJSON, "the body is larger than %d bytes", s.MaxBody)
	}
	b, err := decode(raw, c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return request{}, id, err
	}
	if pid, ok := b.lookup("general.payment_id").(string); ok && utf8.RuneCountInString(pid) <= platform.MaxIDLength {
		id.paymentID = pid
	}
	pid, err := b.projectID()
	if err != nil {
		return request{}, id, err
	}
	id.projectID = pid
	project, err := s.Engine.Project(c.Request().Context(), pid)
	if platform.ErrorCode(err) == platform.CodeProjectNotFound {
		return request{}, id, projectError(err.Error(), platform.FieldError{Code: platform.CodeProjectNotFound, Field: "general.project_id",
			Message: fmt.Sprintf("there is no project %d in this sandbox: create it with POST /sandbox/projects or the config file", pid)})
	}
	if err != nil {
		return request{}, id, err
	}
	if err := b.signatureType(); err != nil {
		return request{}, id, err
	}
	if err := s.checkSignature(c.Request().Context(), raw, map[string]any(b), b.signatureOf(), project); err != nil {
		return request{}, id, err
	}
	if bad := b.typeErrors(); len(bad) > 0 {
		return request{}, id, platform.InvalidFields(bad)
	}
	var absent []string
	for _, f := range required {
		if !b.present(f) {
			absent = append(absent, f)
		}
	}
	if len(absent) > 0 {
		return request{}, id, missing(absent, help)
	}
	if bad := checkIDs(b); len(bad) > 0 {
		return request{}, id, platform.InvalidFields(bad)
	}
	return request{body: b, project: project}, id, nil
}

// projectID reads general.project_id; an absent or unusable one is 2442's
// case, since no project can be found without it.
func (b body) projectID() (int64, error) {
	if g := b.lookup("general"); g != nil {
		if _, ok := g.(map[string]any); !ok {
			return 0, projectError("general is not an object", platform.FieldError{Code: platform.CodeProjectNotFound, Field: "general",
				Message: "must be an object with project_id, payment_id and signature, not " + describe(g)})
		}
	}
	if !b.present("general.project_id") {
		return 0, projectError("general.project_id is missing", platform.FieldError{Code: platform.CodeProjectNotFound, Field: "general.project_id",
			Message: "is missing: send the project ID ecommpay gave you, such as 842"})
	}
	pid, err := b.integer("general.project_id")
	if err == nil && pid <= 0 {
		err = fmt.Errorf("must be a positive whole number, not %d", pid)
	}
	if err != nil {
		return 0, projectError("general.project_id "+err.Error(), platform.FieldError{Code: platform.CodeProjectNotFound, Field: "general.project_id",
			Message: err.Error() + ": send the project ID ecommpay gave you, such as 842"})
	}
	return pid, nil
}

// projectError is the 2442 error: no project can be found for the request.
func projectError(detail string, f platform.FieldError) *platform.Error {
	return &platform.Error{Code: platform.CodeProjectNotFound, Message: platform.CodeMessage(platform.CodeProjectNotFound),
		Detail: detail, Fields: []platform.FieldError{f}}
}

// checkIDs names the IDs of b longer than platform.MaxIDLength.
func checkIDs(b body) []platform.FieldError {
	var out []platform.FieldError
	for _, f := range []string{"general.payment_id", "customer.id"} {
		if n := utf8.RuneCountInString(b.str(f)); n > platform.MaxIDLength {
			out = append(out, platform.FieldError{Code: platform.CodeInvalidJSON, Field: f,
				Message: fmt.Sprintf("must be at most %d characters, not %d", platform.MaxIDLength, n)})
		}
	}
	return out
}

// signatureType is the 2003 error of a signature that is there but not a
// string: the request is signed, wrongly, and "not signed" (3262) would
// send the developer looking in the wrong place.
func (b body) signatureType() error {
	for _, f := range []string{"general.signature", "signature"} {
		switch v := b.lookup(f).(type) {
		case nil:
			continue
		case string:
			return nil
		default:
			return invalid(f, "must be a string, the Base64 of the request's HMAC-SHA512, not "+describe(v))
		}
	}
	return nil
}

// checkSignature verifies a signed body of project, data decoded from raw,
// and explains a mismatch, naming the mistake that made it when it is a
// common one: a string signed wrongly, or another project's secret.
func (s *Server) checkSignature(ctx context.Context, raw []byte, data map[string]any, got string, project platform.Project) error {
	err := signature.Verify(data, got, project.Secret)
	if err == nil {
		return nil
	}
	var mm *signature.Mismatch
	if errors.As(err, &mm) {
		mm.Mistake = signature.Diagnose(raw, got, project.Secret)
		if mm.Mistake == "" && len(raw) <= signature.MaxDiagnosed { // beyond, as many signings as projects would cost too much
			mm.Mistake = s.otherSecret(ctx, data, got, project.ID)
		}
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

// maxSecretsTried bounds the projects whose secrets otherSecret tries.
const maxSecretsTried = 64

// otherSecret says which other project's secret makes got, a signature of
// data that project's secret refused, match: the code sends one project's
// ID with another's secret. "" when none of the first maxSecretsTried
// does.
func (s *Server) otherSecret(ctx context.Context, data map[string]any, got string, project int64) string {
	projects, err := s.Engine.Projects(ctx)
	if err != nil {
		return ""
	}
	for i, p := range projects {
		if i == maxSecretsTried {
			break
		}
		if p.ID != project && signature.Verify(data, got, p.Secret) == nil {
			return fmt.Sprintf("your code signs with project %d's secret key, not project %d's: sign with the secret of the project named in general.project_id", p.ID, project)
		}
	}
	return ""
}

// requiredHelp says what each field a Gate request may require holds, for
// the 2004 answer to tell a developer what to send.
var requiredHelp = map[string]string{
	"general.payment_id":           "your ID of the payment, unique in the project, such as \"order-1\"",
	"payment.amount":               "the amount in minor units, such as 10000 for 100.00",
	"payment.currency":             "the ISO 4217 alpha-3 code of the currency, such as \"USD\"",
	"customer.id":                  "your ID of the customer, such as \"customer-1\"",
	"customer.ip_address":          "the IP address the customer pays from, such as \"203.0.113.7\"",
	"customer.first_name":          "the customer's first name",
	"customer.last_name":           "the customer's last name",
	"customer.email":               "the customer's email address",
	"customer.phone":               "the customer's phone number, digits only, such as \"254708374149\"",
	"customer.identify.doc_number": "the number of the customer's identity document, digits only",
	"return_url.success":           "the absolute http(s) URL the customer returns to after a successful payment",
	"return_url.decline":           "the absolute http(s) URL the customer returns to after a declined payment",
}

// missing is the 2004 error naming every absent field and what it holds,
// as help says.
func missing(fields []string, help map[string]string) *platform.Error {
	e := &platform.Error{Code: platform.CodeRequiredField, Message: platform.CodeMessage(platform.CodeRequiredField)}
	for _, f := range fields {
		msg := f + " is required"
		if h, ok := help[f]; ok {
			msg += ": " + h
		}
		e.Fields = append(e.Fields, platform.FieldError{Code: platform.CodeRequiredField, Field: f, Message: msg})
	}
	e.Detail = fmt.Sprintf("%d required field(s) missing", len(fields))
	return e
}

// invalid is the 2003 error of one field whose value is unusable.
func invalid(field, message string) *platform.Error {
	return platform.InvalidFields([]platform.FieldError{{Code: platform.CodeInvalidJSON, Field: field, Message: message}})
}

func (s *Server) handleSale(m platform.Method) echo.HandlerFunc {
	required := slices.Clone(baseRequired)
	for _, f := range m.GateRequired {
		if !slices.Contains(required, f) {
			required = append(required, f)
		}
	}
	help := maps.Clone(requiredHelp)
	maps.Copy(help, m.FieldHelp)
	return func(c echo.Context) error {
		req, id, err := s.verify(c, required, help)
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

// saleRequest reads a verified sale body into the engine's request. A
// value the Gate cannot take (a negative amount, a currency that is not
// three capital letters, a URL that is not absolute, a callback.delay out
// of range) is a 2003 error naming every such field.
func saleRequest(req request, m platform.Method) (platform.SaleRequest, error) {
	b := req.body
	var bad []platform.FieldError
	fail := func(field, message string) {
		bad = append(bad, platform.FieldError{Code: platform.CodeInvalidJSON, Field: field, Message: message})
	}
	amount, err := b.integer("payment.amount")
	switch {
	case err != nil:
		fail("payment.amount", err.Error()+" of minor units (10000 for 100.00)")
	case amount < 0:
		fail("payment.amount", fmt.Sprintf("must not be negative, not %d", amount))
	case amount > platform.MaxAmount:
		fail("payment.amount", fmt.Sprintf("must be at most %d minor units, not %d", int64(platform.MaxAmount), amount))
	}
	currency := b.str("payment.currency")
	if !platform.IsCurrencyCode(currency) {
		fail("payment.currency", "must be an ISO 4217 alpha-3 code in capitals such as USD, not "+describe(currency))
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
	for _, f := range []string{"general.merchant_callback_url", "return_url.success", "return_url.decline", "return_url.return"} {
		if u := b.str(f); u != "" {
			if err := checkURL(u); err != nil {
				fail(f, err.Error())
			}
		}
	}
	sr.Callback.URL = b.str("general.merchant_callback_url")
	if b.present("callback.delay") {
		d, err := b.integer("callback.delay")
		if err != nil || d < 0 || d > maxCallbackDelay {
			fail("callback.delay", fmt.Sprintf("must be a whole number of seconds from 0 to %d", maxCallbackDelay))
		}
		sr.Callback.Delay = time.Duration(d) * time.Second
	}
	sr.Callback.Disabled = b.flag("callback.force_disable")
	if len(bad) > 0 {
		return platform.SaleRequest{}, platform.InvalidFields(bad)
	}
	return sr, nil
}

// checkURL says what is wrong with u, which must be an absolute http(s) URL.
func checkURL(u string) error {
	if strings.TrimSpace(u) != u {
		return fmt.Errorf("has white space at its start or end, which would be sent as part of the URL: remove it from %s", describe(u))
	}
	if !platform.IsHTTPURL(u) {
		return fmt.Errorf("must be an absolute http(s) URL, not %s", describe(u))
	}
	return nil
}

// handleUnknownMethod answers the sale of a method the sandbox does not
// emulate, once the request has passed the JSON, project and signature
// checks, as ecommpay does.
func (s *Server) handleUnknownMethod(c echo.Context) error {
	_, id, err := s.verify(c, nil, requiredHelp)
	if err != nil {
		return s.fail(c, id, err)
	}
	code := c.Param("method")
	for _, m := range s.Engine.Methods() {
		if m.GatePath != "" && strings.EqualFold(m.Code, code) {
			return s.fail(c, id, platform.Errorf(platform.CodeUnknownMethod,
				"%s is not where %s's sales go: send them to %s", c.Request().URL.Path, m.Name, m.GatePath))
		}
	}
	return s.fail(c, id, platform.Errorf(platform.CodeUnknownMethod,
		"the sandbox emulates no method %q; its sale endpoints are %s (docs/gate.md in the repository describes them)", code, strings.Join(s.salePaths(), ", ")))
}

// salePaths lists the sale endpoints of the registered methods.
func (s *Server) salePaths() []string {
	var out []string
	for _, m := range s.Engine.Methods() {
		if m.GatePath != "" {
			out = append(out, m.GatePath)
		}
	}
	return out
}

// endpoints lists every Gate endpoint of the payment API: the sales, the
// status, the refunds of the methods that refund, the clarification.
func (s *Server) endpoints() []string {
	out := append(s.salePaths(), "/v2/payment/status")
	for _, m := range s.Engine.Methods() {
		if m.RefundPath != "" {
			out = append(out, m.RefundPath)
		}
	}
	return append(out, "/v2/payment/clarification")
}

// handleStatus answers a status request with the signed state of a payment.
func (s *Server) handleStatus(c echo.Context) error {
	req, id, err := s.verify(c, []string{"general.payment_id"}, requiredHelp)
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

// handleRefund starts a full refund of a payment of m, a method that
// refunds (Method.RefundPath).
func (s *Server) handleRefund(m platform.Method) echo.HandlerFunc {
	return func(c echo.Context) error { return s.refund(c, m) }
}

func (s *Server) refund(c echo.Context, m platform.Method) error {
	req, id, err := s.verify(c, []string{"general.payment_id"}, requiredHelp)
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
	rr.Method = m.Code
	k := platform.PaymentKey{ProjectID: req.project.ID, PaymentID: id.paymentID}
	p, err := s.Engine.Refund(c.Request().Context(), k, rr)
	if err != nil {
		return s.fail(c, id, err)
	}
	return c.JSON(http.StatusOK, accepted{Status: "success", RequestID: p.Last().RequestID, ProjectID: p.ProjectID, PaymentID: p.ID})
}

// handleClarification continues a payment awaiting clarification.
func (s *Server) handleClarification(c echo.Context) error {
	req, id, err := s.verify(c, []string{"general.payment_id"}, requiredHelp)
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
	// The clarification is a request of its own: it gets its own request_id
	// (the operation keeps the sale's).
	return c.JSON(http.StatusOK, accepted{Status: "success", RequestID: s.newRequestID(), ProjectID: p.ProjectID, PaymentID: p.ID})
}
