package toymethod

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

//go:embed templates/*.html
var templates embed.FS

var _ hosted.Pages = (*Provider)(nil)

// TabPage is a tab as its customer sees it (page "toy_tab").
type TabPage struct {
	web.Page
	Reference string
	Amount    platform.Sum
	Action    string // where the answer posts
	Open      bool   // the tab takes an answer
	Status    platform.Status
	// Back is where the customer goes once the tab is settled, when the
	// merchant (or the Payment Page) gave a return URL.
	Back string
}

// Templates returns the Toy's page: its tab.
func (*Provider) Templates() []fs.FS { return []fs.FS{hosted.Folder(templates, "templates")} }

// engine is what the tab page asks of the engine.
type engine interface {
	PaymentByReference(ctx context.Context, method, ref string) (*platform.Payment, error)
	Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error)
}

// Routes mounts the tab page under /providers/toy/:
//
//	GET  tabs/:ref  the tab: its amount, and pay or decline while it is open
//	POST tabs/:ref  answer=pay|decline; 303 to the return URL, else the tab
func (*Provider) Routes(e *echo.Echo, eng hosted.Engine, r *web.Renderer) {
	h := &handlers{eng: eng, r: r}
	e.GET(Prefix+"/tabs/:ref", h.tab)
	e.POST(Prefix+"/tabs/:ref", h.answer)
}

type handlers struct {
	eng engine
	r   *web.Renderer
}

func (h *handlers) tab(c echo.Context) error {
	p, err := h.eng.PaymentByReference(c.Request().Context(), Code, c.Param("ref"))
	if err != nil {
		return hosted.Fail(c, h.r, Method().Brand, err, nil)
	}
	page := TabPage{
		Page:      web.Page{Title: "Your tab", Brand: Method().Brand},
		Reference: c.Param("ref"),
		Amount:    p.Amount,
		Action:    TabPath(c.Param("ref")),
		Open:      p.Status == platform.StatusAwaitingRedirect,
		Status:    p.Status,
		Back:      p.ReturnURLs.Return,
	}
	return h.r.Write(c.Response(), http.StatusOK, "toy_tab", page)
}

func (h *handlers) answer(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := h.eng.PaymentByReference(ctx, Code, c.Param("ref"))
	if err != nil {
		return hosted.Fail(c, h.r, Method().Brand, err, nil)
	}
	p, err = h.eng.Pay(ctx, p.Key(), platform.MustJSON(PayInput{Answer: c.FormValue("answer")}))
	if err != nil {
		return hosted.Fail(c, h.r, Method().Brand, err, nil)
	}
	if p.ReturnURLs.Return != "" {
		return c.Redirect(http.StatusSeeOther, p.ReturnURLs.Return)
	}
	return c.Redirect(http.StatusSeeOther, TabPath(c.Param("ref")))
}
