package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
)

// serveOptions are the flags of `sandbox serve`.
type serveOptions struct {
	Addr      string
	Data      string
	Config    string
	PublicURL string
	Seed      uint64
	Freeze    string
	LogFormat string
	LogLevel  string
	// AllowedHosts are further host names the control API and the
	// dashboard answer to.
	AllowedHosts []string
	// CallbackTimeout bounds each callback and check_deposit request.
	CallbackTimeout time.Duration
	// Pprof is the loopback address of the profiler; empty for none.
	Pprof string
	// ShutdownGrace is how long requests under way have to end when the
	// sandbox is stopped, before they are canceled.
	ShutdownGrace time.Duration

	// sendsPerMerchant bounds the callbacks sent at once to one merchant
	// host (app.Options.SendsPerMerchant); no flag sets it, a test does.
	sendsPerMerchant int
}

const serveUsage = `Usage: sandbox serve [flags]

Runs the sandbox until it is interrupted (Ctrl-C or SIGTERM), then shuts down
gracefully: requests under way have --shutdown-grace to end, then are
canceled. Everything it acknowledged is on disk in the data folder, even
after a kill -9 or a power cut.

Every flag may also come from the environment, as ECOMMPAY_SANDBOX_ and its
name in capitals with _ for -: ECOMMPAY_SANDBOX_CALLBACK_TIMEOUT=30s,
ECOMMPAY_SANDBOX_PUBLIC_URL=http://sandbox:8080 (for a container or a CI
service; the image sets its address, data folder and public URL so). A
flag on the command line wins over its variable; an ECOMMPAY_SANDBOX_
variable that names no flag is refused.

Flags:
`

// envPrefix starts the environment variables that set serve's flags.
const envPrefix = "ECOMMPAY_SANDBOX_"

// envName is the environment variable of flag name: ECOMMPAY_SANDBOX_ADDR.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// flagsFromEnv sets the flags of fs that std's environment names, before
// the command line's own, which win. A value a flag refuses, and a
// variable of the prefix that names no flag (a typo would otherwise go
// unseen), are usage errors that name the variable.
func flagsFromEnv(fs *flag.FlagSet, std stdio) error {
	var known []string
	fs.VisitAll(func(f *flag.Flag) { known = append(known, envName(f.Name)) })
	for _, kv := range std.env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, envPrefix) && !slices.Contains(known, k) {
			return usagef("the environment's %s names no flag of serve; known are %s", k, strings.Join(known, ", "))
		}
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := std.lookupEnv(envName(f.Name))
		if !ok || err != nil {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = usagef("the environment's %s=%q: %v (it sets --%s)", envName(f.Name), v, serr, f.Name)
		}
	})
	return err
}

// serveFlags returns the flags of serve, bound to o.
func serveFlags(o *serveOptions) *flag.FlagSet {
	fs := verbFlags("serve")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "`address` to listen on; loopback only unless you say otherwise")
	fs.StringVar(&o.Data, "data", "./sandbox-data", "`folder` of the data file (sandbox.db); state survives restarts")
	fs.StringVar(&o.Config, "config", "", "YAML `file` of projects and method settings, such as: projects: [{id: 842, secret: s, callback_url: \"http://127.0.0.1:9000/cb\"}], methods: {oxxo: {variant: 3days}} (the README's \"Running it\", docs/methods.md)")
	fs.StringVar(&o.PublicURL, "public-url", "", "`URL` customers and merchants reach the sandbox at (default http://ADDR; http://127.0.0.1:PORT when ADDR is 0.0.0.0 or [::])")
	fs.Func("allowed-hosts", "comma-separated host `names` the control API and dashboard answer to, besides localhost, IP addresses and the --public-url host (DNS rebinding protection)", func(v string) error {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				o.AllowedHosts = append(o.AllowedHosts, h)
			}
		}
		return nil
	})
	fs.Uint64Var(&o.Seed, "seed", 0, "seed of IDs and voucher numbers, for byte-for-byte repeatable runs (0: random)")
	fs.StringVar(&o.Freeze, "freeze", "", "start with the clock frozen at this RFC 3339 `time` (only when the data has no clock yet)")
	fs.DurationVar(&o.CallbackTimeout, "callback-timeout", callback.DefaultTimeout, "how long (a `duration` such as 10s, up to 2m) a merchant has to answer a callback or a check_deposit request")
	fs.DurationVar(&o.ShutdownGrace, "shutdown-grace", app.DefaultShutdownGrace, "once stopped (Ctrl-C, SIGTERM), how long (a `duration`) requests under way have to end before they are canceled, such as a clock advance waiting for a merchant that does not answer")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&o.LogLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&o.Pprof, "pprof", "", "serve Go's profiler (net/http/pprof) on this loopback `address`, such as 127.0.0.1:6060 (off by default)")
	return fs
}

