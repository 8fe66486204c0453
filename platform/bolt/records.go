package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Projects and the clock are stored as JSON: they are few and rarely
// written. Payments, deliveries and jobs, of which there are millions, are
// stored in the binary layout of codec.go (see payments.go, deliveries.go
// and jobs.go).

// recordVersion is the version of the JSON records below, written into
// every record. A record of a newer version is refused rather than read
// wrong; an older one is read, and converted here when its layout changes.
const recordVersion = 1

// The JSON records mirror the API types of package platform field by field,
// with their own JSON names, so that renaming a field of the API does not
// change the file. Times are stored and returned in UTC; durations as
// nanoseconds.

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

func (r *projectRecord) version() int    { return r.V }
func (r *clockRecord) version() int      { return r.V }
func (r *v1PaymentRecord) version() int  { return r.V }
func (r *v1JobRecord) version() int      { return r.V }
func (r *v1DeliveryRecord) version() int { return r.V }

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
		Rates:      maps.Clone(r.Rates), // r may be kept (see projectRecords)
	}
}

func toClockRecord(s platform.ClockState) clockRecord {
	return clockRecord{V: recordVersion, Offset: s.Offset, Frozen: s.Frozen, FrozenAt: utc(s.FrozenAt)}
}

func (r clockRecord) state() platform.ClockState {
	return platform.ClockState{Offset: r.Offset, Frozen: r.Frozen, FrozenAt: r.FrozenAt}
}

// formatBinary is the first byte of every binary record: the version of its
// layout. A JSON record of schema 1 starts with '{'.
const formatBinary = 2

// Enumeration tables of the binary records (see enc.enum). They are part of
// the file format: values may be added at the end, never removed or moved.
var (
	statusTable    = []string{"processing", "awaiting redirect result", "awaiting clarification", "success", "decline", "refunded", "error"}
	methodTable    = []string{"oxxo", "eco-voucher", "loterica", "rapipago", "card-partner"}
	healthTable    = []string{"", "pending", "ok", "failing", "failed", "held"}
	interfaceTable = []string{"gate", "payment_page"}
	currencyTable  = []string{"USD", "EUR", "BRL", "MXN", "ARS"}
	opTypeTable    = []string{"sale", "refund"}
	httpTable      = []string{"GET", "POST"}
	jobKindTable   = []string{"process", "provider", "deliver"}
	dKindTable     = []string{"callback", "check_deposit"}
	dStatusTable   = []string{"pending", "delivered", "failed", "suppressed", "no_url"}
	opCodeTable    = []string{"0", "20000", "20101", "20105", "30000", "30302"}
	opMessageTable = []string{"Success", "Awaiting redirect result", "Awaiting clarification", "General decline",
		"Operation amount is great than max limit", "Insufficient funds on customer account",
		"Operation was declined by merchant", "Merchant did not respond during the operation confirmation process"}
)

func (e *enc) sum(s platform.Sum) {
	e.varint(s.Amount)
	e.enum(currencyTable, s.Currency)
}

func (d *dec) sum() platform.Sum {
	return platform.Sum{Amount: d.varint(), Currency: d.enum(currencyTable)}
}

// paymentHead is the start of a payment record: what its indexes are made
// of.
type paymentHead struct {
	projectID int64
	id        string
	createdAt time.Time
	status    platform.Status
	method    string
	health    platform.CallbackHealth
}

func headOf(p *platform.Payment) paymentHead {
	return paymentHead{p.ProjectID, p.ID, p.CreatedAt, p.Status, p.Method, p.Callbacks.Health}
}

