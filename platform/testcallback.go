package platform

import (
	"context"
	"fmt"
)

// TestCallbackID is the payment ID a test callback names: no such payment
// exists, so a merchant can tell the test from a real callback.
const TestCallbackID = "sandbox-test-callback"

// TestCallback sends the project's callback URL a signed callback of a
// made-up successful payment, now, and returns what the merchant answered:
// a developer checks that the URL is reachable and that the signature
// verifies before a real payment depends on it. Nothing is stored and
// nothing is retried.
func (e *Engine) TestCallback(ctx context.Context, projectID int64) (Attempt, error) {
	project, err := e.Project(ctx, projectID)
	if err != nil {
		return Attempt{}, err
	}
	if project.CallbackURL == "" {
		return Attempt{}, Errorf(CodeStatusForbids, "project %d has no callback URL: give it one, then send the test callback", projectID)
	}
	if e.outbox.sender == nil {
		return Attempt{}, fmt.Errorf("test callback of project %d: the sandbox has no callback sender", projectID)
	}
	now := e.clock.Now()
	method := Method{PaymentMethod: "card", Callback: CallbackShape{Customer: []CustomerField{CustomerID}}}
	if len(e.methods) > 0 {
		method = e.methods[0] // shaped as that method's callbacks are
	}
	sum := Sum{Amount: 100, Currency: "USD"}
	op := Operation{
		ID: 1, Type: OperationSale, Status: StatusSuccess, RequestID: "sandbox-test",
		Sum: sum, Converted: sum, Code: "0", Message: "Success",
		ProviderPaymentID: "sandbox-test", CreatedAt: now, UpdatedAt: now, ProviderDate: now,
	}
	p := &Payment{
		ProjectID: projectID, ID: TestCallbackID, Status: StatusSuccess, Amount: sum, Sum: sum,
		Description: "A test callback from the sandbox dashboard: no payment was made",
		Customer:    Customer{ID: "sandbox-test"}, Operations: []Operation{op}, CreatedAt: now, UpdatedAt: now,
	}
	m := messageOf(method, p)
	o := operationOf(method, &p.Operations[0])
	m.Operation = &o
	body, err := marshalMessage(m)
	if err != nil {
		return Attempt{}, fmt.Errorf("test callback of project %d: %w", projectID, err)
	}
	a := e.outbox.sender.Send(ctx, project.CallbackURL, body, project.Secret)
	a.At = now
	e.log.Info("test callback", "project_id", projectID, "url", a.URL, "status", a.Status, "latency", a.Latency, "err", a.Error)
	return a, nil
}
