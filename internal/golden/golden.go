package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// update is the -update flag of every test binary that imports the package.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from what the code does now (make golden), then review the diff")

// Update reports whether the run rewrites golden files instead of comparing
// with them.
func Update() bool { return *update }

var (
	blank   = regexp.MustCompile(`\s+`)
	version = regexp.MustCompile(`\?v=[0-9a-f]{12}`)
)

// Normalize folds a page's whitespace, so that indentation in templates
// does not count as a change of the page, and drops the assets' versions
// (?v=…), so that a change of the stylesheet alone does not either.
func Normalize(page string) string {
	s := version.ReplaceAllString(page, "?v=VERSION")
	return strings.TrimSpace(blank.ReplaceAllString(s, " "))
}

// Page compares a rendered page with the golden file at path (under the
// test's testdata/), both normalized (Normalize); with -update it writes
// the page there as it is but for the assets' versions, so that a change
// of the stylesheet alone changes no golden file. A golden file that keeps
// an asset's version is not what -update writes, so that make golden would
// change it: Page says so.
func Page(t testing.TB, path string, got []byte) {
	t.Helper()
	want, ok := read(t, path, version.ReplaceAllLiteral(got, []byte("?v=VERSION")))
	if !ok {
		return
	}
	if v := version.Find(want); v != nil {
		t.Errorf("%s keeps an asset's version (%s), which make golden writes as ?v=VERSION; %s", path, v, hint(t))
	}
	if Normalize(string(want)) != Normalize(string(got)) {
		t.Errorf("the page differs from %s:\n%s\n%s", path, firstDiff(Normalize(string(want)), Normalize(string(got)), " "), hint(t))
	}
}

// PageCase is a row of a table of golden pages: the page (a template's
// name) rendered with Data, and the golden file it must match,
// testdata/<Golden>.golden.
type PageCase struct {
	Golden, Page string
	Data         any
}

// Pages renders each case with render, in a subtest named after its golden
// file, and compares the page with that file (Page).
func Pages(t *testing.T, render func(w io.Writer, page string, data any) error, cases []PageCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Golden, func(t *testing.T) {
			t.Helper()
			var buf bytes.Buffer
			if err := render(&buf, c.Page, c.Data); err != nil {
				t.Fatalf("render %s for %s: %v", c.Page, c.Golden, err)
			}
			Page(t, filepath.Join("testdata", c.Golden+".golden"), buf.Bytes())
		})
	}
}

// Text compares got with the golden file at path line by line and reports
// the first line that differs; with -update it writes got there.
func Text(t testing.TB, path string, got string) {
	t.Helper()
	want, ok := read(t, path, []byte(got))
	if !ok {
		return
	}
	if d := firstDiff(string(want), got, "\n"); d != "" {
		t.Errorf("%s differs:\n%s\n%s", path, d, hint(t))
	}
}

// JSON compares a JSON body with the golden file at path semantically
// (decoded, so key order and spacing do not matter); with -update it writes
// the body there, indented.
func JSON(t testing.TB, path string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("%s: the body is not JSON: %v", path, err)
	}
	pretty.WriteByte('\n')
	want, ok := read(t, path, pretty.Bytes())
	if !ok {
		return
	}
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s is not JSON: %v (%s)", path, err, hint(t))
	}
	_ = json.Unmarshal(got, &g) // json.Indent accepted it
	wb, _ := json.MarshalIndent(w, "", "  ")
	gb, _ := json.MarshalIndent(g, "", "  ")
	if d := firstDiff(string(wb), string(gb), "\n"); d != "" {
		t.Errorf("%s differs (compared decoded, keys sorted):\n%s\n%s", path, d, hint(t))
	}
}

// read returns the golden file at path, or writes write there and returns
// false when the run updates golden files.
func read(t testing.TB, path string, write []byte) ([]byte, bool) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, write, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return nil, false
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v; %s", err, hint(t))
		return nil, false
	}
	return want, true
}

// hint says how to rewrite the test's golden files.
func hint(t testing.TB) string {
	return fmt.Sprintf("if the change is intended, run make golden (or go test -run '%s' -update in the package) and review the diff",
		strings.SplitN(t.Name(), "/", 2)[0])
}

// firstDiff describes the first piece (split by sep) where got differs
// from want, or "".
func firstDiff(want, got, sep string) string {
	w, g := strings.Split(want, sep), strings.Split(got, sep)
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			if sep == "\n" {
				return fmt.Sprintf("line %d\n- want: %s\n+ got:  %s", i+1, wl, gl)
			}
			return fmt.Sprintf("word %d\n- want: …%s…\n+ got:  …%s…", i+1, around(w, i), around(g, i))
		}
	}
	return ""
}

// around returns the words of words about i, for a diff to show where it is.
func around(words []string, i int) string {
	const context = 8
	return strings.Join(words[max(0, i-context):min(len(words), i+context+1)], " ")
}
