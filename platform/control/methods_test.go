package control_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// TestMethodsListASaleEachGateAccepts: GET /sandbox/methods lists every
// method the sandbox registers, in order, and each one's example sale,
// signed with general added, is a sale its Gate endpoint accepts.
func TestMethodsListASaleEachGateAccepts(t *testing.T) {
	t.Parallel()
	a := newSandbox(t)
	rec := serve(a, http.MethodGet, "/sandbox/methods", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var list struct {
		Methods []struct {
			Code        string         `json:"code"`
			GatePath    string         `json:"gate_path"`
			ExampleSale map[string]any `json:"example_sale"`
		} `json:"methods"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))

	var got []string
	for _, m := range list.Methods {
		got = append(got, m.Code)
	}
	require.Equal(t, app.MethodCodes(), got, "every registered method, in order")

	demo := platform.DemoProject()
	for _, m := range list.Methods {
		require.NotEmpty(t, m.GatePath, "%s has no Gate endpoint", m.Code)
		require.NotNil(t, m.ExampleSale, "%s lists no example sale", m.Code)
		rec := serve(a, http.MethodPost, m.GatePath, demoSale(t, m.ExampleSale, "example-"+m.Code))
		assert.Equal(t, http.StatusOK, rec.Code, "%s's example sale: %s", m.Code, rec.Body)
	}

	// The provider takes each sale on: none is declined once processed.
	rec = serve(a, http.MethodPost, "/sandbox/clock/advance", `{"duration":"1s"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	for _, m := range list.Methods {
		rec := serve(a, http.MethodGet, fmt.Sprintf("/sandbox/payments/%d/example-%s", demo.ID, m.Code), "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var p struct{ Status string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		assert.Contains(t, []string{"awaiting redirect result", "awaiting clarification"}, p.Status,
			"%s's example sale, processed: %s", m.Code, rec.Body)
	}
}

// demoSale is body, a sale without general, as the demo project sends it
// for payment id: general added and signed with the demo's secret.
func demoSale(t *testing.T, body map[string]any, id string) string {
	t.Helper()
	demo := platform.DemoProject()
	body["general"] = map[string]any{"project_id": demo.ID, "payment_id": id}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	data, err := signature.Decode(raw)
	require.NoError(t, err)
	body["general"].(map[string]any)["signature"] = signature.Sign(data, demo.Secret)
	raw, err = json.Marshal(body)
	require.NoError(t, err)
	return string(raw)
}
