package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

func TestHistogramQuantiles(t *testing.T) {
	t.Parallel()
	var h histogram
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5000 * time.Microsecond}, {0.99, 9900 * time.Microsecond}, {0.01, 100 * time.Microsecond}, {1, 10000 * time.Microsecond}} {
		got := h.quantile(tt.q)
		assert.InEpsilon(t, float64(tt.want), float64(got), 0.02, "q%v: %s", tt.q, got)
	}
	var other histogram
	other.record(time.Second)
	h.merge(&other)
	assert.Equal(t, time.Second, h.quantile(1), "the maximum survives a merge")
	assert.Equal(t, time.Duration(0), (&histogram{}).quantile(0.5), "empty")
}

func TestHistogramBucketsAreOrdered(t *testing.T) {
	t.Parallel()
	prev := -1
	for d := time.Duration(1); d < time.Hour; d = d*17/16 + 1 {
		b := bucketOf(d)
		require.GreaterOrEqual(t, b, prev, "bucket of %s", d)
		mid := bucketMid(b)
		assert.InEpsilon(t, float64(d), float64(mid), 0.02, "%s is counted near %s", d, mid)
		prev = b
	}
}

func TestSaleBodiesAreSignedAndDistinct(t *testing.T) {
	t.Parallel()
	for _, random := range []bool{false, true} {
		ids := newPaymentIDs("t-", random)
		bodies, err := newSaleBodies(7, "s3cret", ids)
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, n := range []int64{0, 1, 9, 10, 12345} {
			raw := bodies.sale(n)
			data, err := signature.Decode(raw)
			require.NoError(t, err, "%s", raw)
			general := data["general"].(map[string]any)
			assert.NoError(t, signature.Verify(data, general["signature"].(string), "s3cret"), "%s", raw)
			id := general["payment_id"].(string)
			if random {
				assert.Regexp(t, `^[0-9a-f]{32}$`, id)
			} else {
				assert.Equal(t, "t-"+strconv.FormatInt(n, 10), id)
			}
			assert.Equal(t, id, newPaymentIDs("t-", random).id(n), "the same IDs on every run")
			got, ok := ids.number([]byte(id))
			assert.True(t, ok && got == n, "%s is number %d, read back as %d", id, n, got)
			assert.False(t, seen[id])
			seen[id] = true
			assert.Error(t, signature.Verify(data, general["signature"].(string), "other"), "a signature that checks nothing")
		}
	}
}

// TestRandomIDsSpread: random payment IDs do not share a prefix, so that
// a load's keys land all over a store's, and one load's IDs are no other's.
func TestRandomIDsSpread(t *testing.T) {
	t.Parallel()
	ids, other := newPaymentIDs("g1-", true), newPaymentIDs("g2-", true)
	firsts, descents := map[byte]bool{}, 0
	for n := range int64(200) {
		id := ids.id(n)
		firsts[id[0]] = true
		_, ok := other.number([]byte(id))
		assert.False(t, ok, "%s is another load's", id)
		if id > ids.id(n+1) {
			descents++
		}
	}
	assert.Len(t, firsts, 16, "the first hex digit takes every value")
	assert.Greater(t, descents, 50, "the IDs do not sort in the order of their numbers")
}

func TestReceiverCountsEachRedirectOnce(t *testing.T) {
	t.Parallel()
	for _, random := range []bool{false, true} {
		ids := newPaymentIDs("bench-", random)
		r := newReceiver(ids, 10)
		send := func(body string) {
			req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body)))
			r.ServeHTTP(discardWriter{}, req)
		}
		redirect := `{"project_id":1,"operation":{"id":"x"},"payment":{"id":"%s","status":"awaiting redirect result"}}`
		send(fmt.Sprintf(redirect, ids.id(3)))
		send(fmt.Sprintf(redirect, ids.id(3)))
		send(fmt.Sprintf(redirect, ids.id(4)))
		send(`{"payment":{"id":"` + ids.id(5) + `","status":"success"}}`)
		send(fmt.Sprintf(redirect, newPaymentIDs("other-", random).id(6)))
		send(fmt.Sprintf(redirect, ids.id(99))) // beyond capacity
		assert.Equal(t, int64(2), r.count.Load())
		assert.Equal(t, int64(1), r.dups.Load())
		assert.Equal(t, int64(3), r.other.Load())
		assert.Equal(t, int64(2), r.arrivedBy(time.Now()))
		assert.Equal(t, int64(0), r.arrivedBy(r.start))
		assert.False(t, r.lastArrival().IsZero())
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

