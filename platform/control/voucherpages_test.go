package control_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/oxxo"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
)

// relocated is Oxxo saying that its vouchers' pages are elsewhere.
type relocated struct{ *voucher.Provider }

func (r relocated) Method() platform.Method {
	m := r.Provider.Method()
	m.VoucherPages = func(ref string) platform.VoucherPages {
		return platform.VoucherPages{Page: "/elsewhere/" + ref, Barcode: "/elsewhere/" + ref + ".png", Terminal: "/elsewhere/till?ref=" + ref}
	}
	return m
}

// TestVoucherLinksAreTheMethods: the control API and the console link a
// voucher's pages where its method says they are (Method.VoucherPages),
// not where the sandbox's voucher providers happen to serve them.
func TestVoucherLinksAreTheMethods(t *testing.T) {
	t.Parallel()
	provs := app.Providers()
	for i, p := range provs {
		if p.Method().Code == "oxxo" {
			provs[i] = relocated{oxxo.New()}
		}
	}
	a, err := app.New(context.Background(), app.Options{
		DataFile:  filepath.Join(t.TempDir(), "sandbox.db"),
		PublicURL: publicURL,
		Seed:      7,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		Providers: provs,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })

	m := relocated{oxxo.New()}.Method()
	var body map[string]any
	require.NoError(t, json.Unmarshal(m.ExampleSale, &body))
	demo := platform.DemoProject()
	rec := serve(a, http.MethodPost, m.GatePath, demoSale(t, body, "v-1"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = serve(a, http.MethodPost, "/sandbox/clock/advance", `{"duration":"1s"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	rec = serve(a, http.MethodGet, fmt.Sprintf("/sandbox/payments/%d/v-1", demo.ID), "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var p struct {
		Voucher struct {
			Reference  string `json:"reference"`
			PageURL    string `json:"page_url"`
			BarcodeURL string `json:"barcode_url"`
		} `json:"voucher"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	ref := p.Voucher.Reference
	require.NotEmpty(t, ref, rec.Body.String())
	assert.Equal(t, publicURL+"/elsewhere/"+ref, p.Voucher.PageURL)
	assert.Equal(t, publicURL+"/elsewhere/"+ref+".png", p.Voucher.BarcodeURL)

	rec = serve(a, http.MethodGet, fmt.Sprintf("/dashboard/payments/%d/v-1", demo.ID), "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `src="/elsewhere/`+ref+`.png"`)
	assert.Contains(t, rec.Body.String(), `href="/elsewhere/`+ref+`"`)
	assert.Contains(t, rec.Body.String(), `href="/elsewhere/till?ref=`+ref+`"`)
}
