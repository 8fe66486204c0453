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

// TestRefusedKeepsTheFirstErrors: a refusal of many errors keeps the first
// MaxRefusalErrors-1 and one that counts the rest.
func TestRefusedKeepsTheFirstErrors(t *testing.T) {
	t.Parallel()
	e := &Engine{clock: NewClock(func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }, ClockState{}), events: newBroker()}
	for _, n := range []int{MaxRefusalErrors, 500} {
		errs := make([]FieldError, n)
		for i := range errs {
			errs[i] = FieldError{Code: CodeRequiredField, Field: "k" + strconv.Itoa(i), Message: "is not taken"}
		}
		e.Refused(Refusal{Errors: errs})
		kept := e.Refusals(0)[0].Errors
		require.Len(t, kept, MaxRefusalErrors, "of %d", n)
		assert.Equal(t, errs[:MaxRefusalErrors-1], kept[:MaxRefusalErrors-1])
		if n == MaxRefusalErrors {
			assert.Equal(t, errs[n-1], kept[n-1], "all of them kept")
		} else {
			assert.Equal(t, FieldError{Code: CodeRequiredField, Message: "and 481 more errors, which the answer listed"}, kept[MaxRefusalErrors-1])
		}
	}
}
