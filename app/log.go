package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/labstack/gommon/log"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/control"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Every request is logged once, as one slog line, when it is answered: what
// a server logs with the request's context through the logger New hands it
// (servedLog), what is logged through c.Logger() while serving it, a
// recovered panic and the error a handler returns all join that line (at
// the highest of their levels, ERROR for a 500), so a 500 is never logged
// twice or in another format.

// requestLog logs each request as one line to l and turns the error a
// handler returns into its answer (errorHandler).
func requestLog(l *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			rec := &record{}
			c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), recordKey{}, rec)))
			c.SetLogger(&echoLog{emit: rec.add})
			err := next(c)
			if err != nil {
				rec.add(slog.LevelError, err.Error())
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			level := rec.level
			switch {
			case res.Status >= http.StatusInternalServerError:
				level = max(level, slog.LevelError)
			case level == slog.LevelInfo && req.URL.Path == healthPath:
				// Container managers and load balancers ask every few
				// seconds: at INFO they would bury what the host reads.
				level = slog.LevelDebug
			}
			stopped := errors.Is(context.Cause(req.Context()), errStopped)
			if stopped {
				// Not a failure of the sandbox: the shutdown cut it short.
				level = slog.LevelWarn
			}
			if !l.Enabled(req.Context(), level) {
				return nil
			}
			// Typed attributes: a request's line boxes no value.
			attrs := make([]slog.Attr, 0, 7)
			attrs = append(attrs, slog.String("method", req.Method), slog.String("uri", cutURI(req.RequestURI)), slog.Int("status", res.Status),
				slog.Duration("latency", time.Since(start)), slog.String("remote", c.RealIP()))
			if len(rec.msgs) > 0 {
				msgs := strings.Join(rec.msgs, "; ")
				attrs = append(attrs, slog.String("err", msgs))
				if hint := hostHint(msgs); hint != "" {
					attrs = append(attrs, slog.String("hint", hint))
				}
			}
			if stopped {
				attrs = append(attrs, slog.String("stopped", errStopped.Error()))
			}
			var p *panicError
			if errors.As(err, &p) {
				attrs = append(attrs, slog.String("stack", string(p.stack)))
			}
			l.LogAttrs(req.Context(), level, "request", attrs...)
			return nil
		}
	}
}

// maxLoggedURI bounds the URI a request's line quotes: a request may come
// with a path or a query of a megabyte.
const maxLoggedURI = 2 << 10

// cutURI is uri, cut to maxLoggedURI bytes with what was left out said.
func cutURI(uri string) string {
	if len(uri) <= maxLoggedURI {
		return uri
	}
	cut := platform.Clip(uri, maxLoggedURI)
	return fmt.Sprintf("%s… (%d more bytes)", cut, len(uri)-len(cut))
}

// hostHint returns what the host must do about a failure logged as msgs
// that is the machine's, not the sandbox's: a full disk. The failures come
// as text (servers log them, as a request's line takes them), which keeps
// the system's words for them.
func hostHint(msgs string) string {
	for _, full := range []error{syscall.ENOSPC, syscall.EDQUOT} {
		if strings.Contains(msgs, full.Error()) {
			return "the disk of the data file is full: free some space, and the sandbox goes on by itself; nothing it acknowledged is lost"
		}
	}
	return ""
}

// healthPath is the control API's health check (GET /sandbox/health).
const healthPath = "/sandbox/health"

// recordKey is the context key of the record of the request being served.
type recordKey struct{}

// servedLog returns the logger the servers log their failures to: l, but a
// record logged with the context of a request being served joins that
// request's line (requestLog) instead of a line of its own.
func servedLog(l *slog.Logger) *slog.Logger {
	return slog.New(&foldHandler{Handler: l.Handler()})
}

// foldHandler hands a record logged with a request's context to the
// request's record, as its message and attributes in one text; any other
// record goes to Handler. requestLog writes the request's line to the
// handler underneath, so that line is never folded into itself.
type foldHandler struct {
	slog.Handler
	attrs []slog.Attr // what With added, said in the folded text too
}

