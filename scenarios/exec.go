package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// defaultProject is the project of a scenario that names none.
func defaultProject() sandboxtest.Project { return sandboxtest.Project{ID: 842, Secret: "secret"} }

// execution is one run of one scenario.
type execution struct {
	sc       *Scenario
	sb       *sandboxtest.Sandbox
	vars     vars
	suffix   string // appended to payment IDs against a shared sandbox
	projects []sandboxtest.Project
	browser  *browser
	ids      map[string]bool // the payment IDs the scenario has named
	maxWait  time.Duration
	methods  []sandboxtest.Method // the sandbox's, once asked (methodList)
}

// stepFailure is why a step failed: a line that says what, and the detail
// (a diff, what the step got).
type stepFailure struct {
	msg    string
	detail string
}

func (f *stepFailure) Error() string { return f.msg }

func failf(format string, args ...any) *stepFailure {
	return &stepFailure{msg: fmt.Sprintf(format, args...)}
}

// setup gives the sandbox the scenario's projects and the merchant its script.
func (x *execution) setup(ctx context.Context) error {
	x.vars = vars{"sandbox": x.sb.URL(), "merchant": x.sb.Merchant().URL()}
	for name, val := range x.sc.env {
		x.vars[envPrefix+name] = val
	}
	// Every payment the steps name is the scenario's from the start, so
	// that a URL naming one before a step makes it (the merchant's own
	// checkout, /checkout/order-1, which makes it) gets the run's suffix.
	for _, st := range x.sc.Steps {
		s, _ := decodeStep(st.raw)
		for _, id := range s.payments() {
			x.payment(id)
		}
	}
	specs := x.sc.spec.Projects
	var merchants []any // each project's merchant, expanded
	if len(specs) == 0 {
		p, err := x.sb.PutProject(ctx, defaultProject())
		if err != nil {
			return err
		}
		x.projects = append(x.projects, p)
	}
	for i, raw := range specs {
		expanded, err := x.vars.expand(raw)
		if err != nil {
			return fmt.Errorf("projects[%d]: %w", i, err)
		}
		merchants = append(merchants, expanded.(map[string]any)["merchant"])
		b, _ := json.Marshal(expanded)
		var p sandboxtest.Project
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("projects[%d]: %w", i, err)
		}
		if p, err = x.sb.PutProject(ctx, p); err != nil {
			return err
		}
		x.projects = append(x.projects, p)
	}
	top, err := x.vars.expand(x.sc.merchant)
	if err != nil {
		return fmt.Errorf("merchant: %w", err)
	}
	if m, err := decodeMerchant(top); err != nil {
		return fmt.Errorf("merchant: %w", err)
	} else if m != nil {
		x.script(*m, 0)
	}
	for i, p := range x.projects[:len(specs)] {
		m, err := decodeMerchant(merchants[i])
		if err != nil {
			return fmt.Errorf("projects[%d].merchant: %w", i, err)
		}
		if m != nil {
			x.script(*m, p.ID)
		}
	}
	b, err := newBrowser(x.sb.URL(), x.maxWait)
	x.browser = b
	return err
}

// script tells the merchant how to answer project's requests from now on,
// every project's when project is 0. It replaces the answers m names only.
func (x *execution) script(m merchantSpec, project int64) {
	for kind, r := range map[string]*replySpec{sandboxtest.KindCallback: m.Callbacks, sandboxtest.KindCheckDeposit: m.CheckDeposit} {
		if r == nil {
			continue
		}
		if r.answers {
			x.sb.Merchant().SetProjectReply(kind, project, "", r.reply())
		}
		for id, pr := range r.Payments {
			x.sb.Merchant().SetProjectReply(kind, project, x.payment(id), pr.reply())
		}
	}
}

// projectMerchant returns how the merchant answers a project's own
// payments, as its entry under projects says (nil when it says nothing).
func projectMerchant(project map[string]any) (*merchantSpec, error) {
	return decodeMerchant(project["merchant"])
}

