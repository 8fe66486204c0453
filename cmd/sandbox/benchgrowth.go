package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
)

// The growth part of `sandbox bench` (--payments): a store of many
// payments against an empty one, each served by a `sandbox serve` process
// of its own, so that its cold start, its memory and its CPU time are the
// sandbox's alone, not the load generator's.

// growthRun is what the growth part measured.
type growthRun struct {
	file       string
	filled     bool // false when the store was reused as it was
	fillTime   time.Duration
	fileSize   int64 // after the load
	grown      *processRun
	base       loadResult // the empty store's loads, before and after
	baseCPU    time.Duration
	baseWrote  int64         // bytes the empty store's processes wrote during their loads
	baseFaults int64         // pages they waited for the disk to read
	baseStart  time.Duration // the empty store's cold start, the faster of two
}

// processRun is one load of a sandbox serve process.
type processRun struct {
	load      loadResult
	merchant  *receiver
	coldStart time.Duration // from exec until /sandbox/health answers
	// warm is how long after it answered the system took to cache again
	// what it held of the data file (see waitWarm), cached how much: -1
	// for a store not loaded cached, or where the system does not say.
	warm   time.Duration
	cached int64
	mem    procMemory    // at the end of the load
	cpu    time.Duration // the process's CPU time during the load
	wrote  int64         // bytes the process wrote to its data file's disk during the load, -1 when unknown
	// majorFaults counts the pages the process waited for the disk to
	// read during the load.
	majorFaults int64
}

// growth fills a store with o.Payments payments in o.Data (or a temporary
// folder), unless o.Data already holds one, and loads it in a serve
// process between two loads of an empty store in another.
func (b *bench) growth(ctx context.Context) (*growthRun, error) {
	o := b.o
	bin := o.Bin
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("bench: find this sandbox's binary to run serve (name one with --bin): %w", err)
		}
		bin = exe
	}
	folder := filepath.Join(b.dir, "grown")
	if o.Data != "" {
		folder = o.Data
	}
	g := &growthRun{file: dataFile(folder)}
	if info, err := os.Stat(g.file); err == nil {
		b.printf("\ngrowth: reusing %s (%s) as it is; remove it to fill a new store of %d payments\n", g.file, size(info.Size()), o.Payments)
	} else {
		b.printf("\ngrowth: filling %s with %d payments...\n", g.file, o.Payments)
		t0 := time.Now()
		if err := fillStore(ctx, g.file, o.Payments, b.ids(fillIDPrefix)); err != nil {
			return nil, err
		}
		g.fillTime, g.filled = time.Since(t0), true
	}
	// Payment IDs of their own on every run: a reused store holds the last
	// run's sales.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	empty := filepath.Join(b.dir, "empty")
	before, err := b.loadProcess(ctx, bin, empty, b.ids("e"+run+"-"), o.Duration/2, "", false)
	if err != nil {
		return nil, err
	}
	// The store is measured as a sandbox that has served it for a while
	// finds it: in the system's cache, which a store just filled is and
	// one reused after a while may no longer be.
	if g.grown, err = b.loadProcess(ctx, bin, folder, b.ids("g"+run+"-"), o.Duration, o.HeapProfile, true); err != nil {
		return nil, err
	}
	after, err := b.loadProcess(ctx, bin, empty, b.ids("a"+run+"-"), o.Duration-o.Duration/2, "", false)
	if err != nil {
		return nil, err
	}
	g.base = before.load
	g.base.merge(after.load)
	g.baseCPU = before.cpu + after.cpu
	g.baseWrote = -1
	if before.wrote >= 0 && after.wrote >= 0 {
		g.baseWrote = before.wrote + after.wrote
	}
	g.baseFaults = before.majorFaults + after.majorFaults
	g.baseStart = min(before.coldStart, after.coldStart)
	if info, err := os.Stat(g.file); err == nil {
		g.fileSize = info.Size()
	}
	return g, nil
}

