package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testProject = 842
	testSecret  = "s3cret-key"
)

// setupProject creates the test project with the merchant as callback URL.
func setupProject(t *testing.T, s *sandbox, m *merchant) {
	t.Helper()
	status := s.do("POST", "/sandbox/projects", map[string]any{
		"id": testProject, "secret": testSecret, "callback_url": m.srv.URL + "/callbacks",
	}, nil)
	require.Equal(t, http.StatusOK, status)
}

// oxxoSale returns a valid Oxxo Gate sale body (unsigned).
func oxxoSale(paymentID string, mutate ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"general": map[string]any{"project_id": testProject, "payment_id": paymentID},
		"customer": map[string]any{
			"id": "589256", "ip_address": "66.249.64.45", "email": "paul@example.com",
			"first_name": "Paul", "last_name": "Marques",
			"identify": map[string]any{"doc_number": "84887177100"},
		},
		"payment": map[string]any{"amount": 10000, "currency": "USD", "description": "Order " + paymentID},
	}
	for _, m := range mutate {
		m(b)
	}
	return b
}

type gateAnswer struct {
	Status    string `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	ProjectID any    `json:"project_id"`
	PaymentID string `json:"payment_id"`
	Errors    []struct {
		Code    int    `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

const oxxoPath = "/v2/payment/voucher/oxxo/sale"

func oxxoJourney(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	var ans gateAnswer
	status := s.do("POST", oxxoPath, signed(oxxoSale("order-1"), testSecret), &ans)
	require.Equal(t, http.StatusOK, status, "%+v", ans)
	assert.Equal(t, "success", ans.Status)
	assert.NotEmpty(t, ans.RequestID)
	assert.Equal(t, "order-1", ans.PaymentID)

	// The intermediate callback sends the customer to the voucher.
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	assert.Equal(t, "awaiting redirect result", path(cb, "operation", "status"))
	assert.Equal(t, "GET", path(cb, "redirect_data", "method"))
	assert.Equal(t, []any{}, path(cb, "redirect_data", "body"), "an empty list, as ecommpay sends Oxxo's (docs/callbacks.md)")
	redirect, _ := path(cb, "redirect_data", "url").(string)
	require.True(t, strings.HasPrefix(redirect, s.URL+"/providers/oxxo/vouchers/"), redirect)
	assert.Equal(t, ans.RequestID, path(cb, "operation", "request_id"))

	// The customer opens the voucher page and sees the barcode.
	res, err := http.Get(redirect)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	ref := redirect[strings.LastIndex(redirect, "/")+1:]
	res, err = http.Get(redirect + "/barcode.png")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "image/png", res.Header.Get("Content-Type"))

	// ... and pays at a terminal.
	res, err = http.PostForm(s.URL+"/providers/oxxo/terminal", url.Values{"reference": {ref}, "channel": {"terminal"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	cb = m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "success", path(cb, "payment", "status"))
	assert.Equal(t, "success", path(cb, "operation", "status"))
	assert.Equal(t, "0", path(cb, "operation", "code"))
	assert.Equal(t, "Success", path(cb, "operation", "message"))
	assert.Nil(t, path(cb, "redirect_data"))

	// A second payment at a terminal is refused and changes nothing.
	res, err = http.PostForm(s.URL+"/providers/oxxo/terminal", url.Values{"reference": {ref}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	m.none()
}

func TestOxxoCallbackFieldTypes(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("types-1"), testSecret), nil))
	m.next()
	m.mu.Lock()
	raw := m.raw[0]
	m.mu.Unlock()
	assert.NotContains(t, string(raw), "null", "a callback never carries JSON null")

	var cb map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&cb))
	// Every field of the seed's example, with the same types.
	assert.IsType(t, json.Number(""), path(cb, "project_id"))
	for _, f := range []string{"id", "type", "status", "date", "method", "description"} {
		assert.IsType(t, "", path(cb, "payment", f), "payment.%s", f)
	}
	assert.IsType(t, json.Number(""), path(cb, "payment", "sum", "amount"))
	assert.IsType(t, "", path(cb, "payment", "sum", "currency"))
	assert.IsType(t, json.Number(""), path(cb, "operation", "id"))
	for _, f := range []string{"type", "status", "date", "created_date", "request_id", "code", "message"} {
		assert.IsType(t, "", path(cb, "operation", f), "operation.%s", f)
	}
	for _, f := range []string{"sum_initial", "sum_converted"} {
		assert.IsType(t, json.Number(""), path(cb, "operation", f, "amount"))
		assert.IsType(t, "", path(cb, "operation", f, "currency"))
	}
	assert.IsType(t, json.Number(""), path(cb, "operation", "provider", "id"))
	assert.Equal(t, json.Number("1414"), path(cb, "operation", "provider", "id"))
	assert.IsType(t, "", path(cb, "operation", "provider", "payment_id"))
	assert.IsType(t, "", path(cb, "operation", "provider", "auth_code"))
	assert.IsType(t, "", path(cb, "signature"))
	date := path(cb, "payment", "date").(string)
	_, err := time.Parse("2006-01-02T15:04:05-0700", date)
	assert.NoError(t, err)
	assert.True(t, strings.HasSuffix(date, "+0000"), date)
	assert.Equal(t, "oxxo", path(cb, "payment", "method"))
}

