package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	page := "<p>\n    a   <a href=\"/static/app.css?v=0123456789ab\">b</a>\n</p>\n"
	assert.Equal(t, `<p> a <a href="/static/app.css?v=VERSION">b</a> </p>`, Normalize(page))
	assert.Equal(t, Normalize("<p>a</p>"), Normalize("  <p>a</p>\n\n"), "only whitespace at the ends differs")
	assert.NotEqual(t, Normalize("<p>a</p>"), Normalize("<p>b</p>"))
}

// recorder is a testing.TB that keeps what a check reported.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestPageRefusesAKeptVersion: a golden page is what -update writes, the
// assets' versions as ?v=VERSION; one that keeps a version (written by
// hand, or before -update dropped them) fails, though it compares equal.
func TestPageRefusesAKeptVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := []byte(`<link href="/static/style.css?v=0cf3b57a2f0d">`)
	tests := []struct {
		name, kept string
		fails      bool
	}{
		{"as -update writes it", `<link href="/static/style.css?v=VERSION">`, false},
		{"with a version", `<link href="/static/style.css?v=cd0dc007db70">`, true},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, fmt.Sprint(i)+".golden")
		require.NoError(t, os.WriteFile(path, []byte(tt.kept), 0o644))
		r := &recorder{TB: t}
		Page(r, path, page)
		if tt.fails {
			require.Len(t, r.errors, 1, tt.name)
			assert.Contains(t, r.errors[0], "keeps an asset's version (?v=cd0dc007db70), which make golden writes as ?v=VERSION")
		} else {
			assert.Empty(t, r.errors, tt.name)
		}
	}
}

func TestFirstDiff(t *testing.T) {
	t.Parallel()
	assert.Empty(t, firstDiff("a\nb", "a\nb", "\n"))
	assert.Equal(t, "line 2\n- want: b\n+ got:  c", firstDiff("a\nb", "a\nc", "\n"))
	assert.Equal(t, "line 3\n- want: \n+ got:  x", firstDiff("a\nb", "a\nb\nx", "\n"), "a line more counts")
	assert.Equal(t, "word 2\n- want: …a b c…\n+ got:  …a x c…", firstDiff("a b c", "a x c", " "))
}
