package bolt

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

func TestProjects(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	full := platform.Project{
		ID: 42, Secret: "s42", CallbackURL: "https://m.example/cb", CheckDepositURL: "https://m.example/check",
		Methods: map[string]platform.MethodSettings{
			"oxxo":       {MinAmount: 1000, MaxAmount: 1000000, Variant: "3days", WholeUnits: true, Timeout: platform.Duration(15 * time.Minute)},
			"ecovoucher": {Rates: map[string]int64{"USD": 920000}},
		},
	}
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutProject(full))
		require.NoError(t, tx.PutProject(platform.Project{ID: 3, Secret: "old"}))
		require.NoError(t, tx.PutProject(platform.Project{ID: 3, Secret: "new"}))
		return tx.PutProject(platform.DemoProject())
	})
	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Project(42)
		require.NoError(t, err)
		assert.Equal(t, full, got)

		got, err = tx.Project(3)
		require.NoError(t, err)
		assert.Equal(t, "new", got.Secret, "PutProject replaces")

		_, err = tx.Project(99)
		assert.ErrorIs(t, err, platform.ErrNotFound)
		assert.EqualError(t, err, "project 99: not found")

		all, err := tx.Projects()
		require.NoError(t, err)
		var got3 []int64
		for _, p := range all {
			got3 = append(got3, p.ID)
		}
		assert.Equal(t, []int64{1, 3, 42}, got3, "in ID order")
		return nil
	})
}

// TestProjectIsDecodedOnceUntilItChanges reads a project in one
// transaction after another, as every sale does: its record is decoded
// once, what a reader changes of what it got is not what the next one
// gets, and a record stored anew, by PutProject or where the records kept
// know nothing of it, is read as stored.
func TestProjectIsDecodedOnceUntilItChanges(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	p := platform.Project{ID: 7, Secret: "s7", Methods: map[string]platform.MethodSettings{
		"ecovoucher": {Rates: map[string]int64{"USD": 920000}},
	}}
	update(t, d, func(tx platform.Tx) error { return tx.PutProject(p) })
	hits := func() int {
		d.commits.projects.mu.Lock()
		defer d.commits.projects.mu.Unlock()
		return d.commits.projects.hits
	}
	read := func() platform.Project {
		var got platform.Project
		update(t, d, func(tx platform.Tx) (err error) {
			got, err = tx.Project(7)
			return err
		})
		return got
	}
	first := read()
	first.Methods["ecovoucher"].Rates["USD"] = 1
	first.Methods["oxxo"] = platform.MethodSettings{Variant: "3days"}
	assert.Equal(t, p, read(), "a reader's changes stay its own")
	assert.Equal(t, 1, hits(), "decoded once")

	p.Secret = "changed"
	update(t, d, func(tx platform.Tx) error { return tx.PutProject(p) })
	assert.Equal(t, "changed", read().Secret)

	v, err := encode(toProjectRecord(platform.Project{ID: 7, Secret: "behind"}))
	require.NoError(t, err)
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error { return btx.Bucket(bucketProjects).Put(projectKey(7), v) }))
	assert.Equal(t, "behind", read().Secret)
}

