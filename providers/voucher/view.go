package voucher

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// page returns the common part of the provider's pages.
func (p *Provider) page(title string) web.Page {
	return web.Page{Title: title, Brand: p.cfg.Method.Brand}
}

// State returns where the voucher of pay stands at now, and since when
// (paid, expired, cancelled).
func (p *Provider) State(pay *platform.Payment, now time.Time) (VoucherState, time.Time) {
	v := pay.Voucher
	var decided time.Time
	if op := pay.Sale(); op != nil {
		decided = op.UpdatedAt
	}
	switch {
	case v == nil:
		return VoucherCancelled, decided
	case pay.Status == platform.StatusSuccess || pay.Status == platform.StatusRefunded:
		if !v.PaidAt.IsZero() {
			return VoucherPaid, v.PaidAt
		}
		return VoucherPaid, decided
	case pay.Status == platform.StatusDecline || pay.Status == platform.StatusError:
		if stateOf(pay).Lapsed || !decided.Before(v.LastDay()) {
			return VoucherExpired, decided
		}
		return VoucherCancelled, decided
	case !now.Before(v.LastDay()):
		return VoucherExpired, v.LastDay() // the lapse job has yet to run
	case !now.Before(v.ValidUntil):
		return VoucherBankOnly, time.Time{}
	}
	return VoucherUnpaid, time.Time{}
}

// text is the translator of pay's voucher page: the payment's language
// (its Payment Page's language_code), else the method's, with the voucher
// pages' words and the method's own, in the method's country time.
func (p *Provider) text(pay *platform.Payment) web.Translator {
	lang := pay.Language
	if lang == "" {
		lang = p.cfg.Language
	}
	return p.textIn(lang)
}

// textFor is the translator of a page that knows no payment (an unknown
// reference): the method's language, else the one the browser asks for
// (Accept-Language), else English.
func (p *Provider) textFor(c echo.Context) web.Translator {
	lang := p.cfg.Language
	if lang == "" {
		lang = web.BrowserLanguage(c.Request())
	}
	return p.textIn(lang)
}

// textIn is the translator of the voucher pages in lang, with their words
// and the method's own, in the method's country time.
func (p *Provider) textIn(lang string) web.Translator {
	t := web.NewTranslator(lang).With(words).In(p.cfg.Method.Location)
	if p.cfg.Words != nil {
		t = t.With(p.cfg.Words)
	}
	return t
}

// money writes s as the method's country does.
func (p *Provider) money(s platform.Sum) string {
	if p.cfg.Money != nil {
		return p.cfg.Money(s)
	}
	return web.FormatMoneySymbol(s)
}

// voucherPage is the voucher of pay as its customer sees it at now, in the
// customer's language.
func (p *Provider) voucherPage(pay *platform.Payment, now time.Time) VoucherPage {
	v := pay.Voucher
	state, at := p.State(pay, now)
	t := p.text(pay)
	brand := p.cfg.Method.Brand
	page := VoucherPage{
		Page:        web.Page{Title: t.T("v.title", brand.Name, web.GroupDigits(v.Reference, 4)), Lang: t.Lang(), Brand: brand, Text: t},
		AmountText:  p.money(v.Amount),
		Reference:   v.Reference,
		Amount:      v.Amount,
		Description: pay.Description,
		Customer:    strings.TrimSpace(pay.Customer.FirstName + " " + pay.Customer.LastName),
		ProjectID:   pay.ProjectID,
		PaymentID:   pay.ID,
		BarcodeURL:  p.VoucherPages(v.Reference).Barcode,
		// The PNG has twice the pixels, for dense screens.
		BarcodeWidth:  BarcodeWidth(v.Barcode, barcodeWidth) / 2,
		BarcodeHeight: barcodeHeight / 2,
		TerminalURL:   p.VoucherPages(v.Reference).Terminal,
		ReturnURL:     pay.ReturnURLs.Return,
		IssuedAt:      v.IssuedAt,
		ValidUntil:    v.ValidUntil,
		BankUntil:     v.BankUntil,
		State:         state,
		StateAt:       at,
	}
	if strings.HasPrefix(page.AmountText, "$") {
		page.AmountCode = v.Amount.Currency // "$" alone does not say which dollars
	}
	switch state {
	case VoucherPaid:
		page.Channel = t.T("outlet.at")
		if v.Channel == ChannelBank {
			page.Channel = t.T("v.channel.bank")
		}
	case VoucherCancelled:
		if op := pay.Sale(); op != nil {
			page.Reason = op.Message
			if key := "decline." + op.Code; t.Has(key) {
				page.Reason = t.T(key)
			}
		}
	}
	return page
}

// terminalPage is the terminal's form with what was entered.
func (p *Provider) terminalPage(reference, channel string) TerminalPage {
	page := TerminalPage{
		Page:      p.page(p.cfg.Method.Brand.Name + " terminal"),
		Action:    p.TerminalPath(),
		Reference: reference,
		Channel:   channel,
		Banks:     slices.Contains(p.Channels(), ChannelBank),
	}
	if days := int(p.cfg.BankWindow / (24 * time.Hour)); p.cfg.BankWindow > p.cfg.Validity && days > 0 {
		page.BankNote = fmt.Sprintf("After stores stop, a bank still accepts a voucher until day %d (variant %q).", days, VariantBank)
	}
	return page
}

// receipt is what the terminal prints for a voucher it took.
func (p *Provider) receipt(pay *platform.Payment) *Receipt {
	v := pay.Voucher
	r := &Receipt{
		Reference:   v.Reference,
		Amount:      v.Amount,
		PaidAt:      v.PaidAt,
		Channel:     p.ChannelName(v.Channel),
		ProjectID:   pay.ProjectID,
		PaymentID:   pay.ID,
		Description: pay.Description,
		VoucherURL:  p.VoucherPath(v.Reference),
		Console:     web.ConsolePaymentPath(pay.Key()),
	}
	if op := pay.Sale(); op != nil {
		r.ProviderPaymentID = op.ProviderPaymentID
	}
	return r
}
