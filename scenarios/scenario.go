package scenarios

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// schemaJSON is the JSON Schema of scenario files, which editors use too.
//
//go:embed schema.json
var schemaJSON []byte

// Scenario is a scenario file, loaded and checked: ready to run.
type Scenario struct {
	// File is the path the scenario was read from.
	File        string
	Name        string
	Description string
	// Line is the line of the scenario's name.
	Line  int
	Steps []Step

	spec     fileSpec
	merchant any               // the merchant at the top as written, ${…} not yet expanded
	env      map[string]string // the environment variables it names, as they were when it loaded
}

// Step is one step of a scenario.
type Step struct {
	// Number counts steps from 1; Line is where the step starts.
	Number int
	Line   int
	Name   string
	// Kind is the step's action or check: gate, page, pay, callback…
	Kind string

	raw map[string]any // as written, ${…} not yet expanded
}

// Title names a step for a report: its number, its kind and its name.
func (s Step) Title() string {
	t := fmt.Sprintf("step %d (%s)", s.Number, s.Kind)
	if s.Name != "" {
		t += " " + strconv.Quote(s.Name)
	}
	return t
}

// kinds are the step kinds, each a key of the step.
var kinds = []string{"gate", "page", "pay", "fail", "expire", "clock", "resend", "merchant",
	"callback", "no_callback", "delivery", "check_deposit", "state"}

// LoadError says why a scenario file cannot run: each problem with its line.
type LoadError struct {
	File     string
	Problems []Problem
}

// Problem is one thing wrong in a scenario file.
type Problem struct {
	Line    int // 0 when no line applies
	Message string
}

func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		at := e.File
		if p.Line > 0 {
			at += ":" + strconv.Itoa(p.Line)
		}
		lines[i] = at + ": " + p.Message
	}
	return strings.Join(lines, "\n")
}

// Loader reads scenario files and checks them against the schema.
type Loader struct {
	// LookupEnv reads the environment variables files name as
	// ${env.NAME}, when they load; nil reads the process's (os.LookupEnv).
	LookupEnv func(name string) (string, bool)

	schema  *jsonschema.Schema
	doc     any // schema.json as JSON values, for the keys it allows
	printer *message.Printer
}

// NewLoader returns a loader of scenario files, with the schema compiled
// once per process (compiledSchema).
func NewLoader() (*Loader, error) {
	s, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	return &Loader{schema: s.schema, doc: s.doc, printer: message.NewPrinter(language.English)}, nil
}

// schema is schema.json compiled, and as JSON values. Neither changes once
// compiled, and a compiled schema validates files side by side, so every
// Loader shares the one compiledSchema makes: a run of a scenario folder
// loads it once, and so does a test binary that runs many.
type schema struct {
	schema *jsonschema.Schema
	doc    any
}

// compiledSchema compiles schema.json the first time it is called, and
// then returns what it compiled (or the error).
var compiledSchema = sync.OnceValues(func() (schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return schema{}, fmt.Errorf("scenarios: schema.json: %w", err)
	}
	if err := allowMethods(doc, sandboxtest.MethodCodes()); err != nil {
		return schema{}, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		return schema{}, fmt.Errorf("scenarios: schema.json: %w", err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		return schema{}, fmt.Errorf("scenarios: schema.json: %w", err)
	}
	return schema{schema: sch, doc: doc}, nil
})

// allowMethods narrows the method codes schema.json allows as keys of
// method settings (any name of the right shape: a method lives in its own
// folder, not in this file) to the codes of the sandbox's methods, so that
// a misspelt one is named with its line and the codes it could be.
func allowMethods(doc any, codes []string) error {
	defs, _ := doc.(map[string]any)["$defs"].(map[string]any)
	methods, ok := defs["methods"].(map[string]any)
	if !ok {
		return errors.New("scenarios: schema.json has no $defs.methods")
	}
	enum := make([]any, len(codes))
	for i, c := range codes {
		enum[i] = c
	}
	methods["propertyNames"] = map[string]any{"enum": enum}
	return nil
}

