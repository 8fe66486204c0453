package bolt

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// listStore is a store with payments of every kind, and the list of them
// that a list must agree with, in creation order.
type listStore struct {
	d       *DB
	created []*platform.Payment
	// maxPrefixScan, when set, makes lists by ID prefix walk the indexes
	// sooner.
	maxPrefixScan int
}

var (
	listStatuses = []platform.Status{platform.StatusProcessing, platform.StatusAwaitingRedirect, platform.StatusSuccess, platform.StatusDecline}
	listMethods  = []string{"oxxo", "loterica", "card-partner"}
	listHealths  = []platform.CallbackHealth{platform.CallbacksNone, platform.CallbacksPending, platform.CallbacksOK, platform.CallbacksFailing, platform.CallbacksFailed}
)

// listPayment returns the i-th payment of a listStore: its fields vary
// independently, two payments share each instant, and one in seven was
// created long ago.
func listPayment(i int) *platform.Payment {
	created := base.Add(time.Duration(i/2) * time.Minute)
	if i%7 == 3 {
		created = base.Add(-time.Duration(i) * time.Hour)
	}
	prefix := "ord-"
	if i%2 == 1 {
		prefix = "inv-"
	}
	p := payment(int64(1+i%3), fmt.Sprintf("%s%03d", prefix, i), listMethods[(i/3)%3], listStatuses[i%4], created)
	p.Callbacks.Health = listHealths[i%5]
	return p
}

func newListStore(t *testing.T, n int) *listStore {
	t.Helper()
	s := &listStore{d: newDB(t)}
	s.add(t, 0, n)
	return s
}

// add creates payments [from, to) of listPayment.
func (s *listStore) add(t *testing.T, from, to int) {
	t.Helper()
	update(t, s.d, func(tx platform.Tx) error {
		for i := from; i < to; i++ {
			if err := tx.CreatePayment(listPayment(i)); err != nil {
				return err
			}
		}
		return nil
	})
	for i := from; i < to; i++ {
		s.created = append(s.created, listPayment(i))
	}
}

