package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// TestLoaderFindsWhatWouldStopAStep: an expect.body operator that does
// not exist or cannot work, and a ${name} no earlier step captures, are
// problems of the file, found at their lines before any step runs, not at
// the step after the steps before it ran.
func TestLoaderFindsWhatWouldStopAStep(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	const sale = "name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"an operator that does not exist", sale + "    expect:\n      body: {request_id: {$regex: '^a'}}\n",
			[]string{"f.yaml:5: steps[0].expect.body.request_id.$regex (step 1): $regex is not an operator (the operators are $matches,"}},
		{"a typo of an operator", sale + "  - state: {payment: o-1}\n    expect: {body: {operations: {$lenn: 1}}}\n",
			[]string{"f.yaml:5: steps[1].expect.body.operations.$lenn (step 2): $lenn is not an operator; did you mean $len?"}},
		{"a regex that does not compile", sale + "    expect: {body: {request_id: {$matches: '([a-z'}}}\n",
			[]string{"f.yaml:4: steps[0].expect.body.request_id.$matches (step 1): $matches: \"([a-z\" is not a regular expression (Go's syntax)"}},
		{"arguments of the wrong kind", sale + "    expect: {body: {a: {$exists: 'no'}, b: {$gt: ten}, c: {$type: intger}, d: [{$not: {$matches: 5}}]}}\n",
			[]string{
				"steps[0].expect.body.a.$exists (step 1): $exists takes true or false, not \"no\"",
				"steps[0].expect.body.b.$gt (step 1): $gt takes a number, not \"ten\"",
				"steps[0].expect.body.c.$type (step 1): $type takes one of string, number, integer, boolean, object, array, null, not \"intger\"; did you mean integer?",
				"steps[0].expect.body.d[0].$not.$matches (step 1): $matches takes a regular expression as a string, not 5",
			}},
		{"an operator beside keys", sale + "    expect: {body: {status: success, $exists: true}}\n",
			[]string{"steps[0].expect.body (step 1): an object of $exists is an operator, and status a key to match: put the operator under the key it checks ({status: {$exists: …}})"}},
		{"a variable never captured", sale + "    capture: {rid: request_id}\n  - state: {payment: o-1}\n    expect: {body: {operations: [{request_id: '${rd}'}]}}\n",
			[]string{"f.yaml:6: steps[1].expect.body.operations[0].request_id (step 2): ${rd} is not known here: capture it in an earlier step; did you mean ${rid}?; known here are merchant, rid, sandbox"}},
		{"a variable captured later", "name: x\nsteps:\n  - page: {get: '/providers/oxxo/vouchers/${voucher}'}\n  - gate: {sale: oxxo, payment_id: o-1}\n    capture: {voucher: request_id}\n",
			[]string{"f.yaml:3: steps[0].page.get (step 1): ${voucher} is not known here: capture it in an earlier step; known here are merchant, sandbox"}},
		{"a variable a project cannot have", "name: x\nprojects:\n  - {id: 1, secret: s, callback_url: '${merchnt}/cb'}\nsteps:\n  - state: {payment: a}\n",
			[]string{"f.yaml:3: projects[0].callback_url: ${merchnt} is not known here: a project and the merchant at the top come before every step, and know only ${sandbox}, ${merchant} and ${env.NAME}; did you mean ${merchant}?"}},
		{"a text that is not a variable", "name: x\nprojects:\n  - {id: 1, secret: s, callback_url: '${shop.url}/cb'}\nsteps:\n  - page: {get: '/providers/oxxo/vouchers/${ voucher }'}\n  - gate: {sale: oxxo, payment_id: 'o-${order-id}', body: {description: 'costs ${5'}}\n",
			[]string{
				"f.yaml:3: projects[0].callback_url: ${shop.url} is not a variable, and would be sent as written: a ${…} holds a name of letters, digits and _",
				"f.yaml:5: steps[0].page.get (step 1): ${ voucher } is not a variable",
				"f.yaml:6: steps[1].gate.body.description (step 2): ${5 is not a variable",
				"f.yaml:6: steps[1].gate.payment_id (step 2): ${order-id} is not a variable",
			}},
	}
	for _, tt := range tests {
		refused(t, l, tt.yaml, tt.want...)
	}
	for _, fine := range []string{
		sale + "    capture: {rid: request_id, re: request_id}\n  - state: {payment: o-1}\n    expect: {body: {operations: [{request_id: '${rid}'}], status: {$matches: '${re}'}, id: {$not: {$exists: false}}}}\n",
		sale + "    expect: {body: {status: {$type: string}, payment_id: {$len: 3}, project_id: {$gte: 1}, errors: {$exists: false}, request_id: {$contains: a}}}\n",
		"name: x\nprojects:\n  - {id: 1, secret: s, callback_url: '${merchant}/cb'}\nsteps:\n  - page: {get: '${sandbox}/'}\n",
	} {
		_, err := l.Parse("f.yaml", []byte(fine))
		assert.NoError(t, err, fine)
	}
}

