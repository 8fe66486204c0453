package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The checks here find, before a file runs, the mistakes that would
// otherwise stop it at the step that has them, after the steps before it
// ran: an expect.body operator that does not exist or whose argument cannot
// work, and a ${name} that no earlier step captures.

// operatorList is the operators match knows.
var operatorList = strings.Split(strings.ReplaceAll(operatorNames, " ", ""), ",")

// typeNames are the values $type compares with (typeName's).
var typeNames = []string{"string", "number", "integer", "boolean", "object", "array", "null"}

// placed is a problem at a JSON pointer of the file.
type placed struct {
	ptr, msg string
}

// expectationProblems checks an expect.body, want, found at ptr: each
// operator is one match knows, with an argument it can use. An argument
// that is a ${name} is known only when the step runs, and left alone.
func expectationProblems(ptr string, want any) []placed {
	var out []placed
	switch w := want.(type) {
	case map[string]any:
		var ops, keys []string
		for k := range w {
			if strings.HasPrefix(k, "$") {
				ops = append(ops, k)
			} else {
				keys = append(keys, k)
			}
		}
		slices.Sort(ops)
		if len(ops) > 0 && len(keys) > 0 {
			slices.Sort(keys)
			return append(out, placed{ptr, fmt.Sprintf("an object of %s is an operator, and %s a key to match: put the operator under the key it checks ({%s: {%s: …}})",
				strings.Join(ops, ", "), strings.Join(keys, ", "), keys[0], ops[0])})
		}
		for _, op := range ops {
			if msg := operatorProblem(op, w[op]); msg != "" {
				out = append(out, placed{ptr + "/" + escapePointer(op), msg})
			}
			if op == "$not" || op == "$contains" {
				out = append(out, expectationProblems(ptr+"/"+escapePointer(op), w[op])...)
			}
		}
		for _, k := range keys {
			out = append(out, expectationProblems(ptr+"/"+escapePointer(k), w[k])...)
		}
	case []any:
		for i, e := range w {
			out = append(out, expectationProblems(ptr+"/"+strconv.Itoa(i), e)...)
		}
	}
	return out
}

// operatorProblem says what is wrong with an operator and its argument,
// "" when nothing is.
func operatorProblem(op string, arg any) string {
	if s, ok := arg.(string); ok && varRE.MatchString(s) {
		return ""
	}
	if !slices.Contains(operatorList, op) {
		msg := fmt.Sprintf("%s is not an operator", op)
		if n := nearest(op, operatorList); n != "" {
			msg += "; did you mean " + n + "?"
		}
		return msg + " (the operators are " + operatorNames + ")"
	}
	switch op {
	case "$matches":
		s, ok := arg.(string)
		if !ok {
			return fmt.Sprintf("$matches takes a regular expression as a string, not %s", show(arg))
		}
		if _, err := regexp.Compile(s); err != nil {
			return fmt.Sprintf("$matches: %q is not a regular expression (Go's syntax): %v", s, err)
		}
	case "$exists":
		if _, ok := arg.(bool); !ok {
			return fmt.Sprintf("$exists takes true or false, not %s", show(arg))
		}
	case "$gt", "$gte", "$lt", "$lte", "$len":
		if _, ok := number(arg); !ok {
			return fmt.Sprintf("%s takes a number, not %s", op, show(arg))
		}
	case "$type":
		if s, _ := arg.(string); !slices.Contains(typeNames, s) {
			msg := fmt.Sprintf("$type takes one of %s, not %s", strings.Join(typeNames, ", "), show(arg))
			if n := nearest(s, typeNames); n != "" {
				msg += "; did you mean " + n + "?"
			}
			return msg
		}
	}
	return ""
}

