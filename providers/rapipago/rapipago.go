package rapipago

import (
	"encoding/json"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Code is Rapipago's method code: its route name and force_payment_method value.
const Code = "rapipago"

// DocNumberLengths are the lengths of a valid document number (DNI: 7 or
// 8 digits; CUIT/CUIL: 11).
var DocNumberLengths = []int{7, 8, 11}

const day = 24 * time.Hour

// Method returns Rapipago as merchants see it.
func Method() platform.Method {
	return platform.Method{
		Code:          Code,
		Name:          "Rapipago",
		PaymentMethod: "rapipago",
		ProviderID:    1167,
		GatePath:      "/v2/payment/voucher/rapipago/sale",
		ForceCodes:    []string{"rapipago"},
		Currencies:    []string{"ARS", "USD"},
		GateRequired:  voucher.PersonGateRequired(),
		FieldHelp:     voucher.DocNumberHelp(DocNumberLengths...),
		ExampleSale: json.RawMessage(`{
			"customer": {"id": "customer-1", "ip_address": "198.51.100.7", "first_name": "Guido", "last_name": "Marques",
			"email": "guido@example.com", "identify": {"doc_number": "20123456"}},
			"payment": {"amount": 10000, "currency": "ARS"}}`),
		PageRequired: voucher.PersonPageRequired(),
		// The Payment Page shows a link to the voucher, which the customer
		// follows, as Rapipago's documentation has it.
		RedirectLink: true,
		Callback:     platform.CallbackShape{Customer: []platform.CustomerField{platform.CustomerID}, ProviderDate: true},
		Settings:     []string{"variant"},
		Defaults:     platform.MethodSettings{Variant: voucher.VariantBank},
		Brand:        Brand(),
		Jobs:         voucher.Jobs(),
		// Argentina keeps UTC-3 all year.
		Location: voucher.Zone("America/Argentina/Buenos_Aires", -3),
		Hints: map[string]string{
			"en": "Cash at a Rapipago branch in Argentina",
			"es": "Efectivo en una sucursal Rapipago de Argentina",
			"pt": "Dinheiro em uma agência Rapipago na Argentina",
		},
	}
}

// Brand is how Rapipago's pages look.
func Brand() platform.Brand {
	return platform.Brand{
		Name:    "Rapipago",
		Mark:    "RAPIPAGO",
		Tile:    "RP",
		Color:   "#0b3d91",
		Ink:     "#ffffff",
		Accent:  "#ffd100",
		Outlet:  "Rapipago branch",
		Product: "Rapipago",
	}
}

// New returns the mock Rapipago provider. Its Method().CheckField checks the
// Payment Page's identify_doc_number (7, 8 or 11 digits) and customer_email.
func New() *voucher.Provider {
	return voucher.New(voucher.Config{
		Method:           Method(),
		Validity:         5 * day,
		BankWindow:       30 * day,
		ShortValidity:    3 * day,
		ReferenceDigits:  14,
		PaymentID:        voucher.NumberPaymentID,
		EmptyBody:        `{}`,
		DocNumberLengths: DocNumberLengths,
		Words: web.Catalog{
			"en": {"outlet": "Rapipago branch", "outlet.at": "at a Rapipago branch"},
			"es": {"outlet": "sucursal de Rapipago", "outlet.at": "en una sucursal de Rapipago"},
			"pt": {"outlet": "agência Rapipago", "outlet.at": "em uma agência Rapipago"},
		},
	})
}
