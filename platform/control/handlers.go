package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// maxBody bounds a control API request's body.
const maxBody = 1 << 20

// decode reads an optional JSON body into v: an empty body leaves v as it
// is. The body is one JSON value of at most maxBody bytes.
func decode(c echo.Context, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	if err != nil {
		return bodyError(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body %s; this endpoint takes a JSON object with %s", platform.JSONProblem(raw, err), platform.JSONFields(v))
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the body goes on after its JSON value ends at byte %d: send one JSON value and nothing after it", end)
	}
	return nil
}

// statusError is an error the control API answers with its own HTTP
// status rather than one that follows from an ecommpay code.
type statusError struct {
	status  int
	message string
}

func (e *statusError) Error() string { return e.message }

// bodyError explains why a request body could not be read.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return &statusError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body too large: the limit is %d bytes (%d MiB)", tooLarge.Limit, tooLarge.Limit>>20)}
	case errors.As(err, &netErr) && netErr.Timeout():
		return &statusError{http.StatusRequestTimeout, "the request body did not arrive in time: send it whole, at once"}
	}
	return fmt.Errorf("read body: %w", err)
}

func badRequest(format string, args ...any) error {
	return platform.Errorf(platform.CodeInvalidRequest, format, args...)
}

// param returns the path parameter name, decoded. Echo matches routes on
// the path as it came when it holds an escape that decoding would lose
// (%2F, %3F, %2B, …), and leaves the parameters encoded then: a payment id
// "a/b" arrives as "a%2Fb".
func param(c echo.Context, name string) string {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v
	}
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

func (s *Server) paymentKey(c echo.Context) (platform.PaymentKey, error) {
	pid, err := strconv.ParseInt(param(c, "project"), 10, 64)
	if err != nil {
		return platform.PaymentKey{}, badRequest("project id %q in the path is not a number", param(c, "project"))
	}
	return platform.PaymentKey{ProjectID: pid, PaymentID: param(c, "payment")}, nil
}

func (s *Server) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleNotFound answers what no route under /sandbox serves: a path that
// is no endpoint (404), or an endpoint asked with a method it does not take
// (405, as curl without -X POST asks, or a browser following a link).
func (s *Server) handleNotFound(c echo.Context) error {
	r := c.Request()
	if allow := methodsServing(c.Echo(), r.URL.Path); len(allow) > 0 {
		c.Response().Header().Set("Allow", strings.Join(allow, ", "))
		return c.JSON(http.StatusMethodNotAllowed, map[string]string{
			"error": fmt.Sprintf("%s %s: this endpoint takes %s only (with curl: -X %s)", r.Method, r.URL.Path, strings.Join(allow, " or "), allow[0]),
		})
	}
	return c.JSON(http.StatusNotFound, map[string]string{
		"error": fmt.Sprintf("%s %s is not a sandbox endpoint; docs/control-api.md in the repository, or GET /, lists them", r.Method, r.URL.Path),
	})
}

// methodsServing returns the methods a route other than a wildcard serves
// path with, as the router matches it: the route it finds for each method
// is the catch-all one (a path ending in "/*") when none serves that method.
func methodsServing(e *echo.Echo, path string) []string {
	var out []string
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut} {
		c := e.NewContext(nil, nil)
		e.Router().Find(m, path, c)
		if p := c.Path(); p != "" && !strings.HasSuffix(p, "/*") {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) handleProjects(c echo.Context) error {
	ps, err := s.Engine.Projects(c.Request().Context())
	if err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"projects": ps})
}

func (s *Server) handlePutProject(c echo.Context) error {
	var p platform.Project
	if err := decode(c, &p); err != nil {
		return s.fail(c, err)
	}
	if err := s.Engine.PutProject(c.Request().Context(), p); err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, p)
}

