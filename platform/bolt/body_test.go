package bolt

import (
	"bytes"
	stdflate "compress/flate"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