// Load reads and checks a scenario file.
func (l *Loader) Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Problems: []Problem{{Message: err.Error()}}}
	}
	return l.Parse(path, data)
}

// Parse checks a scenario read from file: YAML syntax, the schema, then
// what the schema cannot say. Every problem found names its line.
func (l *Loader) Parse(file string, data []byte) (*Scenario, error) {
	fail := func(ps ...Problem) (*Scenario, error) { return nil, &LoadError{File: file, Problems: ps} }
	// A byte order mark, which editors on Windows write, starts a YAML
	// stream without being part of its first key.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return fail(yamlProblem(err))
	}
	if p, ok := oneDocument(f); !ok {
		return fail(p)
	}
	lines := indexLines(f)
	var doc any
	if err := yaml.UnmarshalWithOptions(data, &doc); err != nil {
		return fail(yamlProblem(err))
	}
	if doc == nil {
		return fail(Problem{Message: "the file is empty: a scenario has a name and steps (scenarios/README.md has one to copy)"})
	}
	inst, err := normalize(doc)
	if err != nil {
		return fail(Problem{Message: "cannot read the file as JSON values: " + err.Error()})
	}
	var (
		problems []Problem
		refused  map[int]bool // steps the schema refused
	)
	if err := l.schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return fail(Problem{Message: err.Error()})
		}
		problems, refused = l.schemaProblems(ve, lines, inst)
	}
	raw, _ := json.Marshal(inst)
	var spec fileSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		if len(problems) > 0 {
			return fail(problems...)
		}
		return fail(Problem{Message: err.Error()})
	}
	sc := &Scenario{File: file, Name: spec.Name, Description: spec.Description, Line: lines.at("/name"), spec: spec}
	if top, ok := inst.(map[string]any); ok {
		sc.merchant = top["merchant"]
	}
	// The steps the schema let through are checked further, so that the
	// file's every problem is reported at once.
	for i, raw := range spec.Steps {
		if refused[i] {
			continue
		}
		ptr := "/steps/" + strconv.Itoa(i)
		st := Step{Number: i + 1, Line: lines.at(ptr), raw: raw}
		st.Name, _ = raw["name"].(string)
		var found []string
		for _, k := range kinds {
			if _, ok := raw[k]; ok {
				found = append(found, k)
			}
		}
		switch len(found) {
		case 1:
			st.Kind = found[0]
		case 0:
			problems = append(problems, Problem{st.Line, fmt.Sprintf("step %d does nothing: give it one of %s", st.Number, strings.Join(kinds, ", "))})
			continue
		default:
			problems = append(problems, Problem{st.Line, fmt.Sprintf("step %d has %s: a step does one thing; split it into %d steps", st.Number, strings.Join(found, " and "), len(found))})
			continue
		}
		// The spec as written must make sense before ${…} is expanded.
		spec, err := decodeStep(raw)
		if err == nil {
			err = spec.check(st.Kind)
		}
		if err != nil {
			problems = append(problems, Problem{lines.at(ptr + "/" + st.Kind), fmt.Sprintf("%s: %v", st.Title(), err)})
			continue
		}
		if spec.Expect != nil && spec.Expect.Body != nil {
			if want, err := decodeJSON(spec.Expect.Body); err == nil {
				problems = append(problems, lines.problems(expectationProblems(ptr+"/expect/body", want))...)
			}
		}
		sc.Steps = append(sc.Steps, st)
	}
	env, envProblems := l.environment(spec, sc.merchant, refused, lines)
	sc.env = env
	problems = append(problems, envProblems...)
	problems = append(problems, unknownVariables(spec, sc.merchant, refused, lines)...)
	if len(problems) == 0 {
		problems = append(unmadePayments(spec, sc.Steps, lines), contradictoryReplies(spec, sc.Steps, lines)...)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
		return fail(problems...)
	}
	return sc, nil
}