// Paging of GET /sandbox/payments.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// onlyParams refuses a request whose query has a parameter the endpoint
// does not take, which is a misspelt filter that would otherwise be
// ignored: the answer would list what the filter was meant to leave out.
func onlyParams(c echo.Context, takes ...string) error {
	for _, name := range slices.Sorted(maps.Keys(c.QueryParams())) {
		if !slices.Contains(takes, name) {
			return badRequest("%s takes no query parameter %q: it takes %s", c.Request().URL.Path, name, strings.Join(takes, ", "))
		}
	}
	return nil
}

// handlePayments lists one page of payments, newest first; a Link header
// with rel="next" gives the next page.
func (s *Server) handlePayments(c echo.Context) error {
	if err := onlyParams(c, "project_id", "status", "method", "callbacks", "payment_id", "limit", "cursor"); err != nil {
		return s.fail(c, err)
	}
	f := platform.PaymentFilter{Limit: defaultPageSize}
	if v := c.QueryParam("project_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.fail(c, badRequest("project_id %q is not a number", v))
		}
		f.ProjectID = id
	}
	for _, field := range []string{"status", "method", "callbacks"} {
		if problem := s.filterProblem(field, c.QueryParam(field)); problem != "" {
			return s.fail(c, badRequest("%s", problem))
		}
	}
	f.Status, f.Method = platform.Status(c.QueryParam("status")), c.QueryParam("method")
	f.Callbacks = platform.CallbackHealth(c.QueryParam("callbacks"))
	f.PaymentID = c.QueryParam("payment_id")
	f.Cursor = c.QueryParam("cursor")
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return s.fail(c, badRequest("limit %q is not a number from 1 to %d", v, maxPageSize))
		}
		f.Limit = n
	}
	page, err := s.Engine.Payments(c.Request().Context(), f)
	if err != nil {
		return s.fail(c, err)
	}
	out := make([]paymentView, 0, len(page.Payments))
	for _, p := range page.Payments {
		out = append(out, s.paymentView(p))
	}
	if page.Next != "" {
		q := c.QueryParams()
		q.Set("cursor", page.Next)
		q.Set("limit", strconv.Itoa(f.Limit))
		next := url.URL{Path: c.Request().URL.Path, RawQuery: q.Encode()}
		c.Response().Header().Set("Link", "<"+next.String()+`>; rel="next"`)
	}
	return c.JSON(http.StatusOK, map[string]any{"payments": out})
}

func (s *Server) handlePayment(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.fail(c, err)
	}
	w, err := s.Engine.PaymentWhole(c.Request().Context(), k)
	if err != nil {
		return s.fail(c, err)
	}
	s.asSent(c.Request().Context(), w.Deliveries)
	v := wholeView{paymentView: s.paymentView(w.Payment), Deliveries: w.Deliveries, Jobs: w.Jobs}
	if v.Deliveries == nil {
		v.Deliveries = []*platform.Delivery{}
	}
	if v.Jobs == nil {
		v.Jobs = []platform.Job{}
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) handlePay(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.fail(c, err)
	}
	// The body is the method's own pay input, which its provider reads.
	var in json.RawMessage
	if err := decode(c, &in); err != nil {
		return s.fail(c, err)
	}
	return s.answer(c, func() (*platform.Payment, error) { return s.Engine.Pay(c.Request().Context(), k, in) })
}

func (s *Server) handleFail(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.fail(c, err)
	}
	var in struct {
		Code int `json:"code"`
	}
	if err := decode(c, &in); err != nil {
		return s.fail(c, err)
	}
	return s.answer(c, func() (*platform.Payment, error) { return s.Engine.Fail(c.Request().Context(), k, in.Code) })
}

func (s *Server) handleExpire(c echo.Context) error {
	k, err := s.paymentKey(c)
	if err != nil {
		return s.fail(c, err)
	}
	return s.answer(c, func() (*platform.Payment, error) { return s.Engine.Expire(c.Request().Context(), k) })
}

