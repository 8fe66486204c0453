package sandboxtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Kinds of the requests the merchant receives.
const (
	KindCallback     = "callback"
	KindCheckDeposit = "check_deposit"
)

// Paths the merchant serves. Any other path is taken as a callback too, so
// that a payment's merchant_callback_url may name its own path.
const (
	CallbackPath     = "/callbacks"
	CheckDepositPath = "/check_deposit"
)

// Reply says how the merchant answers a callback or a check_deposit
// request. The zero Reply answers at once with 200 and, to check_deposit,
// {"code":0,"payment_id":"…"}: it accepts everything.
type Reply struct {
	// Status is the HTTP status of the answer; 0 means 200.
	Status int
	// Delay holds the answer this long, in wall time. Longer than the
	// sandbox's callback timeout, the sandbox gives up first.
	Delay time.Duration
	// FailFirst makes the first FailFirst requests of each payment fail
	// with FailStatus, then the merchant answers as the other fields say.
	FailFirst int
	// FailStatus is the status of those failures; 0 means 500.
	FailStatus int
	// Silent never answers: the merchant holds the request until the
	// sandbox gives up waiting (its callback timeout).
	Silent bool
	// HangUp closes the connection without answering.
	HangUp bool
	// Code is the code of a check_deposit answer: 0 confirms.
	Code int
	// Body, when not empty, is sent as the answer's body instead.
	Body string
}

// Request is one request the merchant received: a callback or a
// check_deposit request, as it arrived, and how the merchant answered.
type Request struct {
	// Kind is KindCallback or KindCheckDeposit.
	Kind string
	// Path is the request's URL path.
	Path string
	// ProjectID and PaymentID say whose request it is: project_id and
	// payment.id of a callback, project_id and payment_id of check_deposit.
	ProjectID int64
	PaymentID string
	// Status is a callback's payment.status.
	Status string
	// Body is the request's body as it arrived, signature included.
	Body []byte
	// Answered is the HTTP status the merchant answered with; 0 when it
	// did not answer (silent, hung up, or the sandbox gave up first).
	Answered int
	// Received is the wall time the request arrived.
	Received time.Time
}

// Accepted reports whether the merchant accepted the request with 200.
func (r Request) Accepted() bool { return r.Answered == http.StatusOK }

// Decode decodes the request's body into v.
func (r Request) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("%s of %s: body is not JSON: %w", r.Kind, r.PaymentID, err)
	}
	return nil
}

// Merchant is a merchant's server on 127.0.0.1: it records every callback
// and check_deposit request it receives and answers each as scripted
// (SetReply). It is safe for concurrent use.
type Merchant struct {
	srv  *http.Server
	url  string
	done chan struct{} // closed by Close: held answers end at once

	mu       sync.Mutex
	requests []Request
	replies  map[replyKey]Reply
	seen     map[seenKey]int // requests so far, per kind and payment
	closed   bool
	serveErr chan error
}

// replyKey names what a reply is scripted for: requests of one kind for
// one project's payment, where project 0 is any project and payment ""
// every payment without a reply of its own.
type replyKey struct {
	kind      string
	projectID int64
	paymentID string
}

// seenKey names the requests a reply's FailFirst counts: those of one
// kind for one payment, which the project and the payment ID name
// together (the same payment ID in two projects is two payments).
type seenKey struct {
	kind      string
	projectID int64
	paymentID string
}

// StartMerchant starts a merchant on 127.0.0.1 on a free port.
func StartMerchant() (*Merchant, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("merchant: listen: %w", err)
	}
	m := &Merchant{
		url:      "http://" + ln.Addr().String(),
		done:     make(chan struct{}),
		replies:  map[replyKey]Reply{},
		seen:     map[seenKey]int{},
		serveErr: make(chan error, 1),
	}
	m.srv = &http.Server{Handler: http.HandlerFunc(m.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		err := m.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		m.serveErr <- err
	}()
	return m, nil
}

// URL returns the merchant's base URL, http://127.0.0.1:PORT.
func (m *Merchant) URL() string { return m.url }

// CallbackURL returns where the merchant takes callbacks.
func (m *Merchant) CallbackURL() string { return m.url + CallbackPath }

// CheckDepositURL returns where the merchant takes check_deposit requests.
func (m *Merchant) CheckDepositURL() string { return m.url + CheckDepositPath }

// SetReply scripts how the merchant answers requests of kind
// (KindCallback or KindCheckDeposit) for a payment ID in every project, or
// for every payment without a reply of its own when paymentID is "". With
// two projects that use the same payment IDs, SetProjectReply scripts
// one project's.
func (m *Merchant) SetReply(kind, paymentID string, r Reply) {
	m.SetProjectReply(kind, 0, paymentID, r)
}