func (h *foldHandler) Handle(ctx context.Context, r slog.Record) error {
	rec, ok := ctx.Value(recordKey{}).(*record)
	if !ok {
		return h.Handler.Handle(ctx, r)
	}
	var b strings.Builder
	b.WriteString(r.Message)
	sep := ": "
	say := func(a slog.Attr) bool {
		fmt.Fprintf(&b, "%s%s=%v", sep, a.Key, a.Value)
		sep = " "
		return true
	}
	for _, a := range h.attrs {
		say(a)
	}
	r.Attrs(say)
	rec.add(r.Level, b.String())
	return nil
}

func (h *foldHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &foldHandler{Handler: h.Handler.WithAttrs(attrs), attrs: append(slices.Clip(h.attrs), attrs...)}
}

func (h *foldHandler) WithGroup(name string) slog.Handler {
	return &foldHandler{Handler: h.Handler.WithGroup(name), attrs: h.attrs}
}

// record is what was logged while serving one request.
type record struct {
	mu    sync.Mutex
	level slog.Level
	msgs  []string
}

func (r *record) add(level slog.Level, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.level = max(r.level, level) // the zero level is INFO: every request has its line
	r.msgs = append(r.msgs, strings.TrimSpace(msg))
}

// recoverPanics turns a handler's panic into an error with its stack, which
// requestLog logs and answers as a 500.
func recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true,
		LogErrorFunc: func(_ echo.Context, err error, stack []byte) error {
			return &panicError{err: err, stack: stack}
		},
	})
}

// panicError is a handler's recovered panic.
type panicError struct {
	err   error
	stack []byte
}

func (p *panicError) Error() string { return "panic: " + p.err.Error() }
func (p *panicError) Unwrap() error { return p.err }

// errorHandler returns the handler of an error no handler answered itself
// (an echo HTTPError, an internal failure answered as a 500), unless the
// handler already answered. A browser asking for a page (web.WantsPage)
// outside the APIs (control.APIPath) gets the sandbox's error page,
// rendered by pages, in its language (Accept-Language); everyone else gets
// JSON {"error": "..."}. Both keep the status and say what went wrong,
// never a stack.
func errorHandler(pages *web.Renderer) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		req := c.Request()
		status, msg := http.StatusInternalServerError, "the sandbox failed: "+err.Error()+"; its log has the details"
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status, msg = he.Code, fmt.Sprint(he.Message)
			if status == http.StatusNotFound && msg == http.StatusText(http.StatusNotFound) {
				msg = fmt.Sprintf("%s %s: nothing is served here; GET / links to everything", req.Method, req.URL.Path)
			}
		}
		if req.Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		if web.WantsPage(req) && !control.APIPath(req.URL.Path) {
			perr := pages.Write(c.Response(), status, "error", errorPage(req, status, msg, he == nil))
			if perr == nil {
				return
			}
			c.Logger().Error("the error page failed: ", perr) // joins the request's line; JSON still answers
		}
		_ = c.JSON(status, map[string]string{"error": msg})
	}
}

// errorPage is the page that answers a failed request with status and
// msg, in the language req's browser prefers: internal is a failure of
// the sandbox itself, any other an error of the request.
func errorPage(req *http.Request, status int, msg string, internal bool) web.ErrorPage {
	page := web.ErrorPage{Page: web.Page{Lang: web.BrowserLanguage(req)}, Status: status, Message: msg}
	switch {
	case internal:
		page.Title, page.Message, page.Details = page.T("err.internal.title"), page.T("err.internal.lead"), []string{msg}
	case status == http.StatusNotFound:
		page.Title = page.T("err.nopage.title")
	default:
		page.Title = page.T("err.request.title")
	}
	return page
}

// echoLog is echo's Logger over slog, so that echo and any middleware that
// calls c.Logger() log through the sandbox's one logger. Outside a request it
// logs at once; while serving one, requestLog collects its messages into
// the request's line.
type echoLog struct {
	emit func(level slog.Level, msg string)
}

