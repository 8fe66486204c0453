package callback

import (
	"math"
	"time"
)

// Retry schedule of ecommpay's callbacks (SPEC.md §5).
const (
	// MaxAttempts is how many times a callback is tried before it fails.
	MaxAttempts = 120
	// MaxGap is the longest wait between two attempts.
	MaxGap = 4 * time.Hour
	// shortGap is the wait between the first six attempts.
	shortGap = 10 * time.Second
	// shortAttempts is how many attempts are shortGap apart.
	shortAttempts = 6
)

// Gap returns how long to wait after attempt n-1 before attempt n: 10
// seconds up to the sixth attempt, then 70 + 10·1.12^(n−4) seconds, rounded
// to whole seconds, until that reaches MaxGap, and MaxGap from then on. The
// first attempt has no gap: Gap returns 0 for n < 2.
func Gap(n int) time.Duration {
	switch {
	case n < 2:
		return 0
	case n <= shortAttempts:
		return shortGap
	}
	secs := 70 + 10*math.Pow(1.12, float64(n-4))
	if secs >= MaxGap.Seconds() { // also +Inf for huge n
		return MaxGap
	}
	return time.Duration(math.Round(secs)) * time.Second
}