// projectIDs returns the IDs of the projects the scenario puts: those it
// lists, or the default one.
func (sc *Scenario) projectIDs() []int64 {
	if len(sc.spec.Projects) == 0 {
		return []int64{defaultProject().ID}
	}
	var ids []int64
	for _, p := range sc.spec.Projects {
		if id, ok := p["id"].(float64); ok {
			ids = append(ids, int64(id))
		}
	}
	return ids
}

// environment reads the environment variables that the projects and steps
// name as ${env.NAME}, and says which are not set or empty: a file that
// needs its merchant's address from CI cannot run without it.
func (l *Loader) environment(spec fileSpec, merchant any, refused map[int]bool, lines lineIndex) (map[string]string, []Problem) {
	lookup := l.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	env := map[string]string{}
	var found []placed
	check := func(ptr string, v any) {
		eachString(ptr, v, func(ptr, s string) {
			for _, m := range varRE.FindAllStringSubmatch(s, -1) {
				name, ok := strings.CutPrefix(m[1], envPrefix)
				if !ok {
					continue
				}
				val, set := lookup(name)
				switch {
				case !set:
					found = append(found, placed{ptr, fmt.Sprintf("${env.%s}: the environment variable %s is not set: set it where sandbox test runs (%s=… sandbox test …, or in the CI job's environment)", name, name, name)})
				case val == "":
					found = append(found, placed{ptr, fmt.Sprintf("${env.%s}: the environment variable %s is empty: give it a value where sandbox test runs", name, name)})
				default:
					env[name] = val
				}
			}
		})
	}
	check("/merchant", merchant)
	for i, p := range spec.Projects {
		check(fmt.Sprintf("/projects/%d", i), p)
	}
	for i, raw := range spec.Steps {
		if !refused[i] {
			step := maps.Clone(raw)
			delete(step, "capture") // names, not values
			check(fmt.Sprintf("/steps/%d", i), step)
		}
	}
	return env, lines.problems(found)
}

// unknownVariables finds the ${name}s that nothing defines where they are
// used: projects and the merchant at the top know ${sandbox} and
// ${merchant}, a step those and what the steps before it capture. Steps the
// schema refused are not looked into.
func unknownVariables(spec fileSpec, merchant any, refused map[int]bool, lines lineIndex) []Problem {
	known := []string{"merchant", "sandbox"}
	found := variableProblems("/merchant", merchant, known)
	for i, p := range spec.Projects {
		found = append(found, variableProblems(fmt.Sprintf("/projects/%d", i), p, known)...)
	}
	for i, raw := range spec.Steps {
		if !refused[i] {
			step := maps.Clone(raw)
			delete(step, "capture") // names, not values
			found = append(found, variableProblems(fmt.Sprintf("/steps/%d", i), step, known)...)
		}
		cs, _ := raw["capture"].(map[string]any)
		for name := range cs {
			if !slices.Contains(known, name) {
				known = append(known, name)
			}
		}
		slices.Sort(known)
	}
	return lines.problems(found)
}

// script is how the merchant answers, as a file says it: at the top, under
// a project, or in a merchant step.
type script struct {
	at      string // where it is in the file
	m       *merchantSpec
	project int64 // 0: every project
}

// merchantScripts returns the merchant's scripts of a file, in order.
func merchantScripts(spec fileSpec, steps []Step) []script {
	var out []script
	if spec.Merchant != nil {
		out = append(out, script{"/merchant", spec.Merchant, 0})
	}
	for i, p := range spec.Projects {
		m, err := projectMerchant(p)
		id, ok := p["id"].(float64)
		if err != nil || !ok || m == nil {
			continue // the schema said what is wrong, or it has none
		}
		out = append(out, script{fmt.Sprintf("/projects/%d/merchant", i), m, int64(id)})
	}
	for _, st := range steps {
		if s, _ := decodeStep(st.raw); s.Merchant != nil {
			out = append(out, script{fmt.Sprintf("/steps/%d/merchant", st.Number-1), s.Merchant, s.Merchant.Project})
		}
	}
	return out
}

