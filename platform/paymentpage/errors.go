package paymentpage

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// msg is a string of the translation table with its arguments; it is put
// into words in the page's language when the page is rendered.
type msg struct {
	key  string
	args []any
	// text is said as it is, untranslated (a parameter name, a method's
	// own message), when key is empty.
	text string
}

func m(key string, args ...any) msg { return msg{key: key, args: args} }

func plain(s string) msg { return msg{text: s} }

// paramMsg names a parameter and says what is wrong with it.
func paramMsg(name, key string, args ...any) msg {
	return msg{key: key, args: args, text: name}
}

func (x msg) say(t web.Translator) string {
	switch {
	case x.key == "":
		return x.text
	case x.text != "":
		return x.text + ": " + t.T(x.key, x.args...)
	}
	return t.T(x.key, x.args...)
}

// pageError is a refusal of the Payment Page: what the error page says,
// with the HTTP status it is served with.
type pageError struct {
	Status  int
	Kind    string // what went wrong, for tests and logs: "signature", "missing", …
	Title   msg
	Message msg
	Details []msg
	Signed  string // the string the sandbox signed (signature mismatch)
	Got     string // the signature received
	Hint    msg
	Link    *pageLink
}

// pageLink is a link an error page offers.
type pageLink struct {
	Label msg
	URL   string
}

func (e *pageError) Error() string {
	var b strings.Builder
	t := web.NewTranslator("en")
	fmt.Fprintf(&b, "payment page %d %s: %s", e.Status, e.Kind, e.Title.say(t))
	if s := e.Message.say(t); s != "" {
		b.WriteString(": " + s)
	}
	for _, d := range e.Details {
		b.WriteString("; " + d.say(t))
	}
	return b.String()
}

func errMissing(names []string) *pageError {
	e := &pageError{Status: http.StatusBadRequest, Kind: "missing", Title: m("err.missing.title"), Message: m("err.missing.lead")}
	for _, n := range names {
		e.Details = append(e.Details, m("err.param.missing", n))
	}
	return e
}

func errMalformed(details []msg) *pageError {
	return &pageError{Status: http.StatusBadRequest, Kind: "malformed", Title: m("err.malformed.title"), Message: m("err.malformed.lead"), Details: details}
}

func errUnknownProject(id int64) *pageError {
	return &pageError{Status: http.StatusNotFound, Kind: "project", Title: m("err.project.title"), Message: m("err.project.lead", id)}
}

func errUnsigned() *pageError {
	return &pageError{Status: http.StatusForbidden, Kind: "unsigned", Title: m("err.unsigned.title"), Message: m("err.unsigned.lead")}
}

func errSignature(project int64, mm *signature.Mismatch) *pageError {
	e := &pageError{Status: http.StatusForbidden, Kind: "signature", Title: m("err.signature.title"),
		Message: m("err.signature.lead", project), Signed: mm.Signed, Got: mm.Got}
	switch {
	case strings.Contains(mm.Got, " "):
		e.Hint = m("err.signature.space")
	case mm.Mistake != "":
		// The usual mistake that made the signature received, in the
		// words the Gate's answer uses (English, as the signed string).
		e.Hint = plain(platform.Sentence(mm.Mistake))
	}
	return e
}

func errExpired(bestBefore, now time.Time) *pageError {
	const layout = "2006-01-02 15:04:05 UTC"
	return &pageError{Status: http.StatusGone, Kind: "expired", Title: m("err.expired.title"),
		Message: m("err.expired.lead", bestBefore.Format(layout), now.Format(layout))}
}

func errUsed(p *platform.Payment) *pageError {
	e := &pageError{Status: http.StatusConflict, Kind: "used", Title: m("err.used.title"), Message: m("err.used.lead", p.ID, p.ProjectID)}
	if p.Interface == platform.InterfacePaymentPage {
		e.Link = &pageLink{Label: m("err.used.link"), URL: resultPath(p.Key())}
	}
	return e
}

func errUnknownForce(value string, codes []string) *pageError {
	e := &pageError{Status: http.StatusBadRequest, Kind: "force", Title: m("err.force.title"), Message: m("err.force.lead", value)}
	for _, c := range codes {
		e.Details = append(e.Details, plain(c))
	}
	return e
}

// errForcedZero is the page of a link that forces a method whose customer
// cannot set the amount, with an amount of 0.
func errForcedZero(method platform.Method) *pageError {
	return &pageError{Status: http.StatusBadRequest, Kind: "no_method", Title: m("err.forced.title", method.Name, "0"),
		Message: m("err.forced.zero", method.Name)}
}

func errNoMethod(sum platform.Sum, methods []platform.Method) *pageError {
	e := &pageError{Status: http.StatusBadRequest, Kind: "no_method", Title: m("err.nomethod.title", sum.Currency), Message: m("err.nomethod.lead")}
	limited := false
	var zero []string // the methods whose customer sets the amount
	for _, mt := range methods {
		e.Details = append(e.Details, m("err.param.method.other", mt.Name, strings.Join(mt.Currencies, ", ")))
		limited = limited || (mt.Supports(sum.Currency) && (sum.Amount > 0 || mt.ZeroAmount))
		if mt.ZeroAmount {
			zero = append(zero, mt.Name)
		}
	}
	switch {
	case limited:
		// A method takes the currency, but not this amount.
		e.Title = m("err.nomethod.title", web.FormatMoney(sum))
		e.Hint = m("err.nomethod.limits", sum.Currency)
	case sum.Amount == 0 && len(zero) > 0:
		e.Hint = m("err.nomethod.zero", strings.Join(zero, ", "))
	case sum.Amount == 0:
		e.Hint = m("err.nomethod.zero.none")
	}
	return e
}

