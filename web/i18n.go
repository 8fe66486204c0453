package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultLanguage is the language of a page whose language_code is missing
// or one the sandbox does not speak.
const DefaultLanguage = "en"

// Languages returns the languages the Payment Page speaks, the default first.
func Languages() []string { return []string{"en", "es", "pt"} }

// LanguageName returns a language of Languages as its speakers name it,
// "Español" for "es"; the code itself for any other.
func LanguageName(code string) string {
	switch code {
	case "en":
		return "English"
	case "es":
		return "Español"
	case "pt":
		return "Português"
	}
	return code
}

// Language returns the language of the Payment Page for a language_code
// parameter: "es", "ES", "es-MX", "es_AR" and "spa" all give "es", "pt-BR"
// gives "pt"; anything the sandbox does not speak gives "en".
func Language(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	switch code {
	case "spa":
		code = "es"
	case "por":
		code = "pt"
	case "eng":
		code = "en"
	}
	if slices.Contains(Languages(), code) {
		return code
	}
	return DefaultLanguage
}

// BrowserLanguage returns the language of the sandbox's that r's browser
// prefers (see AcceptLanguage), for a page that knows no payment and so
// no language_code: "" when it names none of them.
func BrowserLanguage(r *http.Request) string { return AcceptLanguage(r.Header.Get("Accept-Language")) }

// AcceptLanguage returns the language the sandbox speaks that an
// Accept-Language header prefers ("es-MX,es;q=0.9,en;q=0.8" gives "es"):
// the highest weight wins, then the first written; "" when the header
// names none of them. A provider's page that knows no payment (an unknown
// link) speaks it.
func AcceptLanguage(header string) string {
	best, bestQ := "", 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		if i := strings.IndexAny(tag, "-_"); i >= 0 {
			tag = tag[:i]
		}
		if !slices.Contains(Languages(), tag) {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		if q > bestQ {
			best, bestQ = tag, q
		}
	}
	return best
}

// Catalog holds a page's strings per language: Catalog["es"]["key"].
// Arguments are fmt verbs; each translation takes the same verbs in the
// same order (Catalog.Problems checks it). A provider keeps the strings of
// its own pages in one, and its translator looks them up before the
// Payment Page's (Translator.With).
type Catalog map[string]map[string]string

// Problems lists what is wrong with c, for a test to assert it is empty:
// a language the Payment Page speaks that lacks a key English has, a key
// English lacks, and a translation whose fmt verbs differ from English's.
func (c Catalog) Problems() []string {
	var out []string
	en := c[DefaultLanguage]
	for _, lang := range Languages() {
		for key, s := range en {
			tr, ok := c[lang][key]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s lacks %q", lang, key))
			case !slices.Equal(verbs(tr), verbs(s)):
				out = append(out, fmt.Sprintf("%s %q takes %v, English takes %v", lang, key, verbs(tr), verbs(s)))
			}
		}
		for key := range c[lang] {
			if _, ok := en[key]; !ok {
				out = append(out, fmt.Sprintf("%s has %q, which English lacks", lang, key))
			}
		}
	}
	slices.Sort(out)
	return out
}

// verbs returns the fmt verbs of s in order.
func verbs(s string) []string {
	var out []string
	for i := 0; i < len(s)-1; i++ {
		if s[i] != '%' {
			continue
		}
		if s[i+1] == '%' {
			i++
			continue
		}
		out = append(out, s[i+1:i+2])
	}
	return out
}

// Translator looks up a page's strings in one language: its catalogues
// (With) first, then the Payment Page's; and writes moments in a zone
// (In). The zero Translator speaks English, in UTC.
type Translator struct {
	lang string
	// more are the catalogues looked up first, the last added first.
	more []Catalog
	loc  *time.Location
}

// With returns t looking c up before the catalogues it has.
func (t Translator) With(c Catalog) Translator {
	t.more = append([]Catalog{c}, t.more...)
	return t
}

// In returns t writing moments (Date, Day) in loc, the customer's
// country time; nil is UTC.
func (t Translator) In(loc *time.Location) Translator {
	t.loc = loc
	return t
}

// lookup finds key in lang: the catalogues, then the Payment Page's.
func (t Translator) lookup(lang, key string) (string, bool) {
	for _, c := range t.more {
		if s, ok := c[lang][key]; ok {
			return s, true
		}
	}
	s, ok := ppCatalog[lang][key]
	return s, ok
}

// NewTranslator returns the translator of Language(code).
func NewTranslator(code string) Translator { return Translator{lang: Language(code)} }

// Lang returns the translator's language: "en", "es" or "pt".
func (t Translator) Lang() string {
	if t.lang == "" {
		return DefaultLanguage
	}
	return t.lang
}