// fillIDPrefix starts the payment IDs of the payments --payments fills a
// store with (or seeds them, with --random-ids).
const fillIDPrefix = "fill-"

// cpuPerSale is a process's CPU time per request of its load.
func cpuPerSale(cpu time.Duration, r loadResult) time.Duration {
	if n := r.ok + r.failed; n > 0 {
		return cpu / time.Duration(n)
	}
	return 0
}

// perSale is n per request of r's load.
func perSale(n int64, r loadResult) float64 {
	if sales := r.ok + r.failed; sales > 0 {
		return float64(n) / float64(sales)
	}
	return 0
}

// writtenPerSale is what a process wrote per request of its load, or ""
// when that is unknown.
func writtenPerSale(wrote int64, r loadResult) string {
	if n := r.ok + r.failed; wrote >= 0 && n > 0 {
		return size(wrote / n)
	}
	return ""
}

// printGrowth prints what growth measured.
func (b *bench) printGrowth(g *growthRun) {
	n := b.o.Payments
	if g.filled {
		b.printf("%-14s %d payments in %s (%.0f/s)\n", "filled", n, round(g.fillTime), float64(n)/g.fillTime.Seconds())
	}
	b.printf("%-14s %s (exec sandbox serve until it answers /sandbox/health; an empty store: %s)\n", "cold start",
		round(g.grown.coldStart), round(g.baseStart))
	if g.grown.cached >= 0 {
		b.printf("%-14s %s more until the system had cached the data file again (%s of it), before the load: Open drops it and reads it back\n",
			"warm-up", round(g.grown.warm), size(g.grown.cached))
	}
	drop := 1 - ratio(g.grown.load.rate(), g.base.rate())
	b.line("oxxo sales", g.grown.load, fmt.Sprintf("%.2f× the empty store's rate, %.0f/s before and after (drop %.0f%%)",
		ratio(g.grown.load.rate(), g.base.rate()), g.base.rate(), 100*drop))
	b.printf("%-14s %s per sale in the serve process (the empty store's: %s)\n", "sandbox cpu",
		round(cpuPerSale(g.grown.cpu, g.grown.load)), round(cpuPerSale(g.baseCPU, g.base)))
	if grown, base := writtenPerSale(g.grown.wrote, g.grown.load), writtenPerSale(g.baseWrote, g.base); grown != "" && base != "" {
		b.printf("%-14s %s per sale by the serve process, its commits' pages (the empty store's: %s)\n", "disk writes", grown, base)
	}
	b.printf("%-14s %.2f a sale from the disk, into the data file's map (the empty store's: %.2f): pages the system had not kept in its cache\n",
		"page reads", perSale(g.grown.majorFaults, g.grown.load), perSale(g.baseFaults, g.base))
	b.printf("%-14s", "callbacks")
	b.callbackLine(g.grown.merchant, g.grown.load)
	m := g.grown.mem
	b.printf("%-14s %s at its peak, %s at the end of the load (anonymous %s, file-backed %s): the serve process alone\n",
		"RSS", size(m.peak), size(m.rss), size(m.anon), size(m.file))
	b.printf("%-14s %s for %d payments and more, %s per payment\n", "data file", size(g.fileSize), n, size(perPayment(g.fileSize, int64(n))))
	if b.o.HeapProfile != "" {
		b.printf("%-14s %s (go tool pprof -sample_index=inuse_space %s)\n", "heap profile", b.o.HeapProfile, b.o.HeapProfile)
	}
}

