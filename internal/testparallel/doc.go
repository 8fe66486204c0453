// Package testparallel sets how many tests of a test binary run at once
// when its tests mostly wait, in wall time, for something other than a CPU:
// a callback, a browser, a process, a timeout. Its TestMain calls
// ForWaitingTests, and the waits overlap.
package testparallel