// contradictoryReplies finds the merchant's answers whose keys contradict
// each other (replyProblems).
func contradictoryReplies(spec fileSpec, steps []Step, lines lineIndex) []Problem {
	var ps []Problem
	for _, sc := range merchantScripts(spec, steps) {
		for kind, r := range sc.m.replies() {
			ps = append(ps, lines.problems(replyProblems(sc.at+"/"+kind, r))...)
		}
	}
	return ps
}

// unmadePayments finds the checks that cannot fail because they name a
// payment no step of the scenario makes, a typo most likely: no_callback
// and check_deposit with count 0 of it pass, a merchant's reply for it is
// never used (for a project's own reply: no step makes it in that
// project). Checks that fail on an unknown payment (callback, state…),
// scenarios whose payment IDs are captured and those that visit another
// site by URL (the merchant's own server, which may make payments) are
// left alone.
func unmadePayments(spec fileSpec, steps []Step, lines lineIndex) []Problem {
	first := defaultProject().ID
	if len(spec.Projects) > 0 {
		if id, ok := spec.Projects[0]["id"].(float64); ok {
			first = int64(id)
		}
	}
	made := map[string]bool{}
	madeIn := map[int64][]string{} // the payments each project's steps make, in order
	var names []string
	for _, st := range steps {
		s, _ := decodeStep(st.raw)
		var ids []string
		project := int64(0)
		switch {
		case s.Gate != nil:
			g := s.Gate
			ids, project = []string{g.PaymentID, g.Refund, g.Status, g.Clarification, g.bodyPaymentID()}, g.Project
			if g.Raw != nil {
				return nil // whatever it names is not known here
			}
		case s.Page != nil && s.Page.Open != nil:
			ids, project = []string{s.Page.Open.PaymentID}, s.Page.Open.Project
		case s.Page != nil && (strings.HasPrefix(s.Page.Get, "http://") || strings.HasPrefix(s.Page.Get, "https://") || strings.HasPrefix(s.Page.Get, "${"+envPrefix)):
			return nil // another site, the merchant's own, may make any payment
		}
		if project == 0 {
			project = first
		}
		for _, id := range ids {
			if strings.Contains(id, "${") {
				return nil
			}
			if id == "" {
				continue
			}
			if !made[id] {
				made[id] = true
				names = append(names, id)
			}
			if !slices.Contains(madeIn[project], id) {
				madeIn[project] = append(madeIn[project], id)
			}
		}
	}
	unmade := func(id, what string) string {
		msg := fmt.Sprintf("no gate or page step makes payment %q, so %s", id, what)
		switch {
		case nearest(id, names) != "":
			msg += "; did you mean " + nearest(id, names) + "?"
		case len(names) > 0:
			msg += "; the scenario's payments are " + strings.Join(names, ", ")
		}
		return msg
	}
	// unmadeIn says why a reply scripted for one project's payment id
	// is never used, and how to fix it.
	unmadeIn := func(project int64, id string) string {
		msg := fmt.Sprintf("no gate or page step makes payment %q in project %d, so this reply is never used", id, project)
		var elsewhere []string
		for p, ids := range madeIn {
			if p != project && slices.Contains(ids, id) {
				elsewhere = append(elsewhere, strconv.FormatInt(p, 10))
			}
		}
		slices.Sort(elsewhere)
		switch {
		case len(elsewhere) > 0:
			msg += fmt.Sprintf("; %s is a payment of project %s: script it under that project, or under the top-level merchant for every project", id, strings.Join(elsewhere, ", "))
		case nearest(id, madeIn[project]) != "":
			msg += "; did you mean " + nearest(id, madeIn[project]) + "?"
		case len(madeIn[project]) > 0:
			msg += fmt.Sprintf("; project %d's payments are %s", project, strings.Join(madeIn[project], ", "))
		}
		return msg
	}
	var ps []Problem
	for _, st := range steps {
		s, _ := decodeStep(st.raw)
		var r *ref
		switch {
		case s.NoCallback != nil:
			r = &s.NoCallback.ref
		case s.CheckDeposit != nil && s.CheckDeposit.Count != nil && *s.CheckDeposit.Count == 0:
			r = &s.CheckDeposit.ref
		}
		if r != nil && !strings.Contains(r.Payment, "${") && !made[r.Payment] {
			ps = append(ps, Problem{lines.at(fmt.Sprintf("/steps/%d/%s/payment", st.Number-1, st.Kind)),
				fmt.Sprintf("%s: %s", st.Title(), unmade(r.Payment, "this check cannot fail"))})
		}
	}
	for _, sc := range merchantScripts(spec, steps) {
		for kind, r := range sc.m.replies() {
			if r == nil {
				continue
			}
			at := sc.at + "/" + kind + "/payments"
			for id := range r.Payments {
				switch {
				case !made[id]:
					ps = append(ps, Problem{lines.at(at + "/" + id), fmt.Sprintf("%s: %s", readablePointer(at), unmade(id, "this reply is never used"))})
				case sc.project != 0 && !slices.Contains(madeIn[sc.project], id):
					ps = append(ps, Problem{lines.at(at + "/" + id), fmt.Sprintf("%s: %s", readablePointer(at), unmadeIn(sc.project, id))})
				}
			}
		}
	}
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
	return ps
}

