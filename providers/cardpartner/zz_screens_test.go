package cardpartner_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/labstack/echo/v4"
)

// TEMPORARY: screenshots for visual review; deleted before handing over.
func TestScreens(t *testing.T) {
	if os.Getenv("SCREENS") == "" {
		t.Skip()
	}
	s := newSandbox(t)
	open := s.sale(nil)
	usd := s.sale(func(r *platform.SaleRequest) { r.Amount = platform.Sum{Amount: 2500, Currency: "USD"}; r.ReturnURLs = platform.ReturnURLs{} })
	paid := s.sale(func(r *platform.SaleRequest) { r.ReturnURLs = platform.ReturnURLs{} })
	s.post("/providers/card-partner/pay", cardForm(inv(t, paid), "4242424242424242"))
	dec := s.sale(func(r *platform.SaleRequest) { r.ReturnURLs = platform.ReturnURLs{} })
	s.post("/providers/card-partner/pay", cardForm(inv(t, dec), "4000000000009995"))
	srv := httptest.NewServer(s.e)
	defer srv.Close()
	os.WriteFile("/tmp/cpshots/refusal.html", s.post("/providers/card-partner/pay", with(cardForm(inv(t, open), "4242 4242 4242 4241"), "card_expiry", "01/20")).Body.Bytes(), 0o644)
	os.WriteFile("/tmp/cpshots/closed.html", s.post("/providers/card-partner/pay", cardForm(inv(t, paid), "4242424242424242")).Body.Bytes(), 0o644)
	os.WriteFile("/tmp/cpshots/hsh.html", s.post("/providers/card-partner/checkout", with(body(t, open), "ttl", "1")).Body.Bytes(), 0o644)
	_ = url.Values{}
	s.e.GET("/shot/:name", func(c echo.Context) error { return c.File("/tmp/cpshots/" + c.Param("name") + ".html") })
	shots := map[string]string{
		"checkout": "/providers/card-partner/checkout?inv=" + inv(t, open),
		"usd":      "/providers/card-partner/checkout?inv=" + inv(t, usd),
		"paid":     "/providers/card-partner/result?inv=" + inv(t, paid),
		"declined": "/providers/card-partner/result?inv=" + inv(t, dec),
		"refusal":  "/shot/refusal",
		"closed":   "/shot/closed",
		"hsh":      "/shot/hsh",
	}
	for name, path := range shots {
		for _, size := range []string{"1280,1400", "390,2200"} {
			out := fmt.Sprintf("/tmp/cpshots/%s-%s.png", name, size[:3])
			dir, _ := os.MkdirTemp("", "chr")
			cmd := exec.Command("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
				"--user-data-dir="+dir, "--screenshot="+out, "--window-size="+size, srv.URL+path)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: %v %s", name, err, b)
			}
		}
	}
}
