package platform

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Store keeps the sandbox's state. Every change of the engine happens in
// one Update, so a payment, the callback it causes and the jobs it schedules
// are stored together or not at all.
type Store interface {
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil; it returns once the commit is on disk. fn must not do
	// network I/O.
	//
	// fn may run more than once: a store may commit concurrent Updates
	// together and run a group again without a member that failed. So fn
	// must write only through tx, and must set every output it hands to
	// its caller afresh at its start (not append to it, not leave a value
	// of an earlier run in place).
	Update(ctx context.Context, fn func(tx Tx) error) error
	// UpdateSoon is Update for work nobody waits on at once (the record of
	// a callback attempt): fn may wait a few milliseconds for another
	// Update to carry it in its commit, so that it costs no commit of its
	// own. It returns once fn's commit is on disk, as Update does.
	UpdateSoon(ctx context.Context, fn func(tx Tx) error) error
	// Flush makes the UpdateSoons still waiting commit now.
	Flush()
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error
	Close() error
}

// Tx is one store transaction. Getters return an error wrapping ErrNotFound
// for what does not exist.
type Tx interface {
	Project(id int64) (Project, error)
	Projects() ([]Project, error)
	PutProject(p Project) error

	Payment(k PaymentKey) (*Payment, error)
	// CreatePayment stores a new payment; an error wrapping ErrExists when
	// its key is taken.
	CreatePayment(p *Payment) error
	PutPayment(p *Payment) error
	// Payments lists one page of the payments matching f, newest first by
	// creation (payments created at the same instant, the later created
	// first). A store lists through indexes: a page costs about the same
	// however many payments are stored.
	Payments(f PaymentFilter) (PaymentPage, error)
	// PutReference indexes a payment under a provider reference.
	PutReference(method, ref string, k PaymentKey) error
	PaymentByReference(method, ref string) (PaymentKey, error)
	// DeleteReference forgets a provider reference; a missing one is fine.
	DeleteReference(method, ref string) error

	// NextID returns the next number of the named sequence, starting at 1.
	NextID(sequence string) (uint64, error)

	// PutJob stores a job of a stored payment; its ID must be set
	// (NextID("jobs")).
	PutJob(j Job) error
	DeleteJob(j Job) error
	// DueJobs returns up to limit jobs due at or before t, in due order.
	DueJobs(t time.Time, limit int) ([]Job, error)
	// NextJob returns the earliest job, false when there is none.
	NextJob() (Job, bool, error)
	// Jobs returns every pending job of a payment, in due order.
	Jobs(k PaymentKey) ([]Job, error)

	PutDelivery(d *Delivery) error
	Delivery(id uint64) (*Delivery, error)
	// Deliveries lists deliveries matching f, oldest first (newest first
	// with f.Newest).
	Deliveries(f DeliveryFilter) ([]*Delivery, error)

	ClockState() (ClockState, error)
	PutClockState(s ClockState) error

	// Reset deletes every payment, delivery, reference and job; projects and
	// the clock stay.
	Reset() error
}

// PaymentFilter selects payments; zero fields match everything.
type PaymentFilter struct {
	ProjectID int64
	Status    Status
	Method    string
	// Callbacks matches Payment.Callbacks.Health.
	Callbacks CallbackHealth
	// PaymentID matches the payments whose ID starts with it.
	PaymentID string
	// CreatedFrom and CreatedTo select payments created in [from, to).
	CreatedFrom, CreatedTo time.Time
	// Limit is the size of a page; 0 lists every match in one page.
	Limit int
	// Cursor is the Next of the page before; "" asks for the first page.
	Cursor string
}

// Match reports whether p passes f, but for Limit and Cursor.
func (f PaymentFilter) Match(p *Payment) bool {
	return (f.ProjectID == 0 || p.ProjectID == f.ProjectID) &&
		(f.Status == "" || p.Status == f.Status) &&
		(f.Method == "" || p.Method == f.Method) &&
		(f.Callbacks == "" || p.Callbacks.Health == f.Callbacks) &&
		strings.HasPrefix(p.ID, f.PaymentID) &&
		(f.CreatedFrom.IsZero() || !p.CreatedAt.Before(f.CreatedFrom)) &&
		(f.CreatedTo.IsZero() || p.CreatedAt.Before(f.CreatedTo))
}