// T returns the string key in the translator's language, formatted with
// args as fmt.Sprintf does. A key missing in the language falls back to
// English; a key missing in English is returned as it is, so a typo shows
// on the page instead of an empty string (a test checks every key).
func (t Translator) T(key string, args ...any) string {
	s, ok := t.lookup(t.Lang(), key)
	if !ok {
		if s, ok = t.lookup(DefaultLanguage, key); !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Date formats t for people in the translator's language and zone (In;
// UTC, the sandbox clock's zone, by default), with the zone's offset:
// "2 Mar 2026, 09:00 UTC", "2 mar 2026, 03:00 UTC-6". The zero time is "".
func (t Translator) Date(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	at = t.local(at)
	return fmt.Sprintf("%d %s %d, %s %s", at.Day(), t.month(at.Month()), at.Year(), at.Format("15:04"), ZoneName(at))
}

// ZoneName names the offset of at's zone as people read it anywhere:
// "UTC", "UTC-6", "UTC+5:30".
func ZoneName(at time.Time) string {
	_, off := at.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	name := fmt.Sprintf("UTC%s%d", sign, off/3600)
	if m := off % 3600 / 60; m != 0 {
		name += fmt.Sprintf(":%02d", m)
	}
	return name
}

// local is at in the translator's zone.
func (t Translator) local(at time.Time) time.Time {
	if t.loc == nil {
		return at.UTC()
	}
	return at.In(t.loc)
}

// Day formats t's date for people in the translator's language and zone:
// "Thu, 12 Mar 2026", "jue, 12 mar 2026". The zero time is "".
func (t Translator) Day(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	at = t.local(at)
	return fmt.Sprintf("%s, %d %s %d", ppWeekdays[t.Lang()][at.Weekday()], at.Day(), t.month(at.Month()), at.Year())
}

func (t Translator) month(m time.Month) string { return ppMonths[t.Lang()][m-1] }

// The short names of months and weekdays, per language.
var (
	ppMonths = map[string][12]string{
		"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		"es": {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		"pt": {"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},
	}
	ppWeekdays = map[string][7]string{
		"en": {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		"es": {"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
		"pt": {"dom", "seg", "ter", "qua", "qui", "sex", "sáb"},
	}
)

// Has reports whether key is in the translator's catalogues.
func (t Translator) Has(key string) bool {
	_, ok := t.lookup(DefaultLanguage, key)
	return ok
}

// TranslationKeys returns every key of a language's table, sorted, for
// tests that check the tables agree.
func TranslationKeys(lang string) []string {
	keys := make([]string, 0, len(ppCatalog[lang]))
	for k := range ppCatalog[lang] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ppCatalog holds every string of the Payment Page, per language. Arguments
// are fmt verbs; each translation takes the same verbs in the same order.
var ppCatalog = map[string]map[string]string{
	"en": {
		"skip":                   "Skip to content",
		"copied":                 "Copied",
		"layout.provider.before": "%s is emulated by the ",
		"layout.provider.link":   "ecommpay sandbox",
		"layout.provider.after":  " for testing integrations. No real payment is made.",
		"layout.sandbox.before":  "The ",
		"layout.sandbox.link":    "ecommpay sandbox",
		"layout.sandbox.after":   " emulates the payment platform for testing integrations. No real payment is made.",
		"badge":                  "Sandbox",
		"badge.title":            "This is the ecommpay sandbox: no real money moves.",
		"brand.suffix":           "sandbox",
		"footer":                 "Test payment in the ecommpay sandbox. No real money moves.",
		"secure":                 "Secure payment page",

		"order.title":    "Order summary",
		"order.merchant": "Merchant",
		"order.project":  "Project %d",
		"order.payment":  "Order",
		"order.total":    "Total to pay",
		"order.paid":     "Total paid",
		"order.method":   "Payment method",
		"order.open":     "Set by your vouchers, in %s",

		"methods.title":    "Choose how to pay",
		"methods.lead":     "Pick a payment method. You will finish the payment with it in the next step.",
		"methods.legend":   "Payment methods",
		"methods.continue": "Continue",
		"methods.none":     "Choose a payment method to continue.",

		"details.title":    "Your details",
		"details.confirm":  "Confirm your payment",
		"details.lead":     "%s needs a few details to issue your payment.",
		"details.ready":    "Everything is ready. Check the amount and pay with %s.",
		"details.with":     "Paying with",
		"details.change":   "Change",
		"details.pay":      "Pay %s",
		"details.busy":     "Processing…",
		"details.next":     "You will be taken to %s to finish the payment.",
		"details.errors":   "Check the highlighted fields",
		"details.required": "Required",

		"field.customer_first_name":          "First name",
		"field.customer_last_name":           "Last name",
		"field.customer_email":               "Email",
		"field.customer_phone":               "Phone number",
		"field.identify_doc_number":          "ID document number",
		"field.customer_country":             "Country",
		"field.customer_city":                "City",
		"field.customer_address":             "Address",
		"field.customer_zip":                 "Postcode",
		"field.customer_birthplace":          "Place of birth",
		"hint.customer_email":                "We send the receipt here.",
		"hint.customer_phone":                "With the country code, for example +254 712 345 678.",
		"hint.identify_doc_number":           "Digits only, as printed on your document.",
		"error.required":                     "Fill in this field.",
		"error.required.customer_first_name": "Enter your first name.",
		"error.required.customer_last_name":  "Enter your last name.",
		"error.email":                        "Enter an email address like name@example.com.",
		"error.sent":                         "The shop sent a value that cannot be used.",
		"error.field":                        "%s",
		"error.required.customer_email":      "Enter your email address.",
		"error.required.customer_phone":      "Enter your phone number.",
		"error.required.identify_doc_number": "Enter your ID document number.",

		"processing.title": "Processing your payment",
		"processing.lead":  "This takes a few seconds. Please keep this page open.",
		"processing.note":  "The page refreshes by itself.",
		"processing.check": "Check again",

		"redirect.title":      "Taking you to %s",
		"redirect.lead":       "%s finishes your payment. If nothing happens in a few seconds, press the button.",
		"redirect.continue":   "Continue to %s",
		"redirect.link.title": "Continue at %s",
		"redirect.link.lead":  "Your payment is ready at %s: follow the link to finish it.",
		"redirect.link.go":    "Go to %s",

		"result.success.title":    "Payment successful",
		"result.success.lead":     "Thank you! Your payment of %s has been received. The shop has been told.",
		"result.success.held":     "Thank you! Your payment of %s has been received.",
		"result.held":             "Sandbox: the shop is not told. Project %d has no callback URL, so the payment's callback waits in the delivery log until one is set.",
		"result.held.console":     "See it in the developer console",
		"result.decline.title":    "Payment declined",
		"result.decline.lead":     "Your payment of %s did not go through. Nothing was charged.",
		"result.decline.reason":   "Reason",
		"result.pending.title":    "Your payment is waiting for you",
		"result.pending.lead":     "Finish your payment of %s with %s. The shop is told as soon as you pay.",
		"result.voucher.title":    "Pay your voucher",
		"result.voucher.lead":     "Your %s voucher for %s is ready. Pay it in cash and the shop is told at once.",
		"result.voucher.ref":      "Payment reference",
		"result.voucher.until":    "Pay before",
		"result.voucher.bank":     "Or at a bank until",
		"result.voucher.open":     "Open the voucher",
		"result.voucher.copy":     "Copy",
		"result.voucher.step1":    "Open the voucher and print it, or keep the reference at hand.",
		"result.voucher.step2":    "Pay %s in cash at any %s payment point before %s.",
		"result.voucher.step3":    "Keep the receipt: the shop confirms your order once it is told.",
		"result.continue":         "Continue to %s",
		"result.processing.title": "Confirming your payment",
		"result.processing.lead":  "%s is confirming your payment. This takes a few seconds.",
		"result.refunded.title":   "Payment refunded",
		"result.refunded.lead":    "Your payment of %s was refunded.",
		"result.waiting.title":    "Waiting for the shop",
		"result.waiting.lead":     "Your payment of %s waits for details from the shop. You can close this page.",
		"result.amount":           "Amount",
		"result.method":           "Paid with",
		"result.date":             "Date",
		"result.payment":          "Order",
		"result.return":           "Return to the shop",
		"result.close":            "You can close this page.",

		"err.eyebrow":            "Error %d",
		"err.title":              "This payment cannot be opened",
		"err.signature.title":    "The signature does not match",
		"err.signature.lead":     "The sandbox signed the parameters below with the secret key of project %d (HMAC-SHA512, Base64) and got another signature. Compare this string with the one your code signs: if they are the same, your code signs with another secret key than project %[1]d's.",
		"err.signature.signed":   "String the sandbox signed",
		"err.signature.got":      "Signature received",
		"err.signature.space":    "The signature received contains spaces: a \"+\" was probably decoded as a space. URL-encode the signature.",
		"err.unsigned.title":     "The request is not signed",
		"err.unsigned.lead":      "Add the signature parameter: the HMAC-SHA512 (Base64) of the parameters, keyed with the project's secret key.",
		"err.missing.title":      "Required parameters are missing",
		"err.missing.lead":       "The payment cannot start without these parameters:",
		"err.malformed.title":    "A parameter has an invalid value",
		"err.malformed.lead":     "Fix these parameters and sign the request again:",
		"err.project.title":      "Unknown project",
		"err.project.lead":       "Project %d does not exist in this sandbox. Create it with POST /sandbox/projects or the config file, or use the demo project 1 (secret \"secret\").",
		"err.used.title":         "This payment was already made",
		"err.used.lead":          "payment_id %q was already used in project %d. Every payment needs a new payment_id.",
		"err.used.link":          "See that payment",
		"err.expired.title":      "This payment link has expired",
		"err.expired.lead":       "The link was valid until %s (best_before); the sandbox clock says %s. Ask the shop for a new link.",
		"err.nomethod.title":     "No payment method accepts %s",
		"err.nomethod.lead":      "None of the sandbox's payment methods can take this payment. These are the methods and the currencies they accept:",
		"err.nomethod.zero":      "An amount of 0 is only allowed for methods where the customer sets the amount (%s).",
		"err.nomethod.zero.none": "An amount of 0 is only allowed for methods where the customer sets the amount, and the sandbox has none.",
		"err.forced.title":       "%s does not accept %s",
		"err.forced.zero":        "force_payment_method chose %s, which needs an amount greater than 0.",
		"err.force.title":        "Unknown payment method",
		"err.force.lead":         "force_payment_method is %q, which is not a method the sandbox emulates. Use one of:",
		"err.notfound.title":     "Payment not found",
		"err.notfound.lead":      "There is no Payment Page payment %q in project %d.",
		"err.internal.title":     "Something went wrong in the sandbox",
		"err.internal.lead":      "The sandbox could not handle this request. Its log says more.",
		"err.nopage.title":       "There is no page here",
		"err.request.title":      "The sandbox cannot answer this request",
		"err.engine.title":       "The sandbox refused this payment",
		"err.engine.lead":        "The sandbox could not go on with this payment. The line below says why, for the shop's developer.",
		"err.home":               "Sandbox home",
		"status.400":             "Bad Request",
		"status.404":             "Not Found",
		"status.409":             "Conflict",
		"status.422":             "Unprocessable Entity",
		"status.500":             "Internal Server Error",
		"err.back":               "Back to the shop",
		"err.param.missing":      "%s is missing",
		"err.param.amount":       "must be a whole number of minor units, such as 10000 for 100.00; got %q",
		"err.param.amount.max":   "must be at most %d minor units, the most a payment may have: the callbacks carry the amount as a JSON number, and that is the largest whole number JavaScript reads exactly; got %q",
		"err.param.currency":     "must be a three-letter ISO 4217 code such as USD; got %q",
		"err.param.url":          "must be an absolute http(s) URL; got %q",
		"err.param.project":      "must be a whole number; got %q",
		"err.param.best_before":  "must be a date and time such as 2026-12-31T23:59:59+00:00; got %q",
		"err.param.too_long":     "is longer than %d characters",
		"err.param.method.other": "%s (%s)",
		"err.nomethod.limits":    "The methods that take %s have amount limits this payment does not fit (the project's method settings: min_amount, max_amount).",
		"decline.20000":          "General decline",
		"decline.20101":          "Operation amount is great than max limit",
		"decline.20105":          "Insufficient funds on customer account",
		"decline.30000":          "Operation was declined by merchant",
		"decline.30302":          "Merchant did not respond during the operation confirmation process",
	},
	"es": {
		"skip":                   "Saltar al contenido",
		"copied":                 "Copiado",
		"layout.provider.before": "%s es una emulación del ",
		"layout.provider.link":   "sandbox de ecommpay",
		"layout.provider.after":  " para probar integraciones. No se realiza ningún pago real.",
		"layout.sandbox.before":  "El ",
		"layout.sandbox.link":    "sandbox de ecommpay",
		"layout.sandbox.after":   " emula la plataforma de pagos para probar integraciones. No se realiza ningún pago real.",
		"badge":                  "Sandbox",
		"badge.title":            "Este es el sandbox de ecommpay: no se mueve dinero real.",
		"brand.suffix":           "sandbox",
		"footer":                 "Pago de prueba en el sandbox de ecommpay. No se mueve dinero real.",
		"secure":                 "Página de pago segura",

		"order.title":    "Resumen del pedido",
		"order.merchant": "Comercio",
		"order.project":  "Proyecto %d",
		"order.payment":  "Pedido",
		"order.total":    "Total a pagar",
		"order.paid":     "Total pagado",
		"order.method":   "Método de pago",
		"order.open":     "Lo fijan tus cupones, en %s",

		"methods.title":    "Elige cómo pagar",
		"methods.lead":     "Elige un método de pago. Terminarás el pago con él en el siguiente paso.",
		"methods.legend":   "Métodos de pago",
		"methods.continue": "Continuar",
		"methods.none":     "Elige un método de pago para continuar.",

		"details.title":    "Tus datos",
		"details.confirm":  "Confirma tu pago",
		"details.lead":     "%s necesita algunos datos para emitir tu pago.",
		"details.ready":    "Todo está listo. Revisa el importe y paga con %s.",
		"details.with":     "Pagas con",
		"details.change":   "Cambiar",
		"details.pay":      "Pagar %s",
		"details.busy":     "Procesando…",
		"details.next":     "Te llevaremos a %s para terminar el pago.",
		"details.errors":   "Revisa los campos marcados",
		"details.required": "Obligatorio",

		"field.customer_first_name":          "Nombre",
		"field.customer_last_name":           "Apellidos",
		"field.customer_email":               "Correo electrónico",
		"field.customer_phone":               "Teléfono",
		"field.identify_doc_number":          "Número de documento de identidad",
		"field.customer_country":             "País",
		"field.customer_city":                "Ciudad",
		"field.customer_address":             "Dirección",
		"field.customer_zip":                 "Código postal",
		"field.customer_birthplace":          "Lugar de nacimiento",
		"hint.customer_email":                "Te enviamos el recibo a esta dirección.",
		"hint.customer_phone":                "Con el prefijo del país, por ejemplo +254 712 345 678.",
		"hint.identify_doc_number":           "Solo dígitos, tal como aparecen en tu documento.",
		"error.required":                     "Completa este campo.",
		"error.required.customer_first_name": "Introduce tu nombre.",
		"error.required.customer_last_name":  "Introduce tus apellidos.",
		"error.email":                        "Introduce un correo electrónico como nombre@ejemplo.com.",
		"error.sent":                         "La tienda envió un valor que no se puede usar.",
		"error.field":                        "%s",
		"error.required.customer_email":      "Introduce tu correo electrónico.",
		"error.required.customer_phone":      "Introduce tu número de teléfono.",
		"error.required.identify_doc_number": "Introduce el número de tu documento de identidad.",

		"processing.title": "Procesando tu pago",
		"processing.lead":  "Tarda unos segundos. No cierres esta página.",
		"processing.note":  "La página se actualiza sola.",
		"processing.check": "Comprobar de nuevo",

		"redirect.title":      "Te llevamos a %s",
		"redirect.lead":       "%s termina tu pago. Si no pasa nada en unos segundos, pulsa el botón.",
		"redirect.continue":   "Continuar a %s",
		"redirect.link.title": "Continúa en %s",
		"redirect.link.lead":  "Tu pago está listo en %s: sigue el enlace para terminarlo.",
		"redirect.link.go":    "Ir a %s",

		"result.success.title":    "Pago realizado",
		"result.success.lead":     "¡Gracias! Hemos recibido tu pago de %s. La tienda ya lo sabe.",
		"result.success.held":     "¡Gracias! Hemos recibido tu pago de %s.",
		"result.held":             "Sandbox: la tienda no se entera. El proyecto %d no tiene URL de callback, así que el callback del pago espera en el registro de entregas hasta que se le ponga una.",
		"result.held.console":     "Verlo en la consola de desarrollo",
		"result.decline.title":    "Pago rechazado",
		"result.decline.lead":     "Tu pago de %s no se ha realizado. No se te ha cobrado nada.",
		"result.decline.reason":   "Motivo",
		"result.pending.title":    "Tu pago te está esperando",
		"result.pending.lead":     "Termina tu pago de %s con %s. La tienda se entera en cuanto pagues.",
		"result.voucher.title":    "Paga tu cupón",
		"result.voucher.lead":     "Tu cupón de %s por %s está listo. Págalo en efectivo y la tienda se enterará al momento.",
		"result.voucher.ref":      "Referencia de pago",
		"result.voucher.until":    "Paga antes del",
		"result.voucher.bank":     "O en un banco hasta el",
		"result.voucher.open":     "Abrir el cupón",
		"result.voucher.copy":     "Copiar",
		"result.voucher.step1":    "Abre el cupón e imprímelo, o ten la referencia a mano.",
		"result.voucher.step2":    "Paga %s en efectivo en cualquier punto de pago %s antes del %s.",
		"result.voucher.step3":    "Guarda el recibo: la tienda confirma tu pedido en cuanto se entera.",
		"result.continue":         "Continuar a %s",
		"result.processing.title": "Confirmando tu pago",
		"result.processing.lead":  "%s está confirmando tu pago. Tarda unos segundos.",
		"result.refunded.title":   "Pago reembolsado",
		"result.refunded.lead":    "Tu pago de %s ha sido reembolsado.",
		"result.waiting.title":    "Esperando a la tienda",
		"result.waiting.lead":     "Tu pago de %s espera datos de la tienda. Puedes cerrar esta página.",
		"result.amount":           "Importe",
		"result.method":           "Pagado con",
		"result.date":             "Fecha",
		"result.payment":          "Pedido",
		"result.return":           "Volver a la tienda",
		"result.close":            "Puedes cerrar esta página.",

		"err.eyebrow":            "Error %d",
		"err.title":              "No se puede abrir este pago",
		"err.signature.title":    "La firma no coincide",
		"err.signature.lead":     "El sandbox firmó los parámetros de abajo con la clave secreta del proyecto %d (HMAC-SHA512, Base64) y obtuvo otra firma. Compara esta cadena con la que firma tu código: si son iguales, tu código firma con otra clave secreta que la del proyecto %[1]d.",
		"err.signature.signed":   "Cadena que firmó el sandbox",
		"err.signature.got":      "Firma recibida",
		"err.signature.space":    "La firma recibida contiene espacios: probablemente un \"+\" se decodificó como espacio. Codifica la firma para URL.",
		"err.unsigned.title":     "La solicitud no está firmada",
		"err.unsigned.lead":      "Añade el parámetro signature: el HMAC-SHA512 (Base64) de los parámetros, con la clave secreta del proyecto.",
		"err.missing.title":      "Faltan parámetros obligatorios",
		"err.missing.lead":       "El pago no puede empezar sin estos parámetros:",
		"err.malformed.title":    "Un parámetro tiene un valor no válido",
		"err.malformed.lead":     "Corrige estos parámetros y vuelve a firmar la solicitud:",
		"err.project.title":      "Proyecto desconocido",
		"err.project.lead":       "El proyecto %d no existe en este sandbox. Créalo con POST /sandbox/projects o el archivo de configuración, o usa el proyecto de demostración 1 (clave \"secret\").",
		"err.used.title":         "Este pago ya se realizó",
		"err.used.lead":          "El payment_id %q ya se usó en el proyecto %d. Cada pago necesita un payment_id nuevo.",
		"err.used.link":          "Ver ese pago",
		"err.expired.title":      "Este enlace de pago ha caducado",
		"err.expired.lead":       "El enlace era válido hasta %s (best_before); el reloj del sandbox marca %s. Pide a la tienda un enlace nuevo.",
		"err.nomethod.title":     "Ningún método de pago acepta %s",
		"err.nomethod.lead":      "Ninguno de los métodos del sandbox puede aceptar este pago. Estos son los métodos y las monedas que aceptan:",
		"err.nomethod.zero":      "Un importe de 0 solo se admite en métodos donde el cliente fija el importe (%s).",
		"err.nomethod.zero.none": "Un importe de 0 solo se admite en métodos donde el cliente fija el importe, y el sandbox no tiene ninguno.",
		"err.forced.title":       "%s no acepta %s",
		"err.forced.zero":        "force_payment_method eligió %s, que necesita un importe mayor que 0.",
		"err.force.title":        "Método de pago desconocido",
		"err.force.lead":         "force_payment_method es %q, que no es un método que emule el sandbox. Usa uno de:",
		"err.notfound.title":     "Pago no encontrado",
		"err.notfound.lead":      "No hay ningún pago de Payment Page %q en el proyecto %d.",
		"err.internal.title":     "Algo ha fallado en el sandbox",
		"err.internal.lead":      "El sandbox no pudo atender esta solicitud. Su registro da más detalles.",
		"err.nopage.title":       "Aquí no hay ninguna página",
		"err.request.title":      "El sandbox no puede atender esta solicitud",
		"err.engine.title":       "El sandbox rechazó este pago",
		"err.engine.lead":        "El sandbox no pudo seguir con este pago. La línea de abajo dice por qué, en inglés, para quien desarrolla la tienda.",
		"err.home":               "Inicio del sandbox",
		"status.400":             "Solicitud incorrecta",
		"status.404":             "No encontrado",
		"status.409":             "Conflicto",
		"status.422":             "Datos no válidos",
		"status.500":             "Error interno",
		"err.back":               "Volver a la tienda",
		"err.param.missing":      "falta %s",
		"err.param.amount":       "debe ser un número entero de unidades menores, como 10000 para 100.00; se recibió %q",
		"err.param.amount.max":   "debe ser como máximo %d unidades menores, lo más que puede tener un pago: las notificaciones llevan el importe como número JSON, y ese es el mayor número entero que JavaScript lee con exactitud; se recibió %q",
		"err.param.currency":     "debe ser un código ISO 4217 de tres letras como USD; se recibió %q",
		"err.param.url":          "debe ser una URL http(s) absoluta; se recibió %q",
		"err.param.project":      "debe ser un número entero; se recibió %q",
		"err.param.best_before":  "debe ser una fecha y hora como 2026-12-31T23:59:59+00:00; se recibió %q",
		"err.param.too_long":     "tiene más de %d caracteres",
		"err.param.method.other": "%s (%s)",
		"err.nomethod.limits":    "Los métodos que aceptan %s tienen límites de importe que este pago no cumple (los ajustes de método del proyecto: min_amount, max_amount).",
		"decline.20000":          "Rechazo general",
		"decline.20101":          "El importe supera el máximo del método de pago",
		"decline.20105":          "Fondos insuficientes en la cuenta del cliente",
		"decline.30000":          "El comercio rechazó la operación",
		"decline.30302":          "El comercio no respondió a la confirmación de la operación",
	},
	"pt": {
		"skip":                   "Pular para o conteúdo",
		"copied":                 "Copiado",
		"layout.provider.before": "%s é emulado pelo ",
		"layout.provider.link":   "sandbox da ecommpay",
		"layout.provider.after":  " para testar integrações. Nenhum pagamento real é feito.",
		"layout.sandbox.before":  "O ",
		"layout.sandbox.link":    "sandbox da ecommpay",
		"layout.sandbox.after":   " emula a plataforma de pagamentos para testar integrações. Nenhum pagamento real é feito.",
		"badge":                  "Sandbox",
		"badge.title":            "Este é o sandbox da ecommpay: nenhum dinheiro real é movimentado.",
		"brand.suffix":           "sandbox",
		"footer":                 "Pagamento de teste no sandbox da ecommpay. Nenhum dinheiro real é movimentado.",
		"secure":                 "Página de pagamento segura",

		"order.title":    "Resumo do pedido",
		"order.merchant": "Loja",
		"order.project":  "Projeto %d",
		"order.payment":  "Pedido",
		"order.total":    "Total a pagar",
		"order.paid":     "Total pago",
		"order.method":   "Forma de pagamento",
		"order.open":     "Definido pelos seus vouchers, em %s",

		"methods.title":    "Escolha como pagar",
		"methods.lead":     "Escolha uma forma de pagamento. Você conclui o pagamento com ela na próxima etapa.",
		"methods.legend":   "Formas de pagamento",
		"methods.continue": "Continuar",
		"methods.none":     "Escolha uma forma de pagamento para continuar.",

		"details.title":    "Seus dados",
		"details.confirm":  "Confirme seu pagamento",
		"details.lead":     "%s precisa de alguns dados para emitir seu pagamento.",
		"details.ready":    "Tudo pronto. Confira o valor e pague com %s.",
		"details.with":     "Pagando com",
		"details.change":   "Alterar",
		"details.pay":      "Pagar %s",
		"details.busy":     "Processando…",
		"details.next":     "Você será levado a %s para concluir o pagamento.",
		"details.errors":   "Confira os campos destacados",
		"details.required": "Obrigatório",

		"field.customer_first_name":          "Nome",
		"field.customer_last_name":           "Sobrenome",
		"field.customer_email":               "E-mail",
		"field.customer_phone":               "Telefone",
		"field.identify_doc_number":          "Número do documento de identidade",
		"field.customer_country":             "País",
		"field.customer_city":                "Cidade",
		"field.customer_address":             "Endereço",
		"field.customer_zip":                 "CEP",
		"field.customer_birthplace":          "Local de nascimento",
		"hint.customer_email":                "Enviamos o comprovante para este endereço.",
		"hint.customer_phone":                "Com o código do país, por exemplo +254 712 345 678.",
		"hint.identify_doc_number":           "Somente dígitos, como no seu documento.",
		"error.required":                     "Preencha este campo.",
		"error.required.customer_first_name": "Informe seu nome.",
		"error.required.customer_last_name":  "Informe seu sobrenome.",
		"error.email":                        "Informe um e-mail como nome@exemplo.com.",
		"error.sent":                         "A loja enviou um valor que não pode ser usado.",
		"error.field":                        "%s",
		"error.required.customer_email":      "Informe seu e-mail.",
		"error.required.customer_phone":      "Informe seu telefone.",
		"error.required.identify_doc_number": "Informe o número do seu documento de identidade.",

		"processing.title": "Processando seu pagamento",
		"processing.lead":  "Isso leva alguns segundos. Mantenha esta página aberta.",
		"processing.note":  "A página se atualiza sozinha.",
		"processing.check": "Verificar de novo",

		"redirect.title":      "Levando você para %s",
		"redirect.lead":       "%s conclui seu pagamento. Se nada acontecer em alguns segundos, clique no botão.",
		"redirect.continue":   "Continuar para %s",
		"redirect.link.title": "Continue em %s",
		"redirect.link.lead":  "Seu pagamento está pronto em %s: siga o link para concluí-lo.",
		"redirect.link.go":    "Ir para %s",

		"result.success.title":    "Pagamento aprovado",
		"result.success.lead":     "Obrigado! Recebemos seu pagamento de %s. A loja já foi avisada.",
		"result.success.held":     "Obrigado! Recebemos seu pagamento de %s.",
		"result.held":             "Sandbox: a loja não é avisada. O projeto %d não tem URL de callback, então o callback do pagamento espera no registro de entregas até que uma seja definida.",
		"result.held.console":     "Ver no console de desenvolvimento",
		"result.decline.title":    "Pagamento recusado",
		"result.decline.lead":     "Seu pagamento de %s não foi concluído. Nada foi cobrado.",
		"result.decline.reason":   "Motivo",
		"result.pending.title":    "Seu pagamento está esperando por você",
		"result.pending.lead":     "Conclua seu pagamento de %s com %s. A loja é avisada assim que você pagar.",
		"result.voucher.title":    "Pague seu voucher",
		"result.voucher.lead":     "Seu voucher %s de %s está pronto. Pague em dinheiro e a loja é avisada na hora.",
		"result.voucher.ref":      "Código de pagamento",
		"result.voucher.until":    "Pague até",
		"result.voucher.bank":     "Ou em um banco até",
		"result.voucher.open":     "Abrir o voucher",
		"result.voucher.copy":     "Copiar",
		"result.voucher.step1":    "Abra o voucher e imprima, ou tenha o código em mãos.",
		"result.voucher.step2":    "Pague %s em dinheiro em qualquer ponto de pagamento %s até %s.",
		"result.voucher.step3":    "Guarde o comprovante: a loja confirma seu pedido assim que for avisada.",
		"result.continue":         "Continuar para %s",
		"result.processing.title": "Confirmando seu pagamento",
		"result.processing.lead":  "%s está confirmando seu pagamento. Isso leva alguns segundos.",
		"result.refunded.title":   "Pagamento reembolsado",
		"result.refunded.lead":    "Seu pagamento de %s foi reembolsado.",
		"result.waiting.title":    "Aguardando a loja",
		"result.waiting.lead":     "Seu pagamento de %s aguarda dados da loja. Você pode fechar esta página.",
		"result.amount":           "Valor",
		"result.method":           "Pago com",
		"result.date":             "Data",
		"result.payment":          "Pedido",
		"result.return":           "Voltar para a loja",
		"result.close":            "Você pode fechar esta página.",

		"err.eyebrow":            "Erro %d",
		"err.title":              "Não é possível abrir este pagamento",
		"err.signature.title":    "A assinatura não confere",
		"err.signature.lead":     "O sandbox assinou os parâmetros abaixo com a chave secreta do projeto %d (HMAC-SHA512, Base64) e obteve outra assinatura. Compare esta string com a que o seu código assina: se forem iguais, o seu código assina com outra chave secreta que não a do projeto %[1]d.",
		"err.signature.signed":   "String que o sandbox assinou",
		"err.signature.got":      "Assinatura recebida",
		"err.signature.space":    "A assinatura recebida contém espaços: provavelmente um \"+\" foi decodificado como espaço. Codifique a assinatura para URL.",
		"err.unsigned.title":     "A solicitação não está assinada",
		"err.unsigned.lead":      "Adicione o parâmetro signature: o HMAC-SHA512 (Base64) dos parâmetros, com a chave secreta do projeto.",
		"err.missing.title":      "Faltam parâmetros obrigatórios",
		"err.missing.lead":       "O pagamento não pode começar sem estes parâmetros:",
		"err.malformed.title":    "Um parâmetro tem um valor inválido",
		"err.malformed.lead":     "Corrija estes parâmetros e assine a solicitação de novo:",
		"err.project.title":      "Projeto desconhecido",
		"err.project.lead":       "O projeto %d não existe neste sandbox. Crie-o com POST /sandbox/projects ou o arquivo de configuração, ou use o projeto de demonstração 1 (chave \"secret\").",
		"err.used.title":         "Este pagamento já foi feito",
		"err.used.lead":          "O payment_id %q já foi usado no projeto %d. Cada pagamento precisa de um payment_id novo.",
		"err.used.link":          "Ver esse pagamento",
		"err.expired.title":      "Este link de pagamento expirou",
		"err.expired.lead":       "O link valia até %s (best_before); o relógio do sandbox marca %s. Peça um novo link à loja.",
		"err.nomethod.title":     "Nenhuma forma de pagamento aceita %s",
		"err.nomethod.lead":      "Nenhuma forma de pagamento do sandbox aceita este pagamento. Estas são as formas e as moedas que aceitam:",
		"err.nomethod.zero":      "Um valor 0 só é permitido em formas em que o cliente define o valor (%s).",
		"err.nomethod.zero.none": "Um valor 0 só é permitido em formas em que o cliente define o valor, e o sandbox não tem nenhuma.",
		"err.forced.title":       "%s não aceita %s",
		"err.forced.zero":        "force_payment_method escolheu %s, que precisa de um valor maior que 0.",
		"err.force.title":        "Forma de pagamento desconhecida",
		"err.force.lead":         "force_payment_method é %q, que não é uma forma que o sandbox emula. Use uma destas:",
		"err.notfound.title":     "Pagamento não encontrado",
		"err.notfound.lead":      "Não há pagamento de Payment Page %q no projeto %d.",
		"err.internal.title":     "Algo deu errado no sandbox",
		"err.internal.lead":      "O sandbox não conseguiu atender esta solicitação. O log dele tem mais detalhes.",
		"err.nopage.title":       "Não há nenhuma página aqui",
		"err.request.title":      "O sandbox não pode atender esta solicitação",
		"err.engine.title":       "O sandbox recusou este pagamento",
		"err.engine.lead":        "O sandbox não pôde continuar com este pagamento. A linha abaixo diz por quê, em inglês, para quem desenvolve a loja.",
		"err.home":               "Início do sandbox",
		"status.400":             "Solicitação inválida",
		"status.404":             "Não encontrado",
		"status.409":             "Conflito",
		"status.422":             "Dados inválidos",
		"status.500":             "Erro interno",
		"err.back":               "Voltar para a loja",
		"err.param.missing":      "%s está faltando",
		"err.param.amount":       "deve ser um número inteiro de centavos, como 10000 para 100.00; recebido %q",
		"err.param.amount.max":   "deve ser no máximo %d centavos, o máximo que um pagamento pode ter: as notificações levam o valor como número JSON, e esse é o maior número inteiro que o JavaScript lê com exatidão; recebido %q",
		"err.param.currency":     "deve ser um código ISO 4217 de três letras como USD; recebido %q",
		"err.param.url":          "deve ser uma URL http(s) absoluta; recebido %q",
		"err.param.project":      "deve ser um número inteiro; recebido %q",
		"err.param.best_before":  "deve ser uma data e hora como 2026-12-31T23:59:59+00:00; recebido %q",
		"err.param.too_long":     "tem mais de %d caracteres",
		"err.param.method.other": "%s (%s)",
		"err.nomethod.limits":    "As formas que aceitam %s têm limites de valor que este pagamento não atende (as configurações de forma do projeto: min_amount, max_amount).",
		"decline.20000":          "Recusa geral",
		"decline.20101":          "O valor excede o máximo da forma de pagamento",
		"decline.20105":          "Saldo insuficiente na conta do cliente",
		"decline.30000":          "A loja recusou a operação",
		"decline.30302":          "A loja não respondeu à confirmação da operação",
	},
}