func TestPaymentRoundTripAndErrors(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	p := payment(1, "p1", "oxxo", platform.StatusAwaitingClarification, base)
	p.Redirect = &platform.Redirect{URL: "https://p.example", Method: "POST", Body: json.RawMessage(`{"a": "<&>"}`)}
	p.Clarification = []string{"customer.email"}
	p.PageOptions = map[string]string{"mode": "purchase"}
	p.ProviderData = json.RawMessage(`{ "spaced" : true }`)
	update(t, d, func(tx platform.Tx) error { return tx.CreatePayment(p) })

	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Payment(p.Key())
		require.NoError(t, err)
		assert.Equal(t, p, got)
		assert.Equal(t, `{ "spaced" : true }`, string(got.ProviderData), "raw JSON comes back byte for byte")
		assert.Equal(t, `{"a": "<&>"}`, string(got.Redirect.Body))

		_, err = tx.Payment(key("missing"))
		assert.ErrorIs(t, err, platform.ErrNotFound)
		assert.EqualError(t, err, "payment 1/missing: not found")
		_, err = tx.Payment(platform.PaymentKey{ProjectID: 2, PaymentID: "p1"})
		assert.ErrorIs(t, err, platform.ErrNotFound, "payment IDs are per project")
		return nil
	})

	err := d.Update(t.Context(), func(tx platform.Tx) error {
		return tx.CreatePayment(payment(1, "p1", "ecovoucher", platform.StatusProcessing, base))
	})
	assert.ErrorIs(t, err, platform.ErrExists)
	assert.EqualError(t, err, "payment 1/p1: already exists")

	update(t, d, func(tx platform.Tx) error {
		// The same ID in another project is another payment.
		return tx.CreatePayment(payment(2, "p1", "oxxo", platform.StatusProcessing, base))
	})

	err = d.Update(t.Context(), func(tx platform.Tx) error {
		return tx.CreatePayment(payment(1, "", "oxxo", platform.StatusProcessing, base))
	})
	assert.ErrorContains(t, err, "no payment ID")

	// PutPayment replaces; nil and empty slices keep their difference.
	p.Status = platform.StatusSuccess
	p.Operations = []platform.Operation{}
	p.Clarification = nil
	p.Redirect = nil
	update(t, d, func(tx platform.Tx) error { return tx.PutPayment(p) })
	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Payment(p.Key())
		require.NoError(t, err)
		assert.Equal(t, p, got)
		assert.NotNil(t, got.Operations)
		return nil
	})

	// PutPayment of a new payment creates it, with its index entry.
	update(t, d, func(tx platform.Tx) error {
		return tx.PutPayment(payment(1, "p2", "oxxo", platform.StatusProcessing, base.Add(time.Second)))
	})
	view(t, d, func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{ProjectID: 1})
		ps := page.Payments
		require.NoError(t, err)
		assert.Equal(t, []string{"p2", "p1"}, ids(ps))
		return nil
	})
}

func TestPaymentTimesComeBackInUTC(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	mexico := time.FixedZone("CST", -6*3600)
	p := payment(1, "p1", "oxxo", platform.StatusProcessing, base.In(mexico))
	update(t, d, func(tx platform.Tx) error { return tx.CreatePayment(p) })
	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Payment(p.Key())
		require.NoError(t, err)
		assert.True(t, got.CreatedAt.Equal(base))
		assert.Equal(t, time.UTC, got.CreatedAt.Location())
		return nil
	})
}

