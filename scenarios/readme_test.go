package scenarios_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