// want returns the IDs of the payments matching f, as a list must order
// them: newest first, and of those created at one instant the later
// created first.
func (s *listStore) want(f platform.PaymentFilter) []string {
	type entry struct {
		p   *platform.Payment
		seq int
	}
	var es []entry
	for i, p := range s.created {
		if f.Match(p) {
			es = append(es, entry{p, i})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := b.p.CreatedAt.Compare(a.p.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	out := []string{}
	for _, e := range es {
		out = append(out, e.p.ID)
	}
	return out
}

// list reads one page.
func (s *listStore) list(t *testing.T, f platform.PaymentFilter) platform.PaymentPage {
	t.Helper()
	var page platform.PaymentPage
	require.NoError(t, s.d.db.View(func(btx *bbolt.Tx) (err error) {
		page, err = (&tx{btx: btx, maxPrefixScan: s.maxPrefixScan}).Payments(f)
		return err
	}))
	return page
}

// listAll reads every page of f, limit a page.
func (s *listStore) listAll(t *testing.T, f platform.PaymentFilter, limit int) []string {
	t.Helper()
	f.Limit = limit
	got := []string{}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "paging ends")
		page := s.list(t, f)
		assert.LessOrEqual(t, len(page.Payments), limit)
		for _, p := range page.Payments {
			assert.True(t, f.Match(p), "%s matches", p.ID)
			got = append(got, p.ID)
		}
		if page.Next == "" {
			return got
		}
		assert.Len(t, page.Payments, limit, "only the last page is short")
		f.Cursor = page.Next
	}
}

// TestPaymentsEveryFilter lists with every combination of the filters,
// whole and in pages, and compares with the payments filtered one by one.
func TestPaymentsEveryFilter(t *testing.T) {
	t.Parallel()
	s := newListStore(t, 240)
	walked := &listStore{d: s.d, created: s.created, maxPrefixScan: 3}
	values := []func(*platform.PaymentFilter){
		func(f *platform.PaymentFilter) { f.ProjectID = 2 },
		func(f *platform.PaymentFilter) { f.Status = platform.StatusSuccess },
		func(f *platform.PaymentFilter) { f.Method = "loterica" },
		func(f *platform.PaymentFilter) { f.Callbacks = platform.CallbacksOK },
		func(f *platform.PaymentFilter) { f.PaymentID = "inv-1" },
		func(f *platform.PaymentFilter) { f.CreatedFrom = base.Add(10 * time.Minute) },
		func(f *platform.PaymentFilter) { f.CreatedTo = base.Add(50 * time.Minute) },
	}
	names := []string{"project", "status", "method", "callbacks", "id", "from", "to"}
	for mask := range 1 << len(values) {
		var f platform.PaymentFilter
		var name []string
		for i, set := range values {
			if mask&(1<<i) != 0 {
				set(&f)
				name = append(name, names[i])
			}
		}
		t.Run(fmt.Sprint(name), func(t *testing.T) {
			want := s.want(f)
			if mask == 0 {
				require.Len(t, want, 240)
			}
			assert.Equal(t, want, ids(s.list(t, f).Payments), "one page")
			assert.Equal(t, want, s.listAll(t, f, 7), "pages of 7")
			if f.PaymentID != "" {
				assert.Equal(t, want, walked.listAll(t, f, 7), "pages of 7, the indexes walked for the ID")
			}
		})
	}

	nothing := []platform.PaymentFilter{
		{ProjectID: 9},
		{Status: platform.StatusRefunded},
		{Method: "rapipago"},
		{Callbacks: platform.CallbacksHeld},
		{PaymentID: "x"},
		{PaymentID: "ord-0010"},
		{CreatedFrom: base.Add(time.Hour), CreatedTo: base.Add(time.Hour)},
		{CreatedFrom: base.Add(24 * time.Hour)},
		{ProjectID: 1, Status: platform.StatusSuccess, Method: "oxxo", Callbacks: platform.CallbacksFailed, PaymentID: "inv"},
	}
	for _, f := range nothing {
		t.Run(fmt.Sprintf("nothing %+v", f), func(t *testing.T) {
			page := s.list(t, f)
			assert.Empty(t, page.Payments)
			assert.Empty(t, page.Next)
			assert.Empty(t, s.want(f), "the case really matches nothing")
		})
	}
}

// TestPaymentsPagingWithChanges pages through a list while payments are
// created and change between the pages: each payment is listed once at
// most, nothing before the cursor comes back, and what was created after
// the first page but sorts after the cursor shows up.
func TestPaymentsPagingWithChanges(t *testing.T) {
	t.Parallel()
	filters := []platform.PaymentFilter{
		{},
		{ProjectID: 1},
		{Status: platform.StatusProcessing},
		{ProjectID: 3, Method: "oxxo"},
		{PaymentID: "ord-"},
	}
	for _, f := range filters {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			s := newListStore(t, 100)
			f.Limit = 5
			first := s.list(t, f)
			require.NotEmpty(t, first.Next)
			require.Equal(t, s.want(f)[:5], ids(first.Payments))

			// Newer payments, and some created long ago (listPayment's
			// i%7 == 3), which sort after the cursor.
			s.add(t, 100, 130)
			f.Cursor = first.Next
			rest := s.listAll(t, f, 5)
			all := s.want(platform.PaymentFilter{ProjectID: f.ProjectID, Status: f.Status, Method: f.Method, PaymentID: f.PaymentID})
			last := slices.Index(all, first.Payments[4].ID)
			require.GreaterOrEqual(t, last, 0)
			wantRest := []string{}
			for _, id := range all[last+1:] {
				if !slices.Contains(ids(first.Payments), id) {
					wantRest = append(wantRest, id)
				}
			}
			assert.Equal(t, wantRest, rest)
		})
	}

	t.Run("a payment leaves the filter between pages", func(t *testing.T) {
		s := newListStore(t, 40)
		f := platform.PaymentFilter{Status: platform.StatusSuccess, Limit: 3}
		first := s.list(t, f)
		want := s.want(f)
		// The payment after the first page becomes a decline.
		update(t, s.d, func(tx platform.Tx) error {
			p, err := tx.Payment(platform.PaymentKey{ProjectID: listKey(s, want[3]), PaymentID: want[3]})
			require.NoError(t, err)
			p.Status = platform.StatusDecline
			return tx.PutPayment(p)
		})
		f.Cursor = first.Next
		assert.Equal(t, want[4:], s.listAll(t, f, 3))
	})
}

