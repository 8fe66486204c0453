package ecovoucher

import (
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

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Actions of the EcoVoucher page's form (the "action" field), besides the
// wallet's "use" and the rows' "remove" buttons.
const (
	ActionPay    = "pay"
	ActionAdd    = "add"
	ActionFill   = "fill"
	ActionCancel = "cancel"
)

// Routes mounts the provider's customer-facing pages:
//
//	POST /providers/eco-voucher/pay           the redirect target: redirect_data.body, form-encoded or JSON;
//	                                          also the page's own form (tx, action, number, security_code, expiry, use, remove)
//	GET  /providers/eco-voucher/pay?tx=       the page again, for reloads
//	GET  /providers/eco-voucher/complete?tx=  OnSuccessUrl and OnFailureUrl: on to the shop's return URL, or the result
//	POST /providers/eco-voucher/callback      TransferUrl and CallbackUrl: the transaction's state as JSON
//
// The pages link /static/ assets: mount web.StaticHandler there.
func (p *Provider) Routes(e *echo.Echo, eng hosted.Engine, r *web.Renderer) {
	h := &handlers{p: p, eng: eng, r: r}
	e.POST(PayPath, h.post)
	e.GET(PayPath, h.get)
	e.GET(CompletePath, h.complete)
	e.POST(CompletePath, h.complete)
	e.POST(NotifyPath, h.notify)
}

var _ hosted.Pages = (*Provider)(nil)

type handlers struct {
	p   *Provider
	eng engine
	r   *web.Renderer
}

// engine is what EcoVoucher's pages ask of the engine.
type engine interface {
	Payment(ctx context.Context, k platform.PaymentKey) (*platform.Payment, error)
	PaymentByReference(ctx context.Context, method, ref string) (*platform.Payment, error)
	References(ctx context.Context, method string, fn func(taken func(ref string) (bool, error)) error) error
	Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error)
	Fail(ctx context.Context, k platform.PaymentKey, code int) (*platform.Payment, error)
}

// payment finds the payment of transaction tx, written in decimal.
func (h *handlers) payment(ctx context.Context, tx string) (*platform.Payment, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(tx), 10, 64)
	if err != nil || id <= 0 {
		return nil, platform.Errorf(platform.CodeNotFound, "%q is not an EcoVoucher transaction number (TxID)", tx)
	}
	pay, err := h.eng.PaymentByReference(ctx, Code, TxReference(id))
	if platform.ErrorCode(err) == platform.CodeNotFound {
		return nil, platform.Errorf(platform.CodeNotFound, "no EcoVoucher payment has the transaction number %d", id)
	}
	return pay, err
}

// view runs fn with a UsedFunc over one read transaction of the store, so
// that a page's many voucher lookups read one consistent state.
func (h *handlers) view(ctx context.Context, fn func(used UsedFunc) error) error {
	return h.eng.References(ctx, Code, func(taken func(string) (bool, error)) error { return fn(taken) })
}

// post takes the customer's browser arriving with redirect_data.body, or
// the page's own form.
func (h *handlers) post(c echo.Context) error {
	req := c.Request()
	if ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); ct == echo.MIMEApplicationJSON {
		raw, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
		if err != nil {
			return err
		}
		fields, err := redirectMap(raw)
		if err != nil {
			t := browserText(c)
			return h.fail(c, t, web.NewErrorPage(http.StatusBadRequest, t.T("eco.err.redirect.title"), t.T("eco.err.redirect.json", err.Error())))
		}
		return h.entry(c, fields)
	}
	form, err := c.FormParams()
	if err != nil {
		t := browserText(c)
		return h.fail(c, t, web.NewErrorPage(http.StatusBadRequest, t.T("eco.err.redirect.title"), t.T("eco.err.redirect.form", err.Error())))
	}
	switch {
	case form.Has("TxID"):
		fields := make(map[string]string, len(form))
		for k := range form {
			fields[k] = form.Get(k)
		}
		return h.entry(c, fields)
	case form.Has("tx"):
		return h.act(c, form)
	}
	t := browserText(c)
	return h.fail(c, t, web.NewErrorPage(http.StatusBadRequest, t.T("eco.err.redirect.title"), t.T("eco.err.redirect.fields"),
		t.T("eco.err.redirect.received", fieldNames(form, t))))
}