// TestEnvironmentVariablesAreReadWhenTheFileLoads: ${env.NAME} takes the
// value the environment has when the file loads; one that is not set or is
// empty stops the file at each line that names it, before any step runs.
func TestEnvironmentVariablesAreReadWhenTheFileLoads(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	env := map[string]string{"SHOP_URL": "http://127.0.0.1:9000", "EMPTY": ""}
	l.LookupEnv = func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	const project = "name: x\nprojects:\n  - {id: 1, secret: s, callback_url: '${env.SHOP_URL}/cb'}\n"
	refused(t, l, project+"steps:\n  - page: {get: '${env.SHOP}/checkout/o-1'}\n  - gate: {sale: oxxo, payment_id: o-1, body: {description: '${env.EMPTY}'}}\n",
		"f.yaml:5: steps[0].page.get (step 1): ${env.SHOP}: the environment variable SHOP is not set: set it where sandbox test runs (SHOP=… sandbox test …, or in the CI job's environment)",
		"f.yaml:6: steps[1].gate.body.description (step 2): ${env.EMPTY}: the environment variable EMPTY is empty: give it a value where sandbox test runs")
	refused(t, l, project+"steps:\n  - page: {get: '${env.SHOP-URL}/checkout/o-1'}\n",
		"f.yaml:5: steps[0].page.get (step 1): ${env.SHOP-URL} is not a variable")
	_, err = l.Parse("f.yaml", []byte(project+"steps:\n  - page: {get: '${env.SHOP_URL}/checkout/o-1'}\n  - no_callback: {payment: o-1}\n"))
	assert.NoError(t, err, "a page of the merchant's server, named by the environment, may make the payments that checks name")
}

// TestAFileNotShapedAsAScenarioSaysWhatOneIs: where the schema's words
// (got array, want object) are all a person would read, the problem also
// says what a scenario, its steps or a step look like.
func TestAFileNotShapedAsAScenarioSaysWhatOneIs(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	tests := []struct{ yaml, want string }{
		{"- gate: {sale: oxxo, payment_id: a}\n", "f.yaml:1: the file: got array, want object: a scenario file is a mapping of name, steps and the like, not a list; the list of steps goes under steps:"},
		{"just some notes\n", "f.yaml:1: the file: got string, want object: a scenario file is a mapping of name, steps and the like, not a text"},
		{"steps:\n  - state: {payment: a}\n", "f.yaml:1: the file: missing property 'name': a scenario has a name (its line in the report) and steps (what happens, in order)"},
		{"name: x\nsteps:\n", `f.yaml:2: steps: got null, want array: write the steps as a list, each step on lines of its own, the first starting with "- "`},
		{"name: x\nsteps:\n  gate: {sale: oxxo, payment_id: a}\n", `f.yaml:2: steps: got object, want array: write the steps as a list`},
		{"name: x\nsteps: []\n", "f.yaml:2: steps: minItems: got 0, want 1: a scenario has at least one step"},
		{"name: x\nsteps:\n  - gate: {sale: oxxo, payment_id: 1001}\n", `f.yaml:3: steps[0].gate.payment_id (step 1): 1001 is a number, and a payment ID is a string: quote it, "1001"`},
		{"name: x\nsteps:\n  - gate\n", "f.yaml:3: steps[0] (step 1): got string, want object: a step is a mapping of its action and the action's values, such as gate: {sale: oxxo, payment_id: order-1}"},
	}
	for _, tt := range tests {
		refused(t, l, tt.yaml, tt.want)
	}
}

