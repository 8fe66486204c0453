package voucher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Barcode image size in pixels; pages show it at a quarter of its area, so
// it stays sharp on dense screens.
const (
	barcodeWidth  = 640
	barcodeHeight = 160
)

// pendingShown bounds the unpaid vouchers the terminal lists.
const pendingShown = 5

// maxRedirectBody bounds the body a browser or a merchant posts to a
// voucher page.
const maxRedirectBody = 64 << 10

// Routes mounts the provider's customer-facing pages under /providers/<code>/:
//
//	GET  vouchers/:ref              the voucher as the customer sees it
//	POST vouchers/:ref              the same, reached by following a POST
//	                                redirect_data (the body as a form or JSON)
//	GET  vouchers/:ref/barcode.png  its Code 128 barcode
//	GET  terminal                   the sandbox terminal (?reference= fills it in)
//	POST terminal                   pay: form fields reference, channel (terminal|bank)
//
// The pages link /static/ assets: mount web.StaticHandler there.
func (p *Provider) Routes(e *echo.Echo, eng hosted.Engine, r *web.Renderer) {
	h := &handlers{p: p, eng: eng, r: r}
	g := e.Group(p.Prefix())
	g.GET("/vouchers/:ref", h.voucher)
	g.POST("/vouchers/:ref", h.voucherPosted)
	g.GET("/vouchers/:ref/barcode.png", h.barcode)
	g.GET("/terminal", h.terminal)
	g.POST("/terminal", h.pay)
}

var _ hosted.Pages = (*Provider)(nil)

type handlers struct {
	p   *Provider
	eng engine
	r   *web.Renderer
}

// engine is what the voucher pages ask of the engine.
type engine interface {
	Clock() *platform.Clock
	Project(ctx context.Context, id int64) (platform.Project, error)
	Payments(ctx context.Context, f platform.PaymentFilter) (platform.PaymentPage, error)
	PaymentByReference(ctx context.Context, method, ref string) (*platform.Payment, error)
	Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error)
}

// lookup finds the payment of the voucher with reference ref.
func (h *handlers) lookup(c echo.Context, ref string) (*platform.Payment, error) {
	if ref == "" {
		return nil, platform.Errorf(platform.CodeNotFound, "no reference was given")
	}
	return h.eng.PaymentByReference(c.Request().Context(), h.p.cfg.Method.Code, ref)
}

// voucher shows the voucher with reference :ref.
func (h *handlers) voucher(c echo.Context) error {
	ref := c.Param("ref")
	pay, err := h.lookup(c, ref)
	if err != nil {
		return h.fail(c, err, ref)
	}
	return h.render(c, pay)
}

// voucherPosted shows the voucher with reference :ref to a customer whose
// browser followed a POST redirect_data: the body, as a form or a JSON
// object, must not contradict the redirect body of the voucher's payment
// (a merchant who mixes up two payments' redirects learns it here).
func (h *handlers) voucherPosted(c echo.Context) error {
	ref := c.Param("ref")
	pay, err := h.lookup(c, ref)
	if err != nil {
		return h.fail(c, err, ref)
	}
	posted, err := readPosted(c)
	t := h.p.text(pay)
	if err != nil {
		return h.errorPage(c, t, http.StatusBadRequest, t.T("v.err.unreadable.title"), t.T("v.err.unreadable.text", err.Error()))
	}
	if diffs := mismatches(pay.Redirect, posted, t); len(diffs) > 0 {
		return h.errorPage(c, t, http.StatusBadRequest, t.T("v.err.mismatch.title"),
			t.T("v.err.mismatch.text", web.GroupDigits(ref, 4), pay.ID), diffs...)
	}
	return h.render(c, pay)
}

// errorPage writes an error page in the method's brand and t's language.
func (h *handlers) errorPage(c echo.Context, t web.Translator, status int, title, msg string, details ...string) error {
	page := web.NewErrorPage(status, title, msg, details...)
	page.Brand, page.Lang, page.Text = h.p.cfg.Method.Brand, t.Lang(), t
	return h.r.Write(c.Response(), page.Status, "error", page)
}

// render writes the voucher page of pay, in the method's words when it has
// its own page.
func (h *handlers) render(c echo.Context, pay *platform.Payment) error {
	if pay.Voucher == nil {
		return h.fail(c, platform.Errorf(platform.CodeNotFound, "payment %s has no voucher", pay.Key()), c.Param("ref"))
	}
	page := h.p.voucherPage(pay, h.eng.Clock().Now())
	if h.p.cfg.VoucherPage != nil {
		name, data := h.p.cfg.VoucherPage(pay, page)
		return h.r.Write(c.Response(), http.StatusOK, name, data)
	}
	return h.r.Write(c.Response(), http.StatusOK, "voucher", page)
}

