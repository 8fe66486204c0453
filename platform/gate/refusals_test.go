package gate_test

import (
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
