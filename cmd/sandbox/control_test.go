package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestControlAPIErrors walks the control API's bad inputs: each answers a
// 4xx with {"error": "..."} that says what is wrong, and changes nothing.
func TestControlAPIErrors(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	voucherRef(t, s, m, "ctl-1")
	pay := fmt.Sprintf("/sandbox/payments/%d/ctl-1", testProject)

	tests := []struct {
		name, method, path string
		body               any
		status             int
		want               string
	}{
		{"health", "GET", "/sandbox/health", nil, 200, ""},
		{"unknown endpoint", "GET", "/sandbox/nothing", nil, 404, "not a sandbox endpoint"},
		{"project not JSON", "POST", "/sandbox/projects", "{id:", 400, "the body is not valid JSON: invalid character 'i' looking for beginning of object key string at line 1, column 2"},
		{"project unknown field", "POST", "/sandbox/projects", `{"id":3,"secret":"x","callbackurl":"http://x"}`, 400, "callbackurl"},
		{"project without secret", "POST", "/sandbox/projects", `{"id":3}`, 400, "secret"},
		{"project with a bad id", "POST", "/sandbox/projects", `{"id":-3,"secret":"x"}`, 400, "positive"},
		{"project with a relative callback URL", "POST", "/sandbox/projects", `{"id":3,"secret":"x","callback_url":"/cb"}`, 400, "absolute"},
		{"payments with a bad project", "GET", "/sandbox/payments?project_id=abc", nil, 400, "not a number"},
		{"payments, a page of none", "GET", "/sandbox/payments?limit=0", nil, 400, "from 1 to 1000"},
		{"payments, a page too long", "GET", "/sandbox/payments?limit=1001", nil, 400, "from 1 to 1000"},
		{"payments, a page of words", "GET", "/sandbox/payments?limit=all", nil, 400, "from 1 to 1000"},
		{"payments with a made-up cursor", "GET", "/sandbox/payments?cursor=abc", nil, 400, "not one this sandbox gave out"},
		{"payments with an unknown callback health", "GET", "/sandbox/payments?callbacks=good", nil, 400, "pending ok failing failed held"},
		{"payments with a misspelt status", "GET", "/sandbox/payments?status=sucess", nil, 400,
			`status "sucess" is not a payment status: use one of ["processing" "awaiting redirect result"`},
		{"payments with a status", "GET", "/sandbox/payments?status=awaiting%20redirect%20result", nil, 200, ""},
		{"payments of a method the sandbox lacks", "GET", "/sandbox/payments?method=boleto", nil, 400,
			`method "boleto" is not a method of this sandbox: use one of [oxxo`},
		{"payments with a misspelt filter", "GET", "/sandbox/payments?paymentid=ctl-1", nil, 400,
			`/sandbox/payments takes no query parameter "paymentid": it takes project_id, status, method, callbacks, payment_id, limit, cursor`},
		{"deliveries with a misspelt filter", "GET", "/sandbox/deliveries?paymnt_id=ctl-1", nil, 400,
			`/sandbox/deliveries takes no query parameter "paymnt_id": it takes project_id, payment_id, status`},
		{"deliveries with an unknown status", "GET", "/sandbox/deliveries?status=sent", nil, 400,
			`status "sent" is not a delivery status: use one of [pending delivered failed suppressed no_url]`},
		{"deliveries with a status", "GET", "/sandbox/deliveries?status=no_url", nil, 200, ""},
		{"payment of a bad project", "GET", "/sandbox/payments/abc/ctl-1", nil, 400, "not a number"},
		{"unknown payment", "GET", fmt.Sprintf("/sandbox/payments/%d/none", testProject), nil, 404, "none"},
		{"pay an unknown payment", "POST", fmt.Sprintf("/sandbox/payments/%d/none/pay", testProject), nil, 404, "none"},
		{"pay through a channel that does not exist", "POST", pay + "/pay", `{"channel":"atm"}`, 400, "atm"},
		{"pay with an unknown field", "POST", pay + "/pay", `{"chanel":"bank"}`, 400, `the pay input of Oxxo has the field "chanel", which it does not take; Oxxo takes a JSON object with the field "channel"`},
		{"pay with another method's input", "POST", pay + "/pay", `{"card":"4242424242424242"}`, 400, `has the field "card"`},
		{"pay with a channel that is no string", "POST", pay + "/pay", `{"channel":1}`, 400, "channel must be a string"},
		{"fail with a code the sandbox does not know", "POST", pay + "/fail", `{"code":123}`, 400, "123"},
		{"advance without a duration", "POST", "/sandbox/clock/advance", `{}`, 400, "72h"},
		{"advance backwards", "POST", "/sandbox/clock/advance", `{"duration":"-1h"}`, 400, "forward"},
		{"advance by nonsense", "POST", "/sandbox/clock/advance", `{"duration":"soon"}`, 400, "soon"},
		{"deliveries with a bad project", "GET", "/sandbox/deliveries?project_id=x", nil, 400, "not a number"},
		{"resend a delivery that does not exist", "POST", "/sandbox/deliveries/999/resend", nil, 404, "999"},
		{"resend a bad id", "POST", "/sandbox/deliveries/first/resend", nil, 400, "first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ans map[string]any
			status := s.do(tt.method, tt.path, tt.body, &ans)
			assert.Equal(t, tt.status, status, "%v", ans)
			if tt.want != "" {
				msg, _ := ans["error"].(string)
				assert.Contains(t, msg, tt.want)
			}
		})
	}

	// None of it changed the payment, the projects or the clock.
	var p map[string]any
	require.Equal(t, 200, s.do("GET", pay, nil, &p))
	assert.Equal(t, "awaiting redirect result", p["status"])
	var ps struct{ Projects []map[string]any }
	s.do("GET", "/sandbox/projects", nil, &ps)
	assert.Len(t, ps.Projects, 2)
	var clock struct{ Now string }
	s.do("GET", "/sandbox/clock", nil, &clock)
	assert.Equal(t, "2026-03-02T09:00:00Z", clock.Now)

	// And the happy paths of what is left: fail, freeze/unfreeze, reset.
	require.Equal(t, 200, s.do("POST", pay+"/fail", `{"code":20105}`, &p))
	assert.Equal(t, "decline", p["status"])
	require.Equal(t, 409, s.do("POST", pay+"/expire", nil, &p), "a final payment cannot lapse")
	var c struct{ Frozen bool }
	require.Equal(t, 200, s.do("POST", "/sandbox/clock/unfreeze", nil, &c))
	assert.False(t, c.Frozen)
	require.Equal(t, 200, s.do("POST", "/sandbox/clock/freeze", nil, &c))
	assert.True(t, c.Frozen)
	require.Equal(t, 200, s.do("POST", "/sandbox/reset", nil, nil))
	require.Equal(t, http.StatusNotFound, s.do("GET", pay, nil, nil))
}

