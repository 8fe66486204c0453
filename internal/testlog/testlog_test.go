package testlog_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
)

// TestBufferKeepsEveryWrite writes from many goroutines while reading:
// every line arrives whole (run with -race, a buffer without its lock
// fails).
func TestBufferKeepsEveryWrite(t *testing.T) {
	t.Parallel()
	var b testlog.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("a line\n"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, strings.Repeat("a line\n", 800), b.String())
	assert.Len(t, b.Lines(), 800)
	assert.Equal(t, "a line", b.Lines()[799])
}

func TestBufferLinesOfNothing(t *testing.T) {
	t.Parallel()
	var b testlog.Buffer
	assert.Nil(t, b.Lines())
	_, _ = b.Write([]byte("\n \n"))
	assert.Nil(t, b.Lines())
}
