package oxxo

import (
	"encoding/json"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Code is Oxxo's method code: its route name and force_payment_method value.
const Code = "oxxo"

// DocNumberLengths are the lengths of an Oxxo customer's document number
// (customer.identify.doc_number, identify_doc_number): 10 to 18 digits.
var DocNumberLengths = voucher.DigitsBetween(10, 18)

const day = 24 * time.Hour

// Method returns Oxxo as merchants see it.
func Method() platform.Method {
	return platform.Method{
		Code:          Code,
		Name:          "Oxxo",
		PaymentMethod: "oxxo",
		ProviderID:    1414,
		GatePath:      "/v2/payment/voucher/oxxo/sale",
		ForceCodes:    []string{"oxxo"},
		Currencies:    []string{"MXN", "USD"},
		GateRequired:  voucher.PersonGateRequired(),
		FieldHelp:     voucher.DocNumberHelp(DocNumberLengths...),
		ExampleSale: json.RawMessage(`{
			"customer": {"id": "customer-1", "ip_address": "198.51.100.7", "first_name": "Guido", "last_name": "Marques",
			"email": "guido@example.com", "identify": {"doc_number": "1234567890"}},
			"payment": {"amount": 10000, "currency": "MXN"}}`),
		PageRequired: voucher.PersonPageRequired(),
		// The Payment Page shows a link to the voucher, which the customer
		// follows, as Oxxo's documentation has it.
		RedirectLink: true,
		// Oxxo's callbacks carry no customer and no provider.date.
		Callback: platform.CallbackShape{},
		Settings: []string{"variant"},
		Defaults: platform.MethodSettings{Variant: voucher.VariantBank},
		Brand:    Brand(),
		Jobs:     voucher.Jobs(),
		// Mexico has kept UTC-6 all year since 2022.
		Location: voucher.Zone("America/Mexico_City", -6),
		Hints: map[string]string{
			"en": "Cash at any OXXO store in Mexico",
			"es": "Efectivo en cualquier tienda OXXO de México",
			"pt": "Dinheiro em qualquer loja OXXO no México",
		},
	}
}

// Brand is how Oxxo's pages look.
func Brand() platform.Brand {
	return platform.Brand{
		Name:    "Oxxo",
		Mark:    "OXXO",
		Tile:    "OXXO",
		Color:   "#c8102e",
		Ink:     "#ffffff",
		Accent:  "#ffc72c",
		Outlet:  "OXXO store",
		Product: "OXXO Pay",
	}
}

// New returns the mock Oxxo provider. Its Method().CheckField checks the
// Payment Page's identify_doc_number (10 to 18 digits) and customer_email.
func New() *voucher.Provider {
	return voucher.New(voucher.Config{
		Method:           Method(),
		Validity:         10 * day,
		BankWindow:       30 * day,
		ShortValidity:    3 * day,
		ReferenceDigits:  14,
		EmptyBody:        `[]`,
		DocNumberLengths: DocNumberLengths,
		Words: web.Catalog{
			"en": {"outlet": "OXXO store", "outlet.at": "at an OXXO store"},
			"es": {"outlet": "tienda OXXO", "outlet.at": "en una tienda OXXO"},
			"pt": {"outlet": "loja OXXO", "outlet.at": "em uma loja OXXO"},
		},
	})
}
