package bolt

import (
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// The record types of schema 1, which stored payments, jobs and deliveries
// as JSON. Open converts a file of schema 1 (see migrate.go); nothing else
// reads them.

// v1PaymentRecord stored a platform.Payment. Seq was the sequence of its entry
// in the time index of schema 1.
type v1PaymentRecord struct {
	V             int                 `json:"v"`
	Seq           uint64              `json:"seq"`
	ProjectID     int64               `json:"project_id"`
	ID            string              `json:"id"`
	Method        string              `json:"method"`
	Interface     string              `json:"interface"`
	Status        string              `json:"status"`
	Amount        v1SumRecord         `json:"amount"`
	Sum           v1SumRecord         `json:"sum"`
	Description   string              `json:"description,omitempty"`
	Customer      v1CustomerRecord    `json:"customer"`
	ReturnURLs    v1ReturnURLsRecord  `json:"return_urls"`
	Callback      v1CallbackRecord    `json:"callback"`
	Language      string              `json:"language,omitempty"`
	PageOptions   map[string]string   `json:"page_options,omitempty"`
	Redirect      *v1RedirectRecord   `json:"redirect,omitempty"`
	Clarification []string            `json:"clarification,omitempty"`
	Voucher       *v1VoucherRecord    `json:"voucher,omitempty"`
	ProviderData  []byte              `json:"provider_data,omitempty"`
	Operations    []v1OperationRecord `json:"operations"`
	CreatedAt     time.Time           `json:"created_at,omitzero"`
	UpdatedAt     time.Time           `json:"updated_at,omitzero"`
	Callbacks     v1CallbacksRecord   `json:"callbacks,omitzero"`
	Streams       uint64              `json:"streams,omitempty"`
}

// v1CallbacksRecord stores a platform.CallbackSummary.
type v1CallbacksRecord struct {
	Health      string    `json:"health,omitempty"`
	Count       int       `json:"count,omitempty"`
	Attempts    int       `json:"attempts,omitempty"`
	LastStatus  int       `json:"last_status,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastAt      time.Time `json:"last_at,omitzero"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// v1SumRecord stores a platform.Sum.
type v1SumRecord struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

// v1CustomerRecord stores a platform.Customer.
type v1CustomerRecord struct {
	ID        string `json:"id,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	DocNumber string `json:"doc_number,omitempty"`
	Country   string `json:"country,omitempty"`
}

// v1ReturnURLsRecord stores a platform.ReturnURLs.
type v1ReturnURLsRecord struct {
	Success string `json:"success,omitempty"`
	Decline string `json:"decline,omitempty"`
	Return  string `json:"return,omitempty"`
}

// v1CallbackRecord stores a platform.CallbackOptions.
type v1CallbackRecord struct {
	URL      string        `json:"url,omitempty"`
	Delay    time.Duration `json:"delay_ns,omitempty"`
	Disabled bool          `json:"disabled,omitempty"`
}

// v1RedirectRecord stores a platform.Redirect.
type v1RedirectRecord struct {
	URL    string `json:"url"`
	Method string `json:"method"`
	Body   []byte `json:"body,omitempty"`
}

// v1VoucherRecord stores a platform.Voucher.
type v1VoucherRecord struct {
	Reference  string      `json:"reference"`
	Barcode    string      `json:"barcode"`
	Amount     v1SumRecord `json:"amount"`
	IssuedAt   time.Time   `json:"issued_at,omitzero"`
	ValidUntil time.Time   `json:"valid_until,omitzero"`
	BankUntil  time.Time   `json:"bank_until,omitzero"`
	PaidAt     time.Time   `json:"paid_at,omitzero"`
	Channel    string      `json:"channel,omitempty"`
}

// v1OperationRecord stores a platform.Operation.
type v1OperationRecord struct {
	ID                int64                    `json:"id"`
	Type              string                   `json:"type"`
	Status            string                   `json:"status"`
	RequestID         string                   `json:"request_id,omitempty"`
	Sum               v1SumRecord              `json:"sum"`
	Converted         v1SumRecord              `json:"converted"`
	Code              string                   `json:"code,omitempty"`
	Message           string                   `json:"message,omitempty"`
	Errors            []v1OperationErrorRecord `json:"errors,omitempty"`
	ProviderPaymentID string                   `json:"provider_payment_id,omitempty"`
	AuthCode          string                   `json:"auth_code,omitempty"`
	ProviderDate      time.Time                `json:"provider_date,omitzero"`
	CreatedAt         time.Time                `json:"created_at,omitzero"`
	UpdatedAt         time.Time                `json:"updated_at,omitzero"`
}

// v1OperationErrorRecord stores a platform.OperationError.
type v1OperationErrorRecord struct {
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
	Field   string `json:"field,omitempty"`
}

// v1JobRecord stores a platform.Job.
type v1JobRecord struct {
	V          int       `json:"v"`
	ID         uint64    `json:"id"`
	Due        time.Time `json:"due"`
	Kind       string    `json:"kind"`
	ProjectID  int64     `json:"project_id"`
	PaymentID  string    `json:"payment_id"`
	Name       string    `json:"name,omitempty"`
	DeliveryID uint64    `json:"delivery_id,omitempty"`
}

// v1DeliveryRecord stores a platform.Delivery.
type v1DeliveryRecord struct {
	V           int               `json:"v"`
	ID          uint64            `json:"id"`
	Kind        string            `json:"kind"`
	ProjectID   int64             `json:"project_id"`
	PaymentID   string            `json:"payment_id"`
	URL         string            `json:"url,omitempty"`
	Status      string            `json:"status"`
	Body        []byte            `json:"body,omitempty"`
	CreatedAt   time.Time         `json:"created_at,omitzero"`
	NotBefore   time.Time         `json:"not_before,omitzero"`
	NextAttempt time.Time         `json:"next_attempt,omitzero"`
	Attempts    []v1AttemptRecord `json:"attempts"`
}

// v1AttemptRecord stores a platform.Attempt.
type v1AttemptRecord struct {
	At           time.Time     `json:"at,omitzero"`
	URL          string        `json:"url,omitempty"`
	RequestBody  string        `json:"request_body,omitempty"`
	Status       int           `json:"status,omitempty"`
	ResponseBody string        `json:"response_body,omitempty"`
	Latency      time.Duration `json:"latency_ns,omitempty"`
	Error        string        `json:"error,omitempty"`
	Note         string        `json:"note,omitempty"`
}

func (r v1SumRecord) sum() platform.Sum { return platform.Sum{Amount: r.Amount, Currency: r.Currency} }

func (r v1PaymentRecord) payment() *platform.Payment {
	p := &platform.Payment{
		ProjectID:   r.ProjectID,
		ID:          r.ID,
		Method:      r.Method,
		Interface:   platform.Interface(r.Interface),
		Status:      platform.Status(r.Status),
		Amount:      r.Amount.sum(),
		Sum:         r.Sum.sum(),
		Description: r.Description,
		Customer: platform.Customer{
			ID:        r.Customer.ID,
			IPAddress: r.Customer.IPAddress,
			FirstName: r.Customer.FirstName,
			LastName:  r.Customer.LastName,
			Email:     r.Customer.Email,
			Phone:     r.Customer.Phone,
			DocNumber: r.Customer.DocNumber,
			Country:   r.Customer.Country,
		},
		ReturnURLs: platform.ReturnURLs{
			Success: r.ReturnURLs.Success,
			Decline: r.ReturnURLs.Decline,
			Return:  r.ReturnURLs.Return,
		},
		Callback: platform.CallbackOptions{
			URL:      r.Callback.URL,
			Delay:    r.Callback.Delay,
			Disabled: r.Callback.Disabled,
		},
		Language:      r.Language,
		PageOptions:   r.PageOptions,
		Clarification: r.Clarification,
		ProviderData:  r.ProviderData,
		Operations:    mapSlice(r.Operations, v1OperationRecord.operation),
		CreatedAt:     r.CreatedAt,
		UpdatedAt:     r.UpdatedAt,
		Streams:       r.Streams,
		Callbacks: platform.CallbackSummary{
			Health: platform.CallbackHealth(r.Callbacks.Health), Count: r.Callbacks.Count, Attempts: r.Callbacks.Attempts,
			LastStatus: r.Callbacks.LastStatus, LastError: r.Callbacks.LastError,
			LastAt: r.Callbacks.LastAt, NextAttempt: r.Callbacks.NextAttempt,
		},
	}
	if r.Redirect != nil {
		p.Redirect = &platform.Redirect{URL: r.Redirect.URL, Method: r.Redirect.Method, Body: r.Redirect.Body}
	}
	if v := r.Voucher; v != nil {
		p.Voucher = &platform.Voucher{
			Reference:  v.Reference,
			Barcode:    v.Barcode,
			Amount:     v.Amount.sum(),
			IssuedAt:   v.IssuedAt,
			ValidUntil: v.ValidUntil,
			BankUntil:  v.BankUntil,
			PaidAt:     v.PaidAt,
			Channel:    v.Channel,
		}
	}
	return p
}

func (r v1OperationRecord) operation() platform.Operation {
	return platform.Operation{
		ID:        r.ID,
		Type:      r.Type,
		Status:    platform.Status(r.Status),
		RequestID: r.RequestID,
		Sum:       r.Sum.sum(),
		Converted: r.Converted.sum(),
		Code:      r.Code,
		Message:   r.Message,
		Errors: mapSlice(r.Errors, func(e v1OperationErrorRecord) platform.OperationError {
			return platform.OperationError{Code: e.Code, Message: e.Message, Field: e.Field}
		}),
		ProviderPaymentID: r.ProviderPaymentID,
		AuthCode:          r.AuthCode,
		ProviderDate:      r.ProviderDate,
		CreatedAt:         r.CreatedAt,
		UpdatedAt:         r.UpdatedAt,
	}
}

func (r v1JobRecord) job() platform.Job {
	return platform.Job{
		ID:         r.ID,
		Due:        r.Due,
		Kind:       platform.JobKind(r.Kind),
		Payment:    platform.PaymentKey{ProjectID: r.ProjectID, PaymentID: r.PaymentID},
		Name:       r.Name,
		DeliveryID: r.DeliveryID,
	}
}

func (r v1DeliveryRecord) delivery() *platform.Delivery {
	return &platform.Delivery{
		ID:          r.ID,
		Kind:        platform.DeliveryKind(r.Kind),
		ProjectID:   r.ProjectID,
		PaymentID:   r.PaymentID,
		URL:         r.URL,
		Status:      platform.DeliveryStatus(r.Status),
		Body:        r.Body,
		CreatedAt:   r.CreatedAt,
		NotBefore:   r.NotBefore,
		NextAttempt: r.NextAttempt,
		Attempts: mapSlice(r.Attempts, func(a v1AttemptRecord) platform.Attempt {
			return platform.Attempt{
				At:           a.At,
				URL:          a.URL,
				RequestBody:  a.RequestBody,
				Status:       a.Status,
				ResponseBody: a.ResponseBody,
				Latency:      a.Latency,
				Error:        a.Error,
				Note:         a.Note,
			}
		}),
	}
}
