package gate

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// errorAnswer is the synchronous answer to a rejected request (docs/gate.md
// "Synchronous answers").
type errorAnswer struct {
	Status    string                `json:"status"`
	Code      string                `json:"code"`
	Message   string                `json:"message"`
	RequestID string                `json:"request_id"`
	ProjectID int64                 `json:"project_id,omitempty"`
	PaymentID string                `json:"payment_id,omitempty"`
	Errors    []platform.FieldError `json:"errors"`
}

// fail is the one place the Gate turns an error into an HTTP answer: a
// platform.Error becomes 400 with its code; anything else is a 500 that says
// so, logged, with nothing stored.
func (s *Server) fail(c echo.Context, id ids, err error) error {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		s.Log.ErrorContext(c.Request().Context(), "the Gate failed", "path", c.Path(), "err", err)
		return c.JSON(http.StatusInternalServerError, errorAnswer{
			Status: "error", Code: "500", Message: "Internal error of the sandbox", RequestID: s.newRequestID(),
			ProjectID: id.projectID, PaymentID: id.paymentID,
			Errors: []platform.FieldError{{Code: 500, Message: err.Error()}},
		})
	}
	ans := errorAnswer{
		Status: "error", Code: strconv.Itoa(pe.Code), Message: pe.Message, RequestID: s.newRequestID(),
		ProjectID: id.projectID, PaymentID: id.paymentID, Errors: pe.Fields,
	}
	if len(ans.Errors) == 0 {
		ans.Errors = []platform.FieldError{{Code: pe.Code, Message: pe.Detail}}
	}
	s.refused(c, http.StatusBadRequest, ans, id.raw)
	return c.JSON(http.StatusBadRequest, ans)
}

// refused keeps a refused request with its answer where the control API and
// the dashboard show it, and says it in the request's log line, so that a
// developer whose code drops the answer still learns why.
func (s *Server) refused(c echo.Context, status int, ans errorAnswer, raw []byte) {
	r := c.Request()
	code, _ := strconv.Atoi(ans.Code)
	kept := s.Engine.Refused(platform.Refusal{
		Method: r.Method, Path: r.URL.Path, Status: status,
		RequestID: ans.RequestID, Code: code, Message: ans.Message, Errors: ans.Errors,
		ProjectID: ans.ProjectID, PaymentID: ans.PaymentID, Body: string(raw[:min(len(raw), platform.MaxRefusalBody+utf8.UTFMax)]),
	})
	// The log line says why as the refusal kept it: a message may quote a
	// path or a string signed as long as the client made it.
	why := kept.Message
	if len(kept.Errors) > 0 {
		why = kept.Errors[0].Message
		if f := kept.Errors[0].Field; f != "" {
			why = f + ": " + why
		}
	}
	attrs := []any{"code", code}
	if ans.ProjectID != 0 {
		attrs = append(attrs, "project_id", ans.ProjectID)
	}
	if ans.PaymentID != "" {
		attrs = append(attrs, "payment_id", ans.PaymentID)
	}
	s.Log.InfoContext(r.Context(), "the Gate refused the request", append(attrs, "why", why)...)
}

// newRequestID is the request_id of an answer that starts no operation:
// every request gets its own.
func (s *Server) newRequestID() string { return s.Engine.NewID(10) }