// listKey returns the project of payment id of a listStore.
func listKey(s *listStore, id string) int64 {
	for _, p := range s.created {
		if p.ID == id {
			return p.ProjectID
		}
	}
	return 0
}

// TestPaymentsReadOnlyWhatTheyList counts the payment records a list reads:
// a page costs its own payments (and, for an ID prefix matching many, the
// IDs on the way), however many payments are stored.
func TestPaymentsReadOnlyWhatTheyList(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	const n = 2000
	update(t, d, func(tx platform.Tx) error {
		for i := range n {
			status := platform.StatusSuccess
			if i < 3 {
				status = platform.StatusError // three rare ones, the oldest
			}
			p := payment(1, fmt.Sprintf("p%05d", i), listMethods[i%3], status, base.Add(time.Duration(i)*time.Second))
			if err := tx.CreatePayment(p); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name     string
		filter   platform.PaymentFilter
		listed   int
		maxReads int
	}{
		{"first page", platform.PaymentFilter{Limit: 50}, 50, 50},
		{"rare status", platform.PaymentFilter{Status: platform.StatusError, Limit: 50}, 3, 3},
		{"rare status and a method", platform.PaymentFilter{Status: platform.StatusError, Method: "oxxo", Limit: 50}, 1, 1},
		{"method and project", platform.PaymentFilter{ProjectID: 1, Method: "loterica", Limit: 20}, 20, 20},
		{"no such method", platform.PaymentFilter{Method: "rapipago", Limit: 20}, 0, 0},
		{"narrow ID prefix", platform.PaymentFilter{PaymentID: "p0001", Limit: 50}, 10, 20},
		{"ID prefix of all", platform.PaymentFilter{PaymentID: "p", Limit: 10}, 10, maxPrefixScan + 10},
		{"an hour ago", platform.PaymentFilter{CreatedTo: base.Add(100 * time.Second), Limit: 10}, 10, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, d.db.View(func(btx *bbolt.Tx) error {
				x := &tx{btx: btx}
				page, err := x.Payments(tt.filter)
				require.NoError(t, err)
				assert.Len(t, page.Payments, tt.listed)
				assert.LessOrEqual(t, x.recordsRead, tt.maxReads, "records read")
				return nil
			}))
		})
	}
}

func TestPaymentsBadCursor(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	for _, c := range []string{"x", "!!!", pageCursor([]byte{1, 2, 3})} {
		err := d.View(t.Context(), func(tx platform.Tx) error {
			_, err := tx.Payments(platform.PaymentFilter{Cursor: c})
			return err
		})
		var pe *platform.Error
		require.ErrorAs(t, err, &pe, c)
		assert.Equal(t, platform.CodeInvalidRequest, pe.Code)
		assert.ErrorContains(t, err, "is not one this sandbox gave out")
	}
}

// TestPaymentCreatedAndStoredAgainIsIndexedOnce follows a payment that one
// Update creates and stores again, as a sale does once its provider has
// answered: it is indexed once, as it ended up, with nothing left in the
// indexes of what it was in between; a list in the same Update finds it,
// and a reset after it in the same Update leaves nothing of it.
func TestPaymentCreatedAndStoredAgainIsIndexedOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// then runs after the payment was created and stored again.
		then func(t *testing.T, tx platform.Tx) error
		// listed is what a list of payments pending finds afterwards.
		listed []string
	}{
		{"stored again", func(*testing.T, platform.Tx) error { return nil }, []string{"p1"}},
		{"listed in the same update", func(t *testing.T, tx platform.Tx) error {
			page, err := tx.Payments(platform.PaymentFilter{ProjectID: 1, Status: platform.StatusAwaitingRedirect})
			if assert.NoError(t, err) {
				assert.Equal(t, []string{"p1"}, ids(page.Payments))
			}
			return err
		}, []string{"p1"}},
		{"reset in the same update", func(_ *testing.T, tx platform.Tx) error { return tx.Reset() }, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDB(t)
			update(t, d, func(tx platform.Tx) error {
				p := payment(1, "p1", "oxxo", platform.StatusProcessing, base)
				if err := tx.CreatePayment(p); err != nil {
					return err
				}
				p.Status = platform.StatusAwaitingRedirect
				if err := tx.PutPayment(p); err != nil {
					return err
				}
				return tt.then(t, tx)
			})
			view(t, d, func(tx platform.Tx) error {
				page, err := tx.Payments(platform.PaymentFilter{ProjectID: 1, Status: platform.StatusAwaitingRedirect})
				require.NoError(t, err)
				assert.Equal(t, tt.listed, ids(page.Payments))
				if idx := btxOf(tx).Bucket(bucketPaymentIndex).Bucket(projectKey(1)); idx != nil {
					assert.Nil(t, idx.Bucket(indexName(indexStatus, string(platform.StatusProcessing))),
						"the payment was never indexed as processing")
				}
				return nil
			})
			r, err := d.Check(t.Context())
			require.NoError(t, err)
			assert.Empty(t, r.Problems)
		})
	}
}

