package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// TestRecordsKeepEveryField converts fully filled API values to records
// and back. It fails when a field of package platform has no place in the
// records.
func TestRecordsKeepEveryField(t *testing.T) {
	t.Parallel()
	t.Run("project", func(t *testing.T) {
		p := filled[platform.Project]()
		assert.Equal(t, p, roundTrip(t, toProjectRecord(p)).project())
	})
	t.Run("payment", func(t *testing.T) {
		p := filled[platform.Payment]()
		got, err := decodePayment(encodePayment(&p))
		require.NoError(t, err)
		assert.Equal(t, &p, got)
	})
	t.Run("job", func(t *testing.T) {
		j := filled[platform.Job]()
		k, err := jobKey(j.Due, j.ID)
		require.NoError(t, err)
		got, err := decodeJob(k, encodeJob(j))
		require.NoError(t, err)
		assert.Equal(t, j, got)
	})
	t.Run("delivery", func(t *testing.T) {
		d := filled[platform.Delivery]()
		got, err := decodeDelivery(d.ID, encodeDelivery(&d, nil))
		require.NoError(t, err)
		assert.Equal(t, &d, got)
	})
	t.Run("clock", func(t *testing.T) {
		s := filled[platform.ClockState]()
		assert.Equal(t, s, roundTrip(t, toClockRecord(s)).state())
	})
}

// TestStoreKeepsEveryField does the same through the store.
func TestStoreKeepsEveryField(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	project := filled[platform.Project]()
	p := filled[platform.Payment]()
	j := filled[platform.Job]()
	j.Due = base
	j.Payment = p.Key() // a job belongs to a stored payment
	dl := filled[platform.Delivery]()
	dl.ProjectID, dl.PaymentID = p.ProjectID, p.ID // a delivery belongs to a stored payment
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
	t.Parallel()
	var p platform.Payment
	gotP, err := decodePayment(encodePayment(&p))
	require.NoError(t, err)
	assert.Equal(t, &p, gotP)
	var dl platform.Delivery
	gotD, err := decodeDelivery(0, encodeDelivery(&dl, nil))
	require.NoError(t, err)
	assert.Equal(t, &dl, gotD)
	var project platform.Project
	assert.Equal(t, project, roundTrip(t, toProjectRecord(project)).project())
}

func TestDecodeRefusesNewerRecords(t *testing.T) {
	t.Parallel()
	var r projectRecord
	err := decode([]byte(`{"v":2}`), &r)
	assert.ErrorContains(t, err, "record version 2 is newer")
	err = decode([]byte(`{"v":`), &r)
	assert.ErrorContains(t, err, "decode: ")

	_, err = decodePayment([]byte{formatBinary + 1})
	assert.ErrorContains(t, err, "record format 3 is not one this sandbox reads")
	_, err = decodePayment([]byte(`{"v":1}`))
	assert.ErrorContains(t, err, "a JSON record of schema 1")
}

// TestDecodeDamagedRecords cuts and flips the bytes of records: decoding
// returns an error or a value, and never panics or allocates without end.
func TestDecodeDamagedRecords(t *testing.T) {
	t.Parallel()
	p := filled[platform.Payment]()
	d := filled[platform.Delivery]()
	d.Body = []byte(strings.Repeat(`{"payment":{"id":"x","status":"success"}}`, 4))
	k, err := jobKey(base, 1)
	require.NoError(t, err)
	records := []struct {
		name   string
		v      []byte
		decode func([]byte) error
	}{
		{"payment", encodePayment(&p), func(v []byte) error { _, err := decodePayment(v); return err }},
		{"delivery", encodeDelivery(&d, nil), func(v []byte) error { _, err := decodeDelivery(1, v); return err }},
		{"job", encodeJob(filled[platform.Job]()), func(v []byte) error { _, err := decodeJob(k, v); return err }},
	}
	for _, r := range records {
		t.Run(r.name, func(t *testing.T) {
			for n := range len(r.v) {
				assert.Error(t, r.decode(r.v[:n]), "cut to %d bytes", n)
			}
			assert.Error(t, r.decode(append(bytes.Clone(r.v), 7)), "a byte too many")
			assert.NoError(t, r.decode(pad(r.v, len(r.v)+9)), "padding")
			for i := range r.v {
				for _, x := range []byte{0x01, 0x80, 0xff} {
					v := bytes.Clone(r.v)
					v[i] ^= x
					assert.NotPanics(t, func() { _ = r.decode(v) }, "byte %d ^ %x", i, x)
				}
			}
		})
	}
}

// assertIndexesConsistent runs the full check of the file: every index
// entry names a stored value that points back at it, and every value has
// its entries.
func assertIndexesConsistent(t *testing.T, d *DB) {
	t.Helper()
	r, err := d.Check(context.Background())
	require.NoError(t, err)
	assert.Empty(t, r.Problems)
}

func TestTimeKeyOrder(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	for _, k := range []platform.PaymentKey{key("p1"), {ProjectID: -1, PaymentID: "x\x00y"}, {ProjectID: 1 << 40, PaymentID: "ü"}} {
		got, err := parsePaymentKey(paymentKey(k))
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	_, err := parsePaymentKey([]byte{1, 2})
	assert.Error(t, err)
}

// TestEncodeDeliveryReusesParts rewrites a delivery from its stored parts:
// what did not change is copied, and whatever changed is what comes back.
func TestEncodeDeliveryReusesParts(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("<p>Service Unavailable</p>", 20)
	d := delivery(7, key("p1"), platform.DeliveryPending)
	d.Body = []byte(strings.Repeat(`{"payment":{"id":"p1","status":"success"}}`, 10))
	d.Attempts = []platform.Attempt{
		{At: base, URL: d.URL, RequestBody: string(d.Body[:len(d.Body)-1]) + `,"signature":"c2ln"}`, Status: 503, ResponseBody: long, Latency: time.Second},
		{At: base.Add(time.Minute), URL: d.URL, Error: "timeout"},
	}
	parts, err := decodeDeliveryParts(d.ID, encodeDelivery(d, nil))
	require.NoError(t, err)
	require.Equal(t, d, parts.d)

	change := map[string]func(d *platform.Delivery){
		"an attempt more": func(d *platform.Delivery) {
			d.Attempts = append(d.Attempts, platform.Attempt{At: base.Add(time.Hour), URL: d.URL, Status: 200, ResponseBody: long + "!"})
		},
		"an attempt changed": func(d *platform.Delivery) { d.Attempts[0].Status = 500 },
		"an attempt fewer":   func(d *platform.Delivery) { d.Attempts = d.Attempts[:1] },
		"another body":       func(d *platform.Delivery) { d.Body = []byte(`{"other":true}`) },
		"another URL":        func(d *platform.Delivery) { d.URL = "https://elsewhere.example/" },
		"created later":      func(d *platform.Delivery) { d.CreatedAt = base.Add(time.Hour) },
		"only the status":    func(d *platform.Delivery) { d.Status = platform.DeliveryFailed },
	}
	for name, f := range change {
		t.Run(name, func(t *testing.T) {
			d2 := *d
			d2.Attempts = slices.Clone(d.Attempts)
			f(&d2)
			v := encodeDelivery(&d2, parts)
			got, err := decodeDelivery(d.ID, v)
			require.NoError(t, err)
			assert.Equal(t, &d2, got)
			if bytes.Equal(d2.Body, d.Body) && d2.URL == d.URL && d2.CreatedAt.Equal(d.CreatedAt) {
				assert.True(t, bytes.Contains(v, parts.blob), "the message is copied")
			}
		})
	}
}
