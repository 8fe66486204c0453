package gate_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/platform/gate"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// TestRefusalsKeepBoundedTexts sends the Gate requests whose answers quote
// what the client made as long as it liked: a path of 200 KB, a payment_id
// and a string signed of as much. The answer may quote them whole, but the
// refusal the sandbox keeps (100 of them, in memory, shown on the dashboard)
// and the request's log line keep MaxRefusalText bytes of each, so that a
// client cannot grow the sandbox by hundreds of megabytes.
func TestRefusalsKeepBoundedTexts(t *testing.T) {
	t.Parallel()
	sb := enginetest.New(t, cash{}, enginetest.Options{Project: platform.Project{ID: project, Secret: secret}})
	var logged testlog.Buffer
	gate.New(sb.Engine, slog.New(slog.NewTextHandler(&logged, nil))).Routes(sb.Echo)

	long := strings.Repeat("é", 100_000) // 200 KB, two bytes a rune
	rec := sb.Do(httptest.NewRequest(http.MethodPost, "/v2/"+long, nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
	status, _, _ := post(t, sb, salePath, with("sig-1", map[string]any{"payment.description": long, "general.signature": "bm90IGl0"}))
	require.Equal(t, http.StatusBadRequest, status)

	kept := sb.Engine.Refusals(0)
	require.Len(t, kept, 2)
	within := func(what, s string) {
		t.Helper()
		assert.LessOrEqual(t, len(s), platform.MaxRefusalText+len("…"), what)
		assert.True(t, strings.HasSuffix(s, "…") || len(s) < 1000, "%s says it was cut", what)
	}
	for _, r := range kept {
		within("path", r.Path)
		within("message", r.Message)
		for _, e := range r.Errors {
			within("field", e.Field)
			within("error", e.Message)
		}
	}
	assert.True(t, strings.HasPrefix(kept[1].Path, "/v2/éé"), "the start of the path is kept")
	assert.Contains(t, kept[0].Errors[0].Message, "the sandbox signed", "the start of the message is kept")
	lines := logged.Lines()
	assert.Len(t, lines, 2, "a line for each refusal")
	for _, line := range lines {
		assert.Less(t, len(line), 3*platform.MaxRefusalText, "a log line: %.200s", line)
	}
}

// TestGateDiagnosesRequestsOfTheirSize: a wrong signature is explained by
// signing the body a dozen ways and with every project's secret; a body of a
// request's size gets that, a body larger than signature.MaxDiagnosed only
// the string signed, so that one request cannot cost a hundred signings of a
// megabyte.
func TestGateDiagnosesRequestsOfTheirSize(t *testing.T) {
	t.Parallel()
	sb := newGate(t)
	for _, tt := range []struct {
		name, says string
		sign       func(map[string]any, string) map[string]any
		key        string
	}{
		{"another project's key", "your code signs with project 1's secret key", sign, platform.DemoProject().Secret},
		{"the JSON text signed", "your code signs the body's JSON text", signJSONText, secret},
	} {
		for _, size := range []int{100, signature.MaxDiagnosed} {
			t.Run(fmt.Sprintf("%s, a description of %d bytes", tt.name, size), func(t *testing.T) {
				t.Parallel()
				body := tt.sign(with("d-1", map[string]any{"payment.description": strings.Repeat("d", size)}), tt.key)
				status, a, raw := post(t, sb, salePath, body)
				require.Equal(t, http.StatusBadRequest, status, "%.300s", raw)
				require.Equal(t, "3261", a.Code)
				msg, _ := a.Errors[0]["message"].(string)
				assert.True(t, strings.HasPrefix(msg, "signature does not match"), "%.300s", msg)
				assert.Contains(t, msg, "the sandbox signed")
				said := strings.Contains(msg, tt.says)
				assert.Equal(t, size < signature.MaxDiagnosed, said, "the mistake named, for a body of its size only: %.300s", msg)
			})
		}
	}
}

// TestOperationsGetNamesTenFieldsItDoesNotTake: a Data API body of 500
// fields the API does not take is answered with ten of them named and one
// error counting the rest, not with an error for each, which made an
// answer of 11.5 MB for a body of 0.9 MB.
func TestOperationsGetNamesTenFieldsItDoesNotTake(t *testing.T) {
	t.Parallel()
	sb := newGate(t)
	ops := map[string]any{"project_id": []int{project}, "interval": map[string]any{"from": "2026-03-01 00:00:00", "to": "2026-03-31 23:59:59"}}
	for i := range 500 {
		ops[fmt.Sprintf("k%03d", i)] = 1
	}
	req := httptest.NewRequest(http.MethodPost, "/operations/get", strings.NewReader(signedBody(t, ops, secret)))
	req.Header.Set("Content-Type", "application/json")
	rec := sb.Do(req)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	var a answer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a))
	assert.Equal(t, "2004", a.Code)
	require.Len(t, a.Errors, 11, "%.300s", rec.Body)
	for i, e := range a.Errors[:10] {
		assert.Equal(t, fmt.Sprintf("k%03d", i), e["field"])
	}
	assert.Equal(t, "and 490 more fields the sandbox's Data API does not take", a.Errors[10]["message"])
	assert.NotContains(t, a.Errors[10], "field")
}
