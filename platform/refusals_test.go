package platform

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusalsKeepTheNewest fills the ring past its size: the oldest are
// forgotten, the list is newest first, and a project's filter holds.
func TestRefusalsKeepTheNewest(t *testing.T) {
	t.Parallel()
	var r refusals
	const n = MaxRefusals + 7
	for i := range n {
		r.add(Refusal{RequestID: strconv.Itoa(i), ProjectID: int64(1 + i%2)})
	}
	all := r.list(0)
	require.Len(t, all, MaxRefusals)
	for i, x := range all {
		assert.Equal(t, strconv.Itoa(n-1-i), x.RequestID, "newest first")
	}
	odd := r.list(2)
	require.Len(t, odd, MaxRefusals/2)
	assert.Equal(t, strconv.Itoa(n-2), odd[0].RequestID)
	r.reset()
	assert.Empty(t, r.list(0))
}

// TestRefusedKeepsTheStartOfTheBody: a large body is cut to MaxRefusalBody
// bytes, at a rune boundary.
func TestRefusedKeepsTheStartOfTheBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, body, kept string }{
		{"short", "{}", "{}"},
		{"long", strings.Repeat("x", 3*MaxRefusalBody), strings.Repeat("x", MaxRefusalBody)},
		{"a rune cut in two", strings.Repeat("x", MaxRefusalBody-1) + "é and more", strings.Repeat("x", MaxRefusalBody-1)},
		{"not UTF-8 at its start", "\xff" + strings.Repeat("x", 2*MaxRefusalBody), "\xff" + strings.Repeat("x", MaxRefusalBody-1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &Engine{clock: NewClock(func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }, ClockState{}), events: newBroker()}
			e.Refused(Refusal{Body: tt.body})
			assert.Equal(t, tt.kept, e.Refusals(0)[0].Body)
		})
	}
}
