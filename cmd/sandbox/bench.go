package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

// benchOptions are the flags of `sandbox bench`.
type benchOptions struct {
	Connections int
	Duration    time.Duration
	OneClient   bool
	Payments    int
	MaxRequests int64
	Drain       time.Duration
	CPUProfile  string
	Data        string
	Bin         string
	HeapProfile string
	RandomIDs   bool
}

const benchUsage = `Usage: sandbox bench [flags]

Measures the sandbox on this machine, on loopback only, in one run:

  1. echo      a bare echo JSON endpoint under the same load: the ceiling of
               this machine, its Go HTTP stack and the load generator
               (half of it before the sales, half after, so that a shared
               machine whose load drifts weighs on both alike);
  2. echo+callback
               the same endpoint that also sends the merchant a callback of
               the sandbox's size per request, from a queue, as the sandbox
               does: no signature, no storage. No sandbox on Go's HTTP
               stack that sends one callback per sale can be faster here;
  3. sales     a real sandbox in this process (a fresh data file in a
               temporary folder, a frozen seeded clock) loaded with signed
               Oxxo Gate sales; every 200 is a sale stored on disk (its
               commit's record in the data file's log, synced).
               It prints the commits they cost and the bytes of pages those
               wrote (from /proc);
  4. callbacks the redirect callback of every sale, sent to a local merchant
               that answers 200 at once: how many arrived, and how long after
               the last sale the last one did;
  5. synced writes
               300 writes of 2 KB (or --max-requests, when fewer), each
               synced, one after another, over a file's zeros, as the log
               appends a sale's record: the floor of a lone sale stored
               durably here; and 300 bare bbolt commits of one key each, what
               bbolt's own two fdatasyncs cost a commit (without the log).

With --payments N it then measures growth, each store served by a sandbox
serve process of its own (this binary, or --bin) so that the figures are the
sandbox's alone: it fills a data file with N payments (or reuses the one in
--data), starts serve on it cold and loads it, between two loads of an empty
store (half the time each, before and after). It prints the cold start (from
exec until /sandbox/health answers), the sale rate, and the serve process's
CPU time, disk writes and page reads (from /proc) per sale against the
empty store's, its resident memory (peak and at the end of the load, from
/proc) and the file's size. Page reads are the pages of the data file the
system had dropped from its cache, which a sale then waits for the disk to
read: a store read cold, or a system that reclaims idle cache.
--heapprofile writes the full store's heap profile after its load. Filling a
million payments takes minutes: fill once into --data, then repeat with the
same --data, which is reused as it is (the sales of each run are added to it).
The store is filled in the project the loads pay into, whose callbacks it
holds in the log (the fill gives the project no callback URL).

The payment IDs are a prefix and a counter, which sort after those a store
holds. With --random-ids they are 32 hex digits that look drawn at random
(seeded: the same on every run), as merchants' UUIDs are, in the fill and in
every load, so that each new payment's key lands among the million others.
Fill a --data folder with --random-ids to measure them at scale: a folder is
reused with the IDs it was filled with.

Each load runs --connections keep-alive connections for --duration, or until
--max-requests requests were sent. It prints requests per second, the 50th
and 99th percentile latencies, the process's CPU time per request (the
steadier figure on a machine shared with other work), and the ratios to the
echo ceiling. Nothing leaves 127.0.0.1; the temporary folder is removed at
the end.

Flags:
`

// The performance targets that `sandbox bench` reports against (the README's
// Performance section).
const (
	targetRatio         = 0.5                    // sales/s over echo req/s, at least
	targetP99Ratio      = 2.0                    // sales p99 over echo p99, under
	targetOneClientP50  = time.Millisecond       // one client's sale p50, under
	targetCallbackDelay = 3 * time.Second        // last callback after the last sale, within
	targetGrowthDrop    = 0.2                    // sale rate drop with the store full, under
	targetRSS           = 200 << 20              // bytes, under
	targetColdStart     = time.Second            // under
	targetFileSize      = 2 << 30                // bytes, under
	benchProject        = 4242                   // the project the loads pay into, and --payments fills
	benchSecret         = "bench-secret-4242"    // its secret
	benchFrozenAt       = "2026-03-02T09:00:00Z" // the sandbox clock, frozen
)

