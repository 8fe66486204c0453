package gate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// fuzzPaths are the Gate endpoints a fuzzed body is sent to.
var fuzzPaths = []string{
	salePath,
	"/v2/payment/status",
	refundPath,
	"/v2/payment/clarification",
	"/v2/payment/voucher/boleto/sale",
}

// FuzzGateBody sends any body to the Gate, signed with the project's secret
// when it is a JSON object (so that it gets past the signature to the
// field checks), and checks that the answer is a 200 or a 400 in the
// Gate's shape, never a 500: a 400 names its code, its message and a
// request_id, and any field it names; a sale it accepts is stored with a
// usable payment ID, amount and currency.
func FuzzGateBody(f *testing.F) {
	for _, body := range []string{
		`{"general":{"project_id":842,"payment_id":"ok-1"},"customer":{"id":"c","ip_address":"1.2.3.4","email":"a@b.c"},"payment":{"amount":100,"currency":"USD"}}`,
		// The probe's inputs: payment_id as an object, a list, 32 750 characters.
		`{"general":{"project_id":842,"payment_id":{}},"customer":{"id":"c","ip_address":"1.2.3.4","email":"a@b.c"},"payment":{"amount":100,"currency":"USD"}}`,
		`{"general":{"project_id":842,"payment_id":[]},"customer":{"id":"c","ip_address":"1.2.3.4","email":"a@b.c"},"payment":{"amount":100,"currency":"USD"}}`,
		`{"general":{"project_id":842,"payment_id":"` + strings.Repeat("9", 32_750) + `"},"customer":{"id":"c","ip_address":"1.2.3.4","email":"a@b.c"},"payment":{"amount":100,"currency":"USD"}}`,
		`{"general":{"project_id":842,"payment_id":{"a":[1,{"b":null}]}},"payment":{"amount":1.5e300,"currency":"usd"}}`,
		`{"general":{"project_id":"842","payment_id":"p"},"customer":{"id":7,"identify":"x"},"payment":{"amount":-1,"currency":"US"},"callback":{"delay":1e3,"force_disable":"x"}}`,
		`{"general":{"project_id":-842},"customer":[],"payment":"x","return_url":{"success":"javascript:alert(1)"}}`,
		`{"general":"842"}`, `{"general":null}`, `{}`, `[]`, `null`, `"x"`, `{nope`, ``,
		`{"general":{"project_id":99999999999999999999,"payment_id":"p"}}`,
		`{"general":{"project_id":842,"payment_id":"a:b","merchant_callback_url":"http://[::1"},"a:b":{"::":[1,2,3,4,5,6,7,8,9,10,11]}}`,
	} {
		for i := range fuzzPaths {
			f.Add([]byte(body), uint8(i))
		}
	}
	sb := newGate(f)
	f.Fuzz(func(t *testing.T, body []byte, to uint8) {
		path := fuzzPaths[int(to)%len(fuzzPaths)]
		if data, err := signature.Decode(body); err == nil {
			if g, ok := data["general"].(map[string]any); ok {
				delete(g, "signature")
				g["signature"] = signature.Sign(data, secret)
				body, _ = json.Marshal(data)
			}
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := sb.Do(req)
		var a map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatalf("%s answered %d with something that is not a JSON object: %q", path, rec.Code, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusOK:
			if path == "/v2/payment/status" {
				if err := signature.Verify(a, stringOf(a["signature"]), secret); err != nil {
					t.Fatalf("a status answer does not verify: %v: %s", err, rec.Body.String())
				}
				return
			}
			if a["status"] != "success" || stringOf(a["request_id"]) == "" {
				t.Fatalf("an accepted request's answer lacks its status or request_id: %s", rec.Body.String())
			}
			if path == salePath {
				checkStored(t, sb.Engine, stringOf(a["payment_id"]))
			}
		case http.StatusBadRequest:
			if a["status"] != "error" || stringOf(a["code"]) == "" || stringOf(a["message"]) == "" || stringOf(a["request_id"]) == "" {
				t.Fatalf("a rejection lacks its status, code, message or request_id: %s", rec.Body.String())
			}
			errs, _ := a["errors"].([]any)
			for _, e := range errs {
				if f, ok := e.(map[string]any)["field"]; ok && stringOf(f) == "" {
					t.Fatalf("an errors entry names an empty field: %s", rec.Body.String())
				}
			}
			if n := utf8.RuneCountInString(stringOf(a["payment_id"])); n > platform.MaxIDLength {
				t.Fatalf("a rejection echoes a payment_id of %d characters", n)
			}
		default:
			t.Fatalf("%s answered %d: %s", path, rec.Code, rec.Body.String())
		}
	})
}

// checkStored checks what an accepted sale stored.
func checkStored(t *testing.T, eng *platform.Engine, paymentID string) {
	t.Helper()
	p, err := eng.Payment(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: paymentID})
	if err != nil {
		t.Fatalf("the accepted sale %q is not stored: %v", paymentID, err)
	}
	if n := utf8.RuneCountInString(p.ID); n == 0 || n > platform.MaxIDLength {
		t.Fatalf("a payment ID of %d characters was accepted", n)
	}
	if p.Amount.Amount < 0 || !platform.IsCurrencyCode(p.Amount.Currency) {
		t.Fatalf("an unusable amount was accepted: %+v", p.Amount)
	}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
