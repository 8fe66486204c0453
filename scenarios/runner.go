package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// Runner runs scenario files, each against a fresh in-process sandbox or
// all against one running sandbox (Target).
type Runner struct {
	// Target is the URL of a running sandbox; "" runs each file against a
	// sandbox of its own, in-process. Against a Target, one file at a time
	// (Jobs 1), each file starts with the sandbox's clock frozen at the
	// file's start, as in-process.
	Target string
	// TargetWait is how long the run waits for a sandbox at Target that
	// does not answer yet, one started beside the run; 0 does not wait.
	TargetWait time.Duration
	// Jobs is how many files run at once; 0 means the number of CPUs, or 1
	// with a Target, whose clock the files share.
	Jobs int
	// Filter, when set, runs only the scenarios whose name or file it matches.
	Filter *regexp.Regexp
	// Out receives one line per scenario (and why a failed one failed),
	// then "N passed, M failed". Nil discards it.
	Out io.Writer
	// Timeout bounds one scenario in wall time (default one minute).
	Timeout time.Duration
	// LookupEnv reads the environment variables files name as
	// ${env.NAME}; nil reads the process's (os.LookupEnv).
	LookupEnv func(name string) (string, bool)
}

// Result is how a scenario ended.
type Result struct {
	File string
	// Name is the scenario's name ("" when the file could not be read).
	Name     string
	Duration time.Duration
	// Failure says why the scenario failed; nil when it passed or did not
	// run.
	Failure *Failure
	// NotRun says the run was interrupted before the scenario started:
	// it neither passed nor failed.
	NotRun bool
}

// Failure is why a scenario failed: at which step, what happened, and the
// detail (a diff of expected against actual, what was got).
type Failure struct {
	// Step is the step that failed; its Number is 0 when the scenario
	// could not start (a bad file, a sandbox that did not start).
	Step    Step
	Message string
	Detail  string
}

// Where says where a failure is: the file with the step's line, and the step.
func (f *Failure) Where(file string) string {
	if f.Step.Number == 0 {
		return file
	}
	return fmt.Sprintf("%s at %s:%d", f.Step.Title(), file, f.Step.Line)
}

// Report is the outcome of a run: every scenario's result in input order.
type Report struct {
	Results                []Result
	Passed, Failed, NotRun int
	Duration               time.Duration
}

// Files expands paths into scenario files: a file is taken as it is, a
// folder for every .yaml and .yml file below it (in name order), skipping
// folders named testdata and those whose names start with a dot.
func Files(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("scenario path %s: no such file or folder", p)
		}
		if err != nil {
			return nil, fmt.Errorf("scenario path: %w", err)
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scenario folder %s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("scenario folder %s holds no .yaml or .yml file (testdata and dot folders are skipped)", p)
		}
		slices.Sort(found)
		for _, f := range found {
			add(f)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scenario files: name files or folders")
	}
	return out, nil
}

// Run runs the scenarios of paths, files side by side, and writes each
// result to Out in input order as soon as it and those before it are done.
// It returns an error only when it cannot run at all (a missing path, no
// sandbox at Target).
func (r *Runner) Run(ctx context.Context, paths []string) (*Report, error) {
	began := time.Now()
	files, err := Files(paths)
	if err != nil {
		return nil, err
	}
	loader, err := NewLoader()
	if err != nil {
		return nil, err
	}
	loader.LookupEnv = r.LookupEnv
	out := r.Out
	if out == nil {
		out = io.Discard
	}
	jobs := r.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
		if r.Target != "" {
			jobs = 1
		}
	}
	var tgt *target
	if r.Target != "" {
		if tgt, err = connectTarget(ctx, r.Target, r.TargetWait); err != nil {
			return nil, err
		}
		// Files side by side share the clock as it moves: none can have
		// it to itself from its start.
		tgt.startEach = jobs == 1
	}
	type slot struct {
		res  Result
		skip bool
		done chan struct{}
	}
	slots := make([]*slot, len(files))
	for i := range slots {
		slots[i] = &slot{done: make(chan struct{})}
	}
	// Files start in input order, at most jobs at a time: one at a time
	// against a shared sandbox, each sees what the files before it did.
	// Side by side against a shared sandbox, a file whose projects one
	// running puts too waits for it: each puts the projects with its own
	// merchant, and would take the other's callbacks.
	go func() {
		sem := make(chan struct{}, jobs)
		held := &heldProjects{by: map[int64]chan struct{}{}}
		for i, file := range files {
			s, started := slots[i], false
			select {
			case sem <- struct{}{}:
				started = true
			case <-ctx.Done():
			}
			var (
				sc      *Scenario
				loadErr error
				loaded  bool
				release = func() {}
			)
			if started && tgt != nil && jobs > 1 {
				sc, loadErr = loader.Load(file)
				loaded = true
				if loadErr == nil && r.selects(file, sc) {
					if release, loadErr = held.hold(ctx, sc.projectIDs()); loadErr != nil {
						release = func() {}
					}
				}
			}
			go func() {
				defer close(s.done)
				if started {
					defer func() { <-sem }()
				}
				defer release()
				if !started || ctx.Err() != nil {
					s.res, s.skip = r.notRun(loader, file)
					return
				}
				sc, err := sc, loadErr
				if !loaded {
					sc, err = loader.Load(file)
				}
				if !r.selects(file, sc) {
					s.skip = true
					return
				}
				if err != nil {
					s.res = Result{File: file, Failure: loadFailure(err)}
					return
				}
				s.res = r.runScenario(ctx, sc, tgt)
			}()
		}
	}()
	rep := &Report{}
	for _, s := range slots {
		<-s.done
		if s.skip {
			continue
		}
		rep.Results = append(rep.Results, s.res)
		switch {
		case s.res.NotRun:
			rep.NotRun++
		case s.res.Failure == nil:
			rep.Passed++
		default:
			rep.Failed++
		}
		writeResult(out, s.res)
	}
	if tgt != nil {
		if err := tgt.finish(ctx); err != nil {
			fmt.Fprintln(out, err)
		}
	}
	rep.Duration = time.Since(began)
	fmt.Fprintf(out, "%d passed, %d failed", rep.Passed, rep.Failed)
	if rep.NotRun > 0 {
		fmt.Fprintf(out, ", %d not run", rep.NotRun)
	}
	fmt.Fprintln(out)
	return rep, nil
}

