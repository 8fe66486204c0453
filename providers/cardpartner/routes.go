package cardpartner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// maxBody bounds a redirect body POSTed to the checkout.
const maxBody = 64 << 10

// Routes mounts the partner's customer-facing pages under
// /providers/card-partner/:
//
//	POST checkout        the redirect target: redirect_data.body as form
//	                     fields or JSON; checks hsh, then 303 to GET checkout
//	GET  checkout?inv=   the checkout (reloadable), or its result once finished
//	POST pay             the checkout's form: inv, method, card_number,
//	                     card_expiry, card_cvc, card_holder, phone,
//	                     action=pay|cancel; 303 to cbk or lbk
//	GET  result?inv=     the result page, for payments without return URLs
//	GET  checkout.js     the checkout's script
//
// The pages link /static/ assets: mount web.StaticHandler there.
func (p *Provider) Routes(e *echo.Echo, eng hosted.Engine, r *web.Renderer) {
	h := &handlers{p: p, eng: eng, r: r}
	g := e.Group(Prefix)
	g.POST("/checkout", h.enter)
	g.GET("/checkout", h.show)
	g.POST("/pay", h.pay)
	g.GET("/result", h.result)
	g.GET("/checkout.js", h.script)
}

var _ hosted.Pages = (*Provider)(nil)

type handlers struct {
	p   *Provider
	eng engine
	r   *web.Renderer
}

// engine is what the checkout asks of the engine.
type engine interface {
	BaseURL() string
	Clock() *platform.Clock
	Project(ctx context.Context, id int64) (platform.Project, error)
	Payment(ctx context.Context, k platform.PaymentKey) (*platform.Payment, error)
	PaymentByReference(ctx context.Context, method, ref string) (*platform.Payment, error)
	Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error)
}

// lookup finds the payment of the checkout with invoice inv.
func (h *handlers) lookup(c echo.Context, inv string) (*platform.Payment, error) {
	inv = strings.TrimSpace(inv)
	if inv == "" {
		return nil, platform.Errorf(platform.CodeNotFound, "no invoice (inv) was given")
	}
	pay, err := h.eng.PaymentByReference(c.Request().Context(), Code, InvReference(inv))
	if platform.ErrorCode(err) == platform.CodeNotFound {
		return nil, platform.Errorf(platform.CodeNotFound, "no checkout has the invoice %q", inv)
	}
	return pay, err
}

// enter receives the customer the merchant redirected with
// redirect_data.body, checks the body and its hsh, and sends the customer
// on to the checkout page.
func (h *handlers) enter(c echo.Context) error {
	t := browserText(c)
	fields, err := bodyFields(c.Request())
	if err != nil {
		return h.fail(c, t, http.StatusBadRequest, t.T("cp.err.unreadable"), err.Error())
	}
	if err := checkPresent(fields); err != nil {
		return h.failErr(c, t, t.T("cp.err.incomplete"), err, fields["inv"])
	}
	pay, err := h.lookup(c, fields["inv"])
	if err != nil {
		return h.failErr(c, t, t.T("cp.err.notfound"), err, fields["inv"])
	}
	t = text(pay)
	if fields["oid"] != pay.ID {
		return h.fail(c, t, http.StatusBadRequest, t.T("cp.err.oid"), t.T("cp.err.oid.text", fields["inv"], pay.ID, fields["oid"]))
	}
	project, err := h.eng.Project(c.Request().Context(), pay.ProjectID)
	if err != nil {
		return h.failErr(c, t, t.T("cp.err.project"), err, fields["inv"])
	}
	if err := CheckBody(fields, project.Secret); err != nil {
		return h.failErr(c, t, t.T("cp.err.hsh"), err, fields["inv"])
	}
	return c.Redirect(http.StatusSeeOther, CheckoutPath+"?inv="+url.QueryEscape(fields["inv"]))
}