// decodeMerchant reads how the merchant answers from a file's values (nil
// when there are none).
func decodeMerchant(raw any) (*merchantSpec, error) {
	if raw == nil {
		return nil, nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var m merchantSpec
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// payment is a scenario's payment ID as the sandbox knows it.
func (x *execution) payment(id string) string {
	if x.ids == nil {
		x.ids = map[string]bool{}
	}
	x.ids[id] = true
	return id + x.suffix
}

// otherPayments says which of the payment IDs the scenario has named so
// far id may be a typo of, or lists them.
func (x *execution) otherPayments(id string) string {
	ids := slices.DeleteFunc(slices.Sorted(maps.Keys(x.ids)), func(s string) bool { return s == id })
	if n := nearest(id, ids); n != "" {
		return "; did you mean " + n + "?"
	}
	if len(ids) == 0 {
		return ""
	}
	return "; the scenario's other payments are " + strings.Join(ids, ", ")
}

// mapPath gives the segments of a URL's path that name one of the
// scenario's payments the run's suffix, as the sandbox knows them
// (/payment/result/842/order-1 against a shared sandbox).
func (x *execution) mapPath(target string) string {
	if x.suffix == "" {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	parts := strings.Split(u.Path, "/")
	for i, p := range parts {
		if x.ids[p] {
			parts[i] = p + x.suffix
		}
	}
	u.Path = strings.Join(parts, "/")
	u.RawPath = ""
	return u.String()
}

// project returns a project of the scenario, the first one for 0.
func (x *execution) project(id int64) (sandboxtest.Project, error) {
	if id == 0 {
		return x.projects[0], nil
	}
	for _, p := range x.projects {
		if p.ID == id {
			return p, nil
		}
	}
	if p, ok := x.sb.Project(id); ok {
		return p, nil
	}
	return sandboxtest.Project{}, fmt.Errorf("project %d is not one of the scenario's projects: list it under projects", id)
}

// local returns what a step got with the run's suffix removed from every
// string, so that expectations read the same against a shared sandbox.
// Captures keep the values as they are, suffix and all, so that what is
// sent back (a redirect, a checksum) is what the sandbox issued.
func (x *execution) local(doc any) any {
	if x.suffix == "" {
		return doc
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return doc
	}
	copied, err := decodeJSON(raw)
	if err != nil {
		return doc
	}
	return replaceStrings(copied, func(s string) string { return strings.ReplaceAll(s, x.suffix, "") })
}

// step runs one step: its action or check, then its expectations and
// captures.
func (x *execution) step(ctx context.Context, st Step) error {
	expanded, err := x.vars.expand(st.raw)
	if err != nil {
		return failf("%v", err)
	}
	spec, err := decodeStep(expanded.(map[string]any))
	if err != nil {
		return failf("%v", err)
	}
	if err := spec.check(st.Kind); err != nil {
		return failf("%v", err)
	}
	o, err := x.act(ctx, st.Kind, spec)
	if err != nil {
		return err
	}
	if err := x.expect(st.Kind, spec.Expect, o); err != nil {
		return err
	}
	return x.capture(spec.Capture, o.doc)
}

// outcome is what a step got: an HTTP status (0 for none) and a document
// that expect.body matches and captures read.
type outcome struct {
	status int
	doc    any
	what   string // names the document in messages
	page   *page
	note   string // what a person reads first when the document is not as expected
}

func (x *execution) act(ctx context.Context, kind string, s stepSpec) (outcome, error) {
	switch kind {
	case "gate":
		return x.gate(ctx, s.Gate)
	case "page":
		return x.page(ctx, s.Page)
	case "pay":
		if s.Pay.Input != nil {
			return x.control(ctx, s.Pay.ref, "pay", s.Pay.Input)
		}
		return x.control(ctx, s.Pay.ref, "pay", s.Pay.PayInput)
	case "fail":
		var body any
		if s.Fail.Code != 0 {
			body = map[string]int{"code": s.Fail.Code}
		}
		return x.control(ctx, s.Fail.ref, "fail", body)
	case "expire":
		return x.control(ctx, *s.Expire, "expire", nil)
	case "clock":
		return x.clock(ctx, s.Clock)
	case "resend":
		return x.resend(ctx, s.Resend)
	case "merchant":
		if id := s.Merchant.Project; id != 0 {
			if _, err := x.project(id); err != nil {
				return outcome{}, failf("%v", err)
			}
		}
		x.script(*s.Merchant, s.Merchant.Project)
		return outcome{}, nil
	case "callback":
		return x.callback(ctx, s.Callback)
	case "no_callback":
		p, err := x.project(s.NoCallback.Project)
		if err != nil {
			return outcome{}, failf("%v", err)
		}
		if err := x.sb.NoCallback(ctx, p.ID, x.payment(s.NoCallback.Payment), timeDuration(s.NoCallback.Within)); err != nil {
			return outcome{}, &stepFailure{msg: strings.ReplaceAll(firstLine(err.Error()), x.suffix, ""), detail: rest(err.Error())}
		}
		return outcome{}, nil
	case "delivery":
		return x.delivery(ctx, s.Delivery)
	case "check_deposit":
		return x.checkDeposit(s.CheckDeposit)
	case "state":
		return x.state(ctx, *s.State)
	}
	return outcome{}, failf("unknown step kind %q", kind)
}

// sale returns a method's sale endpoint and a fresh copy of its example
// sale, as the sandbox lists them (GET /sandbox/methods). A method the
// sandbox does not have is sent where a voucher method's sale would go,
// with a body any method takes, so that a file can check the Gate's answer.
func (x *execution) sale(ctx context.Context, code string) (string, map[string]any, error) {
	ms, err := x.methodList(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, m := range ms {
		if m.Code == code && m.GatePath != "" {
			body, err := m.Sale("")
			return m.GatePath, body, err
		}
	}
	return "/v2/payment/voucher/" + code + "/sale", map[string]any{
		"customer": map[string]any{"id": "customer-1", "ip_address": "198.51.100.7"},
		"payment":  map[string]any{"amount": 10000, "currency": "USD"},
	}, nil
}

// refundPath returns where a refund of the payment goes: its method's
// refund endpoint, or, for a payment whose method does not refund or that
// does not exist, the first endpoint of a method that does, so that a file
// can check the Gate's answer to it.
func (x *execution) refundPath(ctx context.Context, projectID int64, paymentID string) (string, error) {
	ms, err := x.methodList(ctx)
	if err != nil {
		return "", err
	}
	var method string
	if p, err := x.sb.Payment(ctx, projectID, paymentID); err == nil {
		method, _ = p["method"].(string)
	}
	first := ""
	for _, m := range ms {
		if m.RefundPath != "" && m.Code == method {
			return m.RefundPath, nil
		}
		if first == "" {
			first = m.RefundPath
		}
	}
	if first == "" {
		return "", errors.New("no method of this sandbox refunds (GET /sandbox/methods lists none with a refund_path)")
	}
	return first, nil
}

// methodList returns the sandbox's methods, asked once.
func (x *execution) methodList(ctx context.Context) ([]sandboxtest.Method, error) {
	if x.methods == nil {
		ms, err := x.sb.Methods(ctx)
		if err != nil {
			return nil, fmt.Errorf("ask the sandbox for its methods: %w", err)
		}
		x.methods = ms
	}
	return x.methods, nil
}

// merge returns base with over merged in: objects key by key, anything
// else replaced.
func merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	maps.Copy(out, base)
	for k, v := range over {
		bm, ok1 := out[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = merge(bm, om)
		} else {
			out[k] = v
		}
	}
	return out
}

// omit deletes a dotted path from a body.
func omit(body map[string]any, path string) {
	parts := splitPath(path)
	cur := body
	for i, p := range parts {
		if i == len(parts)-1 {
			delete(cur, p)
			return
		}
		next, ok := cur[p].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
}

func (x *execution) gate(ctx context.Context, g *gateSpec) (outcome, error) {
	p, err := x.project(g.Project)
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	var (
		path string
		body = map[string]any{}
		id   = g.PaymentID
	)
	switch {
	case g.Sale != "":
		if path, body, err = x.sale(ctx, g.Sale); err != nil {
			return outcome{}, failf("%v", err)
		}
	case g.Refund != "":
		id = g.Refund
		if path, err = x.refundPath(ctx, p.ID, x.payment(id)); err != nil {
			return outcome{}, failf("%v", err)
		}
	case g.Status != "":
		path, id = "/v2/payment/status", g.Status
	case g.Clarification != "":
		path, id = "/v2/payment/clarification", g.Clarification
	default:
		path = g.Path
	}
	if id == "" {
		// A payment the body names (a path's) is the scenario's too: it
		// gets the run's suffix against a shared sandbox.
		id = g.bodyPaymentID()
	}
	var res sandboxtest.Response
	if g.Raw != nil {
		res, err = x.sb.Do(ctx, http.MethodPost, path, *g.Raw)
	} else {
		body = merge(body, g.Body)
		general, _ := body["general"].(map[string]any)
		general = maps.Clone(general)
		if general == nil {
			general = map[string]any{}
		}
		if _, ok := general["project_id"]; !ok {
			general["project_id"] = p.ID
		}
		if id != "" {
			general["payment_id"] = x.payment(id)
		}
		body["general"] = general
		for _, o := range g.Omit {
			omit(body, o)
		}
		if body, err = x.sign(body, p, g.Signature); err != nil {
			return outcome{}, failf("%v", err)
		}
		res, err = x.sb.Do(ctx, http.MethodPost, path, body)
	}
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	o := outcome{status: res.Status, what: "the answer of POST " + path}
	doc, err := decodeJSON(res.Body)
	if err != nil {
		o.doc = string(res.Body)
		return o, nil
	}
	if m, ok := doc.(map[string]any); ok {
		if sig, ok := m["signature"].(string); ok {
			if err := signature.Verify(m, sig, p.Secret); err != nil {
				return o, &stepFailure{msg: fmt.Sprintf("%s is not signed with project %d's secret", o.what, p.ID), detail: err.Error()}
			}
		}
	}
	o.doc = doc
	return o, nil
}

// sign signs a Gate body as the step says: auto, none, wrong, or as given.
func (x *execution) sign(body map[string]any, p sandboxtest.Project, how string) (map[string]any, error) {
	general := body["general"].(map[string]any)
	delete(general, "signature")
	switch how {
	case "", "auto":
		return x.sb.Sign(p.ID, body)
	case "none":
		return body, nil
	case "wrong":
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		data, err := signature.Decode(raw)
		if err != nil {
			return nil, err
		}
		data["general"].(map[string]any)["signature"] = signature.Sign(data, "not-"+p.Secret)
		return data, nil
	}
	general["signature"] = how
	return body, nil
}

func (x *execution) page(ctx context.Context, ps *pageSpec) (outcome, error) {
	b := x.browser
	var err error
	switch {
	case ps.Open != nil:
		err = x.open(ctx, ps.Open)
	case ps.Get != "":
		err = b.visit(ctx, x.mapPath(ps.Get))
	case ps.Redirect != nil:
		err = x.redirect(ctx, ps.Redirect)
	case ps.Choose != "":
		err = b.choose(ctx, ps.Choose)
	default:
		fill := map[string][]string{}
		for k, v := range ps.Fill {
			switch v := v.(type) {
			case []any:
				for _, e := range v {
					fill[k] = append(fill[k], scalarText(e))
				}
			default:
				fill[k] = []string{scalarText(v)}
			}
		}
		err = b.click(ctx, ps.Click, fill)
	}
	if err != nil {
		return outcome{}, failf("%s", strings.ReplaceAll(err.Error(), x.suffix, ""))
	}
	p := b.page
	return outcome{status: p.Status, doc: p.doc(), what: "the page", page: p}, nil
}

// redirect sends the customer where a callback's redirect_data says, as
// the merchant's page does: a GET to its url, or its body POSTed as a form.
func (x *execution) redirect(ctx context.Context, v any) error {
	r, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("page.redirect must be a callback's redirect_data {url, method, body}, not %s", show(v))
	}
	target, _ := r["url"].(string)
	if target == "" {
		return fmt.Errorf("page.redirect has no url: %s", show(v))
	}
	method, _ := r["method"].(string)
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("redirect_data.url %q: %w", target, err)
	}
	if !strings.EqualFold(method, http.MethodPost) {
		return x.browser.open(ctx, http.MethodGet, u.String(), nil)
	}
	form := url.Values{}
	body, _ := r["body"].(map[string]any)
	for k, val := range body {
		form.Set(k, scalarText(val))
	}
	return x.browser.open(ctx, http.MethodPost, u.String(), form)
}

// open opens the Payment Page with signed parameters, as a shop's link or
// widget does.
func (x *execution) open(ctx context.Context, o *openSpec) error {
	p, err := x.project(o.Project)
	if err != nil {
		return err
	}
	params := map[string]string{}
	for k, v := range o.Params {
		params[k] = scalarText(v)
	}
	params["payment_id"] = x.payment(o.PaymentID)
	if _, ok := params["project_id"]; !ok {
		params["project_id"] = strconv.FormatInt(p.ID, 10)
	}
	link, err := x.sb.PaymentPageURL(p.ID, params)
	if err != nil {
		return err
	}
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	q := u.Query()
	switch o.Signature {
	case "", "auto":
	case "none":
		q.Del("signature")
	case "wrong":
		wrong := map[string]any{}
		for k, v := range params {
			wrong[k] = v
		}
		q.Set("signature", signature.Sign(wrong, "not-"+p.Secret))
	default:
		q.Set("signature", o.Signature)
	}
	if o.Method == http.MethodPost {
		return x.browser.open(ctx, http.MethodPost, u.Path, q)
	}
	u.RawQuery = q.Encode()
	return x.browser.open(ctx, http.MethodGet, u.String(), nil)
}

// control runs an action of the control API on a payment.
func (x *execution) control(ctx context.Context, r ref, action string, body any) (outcome, error) {
	p, err := x.project(r.Project)
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	path := "/sandbox/payments/" + strconv.FormatInt(p.ID, 10) + "/" + url.PathEscape(x.payment(r.Payment)) + "/" + action
	return x.call(ctx, http.MethodPost, path, body)
}

// call sends a control API request and reads its answer.
func (x *execution) call(ctx context.Context, method, path string, body any) (outcome, error) {
	res, err := x.sb.Do(ctx, method, path, body)
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	o := outcome{status: res.Status, what: "the answer of " + method + " " + strings.ReplaceAll(path, x.suffix, "")}
	if doc, err := decodeJSON(res.Body); err == nil {
		o.doc = doc
	} else {
		o.doc = string(res.Body)
	}
	return o, nil
}

// clock moves or stops the clock. A clock step answers as the control
// API does, status and body ({now, frozen}), for expect to match (a time
// the sandbox refuses, with its 400, included), so it calls the API itself
// rather than sandboxtest's Advance or SetClock, which keep the time only.
//
// A file of one project moves the clock waiting for that project's
// callbacks only (project_id): on a running sandbox that other teams
// share, another project's merchant that does not answer does not hold
// it. A file of several projects waits for every project's.
func (x *execution) clock(ctx context.Context, c *clockSpec) (outcome, error) {
	move := map[string]any{}
	if len(x.projects) == 1 {
		move["project_id"] = x.projects[0].ID
	}
	switch {
	case c.Advance != nil:
		move["duration"] = timeDuration(*c.Advance).String()
		return x.call(ctx, http.MethodPost, "/sandbox/clock/advance", move)
	case c.Set != "":
		move["now"] = c.Set
		return x.call(ctx, http.MethodPost, "/sandbox/clock/set", move)
	case c.Freeze:
		return x.call(ctx, http.MethodPost, "/sandbox/clock/freeze", nil)
	}
	return x.call(ctx, http.MethodPost, "/sandbox/clock/unfreeze", nil)
}

// callbacks returns the callback deliveries of a payment, oldest first.
func (x *execution) callbacks(ctx context.Context, r ref) ([]sandboxtest.Delivery, sandboxtest.Project, error) {
	p, err := x.project(r.Project)
	if err != nil {
		return nil, p, failf("%v", err)
	}
	if err := x.sb.Settle(ctx, p.ID, x.payment(r.Payment)); err != nil {
		return nil, p, failf("%v", err)
	}
	ds, err := x.sb.Deliveries(ctx, p.ID, x.payment(r.Payment))
	if err != nil {
		return nil, p, failf("%v", err)
	}
	var out []sandboxtest.Delivery
	for _, d := range ds {
		if d.Kind == sandboxtest.KindCallback {
			out = append(out, d)
		}
	}
	return out, p, nil
}

// nth picks a payment's callback n (from 1), or its last for 0.
func nth(ds []sandboxtest.Delivery, n int, payment string) (sandboxtest.Delivery, error) {
	switch {
	case len(ds) == 0:
		return sandboxtest.Delivery{}, failf("payment %s has no callback", payment)
	case n == 0:
		return ds[len(ds)-1], nil
	case n > len(ds):
		return sandboxtest.Delivery{}, failf("payment %s has %d callback(s), not %d", payment, len(ds), n)
	}
	return ds[n-1], nil
}

func (x *execution) resend(ctx context.Context, r *resendSpec) (outcome, error) {
	ds, _, err := x.callbacks(ctx, r.ref)
	if err != nil {
		return outcome{}, err
	}
	d, err := nth(ds, r.Callback, r.Payment)
	if err != nil {
		return outcome{}, err
	}
	return x.call(ctx, http.MethodPost, "/sandbox/deliveries/"+strconv.FormatUint(d.ID, 10)+"/resend", nil)
}

func (x *execution) callback(ctx context.Context, c *callbackSpec) (outcome, error) {
	p, err := x.project(c.Project)
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	r, err := x.sb.WaitCallback(ctx, sandboxtest.Wait{ProjectID: p.ID, PaymentID: x.payment(c.Payment), Status: c.Status, Within: timeDuration(c.Within)})
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), x.suffix, "")
		var he *sandboxtest.HTTPError
		if _, perr := x.sb.Payment(ctx, p.ID, x.payment(c.Payment)); errors.As(perr, &he) && he.Status == http.StatusNotFound {
			msg = firstLine(msg) + fmt.Sprintf("; project %d has no payment %q%s", p.ID, c.Payment, x.otherPayments(c.Payment)) + "\n" + rest(msg)
		}
		if hint := x.elsewhere(p, p.CallbackURL, "callbacks", "a delivery step shows what was sent there and how it was answered"); hint != "" {
			msg += "\n" + hint
		}
		return outcome{}, &stepFailure{msg: firstLine(msg), detail: rest(msg)}
	}
	doc, err := decodeJSON(r.Body)
	if err != nil {
		return outcome{}, failf("the callback of %s is not JSON: %v", c.Payment, err)
	}
	what := "the callback of " + c.Payment
	if c.Status != "" {
		what += fmt.Sprintf(" (status %q)", c.Status)
	}
	return outcome{doc: doc, what: what}, nil
}

