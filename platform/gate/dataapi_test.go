package gate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// dataAPISandbox is a whole sandbox, frozen, holding payments of projects 2
// and 3 (which share the secret "shared"), 4 (secret "other") and the demo
// project 1, created at these moments of 2 March 2026 (UTC):
//
//	09:00:00      a1 (project 2), b1 (project 3), in that order
//	10:00:00      a2 (2), c1 (4)
//	10:59:59      b2 (3): card partner, paid, refunded on 3 March at 12:00
//	11:00:00      a3 (2)
//	11:00:00.500  a4 (2)
//	11:00:01      a5 (2), d1 (1)
func dataAPISandbox(t *testing.T) *app.Sandbox {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	a, err := app.New(ctx, app.Options{
		DataFile:  filepath.Join(t.TempDir(), "sandbox.db"),
		PublicURL: "http://127.0.0.1:8080",
		Seed:      3,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: day},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	eng := a.Engine
	for _, p := range []platform.Project{{ID: 2, Secret: "shared"}, {ID: 3, Secret: "shared"}, {ID: 4, Secret: "other"}} {
		require.NoError(t, eng.PutProject(ctx, p))
	}
	at := func(hms string) {
		t.Helper()
		d, err := time.ParseDuration(hms)
		require.NoError(t, err)
		_, err = eng.SetClock(ctx, day.Add(d))
		require.NoError(t, err)
	}
	sale := func(project int64, id, method string, amount platform.Sum) platform.PaymentKey {
		t.Helper()
		p, err := eng.Sale(ctx, platform.SaleRequest{
			ProjectID: project, PaymentID: id, Method: method, Interface: platform.InterfaceGate, Amount: amount,
			Description: "Order " + id,
			Customer:    platform.Customer{ID: "c-" + id, IPAddress: "66.249.64.45", Phone: "254708374149", Email: "paul@example.com"},
		})
		require.NoError(t, err)
		_, err = eng.RunDue(ctx, eng.Clock().Now())
		require.NoError(t, err)
		return p.Key()
	}
	usd := platform.Sum{Amount: 10000, Currency: "USD"}
	at("9h")
	sale(2, "a1", "loterica", usd)
	sale(3, "b1", "loterica", usd)
	at("10h")
	sale(2, "a2", "loterica", usd)
	sale(4, "c1", "loterica", usd)
	at("10h59m59s")
	b2 := sale(3, "b2", "card-partner", platform.Sum{Amount: 1500, Currency: "KES"})
	_, err = eng.Pay(ctx, b2, nil)
	require.NoError(t, err)
	at("11h")
	sale(2, "a3", "loterica", usd)
	at("11h0m0.5s")
	sale(2, "a4", "loterica", usd)
	at("11h0m1s")
	sale(2, "a5", "loterica", usd)
	sale(1, "d1", "loterica", usd)
	at("36h")
	_, err = eng.Refund(ctx, b2, platform.RefundRequest{})
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, eng.Clock().Now())
	require.NoError(t, err)
	return a
}

// signedBody returns fields as a JSON body signed at its top level.
func signedBody(t testing.TB, fields map[string]any, secret string) string {
	t.Helper()
	raw, err := json.Marshal(fields)
	require.NoError(t, err)
	data, err := signature.Decode(raw)
	require.NoError(t, err)
	signed := map[string]any{"signature": signature.Sign(data, secret)}
	for k, v := range fields {
		signed[k] = v
	}
	raw, err = json.Marshal(signed)
	require.NoError(t, err)
	return string(raw)
}

func postOperations(a *app.Sandbox, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/operations/get", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	return rec
}

// operationsPage is the answer of the Data API as a client reads it.
type operationsPage struct {
	Status    string
	ProjectID []int64 `json:"project_id"`
	Interval  struct{ From, To string }
	Limit     int
	Offset    int
	HasMore   bool `json:"has_more"`
	// Operations are read whole, to check the shape, and by name below.
	Operations []map[string]any
}

// ops names the operations of a page "payment_id/type".
func (p operationsPage) ops() []string {
	out := []string{}
	for _, o := range p.Operations {
		out = append(out, o["payment_id"].(string)+"/"+o["operation_type"].(string))
	}
	return out
}

func day(from, to string) map[string]any {
	return map[string]any{"from": "2026-03-02 " + from, "to": "2026-03-02 " + to}
}

