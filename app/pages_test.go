package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPagesParsedOncePerProcess: sandboxes of the default methods share one
// renderer; a sandbox with methods of its own gets its own.
func TestPagesParsedOncePerProcess(t *testing.T) {
	t.Parallel()
	first, err := pagesOf(nil)
	require.NoError(t, err)
	again, err := pagesOf(nil)
	require.NoError(t, err)
	assert.Same(t, first, again, "the default methods' pages are parsed once")

	own, err := pagesOf(Providers())
	require.NoError(t, err)
	assert.NotSame(t, first, own, "a sandbox given its own methods parses their pages")
	assert.Equal(t, first.Pages(), own.Pages())
}