// answer runs an action and answers with the payment it leaves.
func (s *Server) answer(c echo.Context, act func() (*platform.Payment, error)) error {
	p, err := act()
	if err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, s.paymentView(p))
}

type clockView struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func (s *Server) clock() clockView {
	clk := s.Engine.Clock()
	return clockView{Now: clk.Now().UTC().Format(time.RFC3339), Frozen: clk.Frozen()}
}

func (s *Server) handleClock(c echo.Context) error { return c.JSON(http.StatusOK, s.clock()) }

func (s *Server) handleAdvance(c echo.Context) error {
	noWriteDeadline(c)
	var in struct {
		Duration  string `json:"duration"`
		ProjectID *int64 `json:"project_id"`
	}
	if err := decode(c, &in); err != nil {
		return s.fail(c, err)
	}
	d, err := parseDuration(in.Duration)
	if err != nil {
		return s.fail(c, err)
	}
	project, err := s.waitFor(c, in.ProjectID)
	if err != nil {
		return s.fail(c, err)
	}
	if _, err := s.Engine.AdvanceFor(c.Request().Context(), d, project); err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, s.clock())
}

// waitFor reads the project_id of a move of the clock: the project whose
// callbacks it waits for, every project's when it is left out.
func (s *Server) waitFor(c echo.Context, id *int64) (int64, error) {
	switch {
	case id == nil:
		return platform.AllProjects, nil
	case *id <= 0:
		return 0, badRequest("project_id %d is not a project's ID: give a positive one to wait for that project's callbacks only, or leave it out to wait for every project's", *id)
	}
	if _, err := s.Engine.Project(c.Request().Context(), *id); err != nil {
		return 0, err
	}
	return *id, nil
}

// noWriteDeadline lifts the server's write timeout for a request that may
// take long, as a clock move does: it runs every job and callback that falls
// due on the way, each callback attempt bounded by --callback-timeout.
func noWriteDeadline(c echo.Context) {
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Time{})
}

// maxDays is the longest move in days a time.Duration holds.
const maxDays = int(math.MaxInt64 / int64(24*time.Hour))

// handleSetClock moves the clock to a moment, backwards too.
func (s *Server) handleSetClock(c echo.Context) error {
	noWriteDeadline(c)
	var in struct {
		Now       string `json:"now"`
		ProjectID *int64 `json:"project_id"`
	}
	if err := decode(c, &in); err != nil {
		return s.fail(c, err)
	}
	if in.Now == "" {
		return s.fail(c, badRequest(`say where to set the clock: {"now":"2026-01-02T15:04:05Z"} (RFC 3339)`))
	}
	t, err := time.Parse(time.RFC3339, in.Now)
	if err != nil {
		return s.fail(c, badRequest("now %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", in.Now))
	}
	project, err := s.waitFor(c, in.ProjectID)
	if err != nil {
		return s.fail(c, err)
	}
	if _, err := s.Engine.SetClockFor(c.Request().Context(), t, project); err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, s.clock())
}

// parseDuration reads Go durations ("90s", "72h") and whole days ("3d").
func parseDuration(v string) (time.Duration, error) {
	if v == "" {
		return 0, badRequest(`say how far to move the clock: {"duration":"72h"} (units: s, m, h, d)`)
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			if n > maxDays {
				return 0, badRequest("duration %q is too long: the clock can move at most %d days at once", v, maxDays)
			}
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, badRequest("duration %q is not a forward duration such as 90s, 30m, 72h or 10d", v)
	}
	return d, nil
}

func (s *Server) handleFreeze(c echo.Context) error {
	if err := s.Engine.Freeze(c.Request().Context()); err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, s.clock())
}

func (s *Server) handleUnfreeze(c echo.Context) error {
	if err := s.Engine.Unfreeze(c.Request().Context()); err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, s.clock())
}

