package paymentpage

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// shopPrice is what the sample shop's product costs, in minor units: 25.00
// in every currency, which every method takes (EcoVoucher has a 25 voucher).
const shopPrice = 2500

// shopCurrency is the sample shop's currency when a method takes it.
const shopCurrency = "USD"

// handleShop is the sample shop of the demo project: it builds signed
// Payment Page links on the server, as a real shop's backend does, one per
// method and one that lets the customer choose, plus widget buttons.
func (s *Server) handleShop(c echo.Context) error {
	project, err := s.Engine.Project(c.Request().Context(), platform.DemoProject().ID)
	if err != nil {
		return s.fail(c, nil, err)
	}
	base := s.baseURL(c)
	lang := web.Language(c.QueryParam("lang"))
	order := s.NewOrderID()
	back := func(id string) params {
		ret := base + PathShop + "?order=" + url.QueryEscape(id) + "&lang=" + lang
		return params{
			paramSuccessURL: ret + "&returned=success",
			paramFailURL:    ret + "&returned=fail",
			paramReturnURL:  ret + "&returned=pending",
		}
	}
	link := func(id, currency, force string) web.ShopLink {
		p := params{
			paramProjectID:   strconv.FormatInt(project.ID, 10),
			paramPaymentID:   id,
			paramAmount:      strconv.Itoa(shopPrice),
			paramCurrency:    currency,
			paramCustomerID:  "customer-1",
			paramDescription: "Sandbox hoodie, order " + order,
			paramLanguage:    lang,
		}
		if force != "" {
			p[paramForce] = force
		}
		for k, v := range back(id) {
			p[k] = v
		}
		signed := signature.Canonical(p.any())
		p[paramSignature] = signature.SignString(signed, project.Secret)
		l := web.ShopLink{PaymentID: id, URL: base + PathOpen + "?" + p.encode(), Signed: signed}
		keys := make([]string, 0, len(p))
		for k := range p {
			if k != paramSignature {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range append(keys, paramSignature) {
			l.Params = append(l.Params, web.FormField{Name: k, Value: p[k]})
		}
		return l
	}

	pg := web.ShopPage{
		Page:      web.Page{Title: "Sample shop"},
		ProjectID: project.ID,
		Secret:    project.Secret,
		Product: web.ShopProduct{
			Name:        "Sandbox hoodie",
			Description: "Soft, warm and entirely imaginary: nothing ships, no money moves.",
			Price:       platform.Sum{Amount: shopPrice, Currency: shopCurrency},
		},
		PaymentLang:  lang,
		Languages:    web.Languages(),
		WidgetScript: base + web.SharedPrefix + "merchant.js",
		WidgetStyle:  base + web.SharedPrefix + "merchant.css",
		ShopScript:   assetURL("shop.js"),
		Dashboard:    "/dashboard",
	}
	choose := link(order, shopCurrency, "")
	choose.Label, choose.Hint = "Let the customer choose", "The Payment Page lists every method that takes "+shopCurrency+"."
	pg.Links = append(pg.Links, choose)
	for _, m := range s.Engine.Methods() {
		if len(m.ForceCodes) == 0 || len(m.Currencies) == 0 {
			continue
		}
		currency := shopCurrency
		if !m.Supports(currency) {
			currency = m.Currencies[0]
		}
		l := link(order+"-"+m.Code, currency, m.ForceCodes[0])
		l.Label = m.Name
		l.Hint = "force_payment_method=" + m.ForceCodes[0] + " · " + currency
		l.Mark = web.MarkOf(m)
		pg.Links = append(pg.Links, l)
	}
	pg.Widget = widgetConfig(project.Secret, link(order+"-widget", shopCurrency, ""))
	embedded := link(order+"-embedded", shopCurrency, "")
	pg.Embedded = widgetConfig(project.Secret, embedded, web.FormField{Name: "target_element", Value: "shop-payment"})
	pg.WidgetSigned = embedded.Signed
	if returned := c.QueryParam("returned"); returned != "" {
		// A return URL written by hand may name no order: the banner then
		// links the payments list rather than a payment that is not there.
		id := c.QueryParam("order")
		status := "/dashboard"
		if id != "" {
			status = web.ConsolePaymentPath(platform.PaymentKey{ProjectID: project.ID, PaymentID: id})
		}
		pg.Returned = &web.ShopReturn{Outcome: returned, PaymentID: id, StatusURL: status}
	}
	return s.Renderer.Write(c.Response(), http.StatusOK, "shop", pg)
}

// any returns p as the decoded JSON object the signature package signs.
func (p params) any() map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// widgetConfig is the configObj a shop hands to EPayWidget: the link's
// parameters as a JSON object, with extra ones signed in. payment_amount
// and project_id are numbers, as shops write them.
func widgetConfig(secret string, l web.ShopLink, extra ...web.FormField) string {
	p := params{}
	for _, f := range l.Params {
		if f.Name != paramSignature {
			p[f.Name] = f.Value
		}
	}
	for _, f := range extra {
		p[f.Name] = f.Value
	}
	obj := p.any()
	for _, k := range []string{paramProjectID, paramAmount} {
		if n, err := strconv.ParseInt(p[k], 10, 64); err == nil {
			obj[k] = n
		}
	}
	// The SDKs sign numbers in decimal, as the strings of a link are signed.
	obj[paramSignature] = signature.Sign(p.any(), secret)
	b, _ := json.Marshal(obj) // strings and integers always marshal
	return string(b)
}