func TestGateSynchronousErrors(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("used-1"), testSecret), nil))

	tests := []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{name: "not JSON", body: "{nope", status: 400, code: "2003"},
		{name: "JSON but not an object", body: "[1,2]", status: 400, code: "2003"},
		{name: "unknown project", body: signed(oxxoSale("p-1", func(b map[string]any) {
			b["general"].(map[string]any)["project_id"] = 999
		}), testSecret), status: 400, code: "2442"},
		{name: "no signature", body: oxxoSale("p-2"), status: 400, code: "3262"},
		{name: "wrong signature", body: signed(oxxoSale("p-3"), "not-the-secret"), status: 400, code: "3261", fields: []string{"general.signature"}},
		{name: "missing fields all named", body: signed(oxxoSale("p-4", func(b map[string]any) {
			delete(b, "payment")
			c := b["customer"].(map[string]any)
			delete(c, "email")
			delete(c, "identify")
			delete(c, "ip_address")
		}), testSecret), status: 400, code: "2004", fields: []string{"payment.amount", "payment.currency", "customer.ip_address", "customer.email", "customer.identify.doc_number"}},
		{name: "payment id reused", body: signed(oxxoSale("used-1"), testSecret), status: 400, code: "3041"},
		{name: "no project_id", body: oxxoSale("p-6", func(b map[string]any) {
			delete(b["general"].(map[string]any), "project_id")
		}), status: 400, code: "2442", fields: []string{"general.project_id"}},
		// The probe's inputs, each once a 500: a payment_id as an object, a
		// list, and one of 32 750 characters (bbolt's key limit).
		{name: "payment_id {}", body: signed(oxxoSale("", func(b map[string]any) {
			b["general"].(map[string]any)["payment_id"] = map[string]any{}
		}), testSecret), status: 400, code: "2003", fields: []string{"general.payment_id"}},
		{name: "payment_id []", body: signed(oxxoSale("", func(b map[string]any) {
			b["general"].(map[string]any)["payment_id"] = []any{}
		}), testSecret), status: 400, code: "2003", fields: []string{"general.payment_id"}},
		{name: "payment_id of 32750 characters", body: signed(oxxoSale(strings.Repeat("9", 32_750)), testSecret), status: 400, code: "2003", fields: []string{"general.payment_id"}},
		{name: "amount a fraction", body: signed(oxxoSale("p-7", func(b map[string]any) {
			b["payment"].(map[string]any)["amount"] = 100.5
		}), testSecret), status: 400, code: "2003", fields: []string{"payment.amount"}},
		{name: "unknown method", body: signed(oxxoSale("p-5"), testSecret), status: 400, code: "2541"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := oxxoPath
			if tt.code == "2541" {
				p = "/v2/payment/voucher/boleto/sale"
			}
			var ans gateAnswer
			status := s.do("POST", p, tt.body, &ans)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, "error", ans.Status)
			assert.Equal(t, tt.code, ans.Code)
			assert.NotEmpty(t, ans.Message)
			assert.NotEmpty(t, ans.RequestID)
			if tt.code == "2003" && len(tt.fields) > 0 {
				assert.Contains(t, ans.Message, tt.fields[0], "the message names the field")
			}
			var fields []string
			for _, e := range ans.Errors {
				if e.Field != "" {
					fields = append(fields, e.Field)
				}
			}
			for _, f := range tt.fields {
				assert.Contains(t, fields, f)
			}
			if tt.code == "3261" {
				msg := ans.Errors[0].Message
				assert.Contains(t, msg, "customer:email:paul@example.com", "the error shows the string the sandbox signed")
				assert.NotContains(t, msg, testSecret, "the secret is never shown")
			}
		})
	}
	// Nothing of the rejected requests was stored.
	var list struct {
		Payments []map[string]any `json:"payments"`
	}
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments?project_id=%d", testProject), nil, &list))
	assert.Len(t, list.Payments, 1)
	// An unknown Gate route is a 404.
	assert.Equal(t, http.StatusNotFound, s.do("POST", "/v2/payment/nothing/here", "{}", nil))
}

