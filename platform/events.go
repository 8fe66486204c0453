package platform

import (
	"sync"
	"time"
)

// The engine's live events: every change of a payment is published to the
// subscribers (the dashboard's live updates), which never hold it back.

// EventKind says what changed.
type EventKind string

// Kinds of events.
const (
	EventPayment  EventKind = "payment"  // a payment was created or changed
	EventDelivery EventKind = "delivery" // a callback was attempted or resent
	EventProject  EventKind = "project"  // a project was created or replaced
	EventClock    EventKind = "clock"    // the clock was moved, frozen or let run
	EventReset    EventKind = "reset"    // every payment was forgotten
	EventRefused  EventKind = "refused"  // the Gate refused a request
)

// Event is a change the engine committed, for pages that update live.
type Event struct {
	Kind     EventKind  `json:"kind"`
	Project  int64      `json:"project_id,omitempty"`
	Payment  PaymentKey `json:"payment,omitzero"`
	Status   Status     `json:"status,omitempty"`   // the payment's status after the change
	Delivery uint64     `json:"delivery,omitempty"` // EventDelivery
	At       time.Time  `json:"at"`                 // sandbox time
}

// subscriberBuffer is how many events a subscriber may lag behind before
// it misses some.
const subscriberBuffer = 256

// broker fans events out to subscribers without ever blocking the engine: a
// subscriber that falls behind misses events and is told so by Lagged.
type broker struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

func newBroker() *broker { return &broker{subs: map[*Subscription]struct{}{}} }

// Subscription receives the engine's events until it is closed.
type Subscription struct {
	// C delivers events in the order the engine committed them.
	C <-chan Event

	c      chan Event
	b      *broker
	mu     sync.Mutex
	lagged bool
}

// Lagged reports, and clears, whether events were dropped because C was
// full: the subscriber should reload what it shows.
func (s *Subscription) Lagged() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lagged
	s.lagged = false
	return l
}

// Close stops the subscription; C is not closed.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	delete(s.b.subs, s)
}

// Subscribe returns a subscription to every change the engine commits from
// now on. Close it when done.
func (e *Engine) Subscribe() *Subscription {
	c := make(chan Event, subscriberBuffer)
	s := &Subscription{C: c, c: c, b: e.events}
	e.events.mu.Lock()
	e.events.subs[s] = struct{}{}
	e.events.mu.Unlock()
	return s
}

func (b *broker) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- ev:
		default:
			s.mu.Lock()
			s.lagged = true
			s.mu.Unlock()
		}
	}
}

// changed publishes that payment p was created or changed.
func (e *Engine) changed(p *Payment) {
	if p == nil {
		return
	}
	e.events.publish(Event{Kind: EventPayment, Project: p.ProjectID, Payment: p.Key(), Status: p.Status, At: p.UpdatedAt})
}
