package toymethod

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Code is the Toy's method code: its route name and force_payment_method
// value.
const Code = "toy"

// Prefix is where the Toy's pages live.
const Prefix = "/providers/" + Code

// Method returns the Toy as merchants see it.
func Method() platform.Method {
	return platform.Method{
		Code:          Code,
		Name:          "Toy",
		PaymentMethod: "toy",
		ProviderID:    4242,
		GatePath:      "/v2/payment/toy/sale",
		RefundPath:    "/v2/payment/toy/refund",
		ExampleSale: json.RawMessage(`{"customer": {"id": "c-1", "ip_address": "198.51.100.7"},
			"payment": {"amount": 1500, "currency": "USD", "description": "A toy"}}`),
		ForceCodes: []string{Code},
		Currencies: []string{"USD", "EUR"},
		Brand: platform.Brand{
			Name: "Toy", Mark: "TOY", Tile: "TOY",
			Color: "#5b21b6", Ink: "#ffffff", Accent: "#f59e0b",
		},
		Hints: map[string]string{
			"en": "A tab you settle on the Toy's page",
			"es": "Una cuenta que saldas en la página de Toy",
			"pt": "Uma conta que você paga na página do Toy",
		},
	}
}

// Provider is the Toy's mock provider.
type Provider struct{}

var _ platform.Refunder = (*Provider)(nil)

// New returns the Toy's provider.
func New() *Provider { return &Provider{} }

// Method returns the method the provider serves.
func (*Provider) Method() platform.Method { return Method() }

// PayInput is how a Toy tab is settled: the control API's pay body, and what
// the tab page sends.
type PayInput struct {
	// Answer is "pay" (the default) or "decline".
	Answer string `json:"answer,omitempty"`
}

// TabPath is the page of the tab with reference ref.
func TabPath(ref string) string { return Prefix + "/tabs/" + ref }

// Start opens a tab with a reference of its own and sends the customer to
// its page.
func (*Provider) Start(p *platform.Payment, env platform.Env) (platform.Step, error) {
	b := make([]byte, 6)
	if _, err := io.ReadFull(env.Rand, b); err != nil {
		return platform.Step{}, fmt.Errorf("toy: tab reference: %w", err)
	}
	ref := hex.EncodeToString(b)
	return platform.Step{
		Status:            platform.StatusAwaitingRedirect,
		ProviderPaymentID: ref,
		References:        []string{ref},
		Redirect:          &platform.Redirect{URL: env.BaseURL + TabPath(ref), Method: "GET", Body: json.RawMessage(`{}`)},
		Notify:            true,
	}, nil
}

// Pay settles the tab as the customer answered.
func (*Provider) Pay(p *platform.Payment, raw json.RawMessage, _ platform.Env) (platform.Step, error) {
	var in PayInput
	if err := platform.DecodeInput(Method(), raw, &in); err != nil {
		return platform.Step{}, err
	}
	if p.Status != platform.StatusAwaitingRedirect {
		return platform.Step{}, platform.Errorf(platform.CodeStatusForbids, "payment %s is %s: its tab is closed", p.Key(), p.Status)
	}
	switch in.Answer {
	case "", "pay":
		return platform.Step{Status: platform.StatusSuccess}, nil
	case "decline":
		return platform.Decline(platform.DeclineGeneral), nil
	}
	return platform.Step{}, platform.Errorf(platform.CodeInvalidRequest, "answer %q is not one a tab takes: use \"pay\" or \"decline\"", in.Answer)
}

// Fail declines the tab with code.
func (*Provider) Fail(_ *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	return platform.Decline(code), nil
}

// Expire closes a tab nobody settled.
func (*Provider) Expire(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Decline(platform.DeclineGeneral), nil
}

// Refund refunds a settled tab in full: the Gate mounts its endpoint
// (Method.RefundPath) because the Toy is a platform.Refunder.
func (*Provider) Refund(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusSuccess}, nil
}

// Job runs nothing: the Toy schedules no jobs.
func (*Provider) Job(p *platform.Payment, name string, _ platform.Env) (platform.Step, error) {
	return platform.Step{}, fmt.Errorf("toy: payment %s: no job %q", p.Key(), name)
}
