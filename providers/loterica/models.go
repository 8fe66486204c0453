package loterica

import (
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// brazilSymbols are the currency signs Brazilians write before an amount.
var brazilSymbols = map[string]string{"BRL": "R$", "USD": "US$", "EUR": "€"}

// FormatBrazilian formats s with Brazilian separators and its sign, "US$
// 1.250,00", or with its code after the amount when it has no sign: how
// Lotérica's voucher writes its amount, in every language.
func FormatBrazilian(s platform.Sum) string {
	amount := strings.Map(func(r rune) rune {
		switch r {
		case ',':
			return '.'
		case '.':
			return ','
		}
		return r
	}, web.FormatAmount(s))
	if sym, ok := brazilSymbols[strings.ToUpper(s.Currency)]; ok {
		return sym + "\u00a0" + amount
	}
	return amount + " " + s.Currency
}
