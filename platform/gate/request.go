package gate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// body is a decoded Gate request: nested JSON objects with numbers kept as
// json.Number.
type body map[string]any

// decode reads a Gate request body sent with contentType: a JSON object,
// or a 2003 error that says what is wrong with it.
func decode(raw []byte, contentType string) (body, error) {
	data, err := jsonObject(raw, contentType)
	if err != nil {
		return nil, &platform.Error{Code: platform.CodeInvalidJSON, Message: platform.CodeMessage(platform.CodeInvalidJSON),
			Detail: "the body must be a JSON object such as {\"general\":{...},...}: " + err.Error()}
	}
	return body(data), nil
}

// utf8BOM is the byte order mark some Windows tools put before UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// jsonObject decodes raw, a request body sent with contentType, as a JSON
// object with its numbers kept as written. Its error says what is wrong in
// words a developer can act on: an empty body, a byte order mark, bytes
// that are not UTF-8, where the JSON breaks, and a Content-Type that
// explains it (a form is not JSON).
func jsonObject(raw []byte, contentType string) (map[string]any, error) {
	err := func() error {
		switch {
		case len(bytes.TrimSpace(raw)) == 0:
			return errors.New("the body is empty")
		case bytes.HasPrefix(raw, utf8BOM):
			return errors.New("the body starts with a UTF-8 byte order mark (bytes EF BB BF), which JSON does not allow: send the JSON text without it")
		}
		if at := invalidUTF8(raw); at >= 0 {
			return fmt.Errorf("the body is not UTF-8 text: byte 0x%02X at offset %d is not part of a UTF-8 character; encode the JSON text in UTF-8", raw[at], at)
		}
		return nil
	}()
	var data map[string]any
	if err == nil {
		data, err = signature.Decode(raw)
		err = explainJSON(raw, err)
	}
	if err == nil {
		return data, nil
	}
	if hint := contentTypeHint(contentType); hint != "" {
		return nil, fmt.Errorf("%w; %s", err, hint)
	}
	return nil, err
}

// invalidUTF8 returns the offset of the first byte of raw that is not part
// of a UTF-8 character, or -1 when raw is UTF-8 text.
func invalidUTF8(raw []byte) int {
	if utf8.Valid(raw) {
		return -1
	}
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// explainJSON rewords err, the error of signature.Decode(raw), for the
// developer who wrote raw: where the JSON breaks, by line and column.
func explainJSON(raw []byte, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the body " + platform.JSONProblem(raw, err))
	}
	// json.Unmarshal scans the whole body at once, so the offset of its
	// syntax error counts from the body's start, even past a first value.
	var syn *json.SyntaxError
	if errors.As(json.Unmarshal(raw, new(any)), &syn) {
		return errors.New("the body " + platform.JSONProblem(raw, syn))
	}
	// signature.Decode's own words ("signature: body is not a JSON object
	// but an array"), without the package's prefix.
	return errors.New("the " + strings.TrimPrefix(err.Error(), "signature: "))
}

// contentTypeHint says why a body sent with contentType may not be JSON,
// or "" when contentType is JSON's (or absent).
func contentTypeHint(contentType string) string {
	if contentType == "" {
		return ""
	}
	media, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		return fmt.Sprintf("the request's Content-Type %q is not a media type: send the JSON body with Content-Type: application/json", contentType)
	case media == "application/json", strings.HasSuffix(media, "+json"):
		return ""
	case media == "application/x-www-form-urlencoded", strings.HasPrefix(media, "multipart/"):
		return fmt.Sprintf("the request is a form (Content-Type: %s): the Gate takes the fields as a JSON object, sent with Content-Type: application/json", media)
	}
	return fmt.Sprintf("the request's Content-Type is %s: send the JSON body with Content-Type: application/json", media)
}

// lookup returns the value at a dotted path, or nil. It runs some forty
// times a request, so it cuts the path in place rather than through an
// iterator.
func (b body) lookup(path string) any {
	var cur any = map[string]any(b)
	for {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		part, rest, more := strings.Cut(path, ".")
		cur = m[part]
		if !more {
			return cur
		}
		path = rest
	}
}

// present reports whether path holds a non-empty value.
func (b body) present(path string) bool {
	switch v := b.lookup(path).(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(v) != ""
	case map[string]any:
		return len(v) > 0
	case []any:
		return len(v) > 0
	default:
		return true
	}
}

// str returns the string at path, or "" when there is none. Call it on
// fields whose type typeErrors has checked.
func (b body) str(path string) string {
	s, _ := b.lookup(path).(string)
	return s
}

// integer returns the whole number at path: a JSON integer or a string of
// digits (ecommpay takes "842" for 842). A missing value, a fraction or any
// other type is an error that says what was found.
func (b body) integer(path string) (int64, error) {
	v := b.lookup(path)
	if v == nil {
		return 0, fmt.Errorf("is missing")
	}
	n, err := wholeNumber(v)
	if err != nil {
		return 0, errors.New(notWhole(v, err))
	}
	return n, nil
}

// wholeNumber reads a JSON integer, or a string of digits as ecommpay takes
// for IDs.
func wholeNumber(v any) (int64, error) {
	var text string
	switch v := v.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	default:
		return 0, fmt.Errorf("not a whole number")
	}
	return strconv.ParseInt(text, 10, 64)
}