// SetProjectReply scripts how the merchant answers requests of kind for
// one project's payment, or for every payment of the project without a
// reply of its own when paymentID is ""; projectID 0 is any project, as
// in SetReply. A request gets the first reply scripted for its project
// and payment, its payment in any project, its project, then any request.
func (m *Merchant) SetProjectReply(kind string, projectID int64, paymentID string, r Reply) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replies[replyKey{kind, projectID, paymentID}] = r
}

// reply returns the reply scripted for req, as SetProjectReply orders
// them. The caller holds m.mu.
func (m *Merchant) reply(req Request) Reply {
	for _, k := range []replyKey{
		{req.Kind, req.ProjectID, req.PaymentID},
		{req.Kind, 0, req.PaymentID},
		{req.Kind, req.ProjectID, ""},
	} {
		if r, ok := m.replies[k]; ok {
			return r
		}
	}
	return m.replies[replyKey{kind: req.Kind}]
}

// Requests returns every request received so far, in arrival order.
func (m *Merchant) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.requests...)
}

// Close stops the merchant; requests it holds are dropped unanswered.
func (m *Merchant) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	close(m.done)
	// Close, not Shutdown: a connection the sandbox's client dialed ahead
	// and never used would keep Shutdown waiting for seconds.
	err := m.srv.Close()
	if serr := <-m.serveErr; err == nil {
		err = serr
	}
	return err
}

// serve records a request and answers it as scripted.
func (m *Merchant) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	req := Request{Kind: KindCallback, Path: r.URL.Path, Body: body, Received: time.Now()}
	describe(&req)

	m.mu.Lock()
	a := m.reply(req)
	seen := seenKey{req.Kind, req.ProjectID, req.PaymentID}
	n := m.seen[seen]
	m.seen[seen] = n + 1
	m.mu.Unlock()

	status := a.Status
	if status == 0 {
		status = http.StatusOK
	}
	if n < a.FailFirst {
		status = a.FailStatus
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	switch {
	case a.Silent && n >= a.FailFirst:
		// Recorded first: the sandbox may note its timeout before this
		// handler sees the connection go.
		m.record(req)
		select {
		case <-r.Context().Done():
		case <-m.done:
		}
		return
	case a.HangUp && n >= a.FailFirst:
		m.record(req)
		hangUp(w)
		return
	}
	if a.Delay > 0 {
		// Held without an answer: a callback the sandbox gives up on
		// while the merchant sleeps was never accepted.
		idx := m.record(req)
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		case <-m.done:
			return
		}
		// Noted before the answer leaves, as below.
		m.answered(idx, status)
	} else {
		// Recorded before the answer leaves, so that whoever waits for the
		// sandbox to note the attempt finds the request already here.
		req.Answered = status
		m.record(req)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answerBody(req, a, status))
}

// answerBody is what the merchant writes back.
func answerBody(req Request, a Reply, status int) string {
	switch {
	case a.Body != "":
		return a.Body
	case req.Kind == KindCheckDeposit && status == http.StatusOK:
		b, _ := json.Marshal(map[string]any{"code": a.Code, "payment_id": req.PaymentID})
		return string(b)
	case status == http.StatusOK:
		return `{"status":"ok"}`
	}
	return `{"status":"error","message":"the scripted merchant refused this request"}`
}

// hangUp closes the connection without writing an answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// record keeps req and returns its index.
func (m *Merchant) record(req Request) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, req)
	return len(m.requests) - 1
}

// answered notes the status a held request is answered with, as it leaves.
func (m *Merchant) answered(idx, status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[idx].Answered = status
}

// describe fills in whose request req is from its body.
func describe(req *Request) {
	var b struct {
		Type      string          `json:"type"`
		ProjectID json.RawMessage `json:"project_id"`
		PaymentID string          `json:"payment_id"`
		Payment   struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"payment"`
	}
	dec := json.NewDecoder(bytes.NewReader(req.Body))
	if dec.Decode(&b) != nil {
		return
	}
	req.ProjectID, _ = strconv.ParseInt(string(bytes.Trim(b.ProjectID, `"`)), 10, 64)
	if b.Type == KindCheckDeposit || req.Path == CheckDepositPath {
		req.Kind = KindCheckDeposit
		req.PaymentID = b.PaymentID
		return
	}
	req.PaymentID, req.Status = b.Payment.ID, b.Payment.Status
}
