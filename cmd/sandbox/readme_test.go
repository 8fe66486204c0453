package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's runnable examples are its fenced ```sh blocks. Each command
// in them may be followed by lines "#> …": the answer the README promises.
// TestReadme runs the blocks, in order, with bash, against a fresh sandbox,
// and fails when a command fails or an answer is not what the README says.

// readmeStep is one command of a README block and the answer it promises.
type readmeStep struct {
	file    string // the document, README.md or docs/NAME.md (set by TestReadme)
	line    int    // the document's line the command starts on
	command string // as written, continuation lines included
	want    string // the "#>" lines without their prefix, joined with newlines
}

// heredoc finds the terminator of a here-document in a command line.
var heredoc = regexp.MustCompile(`<<-?\s*['"]?([A-Za-z_]+)['"]?`)

// readmeSteps returns the commands of the README's ```sh blocks.
func readmeSteps(readme string) ([]readmeStep, error) {
	var steps []readmeStep
	sc := bufio.NewScanner(strings.NewReader(readme))
	inBlock, n := false, 0
	var cur *readmeStep
	var terminator string // of the here-document cur is reading
	continues := func(line string) bool {
		t := strings.TrimSpace(line)
		return strings.HasSuffix(t, `\`) || strings.HasSuffix(t, "|") || strings.HasSuffix(t, "&&")
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case !inBlock:
			inBlock = strings.TrimSpace(line) == "```sh"
			continue
		case terminator != "":
			cur.command += "\n" + line
			if strings.TrimSpace(line) == terminator {
				terminator = ""
			}
			continue
		case cur != nil && cur.want == "" && continues(cur.command):
			cur.command += "\n" + line
		case strings.HasPrefix(line, "```"):
			inBlock, cur = false, nil
			continue
		case strings.HasPrefix(line, "#>"):
			if cur == nil {
				return nil, fmt.Errorf("README line %d: an answer (#>) with no command before it", n)
			}
			text := strings.TrimPrefix(strings.TrimPrefix(line, "#>"), " ")
			if cur.want == "" {
				cur.want = text
			} else {
				cur.want += "\n" + text
			}
			continue
		case strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#"):
			continue
		default:
			steps = append(steps, readmeStep{line: n, command: line})
			cur = &steps[len(steps)-1]
		}
		if m := heredoc.FindStringSubmatch(line); m != nil {
			terminator = m[1]
		}
	}
	if inBlock {
		return nil, fmt.Errorf("README: a ```sh block is not closed")
	}
	return steps, sc.Err()
}

// answerMatches reports whether got is the answer want promises, and why
// not. A JSON want matches when every field it shows is in got with that
// value (a string "…" matches anything, one ending in "…" a string that
// starts so); lists must have as many items. Other text must be equal,
// line for line, spaces at the ends aside.
func answerMatches(want, got string) (bool, string) {
	want, got = strings.TrimSpace(want), strings.TrimSpace(got)
	if strings.HasPrefix(want, "{") || strings.HasPrefix(want, "[") {
		w, err := decodeAny(want)
		if err != nil {
			return false, "the README's answer is not JSON: " + err.Error()
		}
		g, err := decodeAny(got)
		if err != nil {
			return false, "the answer is not JSON: " + err.Error()
		}
		if where := jsonDiffers("", w, g); where != "" {
			return false, where
		}
		return true, ""
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var a, b string
		if i < len(wl) {
			a = strings.TrimSpace(wl[i])
		}
		if i < len(gl) {
			b = strings.TrimSpace(gl[i])
		}
		if a != b {
			return false, fmt.Sprintf("line %d: the README says %q, the answer is %q", i+1, a, b)
		}
	}
	return true, ""
}

func decodeAny(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// jsonDiffers returns where got does not match want, or "".
func jsonDiffers(path string, want, got any) string {
	at := path
	if at == "" {
		at = "the answer"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is %s, the README shows an object", at, describe(got))
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s has no %q", at, k)
			}
			if d := jsonDiffers(strings.TrimPrefix(path+"."+k, "."), wv, gv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s is %s, the README shows a list", at, describe(got))
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s has %d items, the README shows %d", at, len(g), len(w))
		}
		for i := range w {
			if d := jsonDiffers(path+"["+strconv.Itoa(i)+"]", w[i], g[i]); d != "" {
				return d
			}
		}
		return ""
	case string:
		if w == "…" {
			return ""
		}
		g, ok := got.(string)
		if prefix, cut := strings.CutSuffix(w, "…"); cut && ok && strings.HasPrefix(g, prefix) {
			return ""
		}
		if !ok || g != w {
			return fmt.Sprintf("%s is %s, the README shows %q", at, describe(got), w)
		}
		return ""
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return fmt.Sprintf("%s is %s, the README shows %v", at, describe(got), want)
	}
	return ""
}

