package paymentpage_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/paymentpage"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// brokenEngine is an engine whose store fails: every read of a project or
// a payment is an error that is not the engine's own, which the Payment
// Page answers with its 500 page.
type brokenEngine struct{ *platform.Engine }

var errDisk = errors.New("read the store: input/output error")

func (brokenEngine) Project(context.Context, int64) (platform.Project, error) {
	return platform.Project{}, errDisk
}

func (brokenEngine) Payment(context.Context, platform.PaymentKey) (*platform.Payment, error) {
	return nil, errDisk
}

// TestInternalErrorPageSpeaksThePagesLanguage: the 500 page speaks the
// payment's language_code when the request carries one, else the
// language the browser asks for (Accept-Language), else English; it says
// what failed in every language.
func TestInternalErrorPageSpeaksThePagesLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r, err := web.New()
	require.NoError(t, err)
	e := echo.New()
	paymentpage.New(brokenEngine{f.eng}, r, nil).Routes(e)

	tests := []struct {
		name, target, accept string
		lang, title          string
	}{
		{"a result page, a Spanish browser", "/payment/result/842/order-1", "es-MX,es;q=0.9,en;q=0.8",
			"es", "Algo ha fallado en el sandbox"},
		{"a result page, a Portuguese browser", "/payment/result/842/order-1", "pt-BR",
			"pt", "Algo deu errado no sandbox"},
		{"a result page, a browser the sandbox does not speak", "/payment/result/842/order-1", "de-DE,fr;q=0.5",
			"en", "Something went wrong in the sandbox"},
		{"a result page, no Accept-Language", "/payment/result/842/order-1", "",
			"en", "Something went wrong in the sandbox"},
		{"the payment's language_code wins over the browser's", "/payment?" + sign(params("order-2", "USD", 100, map[string]string{"language_code": "pt"}), secret).Encode(), "es",
			"pt", "Algo deu errado no sandbox"},
		{"without language_code, the browser's", "/payment?" + sign(params("order-3", "USD", 100, nil), secret).Encode(), "es",
			"es", "Algo ha fallado en el sandbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			a := answer{status: rec.Code, body: rec.Body.String()}
			assert.Equal(t, http.StatusInternalServerError, a.status)
			page := pageText(a)
			assert.Contains(t, page, `<html lang="`+tt.lang+`">`)
			assert.Contains(t, page, "<title>"+tt.title)
			assert.Contains(t, page, errDisk.Error(), "the page says what failed")
		})
	}
}
