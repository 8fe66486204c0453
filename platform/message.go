package platform

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The messages the sandbox sends merchants, shaped as in the seeds' examples.
// They never carry JSON null, floats, or lists longer than ten items, so that
// every official SDK verifies their signatures (SPEC.md §2).

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
	ID string `json:"id"`
}

type messageProvider struct {
	ID        int    `json:"id"`
	PaymentID string `json:"payment_id"`
	AuthCode  string `json:"auth_code"`
	Date      string `json:"date,omitempty"`
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
	Code         string          `json:"code"`
	Message      string          `json:"message"`
}

type messageError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

type callbackMessage struct {
	ProjectID           int64              `json:"project_id"`
	Payment             messagePayment     `json:"payment"`
	Customer            messageCustomer    `json:"customer"`
	Errors              []messageError     `json:"errors,omitempty"`
	Operation           *messageOperation  `json:"operation,omitempty"`
	Operations          []messageOperation `json:"operations,omitempty"`
	RedirectData        *Redirect          `json:"redirect_data,omitempty"`
	ClarificationFields []string           `json:"clarification_fields,omitempty"`
}

func (e *Engine) methodName(p *Payment) string {
	if prov, ok := e.providers[p.Method]; ok {
		return prov.Method().PaymentMethod
	}
	return p.Method
}

func messageOf(method string, p *Payment) callbackMessage {
	return callbackMessage{
		ProjectID: p.ProjectID,
		Payment: messagePayment{
			ID: p.ID, Type: "purchase", Status: p.Status, Date: FormatDate(p.UpdatedAt),
			Method: method, Sum: p.Sum, Description: p.Description,
		},
		Customer: messageCustomer{ID: p.Customer.ID},
	}
}

func operationOf(provider int, op *Operation) messageOperation {
	m := messageOperation{
		ID: op.ID, Type: op.Type, Status: op.Status, Date: FormatDate(op.UpdatedAt),
		CreatedDate: FormatDate(op.CreatedAt), RequestID: op.RequestID,
		SumInitial: op.Sum, SumConverted: op.Converted,
		Provider: messageProvider{ID: provider, PaymentID: op.ProviderPaymentID, AuthCode: op.AuthCode},
		Code:     op.Code, Message: op.Message,
	}
	if !op.ProviderDate.IsZero() {
		m.Provider.Date = FormatDate(op.ProviderDate)
	}
	return m
}

func errorsOf(op *Operation) []messageError {
	if len(op.Errors) == 0 {
		return nil
	}
	out := make([]messageError, 0, min(len(op.Errors), 10))
	for _, e := range op.Errors[:min(len(op.Errors), 10)] {
		out = append(out, messageError(e))
	}
	return out
}

// callbackBody builds the unsigned callback for op of p.
func (e *Engine) callbackBody(p *Payment, op *Operation) ([]byte, error) {
	provider := e.providers[p.Method].Method().ProviderID
	m := messageOf(e.methodName(p), p)
	o := operationOf(provider, op)
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
	provider := e.providers[p.Method].Method().ProviderID
	m := messageOf(e.methodName(p), p)
	for i := range p.Operations {
		m.Operations = append(m.Operations, operationOf(provider, &p.Operations[i]))
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
