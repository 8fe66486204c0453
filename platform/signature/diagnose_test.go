package signature_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// TestDiagnose makes each mistake a merchant's code commonly makes, as that
// code would, and checks that Diagnose names it; a right signature, one
// with another secret and one of another message name none.
func TestDiagnose(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	body := `{"general":{"project_id":1,"payment_id":"o-1","signature":"SIG"},"payment":{"amount":25000,"currency":"MXN"},` +
		`"customer":{"id":"c-1","identify":{"doc_number":"84887177100"},"email":"p@example.com"}}`
	const (
		canonical = "customer:email:p@example.com;customer:id:c-1;customer:identify:doc_number:84887177100;general:payment_id:o-1;general:project_id:1;payment:amount:25000;payment:currency:MXN"
		inOrder   = "general:project_id:1;general:payment_id:o-1;payment:amount:25000;payment:currency:MXN;customer:id:c-1;customer:identify:doc_number:84887177100;customer:email:p@example.com"
		topSorted = "customer:id:c-1;customer:identify:doc_number:84887177100;customer:email:p@example.com;general:project_id:1;general:payment_id:o-1;payment:amount:25000;payment:currency:MXN"
		shallow   = "customer:email:p@example.com;customer:id:c-1;general:payment_id:o-1;general:project_id:1;payment:amount:25000;payment:currency:MXN"
		withSig   = "customer:email:p@example.com;customer:id:c-1;customer:identify:doc_number:84887177100;general:payment_id:o-1;general:project_id:1;general:signature:;payment:amount:25000;payment:currency:MXN"
		jsonText  = `{"general":{"project_id":1,"payment_id":"o-1"},"payment":{"amount":25000,"currency":"MXN"},"customer":{"id":"c-1","identify":{"doc_number":"84887177100"},"email":"p@example.com"}}`
		pyText    = `{"general": {"project_id": 1, "payment_id": "o-1"}, "payment": {"amount": 25000, "currency": "MXN"}, "customer": {"id": "c-1", "identify": {"doc_number": "84887177100"}, "email": "p@example.com"}}`
		goText    = `{"customer":{"email":"p@example.com","id":"c-1","identify":{"doc_number":"84887177100"}},"general":{"payment_id":"o-1","project_id":1},"payment":{"amount":25000,"currency":"MXN"}}`
	)
	mac := func(h func() hash.Hash, s, key string) []byte {
		m := hmac.New(h, []byte(key))
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, got, says string
	}{
		{"right", b64(mac(sha512.New, canonical, secret)), ""},
		{"another secret", b64(mac(sha512.New, canonical, "other")), ""},
		{"another message", b64(mac(sha512.New, "payment:amount:1", secret)), ""},
		{"unsorted", b64(mac(sha512.New, inOrder, secret)), "your code signs the pairs in the order they come in the body"},
		{"sorted on the top-level key", b64(mac(sha512.New, topSorted, secret)), "your code sorts the pairs by their top-level key only"},
		{"nested pairs left out", b64(mac(sha512.New, shallow, secret)), "your code leaves out the pairs nested deeper than two levels"},
		{"the signature signed", b64(mac(sha512.New, withSig, secret)), "your code signs the signature field too"},
		{"the JSON text", b64(mac(sha512.New, jsonText, secret)), "your code signs the body's JSON text"},
		{"the JSON text as Python writes it", b64(mac(sha512.New, pyText, secret)), "your code signs the body's JSON text"},
		{"the JSON text as Go writes a map", b64(mac(sha512.New, goText, secret)), "your code signs the body's JSON text"},
		{"SHA-256", b64(mac(sha256.New, canonical, secret)), "your code signs with HMAC-SHA256"},
		{"hex", hex.EncodeToString(mac(sha512.New, canonical, secret)), "your signature is written in hex"},
		{"SHA-256 in hex", hex.EncodeToString(mac(sha256.New, canonical, secret)), "your signature is an HMAC-SHA256 in hex"},
		{"URL-safe Base64", base64.URLEncoding.EncodeToString(mac(sha512.New, canonical, secret)), "URL-safe Base64"},
		{"no padding", base64.RawStdEncoding.EncodeToString(mac(sha512.New, canonical, secret)), "lacks Base64's = padding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := signature.Diagnose([]byte(body), tt.got, secret)
			if tt.says == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.says)
		})
	}
	assert.Empty(t, signature.Diagnose([]byte("not JSON"), "x", secret))
}

