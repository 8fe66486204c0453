package bolt

import (
	"bytes"
	stdflate "compress/flate"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// A callback body as the sandbox writes one.
const callbackBody = `{"project_id":7,"payment":{"id":"order-77","type":"purchase","status":"processing",` +
	`"date":"2026-03-02T09:00:00+0000","method":"Oxxo","sum":{"amount":25000,"currency":"MXN"},"description":"Order 77"},` +
	`"customer":{"id":"cust-1"},"operation":{"id":1000012345,"type":"sale","status":"awaiting redirect result",` +
	`"date":"2026-03-02T09:00:00+0000","created_date":"2026-03-02T09:00:00+0000","request_id":"a3f0c9e2d1b4c5a6f7e8",` +
	`"sum_initial":{"amount":25000,"currency":"MXN"},"sum_converted":{"amount":25000,"currency":"MXN"},` +
	`"provider":{"id":1414,"payment_id":"","auth_code":"","date":"2026-03-02T09:00:00+0000"},"code":"0",` +
	`"message":"Awaiting redirect result"},"redirect_data":{"url":"http://127.0.0.1:41234/providers/oxxo/vouchers/7-order-77","method":"GET","body":[]}}`

func TestBlobRoundTrip(t *testing.T) {
	t.Parallel()
	for _, body := range [][]byte{nil, {}, []byte(`{"ok":true}`), []byte(callbackBody), []byte(strings.Repeat("x", 5000))} {
		var e enc
		e.blob(body)
		d := dec{b: e.b}
		got := d.blob()
		require.NoError(t, d.err)
		assert.Equal(t, body, got)
		assert.Empty(t, d.b, "the blob is read whole")
	}
	var e enc
	e.blob([]byte(callbackBody))
	assert.Less(t, len(e.b), len(callbackBody)/3, "a callback is stored deflated against the dictionary")
}

// Files written before the store deflated with its present deflater hold
// bodies deflated by the standard library at its default level: they read
// as they always did.
func TestBlobReadsStandardDeflate(t *testing.T) {
	t.Parallel()
	var z bytes.Buffer
	w, err := stdflate.NewWriterDict(&z, stdflate.DefaultCompression, []byte(bodyDictionary))
	require.NoError(t, err)
	_, err = w.Write([]byte(callbackBody))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	var e enc
	e.uvarint(blobDeflate)
	e.uvarint(uint64(len(callbackBody)))
	e.bytes(z.Bytes())

	d := dec{b: e.b}
	got := d.blob()
	require.NoError(t, d.err)
	assert.Equal(t, callbackBody, string(got))
}

// TestDeliveryReadBackIsNotInflatedAgain stores a delivery and reads it
// back in the next transactions, as the record of its attempt does: its
// deflated message is not inflated again, and what is read is what was
// stored; once its record holds another message, written where the
// messages kept know nothing of it, that one is read.
func TestDeliveryReadBackIsNotInflatedAgain(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	sent := delivery(1, key("p1"), platform.DeliveryPending)
	sent.Body = []byte(callbackBody)
	update(t, d, func(tx platform.Tx) error {
		if err := tx.CreatePayment(payment(1, "p1", "oxxo", platform.StatusAwaitingRedirect, base)); err != nil {
			return err
		}
		return tx.PutDelivery(sent)
	})
	hits := func() int {
		d.commits.messages.mu.Lock()
		defer d.commits.messages.mu.Unlock()
		return d.commits.messages.hits
	}
	update(t, d, func(tx platform.Tx) error {
		got, err := tx.Delivery(1)
		require.NoError(t, err)
		assert.Equal(t, callbackBody, string(got.Body))
		got.Attempts = append(got.Attempts, platform.Attempt{At: base.Add(time.Second), Status: 200})
		return tx.PutDelivery(got)
	})
	assert.Equal(t, 1, hits(), "the stored message was read from memory")

	other := *sent
	other.Body = []byte(strings.Replace(callbackBody, "order-77", "order-78", 1))
	require.NoError(t, d.db.Update(func(btx *bbolt.Tx) error {
		return btx.Bucket(bucketDeliveries).Put(u64(1), encodeDelivery(&other, nil))
	}))
	view(t, d, func(tx platform.Tx) error {
		got, err := tx.Delivery(1)
		require.NoError(t, err)
		assert.Equal(t, string(other.Body), string(got.Body), "the record's message, not the one kept")
		return nil
	})
}

// TestMessageCacheKeepsTheLast keeps more messages than a messageCache
// holds: one kept twice takes one place, and the oldest go first.
func TestMessageCacheKeepsTheLast(t *testing.T) {
	t.Parallel()
	var c messageCache
	m := storedMessage{blob: []byte{blobDeflate}, message: []byte("m")}
	c.keep(1, m)
	c.keep(1, m)
	for id := uint64(2); id <= messagesKept; id++ {
		c.keep(id, m)
	}
	assert.Equal(t, messagesKept, len(c.m))
	assert.NotNil(t, c.get(1).message, "kept twice, it took one place")
	c.keep(messagesKept+1, m)
	assert.Equal(t, messagesKept, len(c.m))
	assert.Nil(t, c.get(1).message, "the oldest went")
	assert.NotNil(t, c.get(2).message)
	assert.NotNil(t, c.get(messagesKept+1).message)
}