// notWhole says why v, whose reading as a whole number failed with err, is
// not one: too large, or not a whole number at all.
func notWhole(v any, err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Sprintf("must be a whole number from %d to %d, not %s", int64(math.MinInt64), int64(math.MaxInt64), describe(v))
	}
	return "must be a whole number, not " + describe(v)
}

// flag reads a boolean that may be written true, 1 or "1".
func (b body) flag(path string) bool {
	switch v := b.lookup(path).(type) {
	case bool:
		return v
	case json.Number:
		return v.String() != "0"
	case string:
		return v == "1" || strings.EqualFold(v, "true")
	}
	return false
}

// signatureOf returns the request's signature: general.signature, or a
// top-level signature as some clients send it.
func (b body) signatureOf() string {
	if s := b.str("general.signature"); s != "" {
		return s
	}
	return b.str("signature")
}

// kind is the JSON type a field of a Gate request must have.
type kind int

const (
	kindObject  kind = iota
	kindString       // a JSON string
	kindInteger      // a JSON integer, or a string of digits
	kindFlag         // true or false, 1 or 0, "1" or "0", "true" or "false"
)

// schema lists the fields the Gate reads, parents before their children,
// with the JSON type each must have. Other fields are signed and otherwise
// ignored, as the platform ignores what it does not use.
var schema = []struct {
	path string
	kind kind
}{
	{"general", kindObject},
	{"general.project_id", kindInteger},
	{"general.payment_id", kindString},
	{"general.signature", kindString},
	{"general.merchant_callback_url", kindString},
	{"payment", kindObject},
	{"payment.amount", kindInteger},
	{"payment.currency", kindString},
	{"payment.description", kindString},
	{"customer", kindObject},
	{"customer.id", kindString},
	{"customer.ip_address", kindString},
	{"customer.first_name", kindString},
	{"customer.last_name", kindString},
	{"customer.email", kindString},
	{"customer.phone", kindString},
	{"customer.country", kindString},
	{"customer.language", kindString},
	{"customer.identify", kindObject},
	{"customer.identify.doc_number", kindString},
	{"return_url", kindObject},
	{"return_url.success", kindString},
	{"return_url.decline", kindString},
	{"return_url.return", kindString},
	{"callback", kindObject},
	{"callback.delay", kindInteger},
	{"callback.force_disable", kindFlag},
}

// typeErrors names every field of b that the Gate reads and whose JSON
// type is not the one it must have: an object where a string is due, a
// list, a number for an ID, a fraction for an amount. The fields under a
// parent that is not an object are not looked at: the parent is named.
func (b body) typeErrors() []platform.FieldError {
	var out []platform.FieldError
	for _, f := range schema {
		v := b.lookup(f.path) // nil when a parent is not an object
		if v == nil {
			continue
		}
		if msg := checkKind(f.kind, v); msg != "" {
			if f.path == "payment.amount" {
				msg += minorUnits(v)
			}
			out = append(out, platform.FieldError{Code: platform.CodeInvalidJSON, Field: f.path, Message: msg})
		}
	}
	return out
}

// minorUnits is what an amount written in major units, such as 250.00 or
// "250.00", is in minor units, said for the error that refuses it; "" for
// any other value.
func minorUnits(v any) string {
	text, _ := numberText(v)
	whole, frac, ok := strings.Cut(text, ".")
	if !ok || whole == "" || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" {
		return ""
	}
	minor := strings.TrimLeft(whole+frac+strings.Repeat("0", 2-len(frac)), "0")
	if minor == "" {
		minor = "0"
	}
	return fmt.Sprintf(": amounts are whole numbers of minor units, so %s is %s in a currency of two decimals (such as MXN or USD)", text, minor)
}

// numberText is the text of a value that may write a number: a JSON
// number, or a string, trimmed; ok is false for any other value.
func numberText(v any) (text string, ok bool) {
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		return strings.TrimSpace(v), true
	}
	return "", false
}

// checkKind says what is wrong with v as a value of kind k, or "".
func checkKind(k kind, v any) string {
	switch k {
	case kindObject:
		if _, ok := v.(map[string]any); !ok {
			return "must be an object, not " + describe(v)
		}
	case kindString:
		if _, ok := v.(string); !ok {
			return "must be a string, not " + describe(v)
		}
	case kindInteger:
		text, ok := numberText(v)
		switch {
		case !ok:
			return "must be a whole number, not " + describe(v)
		case text == "":
			return "" // an empty string: the required-field check names it
		}
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return notWhole(v, err)
		}
	case kindFlag:
		switch v := v.(type) {
		case bool:
		case json.Number:
			if s := v.String(); s != "0" && s != "1" {
				return "must be true, false, 1 or 0, not " + describe(v)
			}
		case string:
			if s := strings.ToLower(v); s != "0" && s != "1" && s != "true" && s != "false" && s != "" {
				return "must be true, false, 1 or 0, not " + describe(v)
			}
		default:
			return "must be true, false, 1 or 0, not " + describe(v)
		}
	}
	return ""
}

// maxShown bounds how much of a value an error message quotes.
const maxShown = 40

// describe names a decoded JSON value for an error message: its type, and
// for a scalar its (shortened) text.
func describe(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return fmt.Sprintf("the boolean %t", v)
	case json.Number:
		return "the number " + shorten(v.String())
	case string:
		return fmt.Sprintf("the string %q", shorten(v))
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// shorten cuts s to maxShown characters, saying how long it was.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= maxShown {
		return s
	}
	return fmt.Sprintf("%s… (%d characters)", string(r[:maxShown]), len(r))
}
