package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

const signUsage = `Usage: sandbox sign --secret S [--page] [--explain] [FILE|-]

Signs a message as ecommpay's SDKs do and prints it, ready to send. It reads
FILE, or standard input when FILE is - or missing.

  A JSON body (Gate request, status request, Data API request): printed as
  compact JSON with the signature in general.signature when the body has a
  general object, else as a top-level "signature". A signature already there
  is replaced.

  --page: Payment Page parameters, as a flat JSON object or a query string (or
  a whole link): printed as a query string (or the link) ending in
  &signature=..., booleans written 1 and 0 as the SDKs sign them.

Examples:
  # an Oxxo sale, from a checkout of the repository
  sandbox sign --secret secret docs/examples/oxxo-sale.json |
    curl -s localhost:8080/v2/payment/voucher/oxxo/sale -H 'Content-Type: application/json' -d @-
  # a status request
  echo '{"general":{"project_id":1,"payment_id":"order-1"}}' | sandbox sign --secret secret |
    curl -s localhost:8080/v2/payment/status -d @-
  # a Payment Page link
  echo 'http://127.0.0.1:8080/payment?project_id=1&payment_id=p-1&payment_amount=25000&payment_currency=MXN&customer_id=c1' |
    sandbox sign --secret secret --page

Flags:
`

const verifyUsage = `Usage: sandbox verify --secret S [--page] [--string CANONICAL] [--signature SIG] [FILE|-]

Checks the signature of a message: a callback, a Gate request, a status answer
(JSON, the signature at the top level or in general.signature), or with --page
Payment Page parameters (a query string or a link). It reads FILE, or standard
input when FILE is - or missing, and prints "valid". Otherwise it prints the
canonical string the signature should be the HMAC-SHA512 of, and what looks
wrong (the usual mistake that makes such a signature, when it is one), and
exits with status 1. Give --string the string your code signed to see the
first place it differs, and --signature the signature your code computed for
the message to check it instead of the message's own: how a callback handler
that refuses the sandbox's callbacks finds its mistake.

Example, a callback from the delivery log (the delivery's body, as sent):
  curl -s 'localhost:8080/sandbox/deliveries?payment_id=order-1' |
    jq -c '.deliveries[0].body' | sandbox verify --secret secret

Flags:
`

// runSign is the sign verb.
func runSign(_ context.Context, args []string, std stdio) error {
	fs := verbFlags("sign")
	secret := fs.String("secret", "", "the project's secret `key` (the demo project's is \"secret\")")
	page := fs.Bool("page", false, "sign Payment Page parameters (JSON object or query string) and print the query string")
	explain := fs.Bool("explain", false, "also print the canonical string that was signed, on standard error")
	files, err := parseFlags(fs, args, signUsage, std)
	if err != nil {
		return err
	}
	if *secret == "" {
		return usagef(`sign: say the project's secret key: --secret S (the demo project's is "secret")`)
	}
	raw, from, err := readInput("sign", files, std.in)
	if err != nil {
		return err
	}
	var out []byte
	var canonical string
	if *page {
		out, canonical, err = signPage(raw, *secret)
	} else {
		out, canonical, err = signBody(raw, *secret)
	}
	if err != nil {
		return fmt.Errorf("sign %s: %w", from, err)
	}
	if *explain {
		fmt.Fprintln(std.err, canonical)
	}
	_, err = fmt.Fprintf(std.out, "%s\n", out)
	return err
}