// TestOperationsGet lists operations through the real router: the bounds of
// the interval (from and to both included, to the second), several
// projects, newest first, and paging with limit and offset.
func TestOperationsGet(t *testing.T) {
	t.Parallel()
	a := dataAPISandbox(t)
	whole := day("00:00:00", "23:59:59")
	tests := []struct {
		name     string
		projects []int64
		secret   string
		interval map[string]any
		limit    any // nil: absent
		offset   any
		want     []string
		hasMore  bool
	}{
		{name: "two projects, the whole day, newest first", projects: []int64{2, 3}, interval: whole,
			want: []string{"a5/sale", "a4/sale", "a3/sale", "b2/refund", "b2/sale", "a2/sale", "a1/sale", "b1/sale"}},
		{name: "payments of the same instant in the order project_id lists them", projects: []int64{3, 2}, interval: day("09:00:00", "09:00:00"),
			want: []string{"b1/sale", "a1/sale"}},
		{name: "from included", projects: []int64{2, 3}, interval: day("10:00:00", "10:59:58"),
			want: []string{"a2/sale"}},
		{name: "to included to the end of its second", projects: []int64{2}, interval: day("10:00:01", "11:00:00"),
			want: []string{"a4/sale", "a3/sale"}},
		{name: "one second", projects: []int64{2}, interval: day("11:00:01", "11:00:01"),
			want: []string{"a5/sale"}},
		{name: "a refund made the next day comes with its payment", projects: []int64{3}, interval: day("10:59:59", "10:59:59"),
			want: []string{"b2/refund", "b2/sale"}},
		{name: "an interval before every payment", projects: []int64{2, 3}, interval: map[string]any{"from": "2020-01-01 00:00:00", "to": "2026-03-02 08:59:59"},
			want: []string{}},
		{name: "another secret, another project", projects: []int64{4}, secret: "other", interval: whole,
			want: []string{"c1/sale"}},
		{name: "a project listed twice counts once", projects: []int64{1, 1}, secret: "secret", interval: whole,
			want: []string{"d1/sale"}},
		{name: "first page", projects: []int64{2, 3}, interval: whole, limit: 3,
			want: []string{"a5/sale", "a4/sale", "a3/sale"}, hasMore: true},
		{name: "second page splits a payment's operations", projects: []int64{2, 3}, interval: whole, limit: 3, offset: 3,
			want: []string{"b2/refund", "b2/sale", "a2/sale"}, hasMore: true},
		{name: "last page", projects: []int64{2, 3}, interval: whole, limit: 3, offset: 6,
			want: []string{"a1/sale", "b1/sale"}},
		{name: "a page that ends where the list does", projects: []int64{2, 3}, interval: whole, limit: 2, offset: 6,
			want: []string{"a1/sale", "b1/sale"}},
		{name: "past the end", projects: []int64{2, 3}, interval: whole, limit: 3, offset: 8,
			want: []string{}},
		{name: "limit and offset as strings of digits", projects: []int64{2, 3}, interval: whole, limit: "1", offset: "2",
			want: []string{"a3/sale"}, hasMore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fields := map[string]any{"project_id": tt.projects, "interval": tt.interval}
			if tt.limit != nil {
				fields["limit"] = tt.limit
			}
			if tt.offset != nil {
				fields["offset"] = tt.offset
			}
			secret := tt.secret
			if secret == "" {
				secret = "shared"
			}
			rec := postOperations(a, signedBody(t, fields, secret))
			require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
			var page operationsPage
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
			assert.Equal(t, tt.want, page.ops())
			assert.Equal(t, tt.hasMore, page.HasMore, "has_more")
			assert.Equal(t, "success", page.Status)
			assert.Equal(t, tt.interval["from"], page.Interval.From)
			assert.Equal(t, tt.interval["to"], page.Interval.To)
		})
	}
}