// encodePayment returns the record of p. Its times after CreatedAt are
// stored relative to it.
func encodePayment(p *platform.Payment) []byte {
	e := &enc{b: make([]byte, 0, 512)}
	e.b = append(e.b, formatBinary)
	e.varint(p.ProjectID)
	e.str(p.ID)
	e.time(p.CreatedAt, time.Time{})
	e.enum(statusTable, string(p.Status))
	e.enum(methodTable, p.Method)
	e.enum(healthTable, string(p.Callbacks.Health))
	base := p.CreatedAt

	e.enum(interfaceTable, string(p.Interface))
	e.sum(p.Amount)
	e.sum(p.Sum)
	e.str(p.Description)
	c := p.Customer
	for _, s := range [...]string{c.ID, c.IPAddress, c.FirstName, c.LastName, c.Email, c.Phone, c.DocNumber, c.Country} {
		e.str(s)
	}
	e.str(p.ReturnURLs.Success)
	e.str(p.ReturnURLs.Decline)
	e.str(p.ReturnURLs.Return)
	e.str(p.Callback.URL)
	e.duration(p.Callback.Delay)
	e.bool(p.Callback.Disabled)
	e.str(p.Language)
	e.count(len(p.PageOptions), p.PageOptions == nil)
	for _, k := range slices.Sorted(maps.Keys(p.PageOptions)) {
		e.str(k)
		e.str(p.PageOptions[k])
	}
	e.bool(p.Redirect != nil)
	if r := p.Redirect; r != nil {
		e.str(r.URL)
		e.enum(httpTable, r.Method)
		e.bytes(r.Body)
	}
	e.count(len(p.Clarification), p.Clarification == nil)
	for _, s := range p.Clarification {
		e.str(s)
	}
	e.bool(p.Voucher != nil)
	if v := p.Voucher; v != nil {
		e.str(v.Reference)
		e.bool(v.Barcode == v.Reference) // the barcode often is the reference
		if v.Barcode != v.Reference {
			e.str(v.Barcode)
		}
		e.sum(v.Amount)
		e.time(v.IssuedAt, base)
		e.time(v.ValidUntil, base)
		e.time(v.BankUntil, base)
		e.time(v.PaidAt, base)
		e.str(v.Channel)
	}
	e.bytes(p.ProviderData)
	e.count(len(p.Operations), p.Operations == nil)
	for _, o := range p.Operations {
		e.varint(o.ID)
		e.enum(opTypeTable, o.Type)
		e.enum(statusTable, string(o.Status))
		e.str(o.RequestID)
		e.sum(o.Sum)
		e.sum(o.Converted)
		e.enum(opCodeTable, o.Code)
		e.enum(opMessageTable, o.Message)
		e.count(len(o.Errors), o.Errors == nil)
		for _, x := range o.Errors {
			e.varint(int64(x.Code))
			e.str(x.Message)
			e.str(x.Field)
		}
		e.str(o.ProviderPaymentID)
		e.str(o.AuthCode)
		e.time(o.ProviderDate, base)
		e.time(o.CreatedAt, base)
		e.time(o.UpdatedAt, base)
	}
	cb := p.Callbacks
	e.varint(int64(cb.Count))
	e.varint(int64(cb.Attempts))
	e.varint(int64(cb.LastStatus))
	e.str(cb.LastError)
	e.time(cb.LastAt, base)
	e.time(cb.NextAttempt, base)
	e.uvarint(p.Streams)
	e.time(p.UpdatedAt, base)
	return e.b
}

// format reads and checks the first byte of a binary record.
func (d *dec) format() {
	b := d.take(1)
	switch {
	case d.err != nil:
	case b[0] == '{':
		d.err = fmt.Errorf("%w: a JSON record of schema 1 in a file of schema %d", errCorrupt, schemaVersion)
	case b[0] != formatBinary:
		d.err = fmt.Errorf("record format %d is not one this sandbox reads (%d): use a newer sandbox or another data file", b[0], formatBinary)
	}
}

func (d *dec) paymentHead() paymentHead {
	d.format()
	var h paymentHead
	h.projectID = d.varint()
	h.id = d.str()
	h.createdAt = d.time(time.Time{})
	h.status = platform.Status(d.enum(statusTable))
	h.method = d.enum(methodTable)
	h.health = platform.CallbackHealth(d.enum(healthTable))
	return h
}

// decodePaymentHead reads the start of a payment record.
func decodePaymentHead(v []byte) (paymentHead, error) {
	d := &dec{b: v}
	h := d.paymentHead()
	return h, d.err
}

