// Package bolt stores the sandbox's state in one bbolt file: projects,
// payments and their indexes, provider references, ID sequences, the job
// queue, the callback outbox and the clock.
//
// DB implements platform.Store. Every exported method of DB runs one bbolt
// transaction; the tx it hands to fn implements platform.Tx. The buckets and
// the layout of their keys are described in schema.go, and what is stored
// in them are the record types of records.go, kept apart from the API types
// of package platform so that a change of the API does not silently change
// the file format. Times come back in UTC.
package bolt
