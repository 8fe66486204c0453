// Package enginetest builds a real engine over a real bbolt file, frozen and
// seeded, for the tests of the packages that plug into the engine: providers
// and their pages.
package enginetest
