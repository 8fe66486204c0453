package loterica

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Code is Lotérica's method code: its route name and force_payment_method value.
const Code = "loterica"

// MaxAmount is the largest payment Lotérica takes, in cents of USD: 400.00.
const MaxAmount = 40000

// Country is the redirect body's country when the merchant sent none.
const Country = "BR"

const day = 24 * time.Hour

// Method returns Lotérica as merchants see it.
func Method() platform.Method {
	return platform.Method{
		Code:          Code,
		Name:          "Lotérica",
		PaymentMethod: "loterica",
		ProviderID:    2174,
		GatePath:      "/v2/payment/voucher/loterica/sale",
		ForceCodes:    []string{"loterica"},
		Currencies:    []string{"USD"},
		GateRequired:  []string{"customer.id", "customer.ip_address"},
		ExampleSale: json.RawMessage(`{"customer": {"id": "customer-1", "ip_address": "198.51.100.7"},
			"payment": {"amount": 10000, "currency": "USD"}}`),
		Callback: platform.CallbackShape{Customer: []platform.CustomerField{platform.CustomerID}, ProviderDate: true},
		Settings: []string{"variant"},
		Defaults: platform.MethodSettings{
			MaxAmount:  MaxAmount,
			WholeUnits: true,
			Variant:    voucher.VariantShort,
		},
		Brand: Brand(),
		Jobs:  voucher.Jobs(),
		// Brazil has kept UTC-3 all year since 2019.
		Location: voucher.Zone("America/Sao_Paulo", -3),
		Hints: map[string]string{
			"en": "Cash at a Lotérica outlet in Brazil",
			"es": "Efectivo en una Lotérica de Brasil",
			"pt": "Dinheiro em uma Lotérica no Brasil",
		},
	}
}

// Brand is how Lotérica's pages look: the blue and orange of the lottery
// outlets, a plain wordmark, no logo.
func Brand() platform.Brand {
	return platform.Brand{
		Name:    "Lotérica",
		Mark:    "LOTÉRICA",
		Tile:    "LOT",
		Color:   "#005ca9",
		Ink:     "#ffffff",
		Accent:  "#f39200",
		Outlet:  "casa lotérica",
		Product: "Lotérica",
	}
}

// New returns the mock Lotérica provider.
func New() *voucher.Provider {
	return voucher.New(voucher.Config{
		Method:          Method(),
		Validity:        3 * day,
		ReferenceDigits: 16,
		PaymentID:       voucher.TimePaymentID,
		RedirectBody:    func(in voucher.RedirectInput) (any, error) { return Redirect(in), nil },
		// A Gate payment's voucher speaks Portuguese; a Payment Page
		// payment's, the customer's language.
		Language: "pt",
		Money:    FormatBrazilian,
		Words: web.Catalog{
			"en": {"outlet": "casa lotérica", "outlet.at": "at a casa lotérica"},
			"es": {"outlet": "casa lotérica", "outlet.at": "en una casa lotérica"},
			"pt": {"outlet": "casa lotérica", "outlet.at": "em uma casa lotérica"},
		},
	})
}

// RedirectBody is the body the customer's browser posts to Lotérica
// (redirect_data.body), with the seed's names and types.
type RedirectBody struct {
	// MerchantID is the merchant's account at Lotérica, one per project.
	MerchantID string `json:"merchantID"`
	Country    string `json:"country"`
	// User is the customer's ID at the merchant.
	User string `json:"user"`
	// OperationID is the sale operation's ID.
	OperationID int64 `json:"operation_id"`
	// PaymentID is the merchant's payment ID.
	PaymentID string `json:"paymentID"`
	// ReturnURL is where Lotérica sends the customer back to: the
	// merchant's return URL (return_url.return, else return_url.success),
	// "" when the merchant gave none.
	ReturnURL string `json:"returnURL"`
	// CallbackURL is where Lotérica reports the payment to the platform; in
	// the sandbox, the payment's page of the control API.
	CallbackURL string `json:"callbackURL"`
	// Amount is the amount in major units with two decimals: "10.00".
	Amount string `json:"amount"`
}

// Redirect builds the redirect body of a voucher.
func Redirect(in voucher.RedirectInput) RedirectBody {
	pay := in.Payment
	b := RedirectBody{
		MerchantID:  MerchantID(pay.ProjectID),
		Country:     Country,
		User:        pay.Customer.ID,
		PaymentID:   pay.ID,
		ReturnURL:   pay.ReturnURLs.Return,
		CallbackURL: in.Env.BaseURL + "/sandbox/payments/" + strconv.FormatInt(pay.ProjectID, 10) + "/" + url.PathEscape(pay.ID),
		Amount:      Decimal(pay.Amount.Amount),
	}
	if c := pay.Customer.Country; len(c) == 2 {
		b.Country = c
	}
	if b.ReturnURL == "" {
		b.ReturnURL = pay.ReturnURLs.Success
	}
	if op := pay.Sale(); op != nil {
		b.OperationID = op.ID
	}
	return b
}

// MerchantID is the merchant's account at Lotérica for a project, shaped
// as in the seed ("example-4b019406196c"): "ecommpay-" and twelve hex digits.
func MerchantID(projectID int64) string { return fmt.Sprintf("ecommpay-%012x", projectID) }

// Decimal writes an amount of cents as major units with two decimals:
// 1000 → "10.00".
func Decimal(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
