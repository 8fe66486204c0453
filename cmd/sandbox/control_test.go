package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestControlAPIErrors walks the control API's bad inputs: each answers a
// 4xx with {"error": "..."} that says what is wrong, and changes nothing.
func TestControlAPIErrors(t *testing.T) {
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
		{"project not JSON", "POST", "/sandbox/projects", "{id:", 400, "not the JSON"},
		{"project unknown field", "POST", "/sandbox/projects", `{"id":3,"secret":"x","callbackurl":"http://x"}`, 400, "callbackurl"},
		{"project without secret", "POST", "/sandbox/projects", `{"id":3}`, 400, "secret"},
		{"project with a bad id", "POST", "/sandbox/projects", `{"id":-3,"secret":"x"}`, 400, "positive"},
		{"project with a relative callback URL", "POST", "/sandbox/projects", `{"id":3,"secret":"x","callback_url":"/cb"}`, 400, "absolute"},
		{"payments with a bad project", "GET", "/sandbox/payments?project_id=abc", nil, 400, "not a number"},
		{"payment of a bad project", "GET", "/sandbox/payments/abc/ctl-1", nil, 400, "not a number"},
		{"unknown payment", "GET", fmt.Sprintf("/sandbox/payments/%d/none", testProject), nil, 404, "none"},
		{"pay an unknown payment", "POST", fmt.Sprintf("/sandbox/payments/%d/none/pay", testProject), nil, 404, "none"},
		{"pay through a channel that does not exist", "POST", pay + "/pay", `{"channel":"atm"}`, 400, "atm"},
		{"pay with an unknown field", "POST", pay + "/pay", `{"chanel":"bank"}`, 400, "chanel"},
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