// describe writes a decoded JSON value for a message.
func describe(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		b = append(b[:200], "…"...)
	}
	return string(b)
}

func TestReadmeSteps(t *testing.T) {
	t.Parallel()
	readme := "intro\n```shell\nmake run\n```\n" +
		"```sh\n# a comment\nsandbox sign x |\n  curl -d @-\n#> {\"a\":1}\n\ncurl b   # trailing\n#> ok\n#> done\n" +
		"cat <<'EOF' | wc -l\none\n#> not an answer\nEOF\n```\ntext\n"
	steps, err := readmeSteps(readme)
	require.NoError(t, err)
	assert.Equal(t, []readmeStep{
		{line: 7, command: "sandbox sign x |\n  curl -d @-", want: `{"a":1}`},
		{line: 11, command: "curl b   # trailing", want: "ok\ndone"},
		{line: 14, command: "cat <<'EOF' | wc -l\none\n#> not an answer\nEOF"},
	}, steps)

	_, err = readmeSteps("```sh\n#> 1\n```\n")
	assert.ErrorContains(t, err, "no command before it")
	_, err = readmeSteps("```sh\nls\n")
	assert.ErrorContains(t, err, "not closed")
}

func TestAnswerMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, want, got string
		ok              bool
		why             string
	}{
		{"fields shown match", `{"status":"success","n":1}`, `{"status":"success","n":1,"extra":true}`, true, ""},
		{"a value differs", `{"status":"success"}`, `{"status":"error"}`, false, `status is "error", the README shows "success"`},
		{"a number differs", `{"a":{"n":1}}`, `{"a":{"n":2}}`, false, "a.n is 2, the README shows 1"},
		{"a field is missing", `{"a":{"b":"…"}}`, `{"a":{}}`, false, `a has no "b"`},
		{"… matches anything", `{"id":"…"}`, `{"id":42}`, true, ""},
		{"a prefix", `{"u":"http://x/v/…"}`, `{"u":"http://x/v/123"}`, true, ""},
		{"another prefix", `{"u":"http://x/v/…"}`, `{"u":"http://y/v/123"}`, false, `u is "http://y/v/123"`},
		{"list lengths", `{"l":[{},{}]}`, `{"l":[{}]}`, false, "l has 1 items, the README shows 2"},
		{"list items", `[{"s":"a"},{"s":"b"}]`, `[{"s":"a"},{"s":"c"}]`, false, `[1].s is "c"`},
		{"not JSON", `{"a":1}`, `oops`, false, "the answer is not JSON"},
		{"text", "valid", "valid\n", true, ""},
		{"text differs", "valid", "invalid", false, `the README says "valid", the answer is "invalid"`},
		{"text lines", "a\nb", "a", false, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := answerMatches(tt.want, tt.got)
			assert.Equal(t, tt.ok, ok, why)
			assert.Contains(t, why, tt.why)
		})
	}
}

// runnableDocs are the documents whose ```sh blocks TestReadme runs, in
// order: the README, then every page of docs/.
func runnableDocs(root string) ([]string, error) {
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	docs := []string{"README.md"}
	for _, p := range pages {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		docs = append(docs, filepath.ToSlash(rel))
	}
	return docs, nil
}

// helpExamples returns the commands of the Example(s) section of a verb's
// help, up to its first blank line, as steps: what `sandbox sign -h` shows
// must run as the README's blocks do.
func helpExamples(usage string) ([]readmeStep, error) {
	_, after, ok := strings.Cut(usage, "\nExample")
	if !ok {
		return nil, fmt.Errorf("the help has no Example section")
	}
	_, after, _ = strings.Cut(after, "\n") // the heading
	block := "```sh\n"
	for _, line := range strings.Split(after, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		block += strings.TrimPrefix(line, "  ") + "\n"
	}
	return readmeSteps(block + "```\n")
}

func TestHelpExamples(t *testing.T) {
	t.Parallel()
	steps, err := helpExamples("Usage: x\n\nExamples:\n  # one\n  echo a |\n    cat\n  echo b\n\nFlags:\n  echo c\n")
	require.NoError(t, err)
	assert.Equal(t, []readmeStep{{line: 3, command: "echo a |\n  cat"}, {line: 5, command: "echo b"}}, steps)
	_, err = helpExamples("Usage: x\n")
	assert.Error(t, err)
}

