package signature

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// pair is one flattened path:value pair.
type pair struct {
	key   string
	value string
}

// flattener turns a decoded JSON value into path:value pairs, applying the
// rules of SPEC §2: signature and frame_mode are dropped, keys are joined
// with ':' and a ':' inside a key is written "::".
type flattener struct {
	pairs []pair
	// perLevel emits the keys of every object in sorted order, children in
	// place, as the JS SDK does; otherwise map order is left as it comes and
	// the caller sorts the pairs.
	perLevel bool
	// raw leaves ':' inside keys unescaped, as the JS and Go SDKs do.
	raw bool
	// colon reports that some key contains ':', so the raw variants differ.
	colon bool
}

// flatten returns the pairs of data. A value that is neither an object nor
// a list (once converted through encoding/json if it is not a plain decoded
// JSON value) has no pairs.
func (f *flattener) flatten(data any) []pair {
	root, _ := plain(data)
	switch root := root.(type) {
	case map[string]any:
		f.object("", root, 0)
	case []any:
		f.list("", root, 0)
	}
	return f.pairs
}

// path joins prefix and key; depth is the depth of the object or list that
// holds key, 0 for the root.
func (f *flattener) path(prefix, key string, depth int) string {
	if strings.Contains(key, ":") {
		f.colon = true
		if !f.raw {
			key = strings.ReplaceAll(key, ":", "::")
		}
	}
	if depth == 0 {
		return key
	}
	return prefix + ":" + key
}

// object flattens m found at prefix. Every frame_mode is dropped, and
// signature is dropped at the root and in the root's general object.
func (f *flattener) object(prefix string, m map[string]any, depth int) {
	dropSignature := depth == 0 || depth == 1 && prefix == "general"
	keep := func(k string) bool {
		return k != "frame_mode" && !(dropSignature && k == "signature")
	}
	if !f.perLevel {
		for k, v := range m {
			if keep(k) {
				f.value(f.path(prefix, k, depth), v, depth+1)
			}
		}
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if keep(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		f.value(f.path(prefix, k, depth), m[k], depth+1)
	}
}

// list flattens l found at prefix: every item is keyed by its index.
func (f *flattener) list(prefix string, l []any, depth int) {
	for i, v := range l {
		f.value(f.path(prefix, strconv.Itoa(i), depth), v, depth+1)
	}
}

// value flattens v found at path; depth is the depth v sits at.
func (f *flattener) value(path string, v any, depth int) {
	switch v := v.(type) {
	case map[string]any:
		f.object(path, v, depth)
	case []any:
		f.list(path, v, depth)
	case string:
		f.leaf(path, v)
	case json.Number:
		f.leaf(path, string(v))
	case bool:
		if v {
			f.leaf(path, "1")
		} else {
			f.leaf(path, "0")
		}
	case nil:
		f.leaf(path, "")
	case int:
		f.leaf(path, strconv.Itoa(v))
	case int64:
		f.leaf(path, strconv.FormatInt(v, 10))
	case int32:
		f.leaf(path, strconv.FormatInt(int64(v), 10))
	case int16:
		f.leaf(path, strconv.FormatInt(int64(v), 10))
	case int8:
		f.leaf(path, strconv.FormatInt(int64(v), 10))
	case uint:
		f.leaf(path, strconv.FormatUint(uint64(v), 10))
	case uint64:
		f.leaf(path, strconv.FormatUint(v, 10))
	case uint32:
		f.leaf(path, strconv.FormatUint(uint64(v), 10))
	case uint16:
		f.leaf(path, strconv.FormatUint(uint64(v), 10))
	case uint8:
		f.leaf(path, strconv.FormatUint(uint64(v), 10))
	case float64:
		f.leaf(path, strconv.FormatFloat(v, 'f', -1, 64))
	case float32:
		f.leaf(path, strconv.FormatFloat(float64(v), 'f', -1, 32))
	default:
		if p, ok := plain(v); ok {
			f.value(path, p, depth)
		} else {
			f.leaf(path, fmt.Sprint(v))
		}
	}
}

func (f *flattener) leaf(path, value string) {
	f.pairs = append(f.pairs, pair{key: path, value: value})
}

// plain returns v as a plain decoded JSON value. Plain values are returned
// as they are; anything else (structs, typed maps and slices, named types)
// goes through encoding/json and back with UseNumber, so it is signed
// exactly as it would be sent. It reports false if encoding/json fails.
func plain(v any) (any, bool) {
	switch v.(type) {
	case map[string]any, []any, string, json.Number, bool, nil,
		int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8,
		float64, float32:
		return v, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var out any
	if err := decode(b, &out); err != nil {
		return nil, false
	}
	return out, true
}

// join writes pairs as key:value joined with ';'.
func join(pairs []pair) string {
	n := 0
	for _, p := range pairs {
		n += len(p.key) + len(p.value) + 2
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p.key)
		b.WriteByte(':')
		b.WriteString(p.value)
	}
	return b.String()
}

// byKey orders pairs by flattened key, byte order; equal keys (possible only
// through the ambiguity of "::") fall back to the value so the order is
// deterministic.
func byKey(a, b pair) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

// byNaturalKey orders pairs by flattened key in natural order, as PHP's
// ksort with SORT_NATURAL does: runs of digits compare as numbers, so list
// items come in index order (0, 1, 2, …, 10).
func byNaturalKey(a, b pair) int {
	if c := naturalCompare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

// naturalCompare compares a and b byte-wise except that runs of ASCII digits
// compare by numeric value (then by length, fewer leading zeros first).
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			na, nb := digits(a), digits(b)
			ta, tb := strings.TrimLeft(a[:na], "0"), strings.TrimLeft(b[:nb], "0")
			if c := cmp.Compare(len(ta), len(tb)); c != 0 {
				return c
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[na:], b[nb:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the length of the run of digits at the start of s.
func digits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// canonical returns the canonical string of data.
func canonical(data any) string {
	var f flattener
	pairs := f.flatten(data)
	slices.SortFunc(pairs, byKey)
	return join(pairs)
}

// candidates returns every string lenient verification accepts for data,
// canonical first, deduplicated: the canonical order, the JS SDK per-level
// order, the PHP natural order and the Go/Java order of whole key:value
// strings; when a key contains ':' the same again with it unescaped.
func candidates(data any) []string {
	f := flattener{perLevel: true}
	out := variants(nil, f.flatten(data))
	if f.colon {
		raw := flattener{perLevel: true, raw: true}
		out = variants(out, raw.flatten(data))
	}
	return dedupe(out)
}

// variants appends the orderings of pairs, given in per-level order, to out.
func variants(out []string, pairs []pair) []string {
	sorted := slices.Clone(pairs)
	slices.SortFunc(sorted, byKey)
	out = append(out, join(sorted), join(pairs))

	slices.SortStableFunc(sorted, byNaturalKey)
	out = append(out, join(sorted))

	whole := make([]string, len(pairs))
	for i, p := range pairs {
		whole[i] = p.key + ":" + p.value
	}
	slices.Sort(whole)
	return append(out, strings.Join(whole, ";"))
}

// dedupe drops repeated strings from ss, keeping the first of each.
func dedupe(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
