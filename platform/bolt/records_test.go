package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// fill sets every field reachable from v to a value that is not zero and
// differs from the others, so that a conversion forgetting a field (say, one
// added to the API type later) shows up as a difference.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(base.Add(time.Duration(*n)*time.Hour + time.Duration(*n))))
		return
	case reflect.TypeFor[json.RawMessage]():
		v.Set(reflect.ValueOf(json.RawMessage(fmt.Sprintf(`{"n": %d}`, *n))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic(fmt.Sprintf("fill: no rule for %s", v.Type()))
	}
}

// filled returns a T with every field set.
func filled[T any]() T {
	var v T
	n := 0
	fill(reflect.ValueOf(&v).Elem(), &n)
	return v
}

// roundTrip encodes r as the store does and decodes it into a new R.
func roundTrip[R any, PR interface {
	*R
	record
}](t *testing.T, r R) R {
	t.Helper()
	b, err := encode(r)
	require.NoError(t, err)
	var got R
	require.NoError(t, decode(b, PR(&got)))
	return got
}

// TestRecordsKeepEveryField converts fully filled API values to records,
// through JSON and back. It fails when a field of package platform has no
// place in the records.
func TestRecordsKeepEveryField(t *testing.T) {
	t.Run("project", func(t *testing.T) {
		p := filled[platform.Project]()
		assert.Equal(t, p, roundTrip(t, toProjectRecord(p)).project())
	})
	t.Run("payment", func(t *testing.T) {
		p := filled[platform.Payment]()
		got := roundTrip(t, toPaymentRecord(&p, 9))
		assert.Equal(t, uint64(9), got.Seq)
		assert.Equal(t, &p, got.payment())
	})
	t.Run("job", func(t *testing.T) {
		j := filled[platform.Job]()
		assert.Equal(t, j, roundTrip(t, toJobRecord(j)).job())
	})
	t.Run("delivery", func(t *testing.T) {
		d := filled[platform.Delivery]()
		got := roundTrip(t, toDeliveryRecord(&d))
		assert.Equal(t, &d, got.delivery())
	})
	t.Run("clock", func(t *testing.T) {
		s := filled[platform.ClockState]()
		assert.Equal(t, s, roundTrip(t, toClockRecord(s)).state())
	})
}

// TestStoreKeepsEveryField does the same through the store.
func TestStoreKeepsEveryField(t *testing.T) {
	d := newDB(t)
	project := filled[platform.Project]()
	p := filled[platform.Payment]()
	j := filled[platform.Job]()
	j.Due = base
	dl := filled[platform.Delivery]()
	clock := filled[platform.ClockState]()
	update(t, d, func(tx platform.Tx) error {
		require.NoError(t, tx.PutProject(project))
		require.NoError(t, tx.CreatePayment(&p))
		require.NoError(t, tx.PutJob(j))
		require.NoError(t, tx.PutDelivery(&dl))
		return tx.PutClockState(clock)
	})
	view(t, d, func(tx platform.Tx) error {
		gotProject, err := tx.Project(project.ID)
		require.NoError(t, err)
		assert.Equal(t, project, gotProject)
		gotPayment, err := tx.Payment(p.Key())
		require.NoError(t, err)
		assert.Equal(t, &p, gotPayment)
		gotJobs, err := tx.Jobs(j.Payment)
		require.NoError(t, err)
		assert.Equal(t, []platform.Job{j}, gotJobs)
		gotDelivery, err := tx.Delivery(dl.ID)
		require.NoError(t, err)
		assert.Equal(t, &dl, gotDelivery)
		gotClock, err := tx.ClockState()
		require.NoError(t, err)
		assert.Equal(t, clock, gotClock)
		return nil
	})
}

func TestRecordsOfZeroValues(t *testing.T) {
	var p platform.Payment
	assert.Equal(t, &p, roundTrip(t, toPaymentRecord(&p, 1)).payment())
	var dl platform.Delivery
	assert.Equal(t, &dl, roundTrip(t, toDeliveryRecord(&dl)).delivery())
	var project platform.Project
	assert.Equal(t, project, roundTrip(t, toProjectRecord(project)).project())
}

func TestDecodeRefusesNewerRecords(t *testing.T) {
	var r paymentRecord
	err := decode([]byte(`{"v":2}`), &r)
	assert.ErrorContains(t, err, "record version 2 is newer")
	err = decode([]byte(`{"v":`), &r)
	assert.ErrorContains(t, err, "decode: ")
}

