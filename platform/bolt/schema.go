package bolt

// Every bucket of the data file. Open creates them all, so code inside a
// transaction never has to check for a missing bucket.
//
// Integer keys are big-endian, so that bbolt's byte order is their numeric
// order. A payment key (pk below) is the project ID as 8 big-endian bytes
// followed by the payment ID's bytes. A time (t below) is the Unix time in
// nanoseconds, as 8 big-endian bytes with the sign bit flipped, so that
// times before 1970 sort before later ones. Records are described in
// records.go and codec.go.
//
// Buckets whose keys mostly grow (sequences, times of creation) are filled
// to fillAppend before a page splits, so that their pages end up nearly
// full; the others keep bbolt's default of half.
var (
	// bucketProjects holds projects: project ID (8 bytes) → projectRecord
	// (JSON).
	bucketProjects = []byte("projects")

	// bucketPayments holds payments by their sequence, which orders them
	// by creation: seq (8 bytes) → payment record. The sequence is the
	// bucket's NextSequence.
	bucketPayments = []byte("payments")

	// bucketPaymentKeys finds a payment by its key, and is the index of
	// payment ID prefixes: pk → seq (8 bytes). It is generation 0 of the
	// payment keys (see generations.go): those a store held when it was
	// converted to schema 5, sealed then. Later keys go to
	// bucketPaymentKeyGenerations.
	bucketPaymentKeys = []byte("payment_keys")

	// bucketPaymentKeyGenerations holds the later generations of payment
	// keys: one bucket per generation, its number (8 bytes), each mapping
	// pk → seq. The newest takes new keys while it has no filter; its own
	// sequence counts its entries.
	bucketPaymentKeyGenerations = []byte("payment_key_generations")

	// bucketPaymentKeyFilters holds the Bloom filter of each sealed
	// generation of payment keys: generation number (8 bytes) → filter
	// (see filter.go). Generation 0's is there when the conversion to
	// schema 5 found keys to seal.
	bucketPaymentKeyFilters = []byte("payment_key_filters")

	// bucketPaymentIndex lists payments newest first, by project and by
	// what a list filters on. It holds one bucket per project (project ID,
	// 8 bytes), which holds one bucket per index (see indexAll and
	// indexName), each mapping a payment's ref, t(CreatedAt) + seq (16
	// bytes), → nothing. A ref's time comes first, so
	// a cursor from the end walks payments newest first. Each index bucket's
	// own sequence counts its entries, so that a list walks the smallest
	// of the indexes its filter names.
	bucketPaymentIndex = []byte("payment_index")

	// bucketReferences finds a payment by a provider's reference:
	// method + 0x00 + reference → pk. It is generation 0 of the
	// references (see generations.go): those a store held when it was
	// converted to schema 3, sealed then. Later references go to
	// bucketReferenceGenerations.
	bucketReferences = []byte("references")

	// bucketReferenceGenerations holds the later generations of
	// references: one bucket per generation, its number (8 bytes), each
	// mapping method + 0x00 + reference → pk. The newest takes new
	// references while it has no filter; its own sequence counts its
	// entries.
	bucketReferenceGenerations = []byte("reference_generations")

	// bucketReferenceFilters holds the Bloom filter of each sealed
	// generation of references: generation number (8 bytes) → filter (see
	// filter.go). Generation 0's is there when the conversion to schema 3
	// found references to seal.
	bucketReferenceFilters = []byte("reference_filters")

	// bucketSequences holds one nested bucket per sequence name; NextID
	// returns that bucket's NextSequence.
	bucketSequences = []byte("sequences")

	// bucketJobs is the job queue in due order: t(Due) + job ID (8 bytes) →
	// job record. A cursor from the first key walks jobs in (due, ID) order.
	bucketJobs = []byte("jobs")

	// bucketJobsByID finds a job's queue key by its ID: job ID (8 bytes) →
	// t(Due) + job ID. It lets PutJob replace a job whose due time changed
	// and DeleteJob find a job whatever Due its caller holds.
	bucketJobsByID = []byte("jobs_by_id")

	// bucketPaymentJobs lists the jobs of each payment in due order: the
	// payment's seq (8 bytes) + t(Due) + job ID (8 bytes) → nothing. A
	// job belongs to a stored payment. Keyed by the sequence, the jobs of
	// new payments go to the end of the bucket, whatever their IDs.
	bucketPaymentJobs = []byte("payment_jobs")

	// bucketDeliveries is the outbox: delivery ID (8 bytes) → delivery
	// record.
	bucketDeliveries = []byte("deliveries")

	// bucketDeliveriesByPayment lists the deliveries of a payment in ID
	// order: the payment's seq (8 bytes) + delivery ID (8 bytes) → nothing.
	// A delivery belongs to a stored payment.
	bucketDeliveriesByPayment = []byte("deliveries_by_payment")

	// bucketDeliveriesByProject lists the deliveries of a project in ID
	// order: it holds one bucket per project (project ID, 8 bytes), which
	// maps delivery ID (8 bytes) → nothing.
	bucketDeliveriesByProject = []byte("deliveries_by_project")

	// bucketMeta holds single values: keyClock → clockRecord (JSON),
	// keySchema → the schema version (8 bytes), keyReferenceGeneration
	// and keyPaymentKeyGeneration → the number of the last generation of
	// references and of payment keys started (8 bytes each).
	bucketMeta = []byte("meta")
)