func TestPayments(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	// Created in this order; p3 and p4 at the same instant, as with a frozen
	// clock; p0 has no creation time.
	all := []*platform.Payment{
		payment(1, "p0", "oxxo", platform.StatusDecline, time.Time{}),
		payment(1, "p1", "oxxo", platform.StatusSuccess, base.Add(1*time.Minute)),
		payment(2, "p2", "oxxo", platform.StatusProcessing, base.Add(2*time.Minute)),
		payment(1, "p3", "ecovoucher", platform.StatusProcessing, base.Add(3*time.Minute)),
		payment(1, "p4", "oxxo", platform.StatusProcessing, base.Add(3*time.Minute)),
		payment(2, "p5", "ecovoucher", platform.StatusSuccess, base.Add(4*time.Minute)),
		payment(1, "p6", "loterica", platform.StatusDecline, base.Add(-24*time.Hour)),
	}
	update(t, d, func(tx platform.Tx) error {
		for _, p := range all {
			if err := tx.CreatePayment(p); err != nil {
				return err
			}
		}
		return nil
	})

	tests := []struct {
		name   string
		filter platform.PaymentFilter
		want   []string
	}{
		{"all, newest first", platform.PaymentFilter{}, []string{"p5", "p4", "p3", "p2", "p1", "p6", "p0"}},
		{"limit", platform.PaymentFilter{Limit: 3}, []string{"p5", "p4", "p3"}},
		{"limit above count", platform.PaymentFilter{Limit: 100}, []string{"p5", "p4", "p3", "p2", "p1", "p6", "p0"}},
		{"project", platform.PaymentFilter{ProjectID: 2}, []string{"p5", "p2"}},
		{"status", platform.PaymentFilter{Status: platform.StatusProcessing}, []string{"p4", "p3", "p2"}},
		{"method", platform.PaymentFilter{Method: "oxxo"}, []string{"p4", "p2", "p1", "p0"}},
		{"project and method", platform.PaymentFilter{ProjectID: 1, Method: "oxxo"}, []string{"p4", "p1", "p0"}},
		{"everything and limit", platform.PaymentFilter{ProjectID: 1, Method: "oxxo", Status: platform.StatusProcessing, Limit: 1}, []string{"p4"}},
		{"no match", platform.PaymentFilter{ProjectID: 3}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, d, func(tx platform.Tx) error {
				page, err := tx.Payments(tt.filter)
				ps := page.Payments
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(ps))
				for _, p := range ps {
					assert.True(t, tt.filter.Match(p))
				}
				return nil
			})
		})
	}

	t.Run("index follows PutPayment", func(t *testing.T) {
		update(t, d, func(tx platform.Tx) error {
			p, err := tx.Payment(key("p4"))
			require.NoError(t, err)
			p.Status = platform.StatusSuccess
			p.Method = "rapipago"
			return tx.PutPayment(p)
		})
		view(t, d, func(tx platform.Tx) error {
			page, err := tx.Payments(platform.PaymentFilter{Status: platform.StatusProcessing})
			ps := page.Payments
			require.NoError(t, err)
			assert.Equal(t, []string{"p3", "p2"}, ids(ps))
			page, err = tx.Payments(platform.PaymentFilter{Method: "rapipago"})
			ps = page.Payments
			require.NoError(t, err)
			assert.Equal(t, []string{"p4"}, ids(ps))
			page, err = tx.Payments(platform.PaymentFilter{})
			ps = page.Payments
			require.NoError(t, err)
			assert.Equal(t, []string{"p5", "p4", "p3", "p2", "p1", "p6", "p0"}, ids(ps), "one entry per payment, same place")
			return nil
		})
	})

	t.Run("index follows a new creation time", func(t *testing.T) {
		update(t, d, func(tx platform.Tx) error {
			p, err := tx.Payment(key("p6"))
			require.NoError(t, err)
			p.CreatedAt = base.Add(time.Hour)
			return tx.PutPayment(p)
		})
		view(t, d, func(tx platform.Tx) error {
			page, err := tx.Payments(platform.PaymentFilter{})
			ps := page.Payments
			require.NoError(t, err)
			assert.Equal(t, []string{"p6", "p5", "p4", "p3", "p2", "p1", "p0"}, ids(ps))
			return nil
		})
	})
}