// runServe is the serve verb.
func runServe(ctx context.Context, args []string, std stdio) error {
	o, err := parseServe(args, std)
	if err != nil {
		return err
	}
	return serve(ctx, o, std.out)
}

func parseServe(args []string, std stdio) (serveOptions, error) {
	var o serveOptions
	fs := serveFlags(&o)
	if err := flagsFromEnv(fs, std); err != nil {
		return o, err
	}
	unexpected, err := parseFlags(fs, args, serveUsage, std)
	if err != nil {
		return o, err
	}
	if len(unexpected) > 0 {
		return o, usagef(`serve takes flags only; unexpected %q ("sandbox serve -h" lists them)`, unexpected[0])
	}
	if o.CallbackTimeout <= 0 || o.CallbackTimeout > callback.MaxTimeout {
		return o, usagef("--callback-timeout %s: use a positive duration up to %s, such as 1s (an advance waits up to this long for each attempt of a merchant that does not answer)",
			o.CallbackTimeout, callback.MaxTimeout)
	}
	if o.Data == "" {
		return o, usagef("--data is empty: name the folder of the data file, such as --data ./sandbox-data")
	}
	if o.ShutdownGrace <= 0 {
		return o, usagef("--shutdown-grace %s: use a positive duration, such as 3s (requests still under way then are canceled)", o.ShutdownGrace)
	}
	return o, nil
}

func newLogger(o serveOptions, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", o.LogLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", o.LogFormat)
}

// newApp turns the flags into app.Options and wires the sandbox; the
// caller closes it.
func newApp(ctx context.Context, o serveOptions, log *slog.Logger, wall func() time.Time) (*app.Sandbox, error) {
	provs := app.Providers()
	ms := make([]platform.Method, 0, len(provs))
	for _, p := range provs {
		ms = append(ms, p.Method())
	}
	cfg, err := app.LoadConfig(o.Config, ms)
	if err != nil {
		return nil, err
	}
	var clock platform.ClockState
	if o.Freeze != "" {
		t, err := time.Parse(time.RFC3339, o.Freeze)
		if err != nil {
			return nil, fmt.Errorf("--freeze %q: write an RFC 3339 time such as 2026-01-02T15:04:05Z", o.Freeze)
		}
		clock = platform.ClockState{Frozen: true, FrozenAt: t.UTC()}
	}
	return app.New(ctx, app.Options{
		DataFile:         dataFile(o.Data),
		PublicURL:        o.PublicURL,
		Config:           cfg,
		ConfigName:       "file " + o.Config,
		Seed:             o.Seed,
		Clock:            clock,
		CallbackTimeout:  o.CallbackTimeout,
		AllowedHosts:     o.AllowedHosts,
		SendsPerMerchant: o.sendsPerMerchant,
		Timeouts:         app.Timeouts{ShutdownGrace: o.ShutdownGrace},
		Log:              log,
		Wall:             wall,
	})
}