// show renders the checkout of ?inv=, or how it ended.
func (h *handlers) show(c echo.Context) error {
	inv := c.QueryParam("inv")
	if strings.TrimSpace(inv) == "" {
		t := browserText(c)
		return h.fail(c, t, http.StatusBadRequest, t.T("cp.err.noinv"), t.T("cp.err.noinv.text"))
	}
	pay, err := h.lookup(c, inv)
	if err != nil {
		t := browserText(c)
		return h.failErr(c, t, t.T("cp.err.notfound"), err, inv)
	}
	switch {
	case pay.Status.Final():
		return h.r.Write(c.Response(), http.StatusOK, "cardpartner_result", h.p.resultPage(pay))
	case pay.Status != platform.StatusAwaitingRedirect:
		return h.notOpen(c, pay)
	}
	clock := h.eng.Clock()
	return h.r.Write(c.Response(), http.StatusOK, "cardpartner_checkout", h.p.checkoutPage(pay, clock.Now(), clock.Frozen()))
}

// result renders how the checkout of ?inv= ended; an open checkout sends
// the customer back to it.
func (h *handlers) result(c echo.Context) error {
	pay, err := h.lookup(c, c.QueryParam("inv"))
	if err != nil {
		t := browserText(c)
		return h.failErr(c, t, t.T("cp.err.payment"), err, c.QueryParam("inv"))
	}
	if !pay.Status.Final() {
		return c.Redirect(http.StatusSeeOther, CheckoutPath+"?inv="+url.QueryEscape(strings.TrimSpace(c.QueryParam("inv"))))
	}
	return h.r.Write(c.Response(), http.StatusOK, "cardpartner_result", h.p.resultPage(pay))
}

// pay takes the checkout's form: it pays or cancels, then sends the
// customer to the merchant (cbk after an approval, lbk otherwise). Input
// the partner cannot take is refused with 400 and the form as it was (the
// security code excepted); a checkout that is closed with 409.
func (h *handlers) pay(c echo.Context) error {
	ctx := c.Request().Context()
	inv := c.FormValue("inv")
	pay, err := h.lookup(c, inv)
	if err != nil {
		t := browserText(c)
		return h.failErr(c, t, t.T("cp.err.notfound"), err, inv)
	}
	if pay.Status.Final() {
		page := h.p.resultPage(pay)
		page.Alert = finishedAlert(pay)
		return h.r.Write(c.Response(), http.StatusConflict, "cardpartner_result", page)
	}
	if pay.Status != platform.StatusAwaitingRedirect {
		return h.notOpen(c, pay)
	}
	clock := h.eng.Clock()
	now := clock.Now()
	page := h.p.checkoutPage(pay, now, clock.Frozen())
	page.Channel = strings.TrimSpace(c.FormValue("method"))
	page.Form = CardPartnerForm{
		CardNumber: strings.TrimSpace(c.FormValue("card_number")),
		Expiry:     strings.TrimSpace(c.FormValue("card_expiry")),
		Holder:     strings.TrimSpace(c.FormValue("card_holder")),
		Phone:      strings.TrimSpace(c.FormValue("phone")),
	}
	in := PayInput{Method: page.Channel}
	if c.FormValue("action") == "cancel" {
		in = PayInput{Method: MethodCancel}
	} else {
		page.Errors = checkForm(page, c.FormValue("card_cvc"), now)
		if len(page.Errors) > 0 {
			return h.refuse(c, http.StatusBadRequest, page, nil)
		}
		if page.Channel == ChannelCard {
			in.Card = page.Form.CardNumber
		} else {
			in.Phone = page.Form.Phone
		}
	}
	paid, err := h.eng.Pay(ctx, pay.Key(), platform.MustJSON(in))
	var pe *platform.Error
	switch {
	case errors.As(err, &pe) && pe.Code == platform.CodeInvalidRequest:
		for _, f := range pe.Fields {
			name := map[string]string{"card": "card_number", "phone": "phone"}[f.Field]
			if name == "" {
				name = "method"
			}
			page.Errors = append(page.Errors, CardPartnerFieldError{Field: name, Label: page.T("cp.field." + name), Message: f.Message})
		}
		return h.refuse(c, web.HTTPStatus(pe), page, nil)
	case errors.As(err, &pe) && pe.Code == platform.CodeStatusForbids:
		if cur, err := h.eng.Payment(ctx, pay.Key()); err == nil && cur.Status.Final() {
			page := h.p.resultPage(cur)
			page.Alert = finishedAlert(cur)
			return h.r.Write(c.Response(), web.HTTPStatus(pe), "cardpartner_result", page)
		}
		return h.refuse(c, web.HTTPStatus(pe), page, &web.Alert{Title: page.T("cp.refused"), Message: page.T("cp.refused.text")})
	case err != nil:
		return err
	}
	approved := paid.Status == platform.StatusSuccess
	return c.Redirect(http.StatusSeeOther, ReturnURL(paid, h.eng.BaseURL(), stateOf(paid).Inv, approved))
}