// TestControlPaymentsPages lists payments in pages through the Link
// header, and by callback health and payment_id prefix.
func TestControlPaymentsPages(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("pg-%d", i)
		voucherRef(t, s, m, id)
		waitDelivered(t, s, id, 1)
	}
	list := func(t *testing.T, path string) (ids []string, next string) {
		t.Helper()
		resp, err := http.Get(s.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var body struct {
			Payments []struct {
				ID string `json:"payment_id"`
			} `json:"payments"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		for _, p := range body.Payments {
			ids = append(ids, p.ID)
		}
		if link := resp.Header.Get("Link"); link != "" {
			next, ok := strings.CutSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			require.True(t, ok, "Link %q", link)
			return ids, next
		}
		return ids, ""
	}

	var all []string
	pages := 0
	for path := fmt.Sprintf("/sandbox/payments?project_id=%d&limit=2", testProject); path != ""; pages++ {
		var ids []string
		ids, path = list(t, path)
		all = append(all, ids...)
		if path != "" {
			assert.Contains(t, path, "project_id=842", "the next page keeps the filter")
		}
	}
	assert.Equal(t, []string{"pg-5", "pg-4", "pg-3", "pg-2", "pg-1"}, all, "newest first, in pages")
	assert.Equal(t, 3, pages)

	tests := []struct {
		query string
		want  []string
	}{
		{"payment_id=pg-3", []string{"pg-3"}},
		{"payment_id=pg", []string{"pg-5", "pg-4", "pg-3", "pg-2", "pg-1"}},
		{"payment_id=ctl", nil},
		{"callbacks=ok&limit=3", []string{"pg-5", "pg-4", "pg-3"}},
		{"callbacks=failing", nil},
		{"status=awaiting%20redirect%20result&method=oxxo&payment_id=pg-1", []string{"pg-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			ids, _ := list(t, "/sandbox/payments?"+tt.query)
			assert.Equal(t, tt.want, ids)
		})
	}
}
