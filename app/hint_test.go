package app

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
)

// TestAFullDiskSaysWhatToDo: a sale that fails because the data file's
// disk is full is logged, as the Gate logs it, with what the host must do;
// any other failure is not.
func TestAFullDiskSaysWhatToDo(t *testing.T) {
	t.Parallel()
	full := &fs.PathError{Op: "write", Path: "/data/sandbox.db", Err: syscall.ENOSPC}
	tests := []struct {
		name     string
		err      error
		wantHint bool
	}{
		{"a full disk", fmt.Errorf("sale 1/order-1: %w", full), true},
		{"a failure of the sandbox's own", fmt.Errorf("sale 1/order-1: job panicked"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf testlog.Buffer
			l := slog.New(slog.NewTextHandler(&buf, nil))
			served := servedLog(l)
			e := echo.New()
			e.Use(requestLog(l))
			e.POST("/v2/payment/voucher/oxxo/sale", func(c echo.Context) error {
				served.ErrorContext(c.Request().Context(), "the Gate failed", "err", tt.err)
				return c.JSON(http.StatusInternalServerError, map[string]string{"status": "error"})
			})
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v2/payment/voucher/oxxo/sale", nil))
			const hint = `hint="the disk of the data file is full: free some space, and the sandbox goes on by itself`
			if tt.wantHint {
				assert.Contains(t, buf.String(), hint)
			} else {
				assert.NotContains(t, buf.String(), "hint=")
			}
			assert.Len(t, buf.Lines(), 1, "one line a request")
		})
	}
}