// entry opens the page for a redirect, after checking it is the one the
// sandbox issued.
func (h *handlers) entry(c echo.Context, fields map[string]string) error {
	ctx := c.Request().Context()
	pay, err := h.payment(ctx, fields["TxID"])
	if err != nil {
		return h.failErr(c, err, fields["TxID"])
	}
	if pay.Status != platform.StatusAwaitingRedirect {
		return h.result(c, pay, http.StatusOK)
	}
	var problems []phrase
	if issued, ok := issuedBody(pay); ok {
		problems = mismatch(fields, issued)
	} else if got, want := fields["Checksum"], stateOf(pay).Checksum; got != want {
		problems = []phrase{say("eco.err.changed.field", "Checksum", got, want)}
	}
	if len(problems) > 0 {
		t := text(pay)
		page := web.NewErrorPage(http.StatusBadRequest, t.T("eco.err.changed.title"), t.T("eco.err.changed.text"))
		for _, p := range problems {
			page.Details = append(page.Details, p.words(t))
		}
		return h.fail(c, t, page)
	}
	return h.form(c, pay, nil, http.StatusOK, nil, "")
}

// issuedBody is the redirect body the sandbox issued for pay.
func issuedBody(pay *platform.Payment) (RedirectBody, bool) {
	if pay.Redirect == nil {
		return RedirectBody{}, false
	}
	var b RedirectBody
	if err := json.Unmarshal(pay.Redirect.Body, &b); err != nil {
		return RedirectBody{}, false
	}
	return b, true
}

// get shows the page again for ?tx=.
func (h *handlers) get(c echo.Context) error {
	pay, err := h.payment(c.Request().Context(), c.QueryParam("tx"))
	if err != nil {
		return h.failErr(c, err, c.QueryParam("tx"))
	}
	if pay.Status != platform.StatusAwaitingRedirect {
		return h.result(c, pay, http.StatusOK)
	}
	return h.form(c, pay, nil, http.StatusOK, nil, "")
}

// act runs what the customer asked for on the page: pay, cancel, put a
// wallet voucher into the form, fill in the amount, add or remove a row.
func (h *handlers) act(c echo.Context, form url.Values) error {
	ctx := c.Request().Context()
	pay, err := h.payment(ctx, form.Get("tx"))
	if err != nil {
		return h.failErr(c, err, form.Get("tx"))
	}
	if pay.Status != platform.StatusAwaitingRedirect {
		return h.result(c, pay, http.StatusConflict)
	}
	rows := rowsOf(form)
	switch {
	case form.Has("use"):
		return h.use(c, pay, rows, form.Get("use"))
	case form.Has("remove"):
		i, err := strconv.Atoi(form.Get("remove"))
		if err == nil && i >= 0 && i < len(rows) && len(rows) > 1 {
			rows = append(rows[:i], rows[i+1:]...)
		}
		return h.form(c, pay, rows, http.StatusOK, nil, "")
	}
	switch action := form.Get("action"); action {
	case ActionAdd:
		if len(rows) >= MaxVouchers {
			return h.form(c, pay, rows, http.StatusUnprocessableEntity, tooMany(text(pay)), "")
		}
		return h.form(c, pay, append(rows, EcoVoucherRow{}), http.StatusOK, nil, "")
	case ActionFill:
		return h.fill(c, pay)
	case ActionCancel:
		done, err := h.eng.Fail(ctx, pay.Key(), platform.DeclineGeneral)
		if platform.ErrorCode(err) == platform.CodeStatusForbids {
			return h.refreshed(c, pay)
		} else if err != nil {
			return err
		}
		return h.leave(c, done)
	case ActionPay, "":
		return h.pay(c, pay, rows)
	default:
		t := text(pay)
		return h.form(c, pay, rows, http.StatusBadRequest, &web.Alert{Title: t.T("eco.err.action"), Message: t.T("eco.err.action.text", action)}, "")
	}
}