// PaymentPage is one page of a payment list.
type PaymentPage struct {
	Payments []*Payment
	// Next is the Cursor of the next page, "" on the last page.
	Next string
}

// DeliveryFilter selects deliveries; zero fields match everything.
type DeliveryFilter struct {
	ProjectID int64
	PaymentID string
	Status    DeliveryStatus
	Limit     int
	// Newest lists the newest deliveries first.
	Newest bool
}

// Match reports whether d passes f.
func (f DeliveryFilter) Match(d *Delivery) bool {
	return (f.ProjectID == 0 || d.ProjectID == f.ProjectID) &&
		(f.PaymentID == "" || d.PaymentID == f.PaymentID) &&
		(f.Status == "" || d.Status == f.Status)
}

// JobKind says which part of the sandbox runs a job.
type JobKind string

// Job kinds.
const (
	JobProcess  JobKind = "process"  // hand a new operation to its provider
	JobProvider JobKind = "provider" // a provider's own job (lapse, timeout)
	JobDeliver  JobKind = "deliver"  // an attempt to deliver a callback
)

// Job is work due at a moment of the sandbox clock.
type Job struct {
	ID         uint64     `json:"id"`
	Due        time.Time  `json:"due"`
	Kind       JobKind    `json:"kind"`
	Payment    PaymentKey `json:"payment"`
	Name       string     `json:"name,omitempty"`        // provider job name
	DeliveryID uint64     `json:"delivery_id,omitempty"` // JobDeliver
}

// DeliveryKind says what a delivery carries.
type DeliveryKind string

// Delivery kinds.
const (
	DeliveryCallback     DeliveryKind = "callback"
	DeliveryCheckDeposit DeliveryKind = "check_deposit"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending    DeliveryStatus = "pending"    // waiting for its turn or its next attempt
	DeliveryDelivered  DeliveryStatus = "delivered"  // the merchant answered 200
	DeliveryFailed     DeliveryStatus = "failed"     // every attempt failed; resend by hand
	DeliverySuppressed DeliveryStatus = "suppressed" // callback.force_disable
	DeliveryNoURL      DeliveryStatus = "no_url"     // no callback URL: kept in the log
)

// Delivery is one message for the merchant: a callback or a check_deposit
// request, with every attempt to deliver it.
type Delivery struct {
	ID        uint64         `json:"id"`
	Kind      DeliveryKind   `json:"kind"`
	ProjectID int64          `json:"project_id"`
	PaymentID string         `json:"payment_id"`
	URL       string         `json:"url"`
	Status    DeliveryStatus `json:"status"`
	// Body is the message without its signature: the sender signs it with
	// the project's secret when it sends it.
	Body      json.RawMessage `json:"body"`
	CreatedAt time.Time       `json:"created_at"`
	// NotBefore is the earliest first attempt (callback.delay).
	NotBefore time.Time `json:"not_before,omitzero"`
	// NextAttempt is when the next attempt is due, while pending.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Attempts    []Attempt `json:"attempts"`
}

// Key returns the key of the delivery's payment.
func (d *Delivery) Key() PaymentKey {
	return PaymentKey{ProjectID: d.ProjectID, PaymentID: d.PaymentID}
}

// Attempt is one try to deliver a message.
type Attempt struct {
	At           time.Time     `json:"at"`
	URL          string        `json:"url"`
	RequestBody  string        `json:"request_body"`
	Status       int           `json:"response_status"` // 0 when no answer came
	ResponseBody string        `json:"response_body"`   // the first 4 KiB
	Latency      time.Duration `json:"latency_ns"`
	Error        string        `json:"error,omitempty"`
	// Note says what was odd about an attempt that still counts, e.g. an
	// answer of 200 whose body did not arrive in time.
	Note string `json:"note,omitempty"`
}

// OK reports whether the merchant accepted the message.
func (a Attempt) OK() bool { return a.Status == 200 && a.Error == "" }

// ClockState is the stored state of the sandbox clock.
type ClockState struct {
	Offset   time.Duration `json:"offset"`
	Frozen   bool          `json:"frozen"`
	FrozenAt time.Time     `json:"frozen_at,omitzero"`
}