// elsewhere says, when a project sends what (its callbacks, its
// check_deposit requests) to a URL other than the runner's merchant, that
// a step looking at what the merchant received cannot see them, and how to
// check them instead; "" when it sends them to the merchant.
func (x *execution) elsewhere(p sandboxtest.Project, to, what, instead string) string {
	m := x.sb.Merchant().URL()
	if to == "" || strings.HasPrefix(to, m+"/") {
		return ""
	}
	return fmt.Sprintf("project %d sends its %s to %s, not to the runner's merchant (%s), whose requests are all this step sees: %s",
		p.ID, what, to, m, instead)
}

func (x *execution) delivery(ctx context.Context, d *deliverySpec) (outcome, error) {
	var (
		ds  []sandboxtest.Delivery
		err error
	)
	if d.Within != nil {
		ds, err = x.awaitDelivery(ctx, d)
	} else {
		ds, _, err = x.callbacks(ctx, d.ref)
	}
	if err != nil {
		return outcome{}, err
	}
	dl, err := nth(ds, d.Callback, d.Payment)
	if err != nil {
		return outcome{}, err
	}
	raw, _ := json.Marshal(dl)
	doc, _ := decodeJSON(raw)
	o := outcome{doc: doc, what: fmt.Sprintf("the delivery of callback %d of %s", index(ds, dl), d.Payment),
		note: fmt.Sprintf("callback %d%s", index(ds, dl), strings.ReplaceAll(x.sb.DescribeDelivery(dl), x.suffix, ""))}
	var problems diff
	if d.Attempts != nil && len(dl.Attempts) != *d.Attempts {
		problems = append(problems, mismatch{"attempts", strconv.Itoa(*d.Attempts), strconv.Itoa(len(dl.Attempts))})
	}
	if d.Status != "" && string(dl.Status) != d.Status {
		problems = append(problems, mismatch{"status", d.Status, string(dl.Status)})
	}
	if len(d.Spacing) > 0 {
		// To the second, as the schedule goes: on a clock that runs, an
		// attempt starts a moment after it fell due.
		var got []string
		for i := 1; i < len(dl.Attempts); i++ {
			got = append(got, formatDuration(dl.Attempts[i].At.Sub(dl.Attempts[i-1].At).Round(time.Second)))
		}
		want := make([]string, len(d.Spacing))
		for i, s := range d.Spacing {
			want[i] = formatDuration(timeDuration(s).Round(time.Second))
		}
		if len(got) < len(want) || strings.Join(got[:len(want)], " ") != strings.Join(want, " ") {
			problems = append(problems, mismatch{"spacing", "[" + strings.Join(want, ", ") + "]", "[" + strings.Join(got, ", ") + "]"})
		}
	}
	if len(problems) > 0 {
		return o, &stepFailure{msg: fmt.Sprintf("%s is not as expected", o.what), detail: problems.String() + "\n" + o.note}
	}
	return o, nil
}

