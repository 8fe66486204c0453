package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestControlAPIBodies replays the probe's bodies: a 10 MB secret, a body
// cut at 1 MiB that was answered "unexpected EOF", and trailing garbage
// after the JSON that was accepted. Each is refused with what is wrong,
// and nothing changes.
func TestControlAPIBodies(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// project is a project's JSON; the secrets are letters that need no
	// escaping (json.Marshal of a 10 MB string takes a second under -race).
	project := func(id int, secret string) string {
		return fmt.Sprintf(`{"id":%d,"secret":"%s"}`, id, secret)
	}
	tests := []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"a 10 MB secret", "/sandbox/projects", project(3, strings.Repeat("k", 10<<20)), http.StatusRequestEntityTooLarge,
			"request body too large: the limit is 1048576 bytes (1 MiB)"},
		{"a body just over 1 MiB", "/sandbox/projects", project(3, strings.Repeat("k", 1<<20)), http.StatusRequestEntityTooLarge,
			"the limit is 1048576 bytes"},
		{"a 600 KB secret", "/sandbox/projects", project(3, strings.Repeat("k", 600<<10)), http.StatusBadRequest,
			"secret is 614400 bytes long; the limit is 512 bytes"},
		{"garbage after the JSON", "/sandbox/projects", project(3, "x") + "garbage", http.StatusBadRequest,
			"goes on after its JSON value ends at byte 21"},
		{"two JSON objects", "/sandbox/projects", project(3, "x") + project(4, "y"), http.StatusBadRequest,
			"send one JSON value and nothing after it"},
		{"garbage after a duration", "/sandbox/clock/advance", `{"duration":"1h"} x`, http.StatusBadRequest,
			"goes on after its JSON value"},
		{"an ID in quotes", "/sandbox/projects", `{"id":"3","secret":"x"}`, http.StatusBadRequest,
			`the body has a string where id must be a whole number; this endpoint takes a JSON object with the fields "id", "secret", "callback_url", "check_deposit_url" and "methods"`},
		{"a misspelt field", "/sandbox/projects", `{"id":3,"secret":"x","callbak_url":"http://x"}`, http.StatusBadRequest,
			`the body has the field "callbak_url", which it does not take; this endpoint takes a JSON object with the fields "id", "secret"`},
		{"a body cut short", "/sandbox/projects", `{"id":3,"secret":"x"`, http.StatusBadRequest,
			"the body is not valid JSON: it ends before its last object, list or string is closed"},
		{"a setting in quotes", "/sandbox/projects", `{"id":3,"secret":"x","methods":{"oxxo":{"max_amount":"5000"}}}`, http.StatusBadRequest,
			"the body has a string where methods.max_amount must be a whole number"},
		{"a setting the method does not take", "/sandbox/projects", `{"id":3,"secret":"x","methods":{"oxxo":{"timeout":"30m"}}}`, http.StatusBadRequest,
			"methods.oxxo.timeout is not a setting of Oxxo, which takes min_amount, max_amount, whole_units, variant: remove it"},
		{"a negative bound", "/sandbox/projects", `{"id":3,"secret":"x","methods":{"loterica":{"max_amount":-1}}}`, http.StatusBadRequest,
			"methods.loterica.max_amount must not be negative, not -1"},
	}
	for _, tt := range tests {
		rec := r.do(request{method: "POST", path: tt.path, body: tt.body, header: map[string]string{"Content-Type": "application/json"}})
		assert.Equal(t, tt.status, rec.Code, tt.name)
		assert.Contains(t, errorOf(t, rec), tt.want, tt.name)
	}
	assert.Empty(t, r.secretOf(3), "no project 3")
	assert.Empty(t, r.secretOf(4), "no project 4")
	var clock struct{ Now string }
	assert.NoError(t, json.Unmarshal(r.get("/sandbox/clock").Body.Bytes(), &clock))
	assert.Equal(t, "2026-03-02T09:00:00Z", clock.Now, "the clock did not move")

	// Whitespace after the JSON is no garbage.
	rec := r.do(request{method: "POST", path: "/sandbox/projects", body: project(3, "x") + " \n"})
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}