// Keys of bucketMeta.
var (
	keyClock                = []byte("clock")
	keySchema               = []byte("schema")
	keyReferenceGeneration  = []byte("reference_generation")
	keyPaymentKeyGeneration = []byte("payment_key_generation")
)

// The indexes of a project in bucketPaymentIndex: indexAll holds every
// payment of the project, the others those with one status, method or
// callback health (see indexName).
var indexAll = []byte("all")

// Index kinds, the prefixes of indexName.
const (
	indexStatus    = "status "
	indexMethod    = "method "
	indexCallbacks = "callbacks "
)

// indexName returns the name of the index of payments whose field (one of
// the index kinds) has value.
func indexName(kind, value string) []byte { return []byte(kind + value) }

// schemaVersion is the version of the layout above. Open writes it into a
// new file, converts a file of version 1 (see migrate.go) and refuses a
// file written by a newer version.
//
// Version 1 stored payments, jobs and deliveries as JSON, payments by key
// with one time index (payments_by_time), and every attempt's request body
// in full; a payment with two callbacks took about 8.7 KB of file.
// Version 2 stores them in the binary records of records.go, payments by
// sequence with the indexes above, bodies deflated and attempts as
// splices of their delivery's body. Version 3 keeps references in
// generations (generations.go): the bucket of them a store of version 2
// had becomes generation 0, sealed with a filter of its keys. Version 4
// lists a payment's jobs by its sequence (bucketPaymentJobs) instead of
// its key (jobs_by_payment), whose random order put the jobs of every
// new payment on a page of its own. Version 5 keeps payment keys in
// generations too: the bucket of them a store of version 4 had becomes
// generation 0, sealed with a filter of its keys.
const schemaVersion = 5

// Fill factors of buckets (see bbolt.Bucket.FillPercent).
const (
	fillAppend = 0.95 // keys mostly grow: pages end up nearly full
	fillRandom = 0.5  // keys arrive in any order (bbolt's default)
)

// allBuckets lists every top-level bucket, for Open, with its fill factor.
var allBuckets = []struct {
	name []byte
	fill float64
}{
	{bucketProjects, fillRandom},
	{bucketPayments, fillAppend},
	{bucketPaymentKeys, fillRandom},
	{bucketPaymentKeyGenerations, fillAppend},
	{bucketPaymentKeyFilters, fillAppend},
	{bucketPaymentIndex, fillAppend},
	{bucketReferences, fillRandom},
	{bucketReferenceGenerations, fillAppend},
	{bucketReferenceFilters, fillAppend},
	{bucketSequences, fillRandom},
	{bucketJobs, fillRandom},
	{bucketJobsByID, fillRandom},
	{bucketPaymentJobs, fillAppend},
	{bucketDeliveries, fillAppend},
	{bucketDeliveriesByPayment, fillAppend},
	{bucketDeliveriesByProject, fillAppend},
	{bucketMeta, fillRandom},
}

// resetBuckets lists the buckets Reset empties: everything but projects,
// sequences and meta.
var resetBuckets = [][]byte{
	bucketPayments,
	bucketPaymentKeys,
	bucketPaymentKeyGenerations,
	bucketPaymentKeyFilters,
	bucketPaymentIndex,
	bucketReferences,
	bucketReferenceGenerations,
	bucketReferenceFilters,
	bucketJobs,
	bucketJobsByID,
	bucketPaymentJobs,
	bucketDeliveries,
	bucketDeliveriesByPayment,
	bucketDeliveriesByProject,
}