// TestOperationsGetAnswer checks one answer whole: what the page says of
// itself, its defaults and every field of an operation.
func TestOperationsGetAnswer(t *testing.T) {
	t.Parallel()
	a := dataAPISandbox(t)
	rec := postOperations(a, signedBody(t, map[string]any{"project_id": []any{3, "2"}, "interval": day("10:59:59", "10:59:59")}, "shared"))
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	assert.Equal(t, "application/json", strings.Split(rec.Header().Get("Content-Type"), ";")[0])
	var page operationsPage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
	assert.Equal(t, []int64{3, 2}, page.ProjectID)
	assert.Equal(t, 100, page.Limit, "the default limit")
	assert.Equal(t, 0, page.Offset, "the default offset")
	require.Len(t, page.Operations, 2)

	refund, sale := page.Operations[0], page.Operations[1]
	p, err := a.Engine.Payment(context.Background(), platform.PaymentKey{ProjectID: 3, PaymentID: "b2"})
	require.NoError(t, err)
	require.Len(t, p.Operations, 2)
	assert.Equal(t, map[string]any{
		"project_id":           float64(3),
		"payment_id":           "b2",
		"payment_method":       "Card partner",
		"payment_status":       "refunded",
		"payment_sum":          map[string]any{"amount": float64(0), "currency": "KES"},
		"payment_created_at":   "2026-03-02T10:59:59+0000",
		"description":          "Order b2",
		"customer_id":          "c-b2",
		"operation_id":         float64(p.Operations[0].ID),
		"operation_type":       "sale",
		"operation_status":     "success",
		"operation_created_at": "2026-03-02T10:59:59+0000",
		"operation_updated_at": "2026-03-02T10:59:59+0000",
		"request_id":           p.Operations[0].RequestID,
		"sum_initial":          map[string]any{"amount": float64(1500), "currency": "KES"},
		"sum_converted":        map[string]any{"amount": float64(1500), "currency": "KES"},
		"code":                 "0",
		"message":              "Success",
		"provider":             map[string]any{"id": float64(2377), "payment_id": p.Operations[0].ProviderPaymentID, "auth_code": p.Operations[0].AuthCode, "date": "2026-03-02T10:59:59+0000"},
	}, sale)
	assert.Equal(t, "refund", refund["operation_type"])
	assert.Equal(t, "success", refund["operation_status"])
	assert.Equal(t, "2026-03-03T12:00:00+0000", refund["operation_created_at"])
	assert.Equal(t, "2026-03-02T10:59:59+0000", refund["payment_created_at"])
	assert.Equal(t, float64(p.Operations[1].ID), refund["operation_id"])
}

