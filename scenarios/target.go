package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// A running sandbox (Runner.Target) is shared by the files of a run, one
// after another. Before each file the runner puts its clock where an
// in-process sandbox's starts: frozen at the file's sandbox.start, backward
// if need be, so that the file sees the dates it would see in-process. A
// clock that ran when the run began runs again when it ends, from where the
// last file left it. Files run side by side (Jobs above 1) share the clock
// as they move it, as the sandbox's other users do.

// target is the running sandbox a run's files share.
type target struct {
	url    string
	client *http.Client
	// ran says the sandbox's clock was running when the run began.
	ran bool
	// startEach says that each file starts with the clock frozen at its
	// start: the files run one at a time.
	startEach bool
}

// clockState is the control API's view of the sandbox clock.
type clockState struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

// connectTarget checks that a sandbox answers at rawURL before any file
// runs, so that a wrong URL is said once, not once per file, and notes
// whether its clock runs. Nothing answering, it tries again for up to
// wait: a CI job starts the sandbox and the run side by side.
func connectTarget(ctx context.Context, rawURL string, wait time.Duration) (*target, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the target %q is not the URL of a sandbox: write it as http://HOST:PORT, such as http://127.0.0.1:8080", rawURL)
	}
	// The run's own requests (a look at the clock, an unfreeze) are
	// quick; the bound is for a sandbox busy with other users' work.
	t := &target{url: strings.TrimRight(rawURL, "/"), client: &http.Client{Timeout: 2 * time.Minute}}
	deadline := time.Now().Add(wait)
	for {
		c, err := t.clock(ctx, http.MethodGet, "")
		var none *noAnswerError
		switch {
		case err == nil:
			t.ran = !c.Frozen
			return t, nil
		case !errors.As(err, &none) || wait <= 0:
			return nil, err
		case !time.Now().Before(deadline):
			none.waited = wait
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// noAnswerError says that nothing answers at the target: no sandbox, or
// one not started yet.
type noAnswerError struct {
	url, why string
	waited   time.Duration // how long the run waited for an answer
}

func (e *noAnswerError) Error() string {
	waited := ""
	if e.waited > 0 {
		waited = fmt.Sprintf(", after %s", e.waited)
	}
	return fmt.Sprintf("no sandbox answers at %s (%s%s): start one (sandbox serve) or give the URL it listens on", e.url, e.why, waited)
}

// clock sends a request without a body to the sandbox's clock
// (/sandbox/clock + action) and returns the clock as it answers, saying
// plainly when what answers is no sandbox. It serves before a file's
// sandboxtest.Sandbox is connected and after the last one is closed;
// each file's clock is set through its Sandbox (startClock).
func (t *target) clock(ctx context.Context, method, action string) (clockState, error) {
	var c clockState
	path := "/sandbox/clock" + action
	req, err := http.NewRequestWithContext(ctx, method, t.url+path, nil)
	if err != nil {
		return c, fmt.Errorf("the target %s: %w", t.url, err)
	}
	res, err := t.client.Do(req)
	if err != nil {
		why := err.Error()
		var oe *net.OpError
		if errors.As(err, &oe) {
			why = oe.Error()
		}
		return c, &noAnswerError{url: t.url, why: why}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if res.StatusCode == http.StatusNotFound {
		return c, fmt.Errorf("%s is not a sandbox: %s %s answered 404; give the sandbox's base URL, such as http://127.0.0.1:8080", t.url, method, path)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return c, fmt.Errorf("the sandbox at %s answered %s %s with %d: %s", t.url, method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("%s is not a sandbox: %s %s answered %.100q, not its clock", t.url, method, path, raw)
	}
	return c, nil
}

// startClock puts the clock of the running sandbox sb drives where an
// in-process sandbox's starts: frozen at start.
func startClock(ctx context.Context, sb *sandboxtest.Sandbox, start time.Time) error {
	if err := sb.Freeze(ctx); err != nil {
		return fmt.Errorf("freezing the clock: %w", err)
	}
	now, err := sb.SetClock(ctx, start)
	if err != nil {
		return fmt.Errorf("setting the clock to %s: %w", start.Format(time.RFC3339), err)
	}
	if !now.Equal(start) {
		return fmt.Errorf("setting the clock to %s: the sandbox's clock stands at %s", start.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return nil
}

// finish lets a clock that ran when the run began run again. It is called
// when the run ends, interrupted or not.
func (t *target) finish(ctx context.Context) error {
	if !t.ran || !t.startEach {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := t.clock(ctx, http.MethodPost, "/unfreeze"); err != nil {
		return fmt.Errorf("the sandbox's clock ran when the run began and stands frozen now: %w", err)
	}
	return nil
}

// start returns where the scenario's clock starts: sandbox.start, else
// sandboxtest.DefaultTime.
func (sc *Scenario) start() time.Time {
	s := sc.spec.Sandbox.Start
	if s == "" {
		s = sandboxtest.DefaultTime
	}
	t, _ := time.Parse(time.RFC3339, s) // checked when loaded; DefaultTime is valid
	return t.UTC()
}

// targetNotes says, for a file that failed against a running sandbox,
// that the sandbox cannot reach the merchant when it could not, where the
// file's payments are on that sandbox (their IDs carry the run's suffix),
// and which of the file's sandbox settings a running sandbox does not take.
func (x *execution) targetNotes(ctx context.Context, base string) string {
	var b strings.Builder
	if x.merchantUnreachable(ctx) {
		fmt.Fprintf(&b, "the sandbox at %s cannot reach the merchant the runner started at %s: every request it sent there failed "+
			"and none arrived. Run the sandbox on this machine; in a container, on the host's network (docker run --network host)\n", base, x.sb.Merchant().URL())
	}
	if len(x.ids) > 0 {
		fmt.Fprintf(&b, "against %s the file's payment IDs end in %s; on its dashboard:", base, x.suffix)
		for _, id := range slices.Sorted(maps.Keys(x.ids)) {
			fmt.Fprintf(&b, "\n  %s  %s/dashboard?q=%s", id, base, url.QueryEscape(id+x.suffix))
		}
	}
	var ignored []string
	if s := x.sc.spec.Sandbox; s.Seed != 0 {
		ignored = append(ignored, fmt.Sprintf("sandbox.seed %d (IDs and voucher numbers are the running sandbox's: capture them)", s.Seed))
	}
	if d := x.sc.spec.Sandbox.CallbackTimeout; d > 0 {
		ignored = append(ignored, fmt.Sprintf("sandbox.callback_timeout %s (the sandbox waits its own: sandbox serve --callback-timeout)", formatDuration(timeDuration(d))))
	}
	if len(ignored) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("a running sandbox does not take the file's " + strings.Join(ignored, ", nor its "))
	}
	return b.String()
}

// merchantUnreachable reports whether the sandbox sent requests of the
// file's payments to the merchant and none arrived: it cannot reach the
// merchant, as a sandbox in a container cannot reach 127.0.0.1 of the
// machine the runner runs on.
func (x *execution) merchantUnreachable(ctx context.Context) bool {
	m := x.sb.Merchant()
	if len(m.Requests()) > 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, p := range x.projects {
		for id := range x.ids {
			ds, err := x.sb.Deliveries(ctx, p.ID, id+x.suffix)
			if err != nil {
				continue // a hint only: the failure is said already
			}
			for _, d := range ds {
				for _, a := range d.Attempts {
					u := a.URL
					if u == "" {
						u = d.URL
					}
					if a.Error != "" && strings.HasPrefix(u, m.URL()+"/") {
						return true
					}
				}
			}
		}
	}
	return false
}