func benchFlags(o *benchOptions) *flag.FlagSet {
	fs := verbFlags("bench")
	fs.IntVar(&o.Connections, "connections", 64, "how many keep-alive `connections` send requests at once")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long each load runs (a `duration`)")
	fs.BoolVar(&o.OneClient, "one-client", false, "load with one connection: the latency of a lone client (same as --connections 1)")
	fs.IntVar(&o.Payments, "payments", 0, "then fill a second store with this `many` payments and load it again (growth)")
	fs.Int64Var(&o.MaxRequests, "max-requests", 2_000_000, "stop each load after this `many` requests even if time is left")
	fs.DurationVar(&o.Drain, "drain", 30*time.Second, "how long to wait for the callbacks after the last sale (a `duration`)")
	fs.StringVar(&o.Data, "data", "", "keep the store --payments fills in this `folder` (its sandbox.db), and on later runs reuse it as it is instead of filling one again")
	fs.StringVar(&o.Bin, "bin", "", "the sandbox `binary` whose serve the growth loads start (default: this one)")
	fs.StringVar(&o.HeapProfile, "heapprofile", "", "with --payments, write the full store's heap profile (serve --pprof) to `file` after its load")
	fs.BoolVar(&o.RandomIDs, "random-ids", false, "draw the payment IDs of the fill and of the loads at random, 32 hex digits as a merchant's UUIDs, instead of a prefix and a counter")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the sales load to `file` (go tool pprof reads it)")
	return fs
}

