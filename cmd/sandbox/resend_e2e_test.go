package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResendGoesWhereCallbacksGoNow: a merchant whose callbacks failed at a
// wrong callback URL sets the right one on the project and resends them:
// they reach the new URL, and a payment's own merchant_callback_url stays
// where it is (docs/control-api.md "Deliveries").
func TestResendGoesWhereCallbacksGoNow(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	const wrong, own = "http://127.0.0.1:1/callbacks", "http://127.0.0.1:1/own"
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": testProject, "secret": testSecret, "callback_url": wrong,
	}, nil))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("typo-1"), testSecret), nil))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("own-1", func(b map[string]any) {
		b["general"].(map[string]any)["merchant_callback_url"] = own
	}), testSecret), nil))
	delivery := func(paymentID string) map[string]any {
		var ans struct{ Deliveries []map[string]any }
		require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/deliveries?project_id=%d&payment_id=%s", testProject, paymentID), nil, &ans))
		require.Len(t, ans.Deliveries, 1)
		return ans.Deliveries[0]
	}
	lastAttemptURL := func(d map[string]any) any {
		attempts, _ := d["attempts"].([]any)
		if len(attempts) == 0 {
			return nil
		}
		return path(attempts[len(attempts)-1], "url")
	}
	for id, url := range map[string]string{"typo-1": wrong, "own-1": own} {
		eventually(t, "the first attempt of "+id+" fails", func() bool { return lastAttemptURL(delivery(id)) == url })
	}

	setupProject(t, s, m) // the project's callback URL is now the merchant's
	for _, id := range []string{"typo-1", "own-1"} {
		require.Equal(t, http.StatusAccepted, s.do("POST", fmt.Sprintf("/sandbox/deliveries/%v/resend", delivery(id)["id"]), nil, nil))
	}
	cb := m.next()
	assert.Equal(t, "typo-1", path(cb, "payment", "id"))
	assert.Equal(t, m.srv.URL+"/callbacks", delivery("typo-1")["url"])
	eventually(t, "typo-1 is delivered", func() bool { return delivery("typo-1")["status"] == "delivered" })
	eventually(t, "own-1 is resent to its merchant_callback_url", func() bool {
		d := delivery("own-1")
		return len(d["attempts"].([]any)) == 2 && lastAttemptURL(d) == own
	})
	m.none()
}