func TestOxxoDeclinedByCallback(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	tests := []struct {
		name  string
		id    string
		mut   func(map[string]any)
		field string
	}{
		{name: "EUR is not an Oxxo currency", id: "eur-1", mut: func(b map[string]any) {
			b["payment"].(map[string]any)["currency"] = "EUR"
		}, field: "payment.currency"},
		{name: "document number too short", id: "doc-1", mut: func(b map[string]any) {
			b["customer"].(map[string]any)["identify"] = map[string]any{"doc_number": "12345"}
		}, field: "customer.identify.doc_number"},
		{name: "document number not digits", id: "doc-2", mut: func(b map[string]any) {
			b["customer"].(map[string]any)["identify"] = map[string]any{"doc_number": "ABCDEFGHIJKL"}
		}, field: "customer.identify.doc_number"},
		// As the Payment Page refuses it (docs/payment-page.md).
		{name: "email that is not one", id: "email-1", mut: func(b map[string]any) {
			b["customer"].(map[string]any)["email"] = "paul.example.com"
		}, field: "customer.email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ans gateAnswer
			require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale(tt.id, tt.mut), testSecret), &ans), "declines are never synchronous")
			cb := m.next()
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, tt.id, path(cb, "payment", "id"))
			assert.Equal(t, "decline", path(cb, "payment", "status"))
			assert.Equal(t, "decline", path(cb, "operation", "status"))
			assert.Equal(t, "General decline", path(cb, "operation", "message"))
			assertDeclineReason(t, s, cb, "20000", tt.field)
		})
	}
}

func TestStatusRequest(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("st-1"), testSecret), nil))
	m.next()

	var st map[string]any
	req := signed(map[string]any{"general": map[string]any{"project_id": testProject, "payment_id": "st-1"}}, testSecret)
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/status", req, &st))
	verifyCallback(t, st, testSecret)
	assert.Equal(t, "awaiting redirect result", path(st, "payment", "status"))
	ops, _ := path(st, "operations").([]any)
	require.Len(t, ops, 1)
	assert.Equal(t, "sale", path(ops[0], "type"))
	assert.NotNil(t, path(st, "redirect_data", "url"))
	// A status answer follows the callbacks' shape: no customer for Oxxo,
	// each operation as in Oxxo's success callback (testdata/seeds).
	assert.Nil(t, path(st, "customer"))
	assertSeedShape(t, ops[0], "oxxo_success", "operation")
	sdkSafe(t, "", st)

	var unknown map[string]any
	req = signed(map[string]any{"general": map[string]any{"project_id": testProject, "payment_id": "nope"}}, testSecret)
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/status", req, &unknown))
	verifyCallback(t, unknown, testSecret)
	assert.Equal(t, "error", path(unknown, "payment", "status"))
	assert.Equal(t, float64(3061), path(path(unknown, "errors").([]any)[0], "code"))
}