// runBench is the bench verb.
func runBench(ctx context.Context, args []string, std stdio) error {
	var o benchOptions
	fs := benchFlags(&o)
	unexpected, err := parseFlags(fs, args, benchUsage, std)
	if err != nil {
		return err
	}
	if len(unexpected) > 0 {
		return usagef(`bench takes flags only; unexpected %q ("sandbox bench -h" lists them)`, unexpected[0])
	}
	if o.OneClient {
		if flagSet(fs, "connections") && o.Connections != 1 {
			return usagef("bench: --one-client is --connections 1: drop --connections %d, or --one-client", o.Connections)
		}
		o.Connections = 1
	}
	switch {
	case o.Connections < 1 || o.Connections > 4096:
		return usagef("bench: --connections %d: use 1 to 4096", o.Connections)
	case o.Duration <= 0 || o.Duration > time.Hour:
		return usagef("bench: --duration %s: use a positive duration up to 1h, such as 10s", o.Duration)
	case o.Payments < 0 || o.Payments > 10_000_000:
		return usagef("bench: --payments %d: use 0 to 10000000", o.Payments)
	case o.MaxRequests < 1 || o.MaxRequests > 100_000_000:
		return usagef("bench: --max-requests %d: use 1 to 100000000", o.MaxRequests)
	case o.Drain < 0:
		return usagef("bench: --drain %s must not be negative", o.Drain)
	case o.Payments == 0 && (o.Data != "" || o.HeapProfile != "" || o.Bin != ""):
		return usagef("bench: --data, --bin and --heapprofile are about the store --payments fills: add --payments N")
	}
	// What would otherwise fail only after minutes of loads (or of filling
	// a million payments) fails now.
	if err := checkBenchFiles(o); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sandbox-bench-")
	if err != nil {
		return fmt.Errorf("bench: a temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)
	w := bufio.NewWriter(std.out)
	defer w.Flush()
	b := &bench{o: o, dir: dir, out: w}
	return b.run(ctx)
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// checkBenchFiles checks the files bench uses only late in its run: the
// binary --bin names, and the folders the profiles are written to.
func checkBenchFiles(o benchOptions) error {
	if o.Bin != "" {
		info, err := os.Stat(o.Bin)
		switch {
		case err != nil:
			return fmt.Errorf("bench: --bin: %w (name a sandbox binary, such as the bin/sandbox make build writes)", err)
		case !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0:
			return fmt.Errorf("bench: --bin %s is not an executable file (name a sandbox binary, such as the bin/sandbox make build writes)", o.Bin)
		}
	}
	for _, f := range []struct{ flag, path string }{{"--cpuprofile", o.CPUProfile}, {"--heapprofile", o.HeapProfile}} {
		if f.path == "" {
			continue
		}
		probe, err := os.CreateTemp(filepath.Dir(f.path), ".sandbox-bench-*")
		if err != nil {
			return fmt.Errorf("bench: %s %s: cannot write a file there: %w (name a file in a folder that exists and you may write to)", f.flag, f.path, err)
		}
		probe.Close()
		os.Remove(probe.Name())
	}
	return nil
}

// bench is one run of `sandbox bench`.
type bench struct {
	o   benchOptions
	dir string
	out *bufio.Writer
}

func (b *bench) printf(format string, args ...any) {
	fmt.Fprintf(b.out, format, args...)
	b.out.Flush()
}

func (b *bench) run(ctx context.Context) error {
	o := b.o
	b.printf("sandbox bench: %d connection(s), %s per load, loopback, %d CPUs, GOMAXPROCS %d, %s %s/%s\n\n",
		o.Connections, o.Duration, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)

	// The ceiling is measured half before and half after the sales, so
	// that the load of a shared machine, which drifts, weighs on both alike.
	echoRes, err := b.loadEcho(ctx, o.Duration/2)
	if err != nil {
		return err
	}
	forward, err := b.loadForwarder(ctx, o.Duration)
	if err != nil {
		return err
	}
	salesFile := filepath.Join(b.dir, "sales.db")
	sales, err := b.loadSandbox(ctx, salesFile, b.ids(benchIDPrefix), o.Duration)
	if err != nil {
		return err
	}
	floorCommits := int(min(benchFloorCommits, o.MaxRequests))
	floor, err := measureSyncFloor(b.dir, floorCommits)
	if err != nil {
		return err
	}
	boltFloor, err := measureCommitFloor(b.dir, floorCommits)
	if err != nil {
		return err
	}
	after, err := b.loadEcho(ctx, o.Duration-o.Duration/2)
	if err != nil {
		return err
	}
	echoRes.merge(after)
	b.line("echo ceiling", echoRes, "half before the sales, half after")
	b.forwardLine(forward, echoRes)
	b.line("oxxo sales", sales.load, fmt.Sprintf("%.2f× echo's rate, p99 %.1f× echo's", ratio(sales.load.rate(), echoRes.rate()),
		ratio(sales.load.hist.quantile(0.99).Seconds(), echoRes.hist.quantile(0.99).Seconds())))
	b.printf("%-14s %d alone  p50 %8s  p99 %8s  (2 KB each, as the log appends a record: the floor of any sale stored durably here)\n",
		"synced writes", floorCommits, round(floor.quantile(0.5)), round(floor.quantile(0.99)))
	b.printf("%-14s %d alone  p50 %8s  p99 %8s  (one key each in a fresh bbolt file, synced by bbolt: what a commit costs without the log)\n",
		"bbolt commits", floorCommits, round(boltFloor.quantile(0.5)), round(boltFloor.quantile(0.99)))
	b.callbacks(sales)
	b.printf("%-14s %s, %s per payment\n", "data file", size(sales.fileSize), size(perPayment(sales.fileSize, sales.load.ok)))
	b.printf("%-14s %d for the sales and their callbacks, %.2f per sale (each one record in the log, synced)\n",
		"commits", sales.commits, ratio(float64(sales.commits), float64(sales.load.ok)))
	if per := writtenPerSale(sales.wrote, sales.load); per != "" {
		b.printf("%-14s %s per sale, the pages of those commits (%s per commit)\n", "disk writes", per,
			size(sales.wrote/max(sales.commits, 1)))
	}

	var grown *growthRun
	if o.Payments > 0 {
		if grown, err = b.growth(ctx); err != nil {
			return err
		}
		b.printGrowth(grown)
	}
	b.targets(echoRes, forward, floor, sales, grown)
	return nil
}

// ids returns the payment IDs of a load whose IDs start with prefix, or
// are drawn at random from it (--random-ids).
func (b *bench) ids(prefix string) paymentIDs { return newPaymentIDs(prefix, b.o.RandomIDs) }

// line prints one load's figures.
func (b *bench) line(name string, r loadResult, note string) {
	failed := ""
	if r.failed > 0 {
		failed = fmt.Sprintf(", %d failed (first: %s)", r.failed, r.firstError)
	}
	cpu := ""
	if r.cpu > 0 {
		cpu = fmt.Sprintf("  cpu %s/req", round(r.cpuPerRequest()))
	}
	b.printf("%-14s %9.0f req/s  p50 %8s  p99 %8s%s  %d answered 200%s", name, r.rate(),
		round(r.hist.quantile(0.5)), round(r.hist.quantile(0.99)), cpu, r.ok, failed)
	if note != "" {
		b.printf("  (%s)", note)
	}
	b.printf("\n")
}

// callbacks prints how the redirect callbacks of a load arrived.
func (b *bench) callbacks(r *sandboxRun) {
	b.printf("%-14s", "callbacks")
	b.callbackLine(r.merchant, r.load)
}

// callbackLine prints how the redirect callbacks of load arrived at merchant.
func (b *bench) callbackLine(merchant *receiver, load loadResult) {
	within := merchant.arrivedBy(load.lastAnswer.Add(targetCallbackDelay))
	last := merchant.lastArrival()
	after := "none arrived"
	switch {
	case last.IsZero():
	case last.Before(load.lastAnswer):
		after = "the last before the last sale was answered"
	default:
		after = "the last " + round(last.Sub(load.lastAnswer)) + " after the last sale"
	}
	b.printf(" %d of %d delivered within %s of the last sale, %d by the end of the wait; %s",
		within, load.ok, targetCallbackDelay, merchant.count.Load(), after)
	if d := merchant.dups.Load(); d > 0 {
		b.printf("; %d delivered twice", d)
	}
	b.printf("\n")
}

// targets prints every performance target with its figure and whether it is met.
func (b *bench) targets(echoRes loadResult, forward *forwardRun, floor *histogram, sales *sandboxRun, grown *growthRun) {
	b.printf("\ntargets (README, Performance):\n")
	tw := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', 0)
	row := func(what, figure string, met bool) {
		verdict := "met"
		if !met {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", what, figure, verdict)
	}
	s := sales.load
	r := ratio(s.rate(), echoRes.rate())
	p99 := ratio(s.hist.quantile(0.99).Seconds(), echoRes.hist.quantile(0.99).Seconds())
	if b.o.Connections == 1 {
		row("one client: sale p50 < 1 ms", fmt.Sprintf("%s (a synced write: %s)", round(s.hist.quantile(0.5)), round(floor.quantile(0.5))),
			s.hist.quantile(0.5) < targetOneClientP50)
	} else {
		row("sales ≥ 0.5× echo's rate", fmt.Sprintf("%.2f× (echo+callback: %.2f×)", r, ratio(forward.load.rate(), echoRes.rate())), r >= targetRatio)
		row("sales p99 < 2× echo's p99", fmt.Sprintf("%.2f×", p99), p99 < targetP99Ratio)
	}
	within := sales.merchant.arrivedBy(s.lastAnswer.Add(targetCallbackDelay))
	row("every callback within 3 s of the last sale", fmt.Sprintf("%d of %d", within, s.ok), within == s.ok)
	if grown != nil {
		drop := 1 - ratio(grown.grown.load.rate(), grown.base.rate())
		row(fmt.Sprintf("%d payments: sale rate drop < 20%%", b.o.Payments), fmt.Sprintf("%.0f%%", 100*drop), drop < targetGrowthDrop)
		row("  RSS < 200 MB (peak)", size(grown.grown.mem.peak), grown.grown.mem.peak < targetRSS)
		row("  cold start < 1 s", round(grown.grown.coldStart), grown.grown.coldStart < targetColdStart)
		row("  data file < 2 GB", size(grown.fileSize), grown.fileSize < targetFileSize)
	}
	tw.Flush()
	b.out.Flush()
}

// loadEcho serves a bare echo JSON endpoint on loopback and loads it: the
// same load generator and body size as the sales, no sandbox behind, for d.
func (b *bench) loadEcho(ctx context.Context, d time.Duration) (loadResult, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/echo", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "success"})
	})
	srv, url, err := serveLoopback(e)
	if err != nil {
		return loadResult{}, err
	}
	defer srv.Close()
	bodies, err := newSaleBodies(benchProject, benchSecret, b.ids(benchIDPrefix))
	if err != nil {
		return loadResult{}, err
	}
	return runLoad(ctx, loadSpec{url: url + "/echo", body: bodies.sale, connections: b.o.Connections,
		duration: d, maxRequests: b.o.MaxRequests}), nil
}

// serveLoopback serves h on 127.0.0.1 at a free port.
func serveLoopback(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("bench: listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// sandboxRun is what one load of a sandbox in this process measured.
type sandboxRun struct {
	load     loadResult
	merchant *receiver
	fileSize int64
	// commits is how many commits the load and its callbacks cost.
	commits int64
	// wrote is how many bytes this process wrote to disk meanwhile (the
	// pages of those commits), -1 when unknown.
	wrote int64
}

// loadSandbox starts a sandbox on file in this process, loads it for d with
// signed Oxxo sales with payment IDs ids, and waits for their redirect
// callbacks.
func (b *bench) loadSandbox(ctx context.Context, file string, ids paymentIDs, d time.Duration) (*sandboxRun, error) {
	merchant := newReceiver(ids, b.o.MaxRequests)
	msrv, murl, err := serveLoopback(merchant)
	if err != nil {
		return nil, err
	}
	defer msrv.Close()
	run := &sandboxRun{merchant: merchant}
	sb, err := startBenchSandbox(ctx, file, murl+"/callbacks")
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = sb.stop()
		}
	}()

	bodies, err := newSaleBodies(benchProject, benchSecret, ids)
	if err != nil {
		return nil, err
	}
	profile := b.o.CPUProfile != ""
	if profile {
		f, err := os.Create(b.o.CPUProfile)
		if err != nil {
			return nil, fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("bench: --cpuprofile: %w", err)
		}
	}
	commits, wrote := sb.commits(), writtenBytes(os.Getpid())
	run.load = runLoad(ctx, loadSpec{url: sb.url + oxxoSalePath, body: bodies.sale, connections: b.o.Connections,
		duration: d, maxRequests: b.o.MaxRequests})
	waitFor(ctx, b.o.Drain, func() bool { return merchant.count.Load() >= run.load.ok })
	if profile {
		pprof.StopCPUProfile()
	}
	run.commits = sb.commits() - commits
	run.wrote = -1
	if now := writtenBytes(os.Getpid()); wrote >= 0 && now >= 0 {
		run.wrote = now - wrote
	}
	stopped = true
	if err := sb.stop(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(file); err == nil {
		run.fileSize = fi.Size()
	}
	return run, nil
}

// oxxoSalePath is the Gate endpoint of Oxxo sales.
const oxxoSalePath = "/v2/payment/voucher/oxxo/sale"

// benchSandbox is a sandbox serving on loopback for the bench.
type benchSandbox struct {
	url  string
	stop func() error
	// commits counts the store's commits (each one write and fsync).
	commits func() int64
}

// newBenchApp wires a sandbox on file with a frozen, seeded clock; its logs
// are formatted as serve's are, and dropped.
func newBenchApp(ctx context.Context, file, publicURL string) (*app.Sandbox, error) {
	frozen, _ := time.Parse(time.RFC3339, benchFrozenAt)
	return app.New(ctx, app.Options{
		DataFile:  file,
		PublicURL: publicURL,
		Seed:      4242,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: frozen},
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// startBenchSandbox serves a sandbox on file whose bench project sends its
// callbacks to callbackURL, and returns once it answers /sandbox/health.
func startBenchSandbox(ctx context.Context, file, callbackURL string) (*benchSandbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen on loopback: %w", err)
	}
	url := "http://" + ln.Addr().String()
	a, err := newBenchApp(ctx, file, url)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("bench: start a sandbox: %w", err)
	}
	if err := a.Engine.PutProject(ctx, platform.Project{ID: benchProject, Secret: benchSecret, CallbackURL: callbackURL}); err != nil {
		ln.Close()
		a.Close()
		return nil, fmt.Errorf("bench: the bench project: %w", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- a.Run(rctx, ln, nil) }()
	stop := func() error {
		cancel()
		err := <-done
		return errors.Join(err, a.Close())
	}
	res, err := http.Get(url + "/sandbox/health")
	if err == nil {
		res.Body.Close()
	}
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, errors.Join(fmt.Errorf("bench: the sandbox does not answer /sandbox/health: %v", err), stop())
	}
	return &benchSandbox{url: url, stop: stop, commits: a.Store.Commits}, nil
}

// fillStore stores n Oxxo payments with payment IDs ids in a new data file
// through the engine, many at once so that they share commits, in the bench
// project without a callback URL: their callbacks wait in the log as a
// merchant's would that has none, and stay there when a load gives the
// project one.
func fillStore(ctx context.Context, file string, n int, ids paymentIDs) error {
	a, err := newBenchApp(ctx, file, "http://127.0.0.1:1")
	if err != nil {
		return fmt.Errorf("bench: fill: %w", err)
	}
	defer a.Close()
	if err := a.Engine.PutProject(ctx, platform.Project{ID: benchProject, Secret: benchSecret}); err != nil {
		return fmt.Errorf("bench: fill: %w", err)
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range 256 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				_, err := a.Engine.Sale(ctx, platform.SaleRequest{
					ProjectID: benchProject, PaymentID: ids.id(i), Method: "oxxo",
					Interface: platform.InterfaceGate, Amount: platform.Sum{Amount: 10000 + i%5000, Currency: "MXN"},
					Description: "Order " + strconv.FormatInt(i, 10),
					Customer: platform.Customer{ID: "589256", IPAddress: "66.249.64.45", FirstName: "Paul", LastName: "Marques",
						Email: "paul@example.com", DocNumber: "84887177100"},
				})
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("bench: fill: %w", firstErr)
	}
	return ctx.Err()
}

// waitFor polls cond every 10 ms until it holds, d passes or ctx ends.
func waitFor(ctx context.Context, d time.Duration, cond func() bool) {
	deadline := time.Now().Add(d)
	for !cond() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
}

// procMemory is the resident memory of a process.
type procMemory struct {
	peak       int64 // the most it ever was (VmHWM)
	rss        int64 // now: anonymous and file-backed (the data file's mapped pages)
	anon, file int64
}

// readMemory reads a process's resident memory from status, its
// /proc/PID/status; zeros where there is none (not Linux).
func readMemory(status string) procMemory {
	raw, err := os.ReadFile(status)
	if err != nil {
		return procMemory{}
	}
	var m procMemory
	for _, line := range strings.Split(string(raw), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmHWM":
			m.peak = kb << 10
		case "VmRSS":
			m.rss = kb << 10
		case "RssAnon":
			m.anon = kb << 10
		case "RssFile":
			m.file = kb << 10
		}
	}
	return m
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func perPayment(bytes, n int64) int64 {
	if n <= 0 {
		return 0
	}
	return bytes / n
}

// round writes d with three significant digits or so.
func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// size writes a byte count in B, KB, MB or GB (powers of 1024).
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
