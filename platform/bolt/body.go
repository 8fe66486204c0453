package bolt

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Bodies (what a delivery carries, what a merchant answered) are most of a
// delivery's bytes. A body of minBlob bytes or more is stored deflated
// against bodyDictionary, which holds the shapes of the sandbox's messages,
// so that a callback of 800 bytes takes about 150. An attempt's request
// body is the delivery's body with a signature spliced in: only the splice
// is stored (see enc.request).

// minBlob is the size from which a body is deflated: messages are, the
// short answers of merchants ({"ok":true}, "Service Unavailable") are not.
const minBlob = 200

// bodyDictionary primes the deflater with the words of the sandbox's
// messages; the most common come last, where matches are cheapest. It is
// part of the file format: changing it makes stored bodies unreadable, so
// a new dictionary needs a new blob kind.
const bodyDictionary = `{"type":"check_deposit","project_id":1,"payment_id":"","customer_id":"","amount":1000,"currency":"BRL","payment_method":"eco-voucher"}` +
	`http://127.0.0.1:9000/callbacks/callbackhttps://localhost:3000/webhooks/ecommpay/{"ok":true}{"status":"ok"}<html><head><title>404 Not Found</title></head><body>Internal Server Error</body></html>` +
	`"errors":[{"code":20000,"message":"General decline","field":"payment.amount"}],"clarification_fields":["customer.phone","customer.email","customer.first_name","customer.last_name"],` +
	`"message":"Awaiting clarification"},"operations":[{"id":1000000002,"type":"refund","status":"refunded","code":"20105","message":"Insufficient funds"` +
	`"method":"Card partner","payment_method":"Rapipago","Loterica","EcoVoucher","Oxxo","sum":{"amount":100,"currency":"ARS"},"EUR","BRL","MXN",` +
	`"redirect_data":{"url":"https://sandbox.example/providers/card-partner/checkout/","method":"POST","body":{}}}` +
	`{"project_id":1,"payment":{"id":"order-1","type":"purchase","status":"decline","date":"2026-01-01T00:00:00+0000","method":"Oxxo","sum":{"amount":10000,"currency":"USD"},"description":"Order 1"},` +
	`"customer":{"id":"1"},"operation":{"id":1000000001,"type":"sale","status":"awaiting redirect result","date":"2026-01-01T00:00:00+0000","created_date":"2026-01-01T00:00:00+0000","request_id":"",` +
	`"sum_initial":{"amount":10000,"currency":"USD"},"sum_converted":{"amount":10000,"currency":"USD"},"provider":{"id":1414,"payment_id":"","auth_code":"","date":"2026-01-01T00:00:00+0000"},` +
	`"code":"0","message":"Awaiting redirect result"},"redirect_data":{"url":"http://127.0.0.1:8080/providers/oxxo/vouchers/","method":"GET","body":[]}}` +
	`{"project_id":1,"payment":{"id":"","type":"purchase","status":"success","date":"2026-01-01T00:00:00+0000","method":"Oxxo","sum":{"amount":10000,"currency":"USD"},"description":""},` +
	`"customer":{"id":""},"operation":{"id":1000000001,"type":"sale","status":"success","date":"2026-01-01T00:00:00+0000","created_date":"2026-01-01T00:00:00+0000","request_id":"",` +
	`"sum_initial":{"amount":10000,"currency":"USD"},"sum_converted":{"amount":10000,"currency":"USD"},"provider":{"id":1414,"payment_id":"","auth_code":"","date":"2026-01-01T00:00:00+0000"},` +
	`"code":"0","message":"Success"}}`

// Blob kinds: how a body is stored.
const (
	blobNil     = 0 // a nil body
	blobRaw     = 1 // the bytes as they are
	blobDeflate = 2 // uvarint length, then the bytes deflated against bodyDictionary
)

// deflateLevel is the deflater's level. Bodies are deflated inside the
// write transaction, which commits run one at a time, so speed matters
// more than the last bytes: level 1 with the dictionary deflates a callback
// in a third of the time the standard library's default level takes, for
// about 25 bytes more. The format is plain deflate whatever the level, so
// the level may change without a new blob kind.
const deflateLevel = flate.BestSpeed

