package gate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// body is a decoded Gate request: nested JSON objects with numbers kept as
// json.Number.
type body map[string]any

// lookup returns the value at a dotted path, or nil.
func (b body) lookup(path string) any {
	var cur any = map[string]any(b)
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
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

// str returns the value at path as a string: strings verbatim, numbers in
// their JSON text, booleans as 1/0.
func (b body) str(path string) string {
	switch v := b.lookup(path).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "1"
		}
		return "0"
	}
	return ""
}

// integer returns the value at path as an int64. Strings of digits are
// accepted, as ecommpay does for project_id.
func (b body) integer(path string) (int64, error) {
	switch v := b.lookup(path).(type) {
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s must be a whole number, got %s", path, v)
		}
		return n, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s must be a whole number, got %q", path, v)
		}
		return n, nil
	case nil:
		return 0, fmt.Errorf("%s is missing", path)
	default:
		return 0, fmt.Errorf("%s must be a whole number, got %v", path, v)
	}
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