// oneDocument checks that a file holds one YAML document: the parser reads
// the first only, and a scenario after a --- would never run.
func oneDocument(f *ast.File) (Problem, bool) {
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) < 2 {
		return Problem{}, true
	}
	second := docs[1]
	p := Problem{Line: second.Body.GetToken().Position.Line}
	at := ""
	if second.Start != nil {
		at = fmt.Sprintf(" (--- at line %d)", second.Start.Position.Line)
	}
	p.Message = fmt.Sprintf("a file holds one scenario, and this one holds %d YAML documents%s: put each in a file of its own", len(docs), at)
	return p, false
}

// yamlProblem turns a YAML error into a problem at its line.
func yamlProblem(err error) Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return Problem{ye.GetToken().Position.Line, "YAML: " + ye.GetMessage()}
	}
	return Problem{Message: "YAML: " + err.Error()}
}

// schemaProblems lists what the schema refused, each at its line: every
// error, except that of alternatives (anyOf, oneOf) only those that got
// deepest into the value count, joined with "or". A key the schema does not
// know is reported at its own line, with the keys allowed there.
func (l *Loader) schemaProblems(ve *jsonschema.ValidationError, lines lineIndex, inst any) ([]Problem, map[int]bool) {
	byPlace := map[string][]string{}
	var order []string
	steps := map[int]bool{}
	for _, lf := range l.leaves(ve, inst) {
		if len(lf.at) >= 2 && lf.at[0] == "steps" {
			if i, err := strconv.Atoi(lf.at[1]); err == nil {
				steps[i] = true
			}
		}
		ptr := "/" + strings.Join(lf.at, "/")
		if _, ok := byPlace[ptr]; !ok {
			order = append(order, ptr)
		}
		if !slices.Contains(byPlace[ptr], lf.msg) {
			byPlace[ptr] = append(byPlace[ptr], lf.msg)
		}
	}
	slices.SortStableFunc(order, func(a, b string) int { return lines.at(a) - lines.at(b) })
	ps := make([]Problem, 0, len(order))
	for _, ptr := range order {
		ps = append(ps, Problem{lines.at(ptr), fmt.Sprintf("%s: %s", readablePointer(ptr), strings.Join(byPlace[ptr], "; "))})
	}
	return ps, steps
}

// leaf is one thing the schema refused, at a place of the file.
type leaf struct {
	at  []string
	msg string
}