// variableProblems finds the ${name}s of v, found at ptr, that known does
// not hold: a step's values may use the names built in and those the
// steps before it capture.
func variableProblems(ptr string, v any, known []string) []placed {
	var out []placed
	switch v := v.(type) {
	case string:
		if bad := malformedReference(v); bad != "" {
			out = append(out, placed{ptr, fmt.Sprintf("%s is not a variable, and would be sent as written: a ${…} holds a name of letters, digits and _ that an earlier step captures or that is built in (${sandbox}, ${merchant}), or env. and an environment variable's name (${env.SHOP_URL})", bad)})
		}
		for _, m := range varRE.FindAllStringSubmatch(v, -1) {
			if slices.Contains(known, m[1]) || strings.HasPrefix(m[1], envPrefix) {
				continue // the environment's are checked when the file loads
			}
			msg, listed := fmt.Sprintf("${%s} is not known here: capture it in an earlier step", m[1]), "; known here are "+strings.Join(known, ", ")
			if !strings.HasPrefix(ptr, "/steps/") {
				// Projects and the merchant at the top come before every step.
				msg, listed = fmt.Sprintf("${%s} is not known here: a project and the merchant at the top come before every step, and know only ${sandbox}, ${merchant} and ${env.NAME}", m[1]), ""
			}
			if n := nearest(m[1], known); n != "" {
				msg += "; did you mean ${" + n + "}?"
			}
			out = append(out, placed{ptr, msg + listed})
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, variableProblems(ptr+"/"+escapePointer(k), v[k], known)...)
		}
	case []any:
		for i, e := range v {
			out = append(out, variableProblems(ptr+"/"+strconv.Itoa(i), e, known)...)
		}
	}
	return out
}

// eachString calls fn with every string of v, a decoded JSON value found at
// ptr, and the pointer of each.
func eachString(ptr string, v any, fn func(ptr, s string)) {
	switch v := v.(type) {
	case string:
		fn(ptr, v)
	case map[string]any:
		for k, e := range v {
			eachString(ptr+"/"+escapePointer(k), e, fn)
		}
	case []any:
		for i, e := range v {
			eachString(ptr+"/"+strconv.Itoa(i), e, fn)
		}
	}
}

// malformedReference returns the first ${…} of s that is not a variable
// (${order-id}, ${ voucher }, a ${ never closed), "" when there is none:
// expanding leaves such a text as it is, so it would be sent as written.
func malformedReference(s string) string {
	for rest := s; ; {
		i := strings.Index(rest, "${")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
		if m := varRE.FindStringIndex(rest); m == nil || m[0] != 0 {
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return cut(rest, 40)
			}
			return rest[:end+1]
		}
		rest = rest[2:]
	}
}

// escapePointer escapes a key for a JSON pointer.
func escapePointer(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

// replyProblems finds the answers of a merchant's script, r at ptr, whose
// keys contradict each other: a merchant that never answers (silent) or
// hangs up has no status, code, body or delay to answer with, and cannot
// do both. fail_first goes with either: the first requests fail, then it
// falls silent or hangs up.
func replyProblems(ptr string, r *replySpec) []placed {
	if r == nil {
		return nil
	}
	var out []placed
	for id, pr := range r.Payments {
		out = append(out, replyProblems(ptr+"/payments/"+escapePointer(id), &pr)...)
	}
	var how []string
	if r.Silent {
		how = append(how, "silent")
	}
	if r.HangUp {
		how = append(how, "hang_up")
	}
	if len(how) == 2 {
		return append(out, placed{ptr, "silent and hang_up together: the merchant either holds the request unanswered (silent) or closes the connection (hang_up); keep one"})
	}
	if len(how) == 0 {
		return out
	}
	var moot []string
	for _, k := range []struct {
		name string
		set  bool
	}{{"status", r.Status != 0}, {"code", r.Code != 0}, {"body", r.Body != ""}, {"delay", r.Delay != 0}} {
		if k.set {
			moot = append(moot, k.name)
		}
	}
	if len(moot) > 0 {
		out = append(out, placed{ptr, fmt.Sprintf("%s: the merchant gives no answer, so its %s would never be used; keep %s, or drop it to answer with them",
			how[0], strings.Join(moot, ", "), how[0])})
	}
	return out
}