// pay sends the vouchers typed in the form to EcoVoucher.
func (h *handlers) pay(c echo.Context, pay *platform.Payment, rows []EcoVoucherRow) error {
	var (
		in  PayInput
		idx []int // the row of each voucher sent
	)
	for i, r := range rows {
		if r.Empty() {
			continue
		}
		in.Vouchers = append(in.Vouchers, VoucherInput{Number: r.Number, SecurityCode: r.SecurityCode, Expiry: r.Expiry})
		idx = append(idx, i)
	}
	if len(in.Vouchers) == 0 {
		// An empty form must not reach the engine: without vouchers, Pay
		// picks test vouchers itself.
		if len(rows) == 0 {
			rows = []EcoVoucherRow{{}}
		}
		rows[0].Invalid = "number"
		t := text(pay)
		return h.form(c, pay, rows, http.StatusUnprocessableEntity, &web.Alert{Title: t.T("eco.err.enter"),
			Message: t.T("eco.err.enter.text"), Field: "number-0"}, "")
	}
	done, err := h.eng.Pay(c.Request().Context(), pay.Key(), platform.MustJSON(in))
	var (
		ref *Refusal
		pe  *platform.Error
	)
	switch {
	case errors.As(err, &ref) && ref.Closed && errors.As(err, &pe):
		now, lerr := h.eng.Payment(c.Request().Context(), pay.Key())
		if lerr != nil {
			return lerr
		}
		if now.Status != platform.StatusAwaitingRedirect {
			return h.result(c, now, http.StatusConflict)
		}
		return h.form(c, now, rows, http.StatusConflict, &web.Alert{Title: text(now).T("eco.err.session"), Message: ref.In(text(now))}, "")
	case errors.As(err, &ref) && errors.As(err, &pe):
		status := http.StatusUnprocessableEntity
		if ref.Used {
			status = http.StatusConflict
		}
		t := text(pay)
		alert := &web.Alert{Title: t.T("eco.err.check"), Message: ref.In(t) + " " + t.T("eco.nothing_charged")}
		if ref.Index >= 0 && ref.Index < len(idx) {
			row := idx[ref.Index]
			alert.Title = t.T("eco.err.refused", row+1)
			rows[row].Invalid = ref.Field
			if ref.Field == "" {
				rows[row].Invalid = "all"
			}
			alert.Field = fieldID(rows[row].Invalid, row)
		}
		return h.form(c, pay, rows, status, alert, "")
	case platform.ErrorCode(err) == platform.CodeStatusForbids:
		return h.refreshed(c, pay) // it ended meanwhile
	case err != nil:
		return err
	}
	return h.leave(c, done)
}

// refreshed shows where a payment that no longer takes vouchers stands.
func (h *handlers) refreshed(c echo.Context, pay *platform.Payment) error {
	now, err := h.eng.Payment(c.Request().Context(), pay.Key())
	if err != nil {
		return err
	}
	return h.result(c, now, http.StatusConflict)
}

// use puts the wallet voucher number into the first empty row of the form.
func (h *handlers) use(c echo.Context, pay *platform.Payment, rows []EcoVoucherRow, number string) error {
	t := text(pay)
	v, err := Lookup(number)
	if err != nil || v.Face.Currency != pay.Amount.Currency {
		return h.form(c, pay, rows, http.StatusUnprocessableEntity, &web.Alert{Title: t.T("eco.err.wallet"),
			Message: t.T("eco.err.wallet.text", pay.Amount.Currency, GroupNumber(platform.CompactNumber(number)))}, "")
	}
	for _, r := range rows {
		if platform.CompactNumber(r.Number) == v.Number {
			return h.form(c, pay, rows, http.StatusOK, nil, t.T("eco.notice.already", GroupNumber(v.Number)))
		}
	}
	row := EcoVoucherRow{Number: GroupNumber(v.Number), SecurityCode: v.SecurityCode, Expiry: v.Expiry}
	at := -1
	for i, r := range rows {
		if r.Empty() {
			at = i
			break
		}
	}
	switch {
	case at >= 0:
		rows[at] = row
	case len(rows) >= MaxVouchers:
		return h.form(c, pay, rows, http.StatusUnprocessableEntity, tooMany(text(pay)), "")
	default:
		at = len(rows)
		rows = append(rows, row)
	}
	return h.form(c, pay, rows, http.StatusOK, nil, t.T("eco.notice.used", web.FormatMoneySymbol(v.Face), row.Number, at+1))
}

