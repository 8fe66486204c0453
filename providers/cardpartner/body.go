package cardpartner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Paths of the partner's pages.
const (
	Prefix       = "/providers/" + Code
	CheckoutPath = Prefix + "/checkout"
	PayPath      = Prefix + "/pay"
	ResultPath   = Prefix + "/result"
	ScriptPath   = Prefix + "/checkout.js"
)

// BodyFields are the fields of the redirect body in the seed's order; hsh,
// the last, signs the others.
var BodyFields = []string{
	"live", "mpesa", "bonga", "airtel", "equity", "mobilebanking", "debitcard", "mkoporahisi", "saida", "elipa",
	"oid", "inv", "ttl", "tel", "eml", "vid", "curr", "cbk", "lbk", "cst", "crl", "hsh",
}

// Body is the redirect body (redirect_data.body) the merchant POSTs to the
// checkout, with the seed's fields in the seed's order. Every value is a
// string.
type Body struct {
	Live          string `json:"live"` // "0": a test checkout
	Mpesa         string `json:"mpesa"`
	Bonga         string `json:"bonga"`
	Airtel        string `json:"airtel"`
	Equity        string `json:"equity"`
	MobileBanking string `json:"mobilebanking"`
	DebitCard     string `json:"debitcard"`
	MkopoRahisi   string `json:"mkoporahisi"`
	Saida         string `json:"saida"`
	Elipa         string `json:"elipa"`
	OID           string `json:"oid"`  // the order: the merchant's payment_id
	Inv           string `json:"inv"`  // the invoice: the sale operation's ID
	TTL           string `json:"ttl"`  // seconds the checkout stays open
	Tel           string `json:"tel"`  // customer.phone
	Eml           string `json:"eml"`  // customer.email
	VID           string `json:"vid"`  // the vendor at the partner: the project ID
	Curr          string `json:"curr"` // the payment's currency
	CBK           string `json:"cbk"`  // where the customer returns after paying
	LBK           string `json:"lbk"`  // where the customer returns after a decline or cancel
	CST           string `json:"cst"`  // "1": the partner emails the customer a receipt
	CRL           string `json:"crl"`  // "0": the partner returns the customer by an HTTP redirect
	HSH           string `json:"hsh"`  // Hash of the other fields
}

// NewBody returns the redirect body of pay's checkout, signed with secret.
func NewBody(pay *platform.Payment, inv string, ttl time.Duration, channels []string, baseURL, secret string) Body {
	flag := func(c string) string {
		if slices.Contains(channels, c) {
			return "1"
		}
		return "0"
	}
	b := Body{
		Live:  "0",
		Mpesa: flag("mpesa"), Bonga: flag("bonga"), Airtel: flag("airtel"), Equity: flag("equity"),
		MobileBanking: flag("mobilebanking"), DebitCard: flag("debitcard"), MkopoRahisi: flag("mkoporahisi"),
		Saida: flag("saida"), Elipa: flag("elipa"),
		OID:  pay.ID,
		Inv:  inv,
		TTL:  strconv.Itoa(int(ttl / time.Second)),
		Tel:  pay.Customer.Phone,
		Eml:  pay.Customer.Email,
		VID:  strconv.FormatInt(pay.ProjectID, 10),
		Curr: pay.Amount.Currency,
		CBK:  ReturnURL(pay, baseURL, inv, true),
		LBK:  ReturnURL(pay, baseURL, inv, false),
		CST:  "1",
		CRL:  "0",
	}
	b.HSH = Hash(b.Fields(), secret)
	return b
}

// Fields returns the body as field name → value.
func (b Body) Fields() map[string]string {
	return map[string]string{
		"live": b.Live, "mpesa": b.Mpesa, "bonga": b.Bonga, "airtel": b.Airtel, "equity": b.Equity,
		"mobilebanking": b.MobileBanking, "debitcard": b.DebitCard, "mkoporahisi": b.MkopoRahisi,
		"saida": b.Saida, "elipa": b.Elipa, "oid": b.OID, "inv": b.Inv, "ttl": b.TTL, "tel": b.Tel,
		"eml": b.Eml, "vid": b.VID, "curr": b.Curr, "cbk": b.CBK, "lbk": b.LBK, "cst": b.CST,
		"crl": b.CRL, "hsh": b.HSH,
	}
}

// HashString is the string hsh signs: every field of BodyFields but hsh,
// in that order, as name=value joined with "&", values verbatim (not
// URL-encoded).
func HashString(fields map[string]string) string {
	var sb strings.Builder
	for _, f := range BodyFields {
		if f == "hsh" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(f)
		sb.WriteByte('=')
		sb.WriteString(fields[f])
	}
	return sb.String()
}

// Hash returns hsh for fields: the lowercase hex HMAC-SHA256 of
// HashString(fields) keyed with the project's secret.
func Hash(fields map[string]string, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(HashString(fields)))
	return hex.EncodeToString(mac.Sum(nil))
}

// CheckBody checks a redirect body as it reached the checkout: every field
// present and hsh matching the others under secret. Its *platform.Error
// lists the missing fields, or says which string was signed.
func CheckBody(fields map[string]string, secret string) error {
	if err := checkPresent(fields); err != nil {
		return err
	}
	got := strings.ToLower(strings.TrimSpace(fields["hsh"]))
	if got == "" {
		return &platform.Error{Code: platform.CodeEmptySignature, Message: platform.CodeMessage(platform.CodeEmptySignature),
			Detail: "hsh is empty: POST the body exactly as redirect_data.body gave it",
			Fields: []platform.FieldError{{Code: platform.CodeEmptySignature, Field: "hsh", Message: "empty"}}}
	}
	want := Hash(fields, secret)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return &platform.Error{Code: platform.CodeInvalidSignature, Message: platform.CodeMessage(platform.CodeInvalidSignature),
			Detail: "the hsh field does not match the other fields: a field was changed or dropped on the way. POST redirect_data.body unchanged",
			Fields: []platform.FieldError{{Code: platform.CodeInvalidSignature, Field: "hsh",
				Message: signedPrefix + HashString(fields)}}}
	}
	return nil
}

// signedPrefix begins the hsh field error of a body whose hsh does not
// match; the string the sandbox signed follows.
const signedPrefix = "the sandbox signed (HMAC-SHA256, hex, keyed with the project's secret) "

// checkPresent checks that every field of BodyFields is in fields.
func checkPresent(fields map[string]string) error {
	var missing []platform.FieldError
	for _, f := range BodyFields {
		if _, ok := fields[f]; !ok {
			missing = append(missing, platform.FieldError{Code: platform.CodeRequiredField, Field: f, Message: "missing from the POST body"})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &platform.Error{Code: platform.CodeRequiredField, Message: platform.CodeMessage(platform.CodeRequiredField),
		Detail: fmt.Sprintf("the checkout needs every field of redirect_data.body and %d are missing: POST the body exactly as the callback gave it", len(missing)),
		Fields: missing}
}

// ReturnURL is where the customer goes after the checkout: the Gate's
// return_url.success (approved) or return_url.decline (otherwise), else
// return_url.return, else the partner's own result page.
func ReturnURL(pay *platform.Payment, baseURL, inv string, approved bool) string {
	u := pay.ReturnURLs.Decline
	if approved {
		u = pay.ReturnURLs.Success
	}
	switch {
	case u != "":
		return u
	case pay.ReturnURLs.Return != "":
		return pay.ReturnURLs.Return
	}
	return baseURL + ResultPath + "?inv=" + inv
}
