package scenarios_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// run runs paths and returns the report and the output.
func run(t *testing.T, r *scenarios.Runner, paths ...string) (*scenarios.Report, string) {
	t.Helper()
	var out bytes.Buffer
	r.Out = &out
	rep, err := r.Run(context.Background(), paths)
	require.NoError(t, err)
	return rep, out.String()
}

// TestScenariosThatMustFail runs scenarios that are wrong about the
// sandbox: each fails, naming its file, the step with its line, and what
// differs.
func TestScenariosThatMustFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"callback-body.yaml", []string{
			`step 2 (callback) "the decline" at testdata/failing/callback-body.yaml:9`,
			`the callback of eur-1 (status "decline") differs from expect.body in 1 place:`,
			`operation.code: want "20101" (a string), got "20000" (a string)`,
			"got (where expected names it):",
		}},
		{"no-callback-in-time.yaml", []string{
			`step 3 (callback) "the voucher lapses" at testdata/failing/no-callback-in-time.yaml:7`,
			`payment o-1 got no callback with status "decline" that the merchant accepted within 9d of sandbox time (2026-01-05T09:00:00Z to 2026-01-14T09:00:00Z)`,
		}},
		{"gate-status.yaml", []string{
			"step 1 (gate) at testdata/failing/gate-status.yaml:5",
			"the answer of POST /v2/payment/voucher/oxxo/sale has status 400; want a success",
			`"code": "3261"`,
		}},
		{"retry-spacing.yaml", []string{
			"step 3 (delivery) at testdata/failing/retry-spacing.yaml:9",
			"spacing: want [10s, 10s, 10s, 10s, 10s, 1m, 1m], got [10s, 10s, 10s, 10s, 10s, 1m24s, 1m26s]",
		}},
		{"page-text.yaml", []string{
			"step 3 (page) at testdata/failing/page-text.yaml:8",
			`text: want to contain "Bitcoin accepted", got no such text`,
		}},
		{"unknown-variable.yaml", []string{
			"testdata/failing/unknown-variable.yaml:9: steps[1].expect.body.operations[0].request_id (step 2): ${request} is not known here: capture it in an earlier step; known here are merchant, rid, sandbox",
		}},
		{"callback-of-no-payment.yaml", []string{
			`step 2 (callback) "a typo of order-1" at testdata/failing/callback-of-no-payment.yaml:4`,
			`payment order-2 got no callback that the merchant accepted within 1d of sandbox time (2026-01-05T09:00:00Z to 2026-01-06T09:00:00Z); the merchant received no callback of it; project 842 has no payment "order-2"; did you mean order-1?`,
		}},
		{"unexpected-callback.yaml", []string{
			"step 2 (no_callback) at testdata/failing/unexpected-callback.yaml:6",
			"payment o-1 got 1 callback(s) it should not have:",
			`status "awaiting redirect result" (answered 200)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			rep, out := run(t, &scenarios.Runner{}, filepath.Join("testdata", "failing", tt.file))
			require.Len(t, rep.Results, 1)
			assert.Equal(t, 0, rep.Passed)
			assert.Equal(t, 1, rep.Failed)
			assert.True(t, strings.HasPrefix(out, "FAIL  testdata/failing/"+tt.file), out)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.True(t, strings.HasSuffix(out, "\n0 passed, 1 failed\n"), out)
		})
	}
}

// TestFilesThatCannotRun: a file the schema or the YAML parser refuses
// fails with every problem at its line, and runs nothing.
func TestFilesThatCannotRun(t *testing.T) {
	t.Parallel()
	rep, out := run(t, &scenarios.Runner{}, filepath.Join("testdata", "invalid"))
	assert.Equal(t, 5, rep.Failed)
	for _, w := range []string{
		"testdata/invalid/bad-types.yaml:3: projects[0].id: got string, want integer",
		`testdata/invalid/bad-types.yaml:5: steps[0].callback.within (step 1): "3 days" is not a duration`,
		"testdata/invalid/no-steps.yaml:1: the file: missing properties 'name', 'steps'",
		"testdata/invalid/syntax.yaml:4: YAML:",
		"testdata/invalid/two-actions.yaml:3: step 1 has gate and pay: a step does one thing",
		"testdata/invalid/unknown-key.yaml:4: steps[1].callback.statuss (step 2): not a key here; did you mean status? (allowed here: payment, project, status, within)",
	} {
		assert.Contains(t, out, w)
	}
	assert.True(t, strings.HasSuffix(out, "\n0 passed, 5 failed\n"), out)
}

func TestLoaderChecksWhatTheSchemaCannot(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	tests := []struct {
		name, yaml, want string
	}{
		{"no action", "name: x\nsteps:\n  - name: nothing\n", "f.yaml:3: step 1 does nothing"},
		{"gate without endpoint", "name: x\nsteps:\n  - gate: {payment_id: a}\n", "f.yaml:3: step 1 (gate): gate needs one of clarification, path, refund, sale, status"},
		{"sale without id", "name: x\nsteps:\n  - gate: {sale: oxxo}\n", "a sale needs its payment_id"},
		{"fill without click", "name: x\nsteps:\n  - page: {fill: {a: b}, choose: oxxo}\n", "fill goes with the click"},
		{"pay input beside a field", "name: x\nsteps:\n  - pay: {payment: a, channel: bank, input: {answer: pay}}\n", "pay.input is the whole pay input: write the other fields in it"},
		{"status of a check", "name: x\nsteps:\n  - callback: {payment: a}\n    expect: {status: 200}\n", "a callback step has none"},
		{"two clock moves", "name: x\nsteps:\n  - clock: {advance: 1h, freeze: true}\n", "clock takes one of advance, freeze, set, unfreeze, not advance and freeze together"},
		{"regex with two groups", "name: x\nsteps:\n  - state: {payment: a}\n    capture: {v: {path: x, regex: '(a)(b)'}}\n", "the regex has 2 groups"},
		{"a delivery's wait for nothing", "name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n  - delivery: {payment: a, within: 1m}\n",
			"f.yaml:4: step 2 (delivery): delivery.within moves the clock until the callback has the status or attempts the step gives: give one (status: delivered, say)"},
		{"redirect not captured", "name: x\nsteps:\n  - page: {redirect: somewhere}\n", "capture it (capture: {to: redirect_data})"},
		{"no_callback of a payment no step makes", "name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: order-1}\n  - no_callback: {payment: ordr-1}\n",
			`f.yaml:4: step 2 (no_callback): no gate or page step makes payment "ordr-1", so this check cannot fail; did you mean order-1?`},
		{"no check_deposit of a payment no step makes", "name: x\nsteps:\n  - gate: {sale: eco-voucher, payment_id: e-1}\n  - check_deposit: {payment: eco-gone, count: 0}\n",
			`f.yaml:4: step 2 (check_deposit): no gate or page step makes payment "eco-gone", so this check cannot fail; the scenario's payments are e-1`},
		{"the merchant's script for a payment no step makes", "name: x\nmerchant:\n  callbacks:\n    payments:\n      ordr-1: {status: 500}\nsteps:\n  - gate: {sale: oxxo, payment_id: order-1}\n",
			`f.yaml:5: merchant.callbacks.payments: no gate or page step makes payment "ordr-1", so this reply is never used; did you mean order-1?`},
		{"a project's reply for a payment of another project",
			"name: x\nprojects:\n  - {id: 842, secret: a}\n  - id: 9001\n    secret: b\n    merchant:\n      callbacks:\n        payments:\n          order-1: {status: 500}\nsteps:\n  - gate: {sale: oxxo, payment_id: order-1}\n",
			`f.yaml:9: projects[1].merchant.callbacks.payments: no gate or page step makes payment "order-1" in project 9001, so this reply is never used; order-1 is a payment of project 842: script it under that project, or under the top-level merchant for every project`},
		{"a project's reply for a typo of its payment",
			"name: x\nprojects:\n  - id: 842\n    secret: a\n    merchant: {check_deposit: {payments: {eco-l: {code: 5}}}}\nsteps:\n  - gate: {sale: eco-voucher, payment_id: eco-1}\n",
			`f.yaml:5: projects[0].merchant.check_deposit.payments: no gate or page step makes payment "eco-l", so this reply is never used; did you mean eco-1?`},
		{"a merchant step's reply for a payment of another project",
			"name: x\nprojects:\n  - {id: 842, secret: a}\n  - {id: 9001, secret: b}\nsteps:\n  - gate: {sale: oxxo, payment_id: order-1, project: 9001}\n  - gate: {sale: oxxo, payment_id: order-2, project: 9001}\n  - merchant: {project: 842, callbacks: {payments: {order-1: {status: 200}}}}\n",
			`f.yaml:8: steps[2].merchant.callbacks.payments (step 3): no gate or page step makes payment "order-1" in project 842, so this reply is never used; order-1 is a payment of project 9001: script it under that project`},
		{"a project at the top-level merchant", "name: x\nmerchant: {project: 9001, callbacks: {status: 500}}\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n",
			"f.yaml:2: merchant.project: not a key here; the merchant at the top answers every project: put one project's answers under its entry in projects (projects: [{id: 9001, secret: …, merchant: {callbacks: …}}])"},
		{"a typo in a merchant step", "name: x\nsteps:\n  - merchant: {project: 842, callback: {status: 500}}\n",
			"f.yaml:3: steps[0].merchant.callback (step 1): not a key here; did you mean callbacks? (allowed here: callbacks, check_deposit, project)"},
		{"two documents", "name: x\nsteps:\n  - state: {payment: a}\n---\nname: y\nsteps:\n  - state: {payment: b}\n",
			"f.yaml:5: a file holds one scenario, and this one holds 2 YAML documents (--- at line 4): put each in a file of its own"},
		{"bad start", "name: x\nsandbox: {start: yesterday}\nsteps:\n  - state: {payment: a}\n", "f.yaml:2: sandbox.start: 'yesterday' is not valid date-time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Parse("f.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	for _, fine := range []string{
		"name: a refused sale sends no callback\nsteps:\n  - gate: {sale: pix, payment_id: p-1}\n    expect: {status: 400}\n  - no_callback: {payment: p-1}\n",
		"name: captured IDs are not known before the run\nsteps:\n  - state: {payment: a}\n    capture: {id: payment_id}\n  - gate: {sale: oxxo, payment_id: '${id}'}\n  - no_callback: {payment: other}\n",
		"---\nname: a document that starts with ---\nsteps:\n  - state: {payment: a}\n",
		"name: keys starting with x- hold anchors\nx-sum: &sum {amount: 1, currency: MXN}\nsteps:\n  - gate: {sale: oxxo, payment_id: a, body: {payment: *sum}}\n",
		"name: a payment of a page\nmerchant: {callbacks: {payments: {pp-1: {status: 500}}}}\nsteps:\n  - page: {open: {payment_id: pp-1}}\n  - no_callback: {payment: pp-1}\n",
		"name: one project's merchant\nprojects:\n  - {id: 842, secret: a}\n  - {id: 9001, secret: b, merchant: {callbacks: {status: 500, payments: {pp-1: {status: 503}}}}}\nsteps:\n  - page: {open: {payment_id: pp-1, project: 9001}}\n  - merchant: {project: 9001, callbacks: {payments: {pp-1: {status: 200}}}}\n",
	} {
		_, err := l.Parse("f.yaml", []byte(fine))
		assert.NoError(t, err, fine)
	}
	sc, err := l.Parse("f.yaml", []byte("name: fine\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n  - callback: {payment: a}\n"))
	require.NoError(t, err)
	require.Len(t, sc.Steps, 2)
	assert.Equal(t, 4, sc.Steps[1].Line)
	assert.Equal(t, "callback", sc.Steps[1].Kind)
}

// TestSchemaProblemsSayWhereAndWhatWasMeant: a key the schema does not know
// is reported at its own line with the keys allowed there and the one most
// like it, and no problem hides another.
func TestSchemaProblemsSayWhereAndWhatWasMeant(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"top-level typo", "name: x\nproject:\n  - {id: 1, secret: s}\nsteps:\n  - state: {payment: a}\n", []string{
			"f.yaml:2: project: not a key here; did you mean projects? (allowed here: description, merchant, name, projects, sandbox, steps)",
		}},
		{"step typo", "name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n  - callbak: {payment: a}\n", []string{
			"f.yaml:4: steps[1].callbak (step 2): not a key here; did you mean callback? (allowed here: callback, capture, check_deposit, clock",
		}},
		{"expect typo", "name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n    expect:\n      stauts: 400\n", []string{
			"f.yaml:5: steps[0].expect.stauts (step 1): not a key here; did you mean status?",
		}},
		{"keys under an action indented as its siblings", "name: x\nsteps:\n  - gate:\n    sale: oxxo\n    payment_id: a\n", []string{
			"f.yaml:3: steps[0].gate (step 1): got null, want object",
			"f.yaml:4: steps[0].sale (step 1): not a key here; is it gate's? Indent it under gate:",
			"f.yaml:5: steps[0].payment_id (step 1): not a key here; is it gate's? Indent it under gate:",
		}},
		{"a typo of a status", "name: x\nsteps:\n  - callback: {payment: a, status: sucess}\n", []string{
			`f.yaml:3: steps[0].callback.status (step 1): "sucess" is not one of the values here; did you mean "success"? (processing, awaiting redirect result, awaiting clarification, success, decline, refunded, error)`,
		}},
		{"a typo of a method's code in settings", "name: x\nsandbox:\n  methods:\n    oxo: {variant: 3days}\nprojects:\n  - id: 9\n    secret: s\n    methods: {rapipgo: {max_amount: 5}}\nsteps:\n  - state: {payment: a}\n", []string{
			`f.yaml:4: sandbox.methods.oxo: "oxo" is not one of the values here; did you mean "oxxo"? (` + strings.Join(sandboxtest.MethodCodes(), ", ") + ")",
			`f.yaml:8: projects[0].methods.rapipgo: "rapipgo" is not one of the values here; did you mean "rapipago"?`,
		}},
		{"a capture's name that is no name", "name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n    capture: {1bad: payment.id}\n", []string{
			`f.yaml:4: steps[0].capture.1bad (step 1): '1bad' does not match pattern`,
		}},
		{"a number for a duration", "name: x\nsteps:\n  - no_callback: {payment: a, within: 30}\n", []string{
			"f.yaml:3: steps[0].no_callback.within (step 1): 30 is not a duration: write it with its unit, like 500ms, 30s",
		}},
		{"an empty file", "\n# nothing yet\n", []string{"f.yaml: the file is empty: a scenario has a name and steps"}},
		{"a schema problem and a step that does two things", "steps:\n  - callback: {payment: a, within: soon}\n  - gate: {sale: oxxo, payment_id: a}\n    pay: {payment: a}\n", []string{
			"f.yaml:1: the file: missing property 'name'",
			`f.yaml:2: steps[0].callback.within (step 1): "soon" is not a duration`,
			"f.yaml:3: step 2 has gate and pay: a step does one thing",
		}},
		{"problems in two places of one step", "name: x\nsteps:\n  - callback: {payment: a, within: soon}\n    expect: {status: ok}\n", []string{
			`f.yaml:3: steps[0].callback.within (step 1): "soon" is not a duration`,
			"f.yaml:4: steps[0].expect.status (step 1): got string, want integer",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := l.Parse("f.yaml", []byte(tt.yaml))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestScenarioOutOfTimeOrInterrupted: a scenario that runs past its time,
// or a run that is interrupted, says which, at the step it was on, and how
// to make the scenario quicker; scenarios that passed stay in the report.
func TestScenarioOutOfTimeOrInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	quick := filepath.Join(dir, "a-quick.yaml")
	require.NoError(t, os.WriteFile(quick, []byte("name: quick\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n"), 0o644))
	slow := filepath.Join(dir, "b-slow.yaml")
	require.NoError(t, os.WriteFile(slow, []byte(`name: a merchant that never answers
merchant:
  callbacks: {silent: true}
steps:
  - gate: {sale: oxxo, payment_id: a}
  - callback: {payment: a, within: 1h}
`), 0o644))

	// The two waits overlap: each run starts sandboxes of its own.
	t.Run("out of time", func(t *testing.T) {
		t.Parallel()
		// The slow one waits 10 s for each of its callback's attempts; the
		// timeout leaves room for a busy machine under -race, which took more
		// than 1.5 s to start a sandbox and put a project once (and a sale took
		// more than 3 s at a load of 10 on two cores).
		rep, out := run(t, &scenarios.Runner{Timeout: 5 * time.Second, Jobs: 1}, slow)
		require.Len(t, rep.Results, 1)
		assert.Equal(t, 1, rep.Failed, out)
		assert.Contains(t, out, "step 2 (callback) at "+slow+":6")
		assert.Contains(t, out, "the scenario ran out of time: it may run for 5s of wall time (sandbox test --timeout)")
		assert.Contains(t, out, "set sandbox.callback_timeout short")
		assert.NotContains(t, out, "did not finish within")
	})
	t.Run("interrupted", func(t *testing.T) {
		t.Parallel()
		// Interrupted four seconds after the quick one passed: the slow one
		// is then waiting in its callback step (a busy machine under -race
		// took more than a second to start its sandbox and send its sale; the
		// step waits 10 s for the merchant), and a third has not started.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		third := filepath.Join(dir, "c-third.yaml")
		require.NoError(t, os.WriteFile(third, []byte("name: third\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n"), 0o644))
		out2 := &cancelAfter{after: "ok    " + quick, cancel: func() { time.AfterFunc(4*time.Second, cancel) }}
		rep, err := (&scenarios.Runner{Out: out2, Jobs: 1}).Run(ctx, []string{quick, slow, third})
		require.NoError(t, err)
		out := out2.String()
		assert.Equal(t, 1, rep.Passed, out)
		assert.Contains(t, out, "step 2 (callback) at "+slow+":6")
		assert.Contains(t, out, "interrupted: the run was stopped before this step ended")
		assert.Contains(t, out, "SKIP  "+third+"  third  not run: the run was interrupted before it started\n")
		assert.True(t, strings.HasSuffix(out, "\n1 passed, 1 failed, 1 not run\n"), out)
		assert.Equal(t, 1, rep.NotRun)
		var junit bytes.Buffer
		require.NoError(t, scenarios.WriteJUnit(&junit, rep))
		assert.Contains(t, junit.String(), `failures="1" skipped="1"`)
		assert.Contains(t, junit.String(), `<skipped message="not run: the run was interrupted before it started"></skipped>`)
		assert.NotContains(t, out, "ran out of time")
	})
}

// cancelAfter is a report's writer that calls cancel once, when a line
// starting with after is written.
type cancelAfter struct {
	bytes.Buffer
	after  string
	cancel func()
	done   bool
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if !w.done && strings.Contains(w.String(), w.after) {
		w.done = true
		w.cancel()
	}
	return n, err
}

func TestJUnitHasOneTestCasePerScenario(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.yaml")
	require.NoError(t, os.WriteFile(pass, []byte("name: a sale is accepted\nsteps:\n  - gate: {sale: oxxo, payment_id: a}\n"), 0o644))
	rep, _ := run(t, &scenarios.Runner{}, pass, filepath.Join("testdata", "failing", "gate-status.yaml"), filepath.Join("testdata", "invalid", "syntax.yaml"))
	var b bytes.Buffer
	require.NoError(t, scenarios.WriteJUnit(&b, rep))
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				File    string `xml:"file,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc), b.String())
	require.Len(t, doc.Suites, 1)
	s := doc.Suites[0]
	assert.Equal(t, 3, s.Tests)
	assert.Equal(t, 2, s.Failures)
	require.Len(t, s.Cases, 3)
	assert.Equal(t, "a sale is accepted", s.Cases[0].Name)
	assert.Nil(t, s.Cases[0].Failure)
	require.NotNil(t, s.Cases[1].Failure)
	assert.Equal(t, "a wrong signature expected to pass", s.Cases[1].Name)
	assert.Equal(t, "gate", s.Cases[1].Failure.Type)
	assert.Contains(t, s.Cases[1].Failure.Message, "step 1 (gate) at testdata/failing/gate-status.yaml:5")
	assert.Contains(t, s.Cases[1].Failure.Text, `"code": "3261"`)
	require.NotNil(t, s.Cases[2].Failure)
	assert.Equal(t, "setup", s.Cases[2].Failure.Type)
	assert.Contains(t, s.Cases[2].Failure.Text, "syntax.yaml:4: YAML")
}

func TestFilesExpandsFoldersInOrderAndSkipsTestdata(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"b.yaml", "a.yml", "sub/c.yaml", "testdata/x.yaml", ".hidden/y.yaml", "notes.md"} {
		p := filepath.Join(dir, f)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, nil, 0o644))
	}
	files, err := scenarios.Files([]string{filepath.Join(dir, "b.yaml"), dir})
	require.NoError(t, err)
	rel := make([]string, len(files))
	for i, f := range files {
		rel[i], _ = filepath.Rel(dir, f)
	}
	assert.Equal(t, []string{"b.yaml", "a.yml", "sub/c.yaml"}, rel, "named files first, then the folder's in name order, once each")

	_, err = scenarios.Files([]string{filepath.Join(dir, "missing.yaml")})
	assert.ErrorContains(t, err, "scenario path "+filepath.Join(dir, "missing.yaml")+": no such file or folder")
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	_, err = scenarios.Files([]string{empty})
	assert.ErrorContains(t, err, "holds no .yaml or .yml file (testdata and dot folders are skipped)")
}

func TestRunFilterSelectsByNameOrFile(t *testing.T) {
	t.Parallel()
	rep, out := run(t, &scenarios.Runner{Filter: regexp.MustCompile(`signature|unknown-variable`)}, filepath.Join("testdata", "failing"))
	require.Len(t, rep.Results, 2)
	assert.Equal(t, "a wrong signature expected to pass", rep.Results[0].Name)
	assert.Equal(t, "testdata/failing/unknown-variable.yaml", rep.Results[1].File)
	assert.True(t, strings.HasSuffix(out, "\n0 passed, 2 failed\n"), out)
}

// TestFilesStartInTheOrderGiven: against a running sandbox, files start
// one at a time in input order: each file's callback takes the next
// delivery ID of the sandbox.
func TestFilesStartInTheOrderGiven(t *testing.T) {
	t.Parallel()
	host := sandboxtest.New(t)
	dir := t.TempDir()
	var files []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("%d.yaml", 3-i)) // the names sort the other way
		require.NoError(t, os.WriteFile(p, []byte(fmt.Sprintf(`name: file %d
steps:
  - gate: {sale: oxxo, payment_id: o-1}
  - callback: {payment: o-1}
  - delivery: {payment: o-1}
    expect:
      body: {id: %d}
`, i+1, i+1)), 0o644))
		files = append(files, p)
	}
	rep, out := run(t, &scenarios.Runner{Target: host.URL()}, files...)
	assert.Equal(t, 3, rep.Passed, out)
}

// TestAgainstARunningSandbox runs every shipped scenario against a running
// sandbox, as --target does against sandbox serve: the projects are put
// through the control API, the payment IDs are made unique, so the same
// files run twice, and each file starts with the clock frozen at its
// start, so that it sees the dates it sees in-process, even on a sandbox
// whose clock runs elsewhere in time; that clock runs again after the run.
//
// Against a running sandbox the files run one at a time, and those whose
// merchant holds its answer wait out the callback timeout in wall time:
// three sandboxes side by side take the files in turn, each the next one
// as it finishes one, those that wait first, so that their waits pass while
// the others run. Each file but the first three runs on a sandbox that
// earlier files have used.
func TestAgainstARunningSandbox(t *testing.T) {
	t.Parallel()
	elsewhere := time.Date(2031, 7, 1, 12, 0, 0, 0, time.UTC)
	files, _ := waitingFirst(t, ".") // they wait while the others run
	next := make(chan string, len(files))
	for _, f := range files {
		next <- f
	}
	close(next)
	var hosts [3]*sandboxtest.Sandbox
	for i := range hosts {
		// The files that hold their merchant's answers set a callback
		// timeout of 5 s, which a running sandbox does not take: these
		// have it. Shorter, the answers every file's merchant gives at
		// once could miss it on two busy cores under the race detector.
		hosts[i] = sandboxtest.New(t, sandboxtest.WithRunningClock(), sandboxtest.WithTime(elsewhere), sandboxtest.WithCallbackTimeout(5*time.Second))
	}
	// Each sandbox runs the next file until none is left. (Goroutines, not
	// parallel subtests: those would wait for the other tests' places.)
	type result struct {
		file, out string
		rep       *scenarios.Report
		err       error
	}
	results := [3][]result{}
	var wg sync.WaitGroup
	for i, host := range hosts {
		wg.Go(func() {
			for f := range next {
				var out bytes.Buffer
				rep, err := (&scenarios.Runner{Target: host.URL(), Out: &out}).Run(context.Background(), []string{f})
				results[i] = append(results[i], result{f, out.String(), rep, err})
			}
		})
	}
	wg.Wait()
	var ran [3][]string
	for i := range results {
		for _, r := range results[i] {
			require.NoError(t, r.err, r.file)
			assert.Equal(t, 0, r.rep.Failed, r.out)
			assert.Equal(t, 1, r.rep.Passed, r.out)
			ran[i] = append(ran[i], r.file)
		}
	}
	require.False(t, t.Failed())
	assert.Equal(t, len(files), len(slices.Concat(ran[:]...)), "every file ran")
	assert.Greater(t, len(files), 30)

	// The same files again, on the sandbox that ran the lapse's file.
	again := []string{"oxxo-gate-terminal.yaml", "oxxo-gate-lapse-bank-window.yaml"}
	require.Contains(t, files, again[1])
	var host *sandboxtest.Sandbox
	for i := range hosts {
		if slices.Contains(ran[i], again[1]) {
			host = hosts[i]
		}
	}
	rep, out := run(t, &scenarios.Runner{Target: host.URL()}, again...)
	assert.Equal(t, len(again), rep.Passed, out)

	ctx := context.Background()
	before, err := host.Now(ctx)
	require.NoError(t, err)
	assert.Less(t, before.Sub(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)), 60*24*time.Hour, "the clock is where the last file left it")
	// The clock shows whole seconds: that it runs again is what it says of
	// itself (a second's wait would show it move).
	var clock struct {
		Frozen *bool `json:"frozen"`
	}
	res, err := host.Do(ctx, "GET", "/sandbox/clock", nil)
	require.NoError(t, err)
	require.NoError(t, res.Decode(&clock))
	require.NotNil(t, clock.Frozen, "the clock says whether it is frozen")
	assert.False(t, *clock.Frozen, "the clock runs again")

	ps, err := host.Payment(ctx, 842, "order-1")
	assert.Error(t, err, "the scenario's own ID is not used as it is")
	assert.Nil(t, ps)
	var list struct {
		Payments []struct {
			PaymentID string `json:"payment_id"`
		} `json:"payments"`
	}
	res, err = host.Do(ctx, "GET", "/sandbox/payments?project_id=842&payment_id=late-1", nil)
	require.NoError(t, err)
	require.NoError(t, res.Decode(&list))
	var orders []string
	for _, p := range list.Payments {
		if strings.HasPrefix(p.PaymentID, "late-1") {
			assert.Regexp(t, `^late-1-r[0-9a-f]{8}$`, p.PaymentID)
			orders = append(orders, p.PaymentID)
		}
	}
	require.Len(t, orders, 2, "one per run")
	assert.NotEqual(t, orders[0], orders[1])
}

// TestSpacingOnARunningClockIsToTheSecond: on a clock that runs (a shared
// sandbox, or after clock: {unfreeze: true}) a retry starts a moment after
// it fell due; the schedule is in seconds, and so is spacing.
func TestSpacingOnARunningClockIsToTheSecond(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "running.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: a retry on a running clock
merchant: {callbacks: {fail_first: 1}}
steps:
  - clock: {unfreeze: true}
  - gate: {sale: oxxo, payment_id: o-1}
  - clock: {advance: 1m}
  - delivery: {payment: o-1, attempts: 2, spacing: [10s]}
`), 0o600))
	rep, out := run(t, &scenarios.Runner{}, file)
	assert.Equal(t, 1, rep.Passed, out)
}

