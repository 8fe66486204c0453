package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// exponents are the ISO 4217 minor-unit exponents that are not 2.
var exponents = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// symbols are the currency signs pages show before an amount. A currency
// missing here is written with its code after the amount.
var symbols = map[string]string{
	"USD": "$", "MXN": "MX$", "CAD": "CA$", "EUR": "€", "GBP": "£", "ARS": "AR$",
	"BRL": "R$", "KES": "KSh ", "JPY": "¥", "INR": "₹",
}

// Exponent returns how many decimal places currency's minor units have: 2
// for most, 0 for JPY and the like, 3 for KWD and the like.
func Exponent(currency string) int {
	if e, ok := exponents[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
}

// FormatAmount formats the amount of s in major units with thousands
// separators: 125000 USD → "1,250.00".
func FormatAmount(s platform.Sum) string {
	a := s.Amount
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	exp := Exponent(s.Currency)
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	out := sign + groupThousands(strconv.FormatInt(a/unit, 10))
	if exp > 0 {
		frac := strconv.FormatInt(a%unit, 10)
		out += "." + strings.Repeat("0", exp-len(frac)) + frac
	}
	return out
}

// FormatMoney formats s as "1,250.00 USD".
func FormatMoney(s platform.Sum) string {
	return FormatAmount(s) + " " + s.Currency
}

// FormatMoneySymbol formats s with its currency sign, "MX$1,250.00", or as
// FormatMoney does when the currency has no sign the sandbox knows.
func FormatMoneySymbol(s platform.Sum) string {
	sym, ok := symbols[strings.ToUpper(s.Currency)]
	if !ok {
		return FormatMoney(s)
	}
	amount := FormatAmount(s)
	if neg, ok := strings.CutPrefix(amount, "-"); ok {
		return "-" + sym + neg
	}
	return sym + amount
}

// CurrencyNote returns the currency code a page writes after
// FormatMoneySymbol's amount when the sign alone does not say which
// currency it is ("$25.00 USD"), and "" when it does ("MX$1,250.00",
// "€10.00") or the amount already ends with the code.
func CurrencyNote(s platform.Sum) string {
	if symbols[strings.ToUpper(s.Currency)] == "$" {
		return s.Currency
	}
	return ""
}

func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// GroupDigits splits s into groups of size characters from the left, for
// references people read out or type: "93012345678901" → "9301 2345 6789 01".
func GroupDigits(s string, size int) string {
	if size <= 0 || len(s) <= size {
		return s
	}
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && i%size == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatTime formats t for people, in UTC (the sandbox clock's zone):
// "2 Dec 2026, 14:00 UTC". The zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04 MST")
}

// FormatDay formats t's date for people, in UTC: "Wed, 2 Dec 2026".
func FormatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("Mon, 2 Jan 2006")
}

// FormatISO formats t for machines (the datetime attribute of <time>).
func FormatISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Article puts "a" or "an" before noun by its first letter: "an OXXO
// store", "a Rapipago branch".
func Article(noun string) string {
	if noun == "" {
		return ""
	}
	if strings.ContainsRune("AEIOUaeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// funcs are the template functions every page may use.
func funcs(assets map[string]asset) template.FuncMap {
	return template.FuncMap{
		"money":        FormatMoney,
		"moneySymbol":  FormatMoneySymbol,
		"currencyNote": CurrencyNote,
		"amount":       FormatAmount,
		"date":         FormatTime,
		"datesec":      FormatTimeSeconds,
		"countdown":    FormatCountdown,
		"day":          FormatDay,
		"iso":          FormatISO,
		"group":        GroupDigits,
		"article":      Article,
		"langName":     LanguageName,
		"list":         func(items ...string) []string { return items },
		"asset":        func(name string) string { return assetURL(assets, name) },
		"lang": func(l string) string {
			if l == "" {
				return "en"
			}
			return l
		},
	}
}

// FormatTimeSeconds formats t to the second, in UTC: "2 Dec 2026,
// 14:00:05 UTC". The zero time is "".
func FormatTimeSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04:05 MST")
}

// FormatCountdown says how long until something due in d: "in 2m 10s",
// "in 9d 23h", or "due now" when d is not positive. Two units at most,
// whole seconds.
func FormatCountdown(d time.Duration) string {
	if d <= 0 {
		return "due now"
	}
	return "in " + FormatSpan(d)
}

// FormatSpan writes a positive duration in its two largest units, rounded
// up to whole seconds (a part of a second is still to wait): "45s",
// "2m 10s", "3h", "9d 23h".
func FormatSpan(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	units := []struct {
		secs int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}
	for i, u := range units {
		if s < u.secs && u.secs > 1 {
			continue
		}
		out := strconv.FormatInt(s/u.secs, 10) + u.name
		if i+1 < len(units) {
			next := units[i+1]
			if r := (s % u.secs) / next.secs; r > 0 {
				out += " " + strconv.FormatInt(r, 10) + next.name
			}
		}
		return out
	}
	return "0s"
}

// FormatLatency rounds how long a merchant took to answer for people:
// "<1 ms", "85 ms", "1.2 s".
func FormatLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return strconv.FormatInt(int64(d.Round(time.Millisecond)/time.Millisecond), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}
