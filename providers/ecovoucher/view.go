package ecovoucher

import (
	"fmt"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// formPage is the EcoVoucher page of pay with rows as the customer typed
// them (one empty row when there are none), the wallet of unused test
// vouchers of its currency and the vouchers that would fill in its amount.
func (p *Provider) formPage(pay *platform.Payment, rows []EcoVoucherRow, used UsedFunc) (EcoVoucherPage, error) {
	if len(rows) == 0 {
		rows = []EcoVoucherRow{{}}
	}
	currency := pay.Amount.Currency
	st := stateOf(pay)
	t := text(pay)
	title := t.T("eco.title.open")
	if pay.Amount.Amount > 0 {
		title = t.T("eco.title.amount", web.FormatMoneySymbol(pay.Amount))
	}
	page := EcoVoucherPage{
		Page:        web.Page{Title: title, Lang: t.Lang(), Brand: p.brand, Text: t},
		Action:      PayPath,
		TxID:        st.TxID,
		Amount:      pay.Amount,
		Merchant:    t.T("eco.project", pay.ProjectID),
		PaymentID:   pay.ID,
		Description: pay.Description,
		ExpiresAt:   st.ExpiresAt,
		Rows:        rows,
		MaxRows:     MaxVouchers,
		Entered:     platform.Sum{Currency: currency},
	}
	inForm := map[string]bool{}
	for i := range page.Rows {
		page.Rows[i].Index = i
		if v, err := Lookup(page.Rows[i].Number); err == nil {
			inForm[v.Number] = true
			if v.Face.Currency == currency {
				page.Entered.Amount += v.Face.Amount
			}
		}
	}
	for _, f := range faceValues {
		page.FaceValues = append(page.FaceValues, platform.Sum{Amount: f * MinorUnits, Currency: currency})
	}
	wallet, err := Wallet(currency, 1, inForm, used)
	if err != nil {
		return page, err
	}
	for _, v := range wallet {
		page.Wallet = append(page.Wallet, card(v))
	}
	if pay.Amount.Amount > 0 {
		fill, err := Pick(currency, pay.Amount.Amount, used)
		if err != nil {
			return page, err
		}
		for _, v := range fill {
			page.Fill = append(page.Fill, card(v))
		}
	}
	return page, nil
}

// card is a test voucher as the wallet shows it.
func card(v TestVoucher) EcoVoucherCard {
	return EcoVoucherCard{Number: v.Number, SecurityCode: v.SecurityCode, Expiry: v.Expiry, Face: v.Face}
}

// resultPage is where pay stands, for the customer.
func (p *Provider) resultPage(pay *platform.Payment) EcoVoucherResultPage {
	st := stateOf(pay)
	t := text(pay)
	page := EcoVoucherResultPage{
		Page:        web.Page{Lang: t.Lang(), Brand: p.brand, Text: t},
		Amount:      pay.Amount,
		Merchant:    t.T("eco.project", pay.ProjectID),
		PaymentID:   pay.ID,
		Description: pay.Description,
		At:          pay.UpdatedAt,
	}
	if op := pay.Sale(); op != nil {
		page.Code, page.Message, page.ProviderPaymentID = op.Code, op.Message, op.ProviderPaymentID
		if key := "decline." + op.Code; t.Has(key) {
			page.Message = t.T(key)
		}
	}
	for _, v := range st.Vouchers {
		page.Vouchers = append(page.Vouchers, EcoVoucherCard{Number: v.Number, Expiry: v.Expiry, Face: v.Amount})
	}
	switch pay.Status {
	case platform.StatusSuccess, platform.StatusRefunded:
		page.State = "success"
	case platform.StatusDecline, platform.StatusError:
		page.State = "decline"
	default:
		page.State = "processing"
		page.Reload = fmt.Sprintf("%s?tx=%d", CompletePath, st.TxID)
	}
	page.Title = t.T("eco.result." + page.State)
	if u := returnURL(pay); u != "" {
		page.Back = &web.Link{Label: t.T("eco.back"), URL: u}
	}
	return page
}
