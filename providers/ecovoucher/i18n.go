package ecovoucher

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// text is the translator of pay's pages: the customer's language (the
// Payment Page's language_code), with the pages' words. The sandbox's
// wallet of test vouchers stays in English.
func text(pay *platform.Payment) web.Translator {
	return web.NewTranslator(pay.Language).With(words)
}

// browserText is the translator of a page that knows no payment yet (a
// redirect it cannot read, an unknown transaction): the browser's
// language (Accept-Language), else English.
func browserText(c echo.Context) web.Translator {
	return web.NewTranslator(web.BrowserLanguage(c.Request())).With(words)
}

// phrase is a sentence of the EcoVoucher pages in any language: a key of
// words and its arguments. It is an error too, in English, so that a
// reason reaches the control API and the pages alike.
type phrase struct {
	key  string
	args []any
}

// say returns the phrase key with args.
func say(key string, args ...any) phrase { return phrase{key: key, args: args} }

// whyNot is the phrase an error carries, or the error's own text.
func whyNot(err error) phrase {
	var p phrase
	if errors.As(err, &p) {
		return p
	}
	return say("eco.refuse.other", err)
}

// In writes p in t's language as a sentence; a moment is written as the
// reader's language writes dates.
func (p phrase) In(t web.Translator) string { return platform.Sentence(p.words(t)) }

// words writes p in t's language as it is, not made a sentence.
func (p phrase) words(t web.Translator) string {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		if at, ok := a.(time.Time); ok {
			a = t.Date(at)
		}
		args[i] = a
	}
	return t.T(p.key, args...)
}

// String writes p in English, as the control API says it: a moment as
// "2026-03-02 09:30 UTC".
func (p phrase) String() string {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		if at, ok := a.(time.Time); ok {
			a = stamp(at)
		}
		args[i] = a
	}
	return fmt.Sprintf(words[web.DefaultLanguage][p.key], args...)
}

// Error is p in English.
func (p phrase) Error() string { return p.String() }

// Words returns the strings of the EcoVoucher pages, for tests that check
// every language has them all.
func Words() web.Catalog { return words }

// FaceList writes the face values vouchers come in: "$10.00, $15.00, …".
func (p EcoVoucherPage) FaceList() string {
	out := make([]string, len(p.FaceValues))
	for i, f := range p.FaceValues {
		out[i] = web.FormatMoneySymbol(f)
	}
	return strings.Join(out, ", ")
}