func TestReferences(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutReference("oxxo", "123", key("p1")))
		require.NoError(t, tx.PutReference("loterica", "123", key("p2")))
		require.NoError(t, tx.PutReference("oxxo", "456", key("p3")))
		return tx.PutReference("oxxo", "456", platform.PaymentKey{ProjectID: 9, PaymentID: "p4"})
	})
	tests := []struct {
		method, ref string
		want        platform.PaymentKey
		err         error
	}{
		{"oxxo", "123", key("p1"), nil},
		{"loterica", "123", key("p2"), nil},
		{"oxxo", "456", platform.PaymentKey{ProjectID: 9, PaymentID: "p4"}, nil},
		{"oxxo", "789", platform.PaymentKey{}, platform.ErrNotFound},
		{"rapipago", "123", platform.PaymentKey{}, platform.ErrNotFound},
		{"oxx", "o\x00123", platform.PaymentKey{}, platform.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+"/"+tt.ref, func(t *testing.T) {
			view(t, d, func(tx platform.Tx) error {
				got, err := tx.PaymentByReference(tt.method, tt.ref)
				if tt.err != nil {
					assert.ErrorIs(t, err, tt.err)
					return nil
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return nil
			})
		})
	}

	for _, bad := range [][2]string{{"", "1"}, {"oxxo", ""}, {"ox\x00xo", "1"}} {
		err := d.Update(t.Context(), func(tx platform.Tx) error { return tx.PutReference(bad[0], bad[1], key("p1")) })
		assert.Error(t, err, "%q", bad)
	}
}

func TestNextID(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	update(t, d, func(tx platform.Tx) error {
		for want := uint64(1); want <= 3; want++ {
			id, err := tx.NextID("jobs")
			require.NoError(t, err)
			assert.Equal(t, want, id)
		}
		id, err := tx.NextID("deliveries")
		require.NoError(t, err)
		assert.Equal(t, uint64(1), id, "sequences are independent")
		_, err = tx.NextID("")
		assert.Error(t, err)
		return nil
	})
	update(t, d, func(tx platform.Tx) error {
		id, err := tx.NextID("jobs")
		require.NoError(t, err)
		assert.Equal(t, uint64(4), id, "across transactions")
		id, err = tx.NextID("deliveries")
		require.NoError(t, err)
		assert.Equal(t, uint64(2), id)
		return nil
	})
}

func TestDueJobs(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	j := func(id uint64, due time.Time) platform.Job {
		return platform.Job{ID: id, Due: due, Kind: platform.JobProvider, Payment: key("p"), Name: "lapse"}
	}
	// IDs deliberately out of due order; 4, 2 and 7 are due together.
	jobs := []platform.Job{
		j(5, base.Add(time.Hour)),
		j(4, base),
		j(2, base),
		j(7, base),
		j(1, base.Add(2*time.Hour)),
		j(3, base.Add(-time.Minute)),
		j(6, time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)),
	}
	update(t, d, func(tx platform.Tx) error {
		if err := tx.CreatePayment(payment(1, "p", "oxxo", platform.StatusProcessing, base)); err != nil {
			return err
		}
		for _, j := range jobs {
			if err := tx.PutJob(j); err != nil {
				return err
			}
		}
		return nil
	})

	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  []uint64
	}{
		{"before every job", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), 0, []uint64{}},
		{"before 1970", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 0, []uint64{6}},
		{"just before base", base.Add(-time.Nanosecond), 0, []uint64{6, 3}},
		{"at base: equal dues in ID order", base, 0, []uint64{6, 3, 2, 4, 7}},
		{"limit inside equal dues", base, 4, []uint64{6, 3, 2, 4}},
		{"everything", base.Add(2 * time.Hour), 0, []uint64{6, 3, 2, 4, 7, 5, 1}},
		{"far future", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 0, []uint64{6, 3, 2, 4, 7, 5, 1}},
		{"far past", time.Time{}, 0, []uint64{}},
		{"limit 1", base.Add(2 * time.Hour), 1, []uint64{6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, d, func(tx platform.Tx) error {
				js, err := tx.DueJobs(tt.now, tt.limit)
				require.NoError(t, err)
				assert.Equal(t, tt.want, jobIDs(js))
				for _, j := range js {
					assert.False(t, j.Due.After(tt.now))
				}
				return nil
			})
		})
	}

	view(t, d, func(tx platform.Tx) error {
		next, ok, err := tx.NextJob()
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, jobs[6], next)

		js, err := tx.DueJobs(base, 0)
		require.NoError(t, err)
		assert.Equal(t, jobs[2], js[2], "a job round-trips whole")
		return nil
	})
}

