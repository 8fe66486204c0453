package scenarios

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

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

	spec fileSpec
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
	schema  *jsonschema.Schema
	printer *message.Printer
}

// NewLoader compiles the schema.
func NewLoader() (*Loader, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("scenarios: schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, fmt.Errorf("scenarios: schema.json: %w", err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		return nil, fmt.Errorf("scenarios: schema.json: %w", err)
	}
	return &Loader{schema: sch, printer: message.NewPrinter(language.English)}, nil
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
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return fail(yamlProblem(err))
	}
	lines := indexLines(f)
	var doc any
	if err := yaml.UnmarshalWithOptions(data, &doc); err != nil {
		return fail(yamlProblem(err))
	}
	inst, err := normalize(doc)
	if err != nil {
		return fail(Problem{Message: "cannot read the file as JSON values: " + err.Error()})
	}
	if err := l.schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return fail(Problem{Message: err.Error()})
		}
		return fail(l.schemaProblems(ve, lines)...)
	}
	raw, _ := json.Marshal(inst)
	var spec fileSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fail(Problem{Message: err.Error()})
	}
	sc := &Scenario{File: file, Name: spec.Name, Description: spec.Description, Line: lines.at("/name"), spec: spec}
	var problems []Problem
	for i, raw := range spec.Steps {
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
		sc.Steps = append(sc.Steps, st)
	}
	if len(problems) > 0 {
		return fail(problems...)
	}
	return sc, nil
}

// yamlProblem turns a YAML error into a problem at its line.
func yamlProblem(err error) Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return Problem{ye.GetToken().Position.Line, "YAML: " + ye.GetMessage()}
	}
	return Problem{Message: "YAML: " + err.Error()}
}

// schemaProblems lists what the schema refused, the most precise first:
// for each place the deepest errors, and alternatives joined with "or".
func (l *Loader) schemaProblems(ve *jsonschema.ValidationError, lines lineIndex) []Problem {
	type leaf struct {
		at  []string
		msg string
	}
	var leaves []leaf
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			msg := e.ErrorKind.LocalizedString(l.printer)
			if p, ok := e.ErrorKind.(*kind.Pattern); ok && strings.Contains(p.Want, "(ns|us|ms|s|m|h)") {
				msg = fmt.Sprintf("%q is not a duration: write it like 500ms, 30s, 90m, 72h, 10d or 1d12h", p.Got)
			}
			leaves = append(leaves, leaf{e.InstanceLocation, msg})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	// Keep, under each step or top-level key, only the deepest errors:
	// the others are what an alternative (anyOf) would have wanted.
	deepest := map[string]int{}
	group := func(at []string) string { return strings.Join(at[:min(len(at), 2)], "/") }
	for _, lf := range leaves {
		deepest[group(lf.at)] = max(deepest[group(lf.at)], len(lf.at))
	}
	byPlace := map[string][]string{}
	var order []string
	for _, lf := range leaves {
		if len(lf.at) < deepest[group(lf.at)] {
			continue
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
		ps = append(ps, Problem{lines.at(ptr), fmt.Sprintf("%s: %s", readablePointer(ptr), strings.Join(byPlace[ptr], "; or "))})
	}
	return ps
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