// words are the strings of the EcoVoucher pages in every language the
// Payment Page speaks.
var words = web.Catalog{
	"en": {
		"eco.err.notfound.empty":    "The link names no EcoVoucher transaction (tx). Go back to the shop and start the payment again.",
		"eco.err.notfound.title":    "Payment not found",
		"eco.err.notfound.text":     "No EcoVoucher payment has the transaction number %s. Go back to the shop and start the payment again.",
		"eco.err.redirect.title":    "This is not an EcoVoucher redirect",
		"eco.err.redirect.json":     "The body is not the JSON object of redirect_data.body: %s. Post the fields of redirect_data.body as a form or as JSON.",
		"eco.err.redirect.form":     "The form cannot be read: %s",
		"eco.err.redirect.fields":   "The EcoVoucher page opens with the fields of redirect_data.body (PaymentPageID, …, TxID, Checksum), posted to redirect_data.url by the shop's page.",
		"eco.err.redirect.received": "fields received: %s",
		"eco.err.redirect.none":     "none",
		"eco.err.changed.title":     "The redirect to EcoVoucher was changed",
		"eco.err.changed.text":      "Post every field of redirect_data.body to redirect_data.url exactly as the sandbox sent it: the Checksum covers them all.",
		"eco.err.changed.field":     "%s is %q; the sandbox sent %q",
		"eco.err.changed.missing":   "missing: %s",
		"eco.err.action":            "Unknown action",
		"eco.err.action.text":       "The page cannot %q: pay, cancel, add a voucher or use one from the wallet.",
		"eco.err.wallet":            "Not a wallet voucher",
		"eco.err.wallet.text":       "The wallet has no %s voucher %s.",
		"eco.err.nowallet":          "No test vouchers left",
		"eco.notice.already":        "Voucher %s is already in the form.",
		"eco.notice.used":           "The %s voucher %s is in the form as voucher %d.",
		"eco.notice.filled.one":     "A test voucher worth %s is in the form.",
		"eco.notice.filled":         "%d test vouchers worth %s are in the form.",
		"eco.refuse.sent":           "your vouchers were already sent; the payment waits for the shop's confirmation",
		"eco.refuse.paid":           "this payment was already paid; there is nothing left to pay",
		"eco.refuse.declined":       "this payment was declined; go back to the shop to start a new one",
		"eco.refuse.status":         "this payment is %s; it takes no vouchers",
		"eco.refuse.session":        "your EcoVoucher session ended at %s; go back to the shop to start a new payment",
		"eco.refuse.testvouchers":   "the sandbox cannot pay with test vouchers: %v",
		"eco.refuse.other":          "%v",
		"eco.refuse.none":           "enter at least one voucher: its number, security code and expiry date",
		"eco.refuse.many":           "a payment takes at most %d vouchers; you entered %d",
		"eco.refuse.twice":          "you entered voucher %s twice (vouchers %d and %d); each voucher pays once",
		"eco.refuse.code.empty":     "enter the 4-digit security code of voucher %s",
		"eco.refuse.code.wrong":     "the security code does not match voucher %s; check the code on the voucher",
		"eco.refuse.expiry.empty":   "enter the expiry date of voucher %s as MM/YY",
		"eco.refuse.expiry.format":  "write the expiry date of voucher %s as MM/YY, for example %s; %q is not a date",
		"eco.refuse.expiry.wrong":   "the expiry date does not match voucher %s; check the date on the voucher",
		"eco.refuse.currency":       "voucher %s is in %s, but this payment is in %s; use a %s voucher",
		"eco.refuse.used":           "voucher %s was already used: a voucher pays only once; use another one",
		"eco.refuse.sum":            "your vouchers add up to %s, but the shop asks for %s; add or remove vouchers so that they make exactly %s",
		"eco.refuse.max":            "your vouchers add up to %s, above the shop's limit of %s for one payment",
		"eco.refuse.min":            "your vouchers add up to %s, below the shop's minimum of %s for one payment",
		"eco.number.empty":          "enter the %d-digit voucher number",
		"eco.number.digits":         "a voucher number has digits only; %q has other characters",
		"eco.number.length":         "a voucher number has %d digits; %s has %d",
		"eco.number.luhn":           "%s is not a valid voucher number: a digit is wrong or two are swapped",
		"eco.number.unknown":        "no EcoVoucher has the number %s; check the number on your voucher",
		"eco.title.open":            "Pay with ecoVoucher",
		"eco.title.amount":          "Pay %s with ecoVoucher",
		"eco.eyebrow":               "ecoVoucher payment",
		"eco.session_ends":          "Session ends",
		"eco.choose_amount":         "Choose your amount",
		"eco.amount":                "Amount to pay:",
		"eco.project":               "Project %d",
		"eco.order":                 "order",
		"eco.intro.open":            "The shop lets your vouchers set the amount: enter one or more %s ecoVouchers and you pay what they add up to.",
		"eco.intro.amount":          "Enter one or more %s ecoVouchers that add up to exactly %s.",
		"eco.faces":                 "Vouchers come in %s.",
		"eco.voucher_n":             "Voucher %d",
		"eco.remove":                "Remove",
		"eco.remove.which":          "voucher %d",
		"eco.number":                "Voucher number",
		"eco.number.placeholder":    "16 digits",
		"eco.number.hint":           "16 digits; spaces do not matter.",
		"eco.code":                  "Security code",
		"eco.code.placeholder":      "4 digits",
		"eco.expiry":                "Expiry date",
		"eco.expiry.placeholder":    "MM/YY",
		"eco.add":                   "+ Add another voucher",
		"eco.yours":                 "Your vouchers",
		"eco.asks":                  "The shop asks for",
		"eco.missing":               "Still missing",
		"eco.pay.short":             "Pay",
		"eco.pay.open":              "Pay with these vouchers",
		"eco.pay":                   "Pay %s",
		"eco.cancel":                "Cancel and return to the shop",
		"eco.confirm_note":          "The shop confirms the amount before your vouchers are redeemed.",
		"eco.err.enter":             "Enter a voucher",
		"eco.err.enter.text":        "Enter the number, security code and expiry date of at least one ecoVoucher, or use one from the wallet.",
		"eco.err.session":           "Session ended",
		"eco.err.check":             "Check your vouchers",
		"eco.err.refused":           "Voucher %d was refused",
		"eco.nothing_charged":       "Nothing was charged.",
		"eco.err.full":              "The form is full",
		"eco.err.full.text":         "A payment takes at most %d vouchers.",
		"eco.result.success":        "Payment complete",
		"eco.result.decline":        "Payment declined",
		"eco.result.processing":     "Waiting for the shop",
		"eco.paid_on":               "Paid with ecoVoucher on %s",
		"eco.declined_on":           "Declined on %s",
		"eco.confirming":            "The shop is confirming the amount",
		"eco.code_n":                "(code %s)",
		"eco.not_redeemed":          "Your vouchers were not redeemed.",
		"eco.sent":                  "Your vouchers were sent; the shop has yet to confirm the amount. This page shows the result once it has.",
		"eco.for":                   "For",
		"eco.vouchers":              "Vouchers",
		"eco.ref":                   "EcoVoucher reference",
		"eco.shop_order":            "Shop · order",
		"eco.back":                  "Back to the shop",
		"eco.check_again":           "Check again",
	},
	"es": {
		"eco.err.notfound.empty":    "El enlace no indica ninguna transacción de EcoVoucher (tx). Vuelve a la tienda y empieza el pago de nuevo.",
		"eco.err.notfound.title":    "Pago no encontrado",
		"eco.err.notfound.text":     "Ningún pago de EcoVoucher tiene el número de transacción %s. Vuelve a la tienda y empieza el pago de nuevo.",
		"eco.err.redirect.title":    "Esto no es una redirección a EcoVoucher",
		"eco.err.redirect.json":     "El cuerpo no es el objeto JSON de redirect_data.body: %s. Envía los campos de redirect_data.body como formulario o como JSON.",
		"eco.err.redirect.form":     "No se puede leer el formulario: %s",
		"eco.err.redirect.fields":   "La página de EcoVoucher se abre con los campos de redirect_data.body (PaymentPageID, …, TxID, Checksum), que la página de la tienda envía a redirect_data.url.",
		"eco.err.redirect.received": "campos recibidos: %s",
		"eco.err.redirect.none":     "ninguno",
		"eco.err.changed.title":     "La redirección a EcoVoucher fue modificada",
		"eco.err.changed.text":      "Envía cada campo de redirect_data.body a redirect_data.url tal como lo envió el sandbox: el Checksum los cubre todos.",
		"eco.err.changed.field":     "%s es %q; el sandbox envió %q",
		"eco.err.changed.missing":   "faltan: %s",
		"eco.err.action":            "Acción desconocida",
		"eco.err.action.text":       "La página no sabe hacer %q: paga, cancela, añade un cupón o usa uno de la cartera.",
		"eco.err.wallet":            "No es un cupón de la cartera",
		"eco.err.wallet.text":       "La cartera no tiene ningún cupón en %s con el número %s.",
		"eco.err.nowallet":          "No quedan cupones de prueba",
		"eco.notice.already":        "El cupón %s ya está en el formulario.",
		"eco.notice.used":           "El cupón de %s %s está en el formulario como cupón %d.",
		"eco.notice.filled.one":     "Un cupón de prueba por %s está en el formulario.",
		"eco.notice.filled":         "%d cupones de prueba por %s están en el formulario.",
		"eco.refuse.sent":           "tus cupones ya se enviaron; el pago espera la confirmación de la tienda",
		"eco.refuse.paid":           "este pago ya está pagado; no queda nada por pagar",
		"eco.refuse.declined":       "este pago fue rechazado; vuelve a la tienda para empezar uno nuevo",
		"eco.refuse.status":         "este pago está en estado %s; no admite cupones",
		"eco.refuse.session":        "tu sesión de EcoVoucher terminó el %s; vuelve a la tienda para empezar un pago nuevo",
		"eco.refuse.testvouchers":   "el sandbox no puede pagar con cupones de prueba: %v",
		"eco.refuse.other":          "%v",
		"eco.refuse.none":           "introduce al menos un cupón: su número, código de seguridad y fecha de caducidad",
		"eco.refuse.many":           "un pago admite como máximo %d cupones; introdujiste %d",
		"eco.refuse.twice":          "introdujiste el cupón %s dos veces (cupones %d y %d); cada cupón paga una sola vez",
		"eco.refuse.code.empty":     "introduce el código de seguridad de 4 dígitos del cupón %s",
		"eco.refuse.code.wrong":     "el código de seguridad no corresponde al cupón %s; revisa el código del cupón",
		"eco.refuse.expiry.empty":   "introduce la fecha de caducidad del cupón %s como MM/AA",
		"eco.refuse.expiry.format":  "escribe la fecha de caducidad del cupón %s como MM/AA, por ejemplo %s; %q no es una fecha",
		"eco.refuse.expiry.wrong":   "la fecha de caducidad no corresponde al cupón %s; revisa la fecha del cupón",
		"eco.refuse.currency":       "el cupón %s está en %s, pero este pago es en %s; usa un cupón en %s",
		"eco.refuse.used":           "el cupón %s ya se usó: un cupón paga una sola vez; usa otro",
		"eco.refuse.sum":            "tus cupones suman %s, pero la tienda pide %s; añade o quita cupones para que sumen exactamente %s",
		"eco.refuse.max":            "tus cupones suman %s, más que el límite de la tienda de %s por pago",
		"eco.refuse.min":            "tus cupones suman %s, menos que el mínimo de la tienda de %s por pago",
		"eco.number.empty":          "introduce el número de cupón de %d dígitos",
		"eco.number.digits":         "un número de cupón solo tiene dígitos; %q tiene otros caracteres",
		"eco.number.length":         "un número de cupón tiene %d dígitos; %s tiene %d",
		"eco.number.luhn":           "%s no es un número de cupón válido: un dígito está mal o hay dos intercambiados",
		"eco.number.unknown":        "ningún EcoVoucher tiene el número %s; revisa el número de tu cupón",
		"eco.title.open":            "Pagar con ecoVoucher",
		"eco.title.amount":          "Pagar %s con ecoVoucher",
		"eco.eyebrow":               "Pago con ecoVoucher",
		"eco.session_ends":          "La sesión termina",
		"eco.choose_amount":         "Elige tu importe",
		"eco.amount":                "Importe a pagar:",
		"eco.project":               "Proyecto %d",
		"eco.order":                 "pedido",
		"eco.intro.open":            "La tienda deja que tus cupones fijen el importe: introduce uno o más ecoVouchers en %s y pagas lo que sumen.",
		"eco.intro.amount":          "Introduce uno o más ecoVouchers en %s que sumen exactamente %s.",
		"eco.faces":                 "Los cupones son de %s.",
		"eco.voucher_n":             "Cupón %d",
		"eco.remove":                "Quitar",
		"eco.remove.which":          "el cupón %d",
		"eco.number":                "Número del cupón",
		"eco.number.placeholder":    "16 dígitos",
		"eco.number.hint":           "16 dígitos; los espacios no importan.",
		"eco.code":                  "Código de seguridad",
		"eco.code.placeholder":      "4 dígitos",
		"eco.expiry":                "Fecha de caducidad",
		"eco.expiry.placeholder":    "MM/AA",
		"eco.add":                   "+ Añadir otro cupón",
		"eco.yours":                 "Tus cupones",
		"eco.asks":                  "La tienda pide",
		"eco.missing":               "Falta",
		"eco.pay.short":             "Pagar",
		"eco.pay.open":              "Pagar con estos cupones",
		"eco.pay":                   "Pagar %s",
		"eco.cancel":                "Cancelar y volver a la tienda",
		"eco.confirm_note":          "La tienda confirma el importe antes de canjear tus cupones.",
		"eco.err.enter":             "Introduce un cupón",
		"eco.err.enter.text":        "Introduce el número, el código de seguridad y la fecha de caducidad de al menos un ecoVoucher, o usa uno del monedero.",
		"eco.err.session":           "La sesión terminó",
		"eco.err.check":             "Revisa tus cupones",
		"eco.err.refused":           "El cupón %d fue rechazado",
		"eco.nothing_charged":       "No se te ha cobrado nada.",
		"eco.err.full":              "El formulario está lleno",
		"eco.err.full.text":         "Un pago admite como máximo %d cupones.",
		"eco.result.success":        "Pago completado",
		"eco.result.decline":        "Pago rechazado",
		"eco.result.processing":     "Esperando a la tienda",
		"eco.paid_on":               "Pagado con ecoVoucher el %s",
		"eco.declined_on":           "Rechazado el %s",
		"eco.confirming":            "La tienda está confirmando el importe",
		"eco.code_n":                "(código %s)",
		"eco.not_redeemed":          "Tus cupones no se canjearon.",
		"eco.sent":                  "Tus cupones se enviaron; la tienda aún debe confirmar el importe. Esta página muestra el resultado en cuanto lo haga.",
		"eco.for":                   "Concepto",
		"eco.vouchers":              "Cupones",
		"eco.ref":                   "Referencia de EcoVoucher",
		"eco.shop_order":            "Tienda · pedido",
		"eco.back":                  "Volver a la tienda",
		"eco.check_again":           "Comprobar de nuevo",
	},
	"pt": {
		"eco.err.notfound.empty":    "O link não indica nenhuma transação EcoVoucher (tx). Volte à loja e inicie o pagamento de novo.",
		"eco.err.notfound.title":    "Pagamento não encontrado",
		"eco.err.notfound.text":     "Nenhum pagamento EcoVoucher tem o número de transação %s. Volte à loja e inicie o pagamento de novo.",
		"eco.err.redirect.title":    "Isto não é um redirecionamento para o EcoVoucher",
		"eco.err.redirect.json":     "O corpo não é o objeto JSON de redirect_data.body: %s. Envie os campos de redirect_data.body como formulário ou como JSON.",
		"eco.err.redirect.form":     "Não é possível ler o formulário: %s",
		"eco.err.redirect.fields":   "A página do EcoVoucher abre com os campos de redirect_data.body (PaymentPageID, …, TxID, Checksum), que a página da loja envia para redirect_data.url.",
		"eco.err.redirect.received": "campos recebidos: %s",
		"eco.err.redirect.none":     "nenhum",
		"eco.err.changed.title":     "O redirecionamento para o EcoVoucher foi alterado",
		"eco.err.changed.text":      "Envie cada campo de redirect_data.body para redirect_data.url exatamente como o sandbox enviou: o Checksum cobre todos eles.",
		"eco.err.changed.field":     "%s é %q; o sandbox enviou %q",
		"eco.err.changed.missing":   "faltando: %s",
		"eco.err.action":            "Ação desconhecida",
		"eco.err.action.text":       "A página não sabe fazer %q: pague, cancele, adicione um voucher ou use um da carteira.",
		"eco.err.wallet":            "Não é um voucher da carteira",
		"eco.err.wallet.text":       "A carteira não tem nenhum voucher em %s com o número %s.",
		"eco.err.nowallet":          "Não há mais vouchers de teste",
		"eco.notice.already":        "O voucher %s já está no formulário.",
		"eco.notice.used":           "O voucher de %s %s está no formulário como voucher %d.",
		"eco.notice.filled.one":     "Um voucher de teste no valor de %s está no formulário.",
		"eco.notice.filled":         "%d vouchers de teste no valor de %s estão no formulário.",
		"eco.refuse.sent":           "seus vouchers já foram enviados; o pagamento aguarda a confirmação da loja",
		"eco.refuse.paid":           "este pagamento já foi pago; não há mais nada a pagar",
		"eco.refuse.declined":       "este pagamento foi recusado; volte à loja para iniciar um novo",
		"eco.refuse.status":         "este pagamento está com status %s; ele não aceita vouchers",
		"eco.refuse.session":        "sua sessão EcoVoucher terminou em %s; volte à loja para iniciar um novo pagamento",
		"eco.refuse.testvouchers":   "o sandbox não consegue pagar com vouchers de teste: %v",
		"eco.refuse.other":          "%v",
		"eco.refuse.none":           "informe pelo menos um voucher: número, código de segurança e data de validade",
		"eco.refuse.many":           "um pagamento aceita no máximo %d vouchers; você informou %d",
		"eco.refuse.twice":          "você informou o voucher %s duas vezes (vouchers %d e %d); cada voucher paga uma só vez",
		"eco.refuse.code.empty":     "informe o código de segurança de 4 dígitos do voucher %s",
		"eco.refuse.code.wrong":     "o código de segurança não corresponde ao voucher %s; confira o código no voucher",
		"eco.refuse.expiry.empty":   "informe a data de validade do voucher %s como MM/AA",
		"eco.refuse.expiry.format":  "escreva a data de validade do voucher %s como MM/AA, por exemplo %s; %q não é uma data",
		"eco.refuse.expiry.wrong":   "a data de validade não corresponde ao voucher %s; confira a data no voucher",
		"eco.refuse.currency":       "o voucher %s está em %s, mas este pagamento é em %s; use um voucher em %s",
		"eco.refuse.used":           "o voucher %s já foi usado: um voucher paga uma só vez; use outro",
		"eco.refuse.sum":            "seus vouchers somam %s, mas a loja pede %s; adicione ou remova vouchers para que somem exatamente %s",
		"eco.refuse.max":            "seus vouchers somam %s, acima do limite da loja de %s por pagamento",
		"eco.refuse.min":            "seus vouchers somam %s, abaixo do mínimo da loja de %s por pagamento",
		"eco.number.empty":          "informe o número do voucher de %d dígitos",
		"eco.number.digits":         "um número de voucher tem só dígitos; %q tem outros caracteres",
		"eco.number.length":         "um número de voucher tem %d dígitos; %s tem %d",
		"eco.number.luhn":           "%s não é um número de voucher válido: um dígito está errado ou dois estão trocados",
		"eco.number.unknown":        "nenhum EcoVoucher tem o número %s; confira o número no seu voucher",
		"eco.title.open":            "Pagar com ecoVoucher",
		"eco.title.amount":          "Pagar %s com ecoVoucher",
		"eco.eyebrow":               "Pagamento com ecoVoucher",
		"eco.session_ends":          "A sessão termina",
		"eco.choose_amount":         "Escolha o valor",
		"eco.amount":                "Valor a pagar:",
		"eco.project":               "Projeto %d",
		"eco.order":                 "pedido",
		"eco.intro.open":            "A loja deixa seus vouchers definirem o valor: informe um ou mais ecoVouchers em %s e você paga o que eles somarem.",
		"eco.intro.amount":          "Informe um ou mais ecoVouchers em %s que somem exatamente %s.",
		"eco.faces":                 "Os vouchers são de %s.",
		"eco.voucher_n":             "Voucher %d",
		"eco.remove":                "Remover",
		"eco.remove.which":          "o voucher %d",
		"eco.number":                "Número do voucher",
		"eco.number.placeholder":    "16 dígitos",
		"eco.number.hint":           "16 dígitos; os espaços não importam.",
		"eco.code":                  "Código de segurança",
		"eco.code.placeholder":      "4 dígitos",
		"eco.expiry":                "Validade",
		"eco.expiry.placeholder":    "MM/AA",
		"eco.add":                   "+ Adicionar outro voucher",
		"eco.yours":                 "Seus vouchers",
		"eco.asks":                  "A loja pede",
		"eco.missing":               "Faltam",
		"eco.pay.short":             "Pagar",
		"eco.pay.open":              "Pagar com estes vouchers",
		"eco.pay":                   "Pagar %s",
		"eco.cancel":                "Cancelar e voltar à loja",
		"eco.confirm_note":          "A loja confirma o valor antes de seus vouchers serem resgatados.",
		"eco.err.enter":             "Informe um voucher",
		"eco.err.enter.text":        "Informe o número, o código de segurança e a validade de pelo menos um ecoVoucher, ou use um da carteira.",
		"eco.err.session":           "A sessão terminou",
		"eco.err.check":             "Confira seus vouchers",
		"eco.err.refused":           "O voucher %d foi recusado",
		"eco.nothing_charged":       "Nada foi cobrado.",
		"eco.err.full":              "O formulário está cheio",
		"eco.err.full.text":         "Um pagamento aceita no máximo %d vouchers.",
		"eco.result.success":        "Pagamento concluído",
		"eco.result.decline":        "Pagamento recusado",
		"eco.result.processing":     "Aguardando a loja",
		"eco.paid_on":               "Pago com ecoVoucher em %s",
		"eco.declined_on":           "Recusado em %s",
		"eco.confirming":            "A loja está confirmando o valor",
		"eco.code_n":                "(código %s)",
		"eco.not_redeemed":          "Seus vouchers não foram resgatados.",
		"eco.sent":                  "Seus vouchers foram enviados; a loja ainda precisa confirmar o valor. Esta página mostra o resultado assim que ela confirmar.",
		"eco.for":                   "Referente a",
		"eco.vouchers":              "Vouchers",
		"eco.ref":                   "Referência EcoVoucher",
		"eco.shop_order":            "Loja · pedido",
		"eco.back":                  "Voltar à loja",
		"eco.check_again":           "Verificar de novo",
	},
}
