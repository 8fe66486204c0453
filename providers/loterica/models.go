package loterica

import (
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// LotericaVoucherPage is a Lotérica voucher as a Brazilian customer sees
// it (page "loterica_voucher"): the shared VoucherPage, worded in
// Portuguese, with amounts and dates written the Brazilian way. The sandbox's
// own tools on the page stay in English.
type LotericaVoucherPage struct {
	voucher.VoucherPage
	// Canal says in Portuguese where it was paid: "em uma casa lotérica",
	// "em um banco".
	Canal string
}

// brazilSymbols are the currency signs Brazilians write before an amount.
var brazilSymbols = map[string]string{"BRL": "R$", "USD": "US$", "EUR": "€"}

// Valor formats the amount as Brazilians write it: "US$ 1.250,00".
func (p LotericaVoucherPage) Valor() string { return FormatBrazilian(p.Amount) }

// FormatBrazilian formats s with Brazilian separators and its sign, "US$
// 1.250,00", or with its code after the amount when it has no sign.
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

// Quando formats a moment as Brazilians read it, in UTC: "02/12/2026 às
// 14:00 (UTC)". The zero time is "".
func (LotericaVoucherPage) Quando(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("02/01/2006") + " às " + t.UTC().Format("15:04") + " (UTC)"
}

// Dia formats a day as Brazilians write it: "02/12/2026".
func (LotericaVoucherPage) Dia(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("02/01/2006")
}