// leaves flattens a validation error into what a person must fix.
func (l *Loader) leaves(e *jsonschema.ValidationError, inst any) []leaf {
	if len(e.Causes) == 0 {
		return l.describe(e, inst)
	}
	if pn, ok := e.ErrorKind.(*kind.PropertyNames); ok {
		// The key was checked on its own, so its causes are placed at the
		// file's start, and the validator does not keep where the object
		// holding it is: find it by the name of the definition
		// (#/$defs/methods: every "methods" object holding the key).
		_, def, _ := strings.Cut(e.SchemaURL, "#/$defs/")
		def, _, _ = strings.Cut(def, "/")
		var out []leaf
		for _, c := range e.Causes {
			for _, lf := range l.leaves(c, pn.Property) {
				for _, at := range keyPlaces(inst, nil, def, pn.Property) {
					out = append(out, leaf{at, lf.msg})
				}
			}
		}
		return out
	}
	var all [][]leaf
	for _, c := range e.Causes {
		all = append(all, l.leaves(c, inst))
	}
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
	default:
		return slices.Concat(all...)
	}
	// Alternatives: what the one that got furthest wanted, joined with "or"
	// where several got as far.
	depth := func(ls []leaf) int {
		d := 0
		for _, lf := range ls {
			d = max(d, len(lf.at))
		}
		return d
	}
	best := 0
	for _, ls := range all {
		best = max(best, depth(ls))
	}
	var out []leaf
	for _, ls := range all {
		if depth(ls) < best {
			continue
		}
		for _, lf := range ls {
			i := slices.IndexFunc(out, func(o leaf) bool { return slices.Equal(o.at, lf.at) })
			switch {
			case i < 0:
				out = append(out, lf)
			case !strings.Contains(out[i].msg, lf.msg):
				out[i].msg += "; or " + lf.msg
			}
		}
	}
	return out
}

// keyPlaces returns where in v, which is at, an object under a key named
// parent has the key key.
func keyPlaces(v any, at []string, parent, key string) [][]string {
	var out [][]string
	switch v := v.(type) {
	case map[string]any:
		for k, w := range v {
			if obj, ok := w.(map[string]any); ok && k == parent {
				if _, ok := obj[key]; ok {
					out = append(out, append(slices.Clone(at), k, key))
				}
			}
			out = append(out, keyPlaces(w, append(slices.Clone(at), k), parent, key)...)
		}
	case []any:
		for i, w := range v {
			out = append(out, keyPlaces(w, append(slices.Clone(at), strconv.Itoa(i)), parent, key)...)
		}
	}
	return out
}

// describe says what one error of the schema means for the file.
func (l *Loader) describe(e *jsonschema.ValidationError, inst any) []leaf {
	switch k := e.ErrorKind.(type) {
	case *kind.Pattern:
		if strings.Contains(k.Want, "(ns|us|ms|s|m|h)") {
			return []leaf{{e.InstanceLocation, fmt.Sprintf("%q is not a duration: write it like 500ms, 30s, 90m, 72h, 10d or 1d12h", k.Got)}}
		}
	case *kind.Type:
		if strings.HasSuffix(e.SchemaURL, "#/$defs/duration") {
			return []leaf{{e.InstanceLocation, fmt.Sprintf("%s is not a duration: write it with its unit, like 500ms, 30s, 90m, 72h, 10d or 1d12h", show(valueAt(inst, e.InstanceLocation)))}}
		}
		if strings.HasSuffix(e.SchemaURL, "#/$defs/paymentID") && k.Got == "number" {
			v := show(valueAt(inst, e.InstanceLocation))
			return []leaf{{e.InstanceLocation, fmt.Sprintf("%s is a number, and a payment ID is a string: quote it, %q", v, v)}}
		}
	case *kind.Enum:
		if got, ok := k.Got.(string); ok {
			var want []string
			for _, w := range k.Want {
				if w, ok := w.(string); ok {
					want = append(want, w)
				}
			}
			msg := fmt.Sprintf("%q is not one of %s", got, strings.Join(want, ", "))
			if n := nearest(got, want); n != "" {
				msg = fmt.Sprintf("%q is not one of the values here; did you mean %q? (%s)", got, n, strings.Join(want, ", "))
			}
			return []leaf{{e.InstanceLocation, msg}}
		}
	case *kind.AdditionalProperties:
		allowed := l.properties(e.SchemaURL)
		obj, _ := valueAt(inst, e.InstanceLocation).(map[string]any)
		var empty []string // keys without a value: what the unknown keys may belong under
		for k, v := range obj {
			if v == nil && slices.Contains(allowed, k) {
				empty = append(empty, k)
			}
		}
		slices.Sort(empty)
		out := make([]leaf, 0, len(k.Properties))
		for _, p := range k.Properties {
			msg := "not a key here"
			switch {
			case p == "project" && slices.Equal(e.InstanceLocation, []string{"merchant"}):
				msg += "; the merchant at the top answers every project: put one project's answers under its entry in projects (projects: [{id: 9001, secret: …, merchant: {callbacks: …}}])"
				out = append(out, leaf{append(slices.Clone(e.InstanceLocation), p), msg})
				continue
			case len(empty) == 1:
				msg += fmt.Sprintf("; is it %s's? Indent it under %s:", empty[0], empty[0])
			case nearest(p, allowed) != "":
				msg += "; did you mean " + nearest(p, allowed) + "?"
			case l.misplaced(e.InstanceLocation, p, obj) != "":
				out = append(out, leaf{append(slices.Clone(e.InstanceLocation), p), msg + "; " + l.misplaced(e.InstanceLocation, p, obj)})
				continue
			}
			if len(allowed) > 0 && len(empty) != 1 {
				msg += " (allowed here: " + strings.Join(allowed, ", ") + ")"
			}
			out = append(out, leaf{append(slices.Clone(e.InstanceLocation), p), msg})
		}
		return out
	}
	return []leaf{{e.InstanceLocation, e.ErrorKind.LocalizedString(l.printer) + shapeHint(e)}}
}