// TestPaymentStoredAgainLooksUpOnlyTheIndexesItMoves stores a payment
// again: with what names its indexes unchanged (a new description), the
// write seeks no more in the store than reading the payment does, plus the
// record's own put; moved to another status, it leaves the old status's
// index for the new one and stays in the others, as a check finds.
func TestPaymentStoredAgainLooksUpOnlyTheIndexesItMoves(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	update(t, d, func(tx platform.Tx) error {
		return tx.CreatePayment(payment(1, "p1", "oxxo", platform.StatusAwaitingRedirect, base))
	})
	update(t, d, func(tx platform.Tx) error {
		var p *platform.Payment
		read := seeks(t, tx, func() (err error) {
			p, err = tx.Payment(key("p1"))
			return err
		})
		p.Description = "stored again"
		assert.LessOrEqual(t, seeks(t, tx, func() error { return tx.PutPayment(p) }), read+1,
			"a payment whose indexes stay is not looked up in them")
		p.Status = platform.StatusSuccess
		return tx.PutPayment(p)
	})
	view(t, d, func(tx platform.Tx) error {
		for status, want := range map[platform.Status][]string{platform.StatusAwaitingRedirect: {}, platform.StatusSuccess: {"p1"}} {
			page, err := tx.Payments(platform.PaymentFilter{ProjectID: 1, Status: status})
			require.NoError(t, err)
			assert.Equal(t, want, ids(page.Payments), status)
		}
		page, err := tx.Payments(platform.PaymentFilter{ProjectID: 1, Method: "oxxo"})
		require.NoError(t, err)
		assert.Equal(t, []string{"p1"}, ids(page.Payments), "still in its method's index")
		return nil
	})
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	assert.Empty(t, r.Problems)
}

// TestPaymentLookupsInOneTransaction looks payments up by key in one
// transaction: the generations of keys are read once, the current one,
// which has no filter, is not asked for one again, and a payment looked up
// once needs no lookup of its key again, even from a write (as an
// attempt's record reads its payment, its deliveries and jobs, and stores
// it); after a reset it is gone and its key may be taken anew.
func TestPaymentLookupsInOneTransaction(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	update(t, d, func(tx platform.Tx) error {
		for _, id := range []string{"p1", "p2"} {
			if err := tx.CreatePayment(payment(1, id, "oxxo", platform.StatusAwaitingRedirect, base)); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, d, func(tx platform.Tx) error {
		get := func(id string) func() error {
			return func() error { _, err := tx.Payment(key(id)); return err }
		}
		seeks(t, tx, get("p1")) // opens the buckets, which bbolt then keeps
		assert.Equal(t, int64(2), seeks(t, tx, get("p2")), "the key and the record: not the generations, nor a filter")
		assert.Equal(t, int64(1), seeks(t, tx, get("p2")), "the record alone")
		p, err := tx.Payment(key("p2"))
		require.NoError(t, err)
		p.Description = "stored again"
		assert.Equal(t, int64(2), seeks(t, tx, func() error { return tx.PutPayment(p) }), "the record read and put")

		require.NoError(t, tx.Reset())
		_, err = tx.Payment(key("p2"))
		require.ErrorIs(t, err, platform.ErrNotFound, "a reset forgets what was looked up")
		return tx.CreatePayment(payment(1, "p2", "loterica", platform.StatusProcessing, base))
	})
	view(t, d, func(tx platform.Tx) error {
		p, err := tx.Payment(key("p2"))
		require.NoError(t, err)
		assert.Equal(t, "loterica", p.Method)
		return nil
	})
	r, err := d.Check(t.Context())
	require.NoError(t, err)
	assert.Empty(t, r.Problems)
}
