package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The documents a newcomer reads: their links must lead somewhere in the
// repository, and nothing the product ships may point outside it.

// docLink is a markdown link ](target) or an image ](target).
var docLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// docHeading is a markdown heading.
var docHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)

// headingAnchor returns the anchor a heading gets where markdown is shown
// (GitHub's rule): lower case, punctuation but - and _ dropped, spaces as -.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchorsOf returns the anchors of a markdown text's headings, outside its
// fenced blocks.
func anchorsOf(text string) map[string]bool {
	anchors := map[string]bool{}
	for _, m := range docHeading.FindAllStringSubmatch(withoutFences(text), -1) {
		anchors[headingAnchor(m[1])] = true
	}
	return anchors
}

// withoutFences returns text with its fenced blocks blanked, so that a
// comment line in a shell block is no heading.
func withoutFences(text string) string {
	lines := strings.Split(text, "\n")
	in := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			lines[i] = ""
			continue
		}
		if in {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// brokenLinks returns what is wrong with the relative links of the
// markdown file doc (a path under root): a file that does not exist, a
// link that leaves the repository, an anchor no heading has.
func brokenLinks(root, doc string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(root, doc))
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, m := range docLink.FindAllStringSubmatch(withoutFences(string(raw)), -1) {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		file, anchor, _ := strings.Cut(target, "#")
		path := doc
		if file != "" {
			path = filepath.ToSlash(filepath.Join(filepath.Dir(doc), file))
		}
		if path == ".." || strings.HasPrefix(path, "../") {
			problems = append(problems, target+": leaves the repository")
			continue
		}
		info, err := os.Stat(filepath.Join(root, path))
		if err != nil {
			problems = append(problems, target+": there is no "+path)
			continue
		}
		if anchor == "" {
			continue
		}
		if info.IsDir() || !strings.HasSuffix(path, ".md") {
			problems = append(problems, target+": an anchor into "+path+", which has no headings")
			continue
		}
		text, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			return nil, err
		}
		if !anchorsOf(string(text))[anchor] {
			problems = append(problems, target+": "+path+" has no heading #"+anchor)
		}
	}
	return problems, nil
}

func TestHeadingAnchor(t *testing.T) {
	t.Parallel()
	for heading, want := range map[string]string{
		"Signature":                             "signature",
		"check_deposit (EcoVoucher)":            "check_deposit-ecovoucher",
		"The Data API: `POST /operations/get`":  "the-data-api-post-operationsget",
		"Adding a payment method":               "adding-a-payment-method",
		"Vouchers: Oxxo, Lotérica, Rapipago":    "vouchers-oxxo-lotérica-rapipago",
		"What happens after the answer":         "what-happens-after-the-answer",
		"1. Where the sandbox differs (a test)": "1-where-the-sandbox-differs-a-test",
	} {
		assert.Equal(t, want, headingAnchor(heading), heading)
	}
}

func TestBrokenLinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "docs"), 0o755))
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(text), 0o644))
	}
	write("README.md", "# Top\n[ok](docs/a.md#the-part) [self](#top) [web](https://example.com/x)\n"+
		"[gone](docs/b.md) [anchor](docs/a.md#nothing) [out](../shared/SPEC.md)\n```sh\n# not a heading [x](nowhere.md)\n```\n")
	write("docs/a.md", "## The part\n[up](../README.md#top) [dir](../docs/)\n")

	problems, err := brokenLinks(root, "README.md")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"docs/b.md: there is no docs/b.md",
		"docs/a.md#nothing: docs/a.md has no heading #nothing",
		"../shared/SPEC.md: leaves the repository",
	}, problems)
	problems, err = brokenLinks(root, "docs/a.md")
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// TestDocsLinks checks every relative link of the README and of the pages
// under docs/ and scenarios/: its file exists in the repository, and its
// anchor names a heading of that file.
func TestDocsLinks(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	docs, err := runnableDocs(root)
	require.NoError(t, err)
	docs = append(docs, "scenarios/README.md")
	for _, doc := range docs {
		problems, err := brokenLinks(root, doc)
		require.NoError(t, err)
		for _, p := range problems {
			t.Errorf("%s: the link %s", doc, p)
		}
	}
}

// outside are what text shipped in the repository must not point at: the
// documents the sandbox was built from, which a user of the repository
// does not have.
var outside = linePattern{
	re:      regexp.MustCompile(`\.\./shared|/work/|\bSPEC\.md\b|\bseeds?/\d{3}`),
	markers: []string{"../shared", "/work/", "SPEC.md", "seed"},
}