// readPosted reads a body posted to a voucher page into its fields' text:
// a JSON object (or the empty list [] of a GET redirect's body), a
// urlencoded or a multipart form. An empty body has no fields.
func readPosted(c echo.Context) (map[string]string, error) {
	req := c.Request()
	mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mt == echo.MIMEMultipartForm {
		form, err := c.FormParams()
		if err != nil {
			return nil, fmt.Errorf("multipart form: %w", err)
		}
		return firstValues(form), nil
	}
	raw, err := io.ReadAll(io.LimitReader(req.Body, maxRedirectBody+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxRedirectBody {
		return nil, fmt.Errorf("it is larger than %d bytes", maxRedirectBody)
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return map[string]string{}, nil
	}
	if mt == echo.MIMEApplicationJSON || strings.HasSuffix(mt, "+json") || trimmed[0] == '{' || trimmed[0] == '[' {
		return jsonFields(trimmed)
	}
	form, err := url.ParseQuery(string(trimmed))
	if err != nil {
		return nil, fmt.Errorf("form: %w", err)
	}
	return firstValues(form), nil
}

func firstValues(form url.Values) map[string]string {
	out := make(map[string]string, len(form))
	for k, vs := range form {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

// jsonFields reads a JSON object's top-level fields as text: strings
// verbatim, numbers as written, anything else as its JSON. An empty list
// (a GET redirect's body) has no fields.
func jsonFields(raw []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("JSON: more than one value")
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]string, len(v))
		for k, x := range v {
			out[k] = fieldText(x)
		}
		return out, nil
	case []any:
		if len(v) == 0 {
			return map[string]string{}, nil
		}
	}
	return nil, errors.New("JSON: the body must be an object")
}

func fieldText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// sameNumber reports whether a and b are the same number written two
// ways ("1000000001", "1.000000001e+09"), as encoders of forms differ.
func sameNumber(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	return errA == nil && errB == nil && x == y
}

// mismatches lists, for people in t's language, the fields of a posted body that differ
// from the POST redirect body the payment still awaits; fields it lacks or
// adds are not counted, and a JSON number may be written any way that
// reads as the same number. Nothing is compared once the payment has no
// redirect (it is final) or its redirect is a GET.
func mismatches(r *platform.Redirect, posted map[string]string, t web.Translator) []string {
	if r == nil || r.Method != http.MethodPost || len(posted) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var want map[string]any
	if err := dec.Decode(&want); err != nil {
		return nil
	}
	var out []string
	for k, v := range want {
		got, ok := posted[k]
		if !ok {
			continue
		}
		w := fieldText(v)
		if _, number := v.(json.Number); got == w || (number && sameNumber(got, w)) {
			continue
		}
		out = append(out, t.T("v.err.mismatch.field", k, got, w))
	}
	slices.Sort(out)
	return out
}

// barcode serves the barcode of the voucher with reference :ref.
func (h *handlers) barcode(c echo.Context) error {
	ref := c.Param("ref")
	// The 404 quotes the reference as text: no browser may read it as HTML.
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	pay, err := h.lookup(c, ref)
	if err != nil {
		if platform.ErrorCode(err) == platform.CodeNotFound {
			return c.String(http.StatusNotFound, fmt.Sprintf("no %s voucher has the reference %q\n", h.p.cfg.Method.Name, ref))
		}
		return err
	}
	if pay.Voucher == nil {
		return c.String(http.StatusNotFound, "the payment has no voucher\n")
	}
	img, err := BarcodePNG(pay.Voucher.Barcode, BarcodeWidth(pay.Voucher.Barcode, barcodeWidth), barcodeHeight)
	if err != nil {
		return err
	}
	// A reference's barcode never changes.
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, "image/png", img)
}

// terminal shows the terminal's form, with ?reference= and ?channel=
// filled in, and the unpaid vouchers a tester may pick from.
func (h *handlers) terminal(c echo.Context) error {
	page := h.p.terminalPage(platform.CompactNumber(c.QueryParam("reference")), c.QueryParam("channel"))
	if page.Reference == "" {
		pending, err := h.eng.Payments(c.Request().Context(), platform.PaymentFilter{
			Method: h.p.cfg.Method.Code, Status: platform.StatusAwaitingRedirect, Limit: pendingShown,
		})
		if err != nil {
			return err
		}
		for _, pay := range pending.Payments {
			if pay.Voucher == nil {
				continue
			}
			page.Pending = append(page.Pending, PendingVoucher{
				Reference:  pay.Voucher.Reference,
				Amount:     pay.Voucher.Amount,
				ValidUntil: pay.Voucher.ValidUntil,
				URL:        h.p.TerminalPath() + "?reference=" + pay.Voucher.Reference,
			})
		}
	}
	return h.r.Write(c.Response(), http.StatusOK, "terminal", page)
}

