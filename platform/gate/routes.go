package gate

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Engine is what the Gate asks of the engine (*platform.Engine).
type Engine interface {
	Methods() []platform.Method
	Method(code string) (platform.Method, bool)
	Project(ctx context.Context, id int64) (platform.Project, error)
	Projects(ctx context.Context) ([]platform.Project, error)
	Payment(ctx context.Context, k platform.PaymentKey) (*platform.Payment, error)
	Payments(ctx context.Context, f platform.PaymentFilter) (platform.PaymentPage, error)
	Sale(ctx context.Context, req platform.SaleRequest) (*platform.Payment, error)
	Refund(ctx context.Context, k platform.PaymentKey, req platform.RefundRequest) (*platform.Payment, error)
	Clarify(ctx context.Context, k platform.PaymentKey, c platform.Customer) (*platform.Payment, error)
	Refused(r platform.Refusal) platform.Refusal
	StatusBody(p *platform.Payment) ([]byte, error)
	NewID(n int) string
}

var _ Engine = (*platform.Engine)(nil)

// Server serves the Gate API over an engine.
type Server struct {
	Engine Engine
	// MaxBody bounds a request body (default 1 MiB).
	MaxBody int64
	// Log receives the failures the Gate answers with a 500, and a line
	// for each request it refuses, logged with the request's context (the
	// sandbox folds them into the request's one log line).
	Log *slog.Logger
}

// New returns a Gate server over eng that logs its failures to log (nil
// discards them).
func New(eng Engine, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{Engine: eng, MaxBody: 1 << 20, Log: log}
}

// Routes mounts every Gate endpoint on e: one sale endpoint per registered
// method, then the endpoints every method shares.
func (s *Server) Routes(e *echo.Echo) {
	for _, m := range s.Engine.Methods() {
		if m.GatePath != "" {
			e.POST(m.GatePath, s.handleSale(m))
		}
		if m.RefundPath != "" {
			e.POST(m.RefundPath, s.handleRefund(m))
		}
	}
	e.POST("/v2/payment/voucher/:method/sale", s.handleUnknownMethod)
	e.POST("/v2/payment/:method/sale", s.handleUnknownMethod)
	e.POST("/v2/payment/status", s.handleStatus)
	e.POST("/v2/payment/clarification", s.handleClarification)
	e.POST("/operations/get", s.handleOperations)
	e.Any("/v2/*", s.handleNotFound)
}

// handleNotFound answers what no Gate route serves under /v2/: a Gate
// endpoint asked with another method than POST is a 405 that says to POST;
// any other path a 404 that lists the endpoints. Both have the shape and
// the request_id of every Gate answer.
func (s *Server) handleNotFound(c echo.Context) error {
	r := c.Request()
	if r.Method != http.MethodPost && slices.Contains(s.endpoints(), r.URL.Path) {
		c.Response().Header().Set(echo.HeaderAllow, http.MethodPost)
		ans := errorAnswer{
			Status: "error", Code: "405", Message: "Method not allowed", RequestID: s.newRequestID(),
			Errors: []platform.FieldError{{Code: 405, Message: r.Method + " " + r.URL.Path +
				" is not served: every Gate request is a POST with a JSON body (Content-Type: application/json)"}},
		}
		s.refused(c, http.StatusMethodNotAllowed, ans, nil)
		return c.JSON(http.StatusMethodNotAllowed, ans)
	}
	msg := r.Method + " " + r.URL.Path + " is not a Gate endpoint the sandbox emulates; its endpoints are " +
		strings.Join(s.endpoints(), ", ") + " (docs/gate.md in the repository describes them)"
	if p := strings.TrimRight(r.URL.Path, "/"); p != r.URL.Path && slices.Contains(s.endpoints(), p) {
		msg = r.Method + " " + r.URL.Path + " is not a Gate endpoint: send the request to " + p + ", without the trailing /"
	}
	ans := errorAnswer{
		Status: "error", Code: "404", Message: "Not found", RequestID: s.newRequestID(),
		Errors: []platform.FieldError{{Code: 404, Field: "url", Message: msg}},
	}
	// The body, for the refusals' record: enough to recognise the request.
	raw, _ := io.ReadAll(io.LimitReader(r.Body, platform.MaxRefusalBody))
	s.refused(c, http.StatusNotFound, ans, raw)
	return c.JSON(http.StatusNotFound, ans)
}