// loadProcess starts `bin serve` on folder, with the bench project's
// callbacks going to a local merchant, loads it for d with sales whose
// payment IDs are ids, waits for their callbacks and stops it.
// With heapProfile it writes the process's heap profile there after the
// load. With cached it loads the store from the system's cache: it reads
// the data file through before the start, and waits for Open's read-back
// after (see waitWarm).
func (b *bench) loadProcess(ctx context.Context, bin, folder string, ids paymentIDs, d time.Duration, heapProfile string, cached bool) (*processRun, error) {
	if cached {
		if err := readThrough(dataFile(folder)); err != nil {
			return nil, err
		}
	}
	merchant := newReceiver(ids, b.o.MaxRequests)
	msrv, murl, err := serveLoopback(merchant)
	if err != nil {
		return nil, err
	}
	defer msrv.Close()
	run := &processRun{merchant: merchant}
	p, err := startServe(ctx, bin, folder, murl+"/callbacks", b.dir, heapProfile != "")
	if err != nil {
		return nil, err
	}
	defer p.stop()
	run.coldStart = p.ready
	run.cached = -1
	if cached {
		run.warm, run.cached = waitWarm(ctx, dataFile(folder))
	}

	bodies, err := newSaleBodies(benchProject, benchSecret, ids)
	if err != nil {
		return nil, err
	}
	cpu0, wrote0, faults0 := p.cpu(), p.wrote(), p.majorFaults()
	run.load = runLoad(ctx, loadSpec{url: p.url + oxxoSalePath, body: bodies.sale, connections: b.o.Connections,
		duration: d, maxRequests: b.o.MaxRequests})
	run.cpu = p.cpu() - cpu0
	run.majorFaults = p.majorFaults() - faults0
	run.wrote = -1
	if wrote := p.wrote(); wrote0 >= 0 && wrote >= 0 {
		run.wrote = wrote - wrote0
	}
	run.mem = p.memory()
	waitFor(ctx, b.o.Drain, func() bool { return merchant.count.Load() >= run.load.ok })
	if heapProfile != "" {
		if err := p.writeHeap(heapProfile); err != nil {
			return nil, err
		}
	}
	if err := p.stop(); err != nil {
		return nil, err
	}
	return run, nil
}

// Open drops what the system cached of the data file and reads the same
// pages back in the background (see bolt.Open): until they are back, a
// sale waits for the disk to read each page it needs that is not, which
// a store of a million payments did for a third of its sales in the first
// seconds. The loads measure a sandbox that has been serving for a while,
// so they start once the file's cached bytes have stopped growing for
// warmSteady, or after warmAtMost.
const (
	warmPoll   = 100 * time.Millisecond
	warmSteady = 500 * time.Millisecond
	warmAtMost = time.Minute
)

// readThrough reads the file at path once, front to back, so that the
// system caches it.
func readThrough(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bench: read the data file into the system's cache: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, bufio.NewReaderSize(f, 1<<20)); err != nil {
		return fmt.Errorf("bench: read the data file into the system's cache: %w", err)
	}
	return nil
}

// waitWarm waits until the system's cache of the file at path stops
// growing, and returns how long that took and how much it then held (-1
// where the system does not say, which it does not wait for).
func waitWarm(ctx context.Context, path string) (time.Duration, int64) {
	start := time.Now()
	last := bolt.CachedBytes(path)
	if last < 0 {
		return 0, -1
	}
	steadySince := start
	for time.Since(start) < warmAtMost && ctx.Err() == nil {
		time.Sleep(warmPoll)
		n := bolt.CachedBytes(path)
		if n != last {
			last, steadySince = n, time.Now()
			continue
		}
		if time.Since(steadySince) >= warmSteady {
			return steadySince.Sub(start), n
		}
	}
	return time.Since(start), last
}

// serveProcess is a `sandbox serve` process the bench started.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	pprof  string // the profiler's address, or ""
	ready  time.Duration
	stderr *bytes.Buffer
	stopFn func() error
	once   sync.Once
	err    error
}

// stop interrupts the process and waits for it to end, as Ctrl-C would;
// it kills it when it is not gone in 30 s. Later calls return what the
// first did.
func (p *serveProcess) stop() error {
	p.once.Do(func() {
		if err := p.stopFn(); err != nil {
			p.err = fmt.Errorf("bench: sandbox serve: %w: %s", err, strings.TrimSpace(p.stderr.String()))
		}
	})
	return p.err
}