// voucherRef starts an Oxxo sale and returns its voucher reference.
func voucherRef(t *testing.T, s *sandbox, m *merchant, id string) string {
	t.Helper()
	return voucherRefOf(saleRedirect(t, s, m, oxxoPath, oxxoSale(id)))
}

func advance(t *testing.T, s *sandbox, d string) {
	t.Helper()
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/advance", map[string]string{"duration": d}, nil))
}

func TestOxxoVoucherLapse(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	refTerminal := voucherRef(t, s, m, "lapse-terminal")
	refBank := voucherRef(t, s, m, "lapse-bank")
	refNever := voucherRef(t, s, m, "lapse-never")

	advance(t, s, "241h") // day 10 has passed
	m.none()
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "oxxo", refTerminal, "terminal"), "terminals refuse a voucher after day 10")
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "oxxo", refBank, "bank"), "a bank accepts it until day 30")
	cb := m.next()
	assert.Equal(t, "lapse-bank", path(cb, "payment", "id"))
	assert.Equal(t, "success", path(cb, "payment", "status"))

	advance(t, s, "480h") // day 30 has passed
	got := map[string]string{}
	for range 2 {
		cb := m.next()
		got[path(cb, "payment", "id").(string)] = path(cb, "payment", "status").(string)
		assert.Equal(t, "20000", path(cb, "operation", "code"))
	}
	assert.Equal(t, map[string]string{"lapse-terminal": "decline", "lapse-never": "decline"}, got)
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "oxxo", refNever, "bank"), "a lapsed voucher is refused everywhere")
	assert.Equal(t, http.StatusNotFound, voucherPay(t, s, "oxxo", "00000000000000", "terminal"))
}

func TestCallbackRetriedUntilMerchantAnswers200(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	m.failNext(500, 500, 500)
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("retry-1"), testSecret), nil))

	var ds struct {
		Deliveries []struct {
			Status   string `json:"status"`
			Attempts []struct {
				At     time.Time `json:"at"`
				Status int       `json:"response_status"`
			} `json:"attempts"`
		} `json:"deliveries"`
	}
	eventually(t, "first attempt", func() bool {
		s.do("GET", "/sandbox/deliveries?payment_id=retry-1", nil, &ds)
		return len(ds.Deliveries) == 1 && len(ds.Deliveries[0].Attempts) == 1
	})
	advance(t, s, "30s")
	m.next()
	s.do("GET", "/sandbox/deliveries?payment_id=retry-1", nil, &ds)
	d := ds.Deliveries[0]
	assert.Equal(t, "delivered", d.Status)
	require.Len(t, d.Attempts, 4)
	for i, a := range d.Attempts {
		assert.Equal(t, frozenAt.Add(time.Duration(i)*10*time.Second), a.At.UTC(), "attempt %d", i+1)
	}
	assert.Equal(t, []int{500, 500, 500, 200}, []int{d.Attempts[0].Status, d.Attempts[1].Status, d.Attempts[2].Status, d.Attempts[3].Status})
}

func TestRestartKeepsEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startSandbox(t, dir)
	m := newMerchant(t)
	setupProject(t, s, m)
	ref := voucherRef(t, s, m, "keep-1")
	advance(t, s, "24h")

	s = s.restart()
	var clock struct {
		Now    string `json:"now"`
		Frozen bool   `json:"frozen"`
	}
	s.do("GET", "/sandbox/clock", nil, &clock)
	assert.Equal(t, frozenAt.Add(24*time.Hour).Format(time.RFC3339), clock.Now, "the clock does not move back")
	assert.True(t, clock.Frozen)

	var p map[string]any
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/keep-1", testProject), nil, &p))
	assert.Equal(t, "awaiting redirect result", p["status"])
	// The project, the voucher and its lapse job survived: pay, then lapse nothing.
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "oxxo", ref, "terminal"))
	cb := m.next()
	assert.Equal(t, "success", path(cb, "payment", "status"))
	// A reused payment id is still refused after the restart.
	var ans gateAnswer
	s.do("POST", oxxoPath, signed(oxxoSale("keep-1"), testSecret), &ans)
	assert.Equal(t, "3041", ans.Code)
}
