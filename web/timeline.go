package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TimelineKind says what a timeline entry records.
type TimelineKind string

// Kinds of timeline entries.
const (
	TimelineCreated      TimelineKind = "created"       // the payment was asked for
	TimelineOperation    TimelineKind = "operation"     // an operation began
	TimelineStatus       TimelineKind = "status"        // an operation's status changed
	TimelineCheckDeposit TimelineKind = "check_deposit" // the merchant was asked to confirm
	TimelineCallback     TimelineKind = "callback"      // a callback was queued, with its attempts
	TimelineNow          TimelineKind = "now"           // the sandbox clock: what follows is due
	TimelineJob          TimelineKind = "job"           // work due on the sandbox clock
)

// TimelineEntry is one thing that happened to a payment, or is due to.
type TimelineEntry struct {
	At    time.Time
	Kind  TimelineKind
	Title string
	// Status is the status an operation reached (TimelineStatus) or the
	// payment's status a message carries.
	Status    platform.Status
	Operation *platform.Operation // TimelineOperation, TimelineStatus
	Delivery  *DeliveryView       // TimelineCallback, TimelineCheckDeposit
	Job       *platform.Job       // TimelineJob
	// In is how long until a due entry, in sandbox time.
	In string
}

// DeliveryView is a callback or check_deposit request as the timeline
// shows it: what it carries, where it went, every attempt, and why it
// waits when it does.
type DeliveryView struct {
	// ID is the delivery's ID in the outbox, global to the sandbox: what
	// the control API's resend takes.
	ID uint64
	// N is the message's place among its payment's messages of its kind,
	// from 1: a payment's first callback is callback 1 whatever its ID.
	N      int
	Kind   platform.DeliveryKind
	Status platform.DeliveryStatus
	URL    string
	// Carries is what the message says of the payment.
	Carries Carried
	// Body is the message as the merchant receives it, signed, indented.
	Body      string
	Signature string
	// Curl sends the message again from a shell.
	Curl     string
	Attempts []AttemptView
	// Waiting says why the message has not been delivered yet, or why it
	// never will be by itself; After is the ID of the delivery it waits
	// behind and AfterN that callback's number in its payment.
	Waiting     string
	After       uint64
	AfterN      int
	NextAttempt time.Time
	NextIn      string
	Resendable  bool
	// Moved is where a resend would send the callback, when that is not
	// where its retries go (the URL it was first sent to): the project's
	// callback URL was changed since.
	Moved string
}

// Carried is what a message says of the payment: the status it reports.
type Carried struct {
	PaymentStatus   platform.Status
	OperationType   string
	OperationStatus platform.Status
	Code, Message   string
	Redirect        bool
	Clarification   []string
	// Amount is the check_deposit request's amount.
	Amount *platform.Sum
}

// AttemptView is one attempt to deliver a message.
type AttemptView struct {
	N            int
	At           time.Time
	URL          string
	OK           bool
	Status       int
	Error        string
	Note         string
	Latency      string // rounded for people
	Request      string // the body sent, indented
	Signature    string
	Response     string // the merchant's answer, indented when JSON
	ResponseJSON bool
}

