// Package bolt stores the sandbox's state in one bbolt file: projects,
// payments and their indexes, provider references, ID sequences, the job
// queue, the callback outbox and the clock.
//
// DB implements platform.Store. Concurrent Updates are group-committed: one
// bbolt transaction for all that arrive while a commit is under way
// (commit.go). On 64-bit Linux a commit is made durable by the data file's
// redo log (redolog.go): the commit's write calls (logtx.go), a KB or two,
// appended to sandbox.db-log and synced, while bbolt writes its pages
// unsynced; checkpoints sync the file now and then, and Open replays what
// a crash left in the log. Elsewhere bbolt syncs each commit itself. The tx handed to fn implements platform.Tx. The
// buckets and the layout of their keys are described in schema.go; what is
// stored in them are the records of records.go, in the compact binary
// layout of codec.go, kept apart from the API types of package platform so
// that a change of the API does not silently change the file format.
// Payments are listed through index buckets, a page at a time
// (payments.go). Provider references and payment keys are kept in
// generations, each sealed with a Bloom filter once full, so that the
// random references and payment ID of a new payment touch no page of the
// millions stored before (generations.go). Open reads every page of an existing file before bbolt
// does and refuses a damaged one (pages.go); Check reads every record too
// (check.go). A panic while reading a damaged file is an error, not a
// crash (guard, commit.go). Times come back in UTC. What a sale's commit
// would decode again is kept in memory, and served only for the same stored
// bytes: project records (projectRecords, tx.go) and the messages of the
// deliveries stored last (messageCache, body.go); a transaction looks each
// payment key and each index's generations up once (tx.go).
package bolt