// TestReadme runs the ```sh blocks of the README and then of docs/*.md,
// then the examples of sign's and verify's help, against a fresh sandbox, as a newcomer would after `make run`: the
// sandbox binary on PATH, commands run from the repository's root, with
// bash, curl and jq. localhost:8080 and 127.0.0.1:8080 become the
// sandbox's address, 127.0.0.1:9000 a merchant that answers 200, and curl
// fails on an HTTP error (--fail-with-body), so a refused request fails the
// step even when the README shows no answer for it.
func TestReadme(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the sandbox as a process")
	}
	t.Parallel()
	tools := map[string]string{}
	for _, name := range []string{"bash", "curl", "jq"} {
		path, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the README's examples use %s, which is not installed", name)
			}
			t.Skipf("the README's examples use %s, which is not installed", name)
		}
		tools[name] = path
	}
	curl, bash := tools["curl"], tools["bash"]
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	docs, err := runnableDocs(root)
	require.NoError(t, err)
	var steps []readmeStep
	for _, doc := range docs {
		text, err := os.ReadFile(filepath.Join(root, doc))
		require.NoError(t, err)
		own, err := readmeSteps(string(text))
		require.NoError(t, err, doc)
		if doc == "README.md" {
			require.GreaterOrEqual(t, len(own), 5, "the README's first payment is runnable")
		}
		for i := range own {
			own[i].file = doc
		}
		steps = append(steps, own...)
	}
	// Then the examples of the verbs' help, on a sandbox started over: the
	// first sends the README's sale again.
	steps = append(steps, readmeStep{file: "TestReadme", command: "curl -s -X POST localhost:8080/sandbox/reset"})
	for _, help := range []struct{ name, usage string }{{"sandbox sign -h", signUsage}, {"sandbox verify -h", verifyUsage}} {
		own, err := helpExamples(help.usage)
		require.NoError(t, err, help.name)
		for i := range own {
			own[i].file = help.name
		}
		steps = append(steps, own...)
	}

	// bin is put first on PATH: sandbox (this test binary, which the
	// script's environment makes the sandbox command), and curl wrapped to
	// fail on an error answer.
	bin := t.TempDir()
	require.NoError(t, os.Symlink(sandboxBinary(t), filepath.Join(bin, "sandbox")))
	wrapper := "#!/bin/sh\nexec " + curl + " --fail-with-body \"$@\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "curl"), []byte(wrapper), 0o755))

	m := newMerchant(t)
	// As make run does: its own address, its data folder, its clock running.
	p := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"))
	addr := strings.TrimPrefix(p.url, "http://")
	local := strings.NewReplacer(
		"localhost:8080", addr,
		"127.0.0.1:8080", addr,
		"127.0.0.1:9000", strings.TrimPrefix(m.srv.URL, "http://"),
	)

	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for i, s := range steps {
		fmt.Fprintf(&script, "printf '\\n@@step %d@@\\n'\n%s\n", i, local.Replace(s.command))
	}
	cmd := exec.Command(bash, "-c", script.String())
	cmd.Dir = root
	cmd.Env = append(os.Environ(), asSandbox, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	outputs := splitSteps(stdout.String())
	for i, s := range steps {
		got, ran := outputs[i]
		if !ran {
			t.Errorf("%s line %d was not run: an earlier command failed", s.file, s.line)
			continue
		}
		if runErr != nil && i == len(outputs)-1 {
			t.Errorf("%s line %d failed (%v):\n%s\nit printed:\n%s\nand on stderr:\n%s", s.file, s.line, runErr, s.command, got, stderr.String())
			continue
		}
		if s.want == "" {
			continue
		}
		if ok, why := answerMatches(local.Replace(s.want), got); !ok {
			t.Errorf("%s line %d: the answer is not the one the document shows: %s\ncommand: %s\nanswer: %s", s.file, s.line, why, s.command, got)
		}
	}
}

// stepMarker separates the outputs of the README's commands.
var stepMarker = regexp.MustCompile(`\n@@step (\d+)@@\n`)

// splitSteps returns the output of each step that started, by index.
func splitSteps(out string) map[int]string {
	got := map[int]string{}
	ms := stepMarker.FindAllStringSubmatchIndex(out, -1)
	for j, m := range ms {
		i, _ := strconv.Atoi(out[m[2]:m[3]])
		end := len(out)
		if j+1 < len(ms) {
			end = ms[j+1][0]
		}
		got[i] = out[m[1]:end]
	}
	return got
}