// fill replaces the form's rows with test vouchers worth the amount.
func (h *handlers) fill(c echo.Context, pay *platform.Payment) error {
	var vs []TestVoucher
	err := h.view(c.Request().Context(), func(used UsedFunc) (err error) {
		vs, err = Pick(pay.Amount.Currency, pay.Amount.Amount, used)
		return err
	})
	t := text(pay)
	if err != nil {
		return h.form(c, pay, nil, http.StatusConflict, &web.Alert{Title: t.T("eco.err.nowallet"), Message: platform.Sentence(err.Error())}, "")
	}
	rows := make([]EcoVoucherRow, len(vs))
	for i, v := range vs {
		rows[i] = EcoVoucherRow{Number: GroupNumber(v.Number), SecurityCode: v.SecurityCode, Expiry: v.Expiry}
	}
	notice := t.T("eco.notice.filled", len(vs), web.FormatMoneySymbol(pay.Amount))
	if len(vs) == 1 {
		notice = t.T("eco.notice.filled.one", web.FormatMoneySymbol(pay.Amount))
	}
	return h.form(c, pay, rows, http.StatusOK, nil, notice)
}

// leave sends the customer on once the payment was decided: to the shop's
// return URL for its outcome, or to the result page.
func (h *handlers) leave(c echo.Context, pay *platform.Payment) error {
	return c.Redirect(http.StatusSeeOther, destination(pay))
}

// destination is where a customer goes once pay is decided.
func destination(pay *platform.Payment) string {
	if u := returnURL(pay); u != "" {
		return u
	}
	return fmt.Sprintf("%s?tx=%d", CompletePath, stateOf(pay).TxID)
}

// returnURL is the shop's URL for the payment's outcome: return_url.success
// or return_url.decline, else return_url.return; "" when the shop gave
// none, or one that is not http(s).
func returnURL(pay *platform.Payment) string {
	var candidates []string
	switch pay.Status {
	case platform.StatusSuccess:
		candidates = []string{pay.ReturnURLs.Success, pay.ReturnURLs.Return}
	case platform.StatusDecline:
		candidates = []string{pay.ReturnURLs.Decline, pay.ReturnURLs.Return}
	default:
		return ""
	}
	for _, u := range candidates {
		if platform.IsHTTPURL(u) {
			return u
		}
	}
	return ""
}

// complete is where EcoVoucher sends the customer back (OnSuccessUrl,
// OnFailureUrl): on to the shop, or the result when the shop gave no URL,
// or back to the page when the customer has not paid yet.
func (h *handlers) complete(c echo.Context) error {
	tx := c.QueryParam("tx")
	if tx == "" {
		tx = c.FormValue("TxID")
	}
	pay, err := h.payment(c.Request().Context(), tx)
	if err != nil {
		return h.failErr(c, err, tx)
	}
	switch pay.Status {
	case platform.StatusAwaitingRedirect:
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?tx=%d", PayPath, stateOf(pay).TxID))
	case platform.StatusSuccess, platform.StatusDecline:
		if u := returnURL(pay); u != "" {
			return c.Redirect(http.StatusSeeOther, u)
		}
	}
	return h.result(c, pay, http.StatusOK)
}

