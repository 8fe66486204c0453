package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// cli runs the sandbox command line with input on stdin and returns its
// stdout, stderr and exit code.
func cli(t *testing.T, input string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runWith(context.Background(), args, stdio{in: strings.NewReader(input), out: &stdout, err: &stderr})
	code := exitCode(err, &stderr)
	return stdout.String(), stderr.String(), code
}

// signVector is one entry of the published signature vectors.
type signVector struct {
	Name      string          `json:"name"`
	Secret    string          `json:"secret"`
	Data      json.RawMessage `json:"data"`
	String    string          `json:"string"`
	Signature string          `json:"signature"`
	Valid     bool            `json:"valid"`
	Note      string          `json:"note"`
}

// loadSignVectors reads platform/signature's published vectors: the
// canonical ones, then the lenient orderings of the official SDKs.
func loadSignVectors(t *testing.T) (canonical, lenient []signVector) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "platform", "signature", "testdata", "signature_vectors.json"))
	require.NoError(t, err)
	var doc struct{ Canonical, Lenient []signVector }
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Canonical)
	require.NotEmpty(t, doc.Lenient)
	return doc.Canonical, doc.Lenient
}

// withSignatureAt returns the JSON object data with sig where a signed
// message carries it: general.signature when there is a general object,
// else at the top level.
func withSignatureAt(t *testing.T, data json.RawMessage, sig string) string {
	t.Helper()
	m, err := signature.Decode(data)
	require.NoError(t, err)
	if g, ok := m["general"].(map[string]any); ok {
		g["signature"] = sig
	} else {
		m["signature"] = sig
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// signatureOf returns the signature a signed JSON body carries.
func signatureOf(t *testing.T, body string) string {
	t.Helper()
	m, err := signature.Decode([]byte(body))
	require.NoError(t, err, body)
	if g, ok := m["general"].(map[string]any); ok {
		if s, ok := g["signature"].(string); ok {
			return s
		}
	}
	s, _ := m["signature"].(string)
	return s
}

func TestSignVectors(t *testing.T) {
	t.Parallel()
	canonical, _ := loadSignVectors(t)
	for _, v := range canonical {
		if v.Secret == "" {
			continue // a project's secret is never empty, and sign refuses one
		}
		t.Run(v.Name, func(t *testing.T) {
			out, explained, code := cli(t, string(v.Data), "sign", "--secret", v.Secret, "--explain")
			require.Equal(t, 0, code, explained)
			assert.Equal(t, v.String+"\n", explained, "--explain prints the canonical string")
			if v.Valid && v.Signature != "" {
				assert.Equal(t, v.Signature, signatureOf(t, out), "the published signature")
			}
			if v.Signature != "" && v.Valid {
				assert.NotEqual(t, v.Signature, signatureOf(t, mustSign(t, string(v.Data), v.Secret+"x")), "another secret signs differently")
			}
		})
	}
}

// mustSign signs body with the sign verb.
func mustSign(t *testing.T, body, secret string, flags ...string) string {
	t.Helper()
	out, errOut, code := cli(t, body, append([]string{"sign", "--secret", secret}, flags...)...)
	require.Equal(t, 0, code, errOut)
	return strings.TrimSuffix(out, "\n")
}

func TestVerifyVectors(t *testing.T) {
	t.Parallel()
	canonical, lenient := loadSignVectors(t)
	for _, v := range append(canonical, lenient...) {
		if v.Signature == "" {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			out, _, code := cli(t, withSignatureAt(t, v.Data, v.Signature), "verify", "--secret", v.Secret)
			if v.Valid {
				assert.Equal(t, 0, code, out)
				assert.Equal(t, "valid\n", out)
				return
			}
			assert.Equal(t, 1, code, out)
			assert.Contains(t, out, "invalid:")
			if v.String != "" {
				assert.Contains(t, out, "\n  "+v.String+"\n", "shows the canonical string")
			}
		})
	}
}

// TestSignPageVectors signs the published Payment Page vectors with --page,
// from JSON and from the query string of a link.
func TestSignPageVectors(t *testing.T) {
	t.Parallel()
	canonical, _ := loadSignVectors(t)
	n := 0
	for _, v := range canonical {
		if !strings.Contains(v.Name, "payment-page") || v.Signature == "" {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			out, explained, code := cli(t, string(v.Data), "sign", "--secret", v.Secret, "--page", "--explain")
			require.Equal(t, 0, code, explained)
			assert.Equal(t, v.String+"\n", explained)
			q, err := url.ParseQuery(strings.TrimSpace(out))
			require.NoError(t, err)
			assert.Equal(t, v.Signature, q.Get("signature"))

			verified, _, code := cli(t, out, "verify", "--page", "--secret", v.Secret)
			assert.Equal(t, 0, code)
			assert.Equal(t, "valid\n", verified)
			tampered := strings.Replace(out, "project_id=", "project_id=9", 1)
			verified, _, code = cli(t, tampered, "verify", "--page", "--secret", v.Secret)
			assert.Equal(t, 1, code)
			assert.Contains(t, verified, "invalid:")
		})
	}
	require.GreaterOrEqual(t, n, 3, "the vectors hold Payment Page examples")

	// The PHP SDK's link, published with its vector: signing it unsigned
	// gives it back byte for byte.
	for _, v := range canonical {
		if v.Name != "sdk-php-payment-page" {
			continue
		}
		link := v.Note[strings.Index(v.Note, "https://"):]
		unsigned := link[:strings.Index(link, "&signature=")]
		assert.Equal(t, link, mustSign(t, unsigned, v.Secret, "--page"))
		return
	}
	t.Fatal("no sdk-php-payment-page vector")
}