// TestDiagnoseForm makes each mistake a merchant's code commonly makes when
// it signs a Payment Page link, and checks that DiagnoseForm names it.
func TestDiagnoseForm(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	params := map[string]string{"project_id": "1", "payment_id": "o-1", "payment_amount": "25000", "payment_currency": "MXN",
		"merchant_success_url": "https://shop.example/ok?order=7", "signature": "SIG"}
	const (
		canonical = "merchant_success_url:https://shop.example/ok?order=7;payment_amount:25000;payment_currency:MXN;payment_id:o-1;project_id:1"
		withSig   = "merchant_success_url:https://shop.example/ok?order=7;payment_amount:25000;payment_currency:MXN;payment_id:o-1;project_id:1;signature:"
		encoded   = "merchant_success_url:https%3A%2F%2Fshop.example%2Fok%3Forder%3D7;payment_amount:25000;payment_currency:MXN;payment_id:o-1;project_id:1"
		query     = "merchant_success_url=https%3A%2F%2Fshop.example%2Fok%3Forder%3D7&payment_amount=25000&payment_currency=MXN&payment_id=o-1&project_id=1"
	)
	mac := func(h func() hash.Hash, s string) []byte {
		m := hmac.New(h, []byte(secret))
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, got, says string
	}{
		{"right", b64(mac(sha512.New, canonical)), ""},
		{"another message", b64(mac(sha512.New, "project_id:1")), ""},
		{"the signature signed", b64(mac(sha512.New, withSig)), "your code signs the signature parameter too"},
		{"URL-encoded values", b64(mac(sha512.New, encoded)), "your code signs the values URL-encoded"},
		{"the query string", b64(mac(sha512.New, query)), "your code signs the link's query string"},
		{"SHA-256", b64(mac(sha256.New, canonical)), "your code signs with HMAC-SHA256"},
		{"hex", hex.EncodeToString(mac(sha512.New, canonical)), "your signature is written in hex"},
		{"URL-safe Base64", base64.URLEncoding.EncodeToString(mac(sha512.New, canonical)), "URL-safe Base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := signature.DiagnoseForm(params, tt.got, secret)
			if tt.says == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.says)
		})
	}
}

// TestDiagnoseOnlyMessagesOfTheirSize: a message larger than MaxDiagnosed,
// which a Gate request or a Payment Page link never is, is not signed a
// dozen ways to explain its signature, so one request cannot cost a dozen.
func TestDiagnoseOnlyMessagesOfTheirSize(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	hexOf := func(s string) string {
		m := hmac.New(sha512.New, []byte(secret))
		m.Write([]byte(s))
		return hex.EncodeToString(m.Sum(nil))
	}
	for _, size := range []int{10, signature.MaxDiagnosed} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			t.Parallel()
			value := strings.Repeat("v", size)
			body := []byte(`{"general":{"project_id":1},"payment":{"description":"` + value + `"}}`)
			params := map[string]string{"project_id": "1", "payment_description": value}
			gate := signature.Diagnose(body, hexOf("general:project_id:1;payment:description:"+value), secret)
			page := signature.DiagnoseForm(params, hexOf("payment_description:"+value+";project_id:1"), secret)
			if size < signature.MaxDiagnosed {
				assert.Contains(t, gate, "written in hex")
				assert.Contains(t, page, "written in hex")
			} else {
				assert.Empty(t, gate)
				assert.Empty(t, page)
			}
		})
	}
}
