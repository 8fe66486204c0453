package main

import (
	"fmt"
	"html"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusedGateRequestsAreShown is a merchant whose code drops the Gate's
// error answers: it still finds, in the control API and on the dashboard,
// each request the Gate refused, why, and what it sent.
func TestRefusedGateRequestsAreShown(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("used-1"), testSecret), nil))

	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		status  int
		code    int
		field   string
		says    string
		project int64 // 0: not known, for the path's errors
	}{
		{"a signature with another secret", "POST", oxxoPath, signed(oxxoSale("rf-1"), "another-secret"), 400, 3261, "general.signature", "the sandbox signed", testProject},
		{"a payment_id used before", "POST", oxxoPath, signed(oxxoSale("used-1"), testSecret), 400, 3041, "", `payment_id "used-1" was already used`, testProject},
		{"a missing field", "POST", oxxoPath, signed(oxxoSale("rf-2", func(b map[string]any) {
			delete(b["customer"].(map[string]any), "email")
		}), testSecret), 400, 2004, "customer.email", "customer.email is required", testProject},
		{"an unknown project", "POST", oxxoPath, signed(oxxoSale("rf-3", func(b map[string]any) {
			b["general"].(map[string]any)["project_id"] = 9
		}), testSecret), 400, 2442, "general.project_id", "there is no project 9", 9},
		{"a path with a trailing slash", "POST", oxxoPath + "/", oxxoSale("rf-4"), 404, 404, "url", "without the trailing /", 0},
		{"a GET", "GET", oxxoPath, nil, 405, 405, "", "every Gate request is a POST", 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.status, s.do(tt.method, tt.path, tt.body, nil), tt.name)
	}

	var got struct {
		Refusals []struct {
			Method, Path, Message, Body string
			RequestID                   string `json:"request_id"`
			PaymentID                   string `json:"payment_id"`
			ProjectID                   int64  `json:"project_id"`
			Status, Code                int
			Errors                      []struct {
				Code           int
				Field, Message string
			}
		}
	}
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/refusals", nil, &got))
	require.Len(t, got.Refusals, len(tests), "every refused request, and neither accepted sale")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := got.Refusals[len(tests)-1-i] // newest first
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, tt.path, r.Path)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.code, r.Code)
			assert.NotEmpty(t, r.RequestID)
			require.NotEmpty(t, r.Errors)
			assert.Equal(t, tt.field, r.Errors[0].Field)
			assert.Contains(t, r.Errors[0].Message, tt.says)
			if tt.body != nil {
				assert.Contains(t, r.Body, `"general"`, "what the merchant sent")
			}
			assert.Equal(t, tt.project, r.ProjectID)
		})
	}

	var mine, other struct{ Refusals []any }
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/refusals?project_id=%d", testProject), nil, &mine))
	assert.Len(t, mine.Refusals, 3, "the project's own: the signature, the payment_id and the missing field")
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/refusals?project_id=1", nil, &other))
	assert.Empty(t, other.Refusals)
	assert.Equal(t, http.StatusBadRequest, s.do("GET", "/sandbox/refusals?project_id=x", nil, nil))

	_, page := newConsole(t, s).get("/dashboard")
	page = html.UnescapeString(page)
	assert.Contains(t, page, "Refused Gate requests")
	for _, tt := range tests[1:] { // the dashboard shows the newest five
		assert.Contains(t, page, tt.says, tt.name)
	}
	_, filtered := newConsole(t, s).get("/dashboard?project_id=1")
	assert.NotContains(t, filtered, "Refused Gate requests", "another project's filter shows none")

	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/reset", nil, nil))
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/refusals", nil, &got))
	assert.Empty(t, got.Refusals, "a reset forgets them")
	_, page = newConsole(t, s).get("/dashboard")
	assert.NotContains(t, page, "Refused Gate requests")
}
