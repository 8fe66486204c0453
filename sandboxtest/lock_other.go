//go:build !unix

package sandboxtest

// storeLocked reports whether a store is in use; where flock is not
// offered, any store might be.
func storeLocked(string) bool { return true }
