package app

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// guard decides who may use the sandbox's own surface (the control API
// under /sandbox/, the dashboard and the home page) and sets the security
// headers of every answer (README.md "Security").
//
// The own surface answers only requests whose Host the sandbox serves, so a
// page whose name is pointed at this machine (DNS rebinding) cannot read it,
// and refuses state-changing requests a browser marks as coming from
// another origin. Tools (curl, SDKs, CI scripts) send no Origin or
// Sec-Fetch-Site headers and are served as before. The Gate, the Payment
// Page and the providers' pages stay open, as on the platform: merchants
// post from their servers and customers arrive from merchants' sites.
type guard struct {
	hosts    map[string]bool // names served besides loopback names and IP literals
	cross    *http.CrossOriginProtection
	renderer *web.Renderer
	ownCSP   string // the own surface: nothing from elsewhere, never framed
	openCSP  string // the Gate, the Payment Page, the providers' pages: framable by any site
}

// newGuard returns the guard of a sandbox reached at publicURL and by the
// host names in allowed.
func newGuard(publicURL string, allowed []string, r *web.Renderer) (*guard, error) {
	g := &guard{hosts: map[string]bool{}, cross: http.NewCrossOriginProtection(), renderer: r}
	sources := "'self'"
	if publicURL != "" {
		u, err := url.Parse(publicURL)
		if err != nil || !platform.IsHTTPURL(publicURL) {
			return nil, fmt.Errorf("--public-url %q is not an absolute http(s) URL: write it like http://127.0.0.1:8080 or https://sandbox.example", publicURL)
		}
		g.hosts[hostName(u.Host)] = true
		origin := u.Scheme + "://" + u.Host
		// The sandbox's pages submit to themselves at the public URL when
		// a proxy in front of it rewrites Host.
		if err := g.cross.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("public URL %q: %w", publicURL, err)
		}
		sources += " " + origin
	}
	for _, h := range allowed {
		h = strings.TrimSpace(h)
		name := hostName(h)
		if name == "" || strings.ContainsAny(h, "/ ") {
			return nil, fmt.Errorf("--allowed-hosts %q is not a host name: write a name such as sandbox.test, without scheme or path", h)
		}
		g.hosts[name] = true
	}
	g.ownCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'none'; frame-ancestors 'none'"
	// Open pages: inline styles (brand colours, page-specific rules), the
	// widget's frame, and no form-action, because the Payment Page posts
	// customers on to merchants' return URLs and providers' pages.
	g.openCSP = fmt.Sprintf("default-src %[1]s; script-src %[1]s; style-src %[1]s 'unsafe-inline'; img-src %[1]s; connect-src %[1]s; frame-src %[1]s; "+
		"object-src 'none'; base-uri 'none'; frame-ancestors *", sources)
	return g, nil
}

// hostName returns the host of a Host header or URL host, without port or
// brackets, lower case, without a trailing dot.
func hostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), ".")
	return strings.ToLower(h)
}

// serves reports whether the sandbox answers its own surface for a request
// with this Host. Loopback names and IP literals always qualify: a page
// that rebinds a name sends that name, never an address. The port is not
// checked: it says nothing about who points a name here.
func (g *guard) serves(host string) bool {
	name := hostName(host)
	if name == "" || name == "localhost" || strings.HasSuffix(name, ".localhost") || g.hosts[name] {
		return true
	}
	if i := strings.IndexByte(name, '%'); i >= 0 { // an IPv6 zone
		name = name[:i]
	}
	_, err := netip.ParseAddr(name)
	return err == nil
}

// own reports whether a path belongs to the sandbox's own surface.
func own(path string) bool {
	return path == "/" || under(path, "/sandbox") || under(path, "/dashboard")
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// middleware applies the guard to every request.
func (g *guard) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if !own(req.URL.Path) && !own(req.URL.RawPath) {
			h.Set("Content-Security-Policy", g.openCSP)
			return next(c)
		}
		h.Set("Content-Security-Policy", g.ownCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !g.serves(req.Host) {
			name := hostName(req.Host)
			return g.refuse(c, http.StatusMisdirectedRequest, "This sandbox does not serve "+name,
				fmt.Sprintf("Host %q is not a name this sandbox serves, so %s %s is refused: a web page may have pointed its own name at this machine (DNS rebinding) to read the control API. "+
					"If you reach the sandbox by this name, start it with --allowed-hosts %s (or --public-url http://%s).", req.Host, req.Method, req.URL.Path, name, req.Host))
		}
		if err := g.cross.Check(req); err != nil {
			return g.refuse(c, http.StatusForbidden, "Cross-origin request refused",
				fmt.Sprintf("%s %s came from %s, and the control API and the developer console's actions take requests only from the sandbox's own pages "+
					"and from tools such as curl, SDKs and CI scripts (which send no Origin header). Call it from your test code or your server, not from a web page.",
					req.Method, req.URL.Path, sender(req)))
		}
		return next(c)
	}
}

// sender describes where a browser says a request came from.
func sender(req *http.Request) string {
	origin, site := req.Header.Get("Origin"), req.Header.Get("Sec-Fetch-Site")
	switch {
	case origin != "" && site != "":
		return fmt.Sprintf("a page at %s (Origin; Sec-Fetch-Site: %s)", origin, site)
	case origin != "":
		return fmt.Sprintf("a page at %s (Origin)", origin)
	}
	return fmt.Sprintf("another site (Sec-Fetch-Site: %s)", site)
}

// refuse answers a refused request: JSON under /sandbox/, a page elsewhere.
func (g *guard) refuse(c echo.Context, status int, title, message string) error {
	if under(c.Request().URL.Path, "/sandbox") {
		return c.JSON(status, map[string]string{"error": message})
	}
	page := web.NewErrorPage(status, title, message)
	return g.renderer.Write(c.Response(), status, "error", page)
}
