package bolt

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// recordVersion is the version of the record types below, written into
// every record. A record of a newer version is refused rather than read
// wrong; an older one is read, and converted here when its layout changes.
const recordVersion = 1

// The record types below are what the file holds, encoded as JSON. They
// mirror the API types of package platform field by field, with their own
// JSON names, so that renaming a field of the API does not change the file.
// Byte fields that hold JSON (bodies, provider data) are stored as bytes, so
// they come back exactly as they were put. Times are stored and returned in
// UTC; durations as nanoseconds.

// projectRecord stores a platform.Project.
type projectRecord struct {
	V               int                             `json:"v"`
	ID              int64                           `json:"id"`
	Secret          string                          `json:"secret"`
	CallbackURL     string                          `json:"callback_url,omitempty"`
	CheckDepositURL string                          `json:"check_deposit_url,omitempty"`
	Methods         map[string]methodSettingsRecord `json:"methods,omitempty"`
}

// methodSettingsRecord stores a platform.MethodSettings.
type methodSettingsRecord struct {
	MinAmount  int64            `json:"min_amount,omitempty"`
	MaxAmount  int64            `json:"max_amount,omitempty"`
	Variant    string           `json:"variant,omitempty"`
	WholeUnits bool             `json:"whole_units,omitempty"`
	Timeout    time.Duration    `json:"timeout_ns,omitempty"`
	Rates      map[string]int64 `json:"rates,omitempty"`
}

// paymentRecord stores a platform.Payment. Seq is the sequence of its entry
// in bucketPaymentsByTime.
type paymentRecord struct {
	V             int               `json:"v"`
	Seq           uint64            `json:"seq"`
	ProjectID     int64             `json:"project_id"`
	ID            string            `json:"id"`
	Method        string            `json:"method"`
	Interface     string            `json:"interface"`
	Status        string            `json:"status"`
	Amount        sumRecord         `json:"amount"`
	Sum           sumRecord         `json:"sum"`
	Description   string            `json:"description,omitempty"`
	Customer      customerRecord    `json:"customer"`
	ReturnURLs    returnURLsRecord  `json:"return_urls"`
	Callback      callbackRecord    `json:"callback"`
	Language      string            `json:"language,omitempty"`
	PageOptions   map[string]string `json:"page_options,omitempty"`
	Redirect      *redirectRecord   `json:"redirect,omitempty"`
	Clarification []string          `json:"clarification,omitempty"`
	Voucher       *voucherRecord    `json:"voucher,omitempty"`
	ProviderData  []byte            `json:"provider_data,omitempty"`
	Operations    []operationRecord `json:"operations"`
	CreatedAt     time.Time         `json:"created_at,omitzero"`
	UpdatedAt     time.Time         `json:"updated_at,omitzero"`
	Callbacks     callbacksRecord   `json:"callbacks,omitzero"`
	Streams       uint64            `json:"streams,omitempty"`
}

