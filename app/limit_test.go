package app_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
)

// TestBodiesAreReadUpToTheLimit: no handler reads more of a body than
// app.MaxBody, whatever it does with it; a provider's page posted a huge
// form answers as for an empty one instead of reading it all.
func TestBodiesAreReadUpToTheLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	e, ok := r.sb.Handler.(*echo.Echo)
	require.True(t, ok, "the sandbox's handler is echo")
	e.POST("/providers/test/read", func(c echo.Context) error {
		n, err := io.Copy(io.Discard, c.Request().Body)
		var tooLarge *http.MaxBytesError
		return c.String(http.StatusOK, fmt.Sprintf("read %d, cut %t", n, errors.As(err, &tooLarge)))
	})
	rec := r.do(request{method: "POST", path: "/providers/test/read", body: strings.Repeat("x", app.MaxBody+1<<20)})
	assert.Equal(t, fmt.Sprintf("read %d, cut true", app.MaxBody), rec.Body.String())
	rec = r.do(request{method: "POST", path: "/providers/test/read", body: strings.Repeat("x", 1<<20)})
	assert.Equal(t, fmt.Sprintf("read %d, cut false", 1<<20), rec.Body.String())

	form := "reference=" + strings.Repeat("9", 3<<20)
	rec = r.do(request{method: "POST", path: "/providers/oxxo/terminal", body: form,
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}})
	assert.Less(t, rec.Code, http.StatusInternalServerError, "a huge form is no failure of the sandbox")
	assert.NotContains(t, rec.Body.String(), strings.Repeat("9", 1000), "the page does not echo the form back")
}

// TestALongURIIsCutInTheLog: a request's log line quotes the start of a
// path of any length and says how much it left out.
func TestALongURIIsCutInTheLog(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.do(request{method: "GET", path: "/no/such/" + strings.Repeat("a", 10_000)})
	line := r.log.String()
	assert.Contains(t, line, "more bytes)")
	assert.NotContains(t, line, strings.Repeat("a", 3000), "the log quotes 2 KiB of the URI")
}