func errNotFound(k platform.PaymentKey) *pageError {
	return &pageError{Status: http.StatusNotFound, Kind: "not_found", Title: m("err.notfound.title"), Message: m("err.notfound.lead", k.PaymentID, k.ProjectID)}
}

func errBadForm(err error) *pageError {
	return &pageError{Status: http.StatusBadRequest, Kind: "form", Title: m("err.malformed.title"), Message: plain("the form could not be read: " + err.Error())}
}

func errNoRequest() *pageError {
	return &pageError{Status: http.StatusBadRequest, Kind: "form", Title: m("err.missing.title"), Message: m("err.missing.lead"),
		Details: []msg{plain("request: the hidden field that carries the signed parameters; open the payment from the shop's link again")}}
}

// fail is the one place the Payment Page turns an error into a page: a
// *pageError says what is wrong in the customer's language; a
// *platform.Error from the engine becomes the matching page; anything else
// is a 500 that says so, logged. The page speaks the language_code of p,
// else the browser's (Accept-Language), as the sandbox's other pages that
// know no payment do.
func (s *Server) fail(c echo.Context, p params, err error) error {
	var pe *pageError
	if !errors.As(err, &pe) {
		pe = s.fromEngine(c, p, err)
	}
	lang := p[paramLanguage]
	if lang == "" {
		lang = web.BrowserLanguage(c.Request())
	}
	t := web.NewTranslator(lang)
	view := &web.PaymentError{
		Status:  pe.Status,
		Title:   pe.Title.say(t),
		Message: pe.Message.say(t),
		Signed:  pe.Signed,
		Got:     pe.Got,
		Hint:    pe.Hint.say(t),
	}
	for _, d := range pe.Details {
		view.Details = append(view.Details, d.say(t))
	}
	if pe.Link != nil {
		view.Link = &web.Link{Label: pe.Link.Label.say(t), URL: pe.Link.URL}
	} else if back := p.get(paramFailURL); back != "" && platform.IsHTTPURL(back) {
		view.Link = &web.Link{Label: t.T("err.back"), URL: back}
	}
	page := web.PaymentPage{
		Page:     web.Page{Title: view.Title, Lang: t.Lang()},
		Text:     t,
		View:     web.PaymentViewError,
		Embedded: embedded(p),
		Error:    view,
	}
	return s.render(c, pe.Status, page)
}

// fromEngine turns an engine error into a page, with the status
// web.HTTPStatus gives every page. The title and the lead say, in the
// page's language, what the code means; the engine's detail, in English,
// is a line for the shop's developer, unless the lead already says it.
func (s *Server) fromEngine(c echo.Context, p params, err error) *pageError {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		s.Log.ErrorContext(c.Request().Context(), "the Payment Page failed", "path", c.Path(), "err", err)
		return &pageError{Status: http.StatusInternalServerError, Kind: "internal", Title: m("err.internal.title"), Message: m("err.internal.lead"),
			Details: []msg{plain(err.Error())}}
	}
	page := &pageError{Status: web.HTTPStatus(err), Kind: "engine", Title: m("err.engine.title"), Message: m("err.engine.lead"),
		Details: []msg{plain(pe.Detail)}}
	switch pe.Code {
	case platform.CodePaymentExists:
		page.Kind, page.Title = "used", m("err.used.title")
		if pid, err := strconv.ParseInt(p.get(paramProjectID), 10, 64); err == nil && p.has(paramPaymentID) {
			page.Message, page.Details = m("err.used.lead", p.get(paramPaymentID), pid), nil
		}
	case platform.CodeInvalidJSON, platform.CodeRequiredField:
		page.Kind, page.Title, page.Message = "malformed", m("err.malformed.title"), m("err.malformed.lead")
	case platform.CodeProjectNotFound:
		page.Kind, page.Title = "project", m("err.project.title")
	case platform.CodeNotFound:
		page.Kind, page.Title = "not_found", m("err.notfound.title")
	case platform.CodeUnknownMethod:
		page.Kind, page.Title = "force", m("err.force.title")
	}
	return page
}

// render writes a page, styled for the shop's frame only when it is in one,
// or a plain-text 500 when rendering fails.
func (s *Server) render(c echo.Context, status int, page web.PaymentPage) error {
	if inWindow(c.Request()) {
		// frame_mode=iframe says where the payment began; a page the
		// browser loads as the whole window (the result, once the customer
		// comes back from the provider's page) is not in the shop's frame.
		page.Embedded = false
	}
	if page.ScriptURL == "" {
		page.ScriptURL = assetURL("page.js")
	}
	if page.Lang == "" {
		page.Lang = page.Text.Lang()
	}
	if err := s.Renderer.Write(c.Response(), status, "payment", page); err != nil {
		s.Log.ErrorContext(c.Request().Context(), "the Payment Page could not be rendered", "path", c.Path(), "err", err)
		return c.String(http.StatusInternalServerError, "the sandbox could not render the Payment Page: "+err.Error()+"\n")
	}
	return nil
}

// inWindow reports whether the browser says the page loads as the whole
// window (Sec-Fetch-Dest: document) rather than in a frame; without the
// header, it does not know.
func inWindow(r *http.Request) bool { return r.Header.Get("Sec-Fetch-Dest") == "document" }