// shapeHint says what the schema's words mean where a file is not shaped
// as a scenario: the file itself, its steps, a step.
func shapeHint(e *jsonschema.ValidationError) string {
	at := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		switch {
		case len(at) == 0 && k.Got == "array":
			return ": a scenario file is a mapping of name, steps and the like, not a list; the list of steps goes under steps: (scenarios/README.md has a file to copy)"
		case len(at) == 0:
			return ": a scenario file is a mapping of name, steps and the like, not a " + jsonKind(k.Got) + " (scenarios/README.md has a file to copy)"
		case len(at) == 1 && at[0] == "steps":
			return ": write the steps as a list, each step on lines of its own, the first starting with \"- \", such as - gate: {sale: oxxo, payment_id: order-1}"
		case len(at) == 2 && at[0] == "steps":
			return ": a step is a mapping of its action and the action's values, such as gate: {sale: oxxo, payment_id: order-1}"
		case len(at) == 3 && at[0] == "steps" && slices.Contains(kinds, at[2]) && k.Got != "null":
			example := map[string]string{"gate": "{sale: oxxo, payment_id: order-1}", "page": "{get: /providers/oxxo/terminal}",
				"clock": "{advance: 1h}", "merchant": "{callbacks: {status: 500}}"}[at[2]]
			if example == "" {
				example = "{payment: order-1}"
			}
			return fmt.Sprintf(": %s takes a mapping of its values, such as %s: %s", at[2], at[2], example)
		}
	case *kind.Required:
		if len(at) == 0 {
			return ": a scenario has a name (its line in the report) and steps (what happens, in order)"
		}
	case *kind.MinItems:
		if len(at) == 1 && at[0] == "steps" {
			return ": a scenario has at least one step"
		}
	}
	return ""
}

// jsonKind names a JSON type as a person would.
func jsonKind(t string) string {
	if t == "string" {
		return "text"
	}
	return t
}