// heldProjects are the project IDs of the files running side by side
// against a shared sandbox.
type heldProjects struct {
	mu sync.Mutex
	by map[int64]chan struct{} // closed when the file holding the project ends
}

// hold waits until no running file holds any of ids, then holds them until
// release is called.
func (h *heldProjects) hold(ctx context.Context, ids []int64) (release func(), err error) {
	for {
		h.mu.Lock()
		var busy chan struct{}
		for _, id := range ids {
			if ch, ok := h.by[id]; ok {
				busy = ch
				break
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for _, id := range ids {
				h.by[id] = done
			}
			h.mu.Unlock()
			return func() {
				h.mu.Lock()
				for _, id := range ids {
					delete(h.by, id)
				}
				h.mu.Unlock()
				close(done)
			}, nil
		}
		h.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// notRunWhy says why a scenario did not run.
const notRunWhy = "the run was interrupted before it started"

// notRun is the result of a file the run was interrupted before, or skip
// when the filter leaves it out.
func (r *Runner) notRun(loader *Loader, file string) (res Result, skip bool) {
	sc, err := loader.Load(file)
	if !r.selects(file, sc) {
		return Result{}, true
	}
	res = Result{File: file, NotRun: true}
	if err == nil {
		res.Name = sc.Name
	}
	return res, false
}

// selects reports whether the filter lets a file (and its scenario, when
// it loaded) run.
func (r *Runner) selects(file string, sc *Scenario) bool {
	return r.Filter == nil || r.Filter.MatchString(file) || (sc != nil && r.Filter.MatchString(sc.Name))
}

func loadFailure(err error) *Failure {
	var le *LoadError
	if errors.As(err, &le) {
		return &Failure{Message: "the file cannot run:", Detail: le.Error()}
	}
	return &Failure{Message: err.Error()}
}

// runScenario runs one loaded scenario, against tgt when the run has a
// Target.
func (r *Runner) runScenario(ctx context.Context, sc *Scenario, tgt *target) (res Result) {
	parent := ctx
	began := time.Now()
	res = Result{File: sc.File, Name: sc.Name}
	defer func() { res.Duration = time.Since(began) }()
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	x := &execution{sc: sc, maxWait: 10 * time.Second}
	var opts []sandboxtest.Option
	for code, ms := range sc.spec.Sandbox.Methods {
		opts = append(opts, sandboxtest.WithMethodSettings(code, ms))
	}
	var (
		sb  *sandboxtest.Sandbox
		err error
	)
	if tgt != nil {
		x.suffix = runSuffix()
		sb, err = sandboxtest.Connect(ctx, tgt.url, opts...)
		if err == nil && tgt.startEach {
			if err = startClock(ctx, sb, sc.start()); err != nil {
				_ = sb.Close()
			}
		}
		if err != nil {
			res.Failure = &Failure{Message: fmt.Sprintf("the sandbox at %s cannot run the file: %v", tgt.url, err)}
			return res
		}
	} else {
		if s := sc.spec.Sandbox.Seed; s != 0 {
			opts = append(opts, sandboxtest.WithSeed(s))
		}
		opts = append(opts, sandboxtest.WithTime(sc.start()))
		if d := sc.spec.Sandbox.CallbackTimeout; d > 0 {
			opts = append(opts, sandboxtest.WithCallbackTimeout(timeDuration(d)))
			x.maxWait += timeDuration(d)
		}
		if sb, err = sandboxtest.Start(ctx, opts...); err != nil {
			res.Failure = &Failure{Message: "the sandbox did not start: " + err.Error()}
			return res
		}
	}
	defer func() {
		if x.browser != nil {
			x.browser.client.CloseIdleConnections()
		}
		if err := sb.Close(); err != nil && res.Failure == nil {
			res.Failure = &Failure{Message: "the sandbox did not stop cleanly: " + err.Error()}
		}
	}()
	x.sb = sb
	if err := x.setup(ctx); err != nil {
		res.Failure = &Failure{Message: "setting up: " + err.Error()}
		return res
	}
	for _, st := range sc.Steps {
		if err := x.step(ctx, st); err != nil {
			f := &Failure{Step: st, Message: err.Error()}
			var sf *stepFailure
			if errors.As(err, &sf) {
				f.Detail = sf.detail
			}
			switch {
			case parent.Err() != nil:
				f.Message, f.Detail = "interrupted: the run was stopped before this step ended", joinLines(f.Message, f.Detail)
			case ctx.Err() != nil:
				f.Message, f.Detail = r.outOfTime(sc, timeout, x.browser.waitingElsewhere()), joinLines(f.Message, f.Detail)
			}
			if tgt != nil {
				f.Detail = joinLines(f.Detail, x.targetNotes(ctx, tgt.url))
			}
			res.Failure = f
			return res
		}
	}
	return res
}

// heldAnswerTimeout is the callback timeout the runner suggests for a
// scenario whose merchant holds answers: each held answer costs it in wall
// time, and an answer given at once must reach the sandbox within it on a
// busy machine (under the race detector on two busy cores, one took more
// than 1 s).
const heldAnswerTimeout = 5 * time.Second

// outOfTime says that a scenario ran past its time, and what costs time:
// the page of another site it was waiting for (elsewhere, "" for none), or
// the answers its merchant holds.
func (r *Runner) outOfTime(sc *Scenario, timeout time.Duration, elsewhere string) string {
	msg := fmt.Sprintf("the scenario ran out of time: it may run for %s of wall time (sandbox test --timeout)", timeout)
	switch {
	case elsewhere != "":
		msg += fmt.Sprintf(", and the customer was still waiting for %s to answer: a server that holds its answer costs the scenario's time; check that it answers, or give the scenario more time", elsewhere)
	case r.Target == "":
		wait := 10 * time.Second
		if d := sc.spec.Sandbox.CallbackTimeout; d > 0 {
			wait = timeDuration(d)
		}
		msg += fmt.Sprintf(". Every callback or check_deposit the merchant holds (silent, a delay) costs the sandbox's callback timeout, %s here, of wall time: ", formatDuration(wait))
		if wait > heldAnswerTimeout {
			msg += fmt.Sprintf("set sandbox.callback_timeout shorter, such as %s", formatDuration(heldAnswerTimeout))
		} else {
			msg += "hold fewer answers, or give the scenario more time"
		}
		msg += " (shorter still, an answer the merchant gives at once may miss it on a busy machine)"
	default:
		msg += ". Every callback or check_deposit the merchant holds (silent, a delay) costs the running sandbox's own callback timeout of wall time, whatever sandbox.callback_timeout says: start it with a short one, such as sandbox serve --callback-timeout " + formatDuration(heldAnswerTimeout)
	}
	return msg
}

// joinLines joins the non-empty texts, one a line.
func joinLines(texts ...string) string {
	return strings.Join(slices.DeleteFunc(texts, func(s string) bool { return s == "" }), "\n")
}

// runSuffix makes payment IDs unique to one run against a shared sandbox.
func runSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return "-r" + hex.EncodeToString(b)
}

// writeResult writes a scenario's line and, when it failed, why.
func writeResult(w io.Writer, r Result) {
	name := r.Name
	if name == "" {
		name = "(not loaded)"
	}
	took := r.Duration.Round(time.Millisecond)
	if r.NotRun {
		fmt.Fprintf(w, "SKIP  %s  %s  not run: %s\n", r.File, name, notRunWhy)
		return
	}
	if r.Failure == nil {
		fmt.Fprintf(w, "ok    %s  %s  (%s)\n", r.File, name, took)
		return
	}
	fmt.Fprintf(w, "FAIL  %s  %s  (%s)\n", r.File, name, took)
	f := r.Failure
	if f.Step.Number > 0 {
		fmt.Fprintf(w, "      %s\n", f.Where(r.File))
	}
	fmt.Fprintf(w, "      %s\n", f.Message)
	if f.Detail != "" {
		fmt.Fprintln(w, indent(strings.TrimRight(f.Detail, "\n"), "        "))
	}
}
