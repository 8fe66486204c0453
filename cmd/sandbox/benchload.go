package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/bits"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// The load generator of `sandbox bench`: one goroutine per keep-alive
// connection, each sending requests one after another until the time or
// the count runs out, latencies counted in a histogram per connection.

// subBits sets the histogram's precision: 2^subBits buckets per power of
// two, so a bucket is at most 1/64 (1.6%) wide.
const subBits = 6

// histogram counts durations in buckets of about 1.6% width, from 1 ns to
// the largest time.Duration. The zero value is empty and ready.
type histogram struct {
	counts [(64 - subBits + 1) << subBits]uint64
	n      uint64
	max    time.Duration
}

// bucketOf returns the bucket of d, a positive duration.
func bucketOf(d time.Duration) int {
	v := uint64(max(d, 0))
	if v < 1<<subBits {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)<<subBits | int(v>>shift&(1<<subBits-1))
}

// bucketMid returns the middle of bucket i.
func bucketMid(i int) time.Duration {
	if i < 1<<subBits {
		return time.Duration(i)
	}
	shift := i>>subBits - 1
	low := uint64(i&(1<<subBits-1)|1<<subBits) << shift
	return time.Duration(low + (uint64(1)<<shift)/2)
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the duration below which a fraction q of the recorded
// durations fall (to the histogram's precision); 0 when it is empty.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	if rank >= h.n {
		rank = h.n - 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen > rank {
			return min(bucketMid(i), h.max)
		}
	}
	return h.max
}

// loadResult is what one load run measured.
type loadResult struct {
	ok, failed int64
	hist       histogram // latencies of the answers that were ok
	elapsed    time.Duration
	cpu        time.Duration // CPU time of the whole process meanwhile, 0 when unknown
	lastAnswer time.Time     // when the last answer arrived
	firstError string
}

// rate returns the ok answers per second.
func (r loadResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// merge adds o, another load of the same target, to r.
func (r *loadResult) merge(o loadResult) {
	r.ok += o.ok
	r.failed += o.failed
	r.hist.merge(&o.hist)
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	if o.lastAnswer.After(r.lastAnswer) {
		r.lastAnswer = o.lastAnswer
	}
	if r.firstError == "" {
		r.firstError = o.firstError
	}
}

// cpuPerRequest returns the process's CPU time per answered request: on a
// machine shared with other work it predicts the rate an idle machine would
// reach better than the rate itself.
func (r loadResult) cpuPerRequest() time.Duration {
	if r.ok+r.failed == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.ok+r.failed)
}

// loadSpec says what to load: a URL, a body for the n-th request (counted
// from 0 across every connection), how many connections, for how long and
// at most how many requests in all.
type loadSpec struct {
	url         string
	body        func(n int64) []byte
	connections int
	duration    time.Duration
	maxRequests int64
}