// writeHeap writes the process's heap profile, after a garbage
// collection, to path.
func (p *serveProcess) writeHeap(path string) error {
	res, err := http.Get("http://" + p.pprof + "/debug/pprof/heap?gc=1")
	if err != nil {
		return fmt.Errorf("bench: --heapprofile: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: --heapprofile: the profiler answered %s", res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: --heapprofile: %w", err)
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return fmt.Errorf("bench: --heapprofile: %w", err)
	}
	return f.Close()
}

// cpu returns the CPU time the process has used, user and system, from
// /proc (in the kernel's ticks of 10 ms); 0 where there is no /proc.
func (p *serveProcess) cpu() time.Duration {
	user, sys := p.stat(11), p.stat(12)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// majorFaults returns how many times the process has waited for the disk
// to read a page it touched (majflt): for a serve process, pages of the
// data file's map that the system had dropped from its cache. 0 where
// there is no /proc.
func (p *serveProcess) majorFaults() int64 { return p.stat(9) }

// stat returns field i of the process's /proc/PID/stat, counted from 0
// after the command's name (state is 0, majflt 9, utime 11, stime 12), or
// 0 where there is no /proc.
func (p *serveProcess) stat(i int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command's name is in parentheses and may hold spaces.
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return 0
	}
	f := strings.Fields(string(raw[end+1:]))
	if len(f) <= i {
		return 0
	}
	n, _ := strconv.ParseInt(f[i], 10, 64)
	return n
}

// wrote returns the bytes the process has caused to be written to storage.
func (p *serveProcess) wrote() int64 { return writtenBytes(p.cmd.Process.Pid) }

// writtenBytes returns the bytes process pid has caused to be written to
// storage (write_bytes of /proc/PID/io, counted as pages are dirtied), or
// -1 where there is no /proc.
func writtenBytes(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, "write_bytes:"); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// memory returns the process's resident memory.
func (p *serveProcess) memory() procMemory {
	return readMemory(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
}

// startServe starts bin serve on folder at a free loopback port, its clock
// frozen, with the bench project (config file written into dir), and
// returns once it answers /sandbox/health, with the time that took.
func startServe(ctx context.Context, bin, folder, callbackURL, dir string, pprof bool) (*serveProcess, error) {
	cfg := filepath.Join(dir, "bench-config.yaml")
	yaml := fmt.Sprintf("projects:\n  - id: %d\n    secret: %q\n    callback_url: %q\n", benchProject, benchSecret, callbackURL)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return nil, fmt.Errorf("bench: write the config of the bench project: %w", err)
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--data", folder, "--config", cfg, "--freeze", benchFrozenAt, "--seed", "4242"}
	p := &serveProcess{url: "http://" + addr, stderr: &bytes.Buffer{}}
	if pprof {
		if p.pprof, err = freePort(); err != nil {
			return nil, err
		}
		args = append(args, "--pprof", p.pprof)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout = io.Discard // a line for each request
	p.cmd.Stderr = p.stderr
	t0 := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s serve: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	p.stopFn = func() error {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			return err
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			return errors.Join(errors.New("it did not stop within 30s of an interrupt"), <-exited)
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for {
		res, err := client.Get(p.url + "/sandbox/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				p.ready = time.Since(t0)
				return p, nil
			}
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("bench: %s serve --data %s ended before it answered: %v: %s", bin, folder, err, strings.TrimSpace(p.stderr.String()))
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), p.stop())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Since(t0) > time.Minute {
			return nil, errors.Join(fmt.Errorf("bench: %s serve --data %s did not answer /sandbox/health within a minute", bin, folder), p.stop())
		}
	}
}

// freePort returns a loopback address with a port free a moment ago.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: listen on loopback: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
