package app

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Config is what a config file holds (README.md "Running it", docs/methods.md
// "Settings"): projects and method settings.
type Config struct {
	Projects []platform.Project                 `yaml:"projects"`
	Methods  map[string]platform.MethodSettings `yaml:"methods"`
}

// LoadConfig reads and checks a config file; an empty path is no file.
func LoadConfig(path string, methods []platform.Method) (Config, error) {
	var cfg Config
	if path == "" {
		return cfg, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw), yaml.DisallowUnknownField())
	if err := dec.Decode(&cfg); err != nil {
		if where := badDuration(raw); where != "" {
			return cfg, fmt.Errorf("config file %s: %s", path, where)
		}
		return cfg, fmt.Errorf("config file %s: %s", path, yaml.FormatError(err, false, true))
	}
	known := map[string]bool{}
	var codes []string
	for _, m := range methods {
		known[m.Code] = true
		codes = append(codes, m.Code)
	}
	check := func(where string, ms map[string]platform.MethodSettings) error {
		for code := range ms {
			if !known[code] {
				return fmt.Errorf("config file %s: %s names method %q; the methods are %v", path, where, code, codes)
			}
		}
		return nil
	}
	if err := check("methods", cfg.Methods); err != nil {
		return cfg, err
	}
	seen := map[int64]bool{}
	for i, p := range cfg.Projects {
		if err := platform.ValidateProject(p); err != nil {
			return cfg, fmt.Errorf("config file %s: projects[%d]: %w", path, i, configDetail(err))
		}
		if seen[p.ID] {
			return cfg, fmt.Errorf("config file %s: projects[%d]: project %d is listed twice", path, i, p.ID)
		}
		seen[p.ID] = true
		if err := check(fmt.Sprintf("projects[%d].methods", i), p.Methods); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// configDetail returns err as a config file's reader needs it: a
// platform.Error without the code and message the control API answers
// with ("1 Invalid request"), which mean nothing in a file, only what is
// wrong and how to fix it. Any other error is returned as it is.
func configDetail(err error) error {
	if pe, ok := err.(*platform.Error); ok && pe.Detail != "" && pe.Err == nil {
		return &detailError{pe}
	}
	return err
}

// detailError is a platform.Error that reads as its detail alone.
type detailError struct{ err *platform.Error }

func (e *detailError) Error() string { return e.err.Detail }
func (e *detailError) Unwrap() error { return e.err }

// badDuration finds a timeout in a config file's text that is no duration
// and says where it is, or returns "". The YAML decoder reports such a
// value, which platform.Duration refuses, without its line or key.
func badDuration(raw []byte) string {
	file, err := parser.ParseBytes(raw, 0)
	if err != nil {
		return ""
	}
	for _, n := range ast.FilterFile(ast.MappingValueType, file) {
		mv, ok := n.(*ast.MappingValueNode)
		if !ok || mv.Key == nil || mv.Key.String() != "timeout" || mv.Value == nil {
			continue
		}
		v := mv.Value.String()
		if s, ok := mv.Value.(ast.ScalarNode); ok {
			v = fmt.Sprint(s.GetValue()) // without a string's quotes
		}
		if _, err := time.ParseDuration(v); err == nil {
			continue
		}
		pos := mv.Value.GetToken().Position
		return fmt.Sprintf("line %d, column %d: timeout %s is not a duration: write it with its unit, such as 90s, 30m or 72h",
			pos.Line, pos.Column, v)
	}
	return ""
}
