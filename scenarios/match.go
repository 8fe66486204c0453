package scenarios

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
)

// A mismatch is one place where what a step got differs from what the
// scenario expects.
type mismatch struct {
	path      string
	want, got string
}

func (m mismatch) String() string {
	p := m.path
	if p == "" {
		p = "(the whole value)"
	}
	return fmt.Sprintf("%s: want %s, got %s", p, m.want, m.got)
}

// diff is a list of mismatches.
type diff []mismatch

func (d diff) String() string {
	lines := make([]string, len(d))
	for i, m := range d {
		lines[i] = m.String()
	}
	return strings.Join(lines, "\n")
}

// match compares got with want as a partial match: every key of an object
// in want must be in got with a matching value, keys want does not name are
// not checked, lists match item by item and have the same length, and
// scalars are equal with their JSON types (the number 20000 is not the
// string "20000"). An object whose keys start with $ is an operator:
// $matches, $contains, $exists, $not, $gt, $gte, $lt, $lte, $len, $type.
func match(want, got any) diff {
	var d diff
	matchAt("", want, got, true, &d)
	return d
}

func matchAt(path string, want, got any, present bool, d *diff) {
	if ops, ok := operators(want); ok {
		for _, op := range ops {
			matchOp(path, op.name, op.arg, got, present, d)
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*d = append(*d, mismatch{path, "an object " + show(w), describe(got)})
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v, ok := g[k]
			if _, op := operators(w[k]); !ok && !op {
				*d = append(*d, mismatch{joinPath(path, k), show(w[k]), "nothing: no such key" + keyHint(k, g)})
				continue
			}
			matchAt(joinPath(path, k), w[k], v, ok, d)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*d = append(*d, mismatch{path, "a list " + show(w), describe(got)})
			return
		}
		if len(g) != len(w) {
			*d = append(*d, mismatch{path, fmt.Sprintf("a list of %d", len(w)), fmt.Sprintf("a list of %d: %s", len(g), show(g))})
			return
		}
		for i := range w {
			matchAt(joinPath(path, fmt.Sprint(i)), w[i], g[i], true, d)
		}
	default:
		if !equalScalar(w, got) {
			*d = append(*d, mismatch{path, describe(w), describe(got)})
		}
	}
}

// keyHint says which keys an object has instead of key, the likeliest
// first: "; did you mean status? (there are id, status, sum)".
func keyHint(key string, obj map[string]any) string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	hint := ""
	if n := nearest(key, keys); n != "" {
		hint = "; did you mean " + n + "?"
	}
	if len(keys) == 0 {
		return hint + " (the object is empty)"
	}
	return hint + " (there are " + cut(strings.Join(keys, ", "), 200) + ")"
}

type operator struct {
	name string
	arg  any
}

// operatorNames lists the operators, for an error that names an unknown one.
const operatorNames = "$matches, $contains, $exists, $not, $gt, $gte, $lt, $lte, $len, $type"

// operators returns the operators of an operator object.
func operators(v any) ([]operator, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, false
	}
	var ops []operator
	for k, arg := range m {
		if !strings.HasPrefix(k, "$") {
			return nil, false
		}
		ops = append(ops, operator{k, arg})
	}
	slices.SortFunc(ops, func(a, b operator) int { return strings.Compare(a.name, b.name) })
	return ops, true
}

