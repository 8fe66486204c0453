package control

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// methodView is a payment method as GET /sandbox/methods lists it: what a
// merchant's code or a tool needs to send it a sale.
type methodView struct {
	Code               string          `json:"code"`
	Name               string          `json:"name"`
	PaymentMethod      string          `json:"payment_method"`
	ProviderID         int             `json:"provider_id"`
	Currencies         []string        `json:"currencies"`
	GatePath           string          `json:"gate_path,omitempty"`
	RefundPath         string          `json:"refund_path,omitempty"`
	GateRequired       []string        `json:"gate_required"`
	ForcePaymentMethod []string        `json:"force_payment_method"`
	PageRequired       []string        `json:"page_required"`
	Settings           []string        `json:"settings"`
	ExampleSale        json.RawMessage `json:"example_sale,omitempty"`
}

func newMethodView(m platform.Method) methodView {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return methodView{
		Code: m.Code, Name: m.Name, PaymentMethod: m.PaymentMethod, ProviderID: m.ProviderID,
		Currencies: orEmpty(m.Currencies), GatePath: m.GatePath, RefundPath: m.RefundPath,
		GateRequired: orEmpty(m.GateRequired), ForcePaymentMethod: orEmpty(m.ForceCodes),
		PageRequired: orEmpty(m.PageRequired), Settings: orEmpty(m.Settings), ExampleSale: m.ExampleSale,
	}
}

// demoSale returns m's example sale for the demo project, payment
// "<code>-1", indented to read and copy, or "" when m has none.
func demoSale(m platform.Method) string {
	var body map[string]any
	if err := json.Unmarshal(m.ExampleSale, &body); err != nil || body == nil {
		return ""
	}
	body["general"] = map[string]any{"project_id": platform.DemoProject().ID, "payment_id": m.Code + "-1"}
	out, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return ""
	}
	return string(out)
}

// handleMethods lists the sandbox's payment methods, each with a sale its
// Gate endpoint accepts.
func (s *Server) handleMethods(c echo.Context) error {
	ms := s.Engine.Methods()
	out := make([]methodView, 0, len(ms))
	for _, m := range ms {
		out = append(out, newMethodView(m))
	}
	return c.JSON(http.StatusOK, map[string]any{"methods": out})
}