// decodePayment reads a record made by encodePayment.
func decodePayment(v []byte) (*platform.Payment, error) {
	d := &dec{b: v}
	h := d.paymentHead()
	p := &platform.Payment{ProjectID: h.projectID, ID: h.id, CreatedAt: h.createdAt, Status: h.status, Method: h.method}
	p.Callbacks.Health = h.health
	base := h.createdAt

	p.Interface = platform.Interface(d.enum(interfaceTable))
	p.Amount = d.sum()
	p.Sum = d.sum()
	p.Description = d.str()
	c := &p.Customer
	for _, s := range [...]*string{&c.ID, &c.IPAddress, &c.FirstName, &c.LastName, &c.Email, &c.Phone, &c.DocNumber, &c.Country} {
		*s = d.str()
	}
	p.ReturnURLs.Success = d.str()
	p.ReturnURLs.Decline = d.str()
	p.ReturnURLs.Return = d.str()
	p.Callback.URL = d.str()
	p.Callback.Delay = d.duration()
	p.Callback.Disabled = d.bool()
	p.Language = d.str()
	if n, isNil := d.count(); !isNil {
		p.PageOptions = make(map[string]string, n)
		for range n {
			k := d.str()
			p.PageOptions[k] = d.str()
		}
	}
	if d.bool() {
		p.Redirect = &platform.Redirect{URL: d.str(), Method: d.enum(httpTable), Body: d.bytes()}
	}
	if n, isNil := d.count(); !isNil {
		p.Clarification = make([]string, n)
		for i := range n {
			p.Clarification[i] = d.str()
		}
	}
	if d.bool() {
		v := &platform.Voucher{Reference: d.str()}
		if v.Barcode = v.Reference; !d.bool() {
			v.Barcode = d.str()
		}
		v.Amount = d.sum()
		v.IssuedAt, v.ValidUntil, v.BankUntil, v.PaidAt = d.time(base), d.time(base), d.time(base), d.time(base)
		v.Channel = d.str()
		p.Voucher = v
	}
	p.ProviderData = d.bytes()
	if n, isNil := d.count(); !isNil {
		p.Operations = make([]platform.Operation, n)
		for i := range p.Operations {
			o := &p.Operations[i]
			o.ID = d.varint()
			o.Type = d.enum(opTypeTable)
			o.Status = platform.Status(d.enum(statusTable))
			o.RequestID = d.str()
			o.Sum = d.sum()
			o.Converted = d.sum()
			o.Code = d.enum(opCodeTable)
			o.Message = d.enum(opMessageTable)
			if n, isNil := d.count(); !isNil {
				o.Errors = make([]platform.OperationError, n)
				for j := range o.Errors {
					o.Errors[j] = platform.OperationError{Code: d.int(), Message: d.str(), Field: d.str()}
				}
			}
			o.ProviderPaymentID = d.str()
			o.AuthCode = d.str()
			o.ProviderDate = d.time(base)
			o.CreatedAt = d.time(base)
			o.UpdatedAt = d.time(base)
		}
	}
	cb := &p.Callbacks
	cb.Count = d.int()
	cb.Attempts = d.int()
	cb.LastStatus = d.int()
	cb.LastError = d.str()
	cb.LastAt = d.time(base)
	cb.NextAttempt = d.time(base)
	p.Streams = d.uvarint()
	p.UpdatedAt = d.time(base)
	if err := d.end(); err != nil {
		return nil, err
	}
	return p, nil
}

// deliveryHead is the start of a delivery record: what its indexes are
// made of, and its message as stored.
type deliveryHead struct {
	projectID int64
	paymentID string
	message   []byte // the stored blob, in the record's memory
}

func (r deliveryHead) key() platform.PaymentKey {
	return platform.PaymentKey{ProjectID: r.projectID, PaymentID: r.paymentID}
}

// deliveryMessage returns what a delivery's blob holds: its URL and its
// body, deflated together (the dictionary knows the URLs' words too).
func deliveryMessage(d *platform.Delivery) []byte {
	e := &enc{b: make([]byte, 0, len(d.URL)+len(d.Body)+4)}
	e.str(d.URL)
	e.bytes(d.Body)
	return e.b
}

// deliveryParts is a delivery record taken apart: what it decodes to, and
// the stored bytes of its message and of each of its attempts, so that a
// rewrite copies what did not change rather than deflating it again.
type deliveryParts struct {
	d        *platform.Delivery
	message  []byte   // deliveryMessage(d)
	blob     []byte   // the message as stored
	attempts [][]byte // each attempt as stored
}

// encodeDelivery returns the record of d. old, when not nil, is the stored
// record of d's ID taken apart: its message and the attempts d still has
// unchanged are copied as they are stored.
func encodeDelivery(d *platform.Delivery, old *deliveryParts) []byte {
	v, _ := encodeDeliveryMessage(d, old)
	return v
}

// encodeDeliveryMessage is encodeDelivery that also returns the message it
// deflated, as stored (in the record's memory) and as it reads, for the
// message cache; none when it copied old's or stored it as it is.
func encodeDeliveryMessage(d *platform.Delivery, old *deliveryParts) ([]byte, storedMessage) {
	e := &enc{b: make([]byte, 0, 256)}
	e.b = append(e.b, formatBinary)
	e.varint(d.ProjectID)
	e.str(d.PaymentID)
	msg := deliveryMessage(d)
	same := old != nil && bytes.Equal(old.message, msg) && old.d.CreatedAt.Equal(d.CreatedAt)
	var deflated storedMessage
	if same {
		e.rawBlob(old.blob)
	} else {
		start := len(e.b)
		e.blob(msg)
		if e.b[start] == blobDeflate {
			deflated = storedMessage{blob: e.b[start:len(e.b):len(e.b)], message: msg}
		}
	}
	e.time(d.CreatedAt, time.Time{})
	base := d.CreatedAt
	e.enum(dKindTable, string(d.Kind))
	e.enum(dStatusTable, string(d.Status))
	e.time(d.NotBefore, base)
	e.time(d.NextAttempt, base)
	e.count(len(d.Attempts), d.Attempts == nil)
	for i, a := range d.Attempts {
		if same && i < len(old.d.Attempts) && a == old.d.Attempts[i] {
			e.b = append(e.b, old.attempts[i]...)
			continue
		}
		e.time(a.At, base)
		if a.URL == d.URL {
			e.uvarint(0)
		} else {
			e.uvarint(uint64(len(a.URL)) + 1)
			e.b = append(e.b, a.URL...)
		}
		e.request(d.Body, a.RequestBody)
		e.varint(int64(a.Status))
		e.blob([]byte(a.ResponseBody))
		e.duration(a.Latency)
		e.str(a.Error)
		e.str(a.Note)
	}
	return e.b, deflated
}