// inside are the repository's documents that shipped text names by path:
// each must exist.
var inside = linePattern{
	re:      regexp.MustCompile(`\b(?:docs|scenarios)/[\w.-]+\.(?:md|json|yaml)\b`),
	markers: []string{"docs/", "scenarios/"},
}

// linePattern is a pattern that never spans lines, with the strings one of
// which every match holds: find runs the pattern only on the lines that
// hold a marker, a few of a file's. (Go's regexp reads a whole file at a
// few MB/s, and slower still under the race detector, and this test reads
// every shipped file.)
type linePattern struct {
	re      *regexp.Regexp
	markers []string
}

// lineMatch is a match of a linePattern: its text, the number of its line
// from 1 and that line trimmed.
type lineMatch struct {
	text string
	n    int
	line string
}

// find returns every match of p in text.
func (p linePattern) find(text string) []lineMatch {
	var found []lineMatch
	for i, line := range strings.Split(text, "\n") {
		if !slices.ContainsFunc(p.markers, func(m string) bool { return strings.Contains(line, m) }) {
			continue
		}
		for _, m := range p.re.FindAllString(line, -1) {
			found = append(found, lineMatch{text: m, n: i + 1, line: strings.TrimSpace(line)})
		}
	}
	return found
}

// TestNothingPointsOutsideTheRepo reads every file of the repository that a
// user may read (documents, help texts, error messages, pages, scenario
// files; tests, test data and screenshots aside) for a path outside it, and
// for a document of the repository (docs/gate.md) that is not there.
func TestNothingPointsOutsideTheRepo(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	read := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "testout" || name == "bin" || name == "sandbox-data") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".md", ".html", ".tmpl", ".js", ".css", ".yaml", ".yml", ".json", ".txt":
		default:
			if name != "Makefile" && name != "Dockerfile" && filepath.Base(filepath.Dir(path)) != "scripts" {
				return nil
			}
		}
		if strings.HasSuffix(name, "_test.go") {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		read++
		text := string(raw)
		prose := text // where a document is named as a reference, not as an example's output
		if strings.HasSuffix(name, ".md") {
			prose = withoutFences(prose) // the fenced lines blanked, the others as they are
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range outside.find(text) {
			t.Errorf("%s:%d points outside the repository (%q): %s", rel, m.n, m.text, m.line)
		}
		for _, m := range inside.find(prose) {
			if _, err := os.Stat(filepath.Join(root, m.text)); err != nil {
				t.Errorf("%s:%d names %s, which the repository does not have: %s", rel, m.n, m.text, m.line)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, read, 100, "the repository's files were read")
}

// TestDocsJSONExamplesParse checks that every ```json block of the README
// and docs/ is JSON a reader can paste (placeholders written as "…").
func TestDocsJSONExamplesParse(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	docs, err := runnableDocs(root)
	require.NoError(t, err)
	parsed := 0
	for _, doc := range docs {
		raw, err := os.ReadFile(filepath.Join(root, doc))
		require.NoError(t, err)
		for i, block := range fencedBlocks(string(raw), "json") {
			assert.True(t, json.Valid([]byte(block)), "%s, JSON block %d is not JSON:\n%s", doc, i+1, block)
			parsed++
		}
	}
	assert.Greater(t, parsed, 10, "the docs' JSON examples were read")
}

// fencedBlocks returns the ```lang blocks of a markdown text.
func fencedBlocks(text, lang string) []string {
	var blocks []string
	var cur *strings.Builder
	for _, line := range strings.Split(text, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```"+lang:
			cur = &strings.Builder{}
		case cur != nil && strings.HasPrefix(strings.TrimSpace(line), "```"):
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return blocks
}

// TestDocsConfigExamplesLoad loads every config file the README and docs/
// show, as `sandbox serve --config` would.
func TestDocsConfigExamplesLoad(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	docs, err := runnableDocs(root)
	require.NoError(t, err)
	loaded := 0
	for _, doc := range docs {
		raw, err := os.ReadFile(filepath.Join(root, doc))
		require.NoError(t, err)
		for i, block := range fencedBlocks(string(raw), "yaml") {
			o := serveOptions{Data: t.TempDir(), Config: writeConfig(t, block), PublicURL: "http://sandbox.test"}
			a, err := newApp(context.Background(), o, slog.New(slog.DiscardHandler), time.Now)
			if !assert.NoError(t, err, "%s, YAML block %d:\n%s", doc, i+1, block) {
				continue
			}
			projects, err := a.Engine.Projects(context.Background())
			require.NoError(t, err)
			assert.Greater(t, len(projects), 1, "%s, YAML block %d declares a project beside the demo", doc, i+1)
			require.NoError(t, a.Close())
			loaded++
		}
	}
	assert.GreaterOrEqual(t, loaded, 2, "the README's and docs/methods.md's config files")
}