// awaitDelivery moves the clock until the payment's callback has the
// status and attempts the step gives, at most by its within, and returns
// the payment's callbacks as they were then.
func (x *execution) awaitDelivery(ctx context.Context, d *deliverySpec) ([]sandboxtest.Delivery, error) {
	p, err := x.project(d.Project)
	if err != nil {
		return nil, failf("%v", err)
	}
	ds, _, err := x.sb.WaitDeliveries(ctx, p.ID, x.payment(d.Payment), timeDuration(*d.Within), func(ds []sandboxtest.Delivery) bool {
		dl, err := nth(ds, d.Callback, d.Payment)
		return err == nil && (d.Status == "" || string(dl.Status) == d.Status) && (d.Attempts == nil || len(dl.Attempts) == *d.Attempts)
	})
	if err != nil {
		return nil, failf("%v", err)
	}
	return ds, nil
}

func index(ds []sandboxtest.Delivery, d sandboxtest.Delivery) int {
	for i := range ds {
		if ds[i].ID == d.ID {
			return i + 1
		}
	}
	return 0
}

func (x *execution) checkDeposit(c *checkDepositSpec) (outcome, error) {
	p, err := x.project(c.Project)
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	var got []sandboxtest.Request
	for _, r := range x.sb.Merchant().Requests() {
		if r.Kind == sandboxtest.KindCheckDeposit && r.PaymentID == x.payment(c.Payment) && r.ProjectID == p.ID {
			got = append(got, r)
		}
	}
	hint := x.elsewhere(p, p.CheckDepositURL, "check_deposit requests", "the callback that follows says how it was answered (success, or a decline with code 30000)")
	if hint != "" {
		hint = "; " + hint
	}
	switch {
	case c.Count != nil && len(got) != *c.Count:
		return outcome{}, failf("the merchant received %d check_deposit request(s) for %s, not %d%s", len(got), c.Payment, *c.Count, hint)
	case len(got) == 0 && c.Count == nil:
		return outcome{}, failf("the merchant received no check_deposit request for %s%s", c.Payment, hint)
	case len(got) == 0:
		return outcome{}, nil
	}
	r := got[len(got)-1]
	data, err := signature.Decode(r.Body)
	if err != nil {
		return outcome{}, failf("the check_deposit request for %s is not a JSON object: %v", c.Payment, err)
	}
	sig, _ := data["signature"].(string)
	if err := signature.Verify(data, sig, p.Secret); err != nil {
		return outcome{}, &stepFailure{msg: fmt.Sprintf("the check_deposit request for %s is not signed with project %d's secret", c.Payment, p.ID), detail: err.Error()}
	}
	doc, _ := decodeJSON(r.Body)
	return outcome{doc: doc, what: "the check_deposit request for " + c.Payment}, nil
}