// TestAMerchantThatGivesNoAnswerHasNoneToGive: silent and hang_up give no
// answer, so a status, code, body or delay beside them, or both together,
// are refused where they are written, at the top, under a project, in a
// step and for one payment.
func TestAMerchantThatGivesNoAnswerHasNoneToGive(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	const steps = "steps:\n  - gate: {sale: eco-voucher, payment_id: e-1}\n"
	tests := []struct{ yaml, want string }{
		{"name: x\nmerchant:\n  check_deposit: {silent: true, code: 5}\n" + steps,
			"f.yaml:3: merchant.check_deposit: silent: the merchant gives no answer, so its code would never be used; keep silent, or drop it to answer with them"},
		{"name: x\nprojects:\n  - {id: 842, secret: s, merchant: {callbacks: {hang_up: true, status: 500, delay: 1s}}}\n" + steps,
			"f.yaml:3: projects[0].merchant.callbacks: hang_up: the merchant gives no answer, so its status, delay would never be used"},
		{"name: x\n" + steps + "  - merchant: {callbacks: {payments: {e-1: {silent: true, hang_up: true}}}}\n",
			"f.yaml:4: steps[1].merchant.callbacks.payments.e-1 (step 2): silent and hang_up together: the merchant either holds the request unanswered (silent) or closes the connection (hang_up); keep one"},
	}
	for _, tt := range tests {
		refused(t, l, tt.yaml, tt.want)
	}
	_, err = l.Parse("f.yaml", []byte("name: x\nmerchant:\n  callbacks: {fail_first: 2, silent: true}\n  check_deposit: {fail_first: 1, fail_status: 502, hang_up: true}\n"+steps))
	assert.NoError(t, err, "fail_first goes with either")
}

// TestAKeyOneLevelOffSaysWhereItBelongs: a key of the step written in its
// action, a key of the action beside it, a check written in the action or
// beside the step's action, and a field of what the step got written in
// expect itself, each says where it goes.
func TestAKeyOneLevelOffSaysWhereItBelongs(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	refused(t, l, `name: things one level off
steps:
  - gate: {sale: oxxo, payment_id: o-1, expect: {status: 200}}
  - callback: {payment: o-1}
    within: 1d
  - callback:
      payment: o-1
      capture: {x: payment.id}
  - page:
      get: /x
      contains: Hello
  - callback: {payment: o-1}
    body: {payment: {status: success}}
  - callback: {payment: o-1, status: success}
    expect:
      payment: {status: success}
  - state: o-1
`,
		"f.yaml:3: steps[0].gate.expect (step 1): not a key here; expect belongs to the step, beside gate: write it on a line of its own, indented as gate is",
		"f.yaml:5: steps[1].within (step 2): not a key here; within belongs to callback: write it in callback's mapping (callback: {…, within: …})",
		"f.yaml:8: steps[2].callback.capture (step 3): not a key here; capture belongs to the step, beside callback",
		"f.yaml:11: steps[3].page.contains (step 4): not a key here; contains is a check: write it under the step's expect, beside page (expect: {contains: …})",
		"f.yaml:13: steps[4].body (step 5): not a key here; body is a check: write it under the step's expect (expect: {body: …})",
		"f.yaml:16: steps[5].expect.payment (step 6): not a key here; expect's body holds what the step got: write expect: {body: {payment: …}}",
		"f.yaml:17: steps[6].state (step 7): got string, want object: state takes a mapping of its values, such as state: {payment: order-1}",
	)
}

// refused checks that the loader refuses a file, f.yaml, saying each of want.
func refused(t *testing.T, l *scenarios.Loader, yaml string, want ...string) {
	t.Helper()
	_, err := l.Parse("f.yaml", []byte(yaml))
	require.Error(t, err, yaml)
	for _, w := range want {
		assert.Contains(t, err.Error(), w, yaml)
	}
}

// TestAFileWithAByteOrderMarkLoads: editors on Windows start a file with
// a UTF-8 byte order mark, which is no part of its first key.
func TestAFileWithAByteOrderMarkLoads(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	sc, err := l.Parse("f.yaml", []byte("\ufeffname: x\r\nsteps:\r\n  - state: {payment: a}\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "x", sc.Name)
	assert.Equal(t, 3, sc.Steps[0].Line)
}