func TestSignBody(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	tests := []struct {
		name string
		in   string
		want string // S stands for the signature
	}{
		{"general gets the signature, order kept",
			`{"payment":{"amount":100},"general":{"project_id":1,"payment_id":"p"}}`,
			`{"payment":{"amount":100},"general":{"project_id":1,"payment_id":"p","signature":"S"}}`},
		{"an old signature is replaced",
			`{"general":{"signature":"old","project_id":1},"signature":"stray"}`,
			`{"general":{"project_id":1,"signature":"S"}}`},
		{"no general: top level",
			`{"project_id":[1],"interval":{"from":"2020-01-01 00:00:00"}}`,
			`{"project_id":[1],"interval":{"from":"2020-01-01 00:00:00"},"signature":"S"}`},
		{"an empty general", `{"general":{}}`, `{"general":{"signature":"S"}}`},
		{"nested signatures are data",
			`{"general":{"project_id":1},"x":{"general":{"signature":"keep"},"signature":"keep"}}`,
			`{"general":{"project_id":1,"signature":"S"},"x":{"general":{"signature":"keep"},"signature":"keep"}}`},
		{"numbers, unicode and <&> as written",
			`{"general":{"project_id":1},"a":1.50,"b":-0,"c":"<&> ñ \"q\"","d":[true,null,{}]}`,
			`{"general":{"project_id":1,"signature":"S"},"a":1.50,"b":-0,"c":"<&> ñ \"q\"","d":[true,null,{}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustSign(t, tt.in, secret)
			data, err := signature.Decode([]byte(tt.in))
			require.NoError(t, err)
			want := strings.Replace(tt.want, `"S"`, fmt.Sprintf("%q", signature.Sign(data, secret)), 1)
			assert.Equal(t, want, got)
			out, _, code := cli(t, got, "verify", "--secret", secret)
			assert.Equal(t, 0, code)
			assert.Equal(t, "valid\n", out)
		})
	}
}

func TestSignRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		flags []string
		want  string
	}{
		{"not JSON", `general=1`, nil, "not a JSON object"},
		{"a list", `[1,2]`, nil, "not a JSON object but an array"},
		{"two values", `{} {}`, nil, "data after the JSON value"},
		{"page: nested object", `{"project_id":1,"customer":{"id":"1"}}`, []string{"--page"}, "customer is an object"},
		{"page: null", `{"project_id":1,"payment_id":null}`, []string{"--page"}, "payment_id is null"},
		{"page: empty object", `{}`, []string{"--page"}, "no parameters"},
		{"page: a word, not parameters", "garbage\n", []string{"--page"}, `"garbage" is not a parameter: write name=value pairs`},
		{"page: one pair without =", "project_id=1&payment_id", []string{"--page"}, `"payment_id" is not a parameter`},
		{"page: twice", `project_id=1&project_id=2`, []string{"--page"}, "project_id appears twice"},
		{"page: a link without parameters", `http://127.0.0.1:8080/payment`, []string{"--page"}, "has no parameters"},
		{"page: a link without parameters, with an odd scheme", `git+ssh://host/payment`, []string{"--page"}, "has no parameters"},
		{"page: bad escape", `project_id=%zz`, []string{"--page"}, "parameter project_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := cli(t, tt.in, append([]string{"sign", "--secret", "s"}, tt.flags...)...)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, tt.want)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %s", errOut)
		})
	}
}

func TestSignPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string // S stands for the URL-encoded signature
	}{
		{"JSON, order kept, booleans as 1",
			`{"project_id":1,"payment_id":"order 1","close_on_missclick":true,"payment_amount":1000}`,
			`project_id=1&payment_id=order+1&close_on_missclick=1&payment_amount=1000&signature=S`},
		{"a query string, its old signature replaced",
			`?project_id=1&signature=old&payment_id=a%2Fb&flag=True`,
			`project_id=1&payment_id=a%2Fb&flag=True&signature=S`},
		{"a link, its fragment dropped",
			"http://127.0.0.1:8080/payment?project_id=1&payment_id=p#top\n",
			`http://127.0.0.1:8080/payment?project_id=1&payment_id=p&signature=S`},
		{"a query string with a URL value not encoded",
			`project_id=1&payment_id=p&merchant_return_url=http://127.0.0.1:9000/back`,
			`project_id=1&payment_id=p&merchant_return_url=http%3A%2F%2F127.0.0.1%3A9000%2Fback&signature=S`},
		{"a query string with a URL value, not encoded, that has its own query",
			`project_id=1&merchant_return_url=http://127.0.0.1:9000/back?cart=7`,
			`project_id=1&merchant_return_url=http%3A%2F%2F127.0.0.1%3A9000%2Fback%3Fcart%3D7&signature=S`},
		{"a link with a URL value not encoded",
			`https://127.0.0.1:8080/payment?project_id=1&merchant_return_url=http://127.0.0.1:9000/back?cart=7`,
			`https://127.0.0.1:8080/payment?project_id=1&merchant_return_url=http%3A%2F%2F127.0.0.1%3A9000%2Fback%3Fcart%3D7&signature=S`},
		{"a link without a scheme",
			`/payment?project_id=1&payment_id=p`,
			`/payment?project_id=1&payment_id=p&signature=S`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustSign(t, tt.in, "secret", "--page")
			q, err := url.ParseQuery(got[strings.Index(got, "?")+1:])
			require.NoError(t, err)
			params := map[string]string{}
			for k := range q {
				params[k] = q.Get(k)
			}
			require.NoError(t, signature.VerifyForm(params, q.Get("signature"), "secret"), "the Payment Page accepts it")
			assert.Equal(t, strings.Replace(tt.want, "=S", "="+url.QueryEscape(q.Get("signature")), 1), got)
		})
	}
}

