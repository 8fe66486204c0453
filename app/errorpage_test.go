package app_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser is what a browser sends for a page, in language lang.
func browser(lang string) map[string]string {
	return map[string]string{
		"Accept":          "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Accept-Language": lang,
	}
}

// TestFailuresAnswerBrowsersWithAPage checks the answer to a failure no
// handler answered itself: a customer's browser on a page gets the
// sandbox's error page, in its language, with the failure's status; the
// APIs and programs (curl's */*) get JSON, whoever asks.
func TestFailuresAnswerBrowsersWithAPage(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	e, ok := r.sb.Handler.(*echo.Echo)
	require.True(t, ok, "the sandbox's handler is echo")
	broken := func(echo.Context) error { return errors.New("the test page broke") }
	for _, path := range []string{"/providers/test/broken", "/sandbox/test/broken", "/v2/test/broken"} {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, broken)
	}
	e.GET("/providers/test/large", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the test body is too large")
	})
	// A closed store makes every page and API that reads it fail inside.
	require.NoError(t, r.sb.Store.Close())
	const closedStore = "database not open" // bbolt's error for a closed store
	curl := map[string]string{"Accept": "*/*"}
	tests := []struct {
		name   string
		req    request
		status int
		page   bool     // an HTML page, else JSON
		says   []string // in the page, or in the JSON's error
		lang   string   // the page's <html lang>, when a page
	}{
		{"a provider's page fails, in Spanish", request{method: "GET", path: "/providers/oxxo/vouchers/12345678", header: browser("es-MX,es;q=0.9,en;q=0.8")},
			500, true, []string{"Algo ha fallado en el sandbox", "El sandbox no pudo atender", "the sandbox failed: ", closedStore, "its log has the details"}, "es"},
		{"a provider's page fails, in Portuguese", request{method: "GET", path: "/providers/loterica/vouchers/12345678", header: browser("pt-BR")},
			500, true, []string{"Algo deu errado no sandbox", closedStore}, "pt"},
		{"a provider's page fails, for a browser of no language the sandbox speaks", request{method: "GET", path: "/providers/oxxo/vouchers/12345678", header: browser("de")},
			500, true, []string{"Something went wrong in the sandbox", closedStore}, "en"},
		{"a provider's page fails for curl", request{method: "GET", path: "/providers/oxxo/vouchers/12345678", header: curl},
			500, false, []string{"the sandbox failed: ", closedStore}, ""},
		{"a page that breaks, in Spanish", request{method: "GET", path: "/providers/test/broken", header: browser("es")},
			500, true, []string{"Algo ha fallado en el sandbox", "the sandbox failed: the test page broke; its log has the details"}, "es"},
		{"the control API fails for a browser", request{method: "GET", path: "/sandbox/test/broken", header: browser("es")},
			500, false, []string{"the sandbox failed: the test page broke; its log has the details"}, ""},
		{"the Gate fails for a browser", request{method: "GET", path: "/v2/test/broken", header: browser("es")},
			500, false, []string{"the sandbox failed: the test page broke; its log has the details"}, ""},
		{"a page refuses the request, for a browser", request{method: "GET", path: "/providers/test/large", header: browser("pt")},
			413, true, []string{"O sandbox não pode atender esta solicitação", "the test body is too large"}, "pt"},
		{"a page refuses the request, for curl", request{method: "GET", path: "/providers/test/large", header: curl},
			413, false, []string{"the test body is too large"}, ""},
		{"an unknown path, for a browser", request{method: "GET", path: "/no/such/page", header: browser("en")},
			404, true, []string{"There is no page here"}, "en"},
		{"an unknown path, for curl", request{method: "GET", path: "/no/such/page", header: curl},
			404, false, []string{"GET /no/such/page is not an endpoint of the sandbox"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := r.do(tt.req)
			assert.Equal(t, tt.status, rec.Code)
			body := rec.Body.String()
			if tt.page {
				assert.Contains(t, rec.Header().Get("Content-Type"), "text/html")
				assert.Contains(t, body, `<html lang="`+tt.lang+`"`)
				assert.NotContains(t, body, `{"error"`)
				assert.NotContains(t, body, "goroutine", "never a stack")
				for _, s := range tt.says {
					assert.Contains(t, body, s)
				}
				return
			}
			assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
			msg := errorOf(t, rec)
			for _, s := range tt.says {
				assert.Contains(t, msg, s)
			}
		})
	}

	// The Gate answers its own failures, in its JSON.
	rec := r.do(request{method: "POST", path: "/v2/payment/status", header: browser("es"),
		body: `{"general":{"project_id":842,"payment_id":"x","signature":"s"}}`})
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	assert.Contains(t, rec.Body.String(), closedStore)

	// HEAD keeps the status and sends no body, page or not.
	rec = r.do(request{method: "HEAD", path: "/providers/test/broken", header: browser("es")})
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Empty(t, rec.Body.String())
}
