package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// readmeBlock is a ```yaml block of README.md and the line it starts on.
type readmeBlock struct {
	line int
	text string
}

// readmeBlocks returns the ```yaml blocks of the scenarios' README.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	var (
		blocks []readmeBlock
		cur    *readmeBlock
	)
	for i, line := range strings.Split(string(raw), "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur = &readmeBlock{line: i + 2}
		case cur != nil && strings.HasPrefix(strings.TrimSpace(line), "```"):
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	require.Nil(t, cur, "README.md: a ```yaml block is not closed")
	return blocks
}

// readmeExample returns the README's one ```yaml block that holds text.
func readmeExample(t *testing.T, text string) string {
	t.Helper()
	var found []string
	for _, b := range readmeBlocks(t) {
		if strings.Contains(b.text, text) {
			found = append(found, b.text)
		}
	}
	require.Len(t, found, 1, "README.md has one ```yaml block with %q", text)
	return found[0]
}

// TestREADMEExamplesRunAsWritten holds the README's examples to what they
// promise: a whole scenario runs and passes, a part of one (a merchant, a
// project's) loads in a file of its own, without a problem, and each
// command of its ```sh block names files that exist and, with --run, a
// pattern that selects a scenario. The example that needs a server of the
// merchant's own is TestAScenarioVisitsTheMerchantsOwnServer's.
func TestREADMEExamplesRunAsWritten(t *testing.T) {
	t.Parallel()
	l, err := scenarios.NewLoader()
	require.NoError(t, err)
	dir := t.TempDir()
	var whole []string
	for _, b := range readmeBlocks(t) {
		if strings.Contains(b.text, "${env.SHOP_URL}") {
			continue
		}
		var doc struct {
			Name     string `yaml:"name"`
			Projects []struct {
				ID int64 `yaml:"id"`
			} `yaml:"projects"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(b.text), &doc), "README.md:%d", b.line)
		file := filepath.Join(dir, fmt.Sprintf("readme-%d.yaml", b.line))
		text := b.text
		if doc.Name == "" {
			// A part of a file: the steps make the payments it names.
			text = fmt.Sprintf("name: README.md's example at line %d\n%ssteps:\n", b.line, text)
			if len(doc.Projects) == 0 {
				doc.Projects = append(doc.Projects, struct {
					ID int64 `yaml:"id"`
				}{842})
			}
			for _, p := range doc.Projects {
				for _, id := range []string{"order-1", "order-2"} {
					text += fmt.Sprintf("  - gate: {sale: oxxo, payment_id: %s, project: %d}\n", id, p.ID)
				}
			}
		} else {
			whole = append(whole, file)
		}
		require.NoError(t, os.WriteFile(file, []byte(text), 0o600))
		_, err := l.Load(file)
		assert.NoError(t, err, "README.md:%d, the example as a file:\n%s", b.line, text)
	}
	require.NotEmpty(t, whole, "the README shows a whole scenario")
	rep, out := run(t, &scenarios.Runner{}, whole...)
	assert.Equal(t, len(whole), rep.Passed, out)

	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, sh, ok := strings.Cut(string(raw), "```sh\n")
	require.True(t, ok, "README.md has a ```sh block")
	sh, _, _ = strings.Cut(sh, "```")
	commands := 0
	for line := range strings.Lines(sh) {
		command, _, _ := strings.Cut(line, "#")
		args := strings.Fields(command)
		if len(args) == 0 {
			continue
		}
		commands++
		for i, arg := range args {
			arg = strings.Trim(arg, "'")
			switch {
			case strings.HasPrefix(arg, "scenarios/"):
				_, err := os.Stat(filepath.Join("..", arg))
				assert.NoError(t, err, "README.md: %s names %s", strings.TrimSpace(command), arg)
			case args[max(i-1, 0)] == "--run":
				assert.True(t, selectsAScenario(t, l, arg), "README.md: %s: --run %s selects no scenario here", strings.TrimSpace(command), arg)
			}
		}
	}
	assert.GreaterOrEqual(t, commands, 4, "the commands of README.md's ```sh block")
}

// selectsAScenario says whether --run pattern selects a scenario of this
// folder, by its name or its file.
func selectsAScenario(t *testing.T, l *scenarios.Loader, pattern string) bool {
	t.Helper()
	re, err := regexp.Compile(pattern)
	require.NoError(t, err)
	files, err := scenarios.Files([]string{"."})
	require.NoError(t, err)
	for _, f := range files {
		sc, err := l.Load(f)
		require.NoError(t, err)
		if re.MatchString(f) || re.MatchString(sc.Name) {
			return true
		}
	}
	return false
}
