package control

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Engine is what the control API and the dashboard ask of the engine
// (*platform.Engine).
type Engine interface {
	// The sandbox and its methods.
	BaseURL() string
	Methods() []platform.Method
	Method(code string) (platform.Method, bool)
	MethodByForceCode(code string) (platform.Method, bool)

	// The clock.
	Clock() *platform.Clock
	AdvanceFor(ctx context.Context, d time.Duration, project int64) (time.Time, error)
	SetClockFor(ctx context.Context, t time.Time, project int64) (time.Time, error)
	Freeze(ctx context.Context) error
	Unfreeze(ctx context.Context) error

	// Projects, and the reset of everything.
	Project(ctx context.Context, id int64) (platform.Project, error)
	Projects(ctx context.Context) ([]platform.Project, error)
	PutProject(ctx context.Context, p platform.Project) error
	TestCallback(ctx context.Context, projectID int64) (platform.Attempt, error)
	Reset(ctx context.Context) error

	// Payments: what happened to them, and what a developer makes happen.
	Payments(ctx context.Context, f platform.PaymentFilter) (platform.PaymentPage, error)
	PaymentWhole(ctx context.Context, k platform.PaymentKey) (platform.PaymentView, error)
	Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error)
	Fail(ctx context.Context, k platform.PaymentKey, code int) (*platform.Payment, error)
	Expire(ctx context.Context, k platform.PaymentKey) (*platform.Payment, error)
	Refund(ctx context.Context, k platform.PaymentKey, req platform.RefundRequest) (*platform.Payment, error)
	Clarify(ctx context.Context, k platform.PaymentKey, c platform.Customer) (*platform.Payment, error)

	// Callbacks, and the live updates of the dashboard.
	Deliveries(ctx context.Context, f platform.DeliveryFilter) ([]*platform.Delivery, error)
	Resend(ctx context.Context, id uint64) (*platform.Delivery, error)
	Refusals(project int64) []platform.Refusal
	Subscribe() *platform.Subscription
}

var _ Engine = (*platform.Engine)(nil)

// Server serves the control API and the dashboard over an engine.
type Server struct {
	Engine   Engine
	Renderer *web.Renderer
	// Forms issues and checks the dashboard forms' tokens; New draws a
	// random key.
	Forms *FormTokens
	// NewPaymentID returns the payment IDs the payment-link builder
	// suggests; by default random, so that it does not draw from the
	// engine's seeded source.
	NewPaymentID func() string
	// Backup copies the data file for GET /sandbox/backup; nil answers
	// 404.
	Backup Backuper
	// Log receives the failures the control API and the dashboard answer
	// with a 500, logged with the request's context (the sandbox folds
	// them into the request's one log line).
	Log *slog.Logger

	flashes *flashes
	streams *streams
}

// New returns a control server over eng rendering pages with r and
// logging its failures to log (nil discards them).
func New(eng Engine, r *web.Renderer, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{Engine: eng, Renderer: r, Forms: RandomFormTokens(), NewPaymentID: randomPaymentID, Log: log,
		flashes: newFlashes(), streams: newStreams()}
}

// Routes mounts every control endpoint under /sandbox, the dashboard under
// /dashboard, the home page, and the pages that say a path does not exist.
func (s *Server) Routes(e *echo.Echo) {
	g := e.Group("/sandbox")
	g.GET("/health", s.handleHealth)
	g.GET("/methods", s.handleMethods)

	g.GET("/projects", s.handleProjects)
	g.POST("/projects", s.handlePutProject)

	g.GET("/payments", s.handlePayments)
	g.GET("/payments/:project/:payment", s.handlePayment)
	g.POST("/payments/:project/:payment/pay", s.handlePay)
	g.POST("/payments/:project/:payment/fail", s.handleFail)
	g.POST("/payments/:project/:payment/expire", s.handleExpire)

	g.GET("/clock", s.handleClock)
	g.POST("/clock/advance", s.handleAdvance)
	g.POST("/clock/set", s.handleSetClock)
	g.POST("/clock/freeze", s.handleFreeze)
	g.POST("/clock/unfreeze", s.handleUnfreeze)

	g.GET("/deliveries", s.handleDeliveries)
	g.POST("/deliveries/:id/resend", s.handleResend)

	g.GET("/refusals", s.handleRefusals)

	g.POST("/reset", s.handleReset)
	g.GET("/backup", s.handleBackup)
	g.GET("/openapi.json", s.handleOpenAPI)
	g.Any("/*", s.handleNotFound)

	e.GET("/", s.handleHome)
	d := e.Group("/dashboard")
	d.GET("", s.handleDashboard)
	d.GET("/payments.csv", s.handleDashboardCSV)
	d.GET("/events", s.handleEvents)
	d.GET("/payments/:project/:payment", s.handleDashboardPayment)
	d.GET("/reset", s.handleDashboardResetPage)
	d.GET("/projects", s.handleDashboardProjects)
	d.GET("/links", s.handleDashboardLinks)
	// Every dashboard form carries the token (forms.go).
	d.POST("/payments/:project/:payment/:action", s.handleDashboardAct, s.checkForm)
	d.POST("/clock/:action", s.handleDashboardClock, s.checkForm)
	d.POST("/deliveries/:id/resend", s.handleDashboardResend, s.checkForm)
	d.POST("/reset", s.handleDashboardReset, s.checkForm)
	d.POST("/projects", s.handleDashboardProject, s.checkForm)
	d.POST("/projects/:id", s.handleDashboardProjectEdit, s.checkForm)
	d.POST("/projects/:id/test-callback", s.handleDashboardTestCallback, s.checkForm)

	// What no route serves: JSON under the APIs, a page for people.
	e.RouteNotFound("/*", s.handlePageNotFound)
}