// readInput reads the one FILE argument of a verb, or standard input when
// it is "-" or missing. It returns the bytes and what they were read from.
func readInput(verb string, args []string, stdin io.Reader) ([]byte, string, error) {
	if len(args) > 1 {
		return nil, "", usagef("%s reads one FILE (or standard input), got %d: %q", verb, len(args), strings.Join(args, " "))
	}
	var raw []byte
	var err error
	from := "standard input"
	if len(args) == 1 && args[0] != "-" {
		from = args[0]
		raw, err = os.ReadFile(args[0])
	} else {
		raw, err = io.ReadAll(stdin)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(from, "=?{") {
			return nil, from, fmt.Errorf("%s: there is no file %s; to %s text, give it on standard input: echo '<text>' | sandbox %s --secret S", verb, from, verb, verb)
		}
		return nil, from, fmt.Errorf("%s: read %s: %w", verb, from, err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, from, fmt.Errorf("%s: %s is empty: give a JSON body (or, with --page, parameters)", verb, from)
	}
	return raw, from, nil
}

// pageHint returns, for input that is not JSON but reads like Payment Page
// parameters (a link or a query string), a hint to add --page; else "".
func pageHint(raw []byte, verb string) string {
	text := strings.TrimSpace(string(raw))
	if strings.HasPrefix(text, "{") || !strings.Contains(text, "=") {
		return ""
	}
	return fmt.Sprintf("; for Payment Page parameters, a link or a query string, add --page: sandbox %s --secret S --page", verb)
}

// signBody signs a JSON object body and returns it compact, members in
// their order, with the signature in general.signature when the body has a
// general object and at the top level otherwise; and the canonical string.
func signBody(raw []byte, secret string) ([]byte, string, error) {
	data, err := signature.Decode(raw)
	if err != nil {
		return nil, "", fmt.Errorf("%w (a Gate body is a JSON object such as {\"general\":{...},...})%s", err, pageHint(raw, "sign"))
	}
	canonical := signature.Canonical(data)
	_, inGeneral := data["general"].(map[string]any)
	out, err := placeSignature(raw, inGeneral, signature.SignString(canonical, secret))
	if err != nil {
		return nil, "", err
	}
	return out, canonical, nil
}

// placeSignature re-encodes the JSON object raw compactly, keeping the order
// of its members, with every signature member of the top level and of its
// general object left out and sig written as the last member of general
// (inGeneral) or of the top level.
func placeSignature(raw []byte, inGeneral bool, sig string) ([]byte, error) {
	w := &jsonRewriter{dec: json.NewDecoder(bytes.NewReader(raw)), inGeneral: inGeneral, sig: sig}
	w.dec.UseNumber()
	if err := w.value(rootPath); err != nil {
		return nil, fmt.Errorf("re-encode the body: %w", err)
	}
	return w.out.Bytes(), nil
}

// rootPath and generalPath name the two objects whose signature member
// placeSignature replaces; other objects get paths that match neither.
const (
	rootPath    = "$"
	generalPath = "$.general"
)

// jsonRewriter copies JSON tokens from dec to out, compact.
type jsonRewriter struct {
	dec       *json.Decoder
	out       bytes.Buffer
	inGeneral bool
	sig       string
}

// value copies the next value, found at path.
func (w *jsonRewriter) value(path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return w.object(path)
	case json.Delim('['):
		return w.list(path)
	}
	return w.scalar(tok)
}

func (w *jsonRewriter) object(path string) error {
	holds := path == rootPath || path == generalPath
	w.out.WriteByte('{')
	n := 0
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if holds && key == "signature" {
			var skip json.RawMessage
			if err := w.dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if n > 0 {
			w.out.WriteByte(',')
		}
		n++
		if err := w.scalar(key); err != nil {
			return err
		}
		w.out.WriteByte(':')
		child := path + "." + key
		if path != rootPath {
			child = path + "\x00" + key // never a path that holds the signature
		}
		if err := w.value(child); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing brace
		return err
	}
	if path == generalPath && w.inGeneral || path == rootPath && !w.inGeneral {
		if n > 0 {
			w.out.WriteByte(',')
		}
		w.out.WriteString(`"signature":`)
		if err := w.scalar(w.sig); err != nil {
			return err
		}
	}
	w.out.WriteByte('}')
	return nil
}

