package ecovoucher

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Constants of the redirect to EcoVoucher.
const (
	// PaymentPageID is the sandbox's EcoVoucher payment page, as in the
	// seed's example; provider payment IDs start with it.
	PaymentPageID = "3324"
	// ChecksumKey is the key the redirect's Checksum is computed with
	// [sandbox choice]: public, so a tester can compute a checksum by hand.
	ChecksumKey = "ecovoucher-sandbox"
)

// RedirectBody is redirect_data.body of an EcoVoucher payment: the fields
// the merchant POSTs to the EcoVoucher page, named as in the seed.
type RedirectBody struct {
	PaymentPageID         string `json:"PaymentPageID"`
	MerchantAccountNumber string `json:"MerchantAccountNumber"`
	CustomerIDAtMerchant  string `json:"CustomerIdAtMerchant"`
	OnSuccessURL          string `json:"OnSuccessUrl"`
	OnFailureURL          string `json:"OnFailureUrl"`
	// TxID is the ID of the payment's sale operation.
	TxID        int64  `json:"TxID"`
	Currency    string `json:"Currency"`
	TransferURL string `json:"TransferUrl"`
	CallbackURL string `json:"CallbackUrl"`
	Checksum    string `json:"Checksum"`
}

// RedirectFields are the names of RedirectBody's fields, in the order the
// Checksum takes them.
var RedirectFields = []string{
	"PaymentPageID", "MerchantAccountNumber", "CustomerIdAtMerchant", "OnSuccessUrl", "OnFailureUrl",
	"TxID", "Currency", "TransferUrl", "CallbackUrl",
}

// values returns the fields' values by name, the Checksum excluded.
func (b RedirectBody) values() map[string]string {
	return map[string]string{
		"PaymentPageID":         b.PaymentPageID,
		"MerchantAccountNumber": b.MerchantAccountNumber,
		"CustomerIdAtMerchant":  b.CustomerIDAtMerchant,
		"OnSuccessUrl":          b.OnSuccessURL,
		"OnFailureUrl":          b.OnFailureURL,
		"TxID":                  strconv.FormatInt(b.TxID, 10),
		"Currency":              b.Currency,
		"TransferUrl":           b.TransferURL,
		"CallbackUrl":           b.CallbackURL,
	}
}

// Checksum returns the checksum of b's other fields: the lowercase hex MD5
// of their values in RedirectFields order, TxID in decimal, each followed
// by "|", then ChecksumKey. MD5 gives the 32 hex digits of the seed's
// example; the checksum catches a redirect whose fields were changed or
// lost on the way, it is not a secret.
func Checksum(b RedirectBody) string {
	v := b.values()
	var s strings.Builder
	for _, f := range RedirectFields {
		s.WriteString(v[f])
		s.WriteByte('|')
	}
	s.WriteString(ChecksumKey)
	sum := md5.Sum([]byte(s.String()))
	return hex.EncodeToString(sum[:])
}

// MerchantAccountNumber is the merchant's account at EcoVoucher in the
// sandbox: "1" and the project ID in five digits (modulo 100 000).
func MerchantAccountNumber(projectID int64) string {
	return fmt.Sprintf("1%05d", projectID%100_000)
}

// ProviderPaymentID is EcoVoucher's reference of a transaction, shaped as
// in the seed's callbacks: PaymentPageID, "01" and the TxID in 13 digits
// (3324 01 0001000000001).
func ProviderPaymentID(txID int64) string {
	return fmt.Sprintf("%s01%013d", PaymentPageID, txID)
}

// TxReference is the payment reference under which a transaction's
// payment is found again: "tx:" and the TxID.
func TxReference(txID int64) string { return "tx:" + strconv.FormatInt(txID, 10) }

// Mismatch compares a redirect the customer's browser posted with the one
// the sandbox issued, and returns what differs, for people: missing
// fields, changed fields, a wrong checksum. It returns nil when got is
// what was issued.
func Mismatch(got map[string]string, issued RedirectBody) []string {
	var out []string
	for _, p := range mismatch(got, issued) {
		out = append(out, p.String())
	}
	return out
}

// mismatch is Mismatch in the pages' words.
func mismatch(got map[string]string, issued RedirectBody) []phrase {
	var out []phrase
	want := issued.values()
	want["Checksum"] = issued.Checksum
	var missing []string
	for _, f := range append(RedirectFields[:len(RedirectFields):len(RedirectFields)], "Checksum") {
		v, ok := got[f]
		switch {
		case !ok:
			missing = append(missing, f)
		case v != want[f]:
			out = append(out, say("eco.err.changed.field", f, v, want[f]))
		}
	}
	if len(missing) > 0 {
		out = append([]phrase{say("eco.err.changed.missing", strings.Join(missing, ", "))}, out...)
	}
	return out
}

// redirectMap reads a redirect body posted as JSON into field values; TxID
// may be a number or a string.
func redirectMap(raw []byte) (map[string]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
			continue
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err == nil {
			out[k] = n.String()
			continue
		}
		out[k] = string(v)
	}
	return out, nil
}