func TestVerifyExplains(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	signed := mustSign(t, `{"project_id":1,"payment":{"id":"p1","sum":{"amount":1000}}}`, secret)
	canonical := "payment:id:p1;payment:sum:amount:1000;project_id:1"
	tests := []struct {
		name  string
		body  string
		flags []string
		want  []string
	}{
		{"wrong secret", signed, []string{"--secret", "other"},
			[]string{"invalid:", "\n  " + canonical + "\n", "pass it with --string"}},
		{"your string is the canonical one", signed, []string{"--secret", "other", "--string", canonical},
			[]string{"your string is the canonical string: the secret differs"}},
		{"your string differs", signed, []string{"--secret", "other", "--string", "payment:id:p1;payment:sum:amount:1000.00;project_id:1"},
			[]string{`differs at pair 2: the canonical string has "payment:sum:amount:1000" where yours has "payment:sum:amount:1000.00"`}},
		{"your string is short", signed, []string{"--secret", "other", "--string", "payment:id:p1"},
			[]string{`stops after pair 1: the canonical string goes on with "payment:sum:amount:1000"`}},
		{"re-encoded as floats", strings.Replace(signed, "1000", "1e3", 1), []string{"--secret", secret},
			[]string{"payment.sum.amount is 1e3, not a whole number", "\n  payment:id:p1;payment:sum:amount:1e3;project_id:1\n"}},
		{"null", strings.Replace(signed, `"p1"`, "null", 1), []string{"--secret", secret},
			[]string{"payment.id is null"}},
		{"a + read as a space", `{"a":1,"signature":"ab cd=="}`, []string{"--secret", secret},
			[]string{`a "+" was probably decoded as a space`}},
		{"no signature", `{"a":1}`, []string{"--secret", secret},
			[]string{"invalid: the message carries no signature"}},
		{"the pairs left unsorted", `{"project_id":1,"payment":{"id":"p1","sum":{"amount":1000}},"signature":"` +
			signature.SignString("project_id:1;payment:id:p1;payment:sum:amount:1000", secret) + `"}`, []string{"--secret", secret},
			[]string{"\n- your code signs the pairs in the order they come in the body: sort them by their whole path, byte order\n"}},
		{"a link whose values were signed URL-encoded", "/payment?project_id=1&payment_id=p1&merchant_success_url=https%3A%2F%2Fshop.example%2Fok&signature=" +
			url.QueryEscape(signature.SignString("merchant_success_url:https%3A%2F%2Fshop.example%2Fok;payment_id:p1;project_id:1", secret)), []string{"--secret", secret, "--page"},
			[]string{"\n- your code signs the values URL-encoded: sign each value as it is, and encode it only when you write the link\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, code := cli(t, tt.body, append([]string{"verify"}, tt.flags...)...)
			assert.Equal(t, 1, code)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
		})
	}
}

// TestVerifyChecksTheSignatureGiven is a callback handler's developer who
// gives verify the signature their code computed for a callback: verify
// checks it instead of the callback's own and names the mistake.
func TestVerifyChecksTheSignatureGiven(t *testing.T) {
	t.Parallel()
	const secret = "secret"
	callback := mustSign(t, `{"project_id":1,"payment":{"id":"p1","sum":{"amount":1000}}}`, secret)
	canonical := "payment:id:p1;payment:sum:amount:1000;project_id:1"
	mac := hmac.New(sha512.New, []byte(secret))
	mac.Write([]byte(canonical))
	tests := []struct {
		name, signature, want string
		code                  int
	}{
		{"right", signature.SignString(canonical, secret), "valid\n", 0},
		{"in hex", hex.EncodeToString(mac.Sum(nil)), "- your signature is written in hex: write the HMAC's bytes in standard Base64, with its = padding\n", 1},
		{"with another secret", signature.SignString(canonical, "other"), "- if your code signs another string, pass it with --string", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, code := cli(t, callback, "verify", "--secret", secret, "--signature", tt.signature)
			assert.Equal(t, tt.code, code, out)
			assert.Contains(t, out, tt.want)
		})
	}
	out, _, code := cli(t, strings.Replace(callback, `"signature":"`, `"signature":"x`, 1), "verify", "--secret", secret, "--signature", signature.SignString(canonical, secret))
	assert.Equal(t, 0, code, "the signature given, not the message's own: %s", out)
}

