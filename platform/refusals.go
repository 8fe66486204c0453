package platform

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// The engine keeps the last Gate requests the sandbox refused, so that a
// developer whose code drops the Gate's error answer can still see why no
// payment came of a request (docs/control-api.md "Refused Gate requests").
// A refused request changes no state, so they are kept in memory only: a
// restart or a reset forgets them.

// MaxRefusals is how many refused requests the engine keeps, the newest.
const MaxRefusals = 100

// MaxRefusalBody is how much of a refused request's body is kept.
const MaxRefusalBody = 4 << 10

// MaxRefusalText is how much of a refused request's path and of each text of
// its answer is kept: a path or a field's value echoed in a message is the
// client's to make as long as it likes (a 404's path may be up to the
// server's 1 MiB of headers, a signature's message quotes the whole string
// signed).
const MaxRefusalText = 4 << 10

// MaxRefusalErrors is how many of a refused request's errors are kept: the
// first MaxRefusalErrors-1 and one that says how many more the answer
// listed (the Data API names each field it does not take, as many as the
// body holds).
const MaxRefusalErrors = 20

// Refusal is a Gate request the sandbox refused, with its answer.
type Refusal struct {
	// At is the sandbox time of the answer.
	At time.Time `json:"at"`
	// Method and Path are the request's; Status the HTTP status answered.
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	// RequestID, Code, Message and Errors are the answer's.
	RequestID string       `json:"request_id"`
	Code      int          `json:"code"`
	Message   string       `json:"message"`
	Errors    []FieldError `json:"errors"`
	// ProjectID and PaymentID are the request's, once they could be read.
	ProjectID int64  `json:"project_id,omitempty"`
	PaymentID string `json:"payment_id,omitempty"`
	// Body is the start of the request's body, as sent.
	Body string `json:"body"`
}

// refusals is the engine's ring of the last MaxRefusals refusals.
type refusals struct {
	mu   sync.Mutex
	ring []Refusal // oldest first once full, from next
	next int
}

func (r *refusals) add(x Refusal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ring) < MaxRefusals {
		r.ring = append(r.ring, x)
		return
	}
	r.ring[r.next] = x
	r.next = (r.next + 1) % MaxRefusals
}

// list returns the refusals of project (0: of every project), newest first.
func (r *refusals) list(project int64) []Refusal {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Refusal, 0, len(r.ring))
	for i := range len(r.ring) {
		x := r.ring[(r.next+len(r.ring)-1-i)%len(r.ring)]
		if project == 0 || x.ProjectID == project {
			x.Errors = slices.Clone(x.Errors)
			out = append(out, x)
		}
	}
	return out
}

func (r *refusals) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring, r.next = nil, 0
}

// Refused keeps x, a request the Gate refused, dated now on the sandbox
// clock, with the first MaxRefusalBody bytes of its body, the first
// MaxRefusalText bytes of its path and texts (followed by "…" when cut) and
// at most MaxRefusalErrors errors, and returns what it kept. (The Gate
// keeps no payment_id longer than MaxIDLength.) The oldest of MaxRefusals
// is forgotten.
func (e *Engine) Refused(x Refusal) Refusal {
	x.At = e.clock.Now()
	x.Body = Clip(x.Body, MaxRefusalBody)
	x.Path = clipText(x.Path)
	x.Message = clipText(x.Message)
	if n := len(x.Errors); n > MaxRefusalErrors {
		kept := MaxRefusalErrors - 1
		x.Errors = append(slices.Clone(x.Errors[:kept]), FieldError{Code: x.Errors[kept].Code,
			Message: fmt.Sprintf("and %d more errors, which the answer listed", n-kept)})
	} else {
		x.Errors = slices.Clone(x.Errors)
	}
	for i := range x.Errors {
		x.Errors[i].Field = clipText(x.Errors[i].Field)
		x.Errors[i].Message = clipText(x.Errors[i].Message)
	}
	e.refusals.add(x)
	e.events.publish(Event{Kind: EventRefused, Project: x.ProjectID, At: x.At})
	x.Errors = slices.Clone(x.Errors)
	return x
}

// clipText is Clip to MaxRefusalText, followed by "…" when s was cut.
func clipText(s string) string {
	if len(s) <= MaxRefusalText {
		return s
	}
	return Clip(s, MaxRefusalText) + "…"
}

// Refusals returns the Gate requests refused of project (0: of every
// project), newest first, at most MaxRefusals.
func (e *Engine) Refusals(project int64) []Refusal { return e.refusals.list(project) }
