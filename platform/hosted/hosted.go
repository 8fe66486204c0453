package hosted

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Engine is what a provider's pages may ask of the engine: read payments,
// projects and the clock, and act as the customer or the provider does.
// *platform.Engine implements it.
type Engine interface {
	// BaseURL is where the sandbox serves its pages, with no trailing slash.
	BaseURL() string
	Clock() *platform.Clock
	Project(ctx context.Context, id int64) (platform.Project, error)
	Payment(ctx context.Context, k platform.PaymentKey) (*platform.Payment, error)
	Payments(ctx context.Context, f platform.PaymentFilter) (platform.PaymentPage, error)
	PaymentByReference(ctx context.Context, method, ref string) (*platform.Payment, error)
	References(ctx context.Context, method string, fn func(taken func(ref string) (bool, error)) error) error
	Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error)
	Fail(ctx context.Context, k platform.PaymentKey, code int) (*platform.Payment, error)
}

var _ Engine = (*platform.Engine)(nil)

// Pages is a provider with customer-facing pages of its own, served under
// /providers/<method code>/.
type Pages interface {
	// Templates are the provider's page templates: each set holds
	// <name>.html files at its root, each defining the blocks "title" and
	// "content" (and optionally "head") of the shared layout, rendered with
	// web's components and functions as <name>. Providers that share a
	// template (the voucher methods) give the very same file.
	Templates() []fs.FS
	// Routes mounts the pages on e; they read and act through eng and
	// render with r.
	Routes(e *echo.Echo, eng Engine, r *web.Renderer)
}

// Folder returns the folder dir of fsys, a provider's embedded files, for
// Pages.Templates. dir is a constant of the provider's, so a bad one is a
// bug of the provider, and panics.
func Folder(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("hosted: folder %q: %v", dir, err))
	}
	return sub
}

// Renderer returns the renderer of the sandbox's own pages and of the
// pages of every provider in provs that has some.
func Renderer(provs []platform.Provider) (*web.Renderer, error) {
	var sets []fs.FS
	for _, p := range provs {
		if pp, ok := p.(Pages); ok {
			sets = append(sets, pp.Templates()...)
		}
	}
	return web.New(sets...)
}

// Mount mounts the pages of every provider in provs that has some.
func Mount(e *echo.Echo, eng Engine, r *web.Renderer, provs []platform.Provider) {
	for _, p := range provs {
		if pp, ok := p.(Pages); ok {
			pp.Routes(e, eng, r)
		}
	}
}

// Fail answers err on a provider's page. A *platform.Error becomes the
// error page web.ErrorFrom makes of it (with its HTTP status), in brand,
// once edit (when not nil) has worded it for the page; any other error is
// returned, for the sandbox's error handler to log and answer as a 500.
func Fail(c echo.Context, r *web.Renderer, brand platform.Brand, err error, edit func(page *web.ErrorPage, pe *platform.Error)) error {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return err
	}
	page := web.ErrorFrom(err)
	page.Brand = brand
	if edit != nil {
		edit(&page, pe)
	}
	return Write(c, r, page)
}

// Write renders page, an error page, with its status.
func Write(c echo.Context, r *web.Renderer, page web.ErrorPage) error {
	return r.Write(c.Response(), page.Status, "error", page)
}