// deflater is a deflater with the memory it deflates into.
type deflater struct {
	w   *flate.Writer
	out bytes.Buffer
}

// keptDeflation is the most a pooled deflater's memory keeps: a body's
// deflated bytes, a few KB (a merchant's answer is cut at 4 KB), unless a
// message is uncommonly large.
const keptDeflation = 64 << 10

// release puts z back in its pool, without memory that a large body made
// it take.
func (z *deflater) release() {
	if z.out.Cap() > keptDeflation {
		z.out = bytes.Buffer{}
	}
	deflaters.Put(z)
}

// Deflaters and inflaters are costly to make, so they are pooled. The pools
// hold no state that changes what the store does.
var (
	deflaters = sync.Pool{New: func() any {
		w, err := flate.NewWriterDict(nil, deflateLevel, []byte(bodyDictionary))
		if err != nil {
			panic(err) // only for a bad level
		}
		return &deflater{w: w}
	}}
	inflaters = sync.Pool{New: func() any { return flate.NewReaderDict(nil, []byte(bodyDictionary)) }}
)

// blob writes a body, deflated when that makes it smaller.
func (e *enc) blob(b []byte) {
	if b == nil {
		e.uvarint(blobNil)
		return
	}
	if len(b) >= minBlob {
		z := deflaters.Get().(*deflater)
		defer z.release()
		z.out.Reset()
		z.w.Reset(&z.out)
		_, _ = z.w.Write(b) // a bytes.Buffer does not fail
		_ = z.w.Close()
		if z.out.Len() < len(b) {
			e.uvarint(blobDeflate)
			e.uvarint(uint64(len(b)))
			e.bytes(z.out.Bytes())
			return
		}
	}
	e.uvarint(blobRaw)
	e.bytes(b)
}

// rawBlob copies a blob as it is stored, for a body that did not change.
func (e *enc) rawBlob(stored []byte) { e.b = append(e.b, stored...) }

// blob reads a body, inflating it when it was deflated.
func (d *dec) blob() []byte {
	switch kind := d.uvarint(); kind {
	case blobNil:
		return nil
	case blobRaw:
		b := d.bytes()
		if b == nil && d.err == nil {
			d.fail("body")
		}
		return b
	case blobDeflate:
		n := d.uvarint()
		z := d.bytes()
		if d.err != nil {
			return nil
		}
		// Deflate shrinks by at most 1032:1: a larger claim is damage.
		if n > uint64(len(z))*1032+64 {
			d.fail("body length")
			return nil
		}
		r := inflaters.Get().(io.ReadCloser)
		defer inflaters.Put(r)
		if err := r.(flate.Resetter).Reset(bytes.NewReader(z), []byte(bodyDictionary)); err != nil {
			d.fail("body: " + err.Error())
			return nil
		}
		out := make([]byte, n)
		if _, err := io.ReadFull(r, out); err != nil {
			d.fail("body: " + err.Error())
			return nil
		}
		return out
	default:
		d.fail(fmt.Sprintf("body kind %d", kind))
		return nil
	}
}

// skipBlob passes over a blob and returns it as stored, still in the
// record's memory.
func (d *dec) skipBlob() []byte {
	start := d.b
	switch kind := d.uvarint(); kind {
	case blobNil:
	case blobRaw:
		if n := d.uvarint(); n > 0 {
			d.take(n - 1)
		}
	case blobDeflate:
		d.uvarint()
		if n := d.uvarint(); n > 0 {
			d.take(n - 1)
		}
	default:
		d.fail(fmt.Sprintf("body kind %d", kind))
	}
	if d.err != nil {
		return nil
	}
	return start[:len(start)-len(d.b)]
}

// Request kinds: how an attempt's request body is stored, given the body
// of its delivery.
const (
	requestSame      = 0 // the delivery's body itself
	requestSplice    = 1 // uvarint p, uvarint s, blob m: body[:p] + m + body[len-s:]
	requestSignature = 2 // p, s, a comma flag and the signature's bytes: m is [,]"signature":"base64"
)

