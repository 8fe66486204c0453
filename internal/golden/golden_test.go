package golden

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	page := "<p>\n    a   <a href=\"/static/app.css?v=0123456789ab\">b</a>\n</p>\n"
	assert.Equal(t, `<p> a <a href="/static/app.css?v=VERSION">b</a> </p>`, Normalize(page))
	assert.Equal(t, Normalize("<p>a</p>"), Normalize("  <p>a</p>\n\n"), "only whitespace at the ends differs")
	assert.NotEqual(t, Normalize("<p>a</p>"), Normalize("<p>b</p>"))
}

func TestFirstDiff(t *testing.T) {
	t.Parallel()
	assert.Empty(t, firstDiff("a\nb", "a\nb", "\n"))
	assert.Equal(t, "line 2\n- want: b\n+ got:  c", firstDiff("a\nb", "a\nc", "\n"))
	assert.Equal(t, "line 3\n- want: \n+ got:  x", firstDiff("a\nb", "a\nb\nx", "\n"), "a line more counts")
	assert.Equal(t, "word 2\n- want: …a b c…\n+ got:  …a x c…", firstDiff("a b c", "a x c", " "))
}
