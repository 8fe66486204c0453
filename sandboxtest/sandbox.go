package sandboxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// Sandbox is a sandbox a test drives over HTTP, with a merchant of its own:
// started in-process by New or Start, or a running one reached by Connect.
// It is safe for concurrent use.
type Sandbox struct {
	url      string
	http     *http.Client
	merchant *Merchant
	methods  map[string]MethodSettings // added to projects put through Connect
	connect  bool
	// settleWithin bounds, in wall time, how long work due now may take.
	settleWithin time.Duration
	stop         func() error

	mu       sync.Mutex
	projects map[int64]Project
	// cursors say, per payment ID and project (0: any), where the next
	// callback is looked for among the merchant's requests: past those
	// already returned. The same payment ID in two projects is two
	// payments.
	cursors map[string]map[int64]int
	closed  bool
}

// New starts a sandbox in-process for a test, as Start does, and closes it
// when the test ends. It fails the test when the sandbox cannot start.
func New(t testing.TB, opts ...Option) *Sandbox {
	t.Helper()
	s, err := Start(context.Background(), opts...)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("sandboxtest: close: %v", err)
		}
	})
	return s
}

// Start runs the real sandbox in-process on 127.0.0.1 on a free port: a
// store in a temporary folder, seeded IDs, a frozen clock (unless
// WithRunningClock), the projects of the options and the demo project, and a
// merchant of its own that the projects' callbacks and check_deposit
// requests go to. ctx bounds the start only; Close stops everything and
// removes the folder.
func Start(ctx context.Context, opts ...Option) (*Sandbox, error) {
	o := newOptions(opts)
	m, err := StartMerchant()
	if err != nil {
		return nil, err
	}
	s := newSandbox(m, o)
	dir, err := tempDir()
	if err != nil {
		_ = m.Close()
		return nil, fmt.Errorf("sandboxtest: temporary folder: %w", err)
	}
	fail := func(err error) (*Sandbox, error) {
		_ = m.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("sandboxtest: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("listen: %w", err))
	}
	s.url = "http://" + ln.Addr().String()
	cfg := app.Config{Methods: o.methods}
	for _, p := range o.projects {
		p = s.resolve(p)
		cfg.Projects = append(cfg.Projects, p)
		s.projects[p.ID] = p
	}
	clock := platform.ClockState{Frozen: true, FrozenAt: o.start}
	if o.running {
		clock = platform.ClockState{Offset: o.start.Sub(time.Now().UTC())}
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a, err := app.New(runCtx, app.Options{
		DataFile:        filepath.Join(dir, "sandbox.db"),
		PublicURL:       s.url,
		Config:          cfg,
		ConfigName:      "of sandboxtest's options",
		Seed:            o.seed,
		Clock:           clock,
		CallbackTimeout: o.callbackTimeout,
		// The test is over when the sandbox stops: a callback a merchant
		// of the test's own still holds is cut at once, not waited for.
		CallbackGrace: -1,
		Log:           o.log,
	})
	if err != nil {
		cancel()
		ln.Close()
		return fail(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx, ln, nil) }()
	s.stop = func() error {
		// The merchant goes first: a request it holds would keep the
		// sandbox's shutdown waiting.
		merr := m.Close()
		cancel()
		err := <-done
		err = errors.Join(err, a.Close(), merr)
		return errors.Join(err, os.RemoveAll(dir))
	}
	return s, nil
}

// Connect drives a sandbox that is already running at baseURL (such as
// `sandbox serve`): it starts a merchant on 127.0.0.1 and creates or
// replaces the options' projects through the control API, their callbacks
// going to that merchant. The sandbox's clock, seed and callback timeout
// are its own: WithSeed, WithTime, WithRunningClock and
// WithCallbackTimeout change nothing. Close stops the merchant only.
func Connect(ctx context.Context, baseURL string, opts ...Option) (*Sandbox, error) {
	o := newOptions(opts)
	if !platform.IsHTTPURL(baseURL) {
		return nil, fmt.Errorf("sandboxtest: %q is not the http(s) URL of a sandbox", baseURL)
	}
	m, err := StartMerchant()
	if err != nil {
		return nil, err
	}
	s := newSandbox(m, o)
	s.url = strings.TrimRight(baseURL, "/")
	s.connect = true
	s.stop = m.Close
	if err := s.control(ctx, http.MethodGet, "/sandbox/health", nil, nil); err != nil {
		_ = m.Close()
		return nil, fmt.Errorf("sandboxtest: no sandbox answers at %s: %w", s.url, err)
	}
	for _, p := range o.projects {
		if _, err := s.PutProject(ctx, p); err != nil {
			_ = m.Close()
			return nil, err
		}
	}
	return s, nil
}

// tempDir makes the folder of a sandbox's data: in memory (/dev/shm) where
// Linux offers it, since a test's data need not outlive the test and the
// store syncs every change to disk before acknowledging it; else in the
// system's temporary folder. In memory, it first removes the folders that
// test binaries killed before their cleanup left there, which would hold
// that memory until the machine restarts.
func tempDir() (string, error) {
	if runtime.GOOS == "linux" {
		removeAbandoned(shmDir, time.Now())
		if dir, err := os.MkdirTemp(shmDir, tempPrefix); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp("", tempPrefix)
}

const (
	shmDir     = "/dev/shm"
	tempPrefix = "sandboxtest-"
	// abandonedAfter is how old an unlocked folder must be to be taken
	// for abandoned: a sandbox opens its store, and locks it, within
	// milliseconds of making its folder.
	abandonedAfter = time.Minute
)

// removeAbandoned removes the sandboxes' folders under root that no
// process uses: older than abandonedAfter at now, their store not locked
// by a running sandbox. What it cannot remove (another user's) it leaves.
func removeAbandoned(root string, now time.Time) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < abandonedAfter {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if storeLocked(filepath.Join(dir, "sandbox.db")) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

func newSandbox(m *Merchant, o options) *Sandbox {
	timeout := o.callbackTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	demo := platform.DemoProject()
	return &Sandbox{
		http:         &http.Client{Timeout: timeout + time.Minute},
		merchant:     m,
		methods:      o.methods,
		settleWithin: timeout + 5*time.Second,
		projects:     map[int64]Project{demo.ID: demo},
		cursors:      map[string]map[int64]int{},
	}
}

// resolve points a project's empty URLs at the merchant and, against a
// running sandbox, adds the options' method settings.
func (s *Sandbox) resolve(p Project) Project {
	if p.CallbackURL == "" {
		p.CallbackURL = s.merchant.CallbackURL()
	}
	if p.CheckDepositURL == "" {
		p.CheckDepositURL = s.merchant.CheckDepositURL()
	}
	if s.connect && len(s.methods) > 0 {
		ms := maps.Clone(s.methods)
		maps.Copy(ms, p.Methods)
		p.Methods = ms
	}
	return p
}

// Close stops the sandbox (when it runs in-process) and the merchant. A
// callback still under way, held by a merchant server of the test's own,
// is cut at once: it is not sent again, since the sandbox is gone.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	// Connections this client keeps open would hold up the sandbox's
	// graceful shutdown.
	s.http.CloseIdleConnections()
	return s.stop()
}

// URL returns the sandbox's base URL, with no trailing slash.
func (s *Sandbox) URL() string { return s.url }

// Merchant returns the sandbox's merchant.
func (s *Sandbox) Merchant() *Merchant { return s.merchant }

// Project returns a project the sandbox was given, or the demo project.
func (s *Sandbox) Project(id int64) (Project, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projects[id]
	return p, ok
}

// PutProject creates or replaces a project through the control API, its
// empty URLs pointing at the merchant, and returns it as stored. A project
// the sandbox refuses (no secret, a URL that is not http(s)) is an
// *HTTPError that says why.
func (s *Sandbox) PutProject(ctx context.Context, p Project) (Project, error) {
	p = s.resolve(p)
	if err := s.control(ctx, http.MethodPost, "/sandbox/projects", p, nil); err != nil {
		return p, fmt.Errorf("sandboxtest: project %d: %w", p.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projects[p.ID] = p
	return p, nil
}

// Response is the sandbox's answer to a request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode decodes the response's JSON body into v.
func (a Response) Decode(v any) error {
	if err := json.Unmarshal(a.Body, v); err != nil {
		return fmt.Errorf("answer %d is not the JSON expected: %w: %.200s", a.Status, err, a.Body)
	}
	return nil
}

// HTTPError is an answer of the control API that is not a success.
type HTTPError struct {
	Method, Path string
	Response
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s answered %d: %s", e.Method, e.Path, e.Status, bytes.TrimSpace(e.Body))
}

// Do sends a request to the sandbox and returns its response, whatever its
// status. body is nil, []byte or string (sent as JSON), url.Values (sent as
// a form), or a value encoded as JSON.
func (s *Sandbox) Do(ctx context.Context, method, path string, body any) (Response, error) {
	var (
		r     io.Reader
		ctype string
	)
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ctype = bytes.NewReader(b), "application/json"
	case string:
		r, ctype = strings.NewReader(b), "application/json"
	case url.Values:
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return Response{}, fmt.Errorf("sandboxtest: encode %s %s: %w", method, path, err)
		}
		r, ctype = bytes.NewReader(raw), "application/json"
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = s.url + path
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return Response{}, fmt.Errorf("sandboxtest: %s %s: %w", method, path, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("sandboxtest: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, fmt.Errorf("sandboxtest: %s %s: read the answer: %w", method, path, err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: raw}, nil
}

// control sends a control API request and decodes a 2xx answer into out;
// any other answer is an *HTTPError.
func (s *Sandbox) control(ctx context.Context, method, path string, in, out any) error {
	a, err := s.Do(ctx, method, path, in)
	if err != nil {
		return err
	}
	if a.Status < 200 || a.Status > 299 {
		return &HTTPError{Method: method, Path: path, Response: a}
	}
	if out == nil {
		return nil
	}
	return a.Decode(out)
}

// secret returns the secret of a project the sandbox knows.
func (s *Sandbox) secret(projectID int64) (string, error) {
	p, ok := s.Project(projectID)
	if !ok {
		return "", fmt.Errorf("sandboxtest: project %d is unknown here: give it with WithProject or PutProject", projectID)
	}
	return p.Secret, nil
}

// Sign returns a copy of a Gate request body with general.project_id set
// (when missing) and general.signature computed with the project's secret.
// It fails for a project this Sandbox was not given (WithProject,
// PutProject; the demo project 1 it knows) and for a body that does not
// encode to a JSON object.
func (s *Sandbox) Sign(projectID int64, body map[string]any) (map[string]any, error) {
	secret, err := s.secret(projectID)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("sandboxtest: encode the body: %w", err)
	}
	data, err := signature.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("sandboxtest: %w", err)
	}
	general, _ := data["general"].(map[string]any)
	if general == nil {
		general = map[string]any{}
		data["general"] = general
	}
	if _, ok := general["project_id"]; !ok {
		general["project_id"] = json.Number(strconv.FormatInt(projectID, 10))
	}
	delete(general, "signature")
	general["signature"] = signature.Sign(data, secret)
	return data, nil
}

// Gate signs a body for a project and POSTs it to a Gate endpoint such as
// /v2/payment/voucher/oxxo/sale. The answer is returned whatever its status
// (the Gate says why it refuses a request in its body); the error is Sign's,
// or that the request could not be sent.
func (s *Sandbox) Gate(ctx context.Context, projectID int64, path string, body map[string]any) (Response, error) {
	signed, err := s.Sign(projectID, body)
	if err != nil {
		return Response{}, err
	}
	return s.Do(ctx, http.MethodPost, path, signed)
}

// PaymentPageURL returns the signed Payment Page link of a project's
// parameters (project_id is added when missing), as ecommpay's SDKs build it.
// It fails, as Sign does, for a project this Sandbox was not given.
func (s *Sandbox) PaymentPageURL(projectID int64, params map[string]string) (string, error) {
	secret, err := s.secret(projectID)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	data := map[string]any{}
	for k, v := range params {
		if k == "signature" {
			continue
		}
		q.Set(k, v)
		data[k] = v
	}
	if _, ok := params["project_id"]; !ok {
		id := strconv.FormatInt(projectID, 10)
		q.Set("project_id", id)
		data["project_id"] = id
	}
	q.Set("signature", signature.Sign(data, secret))
	return s.url + "/payment?" + q.Encode(), nil
}

func paymentPath(projectID int64, paymentID string) string {
	return "/sandbox/payments/" + strconv.FormatInt(projectID, 10) + "/" + url.PathEscape(paymentID)
}

// Pay is the customer paying at the provider, as in says in the method's
// own terms: a PayInput (a voucher at a terminal, Channel "terminal", or a
// bank, "bank"; EcoVoucher vouchers, none for test vouchers worth the
// amount; a card-partner checkout), or the input of any method as a value
// that encodes to its JSON object (its own struct, a map); nil pays as the
// method does by default.
func (s *Sandbox) Pay(ctx context.Context, projectID int64, paymentID string, in any) error {
	return s.control(ctx, http.MethodPost, paymentPath(projectID, paymentID)+"/pay", in, nil)
}

// Fail is the provider declining a payment with code (0: 20000 General decline).
func (s *Sandbox) Fail(ctx context.Context, projectID int64, paymentID string, code int) error {
	var body any
	if code != 0 {
		body = map[string]int{"code": code}
	}
	return s.control(ctx, http.MethodPost, paymentPath(projectID, paymentID)+"/fail", body, nil)
}

// Expire lapses what the customer has not finished, now.
func (s *Sandbox) Expire(ctx context.Context, projectID int64, paymentID string) error {
	return s.control(ctx, http.MethodPost, paymentPath(projectID, paymentID)+"/expire", nil, nil)
}

// Payment returns a payment whole as the control API shows it: status,
// operations, voucher, redirect, deliveries and pending jobs.
func (s *Sandbox) Payment(ctx context.Context, projectID int64, paymentID string) (map[string]any, error) {
	var p map[string]any
	err := s.control(ctx, http.MethodGet, paymentPath(projectID, paymentID), nil, &p)
	return p, err
}

// MethodCodes returns the codes of the payment methods of a sandbox New
// starts, in the order its Payment Page lists them.
func MethodCodes() []string { return app.MethodCodes() }

// Methods returns the sandbox's payment methods, in the order its Payment
// Page lists them.
func (s *Sandbox) Methods(ctx context.Context) ([]Method, error) {
	var out struct {
		Methods []Method `json:"methods"`
	}
	err := s.control(ctx, http.MethodGet, "/sandbox/methods", nil, &out)
	return out.Methods, err
}

// Deliveries returns the callbacks and check_deposit requests of a payment
// with every attempt, oldest first.
func (s *Sandbox) Deliveries(ctx context.Context, projectID int64, paymentID string) ([]Delivery, error) {
	var out struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	q := url.Values{"project_id": {strconv.FormatInt(projectID, 10)}, "payment_id": {paymentID}}
	err := s.control(ctx, http.MethodGet, "/sandbox/deliveries?"+q.Encode(), nil, &out)
	return out.Deliveries, err
}

// Resend delivers a callback again, now.
func (s *Sandbox) Resend(ctx context.Context, deliveryID uint64) error {
	return s.control(ctx, http.MethodPost, "/sandbox/deliveries/"+strconv.FormatUint(deliveryID, 10)+"/resend", nil, nil)
}

type clockView struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

// Now returns the sandbox time.
func (s *Sandbox) Now(ctx context.Context) (time.Time, error) {
	var c clockView
	err := s.control(ctx, http.MethodGet, "/sandbox/clock", nil, &c)
	return c.Now, err
}

// Advance moves the sandbox clock forward by d; every job that falls due on
// the way (lapses, timeouts, callback attempts) has run when it returns, and
// no callback is under way. A merchant's server that does not answer, of
// any project of the sandbox, holds it for up to the sandbox's callback
// timeout per attempt (sandbox serve --callback-timeout). WaitCallback,
// Settle and NoCallback, given a project, wait for that project's
// callbacks only, which another project's merchant does not hold.
func (s *Sandbox) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	return s.advance(ctx, d, 0)
}

// advance is Advance waiting for the callbacks of project only (of every
// project for 0).
func (s *Sandbox) advance(ctx context.Context, d time.Duration, project int64) (time.Time, error) {
	body := map[string]any{"duration": d.String()}
	if project != 0 {
		body["project_id"] = project
	}
	var c clockView
	err := s.control(ctx, http.MethodPost, "/sandbox/clock/advance", body, &c)
	return c.Now, err
}

// SetClock moves the sandbox clock to t and returns where it stands.
// Forward it is Advance: every job that falls due on the way (lapses,
// timeouts, callback attempts) has run, each at its own due time, when it
// returns. Backward the clock just moves: pending jobs keep their due
// times and run when the clock reaches them again. A frozen clock stays
// frozen at t; a running one runs on from t. A time the sandbox cannot
// hold is refused with an *HTTPError.
func (s *Sandbox) SetClock(ctx context.Context, t time.Time) (time.Time, error) {
	var c clockView
	err := s.control(ctx, http.MethodPost, "/sandbox/clock/set", map[string]string{"now": t.Format(time.RFC3339Nano)}, &c)
	return c.Now, err
}

// Freeze stops the sandbox clock.
func (s *Sandbox) Freeze(ctx context.Context) error {
	return s.control(ctx, http.MethodPost, "/sandbox/clock/freeze", nil, nil)
}

// Unfreeze lets the sandbox clock run on from where it stands.
func (s *Sandbox) Unfreeze(ctx context.Context) error {
	return s.control(ctx, http.MethodPost, "/sandbox/clock/unfreeze", nil, nil)
}