// slogEcho returns echo's Logger writing to l.
func slogEcho(l *slog.Logger) *echoLog {
	return &echoLog{emit: func(level slog.Level, msg string) { l.Log(context.Background(), level, strings.TrimSpace(msg)) }}
}

func (l *echoLog) Output() io.Writer   { return io.Discard }
func (l *echoLog) SetOutput(io.Writer) {}
func (l *echoLog) Prefix() string      { return "" }
func (l *echoLog) SetPrefix(string)    {}
func (l *echoLog) Level() log.Lvl      { return log.DEBUG } // slog's handler filters
func (l *echoLog) SetLevel(log.Lvl)    {}
func (l *echoLog) SetHeader(string)    {}
func (l *echoLog) Print(i ...any)      { l.emit(slog.LevelInfo, fmt.Sprint(i...)) }
func (l *echoLog) Printf(f string, a ...any) {
	l.emit(slog.LevelInfo, fmt.Sprintf(f, a...))
}
func (l *echoLog) Printj(j log.JSON) { l.emit(slog.LevelInfo, jsonText(j)) }
func (l *echoLog) Debug(i ...any)    { l.emit(slog.LevelDebug, fmt.Sprint(i...)) }
func (l *echoLog) Debugf(f string, a ...any) {
	l.emit(slog.LevelDebug, fmt.Sprintf(f, a...))
}
func (l *echoLog) Debugj(j log.JSON) { l.emit(slog.LevelDebug, jsonText(j)) }
func (l *echoLog) Info(i ...any)     { l.emit(slog.LevelInfo, fmt.Sprint(i...)) }
func (l *echoLog) Infof(f string, a ...any) {
	l.emit(slog.LevelInfo, fmt.Sprintf(f, a...))
}
func (l *echoLog) Infoj(j log.JSON) { l.emit(slog.LevelInfo, jsonText(j)) }
func (l *echoLog) Warn(i ...any)    { l.emit(slog.LevelWarn, fmt.Sprint(i...)) }
func (l *echoLog) Warnf(f string, a ...any) {
	l.emit(slog.LevelWarn, fmt.Sprintf(f, a...))
}
func (l *echoLog) Warnj(j log.JSON) { l.emit(slog.LevelWarn, jsonText(j)) }
func (l *echoLog) Error(i ...any)   { l.emit(slog.LevelError, fmt.Sprint(i...)) }
func (l *echoLog) Errorf(f string, a ...any) {
	l.emit(slog.LevelError, fmt.Sprintf(f, a...))
}
func (l *echoLog) Errorj(j log.JSON) { l.emit(slog.LevelError, jsonText(j)) }

// Fatal logs and exits, as echo's Logger promises; the sandbox never calls it.
func (l *echoLog) Fatal(i ...any) { l.emit(slog.LevelError, fmt.Sprint(i...)); os.Exit(1) }

// Fatalf logs and exits, as echo's Logger promises.
func (l *echoLog) Fatalf(f string, a ...any) {
	l.emit(slog.LevelError, fmt.Sprintf(f, a...))
	os.Exit(1)
}

// Fatalj logs and exits, as echo's Logger promises.
func (l *echoLog) Fatalj(j log.JSON) { l.emit(slog.LevelError, jsonText(j)); os.Exit(1) }

// Panic logs and panics, as echo's Logger promises.
func (l *echoLog) Panic(i ...any) { msg := fmt.Sprint(i...); l.emit(slog.LevelError, msg); panic(msg) }

// Panicf logs and panics, as echo's Logger promises.
func (l *echoLog) Panicf(f string, a ...any) {
	msg := fmt.Sprintf(f, a...)
	l.emit(slog.LevelError, msg)
	panic(msg)
}

// Panicj logs and panics, as echo's Logger promises.
func (l *echoLog) Panicj(j log.JSON) { msg := jsonText(j); l.emit(slog.LevelError, msg); panic(msg) }

func jsonText(j log.JSON) string {
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Sprint(map[string]any(j))
	}
	return string(b)
}
