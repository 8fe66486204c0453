package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The messages the sandbox sends merchants, shaped as ecommpay sends them.
// They never carry JSON null, floats, or lists longer than ten items, so that
// every official SDK verifies their signatures (docs/gate.md "Signature").

// CustomerField is a field of the customer that a method's callbacks carry.
type CustomerField string

// The customer fields callbacks may carry.
const (
	CustomerID    CustomerField = "id"    // customer.id: the merchant's ID of the customer
	CustomerPhone CustomerField = "phone" // customer.phone
)

// CallbackShape is what a method's callbacks (and the answers to status
// requests) carry beyond the fields every callback has: ecommpay's methods
// differ in these, and a merchant's code must meet the method's own shape.
type CallbackShape struct {
	// Customer lists the customer fields a callback carries; a field the
	// payment has no value for is left out, and with none left (or none
	// listed) the callback has no customer object.
	Customer []CustomerField
	// ProviderDate says operation.provider.date is sent, once the provider
	// has the operation (it gave its payment_id).
	ProviderDate bool
}

type messagePayment struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Status      Status `json:"status"`
	Date        string `json:"date"`
	Method      string `json:"method"`
	Sum         Sum    `json:"sum"`
	Description string `json:"description"`
}

type messageCustomer struct {
	ID    string `json:"id,omitempty"`
	Phone string `json:"phone,omitempty"`
}

type messageProvider struct {
	ID        int    `json:"id"`
	PaymentID string `json:"payment_id"`
	// AuthCode is nil where ecommpay sends no auth_code.
	AuthCode *string `json:"auth_code,omitempty"`
	Date     string  `json:"date,omitempty"`
}

type messageOperation struct {
	ID           int64           `json:"id"`
	Type         string          `json:"type"`
	Status       Status          `json:"status"`
	Date         string          `json:"date"`
	CreatedDate  string          `json:"created_date"`
	RequestID    string          `json:"request_id"`
	SumInitial   Sum             `json:"sum_initial"`
	SumConverted Sum             `json:"sum_converted"`
	Provider     messageProvider `json:"provider"`
	// Code is a string such as "0" or "20000", and a number in the
	// over-limit decline (see overLimit).
	Code    any    `json:"code"`
	Message string `json:"message"`
}

type messageError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type callbackMessage struct {
	ProjectID           int64              `json:"project_id"`
	Payment             messagePayment     `json:"payment"`
	Customer            *messageCustomer   `json:"customer,omitempty"`
	Errors              []messageError     `json:"errors,omitempty"`
	Operation           *messageOperation  `json:"operation,omitempty"`
	Operations          []messageOperation `json:"operations,omitempty"`
	RedirectData        *Redirect          `json:"redirect_data,omitempty"`
	ClarificationFields []string           `json:"clarification_fields,omitempty"`
}

// methodOf returns the method of p's provider; a payment of a method no
// longer registered keeps its code as payment.method and the plainest shape.
func (e *Engine) methodOf(p *Payment) Method {
	if prov, ok := e.providers[p.Method]; ok {
		return prov.Method()
	}
	return Method{Code: p.Method, PaymentMethod: p.Method}
}

func (e *Engine) methodName(p *Payment) string { return e.methodOf(p).PaymentMethod }

func messageOf(m Method, p *Payment) callbackMessage {
	return callbackMessage{
		ProjectID: p.ProjectID,
		Payment: messagePayment{
			ID: p.ID, Type: "purchase", Status: p.Status, Date: FormatDate(p.UpdatedAt),
			Method: m.PaymentMethod, Sum: p.Sum, Description: p.Description,
		},
		Customer: customerOf(m.Callback, p.Customer),
	}
}

// customerOf is the customer object of a callback: the fields the method's
// callbacks carry that the payment has, or nil.
func customerOf(shape CallbackShape, c Customer) *messageCustomer {
	var mc messageCustomer
	for _, f := range shape.Customer {
		switch f {
		case CustomerID:
			mc.ID = c.ID
		case CustomerPhone:
			mc.Phone = c.Phone
		}
	}
	if mc == (messageCustomer{}) {
		return nil
	}
	return &mc
}

// overLimit reports whether op is the platform's decline of an amount above
// the method's maximum. ecommpay sends it in a shape of its own: the code a
// number, the reason also in errors, and a provider that never saw the
// operation (its id and an empty payment_id, nothing else).
func overLimit(op *Operation) bool {
	return op.Status == StatusDecline && op.Code == strconv.Itoa(DeclineOverMaxLimit)
}

func operationOf(m Method, op *Operation) messageOperation {
	mo := messageOperation{
		ID: op.ID, Type: op.Type, Status: op.Status, Date: FormatDate(op.UpdatedAt),
		CreatedDate: FormatDate(op.CreatedAt), RequestID: op.RequestID,
		SumInitial: op.Sum, SumConverted: op.Converted,
		Provider: messageProvider{ID: m.ProviderID, PaymentID: op.ProviderPaymentID},
		Code:     op.Code, Message: op.Message,
	}
	if overLimit(op) {
		mo.Code = DeclineOverMaxLimit
		return mo
	}
	authCode := op.AuthCode
	mo.Provider.AuthCode = &authCode
	if m.Callback.ProviderDate && op.ProviderPaymentID != "" && !op.ProviderDate.IsZero() {
		mo.Provider.Date = FormatDate(op.ProviderDate)
	}
	return mo
}

// errorsOf returns the errors a callback carries for op: only the
// over-limit decline has them, as {code, message}. The sandbox's own
// explanation of a decline (which field, why) stays on the stored
// operation, where the control API and the dashboard show it.
func errorsOf(op *Operation) []messageError {
	if !overLimit(op) {
		return nil
	}
	return []messageError{{Code: DeclineOverMaxLimit, Message: CodeMessage(DeclineOverMaxLimit)}}
}

// callbackBody builds the unsigned callback for op of p.
func (e *Engine) callbackBody(p *Payment, op *Operation) ([]byte, error) {
	method := e.methodOf(p)
	m := messageOf(method, p)
	o := operationOf(method, op)
	m.Operation = &o
	withState(&m, p, op)
	b, err := marshalMessage(m)
	if err != nil {
		return nil, fmt.Errorf("callback body of %s: %w", p.Key(), err)
	}
	return b, nil
}

// StatusBody builds the unsigned answer to a status request: a callback's
// shape with every operation of the payment in "operations".
func (e *Engine) StatusBody(p *Payment) ([]byte, error) {
	method := e.methodOf(p)
	m := messageOf(method, p)
	for i := range p.Operations {
		m.Operations = append(m.Operations, operationOf(method, &p.Operations[i]))
	}
	if last := p.Last(); last != nil {
		withState(&m, p, last)
	}
	b, err := marshalMessage(m)
	if err != nil {
		return nil, fmt.Errorf("status body of %s: %w", p.Key(), err)
	}
	return b, nil
}

// withState adds what op's status says about p: its errors, where the
// customer must go, or which fields are awaited.
func withState(m *callbackMessage, p *Payment, op *Operation) {
	m.Errors = errorsOf(op)
	if op.Status == StatusAwaitingRedirect && p.Redirect != nil {
		m.RedirectData = p.Redirect
	}
	if op.Status == StatusAwaitingClarification {
		m.ClarificationFields = p.Clarification
	}
}

// marshalMessage encodes a message as ecommpay sends it: compact, with <, >
// and & written as they are rather than as \u003c escapes.
func marshalMessage(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