// refuse renders the checkout again with what went wrong.
func (h *handlers) refuse(c echo.Context, status int, page CardPartnerCheckoutPage, alert *web.Alert) error {
	page.Alert = alert
	if alert == nil && len(page.Errors) > 0 {
		page.Alert = &web.Alert{Title: page.T("cp.check_fields"), Message: page.T("cp.nothing_charged")}
	}
	return h.r.Write(c.Response(), status, "cardpartner_checkout", page)
}

// checkForm checks the checkout's form as the customer filled it in, and
// says what is wrong in the page's language.
func checkForm(page CardPartnerCheckoutPage, cvc string, now time.Time) []CardPartnerFieldError {
	var errs []CardPartnerFieldError
	t := page.Text
	add := func(field, msg string) {
		errs = append(errs, CardPartnerFieldError{Field: field, Label: t.T("cp.field." + field), Message: msg})
	}
	var channel *CardPartnerChannel
	for i := range page.Channels {
		if page.Channels[i].Code == page.Channel {
			channel = &page.Channels[i]
		}
	}
	switch {
	case page.Channel == "":
		add("method", t.T("cp.err.method"))
		return errs
	case channel == nil:
		names := make([]string, len(page.Channels))
		for i, ch := range page.Channels {
			names[i] = ch.Label
		}
		add("method", t.T("cp.err.channel", ChannelName(page.Channel), strings.Join(names, ", ")))
		return errs
	case channel.Phone:
		if _, msg := checkPhone(page.Form.Phone, t); msg != "" {
			add("phone", msg)
		}
		return errs
	}
	number, msg := checkCard(page.Form.CardNumber, t)
	if msg != "" {
		add("card_number", msg)
	}
	if msg := checkExpiry(page.Form.Expiry, now, t); msg != "" {
		add("card_expiry", msg)
	}
	if msg := checkCVC(strings.TrimSpace(cvc), CardBrand(number) == "American Express", t); msg != "" {
		add("card_cvc", msg)
	}
	if page.Form.Holder == "" {
		add("card_holder", t.T("cp.err.holder"))
	}
	return errs
}

// checkExpiry checks an expiry date, written as platform.ParseExpiry reads
// it (MM/YY, MM/YYYY, MMYY, MM-YY), that is not before now's month.
func checkExpiry(s string, now time.Time, t web.Translator) string {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return t.T("cp.err.expiry.empty")
	}
	month, year, ok := platform.ParseExpiry(s)
	if !ok {
		return t.T("cp.err.expiry.format")
	}
	if year < now.Year() || (year == now.Year() && time.Month(month) < now.Month()) {
		return t.T("cp.err.expiry.past", month, year%100)
	}
	return ""
}

// checkCVC checks a card security code: 3 digits, 4 for American Express.
func checkCVC(s string, amex bool, t web.Translator) string {
	want := 3
	if amex {
		want = 4
	}
	if s == "" {
		return t.T("cp.err.cvc.empty", want)
	}
	if len(s) != want || !digits(s) {
		return t.T("cp.err.cvc.length", want)
	}
	return ""
}