func (x *execution) state(ctx context.Context, r ref) (outcome, error) {
	p, err := x.project(r.Project)
	if err != nil {
		return outcome{}, failf("%v", err)
	}
	if err := x.sb.Settle(ctx, p.ID, x.payment(r.Payment)); err != nil {
		return outcome{}, failf("%v", err)
	}
	path := "/sandbox/payments/" + strconv.FormatInt(p.ID, 10) + "/" + url.PathEscape(x.payment(r.Payment))
	o, err := x.call(ctx, http.MethodGet, path, nil)
	o.what = "payment " + r.Payment + " as the control API shows it"
	return o, err
}

// expect checks what a step got against its expect.
func (x *execution) expect(kind string, e *expectSpec, o outcome) error {
	if e == nil {
		e = &expectSpec{}
	}
	if err := x.expectStatus(kind, e, o); err != nil {
		return err
	}
	if p := o.page; p != nil {
		if e.URL != "" && !strings.Contains(p.URL.String(), e.URL) && !strings.Contains(strings.ReplaceAll(p.URL.String(), x.suffix, ""), e.URL) {
			return failf("the customer is at %s, not at a URL containing %q", strings.ReplaceAll(p.URL.String(), x.suffix, ""), e.URL)
		}
		text := strings.ReplaceAll(p.Text, x.suffix, "")
		var d diff
		for _, s := range e.Contains {
			if !strings.Contains(text, s) {
				d = append(d, mismatch{"text", "to contain " + show(s), "no such text"})
			}
		}
		for _, s := range e.NotContains {
			if strings.Contains(text, s) {
				d = append(d, mismatch{"text", "not to contain " + show(s), "it does"})
			}
		}
		if len(d) > 0 {
			return &stepFailure{msg: fmt.Sprintf("the page %s does not show what it should", p.URL.Path),
				detail: d.String() + "\npage text:\n  " + cut(text, 1500)}
		}
	}
	if e.Body == nil {
		return nil
	}
	want, err := decodeJSON(e.Body)
	if err != nil {
		return failf("expect.body: %v", err)
	}
	got := x.local(o.doc)
	if d := match(want, got); len(d) > 0 {
		what := o.what
		if what == "" {
			what = "what the step got"
		}
		s := "s"
		if len(d) == 1 {
			s = ""
		}
		note := ""
		if o.note != "" {
			note = "\n" + o.note
		}
		return &stepFailure{msg: fmt.Sprintf("%s differs from expect.body in %d place%s:", what, len(d), s),
			detail: d.String() + note + "\nexpected:\n" + indent(pretty(want, 40), "  ") +
				"\ngot (where expected names it):\n" + indent(pretty(shorten(project(got, want), 200), 40), "  ")}
	}
	return nil
}