func (w *jsonRewriter) list(path string) error {
	w.out.WriteByte('[')
	for i := 0; w.dec.More(); i++ {
		if i > 0 {
			w.out.WriteByte(',')
		}
		if err := w.value(path + "\x00[]"); err != nil {
			return err
		}
	}
	w.out.WriteByte(']')
	_, err := w.dec.Token() // the closing bracket
	return err
}

// scalar writes a string, number, boolean or null as JSON, with <, > and &
// left as they are, as ecommpay writes them.
func (w *jsonRewriter) scalar(v any) error {
	if n, ok := v.(json.Number); ok {
		w.out.WriteString(n.String())
		return nil
	}
	enc := json.NewEncoder(&w.out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.out.Truncate(w.out.Len() - 1) // Encode's newline
	return nil
}

// param is one Payment Page parameter, in the order it was given.
type param struct{ key, value string }

// pageParams are Payment Page parameters read from JSON, a query string or
// a link, in their order; base is the link without its query, "" when none.
type pageParams struct {
	base   string
	params []param
}

// values returns the parameters as a map, the signature included.
func (p pageParams) values() map[string]string {
	m := make(map[string]string, len(p.params))
	for _, kv := range p.params {
		m[kv.key] = kv.value
	}
	return m
}

// readPageParams reads a flat JSON object, a query string or a link.
func readPageParams(raw []byte) (pageParams, error) {
	text := strings.TrimSpace(string(raw))
	if strings.HasPrefix(text, "{") {
		ps, err := jsonParams(raw)
		return pageParams{params: ps}, err
	}
	var p pageParams
	query := text
	switch q := strings.IndexByte(text, '?'); {
	case hasScheme(text) && q < 0:
		return p, fmt.Errorf("the link %q has no parameters: write them after a ?", text)
	case hasScheme(text), q >= 0 && !strings.Contains(text[:q], "="):
		// A link, or a path such as /payment?...: the parameters follow
		// the first "?". Otherwise the text is a query string, whose
		// values may hold a URL, ? and :// included, not encoded.
		p.base, query = text[:q], text[q+1:]
	}
	query, _, _ = strings.Cut(query, "#")
	seen := map[string]bool{}
	for part := range strings.SplitSeq(query, "&") {
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return p, fmt.Errorf("%q is not a parameter: write name=value pairs joined by &, such as project_id=1&payment_id=order-1, or a flat JSON object", part)
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			return p, fmt.Errorf("parameter name %q: %w", k, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return p, fmt.Errorf("parameter %s: %w", key, err)
		}
		if seen[key] {
			return p, fmt.Errorf("parameter %s appears twice: the Payment Page reads one value of each", key)
		}
		seen[key] = true
		p.params = append(p.params, param{key, value})
	}
	if len(p.params) == 0 {
		return p, errors.New("no parameters: give a query string such as project_id=1&payment_id=order-1&... or a flat JSON object")
	}
	return p, nil
}

// hasScheme reports whether s starts with a URL scheme and "://", as a
// link does (RFC 3986: a letter, then letters, digits, "+", "-" or ".").
// A query string starts with a parameter name and "=" instead.
func hasScheme(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return false
	}
	for i, r := range scheme {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// jsonParams reads a flat JSON object of parameters in its order: strings
// verbatim, numbers as written, booleans as 1 and 0.
func jsonParams(raw []byte) ([]param, error) {
	data, err := signature.Decode(raw) // checks it is one JSON object
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var ps []param
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		var value string
		switch v := v.(type) {
		case string:
			value = v
		case json.Number:
			value = v.String()
		case bool:
			value = "0"
			if v {
				value = "1"
			}
		case nil:
			return nil, fmt.Errorf("parameter %s is null: leave it out or give it a value", key)
		default:
			return nil, fmt.Errorf("parameter %s is %s: Payment Page parameters are flat; write it as a JSON string, as ecommpay's interface_type is", key, kindOf(v))
		}
		ps = append(ps, param{key, value})
	}
	if len(data) == 0 {
		return nil, errors.New("no parameters in {}: give project_id, payment_id, payment_amount, payment_currency, customer_id and the others you need")
	}
	return ps, nil
}

// kindOf names a JSON object or list for an error message.
func kindOf(v any) string {
	if _, ok := v.([]any); ok {
		return "a list"
	}
	return "an object"
}

// signPage signs Payment Page parameters and returns the query string (or
// the link) with the signature last, and the canonical string.
func signPage(raw []byte, secret string) ([]byte, string, error) {
	p, err := readPageParams(raw)
	if err != nil {
		return nil, "", err
	}
	canonical := signature.CanonicalForm(p.values())
	var b strings.Builder
	if p.base != "" {
		b.WriteString(p.base)
		b.WriteByte('?')
	}
	for _, kv := range p.params {
		if kv.key == "signature" {
			continue
		}
		b.WriteString(url.QueryEscape(kv.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.value))
		b.WriteByte('&')
	}
	b.WriteString("signature=")
	b.WriteString(url.QueryEscape(signature.SignString(canonical, secret)))
	return []byte(b.String()), canonical, nil
}

// runVerify is the verify verb.
func runVerify(_ context.Context, args []string, std stdio) error {
	fs := verbFlags("verify")
	secret := fs.String("secret", "", "the project's secret `key` (the demo project's is \"secret\")")
	page := fs.Bool("page", false, "verify Payment Page parameters (a query string or a link) instead of a JSON message")
	mine := fs.String("string", "", "the canonical `string` your code signed: verify shows where it differs")
	computed := fs.String("signature", "", "the `signature` your code computed for the message, checked instead of the message's own")
	files, err := parseFlags(fs, args, verifyUsage, std)
	if err != nil {
		return err
	}
	if *secret == "" {
		return usagef(`verify: say the project's secret key: --secret S (the demo project's is "secret")`)
	}
	raw, from, err := readInput("verify", files, std.in)
	if err != nil {
		return err
	}
	var hints []string
	if *page {
		p, err := readPageParams(raw)
		if err != nil {
			return fmt.Errorf("verify %s: %w", from, err)
		}
		params := p.values()
		got := params["signature"]
		if *computed != "" {
			got = *computed
		}
		err = signature.VerifyForm(params, got, *secret)
		var mm *signature.Mismatch
		if errors.As(err, &mm) {
			mm.Mistake = signature.DiagnoseForm(params, got, *secret)
		}
		return verdict(std.out, err, *mine, hints)
	}
	data, err := signature.Decode(raw)
	if err != nil {
		return fmt.Errorf("verify %s: %w%s", from, err, pageHint(raw, "verify"))
	}
	got, _ := data["signature"].(string)
	if general, ok := data["general"].(map[string]any); ok {
		if s, ok := general["signature"].(string); ok && s != "" {
			got = s
		}
	}
	if *computed != "" {
		got = *computed
	}
	hints = bodyHints(data)
	if got == "" {
		hints = append(hints, unsignedHints(data)...)
	}
	err = signature.Verify(data, got, *secret)
	var mm *signature.Mismatch
	if errors.As(err, &mm) {
		mm.Mistake = signature.Diagnose(raw, got, *secret)
	}
	return verdict(std.out, err, *mine, hints)
}

// verdict prints what a verification found: "valid", or why not, with the
// canonical string, where mine differs from it, and hints. A signature that
// does not match is an exitError with status 1.
func verdict(w io.Writer, err error, mine string, hints []string) error {
	if err == nil {
		_, err := fmt.Fprintln(w, "valid")
		return err
	}
	invalid := &exitError{code: 1, msg: "the signature does not match"}
	if errors.Is(err, signature.ErrEmpty) {
		fmt.Fprintln(w, "invalid: the message carries no signature (a callback has it at the top level, a Gate request in general.signature, a Payment Page link in its signature parameter)")
		for _, h := range hints {
			fmt.Fprintln(w, "- "+h)
		}
		return invalid
	}
	var mm *signature.Mismatch
	if !errors.As(err, &mm) {
		return err
	}
	fmt.Fprintln(w, "invalid: the signature is not the HMAC-SHA512 of this message with this secret")
	fmt.Fprintln(w, "canonical string (what must be signed):")
	fmt.Fprintln(w, "  "+mm.Signed)
	if len(mm.Tried) > 1 {
		fmt.Fprintln(w, "also tried, in the orders of the official SDKs:")
		for _, s := range mm.Tried[1:] {
			fmt.Fprintln(w, "  "+s)
		}
	}
	if strings.Contains(mm.Got, " ") {
		hints = append(hints, `the signature contains spaces: a "+" was probably decoded as a space; URL-encode the signature`)
	}
	if mm.Mistake != "" {
		hints = append([]string{mm.Mistake}, hints...)
	}
	if mine != "" {
		hints = append([]string{differs(mm.Signed, mine)}, hints...)
	} else if mm.Mistake == "" {
		hints = append(hints, "if your code signs another string, pass it with --string to see where it differs; if it signs this one, the secret differs")
	}
	for _, h := range hints {
		fmt.Fprintln(w, "- "+h)
	}
	return invalid
}

// differs says where mine, a canonical string a merchant's code built,
// first differs from canonical, pair by pair.
func differs(canonical, mine string) string {
	if mine == canonical {
		return "your string is the canonical string: the secret differs, or the signature was changed on the way"
	}
	want, got := strings.Split(canonical, ";"), strings.Split(mine, ";")
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("your string differs at pair %d: the canonical string has %q where yours has %q", i+1, want[i], got[i])
		}
	}
	if len(want) > len(got) {
		return fmt.Sprintf("your string stops after pair %d: the canonical string goes on with %q", len(got), want[len(got)])
	}
	return fmt.Sprintf("your string goes on after the canonical string's last pair with %q", got[len(want)])
}