// TestTheMerchantsAnswersTakeVariables: the body a merchant answers with,
// at the top or under a project, takes ${…} as steps do, and one not known
// there is refused when the file loads rather than sent as written.
func TestTheMerchantsAnswersTakeVariables(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "answers.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: answers with variables
merchant: {callbacks: {body: "thanks from ${env.SHOP_NAME}"}}
projects:
  - {id: 842, secret: s}
  - {id: 9001, secret: t, merchant: {callbacks: {body: "${env.SHOP_NAME} again"}}}
steps:
  - gate: {sale: oxxo, payment_id: o-1}
  - delivery: {payment: o-1}
    expect: {body: {attempts: [{response_body: thanks from Tienda}]}}
  - gate: {sale: oxxo, payment_id: o-2, project: 9001}
  - delivery: {payment: o-2, project: 9001}
    expect: {body: {attempts: [{response_body: Tienda again}]}}
`), 0o600))
	env := func(name string) (string, bool) { return "Tienda", name == "SHOP_NAME" }
	rep, out := run(t, &scenarios.Runner{LookupEnv: env}, file)
	assert.Equal(t, 1, rep.Passed, out)

	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	refused(t, l, "name: x\nmerchant: {check_deposit: {body: '{\"code\": ${cod}}'}}\nsteps:\n  - state: {payment: a}\n",
		"f.yaml:2: merchant.check_deposit.body: ${cod} is not known here: a project and the merchant at the top come before every step, and know only ${sandbox}, ${merchant} and ${env.NAME}")
}