// serve runs the sandbox until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, o serveOptions, stdout io.Writer) error {
	log, err := newLogger(o, stdout)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := checkDataFolder(o.Data); err != nil {
		return err
	}
	ln, err := listen(o.Addr)
	if err != nil {
		return err
	}
	// The profiler listens after the sandbox, so that a --pprof on the
	// sandbox's own port is the flag said to be wrong; before the data
	// file opens, so that it profiles the opening too.
	if o.Pprof != "" {
		stop, err := servePprof(o.Pprof, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	o.PublicURL = publicURL(o.PublicURL, ln.Addr(), log)
	a, err := newApp(ctx, o, log, time.Now)
	if err != nil {
		ln.Close()
		return err
	}
	warnIfFreezeIgnored(o.Freeze, a.Engine.Clock().State(), log)
	demo := demoLine(ctx, a.Engine)
	err = a.Run(ctx, ln, func() {
		log.Info("sandbox ready", "url", o.PublicURL, "data", a.Store.Path(), "started_in", time.Since(start).String(),
			"demo_project", demo, "version", runningVersion())
	})
	// The host reads here that the data file was closed as it should
	// be, or why not: a file left open is brought up to date from its
	// log at the next start.
	if cerr := a.Close(); cerr != nil {
		return errors.Join(err, fmt.Errorf("close the data file %s: %w (the next sandbox serve brings it up to date from its log)", a.Store.Path(), cerr))
	}
	if err == nil {
		log.Info("sandbox stopped", "data", a.Store.Path())
	}
	return err
}

// demoLine says, for the ready line, how to sign for the demo project:
// its secret when it is still the demo's, which the docs print, and never
// another (a config or the API may have given the project one of the
// host's).
func demoLine(ctx context.Context, eng *platform.Engine) string {
	demo := platform.DemoProject()
	p, err := eng.Project(ctx, demo.ID)
	switch {
	case platform.ErrorCode(err) == platform.CodeProjectNotFound:
		return fmt.Sprintf("none: project_id %d was deleted", demo.ID)
	case err != nil:
		return fmt.Sprintf("project_id %d (unread: %v)", demo.ID, err)
	case p.Secret == demo.Secret:
		return fmt.Sprintf("project_id %d, secret %q", demo.ID, demo.Secret)
	}
	return fmt.Sprintf("project_id %d, with the secret its config or the API gave it", demo.ID)
}

// runningVersion is what sandbox version prints, for the ready line: the
// host reads there which build serves, after an upgrade say.
func runningVersion() string {
	info, _ := debug.ReadBuildInfo()
	return versionLine(info, builtFrom)
}

// publicURL returns the URL the sandbox tells customers and merchants:
// given, or http:// and the listener's address. A listener on every
// interface (0.0.0.0, [::]) is no address to send anyone to: it is reached
// at 127.0.0.1 on this machine, and a warning says so, and that every
// machine that reaches this one may now use the control API.
func publicURL(given string, addr net.Addr, log *slog.Logger) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		if given != "" {
			return given
		}
		return "http://" + addr.String()
	}
	port := strconv.Itoa(tcp.Port)
	if given == "" {
		given = "http://" + net.JoinHostPort("127.0.0.1", port)
	}
	log.Warn("listening on every network interface: any machine that reaches this one can use the sandbox, its control API and every project's secret; "+
		"pages elsewhere and unknown host names are still refused (add names with --allowed-hosts)",
		"addr", addr.String(), "public_url", given, "hint", "use --addr 127.0.0.1:"+port+" to stay local, or --public-url with the address others reach")
	return given
}

// listen listens on addr, a HOST:PORT, and says what to do when it cannot:
// write the address whole, or pick another port than a busy one.
func listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("--addr %q: write a host and a port, such as 127.0.0.1:8080 (or 0.0.0.0:8080 for every interface)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("listen on %s: %w (is another sandbox running? pick another port with --addr)", addr, err)
	case err != nil:
		return nil, fmt.Errorf("listen on %s: %w (--addr takes a host of this machine and a free port, such as 127.0.0.1:8080)", addr, err)
	}
	return ln, nil
}

// warnIfFreezeIgnored says when --freeze asked for a clock the data file
// overrode: a data folder keeps its clock across restarts, so --freeze only
// sets the clock of a new one, and a newcomer who reuses a folder would
// otherwise find the clock running without a word.
func warnIfFreezeIgnored(freeze string, clock platform.ClockState, log *slog.Logger) {
	if freeze == "" {
		return
	}
	want, err := time.Parse(time.RFC3339, freeze)
	if err != nil || (clock.Frozen && clock.FrozenAt.Equal(want)) {
		return
	}
	state := "running"
	if clock.Frozen {
		state = "frozen at " + clock.FrozenAt.Format(time.RFC3339)
	}
	log.Warn("--freeze is ignored: the data folder already has its own clock, which a restart keeps; "+
		"start with a new --data folder, or set this one's with POST /sandbox/clock/set and /sandbox/clock/freeze",
		"freeze", freeze, "clock", state)
}

// checkDataFolder says, when --data names a file (the data file itself, as
// a newcomer gives it), to name the folder it is in instead.
func checkDataFolder(folder string) error {
	info, err := os.Stat(folder)
	if err != nil || info.IsDir() {
		return nil
	}
	return fmt.Errorf("--data %s is a file: --data names the folder the data file (sandbox.db) is in, such as --data %s", folder, filepath.Dir(folder))
}