// pay takes payment for the voucher whose reference was entered. Refusals
// change nothing: 400 for a form without a reference or with an unknown
// channel, 404 for an unknown reference, 409 for a voucher paid, lapsed
// or cancelled.
func (h *handlers) pay(c echo.Context) error {
	ctx := c.Request().Context()
	ref := platform.CompactNumber(c.FormValue("reference"))
	channel := c.FormValue("channel")
	page := h.p.terminalPage(ref, channel)
	refuse := func(status int, title, msg string) error {
		page.Error = &web.Alert{Title: title, Message: msg, Field: "reference"}
		return h.r.Write(c.Response(), status, "terminal", page)
	}
	name := h.p.cfg.Method.Name
	switch channel {
	case "", ChannelTerminal, ChannelBank:
	default:
		return refuse(http.StatusBadRequest, "Choose where the customer pays",
			fmt.Sprintf("%q is not a place to pay a voucher: choose a store terminal or a bank counter.", channel))
	}
	if ref == "" {
		return refuse(http.StatusBadRequest, "Enter the voucher's reference",
			fmt.Sprintf("Type the %d digits printed under the barcode of the %s voucher.", h.p.cfg.ReferenceDigits, name))
	}
	pay, err := h.lookup(c, ref)
	if platform.ErrorCode(err) == platform.CodeNotFound {
		msg := fmt.Sprintf("No %s voucher has the reference %s. Check the digits under the barcode; nothing was charged.", name, web.GroupDigits(ref, 4))
		if len(ref) != h.p.cfg.ReferenceDigits || !ValidReference(ref) {
			msg = fmt.Sprintf("%s is not a valid %s reference: it must be %d digits, and a digit seems to be wrong or missing. Nothing was charged.", web.GroupDigits(ref, 4), name, h.p.cfg.ReferenceDigits)
		}
		return refuse(http.StatusNotFound, "Unknown reference", msg)
	} else if err != nil {
		return err
	}
	voucherLink := &web.Link{Label: "View the voucher", URL: h.p.VoucherPath(ref)}
	if title, msg, closed := h.p.closed(pay, h.eng.Clock().Now()); closed {
		page.Error = &web.Alert{Title: title, Message: msg, Field: "reference", Link: voucherLink}
		return h.r.Write(c.Response(), http.StatusConflict, "terminal", page)
	}
	// The receipt says whether the merchant's callback goes out or waits
	// for a callback URL; asked before paying, so that a payment is never
	// paid without its receipt.
	project, err := h.eng.Project(ctx, pay.ProjectID)
	if err != nil {
		return fmt.Errorf("voucher %s: reading its project %d for the receipt: %w", ref, pay.ProjectID, err)
	}
	paid, err := h.eng.Pay(ctx, pay.Key(), platform.MustJSON(PayInput{Channel: channel}))
	var pe *platform.Error
	switch {
	case errors.As(err, &pe) && pe.Code == platform.CodeStatusForbids:
		page.Error = &web.Alert{Title: "Voucher refused", Message: platform.Sentence(pe.Detail) + " Nothing was charged.", Field: "reference", Link: voucherLink}
		return h.r.Write(c.Response(), web.HTTPStatus(pe), "terminal", page)
	case errors.As(err, &pe) && pe.Code == platform.CodeInvalidRequest:
		return refuse(web.HTTPStatus(pe), "Payment refused", platform.Sentence(pe.Detail))
	case err != nil:
		return err
	}
	page.Receipt = h.p.receipt(paid)
	page.Receipt.CallbackHeld = paid.CallbackURL(project) == ""
	return h.r.Write(c.Response(), http.StatusOK, "terminal", page)
}

// closed says why a voucher whose payment is final cannot be paid, with
// dates written as the terminal's receipt writes them.
func (p *Provider) closed(pay *platform.Payment, now time.Time) (title, msg string, closed bool) {
	if pay.Voucher == nil || !pay.Status.Final() {
		return "", "", false
	}
	ref := web.GroupDigits(pay.Voucher.Reference, 4)
	state, at := p.State(pay, now)
	switch state {
	case VoucherPaid:
		return "Already paid", fmt.Sprintf("Voucher %s was already paid %s on %s. Nothing was charged again.", ref, p.ChannelName(pay.Voucher.Channel), web.FormatTime(at)), true
	case VoucherExpired:
		return "Voucher expired", fmt.Sprintf("Voucher %s expired on %s and can no longer be paid. Nothing was charged.", ref, web.FormatTime(at)), true
	default:
		reason := ""
		if op := pay.Sale(); op != nil && op.Message != "" {
			reason = " (" + op.Message + ")"
		}
		return "Voucher cancelled", fmt.Sprintf("Voucher %s was cancelled on %s%s and can no longer be paid. Nothing was charged.", ref, web.FormatTime(at), reason), true
	}
}

// fail answers a page request that failed (hosted.Fail): an unknown
// reference is a 404 page that leads to the terminal.
func (h *handlers) fail(c echo.Context, err error, ref string) error {
	t := h.p.textFor(c)
	return hosted.Fail(c, h.r, h.p.cfg.Method.Brand, err, func(page *web.ErrorPage, pe *platform.Error) {
		page.Lang, page.Text = t.Lang(), t
		if pe.Code == platform.CodeNotFound {
			page.Title = t.T("v.err.notfound.title")
			page.Message = t.T("v.err.notfound.text", h.p.cfg.Method.Name, ref)
			page.Details = nil
			page.Back = &web.Link{Label: t.T("v.err.terminal"), URL: h.p.TerminalPath()}
		}
	})
}
