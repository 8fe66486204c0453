package callback_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ecommpay-sandbox/sandbox/platform/callback"
)

func TestGap(t *testing.T) {
	assert.Zero(t, callback.Gap(1), "the first attempt does not wait")
	for n := 2; n <= 6; n++ {
		assert.Equal(t, 10*time.Second, callback.Gap(n), "attempt %d", n)
	}
	assert.Equal(t, 84*time.Second, callback.Gap(7)) // 70 + 10·1.12³ = 84.05
	assert.Equal(t, 86*time.Second, callback.Gap(8)) // 70 + 10·1.12⁴ = 85.74

	var total time.Duration
	capped := 0
	for n := 2; n <= callback.MaxAttempts; n++ {
		g := callback.Gap(n)
		assert.GreaterOrEqual(t, g, callback.Gap(n-1), "monotone at %d", n)
		assert.LessOrEqual(t, g, 4*time.Hour, "capped at %d", n)
		assert.Zero(t, g%time.Second, "whole seconds at %d", n)
		if g == callback.MaxGap && capped == 0 {
			capped = n
		}
		total += g
	}
	assert.Equal(t, 4*time.Hour, callback.Gap(callback.MaxAttempts))
	assert.Equal(t, 4*time.Hour, callback.Gap(1_000_000), "no overflow")
	assert.LessOrEqual(t, total, 11*24*time.Hour, "120 attempts within 11 days")
	t.Logf("first gap of 4h before attempt %d; 120 attempts span %s = %.3f days", capped, total, total.Hours()/24)
}