// TestOperationsGetErrors walks every way a Data API request can be wrong:
// each answers 400 in the Gate's error shape with ecommpay's code and the
// fields at fault, and checks run in the Gate's order.
func TestOperationsGetErrors(t *testing.T) {
	t.Parallel()
	a := dataAPISandbox(t)
	whole := day("00:00:00", "23:59:59")
	ok := func(change func(map[string]any)) map[string]any {
		f := map[string]any{"project_id": []any{2, 3}, "interval": map[string]any{"from": whole["from"], "to": whole["to"]}, "limit": 10, "offset": 0}
		change(f)
		return f
	}
	signed := func(f map[string]any) string { return signedBody(t, f, "shared") }
	tests := []struct {
		name   string
		body   string
		code   string
		fields []string
		says   string // in the first error's message
	}{
		{"not JSON", `{"project_id":[2]`, "2003", nil, "JSON object"},
		{"a list, not an object", `[2]`, "2003", nil, "JSON object"},
		{"no project_id", signed(ok(func(f map[string]any) { delete(f, "project_id") })), "2004", []string{"project_id"}, "[1]"},
		{"no project listed", signed(ok(func(f map[string]any) { f["project_id"] = []any{} })), "2004", []string{"project_id"}, "required"},
		{"project_id a number", signed(ok(func(f map[string]any) { f["project_id"] = 2 })), "2003", []string{"project_id"}, "list"},
		{"project_id items that are no IDs", signed(ok(func(f map[string]any) { f["project_id"] = []any{2, "x", 0} })), "2003", []string{"project_id.1", "project_id.2"}, `"x"`},
		{"an unknown project", signed(ok(func(f map[string]any) { f["project_id"] = []any{2, 99} })), "2442", []string{"project_id.1"}, "99"},
		{"an unknown project before a bad signature", signedBody(t, ok(func(f map[string]any) { f["project_id"] = []any{99} }), "wrong"), "2442", []string{"project_id.0"}, "99"},
		{"no signature", mustJSON(t, ok(func(map[string]any) {})), "3262", []string{"signature"}, "project 2"},
		{"a wrong signature", signedBody(t, ok(func(map[string]any) {}), "other"), "3261", []string{"signature"}, "project 2"},
		{"a signature over other fields", strings.Replace(signed(ok(func(map[string]any) {})), `"limit":10`, `"limit":11`, 1), "3261", []string{"signature"}, "limit:11"},
		{"a bad signature before a bad interval", signedBody(t, ok(func(f map[string]any) { f["interval"] = "today" }), "other"), "3261", []string{"signature"}, "project 2"},
		{"a project the signer may not read", signed(ok(func(f map[string]any) { f["project_id"] = []any{2, 4, 3} })), "3261", []string{"project_id.1"}, "project 4 has a secret of its own"},
		{"the signer is the first project", signedBody(t, ok(func(f map[string]any) { f["project_id"] = []any{4, 2} }), "other"), "3261", []string{"project_id.1"}, "project 2 has a secret of its own"},
		{"no interval", signed(ok(func(f map[string]any) { delete(f, "interval") })), "2004", []string{"interval"}, "required"},
		{"interval a string", signed(ok(func(f map[string]any) { f["interval"] = "today" })), "2003", []string{"interval"}, "object"},
		{"no bounds", signed(ok(func(f map[string]any) { f["interval"] = map[string]any{} })), "2004", []string{"interval.from", "interval.to"}, "2026-03-02 09:00:00"},
		{"a bound in another format", signed(ok(func(f map[string]any) { f["interval"].(map[string]any)["from"] = "2026-03-02T00:00:00Z" })), "2004", []string{"interval.from"}, "2026-03-02T00:00:00Z"},
		{"a date without its time", signed(ok(func(f map[string]any) { f["interval"].(map[string]any)["to"] = "2026-03-02" })), "2004", []string{"interval.to"}, "hh:mm:ss"},
		{"a day that does not exist", signed(ok(func(f map[string]any) { f["interval"].(map[string]any)["to"] = "2026-02-30 00:00:00" })), "2004", []string{"interval.to"}, "2026-02-30"},
		{"a bound as a number", signed(ok(func(f map[string]any) { f["interval"].(map[string]any)["to"] = 20260302 })), "2003", []string{"interval.to"}, "string"},
		{"a reversed interval", signed(ok(func(f map[string]any) { f["interval"] = day("10:00:01", "10:00:00") })), "2004", []string{"interval"}, "swap"},
		{"limit 0", signed(ok(func(f map[string]any) { f["limit"] = 0 })), "2004", []string{"limit"}, "from 1 to 1000"},
		{"limit above the most", signed(ok(func(f map[string]any) { f["limit"] = 1001 })), "2004", []string{"limit"}, "1001"},
		{"limit negative", signed(ok(func(f map[string]any) { f["limit"] = -5 })), "2004", []string{"limit"}, "from 1 to 1000"},
		{"limit a fraction", signed(ok(func(f map[string]any) { f["limit"] = 2.5 })), "2003", []string{"limit"}, "2.5"},
		{"limit a word", signed(ok(func(f map[string]any) { f["limit"] = "ten" })), "2003", []string{"limit"}, `"ten"`},
		{"offset negative", signed(ok(func(f map[string]any) { f["offset"] = -1 })), "2004", []string{"offset"}, "from 0 to 1000000000"},
		{"offset beyond the most", signed(ok(func(f map[string]any) { f["offset"] = int64(1) << 62 })), "2004", []string{"offset"}, "4611686018427387904"},
		{"a filter the sandbox does not have", signed(ok(func(f map[string]any) { f["status"] = []any{"success"} })), "2004", []string{"status"}, "filters by nothing else"},
		{"every unusable value at once", signed(ok(func(f map[string]any) { f["limit"] = 0; f["offset"] = -1; f["interval"] = day("10:00:01", "10:00:00") })),
			"2004", []string{"interval", "limit", "offset"}, "swap"},
		{"wrong types before unusable values", signed(ok(func(f map[string]any) { f["limit"] = "ten"; f["offset"] = -1 })), "2003", []string{"limit"}, `"ten"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := postOperations(a, tt.body)
			assert.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
			var ans struct {
				Status, Code, Message string
				Errors                []platform.FieldError
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ans), "%s", rec.Body)
			assert.Equal(t, "error", ans.Status)
			assert.Equal(t, tt.code, ans.Code, "%s", rec.Body)
			code, err := strconv.Atoi(tt.code)
			require.NoError(t, err)
			assert.Equal(t, platform.CodeMessage(code), ans.Message)
			require.NotEmpty(t, ans.Errors, "%s", rec.Body)
			var fields []string
			for _, e := range ans.Errors {
				if e.Field != "" {
					fields = append(fields, e.Field)
				}
				assert.Equal(t, code, e.Code)
			}
			assert.Equal(t, tt.fields, fields, "%s", rec.Body)
			assert.Contains(t, ans.Errors[0].Message, tt.says)
		})
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}