// assertIndexesConsistent checks that every index entry names a stored
// value that points back at it, and that every value has its entries.
func assertIndexesConsistent(t *testing.T, d *DB) {
	t.Helper()
	err := d.db.View(func(btx *bbolt.Tx) error {
		count := func(name []byte) int { return btx.Bucket(name).Stats().KeyN }

		// Payments and their time index.
		payments := btx.Bucket(bucketPayments)
		assert.Equal(t, count(bucketPayments), count(bucketPaymentsByTime), "one time entry per payment")
		require.NoError(t, btx.Bucket(bucketPaymentsByTime).ForEach(func(k, v []byte) error {
			s, err := decodeSummary(v)
			require.NoError(t, err)
			pv := payments.Get(s.key())
			require.NotNil(t, pv, "time entry %x", k)
			var r paymentRecord
			require.NoError(t, decode(pv, &r))
			p := r.payment()
			assert.Equal(t, timeIndexKey(p.CreatedAt, r.Seq), k)
			assert.Equal(t, encodeSummary(p), v)
			return nil
		}))

		// Jobs and their two indexes.
		jobs := btx.Bucket(bucketJobs)
		assert.Equal(t, count(bucketJobs), count(bucketJobsByID))
		assert.Equal(t, count(bucketJobs), count(bucketJobsByPayment))
		require.NoError(t, jobs.ForEach(func(k, v []byte) error {
			j, err := decodeJob(k, v)
			require.NoError(t, err)
			want, err := jobKey(j.Due, j.ID)
			require.NoError(t, err)
			assert.Equal(t, want, k)
			assert.Equal(t, k, btx.Bucket(bucketJobsByID).Get(u64(j.ID)))
			assert.NotNil(t, btx.Bucket(bucketJobsByPayment).Get(append(paymentPrefix(j.Payment), k...)))
			return nil
		}))

		// Deliveries and their index.
		deliveries := btx.Bucket(bucketDeliveries)
		assert.Equal(t, count(bucketDeliveries), count(bucketDeliveriesByPayment))
		require.NoError(t, deliveries.ForEach(func(k, v []byte) error {
			var r deliveryRecord
			require.NoError(t, decode(v, &r))
			ik := append(paymentPrefix(r.delivery().Key()), k...)
			assert.NotNil(t, btx.Bucket(bucketDeliveriesByPayment).Get(ik), "index of delivery %x", k)
			return nil
		}))
		return nil
	})
	require.NoError(t, err)
}

func TestSummary(t *testing.T) {
	tests := []*platform.Payment{
		payment(1, "p1", "oxxo", platform.StatusProcessing, base),
		payment(-5, "", "", "", base),
		payment(1<<62, string(bytes.Repeat([]byte{0, 0xff}, 200)), string(bytes.Repeat([]byte("m"), 300)), platform.StatusAwaitingRedirect, base),
	}
	for _, p := range tests {
		s, err := decodeSummary(encodeSummary(p))
		require.NoError(t, err)
		assert.Equal(t, p.ProjectID, s.projectID)
		assert.Equal(t, string(p.Status), string(s.status))
		assert.Equal(t, p.Method, string(s.method))
		assert.Equal(t, paymentKey(p.Key()), s.key())
		assert.True(t, s.match(platform.PaymentFilter{ProjectID: p.ProjectID, Status: p.Status, Method: p.Method}))
		assert.False(t, s.match(platform.PaymentFilter{Method: p.Method + "x"}))
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, append(make([]byte, 8), 5, 'a'), append(make([]byte, 8), 0, 0xff)} {
		_, err := decodeSummary(bad)
		assert.ErrorIs(t, err, errBadSummary, "%x", bad)
	}
}

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		time.Unix(0, -1<<63),
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, -1),
		time.Unix(0, 0),
		time.Unix(0, 1),
		base,
		base.Add(time.Nanosecond),
		time.Unix(0, 1<<63-1),
	}
	var prev uint64
	for i, tm := range times {
		k, ok := timeKey(tm)
		require.True(t, ok, "%s", tm)
		if i > 0 {
			assert.Greater(t, k, prev, "%s", tm)
		}
		prev = k
	}
	for _, out := range []time.Time{{}, time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC)} {
		_, ok := timeKey(out)
		assert.False(t, ok, "%s", out)
	}
	assert.Equal(t, uint64(0), clampedTimeKey(time.Time{}))
	assert.Equal(t, ^uint64(0), clampedTimeKey(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)))
}

func TestPaymentKey(t *testing.T) {
	for _, k := range []platform.PaymentKey{key("p1"), {ProjectID: -1, PaymentID: "x\x00y"}, {ProjectID: 1 << 40, PaymentID: "ü"}} {
		got, err := parsePaymentKey(paymentKey(k))
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	_, err := parsePaymentKey([]byte{1, 2})
	assert.Error(t, err)
}