func (x *execution) expectStatus(kind string, e *expectSpec, o outcome) error {
	got := o.status
	switch {
	case e.Status != 0 && got != e.Status:
	case e.Status != 0:
		return nil
	case kind == "page" && (o.page.Offsite || got == http.StatusOK):
		return nil
	case kind == "gate" || kind == "page" || kind == "state":
		if got == http.StatusOK {
			return nil
		}
	case kind == "pay" || kind == "fail" || kind == "expire" || kind == "clock" || kind == "resend":
		if got >= 200 && got <= 299 {
			return nil
		}
	default:
		return nil
	}
	want := strconv.Itoa(e.Status)
	if e.Status == 0 {
		want = "a success (say expect.status when another status is meant)"
	}
	if kind == "page" && o.page.Offsite {
		return failf("the customer left the sandbox for %s, but expect.status is %d", o.page.URL, e.Status)
	}
	return &stepFailure{msg: fmt.Sprintf("%s has status %d; want %s", o.what, got, want), detail: "got:\n" + indent(pretty(o.doc, 30), "  ")}
}

// capture keeps values of what a step got as ${name}.
func (x *execution) capture(cs map[string]captureSpec, doc any) error {
	for name, c := range cs {
		v, err := lookup(doc, c.Path)
		if err != nil {
			return failf("capture %s: %v", name, err)
		}
		if c.Regex != "" {
			re := regexp.MustCompile(c.Regex) // checked when loaded
			m := re.FindStringSubmatch(scalarText(v))
			if m == nil {
				return failf("capture %s: %s is %s, which does not match /%s/", name, c.Path, show(v), c.Regex)
			}
			v = m[len(m)-1]
		}
		x.vars[name] = v
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func rest(s string) string {
	_, after, _ := strings.Cut(s, "\n")
	return after
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}
