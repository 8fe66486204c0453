package hosted_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

func TestFail(t *testing.T) {
	t.Parallel()
	r, err := web.New()
	require.NoError(t, err)
	brand := platform.Brand{Name: "Tab", Color: "#123456", Ink: "#ffffff"}
	serve := func(err error, edit func(*web.ErrorPage, *platform.Error)) (*httptest.ResponseRecorder, error) {
		e := echo.New()
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/providers/tab/x", nil), rec)
		return rec, hosted.Fail(c, r, brand, err, edit)
	}

	rec, err := serve(platform.Errorf(platform.CodeNotFound, "no tab has the number %d", 7), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "no tab has the number 7")
	assert.Contains(t, rec.Body.String(), "#123456", "the page wears the provider's brand")

	rec, err = serve(platform.Errorf(platform.CodeStatusForbids, "the tab is paid"), func(p *web.ErrorPage, pe *platform.Error) {
		p.Message = "Tab says: " + platform.Sentence(pe.Detail)
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, rec.Body.String(), "Tab says: The tab is paid.")

	broken := errors.New("disk on fire")
	rec, err = serve(broken, nil)
	assert.ErrorIs(t, err, broken, "the sandbox's own failures go to its error handler, which logs them")
	assert.Equal(t, 0, rec.Body.Len())
}
