// Package enginetest builds a real engine over a real bbolt file, frozen and
// seeded, for the tests of the engine itself and of the packages that plug
// into it: providers and their pages.
package enginetest