// runLoad sends POST requests as spec says and returns what it measured.
// A request counts as ok when it is answered 200; anything else, including
// a transport error, is a failure whose first one is kept.
func runLoad(ctx context.Context, spec loadSpec) loadResult {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		total    loadResult
		wg       sync.WaitGroup
		start    = time.Now()
		deadline = start.Add(spec.duration)
	)
	cpu0, cpuOK := processCPU()
	for range spec.connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true,
				DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: time.Minute}
			var mine loadResult
			for ctx.Err() == nil && time.Now().Before(deadline) {
				n := next.Add(1) - 1
				if n >= spec.maxRequests {
					break
				}
				t0 := time.Now()
				status, body, err := post(ctx, client, spec.url, spec.body(n))
				t1 := time.Now()
				mine.lastAnswer = t1
				if err == nil && status == http.StatusOK {
					mine.ok++
					mine.hist.record(t1.Sub(t0))
					continue
				}
				mine.failed++
				if mine.firstError == "" {
					if err != nil {
						mine.firstError = err.Error()
					} else {
						mine.firstError = fmt.Sprintf("answered %d: %.300s", status, body)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.ok += mine.ok
			total.failed += mine.failed
			total.hist.merge(&mine.hist)
			if mine.lastAnswer.After(total.lastAnswer) {
				total.lastAnswer = mine.lastAnswer
			}
			if total.firstError == "" {
				total.firstError = mine.firstError
			}
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	if cpu1, ok := processCPU(); ok && cpuOK {
		total.cpu = cpu1 - cpu0
	}
	return total
}

// post sends one JSON body and reads the whole answer, so the connection
// is reused.
func post(ctx context.Context, client *http.Client, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// benchIDPrefix starts the payment ID of every sale the bench sends; the
// receiver finds a callback's payment by it.
const benchIDPrefix = "bench-"

// paymentIDs names the payments of one load, or of the fill, by their
// number: the prefix followed by the number, or, random, 32 hex digits
// that look drawn at random, as merchants' UUIDs do, and sort anywhere
// among a store's payment IDs. The first 16 digits are a hash of the
// number keyed with the prefix, the last 16 the number masked with the
// same key: the same prefix gives the same IDs on every run, and a receiver
// reads the number back, knowing the IDs of its own load from any other.
type paymentIDs struct {
	prefix string
	random bool
	key    uint64 // random: the key of the hashes, from prefix
}

// newPaymentIDs returns the IDs of a load or a fill, random or prefix and
// number.
func newPaymentIDs(prefix string, random bool) paymentIDs {
	h := fnv.New64a()
	_, _ = h.Write([]byte(prefix))
	return paymentIDs{prefix: prefix, random: random, key: h.Sum64()}
}

// randomIDLen is the length of a random payment ID.
const randomIDLen = 32

// id returns the payment ID of number n.
func (p paymentIDs) id(n int64) string {
	if !p.random {
		return p.prefix + strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%016x%016x", p.hash(uint64(n)), uint64(n)^p.key)
}

// number returns the number of payment ID id, false when id is none of
// these IDs.
func (p paymentIDs) number(id []byte) (int64, bool) {
	if !p.random {
		rest, ok := bytes.CutPrefix(id, []byte(p.prefix))
		n, err := strconv.ParseInt(string(rest), 10, 64)
		return n, ok && err == nil && n >= 0
	}
	if len(id) != randomIDLen {
		return 0, false
	}
	hash, err1 := strconv.ParseUint(string(id[:16]), 16, 64)
	masked, err2 := strconv.ParseUint(string(id[16:]), 16, 64)
	n := masked ^ p.key
	if err1 != nil || err2 != nil || hash != p.hash(n) || int64(n) < 0 {
		return 0, false
	}
	return int64(n), true
}

// find returns the number of the first of these payment IDs that a JSON
// body holds as an "id".
func (p paymentIDs) find(body []byte) (int64, bool) {
	key := []byte(`"id":"`)
	for i := bytes.Index(body, key); i >= 0; i = bytes.Index(body, key) {
		body = body[i+len(key):]
		end := bytes.IndexByte(body, '"')
		if end < 0 {
			return 0, false
		}
		if n, ok := p.number(body[:end]); ok {
			return n, true
		}
	}
	return 0, false
}

// hash returns the first half of the random ID of number n: a number
// drawn from a generator seeded with the key and n, so that the IDs of
// neighbouring numbers look unrelated.
func (p paymentIDs) hash(n uint64) uint64 { return rand.NewPCG(p.key, n).Uint64() }

// saleBodies signs Oxxo sale bodies for project and secret, one per payment
// ID, without encoding JSON or flattening it again for each: the body and
// its canonical string are computed once with placeholders, and each sale
// only fills in its ID and signs, the payment ID of its number.
type saleBodies struct {
	secret string
	ids    paymentIDs
	canon  []string // the canonical string, split at the payment ID
	body   []string // the JSON body, split at the ID and the signature
	holes  []byte   // which placeholder each split of body is followed by: 'i' or 's'
}

const (
	idPlaceholder  = "@@PAYMENT-ID@@"
	sigPlaceholder = "@@SIGNATURE@@"
)

// newSaleBodies prepares the templates of the Oxxo sales of project.
func newSaleBodies(project int64, secret string, ids paymentIDs) (*saleBodies, error) {
	sale := map[string]any{
		"general": map[string]any{"project_id": project, "payment_id": idPlaceholder},
		"customer": map[string]any{
			"id": "589256", "ip_address": "66.249.64.45", "email": "paul@example.com",
			"first_name": "Paul", "last_name": "Marques",
			"identify": map[string]any{"doc_number": "84887177100"},
		},
		"payment": map[string]any{"amount": 10000, "currency": "MXN", "description": "Order " + idPlaceholder},
	}
	s := &saleBodies{secret: secret, ids: ids, canon: strings.Split(signature.Canonical(sale), idPlaceholder)}
	sale["general"].(map[string]any)["signature"] = sigPlaceholder
	raw, err := json.Marshal(sale)
	if err != nil {
		return nil, fmt.Errorf("sale template: %w", err)
	}
	rest := string(raw)
	for {
		i, j := strings.Index(rest, idPlaceholder), strings.Index(rest, sigPlaceholder)
		switch {
		case i < 0 && j < 0:
			s.body = append(s.body, rest)
			return s, s.check()
		case j < 0 || (i >= 0 && i < j):
			s.body = append(s.body, rest[:i])
			s.holes = append(s.holes, 'i')
			rest = rest[i+len(idPlaceholder):]
		default:
			s.body = append(s.body, rest[:j])
			s.holes = append(s.holes, 's')
			rest = rest[j+len(sigPlaceholder):]
		}
	}
}

// check verifies one body the way the sandbox does, so that a template that
// went wrong fails here rather than as a run of 403s.
func (s *saleBodies) check() error {
	data, err := signature.Decode(s.sale(0))
	if err != nil {
		return fmt.Errorf("sale template: %w", err)
	}
	general, _ := data["general"].(map[string]any)
	sig, _ := general["signature"].(string)
	if err := signature.Verify(data, sig, s.secret); err != nil {
		return fmt.Errorf("sale template: the signature does not verify: %w", err)
	}
	return nil
}

// id returns the payment ID of sale n.
func (s *saleBodies) id(n int64) string { return s.ids.id(n) }

// sale returns the signed body of sale n.
func (s *saleBodies) sale(n int64) []byte {
	id := s.id(n)
	sig := signature.SignString(strings.Join(s.canon, id), s.secret)
	var b bytes.Buffer
	b.Grow(512)
	for i, part := range s.body {
		b.WriteString(part)
		if i < len(s.holes) {
			if s.holes[i] == 'i' {
				b.WriteString(id)
			} else {
				b.WriteString(sig)
			}
		}
	}
	return b.Bytes()
}

// receiver is a merchant's callback endpoint that answers 200 at once and
// notes when the redirect callback of each bench payment first arrives.
type receiver struct {
	ids   paymentIDs
	seen  []atomic.Int64 // by sale number: arrival in ns since start, 0 for not yet
	start time.Time
	count atomic.Int64 // distinct payments whose redirect callback arrived
	dups  atomic.Int64 // redirect callbacks that arrived again
	other atomic.Int64 // callbacks that are not a bench payment's redirect
}

func newReceiver(ids paymentIDs, capacity int64) *receiver {
	return &receiver{ids: ids, seen: make([]atomic.Int64, capacity), start: time.Now()}
}

var awaitingRedirect = []byte(`"awaiting redirect result"`)

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	at := time.Since(r.start)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
	n, ok := r.saleNumber(body)
	if !ok || !bytes.Contains(body, awaitingRedirect) {
		r.other.Add(1)
		return
	}
	if r.seen[n].CompareAndSwap(0, int64(max(at, 1))) {
		r.count.Add(1)
	} else {
		r.dups.Add(1)
	}
}

// saleNumber finds the bench payment ID in a callback body and returns its
// number.
func (r *receiver) saleNumber(body []byte) (int64, bool) {
	n, ok := r.ids.find(body)
	if !ok || n >= int64(len(r.seen)) {
		return 0, false
	}
	return n, true
}

// arrivedBy counts the sales whose redirect callback arrived by t.
func (r *receiver) arrivedBy(t time.Time) int64 {
	limit := int64(t.Sub(r.start))
	var n int64
	for i := range r.seen {
		if v := r.seen[i].Load(); v != 0 && v <= limit {
			n++
		}
	}
	return n
}

// lastArrival returns when the last redirect callback arrived, or the zero
// time when none did.
func (r *receiver) lastArrival() time.Time {
	var last int64
	for i := range r.seen {
		last = max(last, r.seen[i].Load())
	}
	if last == 0 {
		return time.Time{}
	}
	return r.start.Add(time.Duration(last))
}
