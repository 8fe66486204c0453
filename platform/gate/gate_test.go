package gate_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/platform/gate"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

const (
	project    = 842
	secret     = "s3cret-key"
	salePath   = "/v2/payment/voucher/cash/sale"
	refundPath = "/v2/payment/voucher/cash/refund"
)

// cash is a voucher method that issues its voucher at once.
type cash struct{}

func (cash) Method() platform.Method {
	return platform.Method{
		Code: "cash", Name: "Cash", PaymentMethod: "cash", ProviderID: 99,
		GatePath: salePath, RefundPath: refundPath, Currencies: []string{"USD"},
		GateRequired: []string{"customer.email"},
		ExampleSale:  json.RawMessage(`{"customer": {"email": "a@example.com"}, "payment": {"amount": 100, "currency": "USD"}}`),
	}
}

func (cash) Start(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusAwaitingRedirect, ProviderPaymentID: "p-1", Notify: true,
		Redirect: &platform.Redirect{URL: "http://sandbox.test/v", Method: "GET", Body: json.RawMessage(`{}`)}}, nil
}

var errNo = errors.New("cash does nothing else")

func (cash) Pay(*platform.Payment, json.RawMessage, platform.Env) (platform.Step, error) {
	return platform.Step{}, errNo
}
func (cash) Fail(*platform.Payment, int, platform.Env) (platform.Step, error) {
	return platform.Step{}, errNo
}
func (cash) Expire(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Step{}, errNo
}
func (cash) Job(*platform.Payment, string, platform.Env) (platform.Step, error) {
	return platform.Step{}, errNo
}

// Refund makes cash a method that refunds, at refundPath.
func (cash) Refund(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusSuccess}, nil
}

// newGate serves the Gate over a real engine and bbolt file with the cash
// method and the test project.
func newGate(t testing.TB) *enginetest.Sandbox {
	sb := enginetest.New(t, cash{}, enginetest.Options{Project: platform.Project{ID: project, Secret: secret}})
	gate.New(sb.Engine, nil).Routes(sb.Echo)
	return sb
}

// sale is a valid cash sale body, unsigned.
func sale(paymentID any) map[string]any {
	return map[string]any{
		"general":  map[string]any{"project_id": project, "payment_id": paymentID},
		"customer": map[string]any{"id": "c-1", "ip_address": "1.2.3.4", "email": "a@example.com"},
		"payment":  map[string]any{"amount": 10000, "currency": "USD"},
	}
}

// with returns sale(paymentID) changed by set: a dotted path and its value
// (nil deletes it).
func with(paymentID any, set map[string]any) map[string]any {
	b := sale(paymentID)
	for p, v := range set {
		parts := strings.Split(p, ".")
		m := b
		for _, k := range parts[:len(parts)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		if v == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = v
		}
	}
	return b
}

// sign puts the signature of body for secret into general.signature.
func sign(body map[string]any, key string) map[string]any {
	raw, _ := json.Marshal(body)
	data, _ := signature.Decode(raw)
	g, ok := body["general"].(map[string]any)
	if !ok {
		g = map[string]any{}
		body["general"] = g
	}
	g["signature"] = signature.Sign(data, key)
	return body
}

// signJSONText signs body as a merchant's code that signs its JSON text
// rather than the canonical string does.
func signJSONText(body map[string]any, key string) map[string]any {
	raw, _ := json.Marshal(body)
	m := hmac.New(sha512.New, []byte(key))
	m.Write(raw)
	body["general"].(map[string]any)["signature"] = base64.StdEncoding.EncodeToString(m.Sum(nil))
	return body
}