// TestBenchCommand runs a short `sandbox bench` and reads its report: every
// figure is there, the sales were acknowledged and every one of their
// redirect callbacks reached the merchant. It asserts no speed. Its loads
// end after a few requests (--max-requests), which is all the report needs.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs loads")
	}
	t.Parallel()
	bin, data := sandboxScript(t), t.TempDir()
	heap := filepath.Join(t.TempDir(), "heap.pprof")
	var out bytes.Buffer
	// --random-ids: the fill and the loads pay into the same project with
	// IDs drawn at random, so that the load's keys land among the fill's.
	err := run(context.Background(), []string{"bench", "--connections", "4", "--duration", "2s", "--max-requests", "10", "--drain", "20s",
		"--payments", "10", "--data", data, "--bin", bin, "--heapprofile", heap, "--random-ids"}, &out, io.Discard)
	require.NoError(t, err, out.String())
	report := out.String()
	assert.Regexp(t, `echo ceiling +\d+ req/s +p50 +\S+ +p99 +\S+ +(cpu \S+/req +)?[1-9]\d* answered 200 +\(half before the sales, half after\)\n`, report)
	forward := regexp.MustCompile(`echo\+callback +\d+ req/s +p50 +\S+ +p99 +\S+ +(?:cpu \S+/req +)?([1-9]\d*) answered 200 +\(\d+\.\d\d× echo's rate: the ceiling of any sandbox that sends one callback per sale\)\n` +
		`  its callbacks +\d+ of (\d+) delivered within 3s of the last sale, (\d+) by the end of the wait`).FindStringSubmatch(report)
	require.NotNil(t, forward, report)
	assert.Equal(t, forward[1], forward[2], "the forwarding ceiling's callbacks counted are its requests'")
	assert.Equal(t, forward[1], forward[3], "every callback of the forwarding ceiling arrived:\n%s", report)
	assert.Regexp(t, `\nsynced writes +10 alone +p50 +\S+ +p99 +\S+ +\(2 KB each, as the log appends a record: the floor of any sale stored durably here\)\n`, report)
	assert.Regexp(t, `\nbbolt commits +10 alone +p50 +\S+ +p99 +\S+ +\(one key each in a fresh bbolt file, synced by bbolt: what a commit costs without the log\)\n`, report)
	assert.Regexp(t, `sales ≥ 0\.5× echo's rate +\d+\.\d\d× \(echo\+callback: \d+\.\d\d×\)`, report)
	sales := regexp.MustCompile(`oxxo sales +\d+ req/s +p50 +\S+ +p99 +\S+ +(?:cpu \S+/req +)?([1-9]\d*) answered 200 +\(\d+\.\d\d× echo's rate`).FindStringSubmatch(report)
	require.NotNil(t, sales, report)
	assert.Contains(t, report, "by the end of the wait")
	cb := regexp.MustCompile(`\ncallbacks +\d+ of (\d+) delivered within 3s of the last sale, (\d+) by the end of the wait`).FindStringSubmatch(report)
	require.NotNil(t, cb, report)
	assert.Equal(t, sales[1], cb[1], "the callbacks counted are the sales'")
	assert.Equal(t, sales[1], cb[2], "every callback arrived:\n%s", report)
	assert.NotContains(t, report, "failed")
	assert.Regexp(t, `data file +\S+ \S+, \S+ \S+ per payment`, report)
	assert.Regexp(t, `commits +[1-9]\d* for the sales and their callbacks, \d+\.\d\d per sale`, report)
	assert.Regexp(t, `\ndisk writes +[1-9][0-9.]* [KM]?B per sale, the pages of those commits \([1-9][0-9.]* [KM]?B per commit\)\n`, report)
	assert.Contains(t, report, "every callback within 3 s of the last sale")

	// --payments: a store filled first, then served by a process of its
	// own, started cold, between two loads of an empty store.
	assertGrowth := func(report string) {
		t.Helper()
		assert.Regexp(t, `cold start +\S+ \(exec sandbox serve until it answers /sandbox/health; an empty store: \S+\)`, report)
		assert.Regexp(t, `\nwarm-up +\S+ more until the system had cached the data file again \(\S+ \S+ of it\), before the load`, report)
		grown := regexp.MustCompile(`oxxo sales +\d+ req/s .* ([1-9]\d*) answered 200 +\(\d+\.\d\d× the empty store's rate, \d+/s before and after`).FindStringSubmatch(report)
		require.NotNil(t, grown, report)
		assert.Regexp(t, `sandbox cpu +\S+ per sale in the serve process \(the empty store's: \S+\)`, report)
		assert.Regexp(t, `disk writes +[1-9][0-9.]* [KM]?B per sale by the serve process, its commits' pages \(the empty store's: [1-9][0-9.]* [KM]?B\)`, report)
		assert.Regexp(t, `page reads +\d+\.\d\d a sale from the disk, into the data file's map \(the empty store's: \d+\.\d\d\)`, report)
		assert.Regexp(t, `callbacks +\d+ of `+grown[1]+` delivered within 3s of the last sale, `+grown[1]+` by the end of the wait`, report)
		rss := regexp.MustCompile(`RSS +(\d+\.\d) MB at its peak, \S+ MB at the end of the load \(anonymous \S+ MB, file-backed \S+ \S+\): the serve process alone`).FindStringSubmatch(report)
		require.NotNil(t, rss, report)
		assert.NotEqual(t, "0.0", rss[1])
		assert.Regexp(t, `data file +\S+ \S+ for 10 payments and more`, report)
		assert.Contains(t, report, "10 payments: sale rate drop < 20%")
	}
	assertGrowth(report)
	assert.Regexp(t, `filled +10 payments in `, report)
	profile, err := os.ReadFile(heap)
	require.NoError(t, err)
	assert.NotEmpty(t, profile, "the heap profile of the serve process")
	db, err := bolt.OpenReadOnly(filepath.Join(data, "sandbox.db"))
	require.NoError(t, err)
	require.NoError(t, db.View(context.Background(), func(tx platform.Tx) error {
		page, err := tx.Payments(platform.PaymentFilter{ProjectID: benchProject})
		require.NoError(t, err)
		assert.Greater(t, len(page.Payments), 10, "the fill's payments and the load's, in the project the load pays into")
		for _, p := range page.Payments {
			assert.Regexp(t, `^[0-9a-f]{32}$`, p.ID)
		}
		return nil
	}))
	require.NoError(t, db.Close())

	// The same --data again, with the IDs of a counter: the store is
	// reused as it is, not filled. The loads stop at their 6 requests; the
	// 2 s only bound them on a machine so busy that a cold serve process
	// answered none within 200 ms.
	out.Reset()
	err = run(context.Background(), []string{"bench", "--connections", "2", "--duration", "2s", "--max-requests", "6", "--drain", "20s",
		"--payments", "10", "--data", data, "--bin", bin}, &out, io.Discard)
	require.NoError(t, err, out.String())
	report = out.String()
	assert.Contains(t, report, "growth: reusing "+filepath.Join(data, "sandbox.db"))
	assert.NotContains(t, report, "filled ")
	assertGrowth(report)
}

// sandboxScript writes a shell script that runs this test binary as the
// sandbox command (sandboxCommand) with the script's arguments, for a
// command that starts the sandbox binary it is given by its path: the
// environment of this process stays as it is, so the test can be parallel.
func sandboxScript(t *testing.T) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "sandbox")
	quoted := "'" + strings.ReplaceAll(sandboxBinary(t), "'", `'\''`) + "'"
	body := "#!/bin/sh\nexport " + asSandbox + "\nexec " + quoted + ` "$@"` + "\n"
	require.NoError(t, os.WriteFile(script, []byte(body), 0o700))
	return script
}

// TestServePprof serves the profiler on loopback beside a sandbox and reads
// one of its pages.
func TestServePprof(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	stop, err := servePprof("127.0.0.1:0", slog.New(slog.NewTextHandler(&out, nil)))
	require.NoError(t, err)
	defer stop()
	u := regexp.MustCompile(`url=(\S+)`).FindStringSubmatch(out.String())
	require.NotNil(t, u, out.String())
	res, err := http.Get(u[1] + "cmdline")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	body, _ := io.ReadAll(res.Body)
	assert.Contains(t, string(body), "test", "the command line of this test binary")
}