// deliveryStatuses are the values of the deliveries' status filter.
var deliveryStatuses = []platform.DeliveryStatus{platform.DeliveryPending, platform.DeliveryDelivered,
	platform.DeliveryFailed, platform.DeliverySuppressed, platform.DeliveryNoURL}

func (s *Server) handleDeliveries(c echo.Context) error {
	if err := onlyParams(c, "project_id", "payment_id", "status"); err != nil {
		return s.fail(c, err)
	}
	var f platform.DeliveryFilter
	if v := c.QueryParam("project_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.fail(c, badRequest("project_id %q is not a number", v))
		}
		f.ProjectID = id
	}
	f.PaymentID = c.QueryParam("payment_id")
	f.Status = platform.DeliveryStatus(c.QueryParam("status"))
	if f.Status != "" && !slices.Contains(deliveryStatuses, f.Status) {
		return s.fail(c, badRequest("status %q is not a delivery status: use one of %v", f.Status, deliveryStatuses))
	}
	ds, err := s.Engine.Deliveries(c.Request().Context(), f)
	if err != nil {
		return s.fail(c, err)
	}
	s.asSent(c.Request().Context(), ds)
	if ds == nil {
		ds = []*platform.Delivery{}
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": ds})
}

func (s *Server) handleRefusals(c echo.Context) error {
	if err := onlyParams(c, "project_id"); err != nil {
		return s.fail(c, err)
	}
	var project int64
	if v := c.QueryParam("project_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return s.fail(c, badRequest("project_id %q is not a project ID: give a positive whole number, such as 842", v))
		}
		project = id
	}
	rs := s.Engine.Refusals(project)
	for i := range rs {
		if rs[i].Errors == nil {
			rs[i].Errors = []platform.FieldError{}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"refusals": rs})
}

func (s *Server) handleResend(c echo.Context) error {
	id, err := strconv.ParseUint(param(c, "id"), 10, 64)
	if err != nil {
		return s.fail(c, badRequest("delivery id %q is not a number", param(c, "id")))
	}
	d, err := s.Engine.Resend(c.Request().Context(), id)
	if err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusAccepted, d)
}

func (s *Server) handleReset(c echo.Context) error {
	if err := s.Engine.Reset(c.Request().Context()); err != nil {
		return s.fail(c, err)
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "reset"})
}

// fail is the one place the control API turns an error into an answer: a
// *platform.Error is answered with its code and the status web.HTTPStatus
// gives it; any other error is a 500, logged.
func (s *Server) fail(c echo.Context, err error) error {
	var se *statusError
	if errors.As(err, &se) {
		return c.JSON(se.status, map[string]string{"error": se.message})
	}
	if ctx := c.Request().Context(); ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// The request was stopped before it finished: the sandbox is
		// stopping (its server says why, as the context's cause), or the
		// client went away. Not a failure of the sandbox.
		return c.JSON(http.StatusServiceUnavailable, map[string]string{
			"error": fmt.Sprintf("the request did not finish: %v; send it again once the sandbox is back", context.Cause(ctx)),
		})
	}
	var pe *platform.Error
	if !errors.As(err, &pe) {
		s.logFailure(c, err)
		return c.JSON(http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
	body := map[string]any{"error": pe.Detail, "code": pe.Code}
	if pe.Detail == "" {
		body["error"] = pe.Message
	}
	if len(pe.Fields) > 0 {
		body["fields"] = pe.Fields
	}
	return c.JSON(web.HTTPStatus(err), body)
}

// logFailure logs err, a failure of the sandbox itself that the control API
// or the dashboard answers as a 500: the one place the package logs.
func (s *Server) logFailure(c echo.Context, err error) {
	s.Log.ErrorContext(c.Request().Context(), "the control API failed", "path", c.Path(), "err", err)
}

// methodCodes lists the codes of the sandbox's methods.
func (s *Server) methodCodes() []string {
	var codes []string
	for _, m := range s.Engine.Methods() {
		codes = append(codes, m.Code)
	}
	return codes
}