// notification is what the notification endpoint answers.
type notification struct {
	TxID      int64           `json:"TxID"`
	Status    platform.Status `json:"Status"`
	Amount    int64           `json:"Amount"`
	Currency  string          `json:"Currency"`
	ProjectID int64           `json:"project_id"`
	PaymentID string          `json:"payment_id"`
}

// notify is the platform's endpoint for EcoVoucher's notifications
// (TransferUrl, CallbackUrl). In the sandbox EcoVoucher tells the engine
// directly, so the endpoint only reports the transaction's state.
func (h *handlers) notify(c echo.Context) error {
	tx := c.QueryParam("TxID")
	if tx == "" {
		tx = c.FormValue("TxID")
	}
	pay, err := h.payment(c.Request().Context(), tx)
	if err != nil {
		return c.JSON(http.StatusNotFound, map[string]string{"error": web.ErrorFrom(err).Message})
	}
	return c.JSON(http.StatusOK, notification{
		TxID: stateOf(pay).TxID, Status: pay.Status, Amount: pay.Amount.Amount, Currency: pay.Amount.Currency,
		ProjectID: pay.ProjectID, PaymentID: pay.ID,
	})
}

// form renders the EcoVoucher page of pay with rows as typed.
func (h *handlers) form(c echo.Context, pay *platform.Payment, rows []EcoVoucherRow, status int, alert *web.Alert, notice string) error {
	var page EcoVoucherPage
	err := h.view(c.Request().Context(), func(used UsedFunc) (err error) {
		page, err = h.p.formPage(pay, rows, used)
		return err
	})
	if err != nil {
		return err
	}
	page.Error, page.Notice = alert, notice
	return h.r.Write(c.Response(), status, "ecovoucher", page)
}

// result renders where pay stands.
func (h *handlers) result(c echo.Context, pay *platform.Payment, status int) error {
	return h.r.Write(c.Response(), status, "ecovoucher_result", h.p.resultPage(pay))
}

// failErr answers a request for transaction tx that failed (hosted.Fail),
// in the browser's language: an unknown payment sends the customer back
// to the shop.
func (h *handlers) failErr(c echo.Context, err error, tx string) error {
	t := browserText(c)
	return hosted.Fail(c, h.r, h.p.brand, err, func(page *web.ErrorPage, pe *platform.Error) {
		page.Lang, page.Text = t.Lang(), t
		if pe.Code == platform.CodeNotFound {
			page.Title = t.T("eco.err.notfound.title")
			page.Message = t.T("eco.err.notfound.text", strings.TrimSpace(tx))
			if strings.TrimSpace(tx) == "" {
				page.Message = t.T("eco.err.notfound.empty")
			}
		}
	})
}

// fail renders an error page in EcoVoucher's brand and t's language.
func (h *handlers) fail(c echo.Context, t web.Translator, page web.ErrorPage) error {
	page.Brand, page.Lang, page.Text = h.p.brand, t.Lang(), t
	return hosted.Write(c, h.r, page)
}

// rowsOf reads the form's voucher rows, in order.
func rowsOf(form url.Values) []EcoVoucherRow {
	numbers, codes, expiries := form["number"], form["security_code"], form["expiry"]
	n := max(len(numbers), len(codes), len(expiries))
	n = min(n, MaxVouchers)
	rows := make([]EcoVoucherRow, n)
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	for i := range rows {
		rows[i] = EcoVoucherRow{Number: at(numbers, i), SecurityCode: at(codes, i), Expiry: at(expiries, i)}
	}
	return rows
}

// fieldID is the id of a row's input named field.
func fieldID(field string, row int) string {
	switch field {
	case "security_code":
		return "code-" + strconv.Itoa(row)
	case "expiry":
		return "expiry-" + strconv.Itoa(row)
	}
	return "number-" + strconv.Itoa(row)
}

func tooMany(t web.Translator) *web.Alert {
	return &web.Alert{Title: t.T("eco.err.full"), Message: t.T("eco.err.full.text", MaxVouchers)}
}

func fieldNames(form url.Values, t web.Translator) string {
	if len(form) == 0 {
		return t.T("eco.err.redirect.none")
	}
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
