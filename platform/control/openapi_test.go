package control_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// publicURL is where the test sandbox says it serves.
const publicURL = "http://127.0.0.1:8080"

// newSandbox wires the whole sandbox, as cmd/sandbox serves it, over a
// bbolt file in t.TempDir(), frozen at 2026-03-02 09:00 UTC.
func newSandbox(t *testing.T) *app.Sandbox {
	t.Helper()
	a, err := app.New(context.Background(), app.Options{
		DataFile:  filepath.Join(t.TempDir(), "sandbox.db"),
		PublicURL: publicURL,
		Seed:      7,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// serve sends one request to the sandbox's router and returns the answer;
// each change, when given, alters the request first.
func serve(a *app.Sandbox, method, path, body string, change ...func(*http.Request)) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, publicURL+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, c := range change {
		c(req)
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	return rec
}

// openAPIDoc reads the document as the sandbox serves it.
func openAPIDoc(t *testing.T, a *app.Sandbox) map[string]any {
	t.Helper()
	rec := serve(a, http.MethodGet, "/sandbox/openapi.json", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc), "openapi.json is not JSON")
	return doc
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one documented operation: "METHOD /path/{param}".
type operation struct{ method, path string }

func (o operation) String() string { return o.method + " " + o.path }

// documented lists the operations of doc.
func documented(doc map[string]any) []operation {
	var out []operation
	for path, item := range doc["paths"].(map[string]any) {
		for _, m := range httpMethods {
			if _, ok := item.(map[string]any)[m]; ok {
				out = append(out, operation{strings.ToUpper(m), path})
			}
		}
	}
	return out
}

// TestOpenAPIDocument checks the document itself: OpenAPI 3.1, every
// reference resolves, every operation has a unique id and answers, and every
// path parameter is declared exactly where the path names it.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc := openAPIDoc(t, newSandbox(t))
	assert.Regexp(t, `^3\.1\.\d+$`, doc["openapi"])

	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				refs = append(refs, r)
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	require.NotEmpty(t, refs)
	for _, r := range refs {
		_, err := lookupRef(doc, r)
		assert.NoError(t, err)
	}

	ids := map[string]string{}
	named := regexp.MustCompile(`\{([^}]+)\}`)
	for _, op := range documented(doc) {
		item := doc["paths"].(map[string]any)[op.path].(map[string]any)
		o := item[strings.ToLower(op.method)].(map[string]any)
		id, _ := o["operationId"].(string)
		if assert.NotEmpty(t, id, "%s has no operationId", op) {
			assert.Empty(t, ids[id], "operationId %s is used by %s and %s", id, ids[id], op)
			ids[id] = op.String()
		}
		responses, _ := o["responses"].(map[string]any)
		assert.NotEmpty(t, responses, "%s documents no response", op)

		var want, got []string
		for _, m := range named.FindAllStringSubmatch(op.path, -1) {
			want = append(want, m[1])
		}
		for _, list := range []any{item["parameters"], o["parameters"]} {
			ps, _ := list.([]any)
			for _, p := range ps {
				p := resolve(t, doc, p.(map[string]any))
				if p["in"] == "path" {
					got = append(got, p["name"].(string))
					assert.Equal(t, true, p["required"], "%s: path parameter %s must be required", op, p["name"])
				}
			}
		}
		assert.ElementsMatch(t, want, got, "%s: the path parameters its path names and those it declares", op)
	}
}

// TestOpenAPIRoutes keeps the document and the router together: every route
// registered under /sandbox is documented, and every documented operation
// is a route.
func TestOpenAPIRoutes(t *testing.T) {
	t.Parallel()
	a := newSandbox(t)
	e, ok := a.Handler.(*echo.Echo)
	require.True(t, ok, "app.Sandbox.Handler is a %T, not the *echo.Echo whose routes this test walks", a.Handler)

	param := regexp.MustCompile(`:([^/]+)`)
	var routes []string
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/sandbox/") || r.Path == "/sandbox/*" || r.Method == echo.RouteNotFound {
			continue // another surface, or the catch-all that answers 404 for what is not an endpoint
		}
		routes = append(routes, operation{r.Method, param.ReplaceAllString(r.Path, "{$1}")}.String())
	}
	var docs []string
	for _, op := range documented(openAPIDoc(t, a)) {
		docs = append(docs, op.String())
	}
	sort.Strings(routes)
	sort.Strings(docs)
	require.NotEmpty(t, routes)
	for _, r := range routes {
		assert.Contains(t, docs, r, "a route under /sandbox that platform/control/openapi.json does not document")
	}
	for _, d := range docs {
		assert.Contains(t, routes, d, "an operation platform/control/openapi.json documents that no route serves")
	}
}

// TestOpenAPIAnswers drives every documented operation through the real
// router, with each status the document lists for it, and checks each
// answer against the schema documented for that status: every field the
// answer has is documented with its type, and every field the document
// requires is there.
func TestOpenAPIAnswers(t *testing.T) {
	t.Parallel()
	a := newSandbox(t)
	doc := openAPIDoc(t, a)
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(merchant.Close)

	type call struct {
		method, path, body string
		change             func(*http.Request) // nil: the request as a test tool sends it
	}
	covered := map[string]bool{}
	reached := map[operation]string{} // a path that reaches each operation
	do := func(c call, status int) map[string]any {
		t.Helper()
		var changes []func(*http.Request)
		if c.change != nil {
			changes = append(changes, c.change)
		}
		rec := serve(a, c.method, c.path, c.body, changes...)
		require.Equal(t, status, rec.Code, "%s %s: %s", c.method, c.path, rec.Body)
		op, ok := match(doc, c.method, c.path)
		require.True(t, ok, "%s %s is not documented", c.method, c.path)
		covered[fmt.Sprintf("%s %d", op, status)] = true
		if _, ok := reached[op]; !ok {
			reached[op] = c.path
		}
		o := doc["paths"].(map[string]any)[op.path].(map[string]any)[strings.ToLower(op.method)].(map[string]any)
		resp, ok := o["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
		require.True(t, ok, "%s does not document the status %d it answered", op, status)
		resp = resolve(t, doc, resp)
		headers := mapOf(resp["headers"])
		for name := range rec.Header() {
			if _, ok := headers[name]; ok {
				covered[fmt.Sprintf("%s %d %s", op, status, name)] = true
			} else if !transportHeaders[name] {
				t.Errorf("%s %s (%d): the header %s is not documented", c.method, c.path, status, name)
			}
		}
		content := resp["content"].(map[string]any)
		if _, ok := content["application/octet-stream"]; ok {
			// A file: the copy of GET /sandbox/backup. Its length is the
			// one announced; cmd/sandbox opens such copies.
			assert.Equal(t, "application/octet-stream", rec.Header().Get("Content-Type"))
			assert.Equal(t, rec.Header().Get("Content-Length"), fmt.Sprint(rec.Body.Len()))
			assert.Positive(t, rec.Body.Len())
			return nil
		}
		schema := resolve(t, doc, content["application/json"].(map[string]any)["schema"].(map[string]any))
		var body any
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&body), "%s %s answered no JSON: %s", c.method, c.path, rec.Body)
		for _, problem := range (validator{t: t, doc: doc}).check("", schema, body) {
			t.Errorf("%s %s (%d): %s", c.method, c.path, status, problem)
		}
		m, _ := body.(map[string]any)
		return m
	}
	sale := func(project int, secret, id string) {
		t.Helper()
		body := map[string]any{
			"general":  map[string]any{"project_id": project, "payment_id": id},
			"payment":  map[string]any{"amount": 10000, "currency": "MXN", "description": "Order " + id},
			"customer": map[string]any{"id": "c-1", "ip_address": "66.249.64.45", "email": "paul@example.com", "first_name": "Paul", "last_name": "Marques", "identify": map[string]any{"doc_number": "84887177100"}},
		}
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		data, err := signature.Decode(raw)
		require.NoError(t, err)
		body["general"].(map[string]any)["signature"] = signature.Sign(data, secret)
		raw, err = json.Marshal(body)
		require.NoError(t, err)
		rec := serve(a, http.MethodPost, "/v2/payment/voucher/oxxo/sale", string(raw))
		require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	}

	do(call{"GET", "/sandbox/health", "", nil}, 200)
	do(call{"GET", "/sandbox/methods", "", nil}, 200)
	do(call{"GET", "/sandbox/openapi.json", "", nil}, 200)
	do(call{"POST", "/sandbox/projects", `{"id":2,"secret":"s2","callback_url":"` + merchant.URL + `","methods":{"oxxo":{"max_amount":500000,"variant":"3days"}}}`, nil}, 200)
	do(call{"POST", "/sandbox/projects", `{"id":3}`, nil}, 400)
	do(call{"POST", "/sandbox/projects", `{"id":4,"secret":"s","methods":{"oxxo":{"max_amount":-1}}}`, nil}, 400)
	do(call{"GET", "/sandbox/projects", "", nil}, 200)

	sale(2, "s2", "order-1")
	sale(2, "s2", "order-2")
	sale(1, "secret", "order-3") // the demo project has no callback URL
	do(call{"POST", "/sandbox/clock/advance", `{"duration":"1s"}`, nil}, 200)
	do(call{"POST", "/sandbox/clock/advance", `{"duration":"soon"}`, nil}, 400)
	do(call{"POST", "/sandbox/clock/advance", `{"duration":"1s","project_id":2}`, nil}, 200)
	do(call{"POST", "/sandbox/clock/advance", `{"duration":"1s","project_id":0}`, nil}, 400)
	do(call{"POST", "/sandbox/clock/advance", `{"duration":"1s","project_id":99}`, nil}, 404)

	do(call{"GET", "/sandbox/payments", "", nil}, 200)
	do(call{"GET", "/sandbox/payments?project_id=2&limit=1", "", nil}, 200) // a next page, in the Link header
	do(call{"GET", "/sandbox/payments?project_id=abc", "", nil}, 400)
	whole := do(call{"GET", "/sandbox/payments/2/order-1", "", nil}, 200)
	require.NotEmpty(t, whole["voucher"], "the payment the schemas are checked on has a voucher")
	require.NotEmpty(t, whole["deliveries"], "the payment the schemas are checked on has deliveries")
	do(call{"GET", "/sandbox/payments/abc/order-1", "", nil}, 400)
	do(call{"GET", "/sandbox/payments/2/none", "", nil}, 404)

	do(call{"POST", "/sandbox/payments/2/order-1/pay", `{"channel":"atm"}`, nil}, 400)
	do(call{"POST", "/sandbox/payments/2/none/pay", `{"channel":"terminal"}`, nil}, 404)
	do(call{"POST", "/sandbox/payments/2/order-1/pay", `{"channel":"terminal"}`, nil}, 200)
	do(call{"POST", "/sandbox/payments/2/order-1/pay", `{"channel":"terminal"}`, nil}, 409)

	do(call{"POST", "/sandbox/payments/2/order-2/fail", `{"code":123}`, nil}, 400)
	do(call{"POST", "/sandbox/payments/2/none/fail", "", nil}, 404)
	do(call{"POST", "/sandbox/payments/2/order-2/fail", `{"code":20105}`, nil}, 200)
	do(call{"POST", "/sandbox/payments/2/order-2/fail", "", nil}, 409)

	do(call{"POST", "/sandbox/payments/abc/order-3/expire", "", nil}, 400)
	do(call{"POST", "/sandbox/payments/1/none/expire", "", nil}, 404)
	do(call{"POST", "/sandbox/payments/1/order-3/expire", "", nil}, 200)
	do(call{"POST", "/sandbox/payments/1/order-3/expire", "", nil}, 409)

	do(call{"POST", "/sandbox/clock/advance", `{"duration":"1s"}`, nil}, 200) // deliver what the actions caused
	do(call{"GET", "/sandbox/clock", "", nil}, 200)
	do(call{"POST", "/sandbox/clock/set", `{"now":"2026-03-05T00:00:00Z"}`, nil}, 200)
	do(call{"POST", "/sandbox/clock/set", `{"now":"tomorrow"}`, nil}, 400)
	do(call{"POST", "/sandbox/clock/set", `{"now":"2026-03-06T00:00:00Z","project_id":2}`, nil}, 200)
	do(call{"POST", "/sandbox/clock/set", `{"now":"2026-03-06T00:00:00Z","project_id":-2}`, nil}, 400)
	do(call{"POST", "/sandbox/clock/set", `{"now":"2026-03-06T00:00:00Z","project_id":99}`, nil}, 404)
	do(call{"POST", "/sandbox/clock/unfreeze", "", nil}, 200)
	do(call{"POST", "/sandbox/clock/freeze", "", nil}, 200)

	var delivered, held float64
	list := do(call{"GET", "/sandbox/deliveries", "", nil}, 200)
	for _, d := range list["deliveries"].([]any) {
		d := d.(map[string]any)
		id, err := d["id"].(json.Number).Float64()
		require.NoError(t, err)
		switch d["status"] {
		case "delivered":
			delivered = id
		case "no_url":
			held = id
		}
	}
	require.NotZero(t, delivered, "a delivered callback: %v", list)
	require.NotZero(t, held, "a callback held for want of a URL: %v", list)
	do(call{"GET", "/sandbox/deliveries?project_id=x", "", nil}, 400)
	do(call{"POST", fmt.Sprintf("/sandbox/deliveries/%d/resend", int(delivered)), "", nil}, 202)
	do(call{"POST", "/sandbox/deliveries/first/resend", "", nil}, 400)
	do(call{"POST", "/sandbox/deliveries/999/resend", "", nil}, 404)
	do(call{"POST", fmt.Sprintf("/sandbox/deliveries/%d/resend", int(held)), "", nil}, 409)

	refused := serve(a, http.MethodPost, "/v2/payment/voucher/oxxo/sale", `{"general":{"project_id":2,"payment_id":"order-1","signature":"x"}}`)
	require.Equal(t, http.StatusBadRequest, refused.Code, "%s", refused.Body)
	refusals := do(call{"GET", "/sandbox/refusals?project_id=2", "", nil}, 200)
	require.Len(t, refusals["refusals"], 1, "the refusal is listed, so its schema is checked: %v", refusals)
	do(call{"GET", "/sandbox/refusals?project_id=x", "", nil}, 400)

	do(call{"GET", "/sandbox/backup", "", nil}, 200)
	do(call{"POST", "/sandbox/reset", "", nil}, 200)

	// What the guard in front of the control API refuses, whatever the
	// endpoint: a Host the sandbox does not serve, a state change from
	// another site, a body over 1 MiB.
	ops := documented(doc)
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	large := `{"duration":"` + strings.Repeat("9", 1<<20) + `"}`
	for _, op := range ops {
		path := reached[op]
		require.NotEmpty(t, path, "%s was never called", op)
		do(call{op.method, path, "", func(r *http.Request) { r.Host = "rebound.example" }}, 421)
		if op.method != http.MethodPost {
			continue
		}
		do(call{op.method, path, "", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }}, 403)
		item := doc["paths"].(map[string]any)[op.path].(map[string]any)
		if _, ok := item["post"].(map[string]any)["requestBody"]; ok {
			do(call{op.method, path, large, nil}, 413)
		}
	}

	// Every status of every operation the document lists was answered.
	for _, op := range documented(doc) {
		o := doc["paths"].(map[string]any)[op.path].(map[string]any)[strings.ToLower(op.method)].(map[string]any)
		for status, resp := range o["responses"].(map[string]any) {
			assert.True(t, covered[op.String()+" "+status], "%s %s is documented but this test never sees it answered", op, status)
			for name := range mapOf(resolve(t, doc, resp.(map[string]any))["headers"]) {
				assert.True(t, covered[op.String()+" "+status+" "+name], "%s %s documents the header %s, which this test never sees", op, status, name)
			}
		}
	}
}

// TestHomeLinksOpenAPI checks that the home page links the document.
func TestHomeLinksOpenAPI(t *testing.T) {
	t.Parallel()
	rec := serve(newSandbox(t), http.MethodGet, "/", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `href="/sandbox/openapi.json"`)
	assert.Contains(t, rec.Body.String(), `href="/sandbox/methods"`)
}

// TestHomeShowsASaleEachMethodTakes: each method's card on the home page
// shows its example sale for the demo project, ready to sign.
func TestHomeShowsASaleEachMethodTakes(t *testing.T) {
	t.Parallel()
	a := newSandbox(t)
	rec := serve(a, http.MethodGet, "/", "")
	require.Equal(t, http.StatusOK, rec.Code)
	page := rec.Body.String()
	for _, p := range app.Providers() {
		m := p.Method()
		i := strings.Index(page, "<h3>"+m.Name+"</h3>")
		require.GreaterOrEqual(t, i, 0, "%s has a card", m.Name)
		card := page[i:]
		card = card[:strings.Index(card, "</article>")]
		assert.Contains(t, card, "<summary>A sale it takes</summary>", m.Name)
		assert.Contains(t, card, "&#34;payment_id&#34;: &#34;"+m.Code+"-1&#34;", m.Name)
		assert.Contains(t, card, "&#34;project_id&#34;: 1", m.Name)
		assert.Contains(t, card, "&#34;payment&#34;: {", m.Name)
	}
}

// transportHeaders are the headers every answer may carry, which the
// document leaves to HTTP and to the guard's description.
var transportHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Date": true, "Vary": true, "Cache-Control": true,
	"X-Content-Type-Options": true, "Content-Security-Policy": true, "X-Frame-Options": true, "Referrer-Policy": true,
}

// match finds the documented operation a request reaches: a path segment
// written {name} matches any one segment.
func match(doc map[string]any, method, path string) (operation, bool) {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	for _, op := range documented(doc) {
		if op.method != method {
			continue
		}
		tmpl := strings.Split(op.path, "/")
		if len(tmpl) != len(segs) {
			continue
		}
		ok := true
		for i, s := range tmpl {
			if !(strings.HasPrefix(s, "{") && segs[i] != "") && s != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return op, true
		}
	}
	return operation{}, false
}

// lookupRef returns what a local reference ("#/components/schemas/Sum")
// points at.
func lookupRef(doc map[string]any, ref string) (map[string]any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("reference %q is not local to the document", ref)
	}
	var cur any = doc
	for part := range strings.SplitSeq(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q: %q is not inside an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("reference %q: nothing is at %q", ref, part)
		}
	}
	out, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("reference %q points at no object", ref)
	}
	return out, nil
}

// resolve follows v's $ref, if it has one.
func resolve(t *testing.T, doc map[string]any, v map[string]any) map[string]any {
	t.Helper()
	for {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		var err error
		v, err = lookupRef(doc, ref)
		require.NoError(t, err)
	}
}

// validator checks a JSON value against the subset of JSON Schema the
// document uses: $ref, allOf, type, const, enum, properties, required,
// additionalProperties and items. Unlike JSON Schema, an object whose schema
// lists properties may have no others: every field an answer carries must be
// documented.
type validator struct {
	t   *testing.T
	doc map[string]any
}

// check returns what is wrong with v as an instance of schema, each
// problem prefixed with where in v it is.
func (c validator) check(at string, schema map[string]any, v any) []string {
	schema = resolve(c.t, c.doc, schema)
	var problems []string
	fail := func(format string, args ...any) {
		where := at
		if where == "" {
			where = "the answer"
		}
		problems = append(problems, where+": "+fmt.Sprintf(format, args...))
	}
	parts := []map[string]any{schema}
	if all, ok := schema["allOf"].([]any); ok {
		for _, s := range all {
			parts = append(parts, resolve(c.t, c.doc, s.(map[string]any)))
		}
	}
	props := map[string]map[string]any{}
	var required []string
	var extra map[string]any
	for _, p := range parts {
		if types := typesOf(p); len(types) > 0 && !slices.Contains(types, jsonType(v)) &&
			!(jsonType(v) == "integer" && slices.Contains(types, "number")) {
			fail("is %s, the document says %s", jsonType(v), strings.Join(types, " or "))
			return problems
		}
		if want, ok := p["const"]; ok && fmt.Sprint(want) != fmt.Sprint(v) {
			fail("is %v, the document says it is always %v", v, want)
		}
		if enum, ok := p["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
			fail("is %v, not one of the values the document lists %v", v, enum)
		}
		for name, s := range mapOf(p["properties"]) {
			props[name] = s.(map[string]any)
		}
		for _, r := range sliceOf(p["required"]) {
			required = append(required, r.(string))
		}
		if s, ok := p["additionalProperties"].(map[string]any); ok {
			extra = s
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range required {
			if _, ok := v[r]; !ok {
				fail("has no %q, which the document requires", r)
			}
		}
		for name, field := range v {
			s, ok := props[name]
			switch {
			case ok:
			case extra != nil:
				s = extra
			case len(props) > 0:
				fail("has %q, which the document does not list", name)
				continue
			default:
				continue // a free-form object
			}
			problems = append(problems, c.check(at+"."+name, s, field)...)
		}
	case []any:
		for _, p := range parts {
			if items, ok := p["items"].(map[string]any); ok {
				for i, e := range v {
					problems = append(problems, c.check(fmt.Sprintf("%s[%d]", at, i), items, e)...)
				}
			}
		}
	}
	return problems
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }
func sliceOf(v any) []any        { s, _ := v.([]any); return s }

// typesOf returns the JSON types a schema allows; none means any.
func typesOf(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

// jsonType names the JSON Schema type of a value decoded with UseNumber.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