const signatureMember = `"signature":"`

// request writes an attempt's request body as the splice that turns body
// into it. The sender's request body is the delivery's body with a
// signature member added before the closing brace, so the splice is a few
// bytes and the signature.
func (e *enc) request(body []byte, req string) {
	if req == string(body) {
		e.uvarint(requestSame)
		return
	}
	p := 0
	for p < len(body) && p < len(req) && body[p] == req[p] {
		p++
	}
	s := 0
	for s < len(body)-p && s < len(req)-p && body[len(body)-1-s] == req[len(req)-1-s] {
		s++
	}
	m := req[p : len(req)-s]
	rest, comma := strings.CutPrefix(m, ",")
	if r, ok := strings.CutPrefix(rest, signatureMember); ok && len(r) > 1 && r[len(r)-1] == '"' {
		sig, err := base64.StdEncoding.DecodeString(r[:len(r)-1])
		if err == nil && base64.StdEncoding.EncodeToString(sig) == r[:len(r)-1] {
			e.uvarint(requestSignature)
			e.uvarint(uint64(p))
			e.uvarint(uint64(s))
			e.bool(comma)
			e.bytes(sig)
			return
		}
	}
	e.uvarint(requestSplice)
	e.uvarint(uint64(p))
	e.uvarint(uint64(s))
	e.blob([]byte(m))
}

// request reads what enc.request wrote, given the same body.
func (d *dec) request(body []byte) string {
	kind := d.uvarint()
	if kind == requestSame {
		return string(body)
	}
	p, s := d.uvarint(), d.uvarint()
	var m []byte
	switch kind {
	case requestSplice:
		m = d.blob()
	case requestSignature:
		if d.bool() {
			m = append(m, ',')
		}
		m = append(m, signatureMember...)
		m = base64.StdEncoding.AppendEncode(m, d.bytes())
		m = append(m, '"')
	default:
		d.fail(fmt.Sprintf("request kind %d", kind))
	}
	if d.err != nil {
		return ""
	}
	if p > uint64(len(body)) || s > uint64(len(body))-p {
		d.fail("request splice")
		return ""
	}
	out := make([]byte, 0, int(p)+len(m)+int(s))
	out = append(out, body[:p]...)
	out = append(out, m...)
	return string(append(out, body[uint64(len(body))-s:]...))
}

// storedMessage is a delivery's message (its URL and body, see
// deliveryMessage) as stored, deflated, and as it reads.
type storedMessage struct {
	blob, message []byte
}

// messagesKept is how many deliveries' messages a messageCache keeps: more
// than the callbacks a busy sandbox has under way at once.
const messagesKept = 1024

// messageCache keeps the messages of the deliveries stored last, by
// delivery ID, so that the record of a callback's attempt, which reads its
// delivery back in the next commit, does not inflate what the sale that
// made it has just deflated: in the writer's transaction, which commits
// run one at a time. An entry only serves a record that stores the same
// bytes, so one that a later write, a rollback or a reset left behind is
// never wrong, only of no use.
type messageCache struct {
	mu   sync.Mutex
	m    map[uint64]storedMessage
	ids  [messagesKept]uint64 // the IDs kept, in the order they came
	next int                  // where in ids the next one goes
	// hits counts the messages served, for tests.
	hits int
}

// keep remembers message m of delivery id; a nil cache keeps nothing.
func (c *messageCache) keep(id uint64, m storedMessage) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[uint64]storedMessage, messagesKept)
	}
	if _, ok := c.m[id]; !ok {
		delete(c.m, c.ids[c.next])
		c.ids[c.next] = id
		c.next = (c.next + 1) % messagesKept
	}
	c.m[id] = m
}

// get returns the message kept of delivery id, if any.
func (c *messageCache) get(id uint64) storedMessage {
	if c == nil {
		return storedMessage{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.m[id]
	if ok {
		c.hits++
	}
	return m
}