// callbacksRecord stores a platform.CallbackSummary.
type callbacksRecord struct {
	Health      string    `json:"health,omitempty"`
	Count       int       `json:"count,omitempty"`
	Attempts    int       `json:"attempts,omitempty"`
	LastStatus  int       `json:"last_status,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastAt      time.Time `json:"last_at,omitzero"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// sumRecord stores a platform.Sum.
type sumRecord struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

// customerRecord stores a platform.Customer.
type customerRecord struct {
	ID        string `json:"id,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	DocNumber string `json:"doc_number,omitempty"`
	Country   string `json:"country,omitempty"`
}

// returnURLsRecord stores a platform.ReturnURLs.
type returnURLsRecord struct {
	Success string `json:"success,omitempty"`
	Decline string `json:"decline,omitempty"`
	Return  string `json:"return,omitempty"`
}

// callbackRecord stores a platform.CallbackOptions.
type callbackRecord struct {
	URL      string        `json:"url,omitempty"`
	Delay    time.Duration `json:"delay_ns,omitempty"`
	Disabled bool          `json:"disabled,omitempty"`
}

// redirectRecord stores a platform.Redirect.
type redirectRecord struct {
	URL    string `json:"url"`
	Method string `json:"method"`
	Body   []byte `json:"body,omitempty"`
}

// voucherRecord stores a platform.Voucher.
type voucherRecord struct {
	Reference  string    `json:"reference"`
	Barcode    string    `json:"barcode"`
	Amount     sumRecord `json:"amount"`
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	BankUntil  time.Time `json:"bank_until,omitzero"`
	PaidAt     time.Time `json:"paid_at,omitzero"`
	Channel    string    `json:"channel,omitempty"`
}

// operationRecord stores a platform.Operation.
type operationRecord struct {
	ID                int64                  `json:"id"`
	Type              string                 `json:"type"`
	Status            string                 `json:"status"`
	RequestID         string                 `json:"request_id,omitempty"`
	Sum               sumRecord              `json:"sum"`
	Converted         sumRecord              `json:"converted"`
	Code              string                 `json:"code,omitempty"`
	Message           string                 `json:"message,omitempty"`
	Errors            []operationErrorRecord `json:"errors,omitempty"`
	ProviderPaymentID string                 `json:"provider_payment_id,omitempty"`
	AuthCode          string                 `json:"auth_code,omitempty"`
	ProviderDate      time.Time              `json:"provider_date,omitzero"`
	CreatedAt         time.Time              `json:"created_at,omitzero"`
	UpdatedAt         time.Time              `json:"updated_at,omitzero"`
}

// operationErrorRecord stores a platform.OperationError.
type operationErrorRecord struct {
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
	Field   string `json:"field,omitempty"`
}

// jobRecord stores a platform.Job.
type jobRecord struct {
	V          int       `json:"v"`
	ID         uint64    `json:"id"`
	Due        time.Time `json:"due"`
	Kind       string    `json:"kind"`
	ProjectID  int64     `json:"project_id"`
	PaymentID  string    `json:"payment_id"`
	Name       string    `json:"name,omitempty"`
	DeliveryID uint64    `json:"delivery_id,omitempty"`
}

// deliveryRecord stores a platform.Delivery.
type deliveryRecord struct {
	V           int             `json:"v"`
	ID          uint64          `json:"id"`
	Kind        string          `json:"kind"`
	ProjectID   int64           `json:"project_id"`
	PaymentID   string          `json:"payment_id"`
	URL         string          `json:"url,omitempty"`
	Status      string          `json:"status"`
	Body        []byte          `json:"body,omitempty"`
	CreatedAt   time.Time       `json:"created_at,omitzero"`
	NotBefore   time.Time       `json:"not_before,omitzero"`
	NextAttempt time.Time       `json:"next_attempt,omitzero"`
	Attempts    []attemptRecord `json:"attempts"`
}

// attemptRecord stores a platform.Attempt.
type attemptRecord struct {
	At           time.Time     `json:"at,omitzero"`
	URL          string        `json:"url,omitempty"`
	RequestBody  string        `json:"request_body,omitempty"`
	Status       int           `json:"status,omitempty"`
	ResponseBody string        `json:"response_body,omitempty"`
	Latency      time.Duration `json:"latency_ns,omitempty"`
	Error        string        `json:"error,omitempty"`
	Note         string        `json:"note,omitempty"`
}

// clockRecord stores a platform.ClockState.
type clockRecord struct {
	V        int           `json:"v"`
	Offset   time.Duration `json:"offset_ns"`
	Frozen   bool          `json:"frozen,omitempty"`
	FrozenAt time.Time     `json:"frozen_at,omitzero"`
}

// encode returns the JSON of a record; the caller adds which record it was
// to an error.
func encode(r any) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return b, nil
}

// record is a pointer to one of the top-level record types.
type record interface{ version() int }

func (r *projectRecord) version() int  { return r.V }
func (r *paymentRecord) version() int  { return r.V }
func (r *jobRecord) version() int      { return r.V }
func (r *deliveryRecord) version() int { return r.V }
func (r *clockRecord) version() int    { return r.V }

// decode reads the JSON of a record into r and checks its version; the
// caller adds which record it was to an error. json.Unmarshal copies what
// it keeps, so b may be a bbolt value, which is only valid inside its
// transaction.
func decode(b []byte, r record) error {
	if err := json.Unmarshal(b, r); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if v := r.version(); v > recordVersion {
		return fmt.Errorf("record version %d is newer than this sandbox reads (%d): use a newer sandbox or another data file", v, recordVersion)
	}
	return nil
}

// utc returns t in UTC without a monotonic reading; the zero time stays zero.
func utc(t time.Time) time.Time { return t.UTC() }

// mapSlice converts every element of s with f, keeping nil as nil and empty
// as empty, so that JSON null and [] survive a round trip.
func mapSlice[T, R any](s []T, f func(T) R) []R {
	if s == nil {
		return nil
	}
	r := make([]R, len(s))
	for i, v := range s {
		r[i] = f(v)
	}
	return r
}

// cloneBytes copies b, keeping nil as nil.
func cloneBytes[B ~[]byte](b B) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// mapValues converts every value of m with f, keeping nil as nil.
func mapValues[K comparable, T, R any](m map[K]T, f func(T) R) map[K]R {
	if m == nil {
		return nil
	}
	r := make(map[K]R, len(m))
	for k, v := range m {
		r[k] = f(v)
	}
	return r
}

// Each toXRecord below converts an API value into its record, and the
// method of the record converts it back. Slices and maps keep nil apart
// from empty, and nothing returned shares memory with its source.

func toProjectRecord(p platform.Project) projectRecord {
	return projectRecord{
		V:               recordVersion,
		ID:              p.ID,
		Secret:          p.Secret,
		CallbackURL:     p.CallbackURL,
		CheckDepositURL: p.CheckDepositURL,
		Methods:         mapValues(p.Methods, toMethodSettingsRecord),
	}
}

func (r projectRecord) project() platform.Project {
	return platform.Project{
		ID:              r.ID,
		Secret:          r.Secret,
		CallbackURL:     r.CallbackURL,
		CheckDepositURL: r.CheckDepositURL,
		Methods:         mapValues(r.Methods, methodSettingsRecord.settings),
	}
}

func toMethodSettingsRecord(s platform.MethodSettings) methodSettingsRecord {
	return methodSettingsRecord{
		MinAmount:  s.MinAmount,
		MaxAmount:  s.MaxAmount,
		Variant:    s.Variant,
		WholeUnits: s.WholeUnits,
		Timeout:    time.Duration(s.Timeout),
		Rates:      mapValues(s.Rates, func(v int64) int64 { return v }),
	}
}

func (r methodSettingsRecord) settings() platform.MethodSettings {
	return platform.MethodSettings{
		MinAmount:  r.MinAmount,
		MaxAmount:  r.MaxAmount,
		Variant:    r.Variant,
		WholeUnits: r.WholeUnits,
		Timeout:    platform.Duration(r.Timeout),
		Rates:      r.Rates, // r was just decoded: nothing else holds its maps
	}
}

func toSumRecord(s platform.Sum) sumRecord { return sumRecord{Amount: s.Amount, Currency: s.Currency} }

func (r sumRecord) sum() platform.Sum { return platform.Sum{Amount: r.Amount, Currency: r.Currency} }

func toPaymentRecord(p *platform.Payment, seq uint64) paymentRecord {
	r := paymentRecord{
		V:           recordVersion,
		Seq:         seq,
		ProjectID:   p.ProjectID,
		ID:          p.ID,
		Method:      p.Method,
		Interface:   string(p.Interface),
		Status:      string(p.Status),
		Amount:      toSumRecord(p.Amount),
		Sum:         toSumRecord(p.Sum),
		Description: p.Description,
		Customer: customerRecord{
			ID:        p.Customer.ID,
			IPAddress: p.Customer.IPAddress,
			FirstName: p.Customer.FirstName,
			LastName:  p.Customer.LastName,
			Email:     p.Customer.Email,
			Phone:     p.Customer.Phone,
			DocNumber: p.Customer.DocNumber,
			Country:   p.Customer.Country,
		},
		ReturnURLs: returnURLsRecord{
			Success: p.ReturnURLs.Success,
			Decline: p.ReturnURLs.Decline,
			Return:  p.ReturnURLs.Return,
		},
		Callback: callbackRecord{
			URL:      p.Callback.URL,
			Delay:    p.Callback.Delay,
			Disabled: p.Callback.Disabled,
		},
		Language:      p.Language,
		PageOptions:   mapValues(p.PageOptions, func(v string) string { return v }),
		Clarification: mapSlice(p.Clarification, func(v string) string { return v }),
		ProviderData:  cloneBytes(p.ProviderData),
		Operations:    mapSlice(p.Operations, toOperationRecord),
		CreatedAt:     utc(p.CreatedAt),
		UpdatedAt:     utc(p.UpdatedAt),
		Streams:       p.Streams,
		Callbacks: callbacksRecord{
			Health: string(p.Callbacks.Health), Count: p.Callbacks.Count, Attempts: p.Callbacks.Attempts,
			LastStatus: p.Callbacks.LastStatus, LastError: p.Callbacks.LastError,
			LastAt: utc(p.Callbacks.LastAt), NextAttempt: utc(p.Callbacks.NextAttempt),
		},
	}
	if p.Redirect != nil {
		r.Redirect = &redirectRecord{URL: p.Redirect.URL, Method: p.Redirect.Method, Body: cloneBytes(p.Redirect.Body)}
	}
	if v := p.Voucher; v != nil {
		r.Voucher = &voucherRecord{
			Reference:  v.Reference,
			Barcode:    v.Barcode,
			Amount:     toSumRecord(v.Amount),
			IssuedAt:   utc(v.IssuedAt),
			ValidUntil: utc(v.ValidUntil),
			BankUntil:  utc(v.BankUntil),
			PaidAt:     utc(v.PaidAt),
			Channel:    v.Channel,
		}
	}
	return r
}

func (r paymentRecord) payment() *platform.Payment {
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
		Operations:    mapSlice(r.Operations, operationRecord.operation),
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

func toOperationRecord(o platform.Operation) operationRecord {
	return operationRecord{
		ID:        o.ID,
		Type:      o.Type,
		Status:    string(o.Status),
		RequestID: o.RequestID,
		Sum:       toSumRecord(o.Sum),
		Converted: toSumRecord(o.Converted),
		Code:      o.Code,
		Message:   o.Message,
		Errors: mapSlice(o.Errors, func(e platform.OperationError) operationErrorRecord {
			return operationErrorRecord{Code: e.Code, Message: e.Message, Field: e.Field}
		}),
		ProviderPaymentID: o.ProviderPaymentID,
		AuthCode:          o.AuthCode,
		ProviderDate:      utc(o.ProviderDate),
		CreatedAt:         utc(o.CreatedAt),
		UpdatedAt:         utc(o.UpdatedAt),
	}
}

func (r operationRecord) operation() platform.Operation {
	return platform.Operation{
		ID:        r.ID,
		Type:      r.Type,
		Status:    platform.Status(r.Status),
		RequestID: r.RequestID,
		Sum:       r.Sum.sum(),
		Converted: r.Converted.sum(),
		Code:      r.Code,
		Message:   r.Message,
		Errors: mapSlice(r.Errors, func(e operationErrorRecord) platform.OperationError {
			return platform.OperationError{Code: e.Code, Message: e.Message, Field: e.Field}
		}),
		ProviderPaymentID: r.ProviderPaymentID,
		AuthCode:          r.AuthCode,
		ProviderDate:      r.ProviderDate,
		CreatedAt:         r.CreatedAt,
		UpdatedAt:         r.UpdatedAt,
	}
}

func toJobRecord(j platform.Job) jobRecord {
	return jobRecord{
		V:          recordVersion,
		ID:         j.ID,
		Due:        utc(j.Due),
		Kind:       string(j.Kind),
		ProjectID:  j.Payment.ProjectID,
		PaymentID:  j.Payment.PaymentID,
		Name:       j.Name,
		DeliveryID: j.DeliveryID,
	}
}

func (r jobRecord) job() platform.Job {
	return platform.Job{
		ID:         r.ID,
		Due:        r.Due,
		Kind:       platform.JobKind(r.Kind),
		Payment:    platform.PaymentKey{ProjectID: r.ProjectID, PaymentID: r.PaymentID},
		Name:       r.Name,
		DeliveryID: r.DeliveryID,
	}
}

func toDeliveryRecord(d *platform.Delivery) deliveryRecord {
	return deliveryRecord{
		V:           recordVersion,
		ID:          d.ID,
		Kind:        string(d.Kind),
		ProjectID:   d.ProjectID,
		PaymentID:   d.PaymentID,
		URL:         d.URL,
		Status:      string(d.Status),
		Body:        cloneBytes(d.Body),
		CreatedAt:   utc(d.CreatedAt),
		NotBefore:   utc(d.NotBefore),
		NextAttempt: utc(d.NextAttempt),
		Attempts: mapSlice(d.Attempts, func(a platform.Attempt) attemptRecord {
			return attemptRecord{
				At:           utc(a.At),
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

func (r deliveryRecord) delivery() *platform.Delivery {
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
		Attempts: mapSlice(r.Attempts, func(a attemptRecord) platform.Attempt {
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

func toClockRecord(s platform.ClockState) clockRecord {
	return clockRecord{V: recordVersion, Offset: s.Offset, Frozen: s.Frozen, FrozenAt: utc(s.FrozenAt)}
}

func (r clockRecord) state() platform.ClockState {
	return platform.ClockState{Offset: r.Offset, Frozen: r.Frozen, FrozenAt: r.FrozenAt}
}
