package bolt

// Every bucket of the data file. Open creates them all, so code inside a
// transaction never has to check for a missing bucket.
//
// Integer keys are big-endian, so that bbolt's byte order is their numeric
// order. A payment key (pk below) is the project ID as 8 big-endian bytes
// followed by the payment ID's bytes. A time (t below) is the Unix time in
// nanoseconds, as 8 big-endian bytes with the sign bit flipped, so that
// times before 1970 sort before later ones.
var (
	// bucketProjects holds projects: project ID (8 bytes) → projectRecord.
	bucketProjects = []byte("projects")

	// bucketPayments holds payments: pk → paymentRecord.
	bucketPayments = []byte("payments")

	// bucketPaymentsByTime lists payments by creation time, for newest-first
	// listing: t(CreatedAt) + index sequence (8 bytes) → summary (see
	// encodeSummary): project ID, status, method and payment ID, so that a
	// filter can skip a payment without decoding it. The sequence comes from
	// this bucket's NextSequence and is kept in the paymentRecord; it orders
	// payments created at the same instant by creation.
	bucketPaymentsByTime = []byte("payments_by_time")

	// bucketReferences finds a payment by a provider's reference:
	// method + 0x00 + reference → pk.
	bucketReferences = []byte("references")

	// bucketSequences holds one nested bucket per sequence name; NextID
	// returns that bucket's NextSequence.
	bucketSequences = []byte("sequences")

	// bucketJobs is the job queue in due order: t(Due) + job ID (8 bytes) →
	// jobRecord. A cursor from the first key walks jobs in (due, ID) order.
	bucketJobs = []byte("jobs")

	// bucketJobsByID finds a job's queue key by its ID: job ID (8 bytes) →
	// t(Due) + job ID. It lets PutJob replace a job whose due time changed
	// and DeleteJob find a job whatever Due its caller holds.
	bucketJobsByID = []byte("jobs_by_id")

	// bucketJobsByPayment lists the jobs of a payment in due order:
	// pk + 0x00 + t(Due) + job ID → nothing.
	bucketJobsByPayment = []byte("jobs_by_payment")

	// bucketDeliveries is the outbox: delivery ID (8 bytes) → deliveryRecord.
	bucketDeliveries = []byte("deliveries")

	// bucketDeliveriesByPayment lists the deliveries of a payment in ID
	// order: pk + 0x00 + delivery ID (8 bytes) → nothing.
	bucketDeliveriesByPayment = []byte("deliveries_by_payment")

	// bucketMeta holds single values: keyClock → clockRecord and
	// keySchema → the schema version (8 bytes).
	bucketMeta = []byte("meta")
)

// Keys of bucketMeta.
var (
	keyClock  = []byte("clock")
	keySchema = []byte("schema")
)

// schemaVersion is the version of the layout above. Open writes it into a
// new file and refuses a file written by a newer version.
const schemaVersion = 1

// allBuckets lists every bucket, for Open.
var allBuckets = [][]byte{
	bucketProjects,
	bucketPayments,
	bucketPaymentsByTime,
	bucketReferences,
	bucketSequences,
	bucketJobs,
	bucketJobsByID,
	bucketJobsByPayment,
	bucketDeliveries,
	bucketDeliveriesByPayment,
	bucketMeta,
}

// resetBuckets lists the buckets Reset empties: everything but projects,
// sequences and meta.
var resetBuckets = [][]byte{
	bucketPayments,
	bucketPaymentsByTime,
	bucketReferences,
	bucketJobs,
	bucketJobsByID,
	bucketJobsByPayment,
	bucketDeliveries,
	bucketDeliveriesByPayment,
}