// TimelineOf builds a payment's timeline from everything that hangs off it,
// at the sandbox time now: its operations, the statuses its messages
// reported, its callbacks and check_deposit requests with their attempts,
// and its pending jobs. Deliveries' bodies must be as sent (signed).
//
// Entries are in time order; entries of one instant (a frozen clock makes
// many) keep the order of cause and effect: an operation, then the
// statuses it went through, each followed by the message that reported it.
func TimelineOf(v platform.PaymentView, now time.Time) []TimelineEntry {
	p := v.Payment
	type ranked struct {
		e  TimelineEntry
		op int // the operation it belongs to, by index; -1 before any
	}
	var out []ranked
	add := func(op int, e TimelineEntry) { out = append(out, ranked{e, op}) }
	via := "the Gate API"
	if p.Interface == platform.InterfacePaymentPage {
		via = "the Payment Page"
	}
	add(-1, TimelineEntry{At: p.CreatedAt, Kind: TimelineCreated,
		Title: fmt.Sprintf("Payment of %s asked for through %s", FormatMoney(p.Amount), via)})

	// The statuses each operation went through, as its messages reported
	// them, then where it stands now.
	seen := map[int64]platform.Status{}
	index := map[int64]int{}
	status := func(at time.Time, i int, s platform.Status) {
		op := &p.Operations[i]
		if s == "" || seen[op.ID] == s {
			return
		}
		seen[op.ID] = s
		add(i, TimelineEntry{At: at, Kind: TimelineStatus, Status: s, Operation: op,
			Title: fmt.Sprintf("%s %d is %s", titleCase(op.Type), op.ID, s)})
	}
	for i := range p.Operations {
		op := &p.Operations[i]
		index[op.ID] = i
		add(i, TimelineEntry{At: op.CreatedAt, Kind: TimelineOperation, Operation: op,
			Title: fmt.Sprintf("%s %d of %s", titleCase(op.Type), op.ID, FormatMoney(op.Sum))})
		seen[op.ID] = platform.StatusProcessing
	}
	views := DeliveryViews(v.Deliveries, now)
	for n, d := range v.Deliveries {
		dv := views[n]
		kind := TimelineCallback
		if d.Kind == platform.DeliveryCheckDeposit {
			kind = TimelineCheckDeposit
		}
		i, ok := index[operationID(d.Body)]
		if ok {
			status(d.CreatedAt, i, dv.Carries.OperationStatus)
		} else {
			i = len(p.Operations) - 1 // a check_deposit request: the operation under way
			for i > 0 && p.Operations[i].CreatedAt.After(d.CreatedAt) {
				i--
			}
		}
		add(i, TimelineEntry{At: d.CreatedAt, Kind: kind, Title: deliveryTitle(dv), Status: dv.Carries.PaymentStatus, Delivery: dv})
	}
	for i := range p.Operations {
		status(p.Operations[i].UpdatedAt, i, p.Operations[i].Status)
	}
	slices.SortStableFunc(out, func(a, b ranked) int {
		return cmp.Or(a.e.At.Compare(b.e.At), cmp.Compare(a.op, b.op))
	})
	entries := make([]TimelineEntry, 0, len(out)+1+len(v.Jobs))
	for _, r := range out {
		entries = append(entries, r.e)
	}
	entries = append(entries, TimelineEntry{At: now, Kind: TimelineNow, Title: "Now, on the sandbox clock"})
	byID := make(map[uint64]*DeliveryView, len(views))
	for _, dv := range views {
		byID[dv.ID] = dv
	}
	for i := range v.Jobs {
		j := &v.Jobs[i]
		entries = append(entries, TimelineEntry{At: j.Due, Kind: TimelineJob, Job: j, Title: jobTitle(j, v.Method, byID[j.DeliveryID]), In: FormatCountdown(j.Due.Sub(now))})
	}
	return entries
}

// name is what the console calls a message of a payment: "callback 2",
// "check_deposit request 1".
func (d *DeliveryView) name() string {
	if d.Kind == platform.DeliveryCheckDeposit {
		return fmt.Sprintf("check_deposit request %d", d.N)
	}
	return fmt.Sprintf("callback %d", d.N)
}

