package signature

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrEmpty is returned by Verify and VerifyForm when no signature was sent.
var ErrEmpty = errors.New("empty signature")

// Canonical returns the canonical string of data, a decoded JSON value
// (map[string]any, []any, string, json.Number, float64, int, int64, bool or
// nil, nested). Other values, such as structs, are converted through
// encoding/json first. Data that is neither an object nor a list has the
// empty canonical string.
func Canonical(data any) string {
	return canonical(data)
}

// Sign returns the Base64 HMAC-SHA512 of Canonical(data) keyed with secret.
func Sign(data any, secret string) string {
	var f flattener
	return signBytes(f.flatten(data).canonical(), secret)
}

// SignString returns the Base64 HMAC-SHA512 of s keyed with secret.
func SignString(s, secret string) string {
	return signBytes([]byte(s), secret)
}

// signBytes returns the Base64 HMAC-SHA512 of b keyed with secret.
func signBytes(b []byte, secret string) string {
	mac := hmac.New(sha512.New, []byte(secret))
	mac.Write(b)
	var sum [sha512.Size]byte
	return base64.StdEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// Decode parses a JSON object with UseNumber, so numbers keep the text they
// were written with. Its error says the body is not a JSON object and wraps
// the cause when there is one.
func Decode(body []byte) (map[string]any, error) {
	var v any
	if err := decode(body, &v); err != nil {
		return nil, fmt.Errorf("signature: body is not a JSON object: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("signature: body is not a JSON object but %s", kind(v))
	}
	return m, nil
}

// decode unmarshals exactly one JSON value from b into v with UseNumber.
func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the JSON value")
		}
		return err
	}
	return nil
}

// kind names the JSON type of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// SignJSON signs a JSON object body and returns it with "signature":"…"
// appended as its last top-level member; every other byte is unchanged, so
// the field order encoding/json produced from a struct is kept. It fails if
// body is not a JSON object or already has a top-level signature.
func SignJSON(body []byte, secret string) ([]byte, error) {
	var f flattener
	root, ok := f.flattenJSON(body)
	if !ok {
		data, err := Decode(body)
		if err != nil {
			return nil, err
		}
		f.flatten(data)
		_, signed := data["signature"]
		root = jsonRoot{members: len(data), signature: signed}
	}
	if root.signature {
		return nil, errors.New("signature: body already has a top-level signature member")
	}
	sig := signBytes(f.canonical(), secret)

	// Decode accepted body, so its last byte other than white space is the
	// object's closing brace.
	end := len(bytes.TrimRight(body, " \t\r\n")) - 1
	head := bytes.TrimRight(body[:end], " \t\r\n")
	out := make([]byte, 0, len(body)+len(sig)+len(`,"signature":""`))
	out = append(out, head...)
	if root.members > 0 {
		out = append(out, ',')
	}
	out = append(out, `"signature":"`...)
	out = append(out, sig...)
	out = append(out, '"')
	return append(out, body[len(head):]...), nil
}

// Verify checks got, a signature received with data, keyed with secret. It
// accepts the canonical string and the orderings of the official SDKs (see
// the package documentation). It returns nil on a match, ErrEmpty when got
// is empty and a *Mismatch otherwise.
func Verify(data any, got, secret string) error {
	if got == "" {
		return ErrEmpty
	}
	var f flattener
	canon := f.flatten(data).canonical()
	if hmac.Equal([]byte(signBytes(canon, secret)), []byte(got)) {
		return nil
	}
	signed := string(canon)
	tried := candidates(data)
	for _, s := range tried {
		if s != signed && matches(s, got, secret) {
			return nil
		}
	}
	return &Mismatch{Signed: signed, Got: got, Tried: tried}
}

// VerifyForm is Verify for Payment Page parameters: a flat map holding the
// first value of each parameter. The signature parameter is ignored, the
// boolean spellings true, True and TRUE are read as 1 and false, False and
// FALSE as 0, and a signature computed with or without the top-level
// parameters whose names start with "_" (such as the _referrer some plugins
// add unsigned) is accepted.
func VerifyForm(params map[string]string, got, secret string) error {
	if got == "" {
		return ErrEmpty
	}
	all := make(map[string]any, len(params))
	underscored := false
	for k, v := range params {
		if k == "signature" {
			continue
		}
		all[k] = formValue(v)
		underscored = underscored || strings.HasPrefix(k, "_")
	}
	forms := []map[string]any{all}
	if underscored {
		// The same parameters without the "_" ones, which plugins add unsigned.
		bare := make(map[string]any, len(all))
		for k, v := range all {
			if !strings.HasPrefix(k, "_") {
				bare[k] = v
			}
		}
		forms = append(forms, bare)
	}

	canon := make([]string, 0, len(forms))
	for _, m := range forms {
		s := Canonical(m)
		if matches(s, got, secret) {
			return nil
		}
		canon = append(canon, s)
	}
	tried := slices.Clone(canon)
	for _, m := range forms {
		tried = append(tried, candidates(m)...)
	}
	tried = dedupe(tried)
	for _, s := range tried {
		if !slices.Contains(canon, s) && matches(s, got, secret) {
			return nil
		}
	}
	return &Mismatch{Signed: canon[0], Got: got, Tried: tried}
}

// CanonicalForm returns the canonical string of Payment Page parameters as
// VerifyForm reads them: the signature parameter left out and the boolean
// spellings normalised to 1 and 0. SignString of it with the project's
// secret is the signature parameter a link carries.
func CanonicalForm(params map[string]string) string {
	m := make(map[string]any, len(params))
	for k, v := range params {
		if k != "signature" {
			m[k] = formValue(v)
		}
	}
	return Canonical(m)
}

// formValue normalises the boolean spellings of a Payment Page parameter.
func formValue(v string) string {
	switch v {
	case "true", "True", "TRUE":
		return "1"
	case "false", "False", "FALSE":
		return "0"
	}
	return v
}

// matches reports in constant time whether got is the signature of s.
func matches(s, got, secret string) bool {
	return hmac.Equal([]byte(SignString(s, secret)), []byte(got))
}

// Mismatch explains a rejected signature. It holds what the sandbox signed
// and never the secret, so it can be shown to the developer as it is.
type Mismatch struct {
	// Signed is the canonical string the sandbox signed, values shown.
	Signed string
	// Got is the signature received.
	Got string
	// Tried is every string that was tried, canonical first, deduplicated.
	Tried []string
	// Mistake is what Diagnose found the signature's maker did wrong, ""
	// when nothing was found or nobody asked.
	Mistake string
}

// Error returns the message a developer sees: the string the sandbox signed,
// to diff against the one their code signs.
func (m *Mismatch) Error() string {
	var b strings.Builder
	b.WriteString(`signature does not match: `)
	if m.Mistake != "" {
		b.WriteString(m.Mistake)
		b.WriteString(`; `)
	}
	b.WriteString(`the sandbox signed "`)
	b.WriteString(m.Signed)
	b.WriteString(`" with the project's secret key (HMAC-SHA512, Base64); compare it with the string your code signs: if they are the same, your code signs with another secret key than the project's`)
	if strings.Contains(m.Got, " ") {
		b.WriteString(`; the signature received contains spaces, so a "+" was probably decoded as a space: URL-encode the signature`)
	}
	return b.String()
}
