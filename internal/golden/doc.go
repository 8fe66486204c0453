// Package golden keeps the golden files of the sandbox's tests: pages and
// callback bodies as they should be, under each package's testdata/. A test
// compares what it produced with its file; run with -update (one flag for
// every package that uses this one, which is what make golden passes), it
// writes the file from what the code does now instead, for the diff to be
// reviewed before it is committed.
package golden