func TestPutJobErrors(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	tests := []struct {
		name string
		job  platform.Job
		want string
	}{
		{"no ID", platform.Job{Due: base, Payment: key("p")}, "no ID"},
		{"no due time", platform.Job{ID: 1, Payment: key("p")}, "outside what the queue holds"},
		{"after 2262", platform.Job{ID: 1, Due: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), Payment: key("p")}, "outside"},
		{"of no stored payment", platform.Job{ID: 1, Due: base, Payment: key("p")}, "put job 1 () of payment 1/p: the payment is not stored: store the payment first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.Update(t.Context(), func(tx platform.Tx) error { return tx.PutJob(tt.job) })
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestNextJobOnEmptyQueue(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	view(t, d, func(tx platform.Tx) error {
		_, ok, err := tx.NextJob()
		require.NoError(t, err)
		assert.False(t, ok)
		js, err := tx.DueJobs(base, 10)
		require.NoError(t, err)
		assert.Empty(t, js)
		return nil
	})
}

func TestJobsOfPayment(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	a, b := key("a"), key("a\x00b") // b's key starts with a's and a 0x00
	other := platform.PaymentKey{ProjectID: 2, PaymentID: "a"}
	jobs := []platform.Job{
		{ID: 1, Due: base.Add(time.Hour), Kind: platform.JobProvider, Payment: a, Name: "lapse"},
		{ID: 2, Due: base, Kind: platform.JobProcess, Payment: a},
		{ID: 3, Due: base, Kind: platform.JobDeliver, Payment: b, DeliveryID: 9},
		{ID: 4, Due: base.Add(time.Minute), Kind: platform.JobProvider, Payment: a, Name: "timeout"},
		{ID: 5, Due: base, Kind: platform.JobProcess, Payment: other},
	}
	update(t, d, func(tx platform.Tx) error {
		for _, k := range []platform.PaymentKey{a, b, other} {
			if err := tx.CreatePayment(payment(k.ProjectID, k.PaymentID, "oxxo", platform.StatusProcessing, base)); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			if err := tx.PutJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	jobsOf := func(t *testing.T, k platform.PaymentKey) []uint64 {
		t.Helper()
		var got []uint64
		view(t, d, func(tx platform.Tx) error {
			js, err := tx.Jobs(k)
			got = jobIDs(js)
			return err
		})
		return got
	}
	due := func(t *testing.T) []uint64 {
		t.Helper()
		var got []uint64
		view(t, d, func(tx platform.Tx) error {
			js, err := tx.DueJobs(base.Add(24*time.Hour), 0)
			got = jobIDs(js)
			return err
		})
		return got
	}

	assert.Equal(t, []uint64{2, 4, 1}, jobsOf(t, a), "in due order")
	assert.Equal(t, []uint64{3}, jobsOf(t, b))
	assert.Equal(t, []uint64{5}, jobsOf(t, other))
	assert.Equal(t, []uint64{}, jobsOf(t, key("nothing")))

	update(t, d, func(tx platform.Tx) error { return tx.DeleteJob(jobs[3]) })
	assert.Equal(t, []uint64{2, 1}, jobsOf(t, a))
	assert.Equal(t, []uint64{2, 3, 5, 1}, due(t))

	// DeleteJob finds a job by its ID, whatever Due the caller holds.
	update(t, d, func(tx platform.Tx) error { return tx.DeleteJob(platform.Job{ID: 1}) })
	assert.Equal(t, []uint64{2}, jobsOf(t, a))

	// A job that is not there is no error, deleted twice or never stored.
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.DeleteJob(jobs[3]))
		return tx.DeleteJob(platform.Job{ID: 99, Due: base})
	})

	// PutJob of a stored ID moves the job, without leaving the old entry.
	moved := jobs[1]
	moved.Due = base.Add(48 * time.Hour)
	moved.Payment = b
	update(t, d, func(tx platform.Tx) error { return tx.PutJob(moved) })
	assert.Equal(t, []uint64{}, jobsOf(t, a))
	assert.Equal(t, []uint64{3, 2}, jobsOf(t, b))
	assert.Equal(t, []uint64{3, 5}, due(t))

	view(t, d, func(tx platform.Tx) error {
		js, err := tx.Jobs(b)
		require.NoError(t, err)
		assert.Equal(t, moved, js[1])
		return nil
	})
	assertIndexesConsistent(t, d)
}

func TestDeliveries(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	a, b := key("a"), key("b")
	c := platform.PaymentKey{ProjectID: 2, PaymentID: "a"}
	full := delivery(1, a, platform.DeliveryFailed)
	full.Kind = platform.DeliveryCheckDeposit
	full.NotBefore = base.Add(time.Second)
	full.NextAttempt = base.Add(time.Minute)
	full.Attempts = []platform.Attempt{
		{At: base, URL: full.URL, RequestBody: `{"x":1}`, Status: 500, ResponseBody: "oops", Latency: 12 * time.Millisecond},
		{At: base.Add(time.Minute), URL: full.URL, RequestBody: `{"x":1}`, Error: "connection refused"},
	}
	// Stored out of ID order, across payments and projects.
	stored := []*platform.Delivery{
		delivery(6, a, platform.DeliveryPending),
		delivery(2, b, platform.DeliveryDelivered),
		full,
		delivery(4, c, platform.DeliveryPending),
		delivery(3, a, platform.DeliveryDelivered),
		delivery(5, b, platform.DeliveryPending),
		delivery(7, a, platform.DeliveryNoURL),
	}
	update(t, d, func(tx platform.Tx) error {
		for _, k := range []platform.PaymentKey{a, b, c, key("a\x00b")} {
			require.NoError(t, tx.CreatePayment(payment(k.ProjectID, k.PaymentID, "oxxo", platform.StatusSuccess, base)))
		}
		for _, dl := range stored {
			if err := tx.PutDelivery(dl); err != nil {
				return err
			}
		}
		return nil
	})

	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Delivery(1)
		require.NoError(t, err)
		assert.Equal(t, full, got)
		_, err = tx.Delivery(99)
		assert.ErrorIs(t, err, platform.ErrNotFound)
		assert.EqualError(t, err, "delivery 99: not found")
		return nil
	})

	tests := []struct {
		name   string
		filter platform.DeliveryFilter
		want   []uint64
	}{
		{"all, oldest first", platform.DeliveryFilter{}, []uint64{1, 2, 3, 4, 5, 6, 7}},
		{"limit", platform.DeliveryFilter{Limit: 2}, []uint64{1, 2}},
		{"payment", platform.DeliveryFilter{ProjectID: 1, PaymentID: "a"}, []uint64{1, 3, 6, 7}},
		{"payment and limit", platform.DeliveryFilter{ProjectID: 1, PaymentID: "a", Limit: 3}, []uint64{1, 3, 6}},
		{"payment and status", platform.DeliveryFilter{ProjectID: 1, PaymentID: "a", Status: platform.DeliveryDelivered}, []uint64{3}},
		{"payment ID in every project", platform.DeliveryFilter{PaymentID: "a"}, []uint64{1, 3, 4, 6, 7}},
		{"project", platform.DeliveryFilter{ProjectID: 1}, []uint64{1, 2, 3, 5, 6, 7}},
		{"project and limit", platform.DeliveryFilter{ProjectID: 1, Limit: 2}, []uint64{1, 2}},
		{"other project", platform.DeliveryFilter{ProjectID: 2}, []uint64{4}},
		{"status", platform.DeliveryFilter{Status: platform.DeliveryPending}, []uint64{4, 5, 6}},
		{"status and limit", platform.DeliveryFilter{Status: platform.DeliveryPending, Limit: 1}, []uint64{4}},
		{"no such payment", platform.DeliveryFilter{ProjectID: 1, PaymentID: "z"}, []uint64{}},
		{"no such project", platform.DeliveryFilter{ProjectID: 3}, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, d, func(tx platform.Tx) error {
				ds, err := tx.Deliveries(tt.filter)
				require.NoError(t, err)
				assert.Equal(t, tt.want, deliveryIDsOf(ds))
				return nil
			})
		})
	}

	t.Run("PutDelivery replaces", func(t *testing.T) {
		update(t, d, func(tx platform.Tx) error {
			dl, err := tx.Delivery(6)
			require.NoError(t, err)
			dl.Status = platform.DeliveryDelivered
			dl.Attempts = append(dl.Attempts, platform.Attempt{At: base, Status: 200, ResponseBody: "ok"})
			return tx.PutDelivery(dl)
		})
		view(t, d, func(tx platform.Tx) error {
			ds, err := tx.Deliveries(platform.DeliveryFilter{ProjectID: 1, PaymentID: "a"})
			require.NoError(t, err)
			assert.Equal(t, []uint64{1, 3, 6, 7}, deliveryIDsOf(ds))
			assert.Equal(t, platform.DeliveryDelivered, ds[2].Status)
			assert.True(t, ds[2].Attempts[0].OK())
			return nil
		})
	})

	t.Run("moving a delivery moves its index entry", func(t *testing.T) {
		update(t, d, func(tx platform.Tx) error {
			dl, err := tx.Delivery(7)
			require.NoError(t, err)
			dl.PaymentID = "b"
			return tx.PutDelivery(dl)
		})
		view(t, d, func(tx platform.Tx) error {
			ds, err := tx.Deliveries(platform.DeliveryFilter{ProjectID: 1, PaymentID: "a"})
			require.NoError(t, err)
			assert.Equal(t, []uint64{1, 3, 6}, deliveryIDsOf(ds))
			ds, err = tx.Deliveries(platform.DeliveryFilter{ProjectID: 1, PaymentID: "b"})
			require.NoError(t, err)
			assert.Equal(t, []uint64{2, 5, 7}, deliveryIDsOf(ds))
			return nil
		})
	})

	err := d.Update(t.Context(), func(tx platform.Tx) error { return tx.PutDelivery(delivery(0, a, platform.DeliveryPending)) })
	assert.ErrorContains(t, err, "no ID")
	err = d.Update(t.Context(), func(tx platform.Tx) error { return tx.PutDelivery(delivery(8, key("z"), platform.DeliveryPending)) })
	assert.ErrorContains(t, err, "payment 1/z is not stored: store the payment first")
	assertIndexesConsistent(t, d)
}

