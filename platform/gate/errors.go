package gate

import (
	"errors"
	"net/http"
	"strconv"

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
	return c.JSON(http.StatusBadRequest, ans)
}

// newRequestID is the request_id of an answer that starts no operation:
// every request gets its own.
func (s *Server) newRequestID() string { return s.Engine.NewID(10) }