// unsignedHints recognises, in a message without a signature, what the
// control API answers, which a newcomer pipes into verify whole: the
// delivery log, one delivery, a payment. It says which part is signed.
func unsignedHints(data map[string]any) []string {
	if _, ok := data["deliveries"].([]any); ok {
		if _, isPayment := data["operations"]; !isPayment {
			return []string{"this is the delivery log (GET /sandbox/deliveries), which is not signed: verify one callback's body, such as: jq -c '.deliveries[0].body' | sandbox verify --secret S"}
		}
	}
	if body, ok := data["body"].(map[string]any); ok {
		if _, signed := body["signature"]; signed {
			return []string{"this is a delivery of the delivery log, which is not signed: verify its body, the callback as sent: jq -c .body | sandbox verify --secret S"}
		}
	}
	if _, ok := data["links"].(map[string]any); ok {
		if _, ok := data["operations"]; ok {
			return []string{"this is a payment as the control API shows it, which is not signed: verify a callback (its deliveries[].body) or a status answer (POST /v2/payment/status)"}
		}
	}
	return nil
}

// bodyHints points at what in a JSON message suggests it was re-encoded
// after it was signed: numbers that are not whole and nulls, which the
// sandbox never sends.
func bodyHints(data map[string]any) []string {
	var hints []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(strings.TrimPrefix(path+"."+k, "."), c)
			}
		case []any:
			for i, c := range v {
				walk(fmt.Sprintf("%s.%d", path, i), c)
			}
		case json.Number:
			if strings.ContainsAny(v.String(), ".eE") {
				hints = append(hints, fmt.Sprintf("%s is %s, not a whole number: the sandbox sends whole numbers, so the message was probably decoded and encoded again; verify the bytes as received", path, v))
			}
		case nil:
			hints = append(hints, fmt.Sprintf("%s is null: the sandbox never sends null, so the message was probably decoded and encoded again; verify the bytes as received", path))
		}
	}
	walk("", data)
	slices.Sort(hints)
	return hints
}