type answer struct {
	Status    string `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	ProjectID int64  `json:"project_id"`
	PaymentID string `json:"payment_id"`
	Errors    []map[string]any
}

// post sends body (raw bytes, or a value to marshal) to path as JSON.
func post(t testing.TB, sb *enginetest.Sandbox, path string, body any) (int, answer, []byte) {
	t.Helper()
	return postAs(t, sb, path, "application/json", body)
}

// postAs sends body (raw bytes, or a value to marshal) to path with the
// Content-Type contentType.
func postAs(t testing.TB, sb *enginetest.Sandbox, path, contentType string, body any) (int, answer, []byte) {
	t.Helper()
	raw, ok := body.([]byte)
	if !ok {
		var err error
		raw, err = json.Marshal(body)
		require.NoError(t, err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", contentType)
	rec := sb.Do(req)
	var a answer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), "%s", rec.Body.String())
	return rec.Code, a, rec.Body.Bytes()
}

func TestGateAnswers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 32_750) // the probe's payment_id: bbolt's "key too large" made it a 500
	tests := []struct {
		name      string
		path      string // salePath when empty
		body      any
		code      string
		fields    []string // errors[].field, in order; nil: no entry has a field
		message   string   // a part of the message
		detail    string   // a part of errors[0].message
		ctype     string   // the Content-Type; application/json when empty
		projectID int64
		paymentID string
	}{
		{name: "not JSON", body: []byte("{nope"), code: "2003", message: "Invalid JSON string"},
		{name: "a JSON list", body: []byte("[1,2]"), code: "2003", message: "Invalid JSON string", detail: "the body is not a JSON object but an array"},
		{name: "an empty body", body: []byte(" \n"), code: "2003", detail: "the body is empty"},
		{name: "a byte order mark", body: append([]byte{0xEF, 0xBB, 0xBF}, `{"general":{"project_id":842}}`...), code: "2003",
			detail: "the body starts with a UTF-8 byte order mark (bytes EF BB BF), which JSON does not allow: send the JSON text without it"},
		{name: "bytes that are not UTF-8", body: []byte("{\"general\":{\"project_id\":842,\"payment_id\":\"caf\xe9\"}}"), code: "2003",
			detail: "byte 0xE9 at offset 46 is not part of a UTF-8 character"},
		{name: "JSON broken on line 3", body: []byte("{\n  \"general\": {\"project_id\": 842},\n  \"payment\": {\"amount\": 10,}\n}"), code: "2003",
			detail: "invalid character '}' looking for beginning of object key string at line 3, column 28"},
		{name: "data after the object", body: []byte(`{"general":{}} x`), code: "2003",
			detail: "the body is not valid JSON: invalid character 'x' after top-level value at line 1, column 16"},
		{name: "a second object", body: []byte(`{"general":{}} {}`), code: "2003",
			detail: "the body is not valid JSON: invalid character '{' after top-level value at line 1, column 16"},
		{name: "JSON cut short", body: []byte(`{"general":{"project_id":842`), code: "2003", detail: "it ends before its last object, list or string is closed"},
		{name: "a form", ctype: "application/x-www-form-urlencoded", body: []byte("general[project_id]=842&general[payment_id]=p-1"), code: "2003",
			detail: "the request is a form (Content-Type: application/x-www-form-urlencoded): the Gate takes the fields as a JSON object"},
		{name: "JSON sent as text/plain is read", ctype: "text/plain", body: sale("p-1"), code: "3262", fields: []string{"general.signature"}},
		{name: "not JSON, sent as text/plain", ctype: "text/plain; charset=utf-8", body: []byte("project_id=842"), code: "2003",
			detail: "the request's Content-Type is text/plain: send the JSON body with Content-Type: application/json"},
		{name: "no project_id is 2442, not 2004", body: with("p-1", map[string]any{"general.project_id": nil}),
			code: "2442", fields: []string{"general.project_id"}, message: "Project ID not found", paymentID: "p-1"},
		{name: "no general", body: map[string]any{"payment": map[string]any{"amount": 1}}, code: "2442", fields: []string{"general.project_id"}},
		{name: "general is a string", body: map[string]any{"general": "842"}, code: "2442", fields: []string{"general"}},
		{name: "project_id of letters", body: with("p-1", map[string]any{"general.project_id": "abc"}), code: "2442", fields: []string{"general.project_id"}},
		{name: "project_id a fraction", body: with("p-1", map[string]any{"general.project_id": 842.5}), code: "2442", fields: []string{"general.project_id"}},
		{name: "project_id an object", body: with("p-1", map[string]any{"general.project_id": map[string]any{}}), code: "2442", fields: []string{"general.project_id"}},
		{name: "unknown project", body: sign(with("p-1", map[string]any{"general.project_id": 999}), secret), code: "2442",
			fields: []string{"general.project_id"}, projectID: 999, paymentID: "p-1"},
		{name: "not signed", body: sale("p-1"), code: "3262", fields: []string{"general.signature"}, projectID: project, paymentID: "p-1"},
		{name: "a signature that is a number", body: with("p-1", map[string]any{"general.signature": 123}), code: "2003",
			fields: []string{"general.signature"}, message: "general.signature must be a string, the Base64 of the request's HMAC-SHA512, not the number 123", projectID: project},
		{name: "a top-level signature that is a list", body: with("p-1", map[string]any{"signature": []any{"abc"}}), code: "2003",
			fields: []string{"signature"}, message: "signature must be a string"},
		{name: "a signature that is null", body: []byte(`{"general":{"project_id":842,"payment_id":"p-1","signature":null}}`), code: "3262", fields: []string{"general.signature"}},
		{name: "signed with another key", body: sign(sale("p-1"), "other"), code: "3261", fields: []string{"general.signature"}, projectID: project},
		{name: "signed with another project's key", body: sign(sale("p-1"), platform.DemoProject().Secret), code: "3261", fields: []string{"general.signature"}, projectID: project,
			detail: "signature does not match: your code signs with project 1's secret key, not project 842's: sign with the secret of the project named in general.project_id; the sandbox signed"},
		{name: "the JSON text signed", body: signJSONText(sale("p-1"), secret), code: "3261", fields: []string{"general.signature"}, projectID: project,
			detail: "signature does not match: your code signs the body's JSON text: sign the string of path:value pairs shown, not the JSON; the sandbox signed \"customer:email:"},

		// The probe's inputs: a payment_id of the wrong type or length.
		{name: "payment_id {}", body: sign(sale(map[string]any{}), secret), code: "2003",
			fields: []string{"general.payment_id"}, message: "general.payment_id must be a string, not an object", projectID: project},
		{name: "payment_id []", body: sign(sale([]any{}), secret), code: "2003",
			fields: []string{"general.payment_id"}, message: "general.payment_id must be a string, not a list", projectID: project},
		{name: "payment_id of 32750 characters", body: sign(sale(long), secret), code: "2003",
			fields: []string{"general.payment_id"}, message: "general.payment_id must be at most 255 characters, not 32750", projectID: project},
		{name: "payment_id an object with a key", body: sign(sale(map[string]any{"a": "b"}), secret), code: "2003", fields: []string{"general.payment_id"}},
		{name: "payment_id a number", body: sign(sale(12345), secret), code: "2003",
			fields: []string{"general.payment_id"}, message: "must be a string, not the number 12345"},
		{name: "customer.id of 256 characters", body: sign(with("p-1", map[string]any{"customer.id": strings.Repeat("c", 256)}), secret), code: "2003",
			fields: []string{"customer.id"}, paymentID: "p-1"},

		// Values the Gate cannot take: a precise code, the field named.
		{name: "amount a fraction", body: sign(with("p-1", map[string]any{"payment.amount": 100.5}), secret), code: "2003",
			fields: []string{"payment.amount"}, message: "payment.amount must be a whole number, not the number 100.5"},
		{name: "amount in major units", body: sign(with("p-1", map[string]any{"payment.amount": "250.00"}), secret), code: "2003",
			fields: []string{"payment.amount"}, detail: `must be a whole number, not the string "250.00": amounts are whole numbers of minor units, so 250.00 is 25000 in a currency of two decimals`},
		{name: "amount in major units, one decimal", body: sign(with("p-1", map[string]any{"payment.amount": json.Number("0.5")}), secret), code: "2003",
			fields: []string{"payment.amount"}, detail: "so 0.5 is 50 in a currency"},
		{name: "callback URL with a space after it", body: sign(with("p-1", map[string]any{"general.merchant_callback_url": "https://shop.example/cb "}), secret), code: "2003",
			fields: []string{"general.merchant_callback_url"}, detail: `has white space at its start or end, which would be sent as part of the URL: remove it from the string "https://shop.example/cb "`},
		{name: "amount beyond what JavaScript reads exactly", body: sign(with("p-1", map[string]any{"payment.amount": json.Number("9007199254740992")}), secret), code: "2003",
			fields: []string{"payment.amount"}, message: "payment.amount must be at most 9007199254740991 minor units"},
		{name: "amount beyond 64 bits", body: sign(with("p-1", map[string]any{"payment.amount": json.Number("99999999999999999999")}), secret), code: "2003",
			fields: []string{"payment.amount"}, message: "payment.amount must be a whole number from -9223372036854775808 to 9223372036854775807, not the number 99999999999999999999"},
		{name: "amount negative", body: sign(with("p-1", map[string]any{"payment.amount": -5}), secret), code: "2003",
			fields: []string{"payment.amount"}, message: "payment.amount must not be negative"},
		{name: "amount of letters", body: sign(with("p-1", map[string]any{"payment.amount": "ten"}), secret), code: "2003", fields: []string{"payment.amount"}},
		{name: "currency of two letters", body: sign(with("p-1", map[string]any{"payment.currency": "US"}), secret), code: "2003",
			fields: []string{"payment.currency"}, message: `payment.currency must be an ISO 4217 alpha-3 code in capitals such as USD, not the string "US"`},
		{name: "currency in small letters", body: sign(with("p-1", map[string]any{"payment.currency": "usd"}), secret), code: "2003", fields: []string{"payment.currency"}},
		{name: "currency a number", body: sign(with("p-1", map[string]any{"payment.currency": 840}), secret), code: "2003", fields: []string{"payment.currency"}},
		{name: "customer a list", body: sign(with("p-1", map[string]any{"customer": []any{"c-1"}}), secret), code: "2003", fields: []string{"customer"}},
		{name: "force_disable a word", body: sign(with("p-1", map[string]any{"callback.force_disable": "maybe"}), secret), code: "2003",
			fields: []string{"callback.force_disable"}},
		{name: "callback URL not http", body: sign(with("p-1", map[string]any{"general.merchant_callback_url": "ftp://shop.example/cb"}), secret), code: "2003",
			fields: []string{"general.merchant_callback_url"}},
		{name: "every wrong type named at once", body: sign(with(map[string]any{}, map[string]any{"payment.amount": 1.5, "customer.email": true}), secret), code: "2003",
			fields: []string{"general.payment_id", "payment.amount", "customer.email"}, message: "(and 2 more field(s), see errors)"},
		{name: "every wrong value named at once", body: sign(with("p-1", map[string]any{"payment.amount": -1, "payment.currency": "dollars"}), secret), code: "2003",
			fields: []string{"payment.amount", "payment.currency"}},

		{name: "missing fields", body: sign(with("p-1", map[string]any{"payment": nil, "customer.email": nil}), secret), code: "2004",
			fields: []string{"payment.amount", "payment.currency", "customer.email"}, message: "Required field not provided", projectID: project, paymentID: "p-1",
			detail: "payment.amount is required: the amount in minor units, such as 10000 for 100.00"},
		{name: "unknown method after the signature", path: "/v2/payment/voucher/boleto/sale", body: sale("p-1"), code: "3262", fields: []string{"general.signature"}},
		{name: "unknown method", path: "/v2/payment/voucher/boleto/sale", body: sign(sale("p-1"), secret), code: "2541",
			message: "Unknown Payment Method", projectID: project, paymentID: "p-1"},
		{name: "status of a payment_id []", path: "/v2/payment/status", body: sign(map[string]any{"general": map[string]any{"project_id": project, "payment_id": []any{}}}, secret),
			code: "2003", fields: []string{"general.payment_id"}, projectID: project},
		{name: "refund of a payment_id {}", path: refundPath, body: sign(map[string]any{"general": map[string]any{"project_id": project, "payment_id": map[string]any{"x": 1}}}, secret),
			code: "2003", fields: []string{"general.payment_id"}},
		{name: "status without payment_id", path: "/v2/payment/status", body: sign(map[string]any{"general": map[string]any{"project_id": project}}, secret),
			code: "2004", fields: []string{"general.payment_id"}},
		{name: "unknown method of another group", path: "/v2/payment/boleto/sale", body: sign(sale("p-1"), secret), code: "2541", projectID: project},
		{name: "a method at another group's path", path: "/v2/payment/cash/sale", body: sign(sale("p-1"), secret), code: "2541", projectID: project,
			detail: "/v2/payment/cash/sale is not where Cash's sales go: send them to " + salePath},
	}
	sb := newGate(t)
	seen := make(map[string]bool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.path
			if p == "" {
				p = salePath
			}
			ctype := tt.ctype
			if ctype == "" {
				ctype = "application/json"
			}
			status, a, raw := postAs(t, sb, p, ctype, tt.body)
			assert.Equal(t, http.StatusBadRequest, status, "%s", raw)
			if tt.detail != "" && assert.NotEmpty(t, a.Errors, "%s", raw) {
				assert.Contains(t, a.Errors[0]["message"], tt.detail, "%s", raw)
			}
			assert.Equal(t, "error", a.Status)
			assert.Equal(t, tt.code, a.Code, "%s", raw)
			assert.Contains(t, a.Message, tt.message)
			var fields []string
			for _, e := range a.Errors {
				if f, ok := e["field"]; ok {
					assert.NotEmpty(t, f, "a field is named or left out, never empty")
					fields = append(fields, f.(string))
				}
			}
			assert.Equal(t, tt.fields, fields, "%s", raw)
			if tt.projectID != 0 {
				assert.Equal(t, tt.projectID, a.ProjectID)
			}
			if tt.paymentID != "" {
				assert.Equal(t, tt.paymentID, a.PaymentID)
			}
			assert.LessOrEqual(t, len(a.PaymentID), platform.MaxIDLength, "the answer never echoes an unusable payment_id")
			assert.NotEmpty(t, a.RequestID)
			assert.False(t, seen[a.RequestID], "every answer has a request_id of its own")
			seen[a.RequestID] = true
		})
	}
	ps, err := sb.Engine.Payments(context.Background(), platform.PaymentFilter{})
	require.NoError(t, err)
	assert.Empty(t, ps.Payments, "a rejected request stores nothing")
}

func TestGateAccepts(t *testing.T) {
	t.Parallel()
	sb := newGate(t)
	id255 := strings.Repeat("é", platform.MaxIDLength) // 255 characters, 510 bytes
	for _, body := range []map[string]any{
		sale("ok-1"),
		sale(id255),
		with("ok-2", map[string]any{"general.project_id": "842"}),                     // ecommpay takes the digits as a string
		with("ok-3", map[string]any{"payment.amount": "10000"}),                       // so the sandbox takes them for amounts too
		with("ok-4", map[string]any{"callback.force_disable": 1}),                     // 1 for true
		with("ok-5", map[string]any{"customer.phone": "+254700000000"}),               // a field the method does not require
		with("ok-6", map[string]any{"extra": map[string]any{"any": []any{1.5, nil}}}), // fields the Gate does not read: signed, ignored
	} {
		status, a, raw := post(t, sb, salePath, sign(body, secret))
		require.Equal(t, http.StatusOK, status, "%s", raw)
		assert.Equal(t, "success", a.Status)
		assert.NotEmpty(t, a.RequestID)
		assert.Equal(t, int64(project), a.ProjectID)
		assert.Equal(t, body["general"].(map[string]any)["payment_id"], a.PaymentID)
		assert.NotContains(t, string(raw), `"errors"`)
	}

	// The same payment_id again: 3041, with no field to name.
	status, a, raw := post(t, sb, salePath, sign(sale("ok-1"), secret))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "3041", a.Code)
	require.Len(t, a.Errors, 1)
	assert.NotContains(t, a.Errors[0], "field", "%s", raw)
}

// TestGateOtherPaths checks what no Gate route serves: a Gate endpoint asked
// with GET says to POST (405, Allow: POST), an unknown path lists the
// endpoints (404), both in the shape of every Gate answer.
func TestGateOtherPaths(t *testing.T) {
	t.Parallel()
	sb := newGate(t)
	tests := []struct {
		method, path string
		status       int
		code         string
		message      string // a part of errors[0].message
	}{
		{method: http.MethodGet, path: salePath, status: http.StatusMethodNotAllowed, code: "405",
			message: "GET " + salePath + " is not served: every Gate request is a POST with a JSON body"},
		{method: http.MethodPut, path: "/v2/payment/status", status: http.StatusMethodNotAllowed, code: "405", message: "is a POST"},
		{method: http.MethodGet, path: "/v2/payment/nothing", status: http.StatusNotFound, code: "404",
			message: "GET /v2/payment/nothing is not a Gate endpoint the sandbox emulates; its endpoints are " + salePath},
		{method: http.MethodPost, path: "/v2/payment/nothing", status: http.StatusNotFound, code: "404", message: "/v2/payment/status"},
		{method: http.MethodPost, path: salePath + "/", status: http.StatusNotFound, code: "404",
			message: "POST " + salePath + "/ is not a Gate endpoint: send the request to " + salePath + ", without the trailing /"},
	}
	seen := make(map[string]bool)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := sb.Do(httptest.NewRequest(tt.method, tt.path, nil))
			assert.Equal(t, tt.status, rec.Code, "%s", rec.Body)
			var a answer
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), "%s", rec.Body)
			assert.Equal(t, "error", a.Status)
			assert.Equal(t, tt.code, a.Code)
			if assert.Len(t, a.Errors, 1) {
				assert.Contains(t, a.Errors[0]["message"], tt.message)
			}
			if tt.status == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
			assert.NotEmpty(t, a.RequestID, "every Gate answer has a request_id (docs/gate.md)")
			assert.False(t, seen[a.RequestID])
			seen[a.RequestID] = true
		})
	}
}

// TestGateSaysWhatEachRequiredFieldHolds checks, for every registered
// method, that a sale of nothing but its general object is answered 2004
// with every required field named and what it holds, so that a developer
// knows what to send.
func TestGateSaysWhatEachRequiredFieldHolds(t *testing.T) {
	t.Parallel()
	a, err := app.New(context.Background(), app.Options{
		DataFile: filepath.Join(t.TempDir(), "sandbox.db"), PublicURL: "http://127.0.0.1:8080",
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	for _, p := range app.Providers() {
		m := p.Method()
		t.Run(m.Code, func(t *testing.T) {
			body := sign(map[string]any{"general": map[string]any{"project_id": 1, "payment_id": "r-" + m.Code}}, "secret")
			raw, err := json.Marshal(body)
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+m.GatePath, bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			var ans answer
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ans), "%s", rec.Body)
			require.Equal(t, "2004", ans.Code, "%s", rec.Body)
			named := make(map[string]bool)
			for _, e := range ans.Errors {
				f, _ := e["field"].(string)
				named[f] = true
				assert.Regexp(t, `^`+regexp.QuoteMeta(f)+` is required: .{10,}`, e["message"], "what %s holds", f)
			}
			for _, f := range m.GateRequired {
				assert.True(t, named[f], "%s is one of %s's required fields", f, m.Name)
			}
			for _, e := range ans.Errors {
				if help, ok := m.FieldHelp[e["field"].(string)]; ok {
					assert.Equal(t, e["field"].(string)+" is required: "+help, e["message"], "%s's own words", m.Name)
				}
			}
			// GET /sandbox/methods lists GateRequired as what a sale needs
			// beyond general and payment.amount and currency (docs/control-api.md):
			// every other field the Gate asks for must be in it.
			for f := range named {
				if !strings.HasPrefix(f, "general.") && f != "payment.amount" && f != "payment.currency" {
					assert.Contains(t, m.GateRequired, f, "%s's Gate requires %s: its GateRequired must say so", m.Name, f)
				}
			}
		})
	}
}
