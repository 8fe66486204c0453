package cardpartner

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

//go:embed assets/checkout.js
var checkoutJS []byte

// asset is the checkout's script with its content version.
type asset struct {
	body    []byte
	version string
}

func checkoutScript() asset {
	sum := sha256.Sum256(checkoutJS)
	return asset{body: checkoutJS, version: hex.EncodeToString(sum[:])[:12]}
}

// ScriptURL is the URL of the checkout's script with its content version.
func (p *Provider) ScriptURL() string { return ScriptPath + "?v=" + p.script.version }

// channelOrder is the order the checkout lists channels in, with how each
// looks; hints are keys of words, as is the card's label.
var channelOrder = []CardPartnerChannel{
	{Code: ChannelMpesa, Label: "M-Pesa", Hint: "cp.hint.mpesa", Mark: "M", Color: "#2e7d32", Phone: true},
	{Code: ChannelAirtel, Label: "Airtel Money", Hint: "cp.hint.airtel", Mark: "A", Color: "#c8102e", Phone: true},
	{Code: ChannelEquity, Label: "Equity Eazzy Pay", Hint: "cp.hint.equity", Mark: "E", Color: "#8b1a1a", Phone: true},
	{Code: ChannelCard, Label: "cp.channel.card", Hint: "cp.hint.card"},
}

// pageChannels returns the channels of a checkout offering flags, worded
// by t.
func pageChannels(flags []string, t web.Translator) []CardPartnerChannel {
	var out []CardPartnerChannel
	for _, c := range channelOrder {
		for _, f := range flags {
			if flagOf(c.Code) == f {
				c.Hint = t.T(c.Hint)
				if t.Has(c.Label) {
					c.Label = t.T(c.Label)
				}
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func testItems(list []TestNumber, group int) []CardPartnerTestItem {
	out := make([]CardPartnerTestItem, len(list))
	for i, t := range list {
		out[i] = CardPartnerTestItem{Value: t.Number, Display: web.GroupDigits(t.Number, group), Outcome: t.Outcome(), Declines: t.Code != 0}
	}
	return out
}

// checkoutPage is the open checkout of pay at now.
func (p *Provider) checkoutPage(pay *platform.Payment, now time.Time, frozen bool) CardPartnerCheckoutPage {
	st := stateOf(pay)
	flags := st.Channels
	if len(flags) == 0 {
		flags = Channels(pay.Amount.Currency)
	}
	t := text(pay)
	page := CardPartnerCheckoutPage{
		Page:        web.Page{Title: t.T("cp.title", web.FormatMoneySymbol(pay.Amount)), Lang: t.Lang(), Brand: Brand(), Text: t},
		Action:      PayPath,
		Inv:         st.Inv,
		ProjectID:   pay.ProjectID,
		PaymentID:   pay.ID,
		Description: pay.Description,
		Amount:      pay.Amount,
		Email:       pay.Customer.Email,
		Deadline:    st.Deadline,
		ClockFrozen: frozen,
		ScriptURL:   p.ScriptURL(),
		Channels:    pageChannels(flags, t),
		Form:        CardPartnerForm{Phone: pay.Customer.Phone},
		TestCards:   testItems(TestCards, 4),
		TestPhones:  testItems(TestPhones, 3),
	}
	if !st.Deadline.IsZero() {
		page.SecondsLeft = max(0, int(st.Deadline.Sub(now)/time.Second))
	}
	if len(page.Channels) > 0 {
		page.Channel = page.Channels[0].Code
	}
	return page
}

// outcomeOf says how pay's checkout ended.
func outcomeOf(pay *platform.Payment) CardPartnerOutcome {
	switch pay.Status {
	case platform.StatusSuccess:
		return CardPartnerApproved
	case platform.StatusRefunded:
		return CardPartnerRefunded
	}
	switch stateOf(pay).Outcome {
	case outcomeCancelled:
		return CardPartnerCancelled
	case outcomeExpired, outcomeTimedOut:
		return CardPartnerExpired
	}
	return CardPartnerDeclined
}

// paidWith says how the customer paid: "Visa •••• 4242", "M-Pesa 254708374149".
func paidWith(st state) string {
	switch {
	case st.Channel == ChannelCard && st.CardLast4 != "":
		return st.CardBrand + " •••• " + st.CardLast4
	case st.Channel != "" && st.Phone != "":
		return ChannelName(st.Channel) + " " + st.Phone
	}
	return ""
}

// resultPage is how pay's checkout ended, with the way back to the
// merchant when the merchant gave one.
func (p *Provider) resultPage(pay *platform.Payment) CardPartnerResultPage {
	st := stateOf(pay)
	t := text(pay)
	page := CardPartnerResultPage{
		Page:        web.Page{Lang: t.Lang(), Brand: Brand(), Text: t},
		Outcome:     outcomeOf(pay),
		Amount:      pay.Amount,
		ProjectID:   pay.ProjectID,
		PaymentID:   pay.ID,
		Description: pay.Description,
		PaidWith:    paidWith(st),
	}
	if sale := pay.Sale(); sale != nil {
		page.AuthCode = sale.AuthCode
		page.ProviderPaymentID = sale.ProviderPaymentID
		page.At = sale.UpdatedAt
		if pay.Status == platform.StatusDecline || pay.Status == platform.StatusError {
			page.Code, page.Reason = sale.Code, sale.Message
			if key := "decline." + sale.Code; t.Has(key) {
				page.Reason = t.T(key)
			}
		}
	}
	if r := pay.Refund(); r != nil && pay.Status == platform.StatusRefunded {
		page.At = r.UpdatedAt
	}
	approved := pay.Status == platform.StatusSuccess || pay.Status == platform.StatusRefunded
	if u := ReturnURL(pay, "", st.Inv, approved); !strings.HasPrefix(u, ResultPath) {
		page.ReturnURL = u
	}
	page.Title = t.T("cp.result." + string(page.Outcome))
	return page
}

// finishedAlert says why a finished checkout refuses to take a payment.
func finishedAlert(pay *platform.Payment) *web.Alert {
	t := text(pay)
	return &web.Alert{Title: t.T("cp.closed"), Message: t.T("cp.closed."+string(outcomeOf(pay)), pay.ID)}
}
