package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Page is what every page has: its title, language and whose page it is.
// Every view model embeds it.
type Page struct {
	// Title names the page in the browser tab (" · ecommpay sandbox" follows).
	Title string
	// Lang is the page's BCP 47 language; "en" when empty.
	Lang string
	// Brand is the method the page belongs to (its provider's pages); the
	// zero Brand is the sandbox's own.
	Brand platform.Brand
	// Text speaks the page's language to its customer, with the provider's
	// own strings and country time; the zero Text speaks Lang, in UTC.
	Text Translator
}

// text is the page's translator: Text, in Lang when Text has no language.
func (p Page) text() Translator {
	t := p.Text
	if t.lang == "" {
		t.lang = Language(p.Lang)
	}
	return t
}

// T returns the page's string key in its language (see Translator.T).
func (p Page) T(key string, args ...any) string { return p.text().T(key, args...) }

// Date writes a moment in the page's language and zone (Translator.Date).
func (p Page) Date(t time.Time) string { return p.text().Date(t) }

// Day writes a date in the page's language and zone (Translator.Day).
func (p Page) Day(t time.Time) string { return p.text().Day(t) }

// Link is a link a page offers.
type Link struct {
	Label string
	URL   string
}

// Alert is a message a page shows above its content: a refusal, a warning.
type Alert struct {
	Title   string
	Message string
	// Field is the id of the form field the alert is about, if any.
	Field string
	// Link is where to go from here, if anywhere.
	Link *Link
}

// ErrorPage explains what went wrong: Title (in Page) is the headline,
// Message says what exactly and how to fix it, Details add the specifics,
// Status is the HTTP status it is served with.
type ErrorPage struct {
	Page
	Status  int
	Message string
	Details []string
	Back    *Link
}

// NewErrorPage returns an error page.
func NewErrorPage(status int, title, message string, details ...string) ErrorPage {
	return ErrorPage{Page: Page{Title: title}, Status: status, Message: message, Details: details}
}

// HTTPStatus is the HTTP status that answers err on the sandbox's pages and
// its control API (the Gate answers every refusal with 400, as ecommpay
// does): a *platform.Error about a payment or project that does not exist
// is 404, one that the payment's state or an earlier payment forbids is
// 409, any other is 400; an error that carries no code is the sandbox's
// own failure, 500.
func HTTPStatus(err error) int {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return http.StatusInternalServerError
	}
	switch pe.Code {
	case platform.CodeNotFound, platform.CodeProjectNotFound:
		return http.StatusNotFound
	case platform.CodeStatusForbids, platform.CodePaymentExists:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// ErrorFrom turns an error into its page, the one way every page of the
// sandbox but the Payment Page (which speaks the customer's language)
// words a failure: a *platform.Error becomes a page with its message,
// detail and fields, served with HTTPStatus; any other error is a 500.
func ErrorFrom(err error) ErrorPage {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return NewErrorPage(http.StatusInternalServerError, "Something went wrong in the sandbox", err.Error())
	}
	msg := pe.Detail
	if msg == "" {
		msg = pe.Message
	}
	page := NewErrorPage(HTTPStatus(err), pe.Message, msg)
	for _, f := range pe.Fields {
		page.Details = append(page.Details, f.Field+": "+f.Message)
	}
	return page
}

// WantsPage reports whether a request asks for a page rather than data:
// its Accept header names text/html, as every browser's does. Programs
// (curl's */*, SDKs, fetch asking for JSON) are answered in JSON.
func WantsPage(req *http.Request) bool {
	for _, accept := range req.Header.Values("Accept") {
		if strings.Contains(strings.ToLower(accept), "text/html") {
			return true
		}
	}
	return false
}

// StatusText is the headline of an HTTP status for error pages, in the
// page's language ("No encontrado"); a status the catalogue lacks keeps
// its English name.
func (e ErrorPage) StatusText() string {
	t := e.text()
	if key := "status." + strconv.Itoa(e.Status); t.Has(key) {
		return t.T(key)
	}
	return http.StatusText(e.Status)
}