func TestClockState(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	view(t, d, func(tx platform.Tx) error {
		_, err := tx.ClockState()
		assert.ErrorIs(t, err, platform.ErrNotFound)
		return nil
	})
	states := []platform.ClockState{
		{Offset: 72 * time.Hour},
		{Offset: -time.Minute, Frozen: true, FrozenAt: base},
		{},
	}
	for _, s := range states {
		update(t, d, func(tx platform.Tx) error { return tx.PutClockState(s) })
		view(t, d, func(tx platform.Tx) error {
			got, err := tx.ClockState()
			require.NoError(t, err)
			assert.Equal(t, s, got)
			return nil
		})
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	clock := platform.ClockState{Offset: time.Hour}
	p := payment(1, "p1", "oxxo", platform.StatusProcessing, base)
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutProject(platform.DemoProject()))
		require.NoError(t, tx.PutClockState(clock))
		require.NoError(t, tx.CreatePayment(p))
		require.NoError(t, tx.PutReference("oxxo", "1", p.Key()))
		require.NoError(t, tx.PutJob(platform.Job{ID: 1, Due: base, Kind: platform.JobProcess, Payment: p.Key()}))
		require.NoError(t, tx.PutDelivery(delivery(1, p.Key(), platform.DeliveryPending)))
		for range 3 {
			if _, err := tx.NextID("jobs"); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, d, func(tx platform.Tx) error { return tx.Reset() })

	view(t, d, func(tx platform.Tx) error {
		_, err := tx.Project(1)
		assert.NoError(t, err, "projects stay")
		got, err := tx.ClockState()
		require.NoError(t, err)
		assert.Equal(t, clock, got, "the clock stays")

		_, err = tx.Payment(p.Key())
		assert.ErrorIs(t, err, platform.ErrNotFound)
		page, err := tx.Payments(platform.PaymentFilter{})
		ps := page.Payments
		require.NoError(t, err)
		assert.Empty(t, ps)
		_, err = tx.PaymentByReference("oxxo", "1")
		assert.ErrorIs(t, err, platform.ErrNotFound)
		_, ok, err := tx.NextJob()
		require.NoError(t, err)
		assert.False(t, ok)
		js, err := tx.Jobs(p.Key())
		require.NoError(t, err)
		assert.Empty(t, js)
		_, err = tx.Delivery(1)
		assert.ErrorIs(t, err, platform.ErrNotFound)
		ds, err := tx.Deliveries(platform.DeliveryFilter{ProjectID: 1, PaymentID: "p1"})
		require.NoError(t, err)
		assert.Empty(t, ds)
		return nil
	})
	assertIndexesConsistent(t, d)

	update(t, d, func(tx platform.Tx) error {
		id, err := tx.NextID("jobs")
		require.NoError(t, err)
		assert.Equal(t, uint64(4), id, "sequences stay, so no ID is given out twice")
		// The payment can be created again.
		return tx.CreatePayment(p)
	})
}

