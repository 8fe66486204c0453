package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// duration is a duration written as 500ms, 30s, 72h, 10d or 1d12h.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as 30s or 10d")
	}
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}

// parseDuration reads Go durations with whole days in front: 10d, 1d12h.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("duration %q: write it like 500ms, 30s, 90m, 72h, 10d or 1d12h", s)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 {
			return 0, bad
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return days + d, nil
}

// formatDuration writes d the way scenarios do: whole days as 10d.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d == 0 {
		return "0s"
	}
	out := ""
	if d >= day {
		out, d = strconv.FormatInt(int64(d/day), 10)+"d", d%day
	}
	if d > 0 {
		// 1h30m0s is 1h30m, 4h0m0s is 4h; 1m30s stays.
		rest := d.String()
		if strings.HasSuffix(rest, "m0s") {
			rest = strings.TrimSuffix(rest, "0s")
		}
		if strings.HasSuffix(rest, "h0m") {
			rest = strings.TrimSuffix(rest, "0m")
		}
		out += rest
	}
	return out
}

// decodeJSON decodes JSON with numbers kept as json.Number.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// normalize turns a decoded YAML value into the JSON value it stands for,
// numbers as json.Number.
func normalize(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(raw)
}

// show writes a value as compact JSON for a person, cut when long.
func show(v any) string {
	if v == nil {
		return "null"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return cut(strings.TrimSpace(b.String()), 160)
}

// pretty writes a value as indented JSON, at most max lines.
func pretty(v any, max int) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) > max {
		lines = append(lines[:max], fmt.Sprintf("… (%d more lines)", len(lines)-max))
	}
	return strings.Join(lines, "\n")
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// lookup reads a value at a path such as payment.id, operations.0.status or
// errors[0].code.
func lookup(doc any, path string) (any, error) {
	cur := doc
	walked := ""
	for _, part := range splitPath(path) {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, fmt.Errorf("%s has no %q (it has %s)", where(walked), part, keysOf(v))
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("%s is a list of %d: %q is not an index of it", where(walked), len(v), part)
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("%s is %s, not an object or a list", where(walked), show(v))
		}
		walked = joinPath(walked, part)
	}
	return cur, nil
}

func where(path string) string {
	if path == "" {
		return "the document"
	}
	return path
}

func keysOf(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// splitPath splits a.b[0].c into a, b, 0, c.
func splitPath(path string) []string {
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	var parts []string
	for _, p := range strings.Split(path, ".") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// scalarText writes a scalar as a request carries it: strings verbatim,
// numbers in their JSON text.
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// varRE is a variable: ${name}, or ${env.NAME} for an environment variable.
var varRE = regexp.MustCompile(`\$\{((?:env\.)?[A-Za-z_][A-Za-z0-9_]*)\}`)

// envPrefix starts the name of a variable that is an environment
// variable's: ${env.SHOP_URL}.
const envPrefix = "env."

// vars are a scenario's ${name} values: built in, from the environment
// (env.NAME) and captured.
type vars map[string]any

// expand replaces ${name} in every string of v. A string that is one
// ${name} alone takes the value with its type.
func (vs vars) expand(v any) (any, error) {
	switch v := v.(type) {
	case string:
		return vs.expandString(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			x, err := vs.expand(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			x, err := vs.expand(e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

func (vs vars) expandString(s string) (any, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	if m := varRE.FindStringSubmatch(s); m != nil && m[0] == s {
		val, ok := vs[m[1]]
		if !ok {
			return nil, vs.unknown(m[1])
		}
		return val, nil
	}
	var err error
	out := varRE.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		val, ok := vs[name]
		if !ok {
			err = vs.unknown(name)
			return ref
		}
		return scalarText(val)
	})
	return out, err
}

func (vs vars) unknown(name string) error {
	names := make([]string, 0, len(vs))
	for k := range vs {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Errorf("${%s} is not known here: capture it in an earlier step; known are %s", name, strings.Join(names, ", "))
}

// shorten returns a copy of a decoded JSON value with strings longer than
// n characters cut, for a person to read (a callback's request_body).
func shorten(v any, n int) any {
	switch v := v.(type) {
	case string:
		if l := utf8.RuneCountInString(v); l > n {
			return string([]rune(v)[:n]) + fmt.Sprintf("… (%d characters)", l)
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = shorten(e, n)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = shorten(e, n)
		}
		return out
	}
	return v
}

// replaceStrings applies fn to every string of a decoded JSON value.
func replaceStrings(v any, fn func(string) string) any {
	switch v := v.(type) {
	case string:
		return fn(v)
	case map[string]any:
		for k, e := range v {
			v[k] = replaceStrings(e, fn)
		}
	case []any:
		for i, e := range v {
			v[i] = replaceStrings(e, fn)
		}
	}
	return v
}

func timeDuration(d duration) time.Duration { return time.Duration(d) }