func matchOp(path, op string, arg, got any, present bool, d *diff) {
	fail := func(want string) {
		g := "nothing (the key is missing)"
		if present {
			g = describe(got)
		}
		*d = append(*d, mismatch{path, want, g})
	}
	if op == "$exists" {
		if want, _ := arg.(bool); want != present {
			if want {
				fail("the key to be present")
			} else {
				fail("no such key")
			}
		}
		return
	}
	if !present && op != "$not" {
		fail(op + " " + show(arg))
		return
	}
	switch op {
	case "$matches":
		pattern, _ := arg.(string)
		re, err := regexp.Compile(pattern)
		if err != nil {
			fail(fmt.Sprintf("a valid $matches, but %q does not compile: %v", pattern, err))
			return
		}
		s, ok := got.(string)
		if !ok || !re.MatchString(s) {
			fail(fmt.Sprintf("a string matching /%s/", pattern))
		}
	case "$contains":
		switch g := got.(type) {
		case string:
			s, ok := arg.(string)
			if !ok || !strings.Contains(g, s) {
				fail("a string containing " + show(arg))
			}
		case []any:
			if !slices.ContainsFunc(g, func(item any) bool { return len(match(arg, item)) == 0 }) {
				fail("a list with an item matching " + show(arg))
			}
		default:
			fail("a string or a list containing " + show(arg))
		}
	case "$not":
		if present && len(match(arg, got)) == 0 {
			fail("anything but " + show(arg))
		}
	case "$gt", "$gte", "$lt", "$lte":
		w, ok1 := number(arg)
		g, ok2 := number(got)
		if !ok1 || !ok2 {
			fail(fmt.Sprintf("a number %s %s", opWord(op), show(arg)))
			return
		}
		c := g.Cmp(w)
		if (op == "$gt" && c <= 0) || (op == "$gte" && c < 0) || (op == "$lt" && c >= 0) || (op == "$lte" && c > 0) {
			fail(fmt.Sprintf("a number %s %s", opWord(op), show(arg)))
		}
	case "$len":
		n, ok := number(arg)
		var l int
		switch g := got.(type) {
		case []any:
			l = len(g)
		case map[string]any:
			l = len(g)
		case string:
			l = len([]rune(g))
		default:
			fail("something of length " + show(arg))
			return
		}
		if !ok || n.Cmp(big.NewRat(int64(l), 1)) != 0 {
			*d = append(*d, mismatch{path, "length " + show(arg), fmt.Sprintf("length %d", l)})
		}
	case "$type":
		if want, _ := arg.(string); typeName(got) != want && (want != "number" || typeName(got) != "integer") {
			fail("a value of type " + show(arg))
		}
	default:
		fail(fmt.Sprintf("a known operator, not %s (the operators are %s)", op, operatorNames))
	}
}

// opWord writes a comparison operator as a sign.
func opWord(op string) string {
	return strings.NewReplacer("$gte", "≥", "$gt", ">", "$lte", "≤", "$lt", "<").Replace(op)
}

// equalScalar compares scalars with their JSON types; numbers by value.
func equalScalar(want, got any) bool {
	if w, ok := number(want); ok {
		g, ok := number(got)
		return ok && w.Cmp(g) == 0
	}
	return want == got
}

// number reads a JSON number.
func number(v any) (*big.Rat, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case float64:
		return new(big.Rat).SetFloat64(v), true
	case int:
		return big.NewRat(int64(v), 1), true
	case int64:
		return big.NewRat(v, 1), true
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// typeName names the JSON type of a value.
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		if r, ok := number(v); ok {
			if r.IsInt() {
				return "integer"
			}
			return "number"
		}
	}
	return fmt.Sprintf("%T", v)
}

// describe writes a value with its type when the type might surprise.
func describe(v any) string {
	switch v.(type) {
	case string:
		return show(v) + " (a string)"
	case nil, bool:
		return show(v)
	case map[string]any:
		return "an object " + show(v)
	case []any:
		return "a list " + show(v)
	}
	if _, ok := number(v); ok {
		return show(v) + " (a number)"
	}
	return show(v)
}

// project returns the parts of got that want names, so that a person can
// read the two side by side.
func project(got, want any) any {
	if _, ok := operators(want); ok {
		return got
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := map[string]any{}
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				out[k] = project(gv, wv)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return got
		}
		out := make([]any, len(g))
		for i := range g {
			out[i] = project(g[i], w[i])
		}
		return out
	}
	return got
}