// TestAttemptLeavesDeliveryIndexes records an attempt of a delivery that
// stays with its payment: the commit rewrites the delivery's record and
// none of the pages of its index entries, which are where they were (a
// payment paid days later has its entries far from the pages new
// deliveries fill).
func TestAttemptLeavesDeliveryIndexes(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	d.syncOff()
	ds := make([]*platform.Delivery, 400)
	update(t, d, func(tx platform.Tx) error {
		for i := range ds {
			k := key(fmt.Sprintf("p-%03d", i))
			if err := tx.CreatePayment(payment(1, k.PaymentID, "oxxo", platform.StatusSuccess, base)); err != nil {
				return err
			}
			ds[i] = delivery(uint64(i+1), k, platform.DeliveryPending)
			if err := tx.PutDelivery(ds[i]); err != nil {
				return err
			}
		}
		return nil
	})
	// roots returns the root pages of the delivery indexes: bbolt writes a
	// bucket's pages anew, and so changes its root, whenever it changes.
	roots := func() (byPayment, byProject uint64) {
		require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
			byPayment = uint64(btx.Bucket(bucketDeliveriesByPayment).Root())
			byProject = uint64(btx.Bucket(bucketDeliveriesByProject).Bucket(projectKey(1)).Root())
			return nil
		}))
		return byPayment, byProject
	}
	payment0, project0 := roots()
	old := ds[3]
	old.Status = platform.DeliveryDelivered
	old.Attempts = append(old.Attempts, platform.Attempt{At: base.Add(time.Hour), Status: 200, Latency: time.Millisecond})
	update(t, d, func(tx platform.Tx) error { return tx.PutDelivery(old) })

	payment1, project1 := roots()
	assert.Equal(t, payment0, payment1, "deliveries_by_payment was not written")
	assert.Equal(t, project0, project1, "deliveries_by_project was not written")
	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Deliveries(platform.DeliveryFilter{ProjectID: 1, PaymentID: "p-003"})
		require.NoError(t, err)
		require.Len(t, got, 1, "the delivery is still listed under its payment")
		assert.Equal(t, platform.DeliveryDelivered, got[0].Status)
		return nil
	})
}