// deliveryTitle titles a message in the timeline: its number in the
// payment, what operation status it reports, and how many attempts it
// took, as in "Callback 2: sale success · 3 attempts".
func deliveryTitle(d *DeliveryView) string {
	title := d.name()
	if d.Kind == platform.DeliveryCallback {
		title = titleCase(title)
	}
	if c := d.Carries; c.OperationType != "" && c.OperationStatus != "" {
		title += fmt.Sprintf(": %s %s", c.OperationType, c.OperationStatus)
	}
	if len(d.Attempts) == 0 {
		return title + " · no attempt yet"
	}
	return title + " · " + platform.Count(len(d.Attempts), "attempt")
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// jobTitle says what job j of a payment of method m will do; d is the
// message a delivery job sends, nil when the payment has none by its ID.
func jobTitle(j *platform.Job, m platform.Method, d *DeliveryView) string {
	switch j.Kind {
	case platform.JobDeliver:
		if d == nil {
			return fmt.Sprintf("Attempt to deliver outbox delivery %d", j.DeliveryID)
		}
		return fmt.Sprintf("Attempt %d to deliver %s", len(d.Attempts)+1, d.name())
	case platform.JobProcess:
		return "The provider takes the new operation"
	case platform.JobProvider:
		if what := m.Jobs[j.Name]; what != "" {
			return titleCase(what)
		}
		return "Provider job " + j.Name
	}
	return string(j.Kind)
}

// message is the part of a callback or check_deposit body the console reads.
type message struct {
	Type    string `json:"type"`
	Payment struct {
		Status platform.Status `json:"status"`
	} `json:"payment"`
	Operation *struct {
		ID      int64           `json:"id"`
		Type    string          `json:"type"`
		Status  platform.Status `json:"status"`
		Code    string          `json:"code"`
		Message string          `json:"message"`
	} `json:"operation"`
	RedirectData  json.RawMessage `json:"redirect_data"`
	Clarification []string        `json:"clarification_fields"`
	Amount        *int64          `json:"amount"`
	Currency      string          `json:"currency"`
	Signature     string          `json:"signature"`
}

func readMessage(body []byte) message {
	var m message
	_ = json.Unmarshal(body, &m) // a body that is not JSON carries nothing the console shows
	return m
}

func operationID(body []byte) int64 {
	if m := readMessage(body); m.Operation != nil {
		return m.Operation.ID
	}
	return 0
}

func carriedBy(m message) Carried {
	c := Carried{PaymentStatus: m.Payment.Status, Redirect: len(m.RedirectData) > 0, Clarification: m.Clarification}
	if o := m.Operation; o != nil {
		c.OperationType, c.OperationStatus, c.Code, c.Message = o.Type, o.Status, o.Code, o.Message
	}
	if m.Amount != nil {
		c.Amount = &platform.Sum{Amount: *m.Amount, Currency: m.Currency}
	}
	return c
}

// DeliveryViews describes a payment's deliveries, in the order given (the
// order they are delivered in), at the sandbox time now.
func DeliveryViews(ds []*platform.Delivery, now time.Time) []*DeliveryView {
	out := make([]*DeliveryView, len(ds))
	var ahead *DeliveryView // the first pending callback: those after it wait
	counts := map[platform.DeliveryKind]int{}
	for i, d := range ds {
		m := readMessage(d.Body)
		counts[d.Kind]++
		v := &DeliveryView{
			ID: d.ID, N: counts[d.Kind], Kind: d.Kind, Status: d.Status, URL: d.URL, Carries: carriedBy(m),
			Body: Indent(d.Body), Signature: m.Signature, Curl: CurlPost(d.URL, d.Body),
			NextAttempt: d.NextAttempt, Resendable: d.Kind == platform.DeliveryCallback,
		}
		for n, a := range d.Attempts {
			v.Attempts = append(v.Attempts, AttemptOf(n+1, a))
		}
		if d.Kind == platform.DeliveryCallback {
			var behind *DeliveryView
			v.Waiting, behind = waiting(d, ahead, now)
			if behind != nil {
				v.After, v.AfterN = behind.ID, behind.N
			}
			if !d.NextAttempt.IsZero() && d.Status == platform.DeliveryPending {
				v.NextIn = FormatCountdown(d.NextAttempt.Sub(now))
			}
			if ahead == nil && d.Status == platform.DeliveryPending {
				ahead = v
			}
		}
		out[i] = v
	}
	return out
}

// AttemptOf describes attempt n (from 1) of a delivery.
func AttemptOf(n int, a platform.Attempt) AttemptView {
	m := readMessage([]byte(a.RequestBody))
	v := AttemptView{
		N: n, At: a.At, URL: a.URL, OK: a.OK(), Status: a.Status, Error: a.Error, Note: a.Note,
		Latency: FormatLatency(a.Latency), Request: Indent([]byte(a.RequestBody)), Signature: m.Signature,
		Response: a.ResponseBody,
	}
	if json.Valid([]byte(a.ResponseBody)) && strings.TrimSpace(a.ResponseBody) != "" {
		v.Response, v.ResponseJSON = Indent([]byte(a.ResponseBody)), true
	}
	return v
}

// waiting says why callback d is not delivered, given the payment's first
// pending callback before it (ahead), and which callback it waits behind.
func waiting(d *platform.Delivery, ahead *DeliveryView, now time.Time) (string, *DeliveryView) {
	switch d.Status {
	case platform.DeliveryDelivered:
		return "", nil
	case platform.DeliveryNoURL:
		return "Kept in the log: the project has no callback URL. Give it one, then resend.", nil
	case platform.DeliverySuppressed:
		return "Never sent: the request said callback.force_disable. Resend to send it anyway.", nil
	case platform.DeliveryFailed:
		return fmt.Sprintf("Given up after %d attempts; the merchant never answered 200. Resend to start the schedule again.", len(d.Attempts)), nil
	}
	run := 0
	for _, a := range d.Attempts {
		if !a.At.Before(d.NotBefore) {
			run++
		}
	}
	switch {
	case ahead != nil && d.NextAttempt.IsZero():
		return fmt.Sprintf("Waits for %s: a payment's callbacks are delivered in order.", ahead.name()), ahead
	case run == 0 && d.NotBefore.After(now):
		return "Held back by callback.delay until " + FormatTimeSeconds(d.NotBefore) + ".", nil
	case run > 0 && d.NextAttempt.After(now):
		return fmt.Sprintf("Attempt %d of %d failed; attempt %d is due at %s.", run, platform.MaxAttempts, run+1, FormatTimeSeconds(d.NextAttempt)), nil
	case d.NextAttempt.IsZero():
		return "Waiting to be scheduled.", nil
	}
	return "Due now: it goes out as soon as the sender is free.", nil
}

// Indent indents a JSON body for reading; a body that is not JSON is
// returned as it is.
func Indent(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// CurlPost is a shell command that POSTs body as JSON to url, as the
// sandbox sends callbacks: for replaying one against a merchant.
func CurlPost(url string, body []byte) string {
	if url == "" {
		url = "http://127.0.0.1:9000/your-callback-url"
	}
	return "curl -sS -X POST " + ShellQuote(url) + " -H 'Content-Type: application/json' --data-raw " + ShellQuote(string(body))
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
