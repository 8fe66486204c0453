package signature

import (
	"bytes"
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

// span is one flattened pair held in a flattener's buffer: its key is
// buf[key:value] and its value buf[value:end].
type span struct{ key, value, end int }

// flattener turns a decoded JSON value into path:value pairs, applying the
// rules of SPEC §2: signature and frame_mode are dropped, keys are joined
// with ':' and a ':' inside a key is written "::". Every pair is written
// into one buffer, its key (the whole path) followed by its value, so that
// flattening allocates a few growing slices rather than a string per pair.
type flattener struct {
	buf   []byte
	spans []span
	// perLevel emits the keys of every object in sorted order, children in
	// place, as the JS SDK does; otherwise map order is left as it comes and
	// the caller sorts the pairs.
	perLevel bool
	// raw leaves ':' inside keys unescaped, as the JS and Go SDKs do.
	raw bool
	// colon reports that some key contains ':', so the raw variants differ.
	colon bool
}

// grow makes room in f for bytes of paths and values and n pairs.
func (f *flattener) grow(bytes, n int) {
	f.buf = slices.Grow(f.buf, bytes)
	f.spans = slices.Grow(f.spans, n)
}

// flatten flattens data into f. A value that is neither an object nor a
// list (once converted through encoding/json if it is not a plain decoded
// JSON value) has no pairs.
func (f *flattener) flatten(data any) *flattener {
	f.grow(2048, 64) // a Gate request or a callback in one allocation each
	root, _ := plain(data)
	switch root := root.(type) {
	case map[string]any:
		f.object(0, 0, false, root, 0)
	case []any:
		f.list(0, 0, root, 0)
	}
	return f
}

// pairs returns the flattened pairs as strings, in the order they came.
func (f *flattener) pairs() []pair {
	out := make([]pair, len(f.spans))
	for i, s := range f.spans {
		out[i] = pair{key: string(f.buf[s.key:s.value]), value: string(f.buf[s.value:s.end])}
	}
	return out
}

// path appends the path of key to the buffer: the prefix buf[from:to] (the
// path of the object or list that holds key, at depth; none at depth 0), a
// ':' and key. It returns where the path starts.
func path[K string | []byte](f *flattener, from, to int, key K, depth int) int {
	start := len(f.buf)
	if depth > 0 {
		f.buf = append(f.buf, f.buf[from:to]...)
		f.buf = append(f.buf, ':')
	}
	for i := 0; i < len(key); i++ {
		if key[i] != ':' {
			continue
		}
		f.colon = true
		if !f.raw {
			for j := 0; j < len(key); j++ {
				if key[j] == ':' {
					f.buf = append(f.buf, ':')
				}
				f.buf = append(f.buf, key[j])
			}
			return start
		}
		break
	}
	f.buf = append(f.buf, key...)
	return start
}

// dropped reports whether the member key of an object at depth (in the
// root's general object when general) is left out of the signed pairs:
// every frame_mode, and signature at the root and in the root's general
// object.
func dropped[K string | []byte](key K, depth int, general bool) bool {
	return string(key) == "frame_mode" || (depth == 0 || depth == 1 && general) && string(key) == "signature"
}

// object flattens m, found at the path buf[from:to] (general: the root's
// general object), whose members sit at depth.
func (f *flattener) object(from, to int, general bool, m map[string]any, depth int) {
	if !f.perLevel {
		for k, v := range m {
			if !dropped(k, depth, general) {
				f.member(from, to, k, v, depth)
			}
		}
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if !dropped(k, depth, general) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		f.member(from, to, k, m[k], depth)
	}
}

// member flattens v, the member k of an object at the path buf[from:to]
// whose members sit at depth.
func (f *flattener) member(from, to int, k string, v any, depth int) {
	start := path(f, from, to, k, depth)
	f.value(start, depth == 0 && k == "general", v, depth+1)
}

// list flattens l found at the path buf[from:to]: every item is keyed by
// its index.
func (f *flattener) list(from, to int, l []any, depth int) {
	var index [20]byte
	for i, v := range l {
		start := path(f, from, to, strconv.AppendInt(index[:0], int64(i), 10), depth)
		f.value(start, false, v, depth+1)
	}
}

// value flattens v, whose path was just appended to the buffer from start
// (general: it is the root's general member); depth is the depth v sits at.
func (f *flattener) value(start int, general bool, v any, depth int) {
	switch v := v.(type) {
	case map[string]any:
		f.object(start, len(f.buf), general, v, depth)
	case []any:
		f.list(start, len(f.buf), v, depth)
	case string:
		f.leaf(start, v)
	case json.Number:
		f.leaf(start, string(v))
	case bool:
		if v {
			f.leaf(start, "1")
		} else {
			f.leaf(start, "0")
		}
	case nil:
		f.leaf(start, "")
	case int:
		f.leafNumber(start, strconv.AppendInt(f.buf, int64(v), 10))
	case int64:
		f.leafNumber(start, strconv.AppendInt(f.buf, v, 10))
	case int32:
		f.leafNumber(start, strconv.AppendInt(f.buf, int64(v), 10))
	case int16:
		f.leafNumber(start, strconv.AppendInt(f.buf, int64(v), 10))
	case int8:
		f.leafNumber(start, strconv.AppendInt(f.buf, int64(v), 10))
	case uint:
		f.leafNumber(start, strconv.AppendUint(f.buf, uint64(v), 10))
	case uint64:
		f.leafNumber(start, strconv.AppendUint(f.buf, v, 10))
	case uint32:
		f.leafNumber(start, strconv.AppendUint(f.buf, uint64(v), 10))
	case uint16:
		f.leafNumber(start, strconv.AppendUint(f.buf, uint64(v), 10))
	case uint8:
		f.leafNumber(start, strconv.AppendUint(f.buf, uint64(v), 10))
	case float64:
		f.leafNumber(start, strconv.AppendFloat(f.buf, v, 'f', -1, 64))
	case float32:
		f.leafNumber(start, strconv.AppendFloat(f.buf, float64(v), 'f', -1, 32))
	default:
		if p, ok := plain(v); ok {
			f.value(start, general, p, depth)
		} else {
			f.leaf(start, fmt.Sprint(v))
		}
	}
}

// appendLeaf ends the pair whose path starts at start with value.
func appendLeaf[V string | []byte](f *flattener, start int, value V) {
	mid := len(f.buf)
	f.buf = append(f.buf, value...)
	f.spans = append(f.spans, span{key: start, value: mid, end: len(f.buf)})
}

func (f *flattener) leaf(start int, value string) { appendLeaf(f, start, value) }

// leafNumber ends the pair whose path starts at start with the number
// appended to the buffer: buf, the buffer with the number's text after the
// path.
func (f *flattener) leafNumber(start int, buf []byte) {
	mid := len(f.buf)
	f.buf = buf
	f.spans = append(f.spans, span{key: start, value: mid, end: len(f.buf)})
}

// sort orders the pairs by key, byte order; equal keys (possible only
// through the ambiguity of "::") fall back to the value so the order is
// deterministic.
func (f *flattener) sort() {
	slices.SortFunc(f.spans, func(a, b span) int {
		if c := bytes.Compare(f.buf[a.key:a.value], f.buf[b.key:b.value]); c != 0 {
			return c
		}
		return bytes.Compare(f.buf[a.value:a.end], f.buf[b.value:b.end])
	})
}

// appendJoined appends the pairs as key:value joined with ';' to out.
func (f *flattener) appendJoined(out []byte) []byte {
	for i, s := range f.spans {
		if i > 0 {
			out = append(out, ';')
		}
		out = append(out, f.buf[s.key:s.value]...)
		out = append(out, ':')
		out = append(out, f.buf[s.value:s.end]...)
	}
	return out
}

// canonical returns the canonical string of what f flattened: its pairs
// sorted and joined.
func (f *flattener) canonical() []byte {
	f.sort()
	n := 0
	for _, s := range f.spans {
		n += s.end - s.key + 2
	}
	return f.appendJoined(make([]byte, 0, n))
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
	return string(f.flatten(data).canonical())
}

// candidates returns every string lenient verification accepts for data,
// canonical first, deduplicated: the canonical order, the JS SDK per-level
// order, the PHP natural order and the Go/Java order of whole key:value
// strings; when a key contains ':' the same again with it unescaped.
func candidates(data any) []string {
	f := flattener{perLevel: true}
	out := variants(nil, f.flatten(data).pairs())
	if f.colon {
		raw := flattener{perLevel: true, raw: true}
		out = variants(out, raw.flatten(data).pairs())
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