func (d *dec) deliveryHead() deliveryHead {
	d.format()
	var h deliveryHead
	h.projectID = d.varint()
	h.paymentID = d.str()
	h.message = d.skipBlob()
	return h
}

// decodeDeliveryHead reads the start of a delivery record.
func decodeDeliveryHead(v []byte) (deliveryHead, error) {
	d := &dec{b: v}
	h := d.deliveryHead()
	return h, d.err
}

// decodeDelivery reads a record made by encodeDelivery; id is the key.
func decodeDelivery(id uint64, v []byte) (*platform.Delivery, error) {
	p, err := decodeDeliveryParts(id, v)
	if err != nil {
		return nil, err
	}
	return p.d, nil
}

// decodeDeliveryParts reads a record made by encodeDelivery and takes it
// apart; the parts' bytes are v's.
func decodeDeliveryParts(id uint64, v []byte) (*deliveryParts, error) {
	return decodeDeliveryPartsKnowing(id, v, storedMessage{})
}

// decodeDeliveryPartsKnowing is decodeDeliveryParts given known, a message
// as stored and as it reads: a record whose message is stored as known
// holds known's message, which is not inflated again. The parts' message is
// then known's, which nobody may change.
func decodeDeliveryPartsKnowing(id uint64, v []byte, known storedMessage) (*deliveryParts, error) {
	d := &dec{b: v}
	h := d.deliveryHead()
	p := &deliveryParts{blob: h.message}
	dl := &platform.Delivery{ID: id, ProjectID: h.projectID, PaymentID: h.paymentID}
	p.d = dl
	if d.err == nil {
		md := &dec{b: h.message}
		if known.message != nil && bytes.Equal(known.blob, h.message) {
			p.message = known.message
		} else {
			p.message = md.blob()
		}
		if md.err == nil && p.message == nil {
			md.fail("message")
		}
		md.b = p.message
		dl.URL = md.str()
		dl.Body = md.bytes()
		if err := md.end(); err != nil {
			d.err = err
		}
	}
	dl.CreatedAt = d.time(time.Time{})
	base := dl.CreatedAt
	dl.Kind = platform.DeliveryKind(d.enum(dKindTable))
	dl.Status = platform.DeliveryStatus(d.enum(dStatusTable))
	dl.NotBefore = d.time(base)
	dl.NextAttempt = d.time(base)
	if n, isNil := d.count(); !isNil {
		dl.Attempts = make([]platform.Attempt, n)
		p.attempts = make([][]byte, n)
		for i := range dl.Attempts {
			start := d.b
			a := &dl.Attempts[i]
			a.At = d.time(base)
			if n := d.uvarint(); n == 0 {
				a.URL = dl.URL
			} else {
				a.URL = string(d.take(n - 1))
			}
			a.RequestBody = d.request(dl.Body)
			a.Status = d.int()
			a.ResponseBody = string(d.blob())
			a.Latency = d.duration()
			a.Error = d.str()
			a.Note = d.str()
			if d.err == nil {
				p.attempts[i] = start[:len(start)-len(d.b)]
			}
		}
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return p, nil
}

// encodeJob returns the record of j; its ID and due time are in its key.
func encodeJob(j platform.Job) []byte {
	e := &enc{b: make([]byte, 0, 32)}
	e.b = append(e.b, formatBinary)
	e.enum(jobKindTable, string(j.Kind))
	e.varint(j.Payment.ProjectID)
	e.str(j.Payment.PaymentID)
	e.str(j.Name)
	e.uvarint(j.DeliveryID)
	return e.b
}

// decodeJob reads the job stored under queue key k.
func decodeJob(k, v []byte) (platform.Job, error) {
	if len(k) != 16 {
		return platform.Job{}, fmt.Errorf("job key %x: %w: not 16 bytes", k, errCorrupt)
	}
	j := platform.Job{ID: binary.BigEndian.Uint64(k[8:]), Due: keyTime(jobKeyDue(k))}
	d := &dec{b: v}
	d.format()
	j.Kind = platform.JobKind(d.enum(jobKindTable))
	j.Payment.ProjectID = d.varint()
	j.Payment.PaymentID = d.str()
	j.Name = d.str()
	j.DeliveryID = d.uvarint()
	if err := d.end(); err != nil {
		return platform.Job{}, fmt.Errorf("job %d: %w", j.ID, err)
	}
	return j, nil
}
