package paymentpage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Engine is what the Payment Page asks of the engine (*platform.Engine).
type Engine interface {
	BaseURL() string
	Clock() *platform.Clock
	Methods() []platform.Method
	Method(code string) (platform.Method, bool)
	MethodByForceCode(code string) (platform.Method, bool)
	Takes(project platform.Project, m platform.Method, sum platform.Sum) bool
	Project(ctx context.Context, id int64) (platform.Project, error)
	Payment(ctx context.Context, k platform.PaymentKey) (*platform.Payment, error)
	Sale(ctx context.Context, req platform.SaleRequest) (*platform.Payment, error)
}

var _ Engine = (*platform.Engine)(nil)

// Server serves the Payment Page over an engine.
type Server struct {
	Engine   Engine
	Renderer *web.Renderer
	// NewOrderID returns the sample shop's order IDs; by default random, so
	// that the shop does not draw from the engine's seeded source.
	NewOrderID func() string
	// MaxBody bounds a form body (default 1 MiB).
	MaxBody int64
	// Log receives the failures the Payment Page answers with a 500,
	// logged with the request's context (the sandbox folds them into the
	// request's one log line).
	Log *slog.Logger
}

// New returns a Payment Page server over eng rendering pages with r and
// logging its failures to log (nil discards them).
func New(eng Engine, r *web.Renderer, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{Engine: eng, Renderer: r, NewOrderID: randomOrderID, MaxBody: 1 << 20, Log: log}
}

func randomOrderID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return "shop-" + hex.EncodeToString(b)
}

// Paths of the Payment Page.
const (
	PathOpen       = "/payment"
	PathMethod     = "/payment/method"
	PathPay        = "/payment/pay"
	PathProcessing = "/payment/processing/"
	PathStatus     = "/payment/status/"
	PathResult     = "/payment/result/"
	PathAssets     = "/payment/assets/"
	PathShop       = "/demo/shop"
)

// Routes mounts every route of the Payment Page on e:
//
//	GET, POST /payment                          open: verify, choose a method
//	POST      /payment/method                   request (+ method): the method's form
//	POST      /payment/pay                      request, method, fields: the sale
//	GET       /payment/processing/:project/:id  wait, then off to the provider
//	GET       /payment/status/:project/:id      {"status":…,"final":…} for the pages' polling
//	GET       /payment/result/:project/:id      the result page (the providers' return URL)
//	GET       /payment/assets/:name             the pages' scripts (page.js, shop.js)
//	GET       /shared/merchant.js, merchant.css the merchant widget
//	GET       /demo/shop                        the sample shop of the demo project
//
// The pages link /static/ assets: mount web.StaticHandler there.
func (s *Server) Routes(e *echo.Echo) {
	e.GET(PathOpen, s.handleOpen)
	e.POST(PathOpen, s.handleOpen)
	e.POST(PathMethod, s.handleMethod)
	e.POST(PathPay, s.handlePay)
	e.GET(PathProcessing+":project/:payment", s.handleProcessing)
	e.GET(PathStatus+":project/:payment", s.handleStatus)
	e.GET(PathResult+":project/:payment", s.handleResult)
	e.GET(PathAssets+":name", s.handleAsset)
	e.GET(web.SharedPrefix+"*", echo.WrapHandler(web.SharedHandler()))
	e.GET(PathShop, s.handleShop)
}