// TestSignAndVerifyAgainstTheSandbox signs the README's Oxxo sale with the
// sign verb, sends it to a real sandbox, and verifies the callbacks the
// sandbox sent with the verify verb; a tampered callback fails.
func TestSignAndVerifyAgainstTheSandbox(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects",
		map[string]any{"id": 1, "secret": "secret", "callback_url": m.srv.URL + "/callbacks"}, nil))

	example, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "oxxo-sale.json"))
	require.NoError(t, err)
	body := mustSign(t, string(example), "secret")
	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, body, &ans), "%+v", ans)
	assert.Equal(t, "success", ans.Status)
	assert.Equal(t, "order-1", ans.PaymentID)

	redirect := rawWith(t, m, "awaiting redirect result")
	out, _, code := cli(t, redirect, "verify", "--secret", "secret")
	assert.Equal(t, 0, code, out)
	assert.Equal(t, "valid\n", out)

	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/payments/1/order-1/pay", `{"channel":"terminal"}`, nil))
	success := rawWith(t, m, "success")
	require.Contains(t, success, `"status":"success"`)
	out, _, code = cli(t, success, "verify", "--secret", "secret")
	assert.Equal(t, 0, code, out)
	assert.Equal(t, "valid\n", out)

	tampered := strings.Replace(success, `"amount":25000`, `"amount":25001`, 1)
	require.NotEqual(t, success, tampered)
	out, _, code = cli(t, tampered, "verify", "--secret", "secret")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "invalid:")
	assert.Contains(t, out, "payment:sum:amount:25001", "the canonical string of what was received")

	out, _, code = cli(t, success, "verify", "--secret", "not-the-secret")
	assert.Equal(t, 1, code, out)

	// A Payment Page link signed with --page opens the page, not its
	// signature error; the same link tampered does not.
	link := mustSign(t, s.URL+"/payment?project_id=1&payment_id=page-1&payment_amount=25000&payment_currency=MXN&customer_id=c1", "secret", "--page")
	status, text := getPageText(t, link)
	assert.Equal(t, http.StatusOK, status, text)
	status, _ = getPageText(t, strings.Replace(link, "payment_amount=25000", "payment_amount=25001", 1))
	assert.Equal(t, http.StatusForbidden, status)
}

// rawWith waits for the merchant's callback whose payment has status
// want and returns its body as the sandbox sent it. Callbacks before it
// are passed over: the sandbox sends a callback again when the merchant's
// answer comes too late, as it may on a loaded machine, and the copy must
// not stand in for the callback that follows.
func rawWith(t *testing.T, m *merchant, want string) string {
	t.Helper()
	for {
		if path(m.next(), "payment", "status") == want {
			break
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.got) - 1; i >= 0; i-- {
		if path(m.got[i], "payment", "status") == want {
			return string(m.raw[i])
		}
	}
	t.Fatalf("no callback with payment status %q", want)
	return ""
}

// TestVerbsTakeFlagsAfterTheirFiles: scripts write a verb's flags after
// its file too (sandbox sign body.json --secret S); the flag package alone
// would stop at the file and leave --secret unread. After "--" every
// argument is a file, one that starts with "-" included.
func TestVerbsTakeFlagsAfterTheirFiles(t *testing.T) {
	t.Parallel()
	body := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(body, []byte(`{"general":{"project_id":1,"payment_id":"p"}}`), 0o600))
	signed := mustSign(t, `{"general":{"project_id":1,"payment_id":"p"}}`, "secret")

	out, errOut, code := cli(t, "", "sign", body, "--secret", "secret")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, signed+"\n", out)

	signedFile := filepath.Join(t.TempDir(), "signed.json")
	require.NoError(t, os.WriteFile(signedFile, []byte(signed), 0o600))
	out, errOut, code = cli(t, "", "verify", signedFile, "--secret", "secret")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "valid\n", out)

	_, errOut, code = cli(t, "", "sign", "--secret", "secret", "--", "--page")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "read --page")

	_, errOut, code = cli(t, "", "serve", "now", "--addr", "127.0.0.1:0")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unexpected "now"`)
}