// notOpen answers for a payment whose checkout is not open yet.
func (h *handlers) notOpen(c echo.Context, pay *platform.Payment) error {
	t := text(pay)
	msg := t.T("cp.err.notopen.text", pay.ID, pay.Status)
	if pay.Status == platform.StatusAwaitingClarification {
		msg = t.T("cp.err.notopen.clarification", pay.ID, strings.Join(pay.Clarification, t.T("cp.and")))
	}
	return h.fail(c, t, http.StatusConflict, t.T("cp.err.notopen"), msg)
}

// fail renders an error page in t's language.
func (h *handlers) fail(c echo.Context, t web.Translator, status int, title, msg string, details ...string) error {
	page := web.NewErrorPage(status, title, msg, details...)
	page.Brand, page.Lang, page.Text = Brand(), t.Lang(), t
	return hosted.Write(c, h.r, page)
}

// failErr answers err, about the checkout of invoice inv, with an error
// page titled title in t's language (hosted.Fail): an unknown invoice
// sends the customer back to the merchant; a redirect body that lacks
// fields or whose hsh does not match says which.
func (h *handlers) failErr(c echo.Context, t web.Translator, title string, err error, inv string) error {
	return hosted.Fail(c, h.r, Brand(), err, func(page *web.ErrorPage, pe *platform.Error) {
		page.Lang, page.Text = t.Lang(), t
		page.Title = title
		page.Message = platform.Sentence(page.Message)
		switch pe.Code {
		case platform.CodeNotFound:
			page.Message, page.Details = t.T("cp.err.notfound.text", strings.TrimSpace(inv)), nil
			if strings.TrimSpace(inv) == "" {
				page.Message = t.T("cp.err.notfound.empty")
			}
		case platform.CodeRequiredField:
			page.Message, page.Details = t.T("cp.err.incomplete.text", len(pe.Fields)), nil
			for _, f := range pe.Fields {
				page.Details = append(page.Details, t.T("cp.err.incomplete.field", f.Field))
			}
		case platform.CodeEmptySignature:
			page.Message, page.Details = t.T("cp.err.hsh.empty"), nil
		case platform.CodeInvalidSignature:
			page.Message, page.Details = t.T("cp.err.hsh.text"), nil
			for _, f := range pe.Fields {
				if signed, ok := strings.CutPrefix(f.Message, signedPrefix); ok {
					page.Details = append(page.Details, t.T("cp.err.hsh.signed", f.Field, signed))
				}
			}
		case platform.CodeProjectNotFound:
			page.Message, page.Details = t.T("cp.err.project.text"), nil
		}
	})
}

// script serves the checkout's script; a request naming its current
// version may be cached for good.
func (h *handlers) script(c echo.Context) error {
	hdr := c.Response().Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("ETag", `"`+h.p.script.version+`"`)
	if c.QueryParam("v") == h.p.script.version {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "public, no-cache")
	}
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", h.p.script.body)
}

// bodyFields reads a redirect body POSTed as form fields or as a JSON
// object of strings (numbers and booleans are taken as their text).
func bodyFields(r *http.Request) (map[string]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	fields := make(map[string]string)
	if ct == "application/json" || strings.HasSuffix(ct, "+json") {
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			return nil, fmt.Errorf("read the body: %w", err)
		}
		if len(raw) > maxBody {
			return nil, fmt.Errorf("the body is larger than %d bytes", maxBody)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("the body must be redirect_data.body: a JSON object of strings such as {\"live\":\"0\",…} (%v)", err)
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				fields[k] = v
			case json.Number:
				fields[k] = v.String()
			case bool:
				fields[k] = map[bool]string{true: "1", false: "0"}[v]
			case nil:
				fields[k] = ""
			default:
				return nil, fmt.Errorf("field %q must be a string, not a JSON object or list", k)
			}
		}
		return fields, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if err := r.ParseMultipartForm(maxBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, fmt.Errorf("the body must be redirect_data.body as form fields (application/x-www-form-urlencoded) or JSON: %v", err)
	}
	for k, vs := range r.PostForm {
		if len(vs) > 0 {
			fields[k] = vs[0]
		}
	}
	return fields, nil
}