// misplaced says where a key that is not one of the object at loc (obj)
// belongs, when it is a key of a step, of its action or of its expect one
// level off: "" when it is none of those.
func (l *Loader) misplaced(loc []string, key string, obj map[string]any) string {
	if len(loc) < 2 || loc[0] != "steps" {
		return ""
	}
	const step = "#/$defs/step"
	expect := l.properties("#/$defs/expect")
	switch {
	case len(loc) == 2:
		for _, k := range kinds {
			if _, ok := obj[k]; ok && slices.Contains(l.properties(step+"/properties/"+k), key) {
				return fmt.Sprintf("%s belongs to %s: write it in %s's mapping (%s: {…, %s: …})", key, k, k, k, key)
			}
		}
		if slices.Contains(expect, key) {
			return fmt.Sprintf("%s is a check: write it under the step's expect (expect: {%s: …})", key, key)
		}
	case len(loc) == 3 && loc[2] == "expect":
		return fmt.Sprintf("expect's body holds what the step got: write expect: {body: {%s: …}}", key)
	case len(loc) == 3 && slices.Contains(kinds, loc[2]):
		switch {
		case slices.Contains(l.properties(step), key):
			return fmt.Sprintf("%s belongs to the step, beside %s: write it on a line of its own, indented as %s is", key, loc[2], loc[2])
		case slices.Contains(expect, key):
			return fmt.Sprintf("%s is a check: write it under the step's expect, beside %s (expect: {%s: …})", key, loc[2], key)
		}
	}
	return ""
}

// properties lists the keys the schema at url (schema.json#/$defs/step)
// names, in order.
func (l *Loader) properties(url string) []string {
	_, frag, _ := strings.Cut(url, "#")
	cur := l.doc
	for _, p := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if p == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(p)]
	}
	m, _ := cur.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// valueAt returns the part of a JSON value at a location.
func valueAt(v any, at []string) any {
	for _, p := range at {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// readablePointer writes /steps/3/gate as steps[3].gate (step 4).
func readablePointer(ptr string) string {
	if ptr == "/" || ptr == "" {
		return "the file"
	}
	var b strings.Builder
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	s := b.String()
	if len(parts) >= 2 && parts[0] == "steps" {
		if n, err := strconv.Atoi(parts[1]); err == nil {
			s += fmt.Sprintf(" (step %d)", n+1)
		}
	}
	return s
}

// lineIndex maps JSON pointers of a YAML file to their lines.
type lineIndex map[string]int

func indexLines(f *ast.File) lineIndex {
	idx := lineIndex{}
	if len(f.Docs) == 0 {
		return idx
	}
	var walk func(ptr string, n ast.Node)
	walk = func(ptr string, n ast.Node) {
		if n == nil {
			return
		}
		if _, ok := idx[ptr]; !ok && n.GetToken() != nil {
			idx[ptr] = n.GetToken().Position.Line
		}
		switch n := n.(type) {
		case *ast.MappingNode:
			for _, mv := range n.Values {
				walk(ptr, mv)
			}
		case *ast.MappingValueNode:
			key := ptr + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(n.Key.GetToken().Value)
			idx[key] = n.Key.GetToken().Position.Line
			walk(key, n.Value)
		case *ast.SequenceNode:
			for i, v := range n.Values {
				walk(ptr+"/"+strconv.Itoa(i), v)
			}
		case *ast.AnchorNode:
			walk(ptr, n.Value)
		case *ast.TagNode:
			walk(ptr, n.Value)
		}
	}
	walk("", f.Docs[0].Body)
	return idx
}

// at returns the line of a pointer, or of its nearest ancestor.
func (idx lineIndex) at(ptr string) int {
	for {
		if l, ok := idx[ptr]; ok {
			return l
		}
		i := strings.LastIndex(ptr, "/")
		if i < 0 {
			return 0
		}
		ptr = ptr[:i]
	}
}

// problems turns what the checks before a run found (placed at pointers)
// into problems at their lines, each naming where it is.
func (idx lineIndex) problems(found []placed) []Problem {
	ps := make([]Problem, len(found))
	for i, p := range found {
		ps[i] = Problem{idx.at(p.ptr), fmt.Sprintf("%s: %s", readablePointer(p.ptr), p.msg)}
	}
	return ps
}

// fileSpec is a scenario file as the schema describes it.
type fileSpec struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Sandbox     struct {
		Seed            uint64                                `json:"seed"`
		Start           string                                `json:"start"`
		CallbackTimeout duration                              `json:"callback_timeout"`
		Methods         map[string]sandboxtest.MethodSettings `json:"methods"`
	} `json:"sandbox"`
	Projects []map[string]any `json:"projects"`
	Merchant *merchantSpec    `json:"merchant"`
	Steps    []map[string]any `json:"steps"`
}
